//! `mfa_doctor::check` on the reference set (AWS's force-MFA policy + PowerUserAccess +
//! IAMUserChangePassword): the exhaustive sweep of the whole catalog in the three credential
//! states plus every self-service probe. Bar: the whole `policy check` process under 50 ms.

#![allow(clippy::unwrap_used)] // benchmark setup: a failure aborts the run

use criterion::{Criterion, criterion_group, criterion_main};
use iam_policy::PolicySet;
use iam_policy::analysis::{Analysis, MfaState, Principal};
use mfa_doctor::{self as doctor, Account, Input, Intent};

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

criterion_group!(benches, doctor_check);
criterion_main!(benches);
