//! The IAM credential report (`GetCredentialReport`): a CSV of every user's credentials, parsed
//! with its special values (`N/A`, `no_information`, `not_supported`) kept apart from
//! timestamps, and the `<root_account>` row kept apart from the users. Pure parsing.

use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The name the report gives the root user's row.
pub const ROOT_ROW: &str = "<root_account>";

/// A timestamp column: a time, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// A time (ISO 8601 in the report).
    At(OffsetDateTime),
    /// `N/A`: the credential does not exist (no password, no key).
    NotApplicable,
    /// `no_information`: never used, or not since IAM began tracking.
    NoInformation,
    /// `not_supported`: the column does not apply (root's password columns; moto).
    NotSupported,
}

impl Stamp {
    fn parse(text: &str) -> Result<Stamp, String> {
        match text.trim() {
            "N/A" => Ok(Stamp::NotApplicable),
            "no_information" => Ok(Stamp::NoInformation),
            "not_supported" => Ok(Stamp::NotSupported),
            other => OffsetDateTime::parse(other, &Rfc3339)
                .map(Stamp::At)
                .map_err(|e| format!("{other:?} is not a timestamp: {e}")),
        }
    }
}

impl Serialize for Stamp {
    /// An RFC 3339 time, or the report's own word (`N/A`, `no_information`, `not_supported`).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Stamp::At(at) => {
                let text = at.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
            Stamp::NotApplicable => serializer.serialize_str("N/A"),
            Stamp::NoInformation => serializer.serialize_str("no_information"),
            Stamp::NotSupported => serializer.serialize_str("not_supported"),
        }
    }
}

/// One access key's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccessKey {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated`: when the key was created or last rotated (`N/A`: no key).
    pub last_rotated: Stamp,
    /// `access_key_N_last_used_date`.
    pub last_used: Stamp,
}

/// One row: a user (or root) and its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// `user`: the friendly name.
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `password_enabled`; `None` for `not_supported` (root, per the documentation).
    pub password_enabled: Option<bool>,
    /// `password_last_used`.
    pub password_last_used: Stamp,
    /// `mfa_active`: any MFA device enabled.
    pub mfa_active: bool,
    /// `access_key_1_*` and `access_key_2_*`.
    pub access_keys: [AccessKey; 2],
}

impl Row {
    /// Whether any access key is active.
    pub fn keys_active(&self) -> bool {
        self.access_keys.iter().any(|k| k.active)
    }
}

/// The parsed report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialReport {
    /// `GeneratedTime`: the report can be up to four hours old.
    pub generated: Option<OffsetDateTime>,
    /// The `<root_account>` row (absent in moto).
    pub root: Option<Row>,
    /// Every other row, in report order.
    pub users: Vec<Row>,
}

/// The columns read, by header name (the report has more; their order is not relied on).
#[derive(Debug, serde::Deserialize)]
struct RawRow {
    user: String,
    arn: String,
    password_enabled: String,
    password_last_used: String,
    mfa_active: String,
    access_key_1_active: String,
    access_key_1_last_rotated: String,
    access_key_1_last_used_date: String,
    access_key_2_active: String,
    access_key_2_last_rotated: String,
    access_key_2_last_used_date: String,
}

/// `TRUE`/`true`/`FALSE`/`false` (the documentation and the service disagree on case).
fn flag(column: &str, text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("{column} is {other:?}, not true or false")),
    }
}

fn convert(raw: RawRow) -> Result<Row, String> {
    let password_enabled = match raw.password_enabled.trim() {
        "not_supported" => None,
        text => Some(flag("password_enabled", text)?),
    };
    let key = |active: &str,
               column: &str,
               last_rotated: &str,
               last_used: &str|
     -> Result<AccessKey, String> {
        Ok(AccessKey {
            active: flag(column, active)?,
            last_rotated: Stamp::parse(last_rotated)?,
            last_used: Stamp::parse(last_used)?,
        })
    };
    Ok(Row {
        password_enabled,
        password_last_used: Stamp::parse(&raw.password_last_used)?,
        mfa_active: flag("mfa_active", &raw.mfa_active)?,
        access_keys: [
            key(
                &raw.access_key_1_active,
                "access_key_1_active",
                &raw.access_key_1_last_rotated,
                &raw.access_key_1_last_used_date,
            )?,
            key(
                &raw.access_key_2_active,
                "access_key_2_active",
                &raw.access_key_2_last_rotated,
                &raw.access_key_2_last_used_date,
            )?,
        ],
        user: raw.user,
        arn: raw.arn,
    })
}

