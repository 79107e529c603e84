//! Getting a session: validate every input, reuse the cache while the session has more than the
//! refresh margin left, else take the per-key lock (single flight), look again, and only then
//! start a runtime, find the serial, get a code and call STS once. A role profile's role
//! sessions are obtained on that MFA session the same way (`session::roles`).

use super::cache::{Cache, Key, Record, Session};
use super::code::{self, MfaCode, Origin, Sources};
use super::source::{Profiles, Resolved, Source};
use super::{Error, duration, lock, roles, serial, source, sts};
use crate::args::GlobalArgs;
use crate::aws::{self, ClientOptions};
use crate::ui::tty::notice;
use aws_sdk_sts::config::Credentials;
use std::path::Path;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// A session with less time left than this is never handed out.
const MIN_SECONDS_LEFT: i64 = 60;

/// Options shared by the commands that need a session.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SessionArgs {
    /// Profile: a source profile with long-term keys, or a role profile (role_arn with
    /// source_profile) whose roles are assumed on its source's MFA session [default: --profile,
    /// AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE", value_parser = crate::names::parse_profile_name)]
    pub profile: Option<String>,
    /// MFA device serial or ARN [default: the profile's mfa_serial, else the caller's only device].
    #[arg(long, value_name = "SERIAL", value_parser = crate::names::parse_serial)]
    pub serial: Option<String>,
    /// The current MFA code [default: the profile's mfa_process, else a prompt on the terminal].
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Session length in seconds: of the MFA session, 900..=129600 [default: the profile's
    /// duration_seconds, else 43200]; for a role profile, of the role session, 900..=43200
    /// [default: its duration_seconds, else 3600].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Renew the session when less than this many seconds are left, at most a third of the
    /// session's length [default: 900].
    #[arg(long, value_name = "SECONDS", env = "IAM_MFA_REFRESH_MARGIN")]
    pub margin: Option<u64>,
    /// Get a new session even if the cached one is still good.
    #[arg(long)]
    pub refresh: bool,
}

/// A session ready to use, with where it came from.
pub struct Obtained {
    /// The credentials to hand out: the MFA session of a source profile, or the role session of
    /// a role profile.
    pub session: Session,
    /// What the selected profile stands for.
    pub resolved: Resolved,
    /// The region in effect (flag, environment, profile or fallback).
    pub region: String,
}

/// Inputs of the MFA session, checked before anything is asked or sent.
struct Plan {
    serial: Option<String>,
    code: Option<MfaCode>,
    mfa_process: Option<String>,
    sts_endpoints: aws::StsEndpoints,
    duration: u64,
    margin: i64,
}

impl Plan {
    /// `--duration` is the MFA session's length for a source profile, the role session's for a
    /// role profile (whose MFA session then lasts the source's `duration_seconds`, else 12 h).
    fn new(args: &SessionArgs, resolved: &Resolved) -> Result<Plan, Error> {
        let source = &resolved.source;
        let serial = args.serial.clone().or_else(|| resolved.mfa_serial.clone());
        if let Some(serial) = &serial {
            serial::validate(serial)?;
        }
        let code = args.code.as_deref().map(MfaCode::parse).transpose()?;
        let flag = args.duration.filter(|_| !resolved.is_role());
        let duration = match (flag, &source.duration_seconds) {
            (Some(seconds), _) => duration::validate(seconds, "--duration", duration::MFA_SESSION)?,
            (None, Some(text)) => duration::parse(
                text,
                &format!("duration_seconds of profile `{}`", source.profile),
                duration::MFA_SESSION,
            )?,
            (None, None) => duration::DEFAULT_SECONDS,
        };
        let margin = margin(args.margin)?;
        Ok(Plan {
            serial,
            code,
            mfa_process: resolved.mfa_process.clone(),
            sts_endpoints: resolved.sts_endpoints,
            duration,
            margin,
        })
    }
}

