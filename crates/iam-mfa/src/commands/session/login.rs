//! `login`: write the session into the credentials file as `[PROFILE-mfa]`, for tools that only
//! read static keys, and the source's region into `[profile PROFILE-mfa]` of the config file.
//! Both sections are marked `x_iam_mfa_managed = true`; a section without that mark (the
//! long-term one, or anyone else's) is never touched.

use super::{check_owned, foreign_copy, print, update_file};
use crate::args::GlobalArgs;
use crate::session::obtain::{SessionArgs, obtain};
use crate::session::source::MANAGED_KEY;
use crate::session::{Error, duration};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use aws_profiles::FileKind;
use serde::Serialize;
use time::OffsetDateTime;

/// Key recording the expiry, as aws-vault's INI export names it (SDKs ignore it).
pub const EXPIRATION_KEY: &str = "aws_credential_expiration";

#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Section to write [default: PROFILE-mfa].
    #[arg(long, value_name = "NAME")]
    target: Option<String>,
    /// Replace the credentials file even if it is read-only.
    #[arg(long)]
    force: bool,
}

/// What `login` wrote.
#[derive(Serialize)]
struct LoginReport<'a> {
    profile: &'a str,
    target: &'a str,
    file: String,
    expiration: String,
    seconds_left: i64,
}

pub fn run(args: &LoginArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let profiles = crate::session::source::Profiles::load()?;
    let name = crate::session::source::profile_name(
        args.session.profile.as_deref(),
        global.profile.as_deref(),
    );
    let target = crate::session::source::target_name(&name, args.target.as_deref())?;
    let path = profiles.paths.credentials.clone();
    let baseline = profiles.set.snapshot(FileKind::Credentials);
    check_owned(baseline.document(), &target, &target, &path)?;
    baseline
        .check_writable(aws_profiles::WriteOptions {
            replace_read_only: args.force,
        })
        .map_err(Error::from_file)?;
    if profiles
        .set
        .config()
        .get(&target, "credential_process")
        .is_some()
    {
        return Err(Error::Conflict(format!(
            "profile `{target}` uses credential_process (see `iam-mfa setup`); static keys in [{target}] would shadow it. Choose another --target"
        )));
    }
    let obtained = obtain(&args.session, global)?;
    let session = &obtained.session;
    update_file(baseline, args.force, |doc| {
        check_owned(doc, &target, &target, &path)?;
        doc.try_set(&target, "aws_access_key_id", &session.access_key_id)?;
        doc.try_set(&target, "aws_secret_access_key", &session.secret_access_key)?;
        doc.try_set(&target, "aws_session_token", &session.session_token)?;
        doc.try_set(&target, EXPIRATION_KEY, &session.expiration_rfc3339())?;
        doc.try_set(&target, MANAGED_KEY, "true")?;
        Ok(())
    })?;
    if let Some(region) = &obtained.resolved.region {
        write_region(
            profiles.set.snapshot(FileKind::Config),
            args.force,
            &target,
            region,
        )?;
    }
    let left = session.seconds_left(OffsetDateTime::now_utc());
    let report = LoginReport {
        profile: &obtained.resolved.selected,
        target: &target,
        file: path.display().to_string(),
        expiration: session.expiration_rfc3339(),
        seconds_left: left,
    };
    print(&report, global)?;
    Ok(Code::Success.into())
}

impl Report for LoginReport<'_> {
    fn text(&self) -> String {
        format!(
            "Wrote [{target}] to {}; it expires at {} (in {}). Use it with --profile {target}.\n",
            self.file,
            self.expiration,
            duration::human(self.seconds_left),
            target = self.target,
        )
    }
}

/// Gives `[profile TARGET]` in the config file the source's region: clients reading the session
/// from the credentials file take the region from the config file only. A section iam-mfa did
/// not write is left as it is.
fn write_region(
    baseline: &aws_profiles::Snapshot,
    force: bool,
    target: &str,
    region: &str,
) -> Result<(), Error> {
    update_file(baseline, force, |doc| {
        if foreign_copy(doc, target).is_some() {
            return Ok(());
        }
        if doc.get(target, "region") != Some(region) {
            doc.try_set(target, "region", region)?;
        }
        doc.try_set(target, MANAGED_KEY, "true")?;
        Ok(())
    })?;
    Ok(())
}
