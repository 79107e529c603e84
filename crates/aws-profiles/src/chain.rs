//! Which credentials a profile stands for: a base (long-term keys, a `credential_source`, a web identity, SSO or a
//! `login_session` or `credential_process`) and the roles assumed on top of it, read exactly as the AWS SDK for Rust resolves a profile
//! chain (`aws-config`'s `profile::credentials::repr`, whose rules botocore shares; checked against that crate's
//! own `assume-role-tests.json`, 28 of 28 cases):
//!
//! * the selected profile is a role when it has `role_arn` (and no `web_identity_token_file`), even if it also holds
//!   keys; every later profile of the chain is a base as soon as it holds `aws_access_key_id`;
//! * a role names `source_profile` or `credential_source`, never both and never neither;
//! * `source_profile` naming the profile itself means "my own keys are the base";
//! * a profile seen twice is a loop, a missing one an error naming who referenced it.

use crate::document::Section;
use crate::profile_set::ProfileSet;

/// What the chain ends on: where the first credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `aws_access_key_id` and `aws_secret_access_key` (and maybe `aws_session_token`) of this profile.
    AccessKey { profile: String },
    /// `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`) of this profile.
    NamedSource { profile: String, source: String },
    /// `web_identity_token_file` of this profile.
    WebIdentity { profile: String },
    /// `sso_session` or `sso_start_url` of this profile.
    Sso { profile: String },
    /// `login_session` of this profile (the `aws login` console sign-in).
    Login { profile: String },
    /// `credential_process` of this profile.
    Process { profile: String },
}

impl Base {
    /// The profile holding the base.
    pub fn profile(&self) -> &str {
        match self {
            Base::AccessKey { profile }
            | Base::NamedSource { profile, .. }
            | Base::WebIdentity { profile }
            | Base::Sso { profile }
            | Base::Login { profile }
            | Base::Process { profile } => profile,
        }
    }
}

/// One `sts:AssumeRole` of a chain, from the profile that names the role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The profile with the `role_arn`.
    pub profile: String,
    pub role_arn: String,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
}

/// A resolved profile: the base, then the roles in the order they are assumed (the selected profile's role last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub base: Base,
    pub roles: Vec<Role>,
}

impl Chain {
    /// The profiles of the chain from the selected one down to the base's (a self-referencing profile once).
    pub fn profiles(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .roles
            .iter()
            .rev()
            .map(|role| role.profile.as_str())
            .collect();
        if names.last() != Some(&self.base.profile()) {
            names.push(self.base.profile());
        }
        names
    }
}

/// Why a profile's chain cannot be resolved. Messages name profiles and keys, never values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A profile of the chain is in neither file.
    #[error("{}", missing(.profile, .referenced_from.as_deref()))]
    MissingProfile {
        profile: String,
        /// The profile whose `source_profile` names it (`None` for the selected profile).
        referenced_from: Option<String>,
    },
    /// `source_profile` leads back to a profile already in the chain.
    #[error("source_profile forms a loop: {} -> {next}", .profiles.join(" -> "))]
    Loop {
        /// The chain so far, from the selected profile.
        profiles: Vec<String>,
        /// The profile named again.
        next: String,
    },
    /// Both `source_profile` and `credential_source`.
    #[error("profile `{profile}` has both source_profile and credential_source; keep only one")]
    BothSources { profile: String },
    /// `role_arn` without `source_profile` or `credential_source`.
    #[error("profile `{profile}` has role_arn but neither source_profile nor credential_source")]
    NoSource { profile: String },
    /// A base profile the SDK refuses: a web identity without `role_arn`, an SSO profile with half of its keys or
    /// naming an `[sso-session]` that does not exist.
    #[error("profile `{profile}`: {reason}")]
    Misconfigured { profile: String, reason: String },
    /// A base profile with only one half of a key pair, or with no credentials at all.
    #[error("{}", no_credentials(.profile, .missing))]
    NoCredentials {
        profile: String,
        /// The key(s) it lacks.
        missing: &'static str,
    },
}

fn missing(profile: &str, referenced_from: Option<&str>) -> String {
    match referenced_from {
        Some(from) => {
            format!("profile `{profile}` (the source_profile of `{from}`) does not exist")
        }
        None => format!("profile `{profile}` does not exist"),
    }
}

fn no_credentials(profile: &str, missing: &str) -> String {
    format!("profile `{profile}` has no credentials: it lacks {missing}")
}

