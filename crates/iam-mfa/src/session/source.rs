//! The selected profile, read from the shared files with `aws-profiles` exactly as the SDKs read
//! them: the source profile with the long-term keys and its session settings, and for a role
//! profile the roles to assume on its MFA session ([`Profiles::resolve`]). Never the SDK default
//! chain, so stale `AWS_*` variables or a `credential_process` (possibly this tool) cannot be
//! picked up.

use super::Error;
use super::stored::{self, KEY_ID_KEY, Location, STORE_KEY};
use crate::aws::StsEndpoints;
use crate::ui::tty::notice;
use aws_profiles::{Paths, ProfileSet};

/// Key that marks a credentials section as written (and so owned) by `iam-mfa login`.
pub const MANAGED_KEY: &str = "x_iam_mfa_managed";

/// A profile with long-term keys, and what it says about MFA sessions.
#[derive(Clone)]
pub struct Source {
    pub profile: String,
    pub access_key_id: String,
    /// The secret from the credentials file; `None` when it is stored (`stored`).
    pub secret_access_key: Option<String>,
    /// Where the keys are, when they are off the credentials file ([`super::stored`]).
    pub stored: Option<Location>,
    /// The config file read, beside which the key file lives.
    pub config: std::path::PathBuf,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
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

/// One `sts:AssumeRole` of a role profile's chain, with the settings of the profile naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleStep {
    /// The role profile.
    pub profile: String,
    pub role_arn: String,
    /// `role_session_name`; `None` lets iam-mfa name the session.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration_seconds` of the role profile: the role session's length.
    pub duration_seconds: Option<String>,
}

/// What the selected profile stands for: an MFA session of `source`, then `roles` assumed in
/// order on it (none for a source profile itself).
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The profile asked for.
    pub selected: String,
    pub source: Source,
    pub roles: Vec<RoleStep>,
    /// `mfa_serial` of the first profile of the chain that sets it, from the selected one down
    /// to the source (the AWS CLI reads it on the role profile, aws-vault also on the source).
    pub mfa_serial: Option<String>,
    /// `mfa_process`, found the same way.
    pub mfa_process: Option<String>,
    /// `region`, found the same way.
    pub region: Option<String>,
    /// `AWS_STS_REGIONAL_ENDPOINTS`, else `sts_regional_endpoints` found the same way.
    pub sts_endpoints: StsEndpoints,
}

impl Resolved {
    /// Whether the selected profile is a role profile.
    pub fn is_role(&self) -> bool {
        !self.roles.is_empty()
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
        if let Some(marker) = get(STORE_KEY) {
            return self.stored_source(name, &marker, &get);
        }
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
            secret_access_key: Some(secret_access_key),
            stored: None,
            config: self.paths.config.clone(),
            mfa_serial: get("mfa_serial"),
            duration_seconds: get("duration_seconds"),
            region: get("region"),
        })
    }
}

