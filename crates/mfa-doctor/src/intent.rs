//! What a force-MFA policy is meant to let users do before they have MFA. `policy generate`
//! writes a policy for an [`Intent`] and `policy check` holds a policy set to the same one, so
//! a deliberate choice (no first-login password change, no CLI sessions) is not reported.

/// The self-service a user gets before MFA, beyond enrolling a device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Intent {
    /// Do not let users change their password before they have MFA (AWS's example policy): a
    /// new user then cannot be required to set a password at first sign-in.
    #[cfg_attr(feature = "clap", arg(long = "no-first-login-password-change", action = clap::ArgAction::SetFalse))]
    pub first_login_password_change: bool,
    /// Do not exempt `sts:GetSessionToken` (CLI users then use the console or a role).
    #[cfg_attr(feature = "clap", arg(long = "no-cli-sessions", action = clap::ArgAction::SetFalse))]
    pub cli_sessions: bool,
    /// An extra action (or pattern such as `s3:List*`) allowed without MFA. Repeatable.
    #[cfg_attr(feature = "clap", arg(long = "exempt", value_name = "ACTION"))]
    pub exempt: Vec<String>,
}

impl Default for Intent {
    fn default() -> Self {
        Self {
            first_login_password_change: true,
            cli_sessions: true,
            exempt: Vec::new(),
        }
    }
}

/// Enrolment actions on the user itself: see and enable one's own devices.
pub const OWN_USER_MFA: [&str; 4] = [
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ResyncMFADevice",
];
/// Creating a virtual device (any name: the user can only attach it to themselves).
pub const CREATE_DEVICE: &str = "iam:CreateVirtualMFADevice";
/// Listing virtual devices (the console's enrolment page needs it; `Resource: "*"` only).
pub const LIST_DEVICES: &str = "iam:ListVirtualMFADevices";
/// Changing one's own password.
pub const CHANGE_PASSWORD: &str = "iam:ChangePassword";
/// Reading the password rules (the console's password-change page needs it).
pub const GET_PASSWORD_POLICY: &str = "iam:GetAccountPasswordPolicy";
/// Getting an MFA session for the CLI.
pub const GET_SESSION_TOKEN: &str = "sts:GetSessionToken";
/// Always allowed (R3).
pub const GET_CALLER_IDENTITY: &str = "sts:GetCallerIdentity";

impl Intent {
    /// The actions the force-MFA Deny must not cover, in the order the generator lists them.
    pub fn exempt_actions(&self) -> Vec<String> {
        let mut out: Vec<String> = [CREATE_DEVICE]
            .into_iter()
            .chain(OWN_USER_MFA)
            .chain([LIST_DEVICES])
            .map(str::to_owned)
            .collect();
        if self.first_login_password_change {
            out.push(CHANGE_PASSWORD.to_owned());
            out.push(GET_PASSWORD_POLICY.to_owned());
        }
        if self.cli_sessions {
            out.push(GET_SESSION_TOKEN.to_owned());
        }
        for extra in &self.exempt {
            if !out.iter().any(|a| a.eq_ignore_ascii_case(extra)) {
                out.push(extra.clone());
            }
        }
        out
    }
}

/// Actions a user may perform on themselves without MFA, whatever the intent: a policy that
/// allows them is not leaking (the intent flags only decide which of them must be allowed).
pub fn is_self_service(action: &str) -> bool {
    of_iam_or_sts(action)
        && [
            CREATE_DEVICE,
            LIST_DEVICES,
            CHANGE_PASSWORD,
            GET_PASSWORD_POLICY,
            GET_SESSION_TOKEN,
            GET_CALLER_IDENTITY,
        ]
        .into_iter()
        .chain(OWN_USER_MFA)
        .any(|a| a.eq_ignore_ascii_case(action))
}

/// Whether `action` is of IAM or STS, as every action this module names is: a check asks for
/// each of tens of thousands of actions, and most are answered by their prefix.
fn of_iam_or_sts(action: &str) -> bool {
    action.get(..4).is_some_and(|prefix| {
        prefix.eq_ignore_ascii_case("iam:") || prefix.eq_ignore_ascii_case("sts:")
    })
}

/// IAM metadata of the account that the console's "Security credentials" page reads before the
/// user has MFA, which AWS's tutorial force-MFA policies therefore allow without MFA on purpose.
/// Each is a List or Read action on `Resource: "*"`; none reveals a secret.
pub const CONSOLE_ACCOUNT_METADATA: [&str; 3] = [
    "iam:GetAccountSummary",
    "iam:ListAccountAliases",
    "iam:ListUsers",
];

/// Metadata of the user's own credentials that the same page lists (key ids and last use,
/// public SSH keys, signing certificates, service-specific credential ids, whether a console
/// password exists): List or Read actions, harmless only on the user itself.
pub const CONSOLE_OWN_METADATA: [&str; 7] = [
    "iam:GetAccessKeyLastUsed",
    "iam:GetLoginProfile",
    "iam:GetSSHPublicKey",
    "iam:ListAccessKeys",
    "iam:ListSSHPublicKeys",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSigningCertificates",
];

/// Whether `action` is console metadata: account metadata, or (`Some(true)`) metadata of the
/// user's own credentials, which is console metadata only on the user itself. `None` for
/// anything else.
pub fn console_metadata(action: &str) -> Option<bool> {
    if !of_iam_or_sts(action) {
        return None;
    }
    let is = |list: &[&str]| list.iter().any(|a| a.eq_ignore_ascii_case(action));
    if is(&CONSOLE_ACCOUNT_METADATA) {
        Some(false)
    } else if is(&CONSOLE_OWN_METADATA) {
        Some(true)
    } else {
        None
    }
}
