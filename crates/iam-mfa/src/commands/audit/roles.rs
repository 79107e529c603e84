//! Roles in the audit: which users of the account can assume which role without MFA, decided
//! from the data already gathered (the roles come with their trust and permission policies in
//! `GetAccountAuthorizationDetails`), plus the trust policies' own findings.
//!
//! A user's escape is proven with its identity policies and the role's trust policy together
//! ([`iam_policy::assume::assumable`]) in the credential states the user can be in without
//! MFA. Users who share a policy set share a proof, unless the trust policy names users by ARN,
//! or it or the set's statements for `sts:AssumeRole` test principal-specific keys
//! (`aws:username`, `aws:PrincipalArn`, tags, variables): then each user is proven on its own.

use std::collections::HashMap;

use iam_catalog::Catalog;
use iam_policy::analysis::{MfaState, Principal};
use iam_policy::assume::{Proof, assumable};
use iam_policy::ast::Condition;
use iam_policy::principal::{Caller, PrincipalBlock, PrincipalEntry, PrincipalMatch, account_of};
use iam_policy::{NamedResourcePolicy, PolicySet, parse_trust_policy};

use super::credentials::Facts;
use super::decide::{SetChecks, parallel_map};
use super::facts::{Gathered, Role};
use super::report::{AccountFinding, AuditFinding, RoleEscape, RoleReport};
use crate::iam::documents;
use mfa_doctor::{self as doctor, Evidence, FindingId, RolePower, TrustInput};

/// What the roles add to the report.
pub(super) struct RoleOutcome {
    pub(super) reports: Vec<RoleReport>,
    pub(super) account_findings: Vec<AccountFinding>,
    /// Per user (same order as [`Gathered::users`]), its escapes into roles.
    pub(super) user_findings: Vec<Vec<AuditFinding>>,
}

/// Keys whose value differs from user to user of one policy set.
const PER_USER_KEYS: [&str; 4] = [
    "aws:username",
    "aws:userid",
    "aws:principalarn",
    "aws:principaltag/",
];

/// The credential states `f`'s user can sign an `AssumeRole` request in without MFA: access
/// keys (long-term, or a `GetSessionToken` session without a code), or a console session
/// without MFA.
fn states_without_mfa(f: &Facts<'_>) -> Vec<MfaState> {
    let keys = f.keys != Some(false);
    let console = f.password != Some(false) && f.mfa != Some(true);
    let mut out = Vec::new();
    if keys {
        out.push(MfaState::LongTermKeys);
    }
    if keys || console {
        out.push(MfaState::TemporaryWithoutMfa);
    }
    out
}