impl Profiles {
    /// A source profile whose keys are stored: its key id from the config file; the secret is
    /// read from the store only when a session must be fetched ([`Source::secret`]). Keys
    /// also in the credentials file are a conflict: which one is meant?
    fn stored_source(
        &self,
        name: &str,
        marker: &str,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Source, Error> {
        let location = Location::from_marker(name, marker)?;
        let not_a_source = |reason: String| Error::NotASource {
            profile: name.to_owned(),
            reason,
        };
        if get("aws_secret_access_key").is_some() {
            return Err(not_a_source(format!(
                "it has {STORE_KEY} = {marker} and also aws_secret_access_key in a file; remove one (`iam-mfa keys add {name} --from-credentials` moves the file's keys into the store)"
            )));
        }
        let access_key_id = get(KEY_ID_KEY).ok_or_else(|| {
            not_a_source(format!(
                "it has {STORE_KEY} = {marker} but no {KEY_ID_KEY}; store its keys again (`iam-mfa keys add {name}`)"
            ))
        })?;
        Ok(Source {
            profile: name.to_owned(),
            access_key_id,
            secret_access_key: None,
            stored: Some(location),
            config: self.paths.config.clone(),
            mfa_serial: get("mfa_serial"),
            duration_seconds: get("duration_seconds"),
            region: get("region"),
        })
    }
}

impl Source {
    /// The secret access key: from the credentials file, or read from the store (the keychain,
    /// or the key file, which may ask its passphrase). The stored key must be the one the
    /// config names, or sessions would be cached under another key's id.
    pub fn secret(&self) -> Result<key_store::Zeroizing<String>, Error> {
        match (&self.secret_access_key, self.stored) {
            (Some(secret), _) => Ok(key_store::Zeroizing::new(secret.clone())),
            (None, Some(location)) => {
                let keys = stored::read(location, &self.config, &self.profile)?;
                if keys.access_key_id != self.access_key_id {
                    return Err(Error::Conflict(format!(
                        "profile `{}`: the stored key is {} but {KEY_ID_KEY} says {}; store the keys again (`iam-mfa keys add {}`)",
                        self.profile, keys.access_key_id, self.access_key_id, self.profile
                    )));
                }
                Ok(keys.secret_access_key)
            }
            (None, None) => Err(Error::NotASource {
                profile: self.profile.clone(),
                reason: "it has no secret access key".to_owned(),
            }),
        }
    }
}

impl Profiles {
    /// What profile `name` stands for: its chain resolved as the SDKs resolve `role_arn`,
    /// `source_profile` and `credential_source`, down to a profile with long-term keys. A
    /// `source_profile` naming the credential_process profile `setup` made (`work-mfa`, which
    /// runs `iam-mfa process work`) continues with the profile it was made from, as the CLI
    /// would (getting that profile's credentials, then assuming the role).
    pub fn resolve(&self, name: &str) -> Result<Resolved, Error> {
        let mut roles = Vec::new();
        let mut chain_profiles: Vec<String> = Vec::new();
        let mut next = name.to_owned();
        let source = loop {
            if !self.set.has_profile(&next) {
                return Err(self.not_found(&next, chain_profiles.last()));
            }
            let chain = aws_profiles::resolve_chain(&self.set, &next).map_err(Error::Chain)?;
            let mut steps: Vec<RoleStep> = chain.roles.iter().map(|role| self.step(role)).collect();
            steps.append(&mut roles);
            roles = steps;
            for profile in chain.profiles() {
                if chain_profiles.iter().any(|seen| seen == profile) {
                    return Err(Error::Chain(aws_profiles::ChainError::Loop {
                        profiles: chain_profiles,
                        next: profile.to_owned(),
                    }));
                }
                chain_profiles.push(profile.to_owned());
            }
            let base = chain.base.profile().to_owned();
            // Named directly, it is refused with advice (`Profiles::source`): followed only as a source.
            match self
                .made_by_setup(&chain.base)
                .filter(|_| !roles.is_empty())
            {
                Some(made_from) => {
                    self.warn_about_second_code(&base, &roles);
                    next = made_from;
                }
                None => break self.source_of_chain(&base, &chain_profiles)?,
            }
        };
        // The first profile of the chain that sets `key`, and its value.
        let first = |key: &str| {
            chain_profiles.iter().find_map(|profile| {
                let value = self.set.get(profile, key)?;
                Some((profile.as_str(), value.to_owned()))
            })
        };
        let value = |key: &str| first(key).map(|(_, value)| value);
        let sts_endpoints = match std::env::var("AWS_STS_REGIONAL_ENDPOINTS")
            .ok()
            .filter(|value| !value.is_empty())
        {
            Some(value) => StsEndpoints::parse(&value).map_err(|reason| {
                Error::Conflict(format!("AWS_STS_REGIONAL_ENDPOINTS: {reason}"))
            })?,
            None => match first("sts_regional_endpoints") {
                Some((profile, value)) => StsEndpoints::parse(&value).map_err(|reason| {
                    Error::Conflict(format!(
                        "sts_regional_endpoints of profile `{profile}`: {reason}"
                    ))
                })?,
                None => StsEndpoints::default(),
            },
        };
        Ok(Resolved {
            selected: name.to_owned(),
            sts_endpoints,
            mfa_serial: value("mfa_serial"),
            mfa_process: value("mfa_process"),
            region: value("region"),
            source,
            roles,
        })
    }