/// The refresh margin in seconds, checked.
pub fn margin(flag: Option<u64>) -> Result<i64, Error> {
    let seconds = flag.unwrap_or(duration::DEFAULT_MARGIN_SECONDS);
    if seconds > duration::MAX_SECONDS {
        return Err(Error::InvalidDuration {
            origin: "--margin".to_owned(),
            reason: format!(
                "{seconds} is longer than any session ({} s)",
                duration::MAX_SECONDS
            ),
        });
    }
    Ok(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// The refresh margin that applies to `session`, issued at `issued_at`: `margin`, but at most a
/// third of the session's actual length (expiry − issue time, so also when AWS granted less
/// than asked). A margin as long as the session would renew it on every call: a 900 s session
/// with the default 900 s margin would need a new code each time, and the second code within
/// 30 s would be refused.
pub fn margin_for(session: &Session, issued_at: Option<OffsetDateTime>, margin: i64) -> i64 {
    match issued_at {
        Some(issued) => margin.min((session.expiration - issued).whole_seconds() / 3),
        None => margin,
    }
}

/// Returns the session for the selected profile, from the cache or from STS: the MFA session
/// of a source profile, or for a role profile the role session on the MFA session of its
/// source (one code for every role built on it).
pub fn obtain(args: &SessionArgs, global: &GlobalArgs) -> Result<Obtained, Error> {
    let profiles = Profiles::load()?;
    let name = source::profile_name(args.profile.as_deref(), global.profile.as_deref());
    let resolved = profiles.resolve(&name)?;
    let roles = roles::plan(&resolved.roles, args.duration)?;
    let plan = Plan::new(args, &resolved)?;
    let region = source::region(global.region.as_deref(), resolved.region.as_deref());
    aws::check_region(&region).map_err(|reason| Error::Conflict(format!("region: {reason}")))?;
    let cache = Cache::from_env()?;
    let mfa = Mfa {
        global,
        source: &resolved.source,
        plan: &plan,
        region: &region,
        partition: serial::partition(plan.serial.as_deref(), &region),
        cache: &cache,
    };
    let session = if roles.is_empty() {
        mfa.session(args.refresh)?.session
    } else {
        let key = match &plan.serial {
            Some(serial) => mfa.key(serial),
            // The serial is discovered on the first MFA session, and known from it afterwards.
            None => match cache.find_by_access_key(&resolved.source.access_key_id) {
                Some(record) => record.key(),
                None => mfa.session(false)?.key(),
            },
        };
        let marker = mfa.marker();
        let context = roles::Context {
            cache: &cache,
            mfa: &key,
            source_profile: &resolved.source.profile,
            region: &region,
            endpoint_url: global.endpoint_url.as_deref(),
            sts_endpoints: resolved.sts_endpoints,
            margin: plan.margin,
            marker: &marker,
        };
        let mut mfa_session = || mfa.session(false).map(|record| record.session);
        roles::session(&context, &roles, args.refresh, &mut mfa_session)?
    };
    Ok(Obtained {
        session,
        resolved,
        region,
    })
}

/// The MFA session of one source profile.
struct Mfa<'a> {
    global: &'a GlobalArgs,
    source: &'a Source,
    plan: &'a Plan,
    region: &'a str,
    partition: String,
    cache: &'a Cache,
}

impl Mfa<'_> {
    fn key(&self, serial: &str) -> Key {
        Key {
            partition: self.partition.clone(),
            access_key_id: self.source.access_key_id.clone(),
            serial: serial.to_owned(),
        }
    }

    fn lock_path(&self) -> std::path::PathBuf {
        self.cache
            .lock_path(&self.partition, &self.source.access_key_id)
    }

    /// The file that exists while a holder of the lock asks for a code.
    fn marker(&self) -> std::path::PathBuf {
        self.lock_path().with_extension("prompting")
    }

    /// The session cached for this source, if any (expired or not).
    fn cached(&self) -> Option<Record> {
        match &self.plan.serial {
            Some(serial) => self.cache.get(&self.key(serial)),
            None => self.cache.find_by_access_key(&self.source.access_key_id),
        }
    }

    /// The cached session while it has more than the margin left (never with `refresh`).
    fn fresh(&self, refresh: bool) -> Option<Record> {
        if refresh {
            return None;
        }
        self.cached()
            .filter(|record| fresh(&record.session, record.issued_at, self.plan.margin))
    }

    /// The session: cached, or under the lock from STS with a new code.
    fn session(&self, refresh: bool) -> Result<Record, Error> {
        let name = &self.source.profile;
        if let Some(record) = self.fresh(refresh) {
            tracing::debug!(profile = %name, "cached session is still good");
            return Ok(record);
        }
        if std::env::var_os(code::ACTIVE_MARKER).is_some() {
            return Err(Error::Recursion);
        }
        let marker = self.marker();
        let _lock = wait_for_lock(
            &self.lock_path(),
            &marker,
            QUIET_WAIT,
            lock::DEFAULT_WAIT,
            || notice("waiting for another iam-mfa process to finish getting this session"),
        )?;
        // A marker here was left by a holder that died while asking: nobody is asking now.
        remove_marker(&marker);
        if let Some(record) = self.fresh(refresh) {
            tracing::debug!(profile = %name, "another process got the session while we waited");
            return Ok(record);
        }
        let runtime = aws::runtime().map_err(|err| Error::Runtime(err.to_string()))?;
        let previous = self.cached();
        let fetched = fetch(
            self.global,
            self.source,
            self.plan,
            self.region,
            previous.as_ref(),
            &marker,
        );
        let record = match runtime.block_on(fetched) {
            Ok(record) => record,
            Err(Error::NoCode { serial }) => {
                let previous = previous.filter(|_| !refresh);
                return usable_without_code(
                    previous,
                    |record| &record.session,
                    serial,
                    "the session",
                );
            }
            Err(err) => return Err(err),
        };
        self.cache.put(&record)?;
        Ok(record)
    }
}

