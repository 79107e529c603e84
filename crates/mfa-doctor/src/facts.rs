//! The check's inputs from outside the policies: the account's password policy setting and the
//! user's login profile (gathered from IAM by the binary, or given as flags offline).

/// What the account (or the flags, offline) says about the user's console password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginProfile {
    /// Not known (offline).
    #[default]
    Unknown,
    /// The user has no console password.
    None,
    /// The user has a console password and need not change it.
    Present,
    /// The user must set a new password at next sign-in.
    ResetRequired,
}

/// Facts from outside the policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Account {
    /// The password policy's `AllowUsersToChangePassword`: an Allow of `iam:ChangePassword`
    /// and `iam:GetAccountPasswordPolicy` on oneself (it cannot override a Deny).
    pub allow_users_to_change_password: bool,
    /// The user's login profile.
    pub login_profile: LoginProfile,
}
