//! What `policy check` reports: findings with a stable id, a severity, evidence and a fix. Pure
//! data (serde); the binary prints it (`iam-mfa`'s `ui::findings` and `ui::sarif`).

use iam_policy::Outcome;
use iam_policy::analysis::MfaState;
use serde::Serialize;

/// How bad a finding is; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    Info,
    /// A small gap or a statement that does not do what it says.
    Low,
    /// Something users will trip over, or a policy that is not what its author meant.
    Medium,
    /// MFA is not enforced, or a user cannot get through onboarding.
    High,
    /// A user is locked out now.
    Critical,
}

impl Severity {
    /// The name as in `--fail-on` and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// The stable identifiers of findings (documented in the README; never renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FindingId {
    /// Actions other than MFA self-service are allowed without MFA.
    #[serde(rename = "mfa-not-enforced")]
    MfaNotEnforced,
    /// Only the IAM metadata the console's security-credentials page reads is allowed without
    /// MFA (AWS's tutorial policies do so on purpose).
    #[serde(rename = "mfa-console-metadata-readable")]
    MfaConsoleMetadataReadable,
    /// A `Bool` (or `BoolIfExists` in an Allow) MFA condition lets long-term keys through.
    #[serde(rename = "mfa-condition-bool")]
    MfaConditionBool,
    /// A `Null` MFA condition, which tests whether credentials are temporary, not MFA.
    #[serde(rename = "mfa-condition-null")]
    MfaConditionNull,
    /// A user's own `iam:ChangePassword` is denied without MFA.
    #[serde(rename = "password-change-denied")]
    PasswordChangeDenied,
    /// The user must change the password at next sign-in and cannot: locked out.
    #[serde(rename = "first-login-lockout")]
    FirstLoginLockout,
    /// `iam:GetAccountPasswordPolicy` is denied without MFA.
    #[serde(rename = "password-policy-unreadable")]
    PasswordPolicyUnreadable,
    /// A user without MFA cannot create, enable or list their own MFA device.
    #[serde(rename = "mfa-enrolment-blocked")]
    MfaEnrolmentBlocked,
    /// Virtual MFA devices can only be created with one name (`mfa/${aws:username}`).
    #[serde(rename = "mfa-device-name-restricted")]
    MfaDeviceNameRestricted,
    /// `sts:GetSessionToken` is explicitly denied without MFA.
    #[serde(rename = "cli-session-denied")]
    CliSessionDenied,
    /// MFA devices can be deactivated or deleted without MFA.
    #[serde(rename = "mfa-removable-without-mfa")]
    MfaRemovableWithoutMfa,
    /// Other users' MFA devices or passwords can be managed.
    #[serde(rename = "manages-other-users-credentials")]
    ManagesOtherUsersCredentials,
    /// An action name no AWS service has (a typo, most likely).
    #[serde(rename = "unknown-action")]
    UnknownAction,
    /// `${…}` is literal text because `Version` is missing or `2008-10-17`.
    #[serde(rename = "literal-policy-variable")]
    LiteralPolicyVariable,
    /// `audit`: the user has a console password and no active MFA device.
    #[serde(rename = "console-user-without-mfa")]
    ConsoleUserWithoutMfa,
    /// `audit`: the user has active access keys, no console password and no MFA device.
    #[serde(rename = "access-keys-without-mfa")]
    AccessKeysWithoutMfa,
    /// `audit`: an active access key not rotated for longer than `--max-key-age`.
    #[serde(rename = "access-key-not-rotated")]
    AccessKeyNotRotated,
    /// `audit`: an active access key not used for longer than `--max-key-idle`.
    #[serde(rename = "access-key-unused")]
    AccessKeyUnused,
    /// `audit`: both of a user's access keys are active.
    #[serde(rename = "access-keys-two-active")]
    AccessKeysTwoActive,
    /// `audit`: the root user has credentials and no MFA.
    #[serde(rename = "root-without-mfa")]
    RootWithoutMfa,
    /// `audit`: the root user's MFA is a virtual device, not a hardware or FIDO one.
    #[serde(rename = "root-virtual-mfa")]
    RootVirtualMfa,
    /// `audit`: a virtual MFA device assigned to nobody (an abandoned enrolment).
    #[serde(rename = "orphaned-mfa-device")]
    OrphanedMfaDevice,
    /// `audit`: a policy of the user's the engine cannot read, so MFA enforcement is unproven.
    #[serde(rename = "policy-unparsable")]
    PolicyUnparsable,
    /// A role can be assumed without MFA: whoever does so escapes MFA with the role's
    /// permissions.
    #[serde(rename = "role-assumable-without-mfa")]
    RoleAssumableWithoutMfa,
    /// A trust policy's MFA condition uses `BoolIfExists` in an Allow (or `Bool` in a Deny),
    /// letting long-term access keys assume the role.
    #[serde(rename = "role-mfa-condition-bool")]
    RoleMfaConditionBool,
    /// A trust policy lets principals of any AWS account assume the role.
    #[serde(rename = "role-trusts-any-principal")]
    RoleTrustsAnyPrincipal,
}