/// Parses the CSV `content`; the error names the line.
pub fn parse(
    content: &[u8],
    generated: Option<OffsetDateTime>,
) -> Result<CredentialReport, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(content);
    let mut report = CredentialReport {
        generated,
        ..CredentialReport::default()
    };
    for (index, record) in reader.deserialize::<RawRow>().enumerate() {
        // Line 1 is the header.
        let line = index + 2;
        let row = record
            .map_err(|e| format!("line {line}: {e}"))
            .and_then(|raw| convert(raw).map_err(|e| format!("line {line}: {e}")))?;
        if row.user == ROOT_ROW {
            report.root = Some(row);
        } else {
            report.users.push(row);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn rows_keep_special_values_apart_from_times_and_root_apart_from_users() {
        let csv = format!(
            "{HEADER}\n\
             <root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,TRUE,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::123456789012:user/div/alice,2026-11-23T10:44:22+00:00,true,no_information,2026-11-23T10:44:22+00:00,not_supported,false,true,2026-11-23T10:44:22+00:00,N/A,not_supported,not_supported,false,N/A,N/A,not_supported,not_supported,false,N/A,false,N/A\n"
        );
        let report = parse(csv.as_bytes(), None).unwrap();
        let root = report.root.unwrap();
        assert_eq!(root.password_enabled, None);
        assert!(root.mfa_active);
        assert!(matches!(root.password_last_used, Stamp::At(_)));
        assert_eq!(report.users.len(), 1);
        let alice = &report.users[0];
        assert_eq!(alice.user, "alice");
        assert_eq!(alice.password_enabled, Some(true));
        assert_eq!(alice.password_last_used, Stamp::NoInformation);
        assert!(!alice.mfa_active);
        assert!(alice.keys_active());
        assert_eq!(alice.access_keys[0].last_used, Stamp::NotApplicable);
        assert_eq!(
            serde_json::to_value(root.password_last_used).unwrap(),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(
            serde_json::to_value(alice.password_last_used).unwrap(),
            "no_information"
        );
    }

    #[test]
    fn last_rotated_is_a_time_or_n_a_per_key() {
        // moto's shape: key 1 created and never used, key 2 used; carl has no keys.
        let csv = format!(
            "{HEADER}\n\
             bea,arn:aws:iam::1:user/bea,2026-01-01T00:00:00+00:00,false,not_supported,2026-01-01T00:00:00+00:00,not_supported,false,true,2026-02-03T04:05:06+00:00,N/A,not_supported,not_supported,false,2025-12-31T23:59:59+00:00,2026-01-15T08:00:00+00:00,us-east-1,iam,false,N/A,false,N/A\n\
             carl,arn:aws:iam::1:user/carl,2026-01-01T00:00:00+00:00,false,not_supported,2026-01-01T00:00:00+00:00,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let report = parse(csv.as_bytes(), None).unwrap();
        let [one, two] = report.users[0].access_keys;
        assert_eq!(
            one.last_rotated,
            Stamp::At(time::macros::datetime!(2026-02-03 04:05:06 UTC))
        );
        assert_eq!(one.last_used, Stamp::NotApplicable);
        assert!(!two.active);
        assert_eq!(
            two.last_rotated,
            Stamp::At(time::macros::datetime!(2025-12-31 23:59:59 UTC))
        );
        for key in report.users[1].access_keys {
            assert_eq!(key.last_rotated, Stamp::NotApplicable);
        }
        assert_eq!(
            serde_json::to_value(one).unwrap(),
            serde_json::json!({"active": true, "last_rotated": "2026-02-03T04:05:06Z", "last_used": "N/A"})
        );
    }

    #[test]
    fn a_bad_last_rotated_names_its_line() {
        let csv = format!(
            "{HEADER}\nbob,arn:aws:iam::1:user/bob,x,false,N/A,N/A,N/A,false,true,yesterday,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let error = parse(csv.as_bytes(), None).unwrap_err();
        assert!(
            error.starts_with("line 2:") && error.contains("\"yesterday\""),
            "{error}"
        );
    }

    #[test]
    fn a_bad_value_names_its_line() {
        let csv = format!(
            "{HEADER}\nbob,arn:aws:iam::1:user/bob,x,maybe,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let error = parse(csv.as_bytes(), None).unwrap_err();
        assert!(error.starts_with("line 2: password_enabled"), "{error}");
        let missing = parse(b"user,arn\nbob,arn:aws:iam::1:user/bob\n", None).unwrap_err();
        assert!(missing.starts_with("line 2:"), "{missing}");
    }
}
