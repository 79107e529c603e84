//! Access-key hygiene, from the credential report alone: an active key not rotated within
//! `--max-key-age` (`access-key-not-rotated`), an active key idle for longer than
//! `--max-key-idle` or never used since it was created that long ago (`access-key-unused`),
//! and a user with both keys active (`access-keys-two-active`). Pure: the time ages are
//! counted to is passed in, so the decisions can be tested on fixed dates.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::credential_report::{AccessKey, CredentialReport, Row, Stamp};
use super::report::AuditFinding;
use mfa_doctor::FindingId;

/// Both limits' default: the CIS AWS Foundations Benchmark's 90 days.
const DEFAULT_DAYS: u32 = 90;

/// `--max-key-age` and `--max-key-idle`: how old and how idle an active access key may be.
#[derive(clap::Args, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyLimits {
    /// Report an active access key last rotated (or created) more than DAYS days ago
    /// (`access-key-not-rotated`). 0 reports every active key; at most 36500.
    #[arg(
        long = "max-key-age",
        value_name = "DAYS",
        default_value_t = DEFAULT_DAYS,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(0..=36_500)
    )]
    #[serde(rename = "max_key_age_days")]
    pub max_age: u32,
    /// Report an active access key last used more than DAYS days ago, or never used and
    /// created more than DAYS days ago (`access-key-unused`). At most 36500.
    #[arg(
        long = "max-key-idle",
        value_name = "DAYS",
        default_value_t = DEFAULT_DAYS,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(0..=36_500)
    )]
    #[serde(rename = "max_key_idle_days")]
    pub max_idle: u32,
}

impl Default for KeyLimits {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_DAYS,
            max_idle: DEFAULT_DAYS,
        }
    }
}

/// The limits as applied to one credential report: they and the time ages are counted to.
/// Recorded in the audit's JSON (`key_hygiene`) so that its findings can be re-derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyCheck {
    /// The limits.
    #[serde(flatten)]
    pub limits: KeyLimits,
    /// The time ages are counted to (see [`KeyCheck::new`]).
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
}

impl KeyCheck {
    /// Counts ages to when `report` was generated (its facts are as of then), or to `now` when
    /// that is unknown, or contradicted by a later time in the report itself (moto answers a
    /// fixed 2015 `GeneratedTime` for keys it created today).
    pub fn new(report: &CredentialReport, limits: KeyLimits, now: OffsetDateTime) -> KeyCheck {
        let latest = report
            .users
            .iter()
            .chain(&report.root)
            .flat_map(stamps)
            .max();
        let as_of = match report.generated {
            Some(generated) if latest.is_none_or(|t| t <= generated) => generated,
            _ => now,
        };
        KeyCheck { limits, as_of }
    }

    /// Whether `at` is more than `limit` days before [`KeyCheck::as_of`]; and its age in whole
    /// days (for the message).
    fn older_than(&self, at: OffsetDateTime, limit: u32) -> Option<i64> {
        let age = self.as_of - at;
        (age > Duration::days(i64::from(limit))).then(|| age.whole_days())
    }

    /// The hygiene findings of the user of report row `row`.
    pub(super) fn findings(&self, row: &Row) -> Vec<AuditFinding> {
        let mut out = Vec::new();
        for (number, key) in (1..).zip(&row.access_keys).filter(|(_, k)| k.active) {
            out.extend(self.not_rotated(&row.user, number, key));
            out.extend(self.unused(&row.user, number, key));
        }
        out.extend(two_active(row));
        out
    }

