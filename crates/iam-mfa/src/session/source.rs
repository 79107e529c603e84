//! The source profile: its long-term keys and session settings, read from the shared files
//! with `aws-profiles` exactly as the SDKs read them. Never the SDK default chain, so stale
//! `AWS_*` variables or a `credential_process` (possibly this tool) cannot be picked up.

use super::Error;
use aws_profiles::{Paths, ProfileSet};

/// Key that marks a credentials section as written (and so owned) by `iam-mfa login`.
pub const MANAGED_KEY: &str = "x_iam_mfa_managed";

/// A profile with long-term keys, and what it says about MFA sessions.
#[derive(Clone)]
pub struct Source {
    pub profile: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `mfa_process` (aws-vault's key): a command printing a code.
    pub mfa_process: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<String>,
    /// `region`.
    pub region: Option<String>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("profile", &self.profile)
            .field(
                "access_key_id",
                &crate::ui::output::redact(&self.access_key_id),
            )
            .field("mfa_serial", &self.mfa_serial)
            .finish_non_exhaustive()
    }
}

/// Both files, parsed.
pub struct Profiles {
    pub paths: Paths,
    pub set: ProfileSet,
}

impl Profiles {
    /// Locates (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `HOME`) and parses both files.
    pub fn load() -> Result<Profiles, Error> {
        let paths = Paths::from_env()?;
        let set = ProfileSet::load(&paths)?;
        Ok(Profiles { paths, set })
    }

    /// The source profile `name`, which must hold long-term keys.
    pub fn source(&self, name: &str) -> Result<Source, Error> {
        let set = &self.set;
        if !set.has_profile(name) {
            return Err(Error::ProfileNotFound {
                profile: name.to_owned(),
                config: self.paths.config.clone(),
                credentials: self.paths.credentials.clone(),
            });
        }
        let get = |key: &str| set.get(name, key).map(str::to_owned);
        let (Some(access_key_id), Some(secret_access_key), None, None) = (
            get("aws_access_key_id"),
            get("aws_secret_access_key"),
            get(MANAGED_KEY),
            get("aws_session_token"),
        ) else {
            return Err(Error::NotASource {
                profile: name.to_owned(),
                reason: not_long_term(name, &get),
            });
        };
        for (key, value) in [
            ("aws_access_key_id", &access_key_id),
            ("aws_secret_access_key", &secret_access_key),
        ] {
            crate::aws::check_credential_text(value).map_err(|reason| Error::NotASource {
                profile: name.to_owned(),
                reason: format!(
                    "its {key} is unusable: {reason} (value not shown); retype it (`aws configure --profile {name}`)"
                ),
            })?;
        }
        Ok(Source {
            profile: name.to_owned(),
            access_key_id,
            secret_access_key,
            mfa_serial: get("mfa_serial"),
            mfa_process: get("mfa_process"),
            duration_seconds: get("duration_seconds"),
            region: get("region"),
        })
    }
}

/// What profile `name` is instead of a source with long-term keys, and what to name instead.
fn not_long_term(name: &str, get: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some(line) = get("credential_process").filter(|_| get(MANAGED_KEY).is_some()) {
        let made_from = setup_source(&line).map_or_else(
            || "the profile it was made from".to_owned(),
            |source| format!("`{source}`"),
        );
        return format!(
            "it is the credential_process profile `iam-mfa setup` made, which runs iam-mfa itself; name its source profile {made_from} instead"
        );
    }
    if get(MANAGED_KEY).is_some() {
        return "it is a session written by `iam-mfa login`; name the profile it came from"
            .to_owned();
    }
    if get("aws_session_token").is_some() {
        return "it holds temporary credentials (aws_session_token), not long-term keys".to_owned();
    }
    if get("role_arn").is_some() {
        let instead = get("source_profile").map_or_else(
            || "; name a profile with long-term keys".to_owned(),
            |source| format!("; for an MFA session of its source profile, name `{source}`"),
        );
        return format!(
            "it is a role profile (role_arn), and role profiles are not supported as sources yet{instead}"
        );
    }
    if get("credential_process").is_some() {
        return "it gets credentials from a credential_process, not from long-term keys; name a profile with aws_access_key_id and aws_secret_access_key".to_owned();
    }
    if get("sso_session").is_some() || get("sso_start_url").is_some() {
        return "it is an IAM Identity Center (SSO) profile (`aws sso login` signs it in, with Identity Center's own MFA); name a profile with long-term keys".to_owned();
    }
    format!(
        "it has no long-term access key: set aws_access_key_id and aws_secret_access_key in it (`aws configure --profile {name}`)"
    )
}

/// The source profile named by a `credential_process` line `setup` wrote (`EXE process NAME`,
/// NAME bare or single-quoted).
fn setup_source(line: &str) -> Option<&str> {
    let (_, name) = line.rsplit_once(" process ")?;
    let name = name.trim();
    let name = name
        .strip_prefix('\'')
        .and_then(|quoted| quoted.strip_suffix('\''))
        .unwrap_or(name);
    (!name.is_empty()).then_some(name)
}

/// The profile a command acts on: the positional argument, else `--profile`, else
/// `AWS_PROFILE`/`AWS_DEFAULT_PROFILE`, else `default`.
pub fn profile_name(positional: Option<&str>, flag: Option<&str>) -> String {
    positional
        .or(flag)
        .map(str::to_owned)
        .unwrap_or_else(|| aws_profiles::selected_profile(|name| std::env::var(name).ok()))
}

/// The profile iam-mfa writes for source profile `name`: `--target`, else `NAME-mfa`; never the
/// source itself.
pub fn target_name(name: &str, target: Option<&str>) -> Result<String, Error> {
    let target = target.map_or_else(|| format!("{name}-mfa"), str::to_owned);
    if target == name {
        return Err(Error::Conflict(format!(
            "--target must differ from the source profile `{name}`"
        )));
    }
    Ok(target)
}

/// The region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else the fallback.
pub fn region(flag: Option<&str>, source: &Source) -> String {
    flag.map(str::to_owned)
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .or_else(|| {
            std::env::var("AWS_DEFAULT_REGION")
                .ok()
                .filter(|r| !r.is_empty())
        })
        .or_else(|| source.region.clone())
        .unwrap_or_else(|| crate::aws::FALLBACK_REGION.to_owned())
}
