//! `policy check` as a pure function: a policy set, the user, account facts and the intent in;
//! a [`CheckReport`] out.

use iam_catalog::Catalog;
use iam_policy::PolicySet;
use iam_policy::analysis::Principal;

use super::facts::Account;
use super::finding::CheckReport;
use super::intent::Intent;
use super::leaks::{Sweeps, leaks};
use super::lint::lint;
use super::self_service::self_service;

/// Everything a check needs.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The user's identity policies, evaluated together.
    pub set: &'a PolicySet,
    /// The user.
    pub principal: &'a Principal,
    /// The account password policy and the user's login profile.
    pub account: Account,
    /// What users are meant to do before MFA.
    pub intent: &'a Intent,
}

/// The most distinct statements (statements identical but for their `Sid` count once) a check
/// sweeps. AWS's size caps allow about 220 statements in one policy (10,240 characters) and a
/// few thousand across every policy one user can have; real sets have tens.
pub const MAX_STATEMENTS: usize = 2_000;

/// Refuses a set with more than [`MAX_STATEMENTS`] distinct statements: the sweep's cost grows
/// with statements × catalog actions, so an adversarial set would run for minutes.
pub fn sweep_limit(set: &PolicySet) -> Result<(), String> {
    let n = iam_policy::analysis::distinct_statements(set).len();
    if n > MAX_STATEMENTS {
        return Err(format!(
            "the policies have {n} distinct statements; policy check handles at most {MAX_STATEMENTS} (AWS's size caps allow about 220 in one policy)"
        ));
    }
    Ok(())
}

/// Checks `input` against `catalog`: findings most severe first, then in id order.
pub fn check(input: Input<'_>, catalog: &Catalog) -> CheckReport {
    let sweeps = Sweeps::run(input.set, catalog, input.principal);
    let mut findings = leaks(input.set, catalog, input.principal, &sweeps, input.intent);
    findings.extend(lint(input.set, catalog));
    findings.extend(self_service(
        input.set,
        input.principal,
        input.account,
        input.intent,
    ));
    findings.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.id));
    CheckReport {
        principal: input.principal.arn(),
        policies: input
            .set
            .policies()
            .iter()
            .map(|p| p.name.clone())
            .collect(),
        catalog: catalog.source().to_string(),
        catalog_actions: catalog.actions().len(),
        states: sweeps.counts(),
        findings,
        role: None,
    }
}
