//! `setup`: configure `[profile PROFILE-mfa]` in the config file with a `credential_process`
//! that runs this binary by its absolute path (see [`command_line`] for the form every SDK reads),
//! and `mfa_serial` in the source profile, so `aws … --profile PROFILE-mfa` just works.

use super::{check_owned, print, update_file};
use crate::args::GlobalArgs;
use crate::aws::{self, ClientOptions};
use crate::session::source::{MANAGED_KEY, Profiles, profile_name, target_name};
use crate::session::{Error, serial};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use crate::ui::tty::notice;
use aws_profiles::FileKind;
use aws_sdk_sts::config::Credentials;
use serde::Serialize;
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct SetupArgs {
    /// Source profile with the long-term keys [default: --profile, AWS_PROFILE, `default`].
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
    changed: bool,
}

pub fn run(args: &SetupArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let profiles = Profiles::load()?;
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let source = profiles.source(&name)?;
    let target = target_name(&name, args.target.as_deref())?;
    let config_path = profiles.paths.config.clone();
    let baseline = profiles.set.snapshot(FileKind::Config);
    let header = format!("profile {target}");
    check_owned(baseline.document(), &target, &header, &config_path)?;
    let command_line = command_line(&current_exe()?, &name)?;
    let mfa_serial = match args.serial.clone().or_else(|| source.mfa_serial.clone()) {
        Some(serial) => {
            serial::validate(&serial)?;
            serial
        }
        None => discover(global, &source)?,
    };
    let region = source.region.clone();
    let changed = update_file(baseline, args.force, |doc| {
        check_owned(doc, &target, &header, &config_path)?;
        if doc.get(&name, "mfa_serial") != Some(mfa_serial.as_str()) {
            doc.try_set(&name, "mfa_serial", &mfa_serial)?;
        }
        doc.try_set(&target, "credential_process", &command_line)?;
        if let (Some(region), None) = (&region, doc.get(&target, "region")) {
            doc.try_set(&target, "region", region)?;
        }
        doc.try_set(&target, MANAGED_KEY, "true")?;
        Ok(())
    })?;
    warn_about_shadowing(&profiles, &target);
    let report = SetupReport {
        profile: &name,
        target: &target,
        file: profiles.paths.config.display().to_string(),
        credential_process: &command_line,
        mfa_serial: &mfa_serial,
        changed,
    };
    print(&report, global)?;
    Ok(Code::Success.into())
}

impl Report for SetupReport<'_> {
    fn text(&self) -> String {
        format!(
            "{} [profile {target}] in {}:\n  credential_process = {}\n  mfa_serial ([profile {}]) = {}\nTry: aws sts get-caller-identity --profile {target}\n",
            if self.changed {
                "Configured"
            } else {
                "Already configured:"
            },
            self.file,
            self.credential_process,
            self.profile,
            self.mfa_serial,
            target = self.target,
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
fn discover(global: &GlobalArgs, source: &crate::session::source::Source) -> Result<String, Error> {
    let options = ClientOptions {
        profile: Some(source.profile.clone()),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        credentials: Some(Credentials::new(
            &source.access_key_id,
            &source.secret_access_key,
            None,
            None,
            "iam-mfa-source",
        )),
    };
    let runtime = aws::runtime().map_err(|err| Error::Runtime(err.to_string()))?;
    runtime.block_on(async { serial::discover(&aws::sdk_config(&options).await).await })
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