impl FindingId {
    /// Every id, in the order reports list them.
    pub const ALL: [FindingId; 26] = [
        Self::MfaNotEnforced,
        Self::MfaConsoleMetadataReadable,
        Self::MfaConditionBool,
        Self::MfaConditionNull,
        Self::FirstLoginLockout,
        Self::PasswordChangeDenied,
        Self::PasswordPolicyUnreadable,
        Self::MfaEnrolmentBlocked,
        Self::MfaDeviceNameRestricted,
        Self::CliSessionDenied,
        Self::MfaRemovableWithoutMfa,
        Self::ManagesOtherUsersCredentials,
        Self::UnknownAction,
        Self::LiteralPolicyVariable,
        Self::RootWithoutMfa,
        Self::ConsoleUserWithoutMfa,
        Self::RootVirtualMfa,
        Self::PolicyUnparsable,
        Self::AccessKeysWithoutMfa,
        Self::AccessKeyNotRotated,
        Self::AccessKeyUnused,
        Self::AccessKeysTwoActive,
        Self::OrphanedMfaDevice,
        Self::RoleAssumableWithoutMfa,
        Self::RoleMfaConditionBool,
        Self::RoleTrustsAnyPrincipal,
    ];

    /// The id as printed (`mfa-not-enforced`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MfaNotEnforced => "mfa-not-enforced",
            Self::MfaConsoleMetadataReadable => "mfa-console-metadata-readable",
            Self::MfaConditionBool => "mfa-condition-bool",
            Self::MfaConditionNull => "mfa-condition-null",
            Self::PasswordChangeDenied => "password-change-denied",
            Self::FirstLoginLockout => "first-login-lockout",
            Self::PasswordPolicyUnreadable => "password-policy-unreadable",
            Self::MfaEnrolmentBlocked => "mfa-enrolment-blocked",
            Self::MfaDeviceNameRestricted => "mfa-device-name-restricted",
            Self::CliSessionDenied => "cli-session-denied",
            Self::MfaRemovableWithoutMfa => "mfa-removable-without-mfa",
            Self::ManagesOtherUsersCredentials => "manages-other-users-credentials",
            Self::UnknownAction => "unknown-action",
            Self::LiteralPolicyVariable => "literal-policy-variable",
            Self::ConsoleUserWithoutMfa => "console-user-without-mfa",
            Self::AccessKeysWithoutMfa => "access-keys-without-mfa",
            Self::AccessKeyNotRotated => "access-key-not-rotated",
            Self::AccessKeyUnused => "access-key-unused",
            Self::AccessKeysTwoActive => "access-keys-two-active",
            Self::RootWithoutMfa => "root-without-mfa",
            Self::RootVirtualMfa => "root-virtual-mfa",
            Self::OrphanedMfaDevice => "orphaned-mfa-device",
            Self::PolicyUnparsable => "policy-unparsable",
            Self::RoleAssumableWithoutMfa => "role-assumable-without-mfa",
            Self::RoleMfaConditionBool => "role-mfa-condition-bool",
            Self::RoleTrustsAnyPrincipal => "role-trusts-any-principal",
        }
    }

    /// The severity findings of this id usually have (some vary with the case: a password
    /// change denied to a user who must reset it is a critical lock-out).
    pub fn default_severity(self) -> Severity {
        match self {
            Self::FirstLoginLockout | Self::RootWithoutMfa => Severity::Critical,
            Self::ConsoleUserWithoutMfa => Severity::High,
            Self::RootVirtualMfa
            | Self::PolicyUnparsable
            | Self::AccessKeyNotRotated
            | Self::AccessKeyUnused => Severity::Medium,
            Self::AccessKeysWithoutMfa
            | Self::AccessKeysTwoActive
            | Self::OrphanedMfaDevice
            | Self::MfaConsoleMetadataReadable => Severity::Low,
            Self::MfaNotEnforced
            | Self::RoleAssumableWithoutMfa
            | Self::RoleMfaConditionBool
            | Self::RoleTrustsAnyPrincipal
            | Self::MfaConditionBool
            | Self::MfaConditionNull
            | Self::PasswordChangeDenied
            | Self::MfaEnrolmentBlocked
            | Self::MfaRemovableWithoutMfa
            | Self::ManagesOtherUsersCredentials => Severity::High,
            Self::UnknownAction | Self::LiteralPolicyVariable => Severity::Medium,
            Self::PasswordPolicyUnreadable
            | Self::MfaDeviceNameRestricted
            | Self::CliSessionDenied => Severity::Low,
        }
    }

    /// A one-line description of the rule, for SARIF and the README.
    pub fn summary(self) -> &'static str {
        match self {
            Self::MfaNotEnforced => "Actions other than MFA self-service are allowed without MFA",
            Self::MfaConsoleMetadataReadable => {
                "Only IAM metadata the console's security-credentials page reads (account summary and aliases, user list, the user's own credential ids) is allowed without MFA"
            }
            Self::MfaConditionBool => {
                "An MFA condition uses Bool where BoolIfExists is needed (or the reverse in an Allow), letting long-term access keys through"
            }
            Self::MfaConditionNull => {
                "An MFA condition uses Null, which tests for temporary credentials, not for MFA"
            }
            Self::PasswordChangeDenied => {
                "Users cannot change their own password before they have MFA (first sign-in, expired password)"
            }
            Self::FirstLoginLockout => {
                "The user must change the password at next sign-in but is not allowed to: locked out"
            }
            Self::PasswordPolicyUnreadable => {
                "Users cannot read the account password policy before they have MFA"
            }
            Self::MfaEnrolmentBlocked => {
                "Users without MFA cannot create, enable or list their own MFA device"
            }
            Self::MfaDeviceNameRestricted => {
                "Virtual MFA devices can only be created under the user's own name"
            }
            Self::CliSessionDenied => "sts:GetSessionToken is explicitly denied without MFA",
            Self::MfaRemovableWithoutMfa => "MFA devices can be deactivated or deleted without MFA",
            Self::ManagesOtherUsersCredentials => {
                "The user can manage other users' MFA devices or console passwords"
            }
            Self::UnknownAction => "An action name that no AWS service has (likely a typo)",
            Self::LiteralPolicyVariable => {
                "A policy variable is literal text because Version is missing or 2008-10-17"
            }
            Self::ConsoleUserWithoutMfa => {
                "The user has a console password and no active MFA device"
            }
            Self::AccessKeysWithoutMfa => {
                "The user has active access keys, no console password and no MFA device"
            }
            Self::AccessKeyNotRotated => {
                "An active access key was not rotated within the key-age limit (--max-key-age, 90 days by default)"
            }
            Self::AccessKeyUnused => {
                "An active access key was not used within the idle limit (--max-key-idle, 90 days by default), or never since it was created"
            }
            Self::AccessKeysTwoActive => {
                "Both of the user's access keys are active, where one is needed outside a rotation"
            }
            Self::RootWithoutMfa => "The root user has credentials and no MFA",
            Self::RootVirtualMfa => {
                "The root user's MFA is a virtual device rather than a hardware or FIDO device"
            }
            Self::OrphanedMfaDevice => {
                "A virtual MFA device is assigned to nobody (an abandoned enrolment blocks re-enrolment under its name)"
            }
            Self::PolicyUnparsable => {
                "A policy of the user cannot be read by the policy engine, so MFA enforcement is unproven"
            }
            Self::RoleAssumableWithoutMfa => {
                "A role can be assumed without MFA, so whoever assumes it escapes MFA with the role's permissions"
            }
            Self::RoleMfaConditionBool => {
                "A trust policy's MFA condition uses BoolIfExists in an Allow (or Bool in a Deny), letting long-term access keys assume the role"
            }
            Self::RoleTrustsAnyPrincipal => {
                "A trust policy lets principals of any AWS account assume the role"
            }
        }
    }
}

