//! `mfa_doctor::check` on the issue's reference set (AWS's force-MFA policy + PowerUserAccess +
//! IAMUserChangePassword): the exhaustive sweep of the whole catalog in the three credential
//! states plus every self-service probe. Bar: the whole `policy check` process under 50 ms.

#![allow(clippy::unwrap_used)] // benchmark setup: a failure aborts the run

use criterion::{Criterion, criterion_group, criterion_main};
use iam_policy::analysis::{Analysis, MfaState, Principal};
use iam_policy::{NamedResourcePolicy, PolicySet, parse_trust_policy};
use mfa_doctor::{self as doctor, Account, Input, Intent, RolePower, TrustInput};

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

/// `policy check --trust` for a caller: PowerUserAccess as alice's identity set, a role of her
/// account trusting the account with MFA (`Bool`), proved in the three credential states; and
/// the sweep that rates the power of a role whose permissions are PowerUserAccess.
fn check_trust_power_user(c: &mut Criterion) {
    let catalog = iam_catalog::catalog();
    let mut set = PolicySet::new();
    let managed = iam_catalog::managed_policy("PowerUserAccess").unwrap();
    set.add_document("PowerUserAccess", managed.document)
        .unwrap();
    let principal = Principal::example("alice");
    let trust = parse_trust_policy(
        r#"{"Version": "2012-10-17", "Statement": {"Sid": "AllowAccountWithMFA", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#,
    )
    .unwrap();
    let trust = NamedResourcePolicy::new("Trust", trust);
    let power = RolePower::Unknown;
    let input = TrustInput {
        trust: &trust,
        role_arn: "arn:aws:iam::123456789012:role/Admin",
        caller: Some((&set, &principal)),
        power: &power,
    };
    // The setup is what it claims: alice gets in with MFA only, and nothing is reported.
    let (section, findings) = doctor::check_trust(input);
    assert!(findings.is_empty() && section.access.len() == 1);
    assert_eq!(section.access[0].states, [MfaState::WithMfa]);
    c.bench_function("check_trust_power_user", |b| {
        b.iter(|| doctor::check_trust(input))
    });
    let role = "arn:aws:iam::123456789012:role/Admin";
    c.bench_function("check_trust_role_power_power_user", |b| {
        b.iter(|| doctor::role_power(&set, catalog, role))
    });
}

criterion_group!(benches, doctor_check, check_trust_power_user);
criterion_main!(benches);
