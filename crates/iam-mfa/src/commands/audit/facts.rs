//! What the audit decides on: everything gathered from the account, as plain data, so that the
//! deciding ([`super::decide`]) can be tested on states moto cannot represent (a root row,
//! `PasswordResetRequired`, `AccountMFAEnabled`).

use std::collections::BTreeMap;

use iam_policy::analysis::Principal;

use super::credential_report::CredentialReport;
use crate::iam::documents::Named;
use mfa_doctor::LoginProfile;

/// An IAM user and its identity policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The IAM path (`/` or `/division/`).
    pub path: String,
    /// The user's ARN.
    pub arn: String,
    /// Every identity policy the user's requests are evaluated against (its own inline and
    /// attached ones, and those of its groups), as indexes into [`Gathered::documents`].
    pub policies: Vec<usize>,
    /// The user's IAM tags (`aws:PrincipalTag/…` in its requests).
    pub tags: Vec<(String, String)>,
    /// The user's unique id (`aws:userid` in its requests).
    pub id: Option<String>,
}

impl User {
    /// The user as the policy engine sees it; partition and account come from the ARN.
    pub fn principal(&self) -> Principal {
        // arn:PARTITION:iam::ACCOUNT:user/PATH/NAME
        let parts: Vec<&str> = self.arn.split(':').collect();
        let partition = parts.get(1).copied().unwrap_or("aws").to_owned();
        let account = parts.get(4).copied().unwrap_or_default().to_owned();
        Principal {
            partition,
            account,
            user_name: self.name.clone(),
            path: self.path.clone(),
            tags: self.tags.clone(),
            user_id: self.id.clone(),
        }
    }
}

/// An IAM role (`GetAccountAuthorizationDetails`' RoleDetailList).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// The IAM path.
    pub path: String,
    /// The role's ARN.
    pub arn: String,
    /// The trust policy's text (decoded).
    pub trust: String,
    /// The permission policies, as indexes into [`Gathered::documents`].
    pub policies: Vec<usize>,
    /// Whether some attached AWS-managed policy is neither embedded nor fetched (the role's
    /// power is then unknown).
    pub incomplete: bool,
}

/// A virtual MFA device (`ListVirtualMFADevices`); seeds are never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualDevice {
    /// The serial number (an ARN).
    pub serial: String,
    /// The ARN of the user it is assigned to (`…:root` for the root user); `None`: nobody.
    pub user_arn: Option<String>,
}

/// `GetAccountSummary`'s root facts; `None` where the service did not say (moto has no
/// `AccountPasswordPresent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountSummary {
    /// `AccountMFAEnabled`: the root user has MFA.
    pub mfa_enabled: Option<bool>,
    /// `AccountPasswordPresent`: the root user has a password.
    pub password_present: Option<bool>,
    /// `AccountAccessKeysPresent`: the root user has access keys.
    pub access_keys_present: Option<bool>,
}

/// Everything the audit gathered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gathered {
    /// The credential report.
    pub report: CredentialReport,
    /// Every distinct policy document (by name and text), as users refer to them.
    pub documents: Vec<Named>,
    /// Every user (`GetAccountAuthorizationDetails`), live.
    pub users: Vec<User>,
    /// Every role, from the same call.
    pub roles: Vec<Role>,
    /// Every unassigned virtual MFA device, live; and the assigned ones when they were listed
    /// (when the root user may have MFA: they tell whether root's device is virtual). A device
    /// assigned to a user since the credential report counts as that user's MFA.
    pub virtual_devices: Vec<VirtualDevice>,
    /// The root facts of the account summary.
    pub summary: AccountSummary,
    /// The password policy's `AllowUsersToChangePassword` (`false` without a password policy).
    pub allow_users_to_change_password: bool,
    /// `GetLoginProfile` of the users it was asked for (see `decide::login_profiles_needed`).
    pub login_profiles: BTreeMap<String, LoginProfile>,
}
