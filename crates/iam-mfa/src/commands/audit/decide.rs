//! Deciding, locally and without AWS: [`analyse`] runs the doctor's exhaustive check once per
//! distinct policy set, [`login_profiles_needed`] names the few users whose login profile can
//! change a finding, and [`decide`] turns the gathered facts into the [`AuditReport`].
//!
//! Distinct policy sets: users with the same policy documents (same names and texts) and the
//! same IAM path share one analysis, run as one of them (the representative). The path is part
//! of the key because the ARNs requests are evaluated on contain it. The sweep-based findings
//! (`mfa-not-enforced`) and the policy-text findings depend on the user only through their
//! name in those ARNs and `${aws:username}`; the self-service findings (password change,
//! enrolment, removing MFA, other users' credentials) are probed again for every user, with
//! their own name and login profile, which costs a dozen evaluations per user.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use iam_catalog::Catalog;
use iam_policy::PolicySet;

use super::account::account_findings;
use super::credential_report::Stamp;
use super::credentials::{Facts, account, credential_findings, facts};
use super::facts::{Gathered, User};
use super::key_hygiene::{KeyCheck, KeyLimits};
use super::report::{AuditFinding, AuditReport, PolicySetReport, Summary, UserReport};
use super::roles::decide_roles;
use crate::iam::documents;
use mfa_doctor::finding::StateCount;
use mfa_doctor::{self as doctor, Account, FindingId, Intent, LoginProfile};

/// Users who share a policy set.
struct Group {
    /// Indexes into [`Gathered::documents`], sorted.
    policies: Vec<usize>,
    path: String,
    /// Index of the user it is analysed as.
    representative: usize,
    users: usize,
}

/// A policy set the engine read, with the findings about the set itself.
struct Checked {
    set: PolicySet,
    findings: Vec<doctor::Finding>,
    states: Vec<StateCount>,
}

/// The expensive part of the audit: every distinct policy set analysed.
pub struct SetChecks {
    groups: Vec<Group>,
    /// Per group: the analysis, or why the engine could not read a policy.
    outcomes: Vec<Result<Checked, String>>,
    /// For each user (same order as [`Gathered::users`]), its group.
    user_set: Vec<usize>,
}

impl SetChecks {
    /// How many distinct policy sets there are.
    pub fn sets(&self) -> usize {
        self.groups.len()
    }

    fn checked(&self, set: usize) -> Option<&Result<Checked, String>> {
        self.outcomes.get(set)
    }

    /// The policy set of user `user` (index into [`Gathered::users`]).
    pub(super) fn user_set(&self, user: usize) -> Option<usize> {
        self.user_set.get(user).copied()
    }

    /// The parsed policies of set `set`, when the engine could read them.
    pub(super) fn policy_set(&self, set: usize) -> Option<&PolicySet> {
        self.checked(set)?.as_ref().ok().map(|c| &c.set)
    }
}

