//! Each user's credential facts (the credential report row, with a virtual device listed as
//! assigned since then counting as MFA) and the findings they alone decide (MFA, and the keys'
//! hygiene from [`super::key_hygiene`]); which doctor findings bite a user given those facts.

use std::collections::{HashMap, HashSet};

use super::credential_report::Row;
use super::facts::{Gathered, User};
use super::key_hygiene::KeyCheck;
use super::report::AuditFinding;
use mfa_doctor::{Account, FindingId, LoginProfile};

/// A user's credential facts: the report row, with MFA also taken from the live list of
/// virtual devices (the report can be four hours old). `None`: not in the report.
pub(super) struct Facts<'a> {
    pub(super) row: Option<&'a Row>,
    pub(super) password: Option<bool>,
    pub(super) mfa: Option<bool>,
    pub(super) keys: Option<bool>,
    pub(super) reset_required: Option<bool>,
}

impl Facts<'_> {
    /// Has any credential (or may have: not in the report yet).
    pub(super) fn credentials(&self) -> bool {
        self.password != Some(false) || self.keys != Some(false)
    }

    /// Can sign requests without MFA: with access keys, or with a password and no device.
    fn acts_without_mfa(&self) -> bool {
        self.keys != Some(false) || (self.password != Some(false) && self.mfa != Some(true))
    }

    /// Has a password and no MFA: first sign-in and expired passwords happen before MFA.
    fn signs_in_without_mfa(&self) -> bool {
        self.password != Some(false) && self.mfa != Some(true)
    }

    fn login_profile(&self) -> LoginProfile {
        match (self.password, self.reset_required) {
            (Some(false), _) => LoginProfile::None,
            (_, Some(true)) => LoginProfile::ResetRequired,
            (Some(true), _) => LoginProfile::Present,
            (None, _) => LoginProfile::Unknown,
        }
    }

    /// Whether a doctor finding bites this user (a user with MFA is not hurt by a policy that
    /// blocks enrolment; a user without keys or password cannot use a leak).
    pub(super) fn relevant(&self, id: FindingId) -> bool {
        match id {
            FindingId::MfaNotEnforced
            | FindingId::MfaConsoleMetadataReadable
            | FindingId::MfaConditionBool
            | FindingId::MfaConditionNull
            | FindingId::MfaRemovableWithoutMfa => self.acts_without_mfa(),
            FindingId::PasswordChangeDenied
            | FindingId::FirstLoginLockout
            | FindingId::PasswordPolicyUnreadable => self.signs_in_without_mfa(),
            FindingId::MfaEnrolmentBlocked => self.credentials() && self.mfa != Some(true),
            FindingId::CliSessionDenied => self.keys != Some(false),
            _ => self.credentials(),
        }
    }
}

/// The facts of every user, by user index.
pub(super) fn facts<'a>(gathered: &'a Gathered) -> Vec<Facts<'a>> {
    let rows: HashMap<&str, &Row> = gathered
        .report
        .users
        .iter()
        .map(|r| (r.user.as_str(), r))
        .collect();
    let assigned: HashSet<&str> = gathered
        .virtual_devices
        .iter()
        .filter_map(|d| d.user_arn.as_deref())
        .collect();
    gathered
        .users
        .iter()
        .map(|user| {
            let row = rows.get(user.name.as_str()).copied();
            let live = assigned.contains(user.arn.as_str());
            Facts {
                row,
                password: row.and_then(|r| r.password_enabled),
                mfa: match row {
                    Some(r) => Some(r.mfa_active || live),
                    None => live.then_some(true),
                },
                keys: row.map(Row::keys_active),
                reset_required: gathered
                    .login_profiles
                    .get(&user.name)
                    .map(|p| *p == LoginProfile::ResetRequired),
            }
        })
        .collect()
}

/// The account facts the doctor's self-service probes take, for this user.
pub(super) fn account(gathered: &Gathered, facts: &Facts<'_>) -> Account {
    Account {
        allow_users_to_change_password: gathered.allow_users_to_change_password,
        login_profile: facts.login_profile(),
    }
}

/// Findings from the credential facts alone: MFA, and the hygiene of the report row's keys.
pub(super) fn credential_findings(
    user: &User,
    f: &Facts<'_>,
    keys: &KeyCheck,
) -> Vec<AuditFinding> {
    let mut out = Vec::new();
    if f.password == Some(true) && f.mfa == Some(false) {
        out.push(AuditFinding::fact(
            FindingId::ConsoleUserWithoutMfa,
            format!(
                "{} has a console password and no active MFA device: the password alone signs in.",
                user.name
            ),
            "Have the user enrol an MFA device (`iam-mfa enroll`), or delete the console password if it is not used.",
        ));
    }
    if f.password == Some(false) && f.keys == Some(true) && f.mfa == Some(false) {
        out.push(AuditFinding::fact(
            FindingId::AccessKeysWithoutMfa,
            format!(
                "{} has active access keys and no MFA device: it can never get an MFA session, so whatever its keys may do needs no second factor.",
                user.name
            ),
            "Enrol an MFA device for the user, or replace the access keys with a role for workloads.",
        ));
    }
    if let Some(row) = f.row {
        out.extend(keys.findings(row));
    }
    out
}
