//! `logout`: forget the cached sessions of a profile and remove the section `login` wrote.

use super::cache::Cache;
use super::source::{MANAGED_KEY, Profiles, profile_name};
use super::{Error, update_file};
use crate::aws::GlobalArgs;
use crate::ui::exit::Code;
use crate::ui::output::{OutputFormat, to_json_line};
use aws_profiles::FileKind;
use serde::Serialize;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct LogoutArgs {
    /// Source profile [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    profile: Option<String>,
    /// Section `login` wrote [default: PROFILE-mfa].
    #[arg(long, value_name = "NAME")]
    target: Option<String>,
}

#[derive(Serialize)]
struct Report {
    profile: String,
    cached_sessions_removed: usize,
    section_removed: Option<String>,
    section_kept: Option<String>,
}

pub fn run(args: &LogoutArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let target = args.target.clone().unwrap_or_else(|| format!("{name}-mfa"));
    let cache = Cache::from_env()?;
    let mut removed = 0;
    for (path, record) in cache.records() {
        if record.profile == name {
            cache.remove(&path)?;
            removed += 1;
        }
    }
    let profiles = Profiles::load()?;
    let mut kept = false;
    let changed = update_file(&profiles.paths.credentials, FileKind::Credentials, |doc| {
        if !doc.has_profile(&target) {
            return Ok(());
        }
        if doc.get(&target, MANAGED_KEY) == Some("true") {
            doc.remove_profile(&target);
        } else {
            kept = true;
        }
        Ok(())
    })?;
    // The region `login` wrote into the config file (a `setup` profile, with its
    // credential_process, stays).
    update_file(&profiles.paths.config, FileKind::Config, |doc| {
        if doc.get(&target, MANAGED_KEY) == Some("true")
            && doc.get(&target, "credential_process").is_none()
        {
            doc.remove_profile(&target);
        }
        Ok(())
    })?;
    let report = Report {
        profile: name,
        cached_sessions_removed: removed,
        section_removed: changed.then(|| target.clone()),
        section_kept: kept.then(|| target.clone()),
    };
    let text = match global.output {
        OutputFormat::Json => {
            to_json_line(&report).map_err(|err| Error::Output(std::io::Error::other(err)))?
        }
        // CSV and SARIF are refused up front (`OutputFormat::ensure`).
        OutputFormat::Text | OutputFormat::Csv | OutputFormat::Sarif => {
            let mut text = format!(
                "Removed {removed} cached session(s) of `{}`.\n",
                report.profile
            );
            if changed {
                text += &format!(
                    "Removed [{target}] from {}.\n",
                    profiles.paths.credentials.display()
                );
            }
            if kept {
                text += &format!("Kept [{target}]: iam-mfa did not write it.\n");
            }
            text
        }
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(Code::Success.into())
}
