//! Role trust policies: who can assume a role without MFA, and so escape MFA with the role's
//! permissions. Proofs come from `iam_policy::assume`; this module turns them into findings
//! (`role-assumable-without-mfa`, `role-mfa-condition-bool`, `role-trusts-any-principal`).

use iam_catalog::{AccessLevel, Catalog};
use iam_policy::analysis::{Analysis, MfaState, Principal};
use iam_policy::assume::{AssumeWitness, Proof, Who, assumable, exposure};
use iam_policy::principal::{PrincipalMatch, account_of};
use iam_policy::{ContextValue, NamedResourcePolicy, PolicySet, Statement};
use serde::Serialize;

use super::finding::{Evidence, Finding, FindingId, Severity};
use super::lint::mfa_conditions;

/// What a session of the role may do, from its permission policies: how bad an escape into it
/// is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "level")]
pub enum RolePower {
    /// The role's policies are not known (a trust policy checked on its own).
    Unknown,
    /// The role may do nothing (beyond `sts:GetCallerIdentity`).
    Nothing,
    /// List and Read actions only.
    ReadOnly,
    /// Write, permissions-management or tagging actions (or actions AWS adds later).
    Writes {
        /// One such action.
        example: String,
    },
}

impl RolePower {
    /// The severity of an escape into a role of this power.
    pub fn severity(&self) -> Severity {
        match self {
            Self::Unknown | Self::Writes { .. } => Severity::High,
            Self::ReadOnly => Severity::Medium,
            Self::Nothing => Severity::Low,
        }
    }

    /// What the role may do, in words: "write permissions such as s3:PutObject".
    pub fn describe(&self) -> String {
        match self {
            Self::Unknown => "permissions (not checked)".to_owned(),
            Self::Nothing => "no permissions".to_owned(),
            Self::ReadOnly => "read-only permissions".to_owned(),
            Self::Writes { example } => format!("write permissions such as {example}"),
        }
    }
}

/// The power of role `role_arn` whose permission policies are `set`, from one sweep of the
/// catalog as a session of it obtained without MFA.
pub fn role_power(set: &PolicySet, catalog: &Catalog, role_arn: &str) -> RolePower {
    let sweep =
        Analysis::new(set, catalog).sweep(&role_session(role_arn), MfaState::TemporaryWithoutMfa);
    let mut read = false;
    for grant in &sweep.allowed {
        let action = catalog.action(grant.action);
        if action.service == "sts" && action.name == "GetCallerIdentity" {
            continue;
        }
        match action.access_level {
            AccessLevel::List | AccessLevel::Read => read = true,
            AccessLevel::Write | AccessLevel::PermissionsManagement | AccessLevel::Tagging => {
                return RolePower::Writes {
                    example: action.full_name(),
                };
            }
        }
    }
    if !sweep.future_actions.is_empty() {
        return RolePower::Writes {
            example: "actions AWS adds later (NotAction or a wildcard)".to_owned(),
        };
    }
    if read {
        RolePower::ReadOnly
    } else {
        RolePower::Nothing
    }
}

/// A session of role `role_arn` (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`) as the sweep
/// sees it: the role's name and path stand where a user's would.
fn role_session(role_arn: &str) -> Principal {
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    let resource = parts.get(5).copied().unwrap_or("role/role");
    let with_path = resource.strip_prefix("role/").unwrap_or(resource);
    let (path, name) = match with_path.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), with_path),
    };
    Principal {
        partition: parts.get(1).copied().unwrap_or("aws").to_owned(),
        account: parts.get(4).copied().unwrap_or_default().to_owned(),
        user_name: name.to_owned(),
        path,
        tags: Vec::new(),
        user_id: None,
    }
}

/// What a trust check needs.
#[derive(Debug, Clone, Copy)]
pub struct TrustInput<'a> {
    /// The role's trust policy.
    pub trust: &'a NamedResourcePolicy,
    /// The role's ARN.
    pub role_arn: &'a str,
    /// A caller and its identity policies, when known (`policy check --trust` with identity
    /// policies, the audit); without one, each principal the trust names is examined.
    pub caller: Option<(&'a PolicySet, &'a Principal)>,
    /// What the role may do.
    pub power: &'a RolePower,
}

/// The role part of a check report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustSection {
    /// The role's ARN.
    pub role: String,
    /// The trust policy's name.
    pub trust_policy: String,
    /// What the role may do.
    pub power: RolePower,
    /// Who can assume it, and in which states.
    pub access: Vec<TrustAccess>,
}