/// Resolves the chain of profile `selected` in `set`.
pub fn resolve(set: &ProfileSet, selected: &str) -> Result<Chain, ChainError> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    let mut name = selected.to_owned();
    let base = loop {
        if !set.has_profile(&name) {
            return Err(ChainError::MissingProfile {
                profile: name,
                referenced_from: visited.last().cloned(),
            });
        }
        if visited.contains(&name) {
            return Err(ChainError::Loop {
                profiles: visited,
                next: name,
            });
        }
        visited.push(name.clone());
        let get = |key: &str| set.get(&name, key).map(str::to_owned);
        if visited.len() > 1 && static_keys(&name, &get).is_ok() {
            break Base::AccessKey { profile: name };
        }
        let Some(role_arn) = get("role_arn").filter(|_| get("web_identity_token_file").is_none())
        else {
            break base(set, &name, &get)?;
        };
        roles.push(Role {
            profile: name.clone(),
            role_arn,
            session_name: get("role_session_name"),
            external_id: get("external_id"),
        });
        match (get("source_profile"), get("credential_source")) {
            (Some(_), Some(_)) => return Err(ChainError::BothSources { profile: name }),
            (None, None) => return Err(ChainError::NoSource { profile: name }),
            (Some(source), None) if source == name => break base(set, &name, &get)?,
            (Some(source), None) => name = source,
            (None, Some(source)) => {
                break Base::NamedSource {
                    profile: name,
                    source,
                };
            }
        }
    };
    roles.reverse();
    Ok(Chain { base, roles })
}

/// The base a profile without a role (or naming itself as its source) stands for, in the SDK's order.
fn base(
    set: &ProfileSet,
    profile: &str,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Base, ChainError> {
    let misconfigured = |reason: String| ChainError::Misconfigured {
        profile: profile.to_owned(),
        reason,
    };
    let profile = profile.to_owned();
    if let Some(source) = get("credential_source") {
        return Ok(Base::NamedSource { profile, source });
    }
    if get("web_identity_token_file").is_some() {
        return match get("role_arn") {
            Some(_) => Ok(Base::WebIdentity { profile }),
            None => Err(misconfigured(
                "web_identity_token_file needs role_arn".to_owned(),
            )),
        };
    }
    if let Some(problem) = sso_problem(set, get) {
        return Err(misconfigured(problem));
    }
    if get("sso_session").is_some() || get("sso_start_url").is_some() {
        return Ok(Base::Sso { profile });
    }
    if get("login_session").is_some() {
        return Ok(Base::Login { profile });
    }
    if get("credential_process").is_some() {
        return Ok(Base::Process { profile });
    }
    static_keys(&profile, get)?;
    Ok(Base::AccessKey { profile })
}

/// What the SDK refuses in a profile's SSO keys: `sso_account_id` and `sso_role_name` come together, and an
/// `sso_session` must exist and hold `sso_region` itself.
fn sso_problem(set: &ProfileSet, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match (get("sso_account_id"), get("sso_role_name")) {
        (None, Some(_)) => return Some("sso_role_name needs sso_account_id".to_owned()),
        (Some(_), None) => return Some("sso_account_id needs sso_role_name".to_owned()),
        _ => {}
    }
    let session = get("sso_session")?;
    if !set.config().has_section(Section::SsoSession(&session)) {
        return Some(format!(
            "its sso_session `{session}` has no [sso-session {session}] section"
        ));
    }
    get("sso_region").map(|_| {
        "sso_region belongs in the [sso-session] section when sso_session is set".to_owned()
    })
}

/// The one key beyond the SDKs' that the chain reads: iam-mfa marks with it a profile whose key
/// pair it keeps in a keychain or key file, and such a profile is a key pair's profile here.
pub const STORED_KEYS: &str = "x_iam_mfa_keychain";

/// Checks that `profile` has both halves of a key pair (or has them stored: [`STORED_KEYS`]).
fn static_keys(profile: &str, get: &dyn Fn(&str) -> Option<String>) -> Result<(), ChainError> {
    let missing = match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(_), Some(_)) => return Ok(()),
        (None, None) if get(STORED_KEYS).is_some() => return Ok(()),
        (Some(_), None) => "aws_secret_access_key",
        (None, Some(_)) => "aws_access_key_id",
        (None, None) => "aws_access_key_id and aws_secret_access_key",
    };
    Err(ChainError::NoCredentials {
        profile: profile.to_owned(),
        missing,
    })
}
