//! Evaluation throughput and parse cost on the set the doctor analyses most: the AWS force-MFA
//! policy + PowerUserAccess + IAMUserChangePassword, with MFA absent, "false" and "true".

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iam_policy::analysis::{Analysis, MfaState, Principal};
use iam_policy::{Context, PolicySet, Request};
use std::hint::black_box;

const FORCE_MFA: &str = include_str!("../tests/fixtures/force-mfa-aws.json");
const POWER_USER: &str = include_str!("../tests/fixtures/power-user-access.json");
const CHANGE_PASSWORD: &str = include_str!("../tests/fixtures/iam-user-change-password.json");

fn policy_set() -> PolicySet {
    let mut set = PolicySet::new();
    for (name, doc) in [
        ("ForceMFA", FORCE_MFA),
        ("PowerUserAccess", POWER_USER),
        ("IAMUserChangePassword", CHANGE_PASSWORD),
    ] {
        if let Err(e) = set.add_document(name, doc) {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    }
    set
}

fn requests() -> Vec<Request> {
    let user = "arn:aws:iam::123456789012:user/alice";
    let actions = [
        ("iam:ChangePassword", user),
        ("iam:DeactivateMFADevice", user),
        ("s3:GetObject", "arn:aws:s3:::bucket/key"),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
        ),
        ("sts:GetSessionToken", "*"),
        ("iam:CreateUser", "arn:aws:iam::123456789012:user/bob"),
    ];
    let mut out = Vec::new();
    for (action, resource) in actions {
        for mfa in [None, Some("false"), Some("true")] {
            let mut ctx = Context::new().with("aws:username", "alice");
            if let Some(v) = mfa {
                ctx = ctx.with("aws:MultiFactorAuthPresent", v);
            }
            out.push(Request::new(action, resource, ctx));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let set = policy_set();
    let reqs = requests();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(reqs.len() as u64));
    group.bench_function("force_mfa+power_user+change_password", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(set.evaluate(black_box(r)));
            }
        })
    });
    group.finish();
    c.bench_function("parse_compile/force_mfa+power_user+change_password", |b| {
        b.iter(|| black_box(policy_set()))
    });
    c.bench_function("explain/one_request", |b| {
        b.iter(|| black_box(set.explain(black_box(&reqs[0]))))
    });
    let catalog = iam_catalog::catalog();
    let principal = Principal::example("alice");
    c.bench_function("sweep/catalog_x_3_mfa_states", |b| {
        b.iter(|| {
            let analysis = Analysis::new(&set, catalog);
            for state in MfaState::ALL {
                black_box(analysis.sweep(&principal, state));
            }
        })
    });
}

/// `n` statements allowing everything on `resource(i)`, in policies of 100 (each under the
/// 1 MiB document cap).
fn many(n: usize, resource: impl Fn(usize) -> String) -> Vec<String> {
    (0..n)
        .collect::<Vec<_>>()
        .chunks(100)
        .map(|chunk| {
            let body: Vec<String> = chunk
                .iter()
                .map(|&i| {
                    format!(
                        r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "*", "Resource": "{}"}}"#,
                        resource(i)
                    )
                })
                .collect();
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                body.join(",")
            )
        })
        .collect()
}

/// Parse, then the three sweeps (the cost `policy check` grows with).
fn parse_and_sweep(documents: &[String], catalog: &iam_catalog::Catalog) -> usize {
    let mut set = PolicySet::new();
    for (i, d) in documents.iter().enumerate() {
        if let Err(e) = set.add_document(&format!("P{i}"), d) {
            eprintln!("P{i}: {e}");
            std::process::exit(1);
        }
    }
    Analysis::new(&set, catalog)
        .sweep_states(&Principal::example("alice"), &MfaState::ALL)
        .iter()
        .map(|s| s.allowed.len())
        .sum()
}

/// Issue 9, item 5: adversarial sets. Bar: `policy check` answers a 10,000-statement policy
/// in under 2 s (sets over 2,000 distinct statements are refused before the sweep).
fn adversarial(c: &mut Criterion) {
    let catalog = iam_catalog::catalog();
    let wide = |i: usize| format!("arn:aws:s3:::bucket-{i}/{}", "*a".repeat(5_000));
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10);
    let same = many(10_000, |_| wide(0));
    group.bench_function("10000_identical_statements_10kb_wildcard", |b| {
        b.iter(|| parse_and_sweep(&same, catalog))
    });
    let distinct = many(2_000, |i| format!("arn:aws:s3:::bucket-{i}/*"));
    group.bench_function("2000_distinct_statements", |b| {
        b.iter(|| parse_and_sweep(&distinct, catalog))
    });
    let wide_distinct = many(2_000, wide);
    group.bench_function("2000_distinct_statements_10kb_wildcards", |b| {
        b.iter(|| parse_and_sweep(&wide_distinct, catalog))
    });
    group.finish();
}

criterion_group!(benches, bench, adversarial);
criterion_main!(benches);
