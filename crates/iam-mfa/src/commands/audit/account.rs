//! The account's own findings: the root user's MFA (credential report row, account summary,
//! root's virtual device) and virtual MFA devices assigned to nobody.

use super::credential_report::{ROOT_ROW, Row};
use super::facts::Gathered;
use super::report::{AccountFinding, AuditFinding, Root};
use mfa_doctor::FindingId;

/// The root user's state and the account's findings: root MFA, root's virtual device,
/// orphaned virtual devices.
pub(super) fn account_findings(gathered: &Gathered) -> (Root, Vec<AccountFinding>) {
    let row = gathered.report.root.as_ref();
    let summary = gathered.summary;
    let password = row
        .and_then(|r| r.password_enabled)
        .or(summary.password_present);
    let keys = row.map(Row::keys_active).or(summary.access_keys_present);
    let credentials = match (password, keys) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), _) => Some(false),
        (None, _) => None,
    };
    let root_device = gathered
        .virtual_devices
        .iter()
        .find(|d| d.user_arn.as_deref().is_some_and(|a| a.ends_with(":root")));
    let mfa = if row.is_some_and(|r| r.mfa_active)
        || summary.mfa_enabled == Some(true)
        || root_device.is_some()
    {
        Some(true)
    } else if row.is_some() || summary.mfa_enabled.is_some() {
        Some(false)
    } else {
        None
    };
    let root_arn = row.map(|r| r.arn.clone()).unwrap_or_else(|| {
        gathered
            .users
            .first()
            .map(|u| {
                let p = u.principal();
                format!("arn:{}:iam::{}:root", p.partition, p.account)
            })
            .unwrap_or_else(|| ROOT_ROW.to_owned())
    });
    let mut out = Vec::new();
    if credentials == Some(true) && mfa == Some(false) {
        let what = match (password, keys) {
            (Some(true), Some(true)) => "a password and access keys",
            (Some(true), _) => "a password",
            _ => "access keys",
        };
        out.push(AccountFinding {
            subject: root_arn.clone(),
            finding: AuditFinding::fact(
                FindingId::RootWithoutMfa,
                format!("The root user has {what} and no MFA: one stolen secret owns the account."),
                "Sign in as the root user and assign an MFA device (a FIDO security key or hardware TOTP token), or remove the root credentials (centralized root access in AWS Organizations).",
            ),
        });
    }
    if let Some(device) = root_device {
        out.push(AccountFinding {
            subject: root_arn,
            finding: AuditFinding::fact(
                FindingId::RootVirtualMfa,
                format!(
                    "The root user's MFA device {} is a virtual device, on a phone that is used for other things.",
                    device.serial
                ),
                "Assign a FIDO security key or a hardware TOTP token to the root user, then remove the virtual device.",
            ),
        });
    }
    for device in gathered
        .virtual_devices
        .iter()
        .filter(|d| d.user_arn.is_none())
    {
        out.push(AccountFinding {
            subject: device.serial.clone(),
            finding: AuditFinding::fact(
                FindingId::OrphanedMfaDevice,
                format!(
                    "Virtual MFA device {} is assigned to nobody: left over from an abandoned enrolment, it makes a new device of the same name fail with EntityAlreadyExists.",
                    device.serial
                ),
                "Delete it: `iam-mfa prune` deletes virtual MFA devices assigned to nobody.",
            ),
        });
    }
    (
        Root {
            credentials,
            mfa,
            virtual_mfa: root_device.is_some(),
        },
        out,
    )
}