/// Decides every role.
pub(super) fn decide_roles(
    gathered: &Gathered,
    analysis: &SetChecks,
    facts: &[Facts<'_>],
    catalog: &Catalog,
) -> RoleOutcome {
    let per_role = parallel_map(&gathered.roles, |role| {
        one_role(gathered, analysis, facts, catalog, role)
    });
    let mut outcome = RoleOutcome {
        reports: Vec::new(),
        account_findings: Vec::new(),
        user_findings: vec![Vec::new(); gathered.users.len()],
    };
    for (report, account, users) in per_role {
        outcome.reports.push(report);
        outcome.account_findings.extend(account);
        for (user, finding) in users {
            if let Some(list) = outcome.user_findings.get_mut(user) {
                list.push(finding);
            }
        }
    }
    outcome
}

type Decided = (RoleReport, Vec<AccountFinding>, Vec<(usize, AuditFinding)>);

fn one_role(
    gathered: &Gathered,
    analysis: &SetChecks,
    facts: &[Facts<'_>],
    catalog: &Catalog,
    role: &Role,
) -> Decided {
    let mut report = RoleReport {
        role: role.name.clone(),
        arn: role.arn.clone(),
        power: None,
        trust_error: None,
        assumable_without_mfa: Vec::new(),
        unproven: Vec::new(),
    };
    let trust = match parse_trust_policy(&role.trust) {
        Ok(trust) => NamedResourcePolicy::new(&format!("{}/trust", role.name), trust),
        Err(error) => {
            report.trust_error = Some(error.to_string());
            let finding = AuditFinding {
                id: FindingId::PolicyUnparsable,
                severity: FindingId::PolicyUnparsable.default_severity(),
                message: format!(
                    "The policy engine cannot read the trust policy of role {} ({error}): who can assume it without MFA is unproven.",
                    role.name
                ),
                fix:
                    "Correct the trust policy; if AWS accepts it as written, report it to iam-mfa."
                        .to_owned(),
                policy_set: None,
                evidence: Vec::new(),
            };
            return (
                report,
                vec![AccountFinding {
                    subject: role.arn.clone(),
                    finding,
                }],
                Vec::new(),
            );
        }
    };
    if !trust
        .policy
        .statements
        .iter()
        .any(|s| s.principal.names_aws_principals())
    {
        // A service or federated role: no IAM user can assume it.
        return (report, Vec::new(), Vec::new());
    }
    let account_findings = trust_findings(&trust, role);
    let escapes = escapes(gathered, analysis, facts, &trust, role);
    report.unproven = escapes
        .unproven
        .iter()
        .filter_map(|&u| gathered.users.get(u).map(|user| user.name.clone()))
        .collect();
    if escapes.found.is_empty() {
        return (report, account_findings, Vec::new());
    }
    let power = power(gathered, catalog, role);
    let mut user_findings = Vec::new();
    for (user_index, states, proof) in escapes.found {
        let (Some(user), Some(set)) = (
            gathered.users.get(user_index),
            analysis
                .user_set(user_index)
                .and_then(|s| analysis.policy_set(s)),
        ) else {
            continue;
        };
        let Some(witness) = proof.witness() else {
            continue;
        };
        let statements: Vec<String> = witness
            .trust_statements
            .iter()
            .map(|&i| trust.label(i))
            .chain(witness.identity_statements.iter().map(|&at| set.label(at)))
            .collect();
        let names: Vec<&str> = states.iter().map(|s| s.name()).collect();
        user_findings.push((
            user_index,
            AuditFinding {
                id: FindingId::RoleAssumableWithoutMfa,
                severity: power.severity(),
                message: format!(
                    "{} can assume role {} without MFA ({}), escaping MFA with the role's {}.",
                    user.name,
                    role.name,
                    names.join(", "),
                    power.describe()
                ),
                fix: "Require MFA in the role's trust policy ({\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}; iam-mfa policy generate --trust ACCOUNT), or deny sts:AssumeRole without MFA in the user's policies.".to_owned(),
                policy_set: None,
                evidence: vec![Evidence {
                    action: Some("sts:AssumeRole".to_owned()),
                    resource: Some(role.arn.clone()),
                    states: states.clone(),
                    decision: Some(iam_policy::Outcome::Allow),
                    statements: statements.clone(),
                    detail: (!witness.extra_context.is_empty()).then(|| {
                        witness
                            .extra_context
                            .iter()
                            .map(|(k, v)| format!("with {k} = {}", v.values().join(",")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }),
                }],
            },
        ));
        report.assumable_without_mfa.push(RoleEscape {
            user: user.name.clone(),
            arn: user.arn.clone(),
            states,
            statements,
            context: witness.extra_context.clone(),
        });
    }
    report
        .assumable_without_mfa
        .sort_by(|a, b| a.user.cmp(&b.user));
    report.power = Some(power);
    (report, account_findings, user_findings)
}

/// The trust policy's own findings (`role-mfa-condition-bool`, `role-trusts-any-principal`,
/// `mfa-condition-null`), about the role.
fn trust_findings(trust: &NamedResourcePolicy, role: &Role) -> Vec<AccountFinding> {
    let (_, findings) = doctor::check_trust(TrustInput {
        trust,
        role_arn: &role.arn,
        caller: None,
        power: &RolePower::Unknown,
    });
    findings
        .into_iter()
        .filter(|f| f.id != FindingId::RoleAssumableWithoutMfa)
        .map(|f| AccountFinding {
            subject: role.arn.clone(),
            finding: AuditFinding {
                id: f.id,
                severity: f.severity,
                message: f.message,
                fix: f.fix,
                policy_set: None,
                evidence: f.evidence,
            },
        })
        .collect()
}

/// Whether the trust's proofs can differ between users of one policy set.
fn per_user(trust: &NamedResourcePolicy, account: &str) -> bool {
    trust.policy.statements.iter().any(|s| {
        names_a_user_of(&s.principal, account) || s.statement.conditions.iter().any(per_user_test)
    })
}

/// Whether the identity statements that can match `sts:AssumeRole` depend on who the user is
/// (a policy variable, a per-user key), so that users of one set must be proven alone.
fn identity_per_user(set: &PolicySet) -> bool {
    set.statements().any(|(_, st)| {
        st.actions
            .patterns
            .iter()
            .any(|p| p.matches("sts:AssumeRole"))
            != st.actions.negated
            && (st.resources.patterns.iter().any(|t| t.has_variables())
                || st.conditions.iter().any(per_user_test))
    })
}

/// Whether a condition's outcome can differ between users: a per-user key or a variable.
fn per_user_test(c: &Condition) -> bool {
    PER_USER_KEYS.iter().any(|k| c.key_lower().starts_with(k))
        || c.raw_values.iter().any(|v| v.contains("${"))
}

/// Whether a Principal element names some principal of `account` by ARN.
fn names_a_user_of(block: &PrincipalBlock, account: &str) -> bool {
    block
        .entries
        .iter()
        .any(|e| matches!(e, PrincipalEntry::Arn(a) if account_of(a) == Some(account)))
}

/// Whether the trust's Allow statements can name some user of `account` at all.
fn names_the_account(trust: &NamedResourcePolicy, account: &str, partition: &str) -> bool {
    let someone = Caller::Aws {
        arn: format!("arn:{partition}:iam::{account}:user/iam-mfa-someone"),
        account: account.to_owned(),
    };
    trust.policy.statements.iter().any(|s| {
        s.statement.effect == iam_policy::Effect::Allow
            && (s.principal.matches(&someone) != PrincipalMatch::None
                || names_a_user_of(&s.principal, account))
    })
}

/// What the proofs found: every (user, states, proof) that assumes the role without MFA, and
/// the users for whom a proof tried too many combinations to conclude.
#[derive(Default)]
struct Escapes {
    found: Vec<(usize, Vec<MfaState>, Proof)>,
    unproven: Vec<usize>,
}

/// Every user who can assume the role without MFA.
fn escapes(
    gathered: &Gathered,
    analysis: &SetChecks,
    facts: &[Facts<'_>],
    trust: &NamedResourcePolicy,
    role: &Role,
) -> Escapes {
    let mut out = Escapes::default();
    let Some(first) = gathered.users.first() else {
        return out;
    };
    let principal = first.principal();
    if !names_the_account(trust, &principal.account, &principal.partition) {
        return out;
    }
    let per_user = per_user(trust, &principal.account);
    // Per policy set (when proofs do not depend on the user): state → proof.
    let mut shared: HashMap<(usize, MfaState), Proof> = HashMap::new();
    for (index, (user, f)) in gathered.users.iter().zip(facts).enumerate() {
        let states = states_without_mfa(f);
        let Some(set_index) = analysis.user_set(index) else {
            continue;
        };
        let Some(set) = analysis.policy_set(set_index) else {
            continue;
        };
        if states.is_empty() {
            continue;
        }
        let principal: Principal = user.principal();
        let mut escaping = Vec::new();
        let mut first_proof = None;
        let alone = per_user || identity_per_user(set);
        let mut unproven = false;
        for state in states {
            let proof = if alone {
                assumable(set, trust, &role.arn, &principal, state)
            } else {
                shared
                    .entry((set_index, state))
                    .or_insert_with(|| assumable(set, trust, &role.arn, &principal, state))
                    .clone()
            };
            match proof {
                Proof::Assumable(_) => {
                    escaping.push(state);
                    first_proof.get_or_insert(proof);
                }
                Proof::Unproven { .. } => unproven = true,
                Proof::NotAssumable => {}
            }
        }
        match first_proof {
            Some(proof) => out.found.push((index, escaping, proof)),
            None if unproven => out.unproven.push(index),
            None => {}
        }
    }
    out
}

/// The role's power: one sweep of its permission policies (unknown when one is missing or
/// unreadable).
fn power(gathered: &Gathered, catalog: &Catalog, role: &Role) -> RolePower {
    if role.incomplete {
        return RolePower::Unknown;
    }
    let named: Option<Vec<_>> = role
        .policies
        .iter()
        .map(|&at| gathered.documents.get(at))
        .collect();
    let Some(Ok(set)) = named.map(documents::policy_set) else {
        return RolePower::Unknown;
    };
    doctor::role_power(&set, catalog, &role.arn)
}