/// One piece of evidence: a request and how it was decided, or a place in a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Evidence {
    /// The action (`service:Name`), or a pattern as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// An example resource the decision holds for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The credential states the decision holds in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<MfaState>,
    /// The decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Outcome>,
    /// The deciding statements (`POLICY#Sid`), or the statement at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    /// A detail: the offending text, a suggestion, a note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The stable id.
    pub id: FindingId,
    /// How bad.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Requests or policy places that show it.
    pub evidence: Vec<Evidence>,
    /// How to fix it.
    pub fix: String,
}

/// Allowed-action counts per credential state, from the exhaustive sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateCount {
    /// The state.
    pub state: MfaState,
    /// How many catalog actions the user may perform in it.
    pub allowed_actions: usize,
    /// Whether actions not in the catalog (future ones) would be allowed too.
    pub future_actions_allowed: bool,
}

/// The result of `policy check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The user whose requests were evaluated.
    pub principal: String,
    /// The policies evaluated, by name.
    pub policies: Vec<String>,
    /// Where the action catalog comes from.
    pub catalog: String,
    /// Catalog size.
    pub catalog_actions: usize,
    /// Allowed actions per state.
    pub states: Vec<StateCount>,
    /// The findings, most severe first.
    pub findings: Vec<Finding>,
    /// The role whose trust policy was checked (`policy check --trust`/`--role`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::trust::TrustSection>,
}

impl CheckReport {
    /// The highest severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id is listed once, and prints as it serializes: kebab-case, stable.
    #[test]
    fn every_id_is_listed_once_and_prints_as_it_serializes() {
        let mut seen = std::collections::BTreeSet::new();
        for id in FindingId::ALL {
            assert!(seen.insert(id), "{id:?} is listed twice");
            let name = id.as_str();
            assert_eq!(serde_json::to_value(id).unwrap(), name);
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name}"
            );
            assert!(!id.summary().is_empty(), "{name}");
        }
        for (id, severity) in [
            (FindingId::AccessKeyNotRotated, Severity::Medium),
            (FindingId::AccessKeyUnused, Severity::Medium),
            (FindingId::AccessKeysTwoActive, Severity::Low),
        ] {
            assert_eq!(id.default_severity(), severity, "{}", id.as_str());
        }
    }
}