/// Who can assume the role, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustAccess {
    /// `caller` (the checked user), `arn`, `account` or `any`.
    pub kind: &'static str,
    /// The user's or principal's ARN, the account id, or `*`.
    pub who: String,
    /// The account of the caller tried.
    pub caller_account: String,
    /// The states in which it can.
    pub states: Vec<MfaState>,
    /// States in which the proof tried too many combinations to conclude.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unproven: Vec<MfaState>,
    /// Whether the caller's identity policies must allow `sts:AssumeRole` too (R33, R35).
    pub needs_identity_allow: bool,
    /// The deciding statements of the first witness.
    pub statements: Vec<String>,
    /// Context keys the witness request sets (an external id it must pass, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, ContextValue)>,
}

/// Who a proof is about.
struct Subject {
    kind: &'static str,
    who: String,
    caller_account: String,
    needs_identity_allow: bool,
    /// How a finding names it.
    phrase: String,
}

/// The states that skip MFA.
const WITHOUT_MFA: [MfaState; 2] = [MfaState::LongTermKeys, MfaState::TemporaryWithoutMfa];

/// Checks a role's trust policy: the MFA-condition traps of its statements, who it lets in
/// (the caller, or each principal it names), and the findings, most severe first.
pub fn check_trust(input: TrustInput<'_>) -> (TrustSection, Vec<Finding>) {
    let trust = input.trust;
    let role_account = account_of(input.role_arn).unwrap_or_default();
    let mut findings = trust_lint(trust);
    let mut access = Vec::new();
    for e in exposure(trust, input.role_arn) {
        let (kind, who, phrase) = match &e.who {
            Who::Arn(arn) => ("arn", arn.clone(), arn.clone()),
            Who::Account(a) => (
                "account",
                a.clone(),
                format!(
                    "any principal of account {a} whose identity policies allow sts:AssumeRole"
                ),
            ),
            Who::Any if e.caller_account == role_account => (
                "any",
                "*".to_owned(),
                format!("any principal of the role's account {role_account} (\"*\")"),
            ),
            Who::Any => (
                "any",
                "*".to_owned(),
                "any principal of any other AWS account (\"*\")".to_owned(),
            ),
        };
        let subject = Subject {
            kind,
            who,
            caller_account: e.caller_account.clone(),
            needs_identity_allow: e.needs_identity_allow,
            phrase,
        };
        if e.who == Who::Any
            && e.caller_account != role_account
            && let Some((_, w)) = e
                .states
                .iter()
                .find_map(|(s, p)| p.witness().map(|w| (s, w)))
        {
            findings.push(any_principal(trust, input.role_arn, w));
        }
        if input.caller.is_none() {
            record(&input, &subject, &e.states, &mut access, &mut findings);
        }
    }
    if let Some((set, principal)) = input.caller {
        let states: Vec<(MfaState, Proof)> = MfaState::ALL
            .iter()
            .map(|&s| (s, assumable(set, trust, input.role_arn, principal, s)))
            .collect();
        let subject = Subject {
            kind: "caller",
            who: principal.arn(),
            caller_account: principal.account.clone(),
            needs_identity_allow: principal.account != role_account,
            phrase: principal.arn(),
        };
        let labels = |w: &AssumeWitness| {
            w.trust_statements
                .iter()
                .map(|&i| trust.label(i))
                .chain(w.identity_statements.iter().map(|&at| set.label(at)))
                .collect()
        };
        record_with(
            &input,
            &subject,
            &states,
            labels,
            &mut access,
            &mut findings,
        );
    }
    findings.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.id));
    (
        TrustSection {
            role: input.role_arn.to_owned(),
            trust_policy: trust.name.clone(),
            power: input.power.clone(),
            access,
        },
        findings,
    )
}

fn record(
    input: &TrustInput<'_>,
    subject: &Subject,
    states: &[(MfaState, Proof)],
    access: &mut Vec<TrustAccess>,
    findings: &mut Vec<Finding>,
) {
    let trust = input.trust;
    let labels = |w: &AssumeWitness| w.trust_statements.iter().map(|&i| trust.label(i)).collect();
    record_with(input, subject, states, labels, access, findings);
}