/// The users grouped by policy set (documents and path).
fn group(gathered: &Gathered) -> (Vec<Group>, Vec<usize>) {
    let mut index: HashMap<(Vec<usize>, &str), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut user_set = Vec::with_capacity(gathered.users.len());
    for (at, user) in gathered.users.iter().enumerate() {
        let mut policies = user.policies.clone();
        policies.sort_unstable();
        policies.dedup();
        let key = (policies, user.path.as_str());
        let set = *index.entry(key.clone()).or_insert_with(|| {
            groups.push(Group {
                policies: key.0,
                path: user.path.clone(),
                representative: at,
                users: 0,
            });
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(set) {
            g.users += 1;
        }
        user_set.push(set);
    }
    (groups, user_set)
}

/// Groups the users by policy set and analyses each set once, on every core. `total` is told
/// the number of sets, `tick` is called after each.
pub fn analyse(
    gathered: &Gathered,
    intent: &Intent,
    catalog: &Catalog,
    total: &dyn Fn(usize),
    tick: &(dyn Fn() + Sync),
) -> SetChecks {
    let (groups, user_set) = group(gathered);
    total(groups.len());
    let check = |g: &Group| -> Result<Checked, String> {
        let user = gathered
            .users
            .get(g.representative)
            .ok_or_else(|| "no member".to_owned())?;
        let set = policy_set(gathered, &g.policies)?;
        let principal = user.principal();
        let account = Account {
            allow_users_to_change_password: gathered.allow_users_to_change_password,
            login_profile: LoginProfile::Unknown,
        };
        let input = doctor::Input {
            set: &set,
            principal: &principal,
            account,
            intent,
        };
        let report = doctor::check(input, catalog);
        let own = doctor::self_service::self_service(&set, &principal, account, intent);
        let findings = report
            .findings
            .into_iter()
            .filter(|f| !own.contains(f))
            .collect();
        tick();
        Ok(Checked {
            set,
            findings,
            states: report.states,
        })
    };
    let outcomes = parallel_map(&groups, check);
    SetChecks {
        groups,
        outcomes,
        user_set,
    }
}

/// The parsed set of `policies`, or which policy the engine cannot read.
fn policy_set(gathered: &Gathered, policies: &[usize]) -> Result<PolicySet, String> {
    let named = policies
        .iter()
        .map(|&at| {
            gathered
                .documents
                .get(at)
                .ok_or_else(|| format!("policy #{at} is missing"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    documents::policy_set(named).map_err(|unreadable| unreadable.to_string())
}

/// `f` over `items` on every core, results in order.
pub(super) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The users whose `PasswordResetRequired` can change a finding: a console password never
/// used (new users, whom a required reset locks out at first sign-in), no MFA, and policies
/// that deny changing the password before MFA. Nothing account-wide tells it; everyone else
/// needs no call. (A user who signed in before and was then reset by an administrator keeps
/// the `password-change-denied` finding, which names that case.)
pub fn login_profiles_needed(
    gathered: &Gathered,
    analysis: &SetChecks,
    intent: &Intent,
) -> Vec<String> {
    let facts = facts(gathered);
    gathered
        .users
        .iter()
        .zip(&facts)
        .zip(&analysis.user_set)
        .filter(|((_, f), _)| {
            f.password == Some(true)
                && f.mfa != Some(true)
                && f.row
                    .is_some_and(|r| r.password_last_used == Stamp::NoInformation)
        })
        .filter_map(|((user, f), &set)| {
            let checked = analysis.checked(set)?.as_ref().ok()?;
            let own = doctor::self_service::self_service(
                &checked.set,
                &user.principal(),
                account(gathered, f),
                intent,
            );
            own.iter()
                .any(|finding| finding.id == FindingId::PasswordChangeDenied)
                .then(|| user.name.clone())
        })
        .collect()
}

/// The report: facts and findings per user, per policy set, per role and for the account.
/// Key ages are counted to the report's generation time, or to `now` (see [`KeyCheck::new`]).
pub fn decide(
    gathered: &Gathered,
    analysis: &SetChecks,
    intent: &Intent,
    limits: KeyLimits,
    now: time::OffsetDateTime,
    catalog: &Catalog,
) -> AuditReport {
    let facts = facts(gathered);
    let keys = KeyCheck::new(&gathered.report, limits, now);
    let roles = decide_roles(gathered, analysis, &facts, catalog);
    let users: Vec<(&User, &Facts<'_>, usize)> = gathered
        .users
        .iter()
        .zip(&facts)
        .zip(&analysis.user_set)
        .map(|((user, f), &set)| (user, f, set))
        .collect();
    let mut users = parallel_map(&users, |&(user, f, set)| {
        user_report(gathered, analysis, intent, &keys, user, f, set)
    });
    for (report, escapes) in users.iter_mut().zip(roles.user_findings) {
        report.findings.extend(escapes);
        report.findings.sort_by_key(|x| (Reverse(x.severity), x.id));
    }
    users.sort_by(|a, b| a.user.cmp(&b.user));
    let (root, mut account_findings) = account_findings(gathered);
    account_findings.extend(roles.account_findings);
    let mut role_reports = roles.reports;
    role_reports.sort_by(|a, b| a.role.cmp(&b.role));
    let policy_sets = analysis
        .groups
        .iter()
        .zip(&analysis.outcomes)
        .map(|(g, outcome)| set_report(gathered, g, outcome))
        .collect();
    let mut report = AuditReport {
        account: gathered
            .users
            .first()
            .map(|u| u.principal().account)
            .or_else(|| gathered.report.root.as_ref().map(|r| account_of(&r.arn))),
        credential_report_generated: gathered.report.generated.map(Stamp::At),
        key_hygiene: keys,
        summary: Summary {
            users: users.len(),
            users_with_findings: users.iter().filter(|u| !u.findings.is_empty()).count(),
            policy_sets: analysis.groups.len(),
            roles: role_reports.len(),
            roles_assumable_without_mfa: role_reports
                .iter()
                .filter(|r| !r.assumable_without_mfa.is_empty())
                .count(),
            by_severity: BTreeMap::new(),
            by_id: BTreeMap::new(),
            worst: None,
        },
        root,
        account_findings,
        users,
        policy_sets,
        roles: role_reports,
    };
    let mut by_severity = BTreeMap::new();
    let mut by_id = BTreeMap::new();
    for (_, f) in report.all_findings() {
        *by_severity.entry(f.severity).or_insert(0) += 1;
        *by_id.entry(f.id).or_insert(0) += 1;
    }
    report.summary.worst = by_severity.keys().next_back().copied();
    report.summary.by_severity = by_severity;
    report.summary.by_id = by_id;
    report
}

/// `123456789012` from `arn:aws:iam::123456789012:…`.
fn account_of(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or_default().to_owned()
}

fn user_report(
    gathered: &Gathered,
    analysis: &SetChecks,
    intent: &Intent,
    keys: &KeyCheck,
    user: &User,
    f: &Facts<'_>,
    set: usize,
) -> UserReport {
    let mut findings = credential_findings(user, f, keys);
    if f.credentials() {
        findings.extend(policy_findings(gathered, analysis, intent, user, f, set));
    }
    findings.sort_by_key(|x| (Reverse(x.severity), x.id));
    UserReport {
        user: user.name.clone(),
        arn: user.arn.clone(),
        password_enabled: f.password,
        password_last_used: f.row.map(|r| r.password_last_used),
        mfa_active: f.mfa,
        access_keys_active: f
            .row
            .map(|r| r.access_keys.iter().filter(|k| k.active).count()),
        password_reset_required: f.reset_required,
        policy_set: set,
        findings,
    }
}

/// The doctor's findings that bite this user: the set's (evidence under the set) and the
/// self-service probes run as the user.
fn policy_findings(
    gathered: &Gathered,
    analysis: &SetChecks,
    intent: &Intent,
    user: &User,
    f: &Facts<'_>,
    set: usize,
) -> Vec<AuditFinding> {
    let Some(outcome) = analysis.checked(set) else {
        return Vec::new();
    };
    let checked = match outcome {
        Ok(checked) => checked,
        Err(error) => {
            return vec![AuditFinding {
                id: FindingId::PolicyUnparsable,
                severity: FindingId::PolicyUnparsable.default_severity(),
                message: format!(
                    "The policy engine cannot read a policy of {}'s ({error}): whether MFA is enforced on the user is unproven.",
                    user.name
                ),
                fix: "Correct the policy; if AWS accepts it as written, report it to iam-mfa."
                    .to_owned(),
                policy_set: Some(set),
                evidence: Vec::new(),
            }];
        }
    };
    let mut out: Vec<AuditFinding> = checked
        .findings
        .iter()
        .filter(|x| f.relevant(x.id))
        .map(|x| AuditFinding {
            id: x.id,
            severity: x.severity,
            message: x.message.clone(),
            fix: x.fix.clone(),
            policy_set: Some(set),
            evidence: Vec::new(),
        })
        .collect();
    let own = doctor::self_service::self_service(
        &checked.set,
        &user.principal(),
        account(gathered, f),
        intent,
    );
    out.extend(
        own.into_iter()
            .filter(|x| f.relevant(x.id))
            .map(|x| AuditFinding {
                id: x.id,
                severity: x.severity,
                message: x.message,
                fix: x.fix,
                policy_set: None,
                evidence: x.evidence,
            }),
    );
    out
}

fn set_report(
    gathered: &Gathered,
    s: &Group,
    outcome: &Result<Checked, String>,
) -> PolicySetReport {
    let (error, findings, states) = match outcome {
        Ok(c) => (None, c.findings.clone(), c.states.clone()),
        Err(e) => (Some(e.clone()), Vec::new(), Vec::new()),
    };
    let mut policies: Vec<String> = s
        .policies
        .iter()
        .filter_map(|&at| gathered.documents.get(at).map(|d| d.name.clone()))
        .collect();
    policies.sort();
    PolicySetReport {
        policies,
        path: s.path.clone(),
        analysed_as: gathered
            .users
            .get(s.representative)
            .map(|u| u.arn.clone())
            .unwrap_or_default(),
        users: s.users,
        error,
        states,
        findings,
    }
}
