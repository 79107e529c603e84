//! `setup`: configure `[profile PROFILE-mfa]` in the config file with a `credential_process`
//! that runs this binary by its absolute path (see [`command_line`] for the form every SDK reads),
//! and `mfa_serial` in the source profile, so `aws … --profile PROFILE-mfa` just works. For a
//! role profile the same: `PROFILE-mfa` then gets the role session, built on the MFA session of
//! the role's source, so one code serves every role profile set up this way.

use super::{check_owned, print, update_file};
use crate::args::GlobalArgs;
use crate::aws::{self, ClientOptions};
use crate::session::source::{MANAGED_KEY, Profiles, Resolved, profile_name, target_name};
use crate::session::{Error, roles, serial};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use crate::ui::tty::notice;
use aws_profiles::FileKind;
use aws_sdk_sts::config::Credentials;
use serde::Serialize;
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct SetupArgs {
    /// Source profile with the long-term keys, or a role profile (role_arn with source_profile)
    /// [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    profile: Option<String>,
    /// MFA device serial or ARN [default: the profile's mfa_serial, else the caller's only device].
    #[arg(long, value_name = "SERIAL")]
    serial: Option<String>,
    /// Profile to configure [default: PROFILE-mfa].
    #[arg(long, value_name = "NAME")]
    target: Option<String>,
    /// Replace the config file even if it is read-only.
    #[arg(long)]
    force: bool,
}

/// What `setup` configured.
#[derive(Serialize)]
struct SetupReport<'a> {
    profile: &'a str,
    target: &'a str,
    file: String,
    credential_process: &'a str,
    mfa_serial: &'a str,
    /// The profile whose `mfa_serial` it is.
    mfa_serial_profile: &'a str,
    /// For a role profile: its role, and the source profile whose MFA session it is built on.
    role_arn: Option<&'a str>,
    source_profile: Option<&'a str>,
    changed: bool,
}

pub fn run(args: &SetupArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let profiles = Profiles::load()?;
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let resolved = profiles.resolve(&name)?;
    roles::plan(&resolved.roles, None)?;
    let source = &resolved.source;
    let target = target_name(&name, args.target.as_deref())?;
    let config_path = profiles.paths.config.clone();
    let baseline = profiles.set.snapshot(FileKind::Config);
    let header = format!("profile {target}");
    check_owned(baseline.document(), &target, &header, &config_path)?;
    let command_line = command_line(&current_exe()?, &name)?;
    let (mfa_serial, serial_profile) = serial_and_home(args, global, &profiles, &resolved)?;
    let region = resolved.region.clone();
    let changed = update_file(baseline, args.force, |doc| {
        check_owned(doc, &target, &header, &config_path)?;
        if doc.get(&serial_profile, "mfa_serial") != Some(mfa_serial.as_str()) {
            doc.try_set(&serial_profile, "mfa_serial", &mfa_serial)?;
        }
        doc.try_set(&target, "credential_process", &command_line)?;
        if let (Some(region), None) = (&region, doc.get(&target, "region")) {
            doc.try_set(&target, "region", region)?;
        }
        doc.try_set(&target, MANAGED_KEY, "true")?;
        Ok(())
    })?;
    warn_about_shadowing(&profiles, &target);
    let last_role = resolved.roles.last();
    let report = SetupReport {
        profile: &name,
        target: &target,
        file: profiles.paths.config.display().to_string(),
        credential_process: &command_line,
        mfa_serial: &mfa_serial,
        mfa_serial_profile: &serial_profile,
        role_arn: last_role.map(|step| step.role_arn.as_str()),
        source_profile: last_role.map(|_| source.profile.as_str()),
        changed,
    };
    print(&report, global)?;
    Ok(Code::Success.into())
}

/// The serial of the MFA session and the profile that holds (or will hold) it: `--serial`, else
/// the `mfa_serial` of the chain (the role profile's or its source's), else the caller's only
/// device; one the chain does not hold yet goes into the source profile. A `--serial` that
/// contradicts a role profile's own `mfa_serial` is refused: that one would win.
fn serial_and_home(
    args: &SetupArgs,
    global: &GlobalArgs,
    profiles: &Profiles,
    resolved: &Resolved,
) -> Result<(String, String), Error> {
    let source = &resolved.source;
    let serial = match (&args.serial, &resolved.mfa_serial) {
        (Some(flag), Some(configured))
            if flag != configured && source.mfa_serial.as_ref() != Some(configured) =>
        {
            return Err(Error::Conflict(format!(
                "the chain of `{}` already sets mfa_serial = {configured} on a role profile, which wins over the source's; change it there instead of passing --serial",
                resolved.selected
            )));
        }
        (Some(serial), _) | (None, Some(serial)) => {
            serial::validate(serial)?;
            serial.clone()
        }
        (None, None) => discover(global, source, resolved.sts_endpoints)?,
    };
    let holder = resolved
        .roles
        .iter()
        .rev()
        .map(|step| step.profile.as_str())
        .find(|profile| profiles.set.get(profile, "mfa_serial") == Some(serial.as_str()))
        .unwrap_or(&source.profile)
        .to_owned();
    Ok((serial, holder))
}

impl Report for SetupReport<'_> {
    fn text(&self) -> String {
        let mut text = format!(
            "{} [profile {target}] in {}:\n  credential_process = {}\n  mfa_serial ([profile {}]) = {}\n",
            if self.changed {
                "Configured"
            } else {
                "Already configured:"
            },
            self.file,
            self.credential_process,
            self.mfa_serial_profile,
            self.mfa_serial,
            target = self.target,
        );
        if let (Some(role), Some(source)) = (self.role_arn, self.source_profile) {
            text += &format!(
                "  role {role}, assumed on the MFA session of `{source}`: one code serves every role profile set up on it\n"
            );
        }
        text + &format!(
            "Try: aws sts get-caller-identity --profile {}\n",
            self.target
        )
    }
}

