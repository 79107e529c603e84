//! `logout`: forget the cached sessions of a profile and remove the section `login` wrote. For a
//! source profile that is its MFA sessions and every role session built on them; for a role
//! profile, its role sessions.

use super::{any_copy_marked, check_owned, foreign_copy, print, update_file};
use crate::args::GlobalArgs;
use crate::session::cache::Cache;
use crate::session::lock::{self, Lock};
use crate::session::roles::{self, RoleRecord};
use crate::session::source::{Profiles, profile_name};
use crate::session::{Error, serial, source};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use crate::ui::tty::notice;
use aws_profiles::{Document, FileKind};
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct LogoutArgs {
    /// Source or role profile [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    profile: Option<String>,
    /// Section `login` wrote [default: PROFILE-mfa].
    #[arg(long, value_name = "NAME")]
    target: Option<String>,
    /// Replace the credentials file even if it is read-only.
    #[arg(long)]
    force: bool,
}

/// What `logout` removed and kept.
#[derive(Serialize)]
struct LogoutReport {
    profile: String,
    #[serde(skip)]
    file: std::path::PathBuf,
    cached_sessions_removed: usize,
    section_removed: Option<String>,
    section_kept: Option<String>,
}

pub fn run(args: &LogoutArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let target = args.target.clone().unwrap_or_else(|| format!("{name}-mfa"));
    let profiles = Profiles::load()?;
    let path = profiles.paths.credentials.clone();
    let baseline = profiles.set.snapshot(FileKind::Credentials);
    // A section partly ours (two copies, one hand-written), or ours in a read-only file, is refused before any
    // session is forgotten.
    if removable(baseline.document(), &target, &path)? {
        baseline
            .check_writable(aws_profiles::WriteOptions {
                replace_read_only: args.force,
            })
            .map_err(Error::from_file)?;
    }
    let cache = Cache::from_env()?;
    let removed = forget_sessions(&cache, &name, &profiles, global)?;
    let mut kept = false;
    let changed = update_file(baseline, args.force, |doc| {
        kept = false;
        if removable(doc, &target, &path)? {
            doc.remove_profile(&target);
            doc.end_with_newline();
        } else {
            kept = !doc.profile_copies(&target).is_empty();
        }
        Ok(())
    })?;
    // The region `login` wrote into the config file (a `setup` profile, with its
    // credential_process, stays).
    update_file(profiles.set.snapshot(FileKind::Config), args.force, |doc| {
        if any_copy_marked(doc, &target)
            && foreign_copy(doc, &target).is_none()
            && doc.get(&target, "credential_process").is_none()
        {
            doc.remove_profile(&target);
        }
        Ok(())
    })?;
    let report = LogoutReport {
        profile: name,
        file: path,
        cached_sessions_removed: removed,
        section_removed: changed.then(|| target.clone()),
        section_kept: kept.then(|| target.clone()),
    };
    print(&report, global)?;
    Ok(Code::Success.into())
}

impl Report for LogoutReport {
    fn text(&self) -> String {
        let mut text = format!(
            "Removed {} cached session(s) of `{}`.\n",
            self.cached_sessions_removed, self.profile
        );
        if let Some(target) = &self.section_removed {
            text += &format!("Removed [{target}] from {}.\n", self.file.display());
        }
        if let Some(target) = &self.section_kept {
            text += &format!("Kept [{target}]: iam-mfa did not write it.\n");
        }
        text
    }
}

/// Whether `target` in `doc` is ours to remove: false if absent or entirely hand-written (kept), true if every copy
/// carries our mark, an error if only some do.
fn removable(doc: &Document, target: &str, path: &std::path::Path) -> Result<bool, Error> {
    if !any_copy_marked(doc, target) {
        return Ok(false);
    }
    check_owned(doc, target, target, path)?;
    Ok(true)
}

/// Removes the cached sessions of profile `name`, each under the lock `obtain` holds while it gets that session, so
/// a `process` or `login` in flight finishes first and its new session is removed too. Role sessions go first, one
/// lock at a time (`obtain` takes a role's lock before its MFA session's, so holding none of the MFA locks then
/// cannot deadlock); then the MFA sessions, whose keys are those of the cached sessions and the profile's current
/// key, under all their locks at once; their lock files are deleted afterwards.
fn forget_sessions(
    cache: &Cache,
    name: &str,
    profiles: &Profiles,
    global: &GlobalArgs,
) -> Result<usize, Error> {
    let mut removed = 0;
    let built_on = |record: &RoleRecord| record.profile == name || record.source_profile == name;
    for (path, _) in roles::records(cache)
        .into_iter()
        .filter(|(_, record)| built_on(record))
    {
        let lock = lock::acquire(&path.with_extension("lock"), lock::DEFAULT_WAIT, || {
            notice(
                "waiting for another iam-mfa process that is getting a role session of this profile",
            )
        })?;
        if path.exists() {
            cache.remove(&path)?;
            removed += 1;
        }
        lock.remove()?;
    }
    let mut lock_paths: Vec<PathBuf> = cache
        .records()
        .into_iter()
        .filter(|(_, record)| record.profile == name)
        .map(|(_, record)| cache.lock_path(&record.partition, &record.source_access_key_id))
        .collect();
    if let Ok(source) = profiles.source(name) {
        let region = source::region(global.region.as_deref(), source.region.as_deref());
        let partition = serial::partition(source.mfa_serial.as_deref(), &region);
        lock_paths.push(cache.lock_path(&partition, &source.access_key_id));
    }
    // One order for every logout, so two never wait on each other.
    lock_paths.sort();
    lock_paths.dedup();
    let locks = lock_paths
        .iter()
        .map(|path| {
            lock::acquire(path, lock::DEFAULT_WAIT, || {
                notice(
                    "waiting for another iam-mfa process that is getting a session of this profile",
                )
            })
        })
        .collect::<Result<Vec<Lock>, Error>>()?;
    for (path, record) in cache.records() {
        if record.profile == name {
            cache.remove(&path)?;
            removed += 1;
        }
    }
    for lock in locks {
        lock.remove()?;
    }
    Ok(removed)
}
