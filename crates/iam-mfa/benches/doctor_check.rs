//! `doctor::check` on the issue's reference set (AWS's force-MFA policy + PowerUserAccess +
//! IAMUserChangePassword): the exhaustive sweep of the whole catalog in the three credential
//! states plus every self-service probe. Bar: the whole `policy check` process under 50 ms.
//! And adversarial sets (issue 9, item 5): 10,000 statements with a 10 KB `Resource` wildcard
//! each, parsed and checked (or refused at the limit). Bar: under 2 s.

#![allow(clippy::unwrap_used)] // benchmark setup: a failure aborts the run

use criterion::{Criterion, criterion_group, criterion_main};
use iam_mfa::doctor::{self, Account, Input, Intent};
use iam_policy::PolicySet;
use iam_policy::analysis::{Analysis, MfaState, Principal};

fn reference_set() -> PolicySet {
    let mut set = PolicySet::new();
    let force_mfa = include_str!("../tests/fixtures/seeds/aws-force-mfa-current.json");
    set.add_document("ForceMFA", force_mfa).unwrap();
    for name in ["PowerUserAccess", "IAMUserChangePassword"] {
        let managed = iam_catalog::managed_policy(name).unwrap();
        set.add_document(name, managed.document).unwrap();
    }
    set
}

fn doctor_check(c: &mut Criterion) {
    let catalog = iam_catalog::catalog();
    let set = reference_set();
    let principal = Principal::example("alice");
    let intent = Intent::default();
    let input = Input {
        set: &set,
        principal: &principal,
        account: Account::default(),
        intent: &intent,
    };
    c.bench_function("doctor_check_force_mfa_power_user", |b| {
        b.iter(|| doctor::check(input, catalog))
    });
    // The engine's share: the three sweeps alone, without the doctor's probes and lints.
    c.bench_function("sweeps_force_mfa_power_user", |b| {
        b.iter(|| Analysis::new(&set, catalog).sweep_states(&principal, &MfaState::ALL))
    });
}

/// A 10 KB `Resource` pattern: an S3 ARN with 5,000 wildcards, distinct per `i`.
fn wide_pattern(i: usize) -> String {
    format!("arn:aws:s3:::bucket-{i}/{}", "*a".repeat(5_000))
}

/// `statements` statements in policies of at most 100 (each under the 1 MiB document cap),
/// each allowing everything on `resource(i)`.
fn adversarial(statements: usize, resource: impl Fn(usize) -> String) -> Vec<String> {
    (0..statements)
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

/// Parses `documents`, then checks them as `policy check` does (the limit first).
fn parse_and_check(documents: &[String], catalog: &iam_catalog::Catalog) -> usize {
    let mut set = PolicySet::new();
    for (i, d) in documents.iter().enumerate() {
        set.add_document(&format!("P{i}"), d).unwrap();
    }
    if doctor::sweep_limit(&set).is_err() {
        return 0;
    }
    let principal = Principal::example("alice");
    let intent = Intent::default();
    let input = Input {
        set: &set,
        principal: &principal,
        account: Account::default(),
        intent: &intent,
    };
    doctor::check(input, catalog).findings.len()
}

fn adversarial_check(c: &mut Criterion) {
    let catalog = iam_catalog::catalog();
    let mut group = c.benchmark_group("policy_check_10000_statements");
    group.sample_size(10);
    let same = adversarial(10_000, |_| wide_pattern(0));
    group.bench_function("same_10kb_wildcard", |b| {
        b.iter(|| parse_and_check(&same, catalog))
    });
    let distinct = adversarial(10_000, wide_pattern);
    group.bench_function("distinct_10kb_wildcards", |b| {
        b.iter(|| parse_and_check(&distinct, catalog))
    });
    let short = adversarial(10_000, |i| format!("arn:aws:s3:::bucket-{i}/*"));
    group.bench_function("distinct_short_resources", |b| {
        b.iter(|| parse_and_check(&short, catalog))
    });
    group.finish();
}

criterion_group!(benches, doctor_check, adversarial_check);
criterion_main!(benches);