/// The `credential_process` value: `EXE process PROFILE`, the path bare when it has only
/// characters no consumer treats specially, else in single quotes; the profile always bare. The
/// SDKs read the line differently: botocore splits it like a POSIX shell (shlex); the JavaScript,
/// Go and Rust SDKs run it with `sh -c`; but the Go SDK v1's INI parser (and v2's before 2023) keeps
/// only a leading double-quoted string (so `"/abs/iam-mfa" process work` runs iam-mfa with no
/// arguments); v2's current one ends the value at any `#` or `;`, strips quotes around the whole
/// value and decodes `\"`, `\'` and `\n`; the JavaScript and Rust parsers end it at whitespace
/// followed by `#` or `;`. Single quotes are literal in all of them, as long as the path has none
/// of `'`, `\`, `#`, `;` or a control character: such a path is refused. On Windows (`cmd.exe /C`,
/// no single quotes) only a bare path is written.
fn command_line(exe: &Path, profile: &str) -> Result<String, Error> {
    let path = exe
        .to_str()
        .and_then(path_word)
        .ok_or_else(|| unquotable(exe))?;
    if !is_bare(profile) {
        return Err(Error::Conflict(format!(
            "the profile name `{profile}` cannot be written into a credential_process line every AWS SDK reads alike; use a name of letters, digits and -_.@+"
        )));
    }
    Ok(format!("{path} process {profile}"))
}

/// Whether `text` is a word that no shell, shlex or SDK INI parser treats specially.
fn is_bare(text: &str) -> bool {
    let bare = |c: char| {
        c.is_alphanumeric()
            || "/._-+@:".contains(c)
            || if cfg!(windows) {
                c == '\\'
            } else {
                ",=%".contains(c)
            }
    };
    !text.is_empty() && text.chars().all(bare)
}

/// The path as the first word of a `credential_process` line: bare, single-quoted, or `None`.
fn path_word(path: &str) -> Option<String> {
    if is_bare(path) {
        return Some(path.to_owned());
    }
    let unquotable = path.contains(['\'', '\\', '#', ';']) || path.contains(char::is_control);
    (!cfg!(windows) && !unquotable).then(|| format!("'{path}'"))
}

fn unquotable(exe: &Path) -> Error {
    Error::Conflict(format!(
        "the path of this binary ({}) has characters no credential_process line can carry for every AWS SDK (`'`, `\\`, `#`, `;` or a control character{}); install iam-mfa in a directory with a plain path (e.g. ~/.local/bin) and run setup from there",
        exe.display(),
        if cfg!(windows) { ", or a space" } else { "" }
    ))
}

fn current_exe() -> Result<std::path::PathBuf, Error> {
    let exe = std::env::current_exe()
        .map_err(|err| Error::Conflict(format!("cannot find this binary's path: {err}")))?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// Finds the only MFA device of the source profile's user (one AWS round trip pair).
fn discover(
    global: &GlobalArgs,
    source: &crate::session::source::Source,
    endpoints: aws::StsEndpoints,
) -> Result<String, Error> {
    let options = ClientOptions {
        profile: Some(source.profile.clone()),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        credentials: Some(Credentials::new(
            &source.access_key_id,
            source.secret()?.as_str(),
            None,
            None,
            "iam-mfa-source",
        )),
    };
    let runtime = aws::runtime().map_err(|err| Error::Runtime(err.to_string()))?;
    runtime.block_on(async { serial::discover(&aws::sdk_config(&options).await, endpoints).await })
}

/// Static keys in the credentials file beat credential_process in every SDK.
fn warn_about_shadowing(profiles: &Profiles, target: &str) {
    if profiles
        .set
        .credentials()
        .get(target, "aws_access_key_id")
        .is_some()
    {
        notice(&format!(
            "[{target}] in {} holds static keys, which take precedence over credential_process; remove that section (`iam-mfa logout` does if iam-mfa wrote it)",
            profiles.paths.credentials.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn command_line_is_bare_unless_a_word_needs_single_quotes() {
        assert_eq!(
            command_line(Path::new("/home/me/.cargo/bin/iam-mfa"), "work").unwrap(),
            "/home/me/.cargo/bin/iam-mfa process work"
        );
        assert_eq!(
            command_line(
                Path::new("/opt/my tools/$x `y` \"z\" & (1)/iam-mfa"),
                "work"
            )
            .unwrap(),
            "'/opt/my tools/$x `y` \"z\" & (1)/iam-mfa' process work"
        );
        for refused in [
            "/opt/it's/iam-mfa",
            "/opt/a#b/iam-mfa",
            "/opt/a;b/iam-mfa",
            "/opt/a\\\"b/iam-mfa",
            "/opt/a\nb/iam-mfa",
        ] {
            let err = command_line(Path::new(refused), "work")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("install iam-mfa in a directory with a plain path"),
                "{err}"
            );
        }
        assert!(command_line(Path::new("/opt/iam-mfa"), "a b").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn sh_reads_the_command_line_as_three_words() {
        let line = command_line(Path::new("/opt/my tools/$HOME `id`/iam-mfa"), "work").unwrap();
        let script = format!("set -- {line}; printf '%s|' \"$@\"");
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "/opt/my tools/$HOME `id`/iam-mfa|process|work|"
        );
    }
}
