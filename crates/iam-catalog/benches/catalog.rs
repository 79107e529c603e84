//! Decoding the embedded data, and lookups.
//!
//! `catalog()` and `managed_policies()` decode once per process, so decoding is timed through
//! `iam_catalog::raw`: the parse of the embedded text (a first call costs that).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_catalog::{catalog, managed_policy, raw};

/// Times `parse` on the embedded `text`.
fn decode<T, E>(
    c: &mut Criterion,
    name: &str,
    text: fn() -> Result<&'static str, E>,
    parse: fn(&'static str) -> Result<T, E>,
) {
    let Ok(text) = text() else {
        return;
    };
    c.bench_function(&format!("{name}/parse"), |b| {
        b.iter(|| parse(black_box(text)))
    });
}

fn decoding(c: &mut Criterion) {
    decode(c, "actions", raw::actions_text, raw::parse_actions);
    decode(c, "managed", raw::managed_text, raw::parse_managed);
}

fn lookups(c: &mut Criterion) {
    let catalog = catalog();
    let names: Vec<String> = catalog
        .actions()
        .iter()
        .step_by(97)
        .map(|a| a.full_name().to_uppercase())
        .collect();
    c.bench_function(&format!("lookup/{} names", names.len()), |b| {
        b.iter(|| {
            names
                .iter()
                .filter_map(|n| catalog.lookup(black_box(n)))
                .count()
        })
    });
    c.bench_function("condition_key_type/aws:PrincipalTag/team", |b| {
        b.iter(|| catalog.condition_key_type(black_box("aws:PrincipalTag/team")))
    });
    c.bench_function("suggest/iam:ChangePasword", |b| {
        b.iter(|| catalog.suggest(black_box("iam:ChangePasword")))
    });
    c.bench_function("managed_policy/arn", |b| {
        b.iter(|| {
            managed_policy(black_box(
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            ))
        })
    });
}

criterion_group!(benches, decoding, lookups);
criterion_main!(benches);