    fn not_found(&self, profile: &str, referenced_from: Option<&String>) -> Error {
        match referenced_from {
            None => Error::ProfileNotFound {
                profile: profile.to_owned(),
                config: self.paths.config.clone(),
                credentials: self.paths.credentials.clone(),
            },
            Some(from) => Error::Chain(aws_profiles::ChainError::MissingProfile {
                profile: profile.to_owned(),
                referenced_from: Some(from.clone()),
            }),
        }
    }

    fn step(&self, role: &aws_profiles::Role) -> RoleStep {
        RoleStep {
            profile: role.profile.clone(),
            role_arn: role.role_arn.clone(),
            session_name: role.session_name.clone(),
            external_id: role.external_id.clone(),
            duration_seconds: self
                .set
                .get(&role.profile, "duration_seconds")
                .map(str::to_owned),
        }
    }

    /// The profile a base is made from when it is the credential_process profile `setup` wrote.
    fn made_by_setup(&self, base: &aws_profiles::Base) -> Option<String> {
        let aws_profiles::Base::Process { profile } = base else {
            return None;
        };
        self.set.get(profile, MANAGED_KEY)?;
        setup_source(self.set.get(profile, "credential_process")?).map(str::to_owned)
    }

    /// The source at the base of a chain; a chain whose base has no long-term keys is refused
    /// with what it is instead.
    fn source_of_chain(&self, base: &str, chain: &[String]) -> Result<Source, Error> {
        self.source(base).map_err(|err| match err {
            Error::NotASource { profile, reason } if chain.len() > 1 => Error::NotASource {
                reason: format!(
                    "{reason} (it is the source of {})",
                    chain[..chain.len() - 1]
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(" <- ")
                ),
                profile,
            },
            err => err,
        })
    }

