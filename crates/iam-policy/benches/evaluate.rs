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

criterion_group!(benches, bench);
criterion_main!(benches);