/// Records who can assume the role in which states, and the finding when some state skips
/// MFA.
fn record_with(
    input: &TrustInput<'_>,
    subject: &Subject,
    states: &[(MfaState, Proof)],
    labels: impl Fn(&AssumeWitness) -> Vec<String>,
    access: &mut Vec<TrustAccess>,
    findings: &mut Vec<Finding>,
) {
    let allowed: Vec<MfaState> = states
        .iter()
        .filter(|(_, p)| p.witness().is_some())
        .map(|(s, _)| *s)
        .collect();
    let unproven: Vec<MfaState> = states
        .iter()
        .filter(|(_, p)| matches!(p, Proof::Unproven { .. }))
        .map(|(s, _)| *s)
        .collect();
    let Some(first) = states.iter().find_map(|(_, p)| p.witness()) else {
        if !unproven.is_empty() {
            access.push(entry(subject, Vec::new(), unproven, Vec::new(), Vec::new()));
        }
        return;
    };
    let escaping: Vec<MfaState> = allowed
        .iter()
        .copied()
        .filter(|s| WITHOUT_MFA.contains(s))
        .collect();
    let mut listed = entry(
        subject,
        allowed,
        unproven,
        labels(first),
        first.extra_context.clone(),
    );
    // The checked caller needs its identity Allow when the trust names only its account (R33).
    listed.needs_identity_allow |= first.principal_match == PrincipalMatch::Account;
    access.push(listed);
    let Some(witness) = states
        .iter()
        .filter(|(s, _)| WITHOUT_MFA.contains(s))
        .find_map(|(_, p)| p.witness())
    else {
        return;
    };
    let names: Vec<&str> = escaping.iter().map(|s| s.name()).collect();
    let mut detail = format!("assumable by {}", subject.phrase);
    if subject.needs_identity_allow && !matches!(subject.kind, "caller" | "account") {
        detail.push_str(" (with an identity Allow of sts:AssumeRole)");
    }
    if !witness.extra_context.is_empty() {
        detail.push_str(&format!(", with {}", context_text(&witness.extra_context)));
    }
    findings.push(Finding {
        id: FindingId::RoleAssumableWithoutMfa,
        severity: input.power.severity(),
        message: format!(
            "{} can be assumed without MFA ({}) by {}: whoever does escapes MFA with the role's {}",
            input.role_arn,
            names.join(", "),
            subject.phrase,
            input.power.describe()
        ),
        evidence: vec![Evidence {
            action: Some("sts:AssumeRole".to_owned()),
            resource: Some(input.role_arn.to_owned()),
            states: escaping,
            decision: Some(iam_policy::Outcome::Allow),
            statements: labels(witness),
            detail: Some(detail),
        }],
        fix: "Require MFA in the trust policy's Allow with {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} (iam-mfa policy generate --trust ACCOUNT writes one), or deny sts:AssumeRole without MFA in the callers' identity policies.".to_owned(),
    });
}

fn entry(
    subject: &Subject,
    states: Vec<MfaState>,
    unproven: Vec<MfaState>,
    statements: Vec<String>,
    context: Vec<(String, ContextValue)>,
) -> TrustAccess {
    TrustAccess {
        kind: subject.kind,
        who: subject.who.clone(),
        caller_account: subject.caller_account.clone(),
        states,
        unproven,
        needs_identity_allow: subject.needs_identity_allow,
        statements,
        context,
    }
}

fn context_text(extra: &[(String, ContextValue)]) -> String {
    extra
        .iter()
        .map(|(k, v)| format!("{k} = {}", v.values().join(",")))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Whether the caller sets `key` in its request (R42): `sts:ExternalId`,
/// `sts:RoleSessionName`, `sts:SourceIdentity`, request tags.
fn caller_chosen(key: &str) -> bool {
    key.starts_with("sts:")
        || key.starts_with("aws:requesttag/")
        || key == "aws:tagkeys"
        || key == "aws:sourceidentity"
}

fn any_principal(trust: &NamedResourcePolicy, role_arn: &str, w: &AssumeWitness) -> Finding {
    let mut detail = "a caller of another account is let in".to_owned();
    if !w.extra_context.is_empty() {
        detail.push_str(&format!(" with {}", context_text(&w.extra_context)));
    }
    if w.extra_context.iter().any(|(k, _)| caller_chosen(k)) {
        detail.push_str(" (a value the caller passes protects only while it stays secret)");
    }
    Finding {
        id: FindingId::RoleTrustsAnyPrincipal,
        severity: Severity::High,
        message: format!(
            "{role_arn}: the trust policy lets principals of any AWS account assume the role"
        ),
        evidence: vec![Evidence {
            action: Some("sts:AssumeRole".to_owned()),
            resource: Some(role_arn.to_owned()),
            decision: Some(iam_policy::Outcome::Allow),
            statements: w.trust_statements.iter().map(|&i| trust.label(i)).collect(),
            detail: Some(detail),
            ..Evidence::default()
        }],
        fix: "Name the trusted accounts or principals instead of \"*\", or restrict it with aws:PrincipalOrgID or aws:PrincipalAccount.".to_owned(),
    }
}

/// The MFA-condition traps of the trust statements (R8, R40): the identity lint's checks,
/// reported as `role-mfa-condition-bool` for `Bool`/`BoolIfExists`.
fn trust_lint(trust: &NamedResourcePolicy) -> Vec<Finding> {
    let statements: Vec<&Statement> = trust
        .policy
        .statements
        .iter()
        .map(|s| &s.statement)
        .collect();
    let mut out = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        let others: Vec<&Statement> = statements
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| *s)
            .collect();
        for mut f in mfa_conditions(&trust.label(i), st, &others) {
            if f.id == FindingId::MfaConditionBool {
                f.id = FindingId::RoleMfaConditionBool;
                f.severity = Severity::High;
            }
            out.push(f);
        }
    }
    out
}