    /// `access-key-not-rotated`: last rotated more than `--max-key-age` days ago.
    fn not_rotated(&self, user: &str, number: u8, key: &AccessKey) -> Option<AuditFinding> {
        let Stamp::At(rotated) = key.last_rotated else {
            return None;
        };
        let age = self.older_than(rotated, self.limits.max_age)?;
        Some(AuditFinding::fact(
            FindingId::AccessKeyNotRotated,
            format!(
                "{user}'s access key {number} was last rotated {} ago, more than the {} allowed (--max-key-age): a copy leaked at any time since still works.",
                age_text(age),
                days(self.limits.max_age.into())
            ),
            &format!(
                "Rotate it: `iam-mfa keys rotate PROFILE` with {user}'s own profile; or create a new key (`aws iam create-access-key --user-name {user}`), switch to it, then deactivate and delete the old one (`aws iam update-access-key --user-name {user} --access-key-id OLD --status Inactive`, `aws iam delete-access-key --user-name {user} --access-key-id OLD`; `aws iam list-access-keys --user-name {user}` gives OLD)."
            ),
        ))
    }

    /// `access-key-unused`: last used more than `--max-key-idle` days ago, or never used and
    /// created more than that ago (a key created an hour ago is not idle yet).
    fn unused(&self, user: &str, number: u8, key: &AccessKey) -> Option<AuditFinding> {
        let (since, how) = match (key.last_used, key.last_rotated) {
            (Stamp::At(used), _) => (used, "was last used"),
            (Stamp::NotApplicable | Stamp::NoInformation, Stamp::At(created)) => {
                (created, "was never used and was created")
            }
            _ => return None,
        };
        let age = self.older_than(since, self.limits.max_idle)?;
        Some(AuditFinding::fact(
            FindingId::AccessKeyUnused,
            format!(
                "{user}'s access key {number} {how} {} ago, more than the {} idle allowed (--max-key-idle): nobody would notice it being used by someone else.",
                age_text(age),
                days(self.limits.max_idle.into())
            ),
            &format!(
                "Deactivate it (`aws iam update-access-key --user-name {user} --access-key-id ID --status Inactive`; `aws iam list-access-keys --user-name {user}` gives ID), then, when nothing has broken, delete it (`aws iam delete-access-key --user-name {user} --access-key-id ID`)."
            ),
        ))
    }
}

/// Every time in `row`: the password's and the keys' last use, the keys' rotation.
fn stamps(row: &Row) -> impl Iterator<Item = OffsetDateTime> + '_ {
    std::iter::once(row.password_last_used)
        .chain(
            row.access_keys
                .iter()
                .flat_map(|k| [k.last_rotated, k.last_used]),
        )
        .filter_map(|stamp| match stamp {
            Stamp::At(at) => Some(at),
            _ => None,
        })
}

/// `access-keys-two-active`: both keys active, where one is needed outside a rotation.
fn two_active(row: &Row) -> Option<AuditFinding> {
    let [one, two] = &row.access_keys;
    if !(one.active && two.active) {
        return None;
    }
    let user = &row.user;
    Some(AuditFinding::fact(
        FindingId::AccessKeysTwoActive,
        format!(
            "{user} has both access keys active (key 1 {}, key 2 {}): AWS allows two so that one can be rotated, CIS recommends one.",
            use_of(one.last_used),
            use_of(two.last_used)
        ),
        &format!(
            "Deactivate the key not in use (the one last used longest ago; `aws iam list-access-keys --user-name {user}` gives the ids, `aws iam get-access-key-last-used --access-key-id ID` the date of each), then delete it: `aws iam update-access-key --user-name {user} --access-key-id ID --status Inactive`, `aws iam delete-access-key --user-name {user} --access-key-id ID`."
        ),
    ))
}

/// A last-used column as a message says it: `last used 2026-01-15`, `never used`.
fn use_of(stamp: Stamp) -> String {
    match stamp {
        Stamp::At(at) => format!("last used {}", at.date()),
        Stamp::NotApplicable | Stamp::NoInformation => "never used".to_owned(),
        Stamp::NotSupported => "last use unknown".to_owned(),
    }
}

/// An age in whole days as a message says it (`less than a day` for 0: `--max-key-age 0`).
fn age_text(whole_days: i64) -> String {
    if whole_days == 0 {
        "less than a day".to_owned()
    } else {
        days(whole_days)
    }
}

/// `1 day`, `90 days`.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}