/// How long a process waiting for the lock stays silent before saying why. The lock holder's
/// prompt usually explains the wait, and with many parallel callers (a build, a Terraform run)
/// their notices would bury that prompt.
pub const QUIET_WAIT: Duration = Duration::from_secs(3);

/// Takes the lock at `path`, waiting up to `wait`. `tell` runs once, after `quiet`, and only
/// while no holder is asking for a code (the `marker` file is absent): its prompt says why we
/// wait, and the notice would land in the middle of it on the same terminal.
pub fn wait_for_lock(
    path: &Path,
    marker: &Path,
    quiet: Duration,
    wait: Duration,
    mut tell: impl FnMut(),
) -> Result<lock::Lock, Error> {
    let deadline = Instant::now() + wait;
    let mut told = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let slice = if told { left } else { left.min(quiet) };
        match lock::acquire(path, slice, || {}) {
            Err(Error::LockTimeout(_)) if slice < left => {
                if !marker.exists() {
                    tell();
                    told = true;
                }
            }
            Err(Error::LockTimeout(_)) => return Err(Error::LockTimeout(wait.as_secs())),
            other => return other,
        }
    }
}

/// The marker file that exists while the lock holder asks for a code (prompt or
/// `mfa_process`); removed when dropped.
struct Asking<'a>(&'a Path);

impl<'a> Asking<'a> {
    fn start(marker: &'a Path) -> Asking<'a> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        if let Err(error) = options.open(marker) {
            // Only the waiters' notices depend on it.
            tracing::debug!(%error, "cannot create the prompt marker");
        }
        Asking(marker)
    }
}

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        remove_marker(self.0);
    }
}

fn remove_marker(marker: &Path) {
    if let Err(error) = std::fs::remove_file(marker)
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::debug!(%error, "cannot remove the prompt marker");
    }
}

/// Whether `session`, issued at `issued_at`, has more than its refresh margin left (see
/// [`margin_for`]), so it is handed out without renewal.
pub fn fresh(session: &Session, issued_at: Option<OffsetDateTime>, margin: i64) -> bool {
    session.seconds_left(OffsetDateTime::now_utc()) > margin_for(session, issued_at, margin)
}

/// What to hand out when renewal needs a code nobody can give here (no terminal, e.g. an IDE):
/// the cached `previous` while its session has more than a minute left, with a notice naming
/// `what` (a session still valid beats no credentials at all); else the `NoCode` error.
pub fn usable_without_code<T>(
    previous: Option<T>,
    session: impl Fn(&T) -> &Session,
    serial: String,
    what: &str,
) -> Result<T, Error> {
    let now = OffsetDateTime::now_utc();
    let Some(previous) =
        previous.filter(|cached| session(cached).seconds_left(now) > MIN_SECONDS_LEFT)
    else {
        return Err(Error::NoCode { serial });
    };
    notice(&format!(
        "cannot renew {what} (no way to get an MFA code here); using the cached one, which expires in {}",
        duration::human(session(&previous).seconds_left(now))
    ));
    Ok(previous)
}