    /// The layout that works with the plain CLI (`source_profile = work-mfa`, the profile `setup`
    /// writes) breaks when a role on it also keeps `mfa_serial`: the CLI sends that serial with
    /// AssumeRole and so asks for a second code, and the JavaScript SDK's default chain (which has
    /// no code prompt) fails.
    fn warn_about_second_code(&self, setup_profile: &str, roles: &[RoleStep]) {
        for step in roles {
            if self.set.get(&step.profile, "mfa_serial").is_some() {
                notice(&second_code_advice(&step.profile, setup_profile));
            }
        }
    }
}

/// What to change in role profile `role` whose `source_profile` is `setup_profile` (made by
/// `setup`) and which also sets `mfa_serial`.
fn second_code_advice(role: &str, setup_profile: &str) -> String {
    format!(
        "[profile {role}] sets mfa_serial, but its source_profile `{setup_profile}` is iam-mfa's credential_process profile, whose session already carries MFA: the AWS CLI asks for a second code for `{role}` and the AWS SDK for JavaScript's default chain fails on it. Remove mfa_serial from [profile {role}], or run `iam-mfa setup {role}` and use `{role}-mfa`"
    )
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
    if let Some(source) = get("credential_source") {
        return format!(
            "it takes its credentials from credential_source = {source} (the environment or an instance role), not from long-term keys of an IAM user; name a profile with aws_access_key_id and aws_secret_access_key as its source_profile"
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
pub fn region(flag: Option<&str>, profile: Option<&str>) -> String {
    flag.map(str::to_owned)
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .or_else(|| {
            std::env::var("AWS_DEFAULT_REGION")
                .ok()
                .filter(|r| !r.is_empty())
        })
        .or_else(|| profile.map(str::to_owned))
        .unwrap_or_else(|| crate::aws::FALLBACK_REGION.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = "aws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n";

    /// Profiles of a config file `config` and a credentials file with `[work]`'s keys.
    fn profiles(config: &str) -> (tempfile::TempDir, Profiles) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
        };
        std::fs::write(&paths.config, config).unwrap();
        std::fs::write(&paths.credentials, format!("[work]\n{KEYS}")).unwrap();
        let set = ProfileSet::load(&paths).unwrap();
        (dir, Profiles { paths, set })
    }

    const SETUP: &str = "[profile work-mfa]\ncredential_process = /opt/iam-mfa process work\nx_iam_mfa_managed = true\n";

    #[test]
    fn a_source_profile_stands_for_its_own_mfa_session() {
        let (_dir, profiles) = profiles(
            "[profile work]\nmfa_serial = arn:aws:iam::111111111111:mfa/a\nregion = eu-west-1\n",
        );
        let resolved = profiles.resolve("work").unwrap();
        assert!(!resolved.is_role());
        assert_eq!(resolved.source.profile, "work");
        assert_eq!(
            resolved.mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/a")
        );
        assert_eq!(resolved.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn a_role_inherits_what_it_does_not_set_from_its_source() {
        let (_dir, profiles) = profiles(
            "[profile work]\nmfa_serial = arn:aws:iam::111111111111:mfa/a\nmfa_process = echo 1\nregion = eu-west-1\nsts_regional_endpoints = legacy\n\
             [profile admin]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = work\nregion = us-west-2\nduration_seconds = 1800\n\
             [profile own]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = work\nmfa_serial = arn:aws:iam::111111111111:mfa/b\n",
        );
        let admin = profiles.resolve("admin").unwrap();
        assert_eq!(admin.roles.len(), 1);
        assert_eq!(admin.roles[0].duration_seconds.as_deref(), Some("1800"));
        assert_eq!(
            admin.mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/a")
        );
        assert_eq!(admin.mfa_process.as_deref(), Some("echo 1"));
        assert_eq!(
            admin.region.as_deref(),
            Some("us-west-2"),
            "the role profile's own region first"
        );
        assert_eq!(admin.sts_endpoints, StsEndpoints::Legacy);
        let own = profiles.resolve("own").unwrap();
        assert_eq!(
            own.mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/b")
        );
    }

    #[test]
    fn a_role_on_the_profile_setup_made_continues_with_its_source() {
        let config = format!(
            "{SETUP}[profile admin]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = work-mfa\n\
             [profile deep]\nrole_arn = arn:aws:iam::333333333333:role/D\nsource_profile = admin\n"
        );
        let (_dir, profiles) = profiles(&config);
        let deep = profiles.resolve("deep").unwrap();
        assert_eq!(deep.source.profile, "work");
        let roles: Vec<&str> = deep
            .roles
            .iter()
            .map(|step| step.profile.as_str())
            .collect();
        assert_eq!(roles, ["admin", "deep"]);
        // Named directly, the setup profile is not a source: the advice names `work`.
        let err = profiles.resolve("work-mfa").unwrap_err().to_string();
        assert!(
            err.contains("name its source profile `work` instead"),
            "{err}"
        );
    }

    #[test]
    fn a_loop_through_the_setup_profile_is_a_loop() {
        let config = "[profile work-mfa]\ncredential_process = /opt/iam-mfa process admin\nx_iam_mfa_managed = true\n\
             [profile admin]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = work-mfa\n";
        let (_dir, profiles) = profiles(config);
        let err = profiles.resolve("admin").unwrap_err();
        assert!(
            matches!(err, Error::Chain(aws_profiles::ChainError::Loop { .. })),
            "{err}"
        );
    }

    #[test]
    fn a_chain_whose_base_has_no_keys_says_what_it_is() {
        let (_dir, profiles) = profiles(
            "[profile sso]\nsso_session = corp\n[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://x\n\
             [profile admin]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = sso\n\
             [profile bad]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = work\nsts_regional_endpoints = global\n",
        );
        let err = profiles.resolve("admin").unwrap_err().to_string();
        assert!(
            err.contains("IAM Identity Center (SSO) profile")
                && err.contains("(it is the source of `admin`)"),
            "{err}"
        );
        let err = profiles.resolve("bad").unwrap_err().to_string();
        assert!(
            err.contains("sts_regional_endpoints of profile `bad`: `global` is neither"),
            "{err}"
        );
        let err = profiles.resolve("nobody").unwrap_err();
        assert!(matches!(err, Error::ProfileNotFound { .. }), "{err}");
    }
}
