//! What `audit` reports: per user, the credential facts and the findings; per distinct policy
//! set, the doctor's findings with their evidence; account-wide findings (root, orphaned
//! devices). Pure data (serde, stable snake_case); printing is [`super::render`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::credential_report::Stamp;
use super::key_hygiene::KeyCheck;
use mfa_doctor::finding::StateCount;
use mfa_doctor::{Evidence, FindingId, Severity};

/// One finding about a user or the account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditFinding {
    /// The stable id.
    pub id: FindingId,
    /// How bad.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// For findings about the user's policies: the policy set (index into `policy_sets`)
    /// whose entry holds the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_set: Option<usize>,
    /// Requests that show it, for findings specific to the user.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

impl AuditFinding {
    /// A finding decided by credential facts alone, at the id's default severity.
    pub fn fact(id: FindingId, message: String, fix: &str) -> AuditFinding {
        AuditFinding {
            id,
            severity: id.default_severity(),
            message,
            fix: fix.to_owned(),
            policy_set: None,
            evidence: Vec::new(),
        }
    }
}

/// A finding about the account rather than a user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountFinding {
    /// What it is about: the root user's ARN, a device serial.
    pub subject: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: AuditFinding,
}

/// One user: facts and findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserReport {
    /// The user name.
    pub user: String,
    /// The user's ARN.
    pub arn: String,
    /// Whether the user has a console password (`None`: not in the credential report yet).
    pub password_enabled: Option<bool>,
    /// When the password was last used.
    pub password_last_used: Option<Stamp>,
    /// Whether an MFA device is active: the credential report, or a virtual device listed as
    /// assigned to the user now (the report can be four hours old).
    pub mfa_active: Option<bool>,
    /// How many access keys are active.
    pub access_keys_active: Option<usize>,
    /// `GetLoginProfile` said the password must be changed at next sign-in (`None`: not asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_reset_required: Option<bool>,
    /// The user's policy set (index into `policy_sets`).
    pub policy_set: usize,
    /// The findings, most severe first.
    pub findings: Vec<AuditFinding>,
}

impl UserReport {
    /// The highest severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// A distinct policy set, analysed once for all the users who have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicySetReport {
    /// The policies, by name (`GROUP/POLICY` for group inline policies), sorted.
    pub policies: Vec<String>,
    /// The IAM path of its users (the ARNs requests are evaluated on depend on it).
    pub path: String,
    /// The member the exhaustive analysis was run as.
    pub analysed_as: String,
    /// How many users have it.
    pub users: usize,
    /// Why it could not be analysed (a policy the engine cannot read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Allowed catalog actions per credential state.
    pub states: Vec<StateCount>,
    /// The doctor's findings about the set itself, with evidence (the self-service findings,
    /// which depend on each user's facts, are under the users).
    pub findings: Vec<mfa_doctor::Finding>,
}

/// A role: who of the account can assume it without MFA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleReport {
    /// The role name.
    pub role: String,
    /// The role's ARN.
    pub arn: String,
    /// What a session of the role may do (computed only when someone escapes into it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power: Option<mfa_doctor::RolePower>,
    /// Why the trust policy could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_error: Option<String>,
    /// The users who can assume it without MFA, by name.
    pub assumable_without_mfa: Vec<RoleEscape>,
    /// Users for whom the proof tried the most context combinations it tries without finding
    /// a request allowed or ruling one out (conditions on very many keys): unproven either way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unproven: Vec<String>,
}

/// A user who can assume a role without MFA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleEscape {
    /// The user name.
    pub user: String,
    /// The user's ARN.
    pub arn: String,
    /// The states without MFA in which the user can.
    pub states: Vec<iam_policy::analysis::MfaState>,
    /// The deciding statements: the trust policy's, then the user's identity policies'.
    pub statements: Vec<String>,
    /// Context keys the request sets (an external id it must pass, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, iam_policy::ContextValue)>,
}

/// The root user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Root {
    /// Whether the root user has a password or access keys (`None`: unknown).
    pub credentials: Option<bool>,
    /// Whether the root user has MFA (`None`: unknown).
    pub mfa: Option<bool>,
    /// Whether the root user's MFA device is a virtual one.
    pub virtual_mfa: bool,
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Users in the account.
    pub users: usize,
    /// Users with at least one finding.
    pub users_with_findings: usize,
    /// Distinct policy sets analysed.
    pub policy_sets: usize,
    /// Roles in the account.
    pub roles: usize,
    /// Roles some user can assume without MFA.
    pub roles_assumable_without_mfa: usize,
    /// Findings (users' and the account's) per severity.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Findings per id.
    pub by_id: BTreeMap<FindingId, usize>,
    /// The highest severity found.
    pub worst: Option<Severity>,
}

/// The result of `audit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// The account id (from the users' or root's ARNs).
    pub account: Option<String>,
    /// When the credential report was generated: its facts are as of then.
    pub credential_report_generated: Option<Stamp>,
    /// The access-key limits (`--max-key-age`, `--max-key-idle`) and the time key ages were
    /// counted to.
    pub key_hygiene: KeyCheck,
    /// Counts.
    pub summary: Summary,
    /// The root user.
    pub root: Root,
    /// Findings about the account.
    pub account_findings: Vec<AccountFinding>,
    /// Every user, by name.
    pub users: Vec<UserReport>,
    /// Every distinct policy set.
    pub policy_sets: Vec<PolicySetReport>,
    /// Every role, by name.
    pub roles: Vec<RoleReport>,
}

impl AuditReport {
    /// Every finding with what it is about (a user's ARN, a device), users first.
    pub fn all_findings(&self) -> impl Iterator<Item = (&str, &AuditFinding)> {
        self.users
            .iter()
            .flat_map(|u| u.findings.iter().map(move |f| (u.arn.as_str(), f)))
            .chain(
                self.account_findings
                    .iter()
                    .map(|a| (a.subject.as_str(), &a.finding)),
            )
    }
}