/// The cold path: serial discovery if needed, the code, and one GetSessionToken per code.
async fn fetch(
    global: &GlobalArgs,
    source: &Source,
    plan: &Plan,
    region: &str,
    previous: Option<&Record>,
    marker: &Path,
) -> Result<Record, Error> {
    let long_term = Credentials::new(
        &source.access_key_id,
        source.secret()?.as_str(),
        None,
        None,
        "iam-mfa-source",
    );
    let options = ClientOptions {
        profile: Some(source.profile.clone()),
        region: Some(region.to_owned()),
        endpoint_url: global.endpoint_url.clone(),
        credentials: Some(long_term),
    };
    let config = aws::sdk_config(&options).await;
    let serial = match &plan.serial {
        Some(serial) => serial.clone(),
        None => {
            let found = serial::discover(&config, plan.sts_endpoints).await?;
            notice(&format!(
                "using MFA device {found}; `iam-mfa setup {}` saves it as mfa_serial",
                source.profile
            ));
            found
        }
    };
    let sources = Sources {
        flag: plan.code.as_ref(),
        process: plan.mfa_process.as_deref(),
    };
    let mut retry_reason: Option<String> = None;
    let mut rejected = 0;
    loop {
        let (code, origin) = {
            let _asking = Asking::start(marker);
            code::obtain(sources, &serial, retry_reason.as_deref())?
        };
        let now = OffsetDateTime::now_utc();
        if previous.is_some_and(|record| record.used_code_recently(&serial, code.as_str(), now)) {
            rejected += 1;
            if origin != Origin::Prompt || rejected >= code::PROMPT_ATTEMPTS {
                return Err(Error::CodeReused);
            }
            retry_reason = Some(Error::CodeReused.to_string());
            continue;
        }
        tracing::debug!(?origin, serial = %serial, duration = plan.duration, "calling sts:GetSessionToken");
        match sts::get_session_token(&config, plan.sts_endpoints, &serial, &code, plan.duration)
            .await
        {
            Ok(session) => {
                report_cap(
                    plan.duration,
                    session.seconds_left(OffsetDateTime::now_utc()),
                );
                let key = Key {
                    partition: serial::partition(Some(&serial), region),
                    access_key_id: source.access_key_id.clone(),
                    serial,
                };
                return Ok(
                    Record::new(&key, &source.profile, session).issued_with(code.as_str(), now)
                );
            }
            Err(err) if err.kind == aws::AwsErrorKind::CodeRejected && origin == Origin::Prompt => {
                rejected += 1;
                if rejected >= code::PROMPT_ATTEMPTS {
                    return Err(Error::Aws(err));
                }
                retry_reason = Some(err.advice());
            }
            Err(err) => return Err(Error::Aws(err)),
        }
    }
}

/// Says so when AWS granted less than was asked (root users get at most one hour).
fn report_cap(requested: u64, granted: i64) {
    let requested = i64::try_from(requested).unwrap_or(i64::MAX);
    if granted + 120 >= requested {
        return;
    }
    let root_cap = i64::try_from(duration::ROOT_MAX_SECONDS).unwrap_or(i64::MAX);
    if granted <= root_cap + 60 {
        notice(&format!(
            "AWS capped the session at {} instead of {}: root-user sessions last at most 1 h (use an IAM user)",
            duration::human(granted),
            duration::human(requested)
        ));
    } else {
        notice(&format!(
            "AWS granted {} instead of the requested {}",
            duration::human(granted),
            duration::human(requested)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_is_silent_while_the_holder_asks_and_tells_once_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let marker = path.with_extension("prompting");
        let quiet = Duration::from_millis(30);
        let held = lock::acquire(&path, Duration::ZERO, || {}).unwrap();

        let asking = Asking::start(&marker);
        assert!(marker.exists());
        let mut told = 0;
        let waited = wait_for_lock(&path, &marker, quiet, Duration::from_millis(200), || {
            told += 1;
        });
        assert!(matches!(waited, Err(Error::LockTimeout(_))));
        assert_eq!(told, 0, "silent while a prompt shows");
        drop(asking);
        assert!(!marker.exists());

        let mut told = 0;
        let waited = wait_for_lock(&path, &marker, quiet, Duration::from_millis(200), || {
            told += 1;
        });
        assert!(matches!(waited, Err(Error::LockTimeout(_))));
        assert_eq!(told, 1, "told once");

        drop(held);
        let mut told = 0;
        assert!(wait_for_lock(&path, &marker, quiet, Duration::ZERO, || told += 1).is_ok());
        assert_eq!(told, 0);
    }
}
