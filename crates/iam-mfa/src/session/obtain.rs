//! Getting a session: validate every input, reuse the cache while the session has more than the
//! refresh margin left, else take the per-key lock (single flight), look again, and only then
//! start a runtime, find the serial, get a code and call STS once.

use super::cache::{Cache, Key, Record};
use super::code::{self, Code, Origin, Sources};
use super::source::{Profiles, Source};
use super::{Error, duration, lock, serial, source, sts};
use crate::aws::{self, ClientOptions, GlobalArgs};
use crate::ui::tty::notice;
use aws_sdk_sts::config::Credentials;
use time::OffsetDateTime;

/// A session with less time left than this is never handed out.
const MIN_SECONDS_LEFT: i64 = 60;

/// Options shared by the commands that need a session.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SessionArgs {
    /// Source profile holding the long-term keys [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,
    /// MFA device serial or ARN [default: the profile's mfa_serial, else the caller's only device].
    #[arg(long, value_name = "SERIAL")]
    pub serial: Option<String>,
    /// The current MFA code [default: the profile's mfa_process, else a prompt on the terminal].
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Session length in seconds, 900..=129600 [default: the profile's duration_seconds, else 43200].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Renew the session when less than this many seconds are left [default: 900].
    #[arg(long, value_name = "SECONDS", env = "IAM_MFA_REFRESH_MARGIN")]
    pub margin: Option<u64>,
    /// Get a new session even if the cached one is still good.
    #[arg(long)]
    pub refresh: bool,
}

/// A session ready to use, with where it came from.
pub struct Obtained {
    pub record: Record,
    pub source: Source,
    pub profiles: Profiles,
    /// The region in effect (flag, environment, profile or fallback).
    pub region: String,
}

/// Inputs checked before anything is asked or sent.
struct Plan {
    serial: Option<String>,
    code: Option<Code>,
    duration: u64,
    margin: i64,
}

impl Plan {
    fn new(args: &SessionArgs, source: &Source) -> Result<Plan, Error> {
        let serial = args.serial.clone().or_else(|| source.mfa_serial.clone());
        if let Some(serial) = &serial {
            serial::validate(serial)?;
        }
        let code = args.code.as_deref().map(Code::parse).transpose()?;
        let duration = match (args.duration, &source.duration_seconds) {
            (Some(seconds), _) => duration::validate(seconds, "--duration")?,
            (None, Some(text)) => duration::parse(
                text,
                &format!("duration_seconds of profile `{}`", source.profile),
            )?,
            (None, None) => duration::DEFAULT_SECONDS,
        };
        let margin = margin(args.margin)?;
        Ok(Plan {
            serial,
            code,
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

/// Returns a session for the selected source profile, from the cache or from STS.
pub fn obtain(args: &SessionArgs, global: &GlobalArgs) -> Result<Obtained, Error> {
    let profiles = Profiles::load()?;
    let name = source::profile_name(args.profile.as_deref(), global.profile.as_deref());
    let source = profiles.source(&name)?;
    let plan = Plan::new(args, &source)?;
    let region = source::region(global.region.as_deref(), &source);
    aws::check_region(&region).map_err(|reason| Error::Conflict(format!("region: {reason}")))?;
    let partition = serial::partition(plan.serial.as_deref(), &region);
    let cache = Cache::from_env()?;
    let cached = || match &plan.serial {
        Some(serial) => cache.get(&Key {
            partition: partition.clone(),
            access_key_id: source.access_key_id.clone(),
            serial: serial.clone(),
        }),
        None => cache.find_by_access_key(&source.access_key_id),
    };
    let lookup = || -> Option<Record> {
        if args.refresh {
            return None;
        }
        let record = cached()?;
        (record.session.seconds_left(OffsetDateTime::now_utc()) > plan.margin).then_some(record)
    };
    let done = |record: Record, profiles: Profiles, source: Source, region: String| Obtained {
        record,
        source,
        profiles,
        region,
    };
    if let Some(record) = lookup() {
        tracing::debug!(profile = %name, "cached session is still good");
        return Ok(done(record, profiles, source, region));
    }
    if std::env::var_os(code::ACTIVE_MARKER).is_some() {
        return Err(Error::Recursion);
    }
    let _lock = lock::acquire(
        &cache.lock_path(&partition, &source.access_key_id),
        lock::DEFAULT_WAIT,
        || {
            notice(
                "waiting for another iam-mfa process to finish getting this session (it may be asking for a code)",
            )
        },
    )?;
    if let Some(record) = lookup() {
        tracing::debug!(profile = %name, "another process got the session while we waited");
        return Ok(done(record, profiles, source, region));
    }
    let runtime = aws::runtime().map_err(|err| Error::Runtime(err.to_string()))?;
    let previous = cached();
    let record = match runtime.block_on(fetch(global, &source, &plan, &region, previous.as_ref())) {
        Ok(record) => record,
        Err(Error::NoCode { serial }) => {
            // Renewal inside the margin needs a code nobody can give here (no terminal, e.g. an
            // IDE): a session that is still valid beats no credentials at all.
            let Some(record) = previous.filter(|record| still_usable(record) && !args.refresh)
            else {
                return Err(Error::NoCode { serial });
            };
            notice(&format!(
                "cannot renew the session (no way to get an MFA code here); using the cached one, which expires in {}",
                duration::human(record.session.seconds_left(OffsetDateTime::now_utc()))
            ));
            return Ok(done(record, profiles, source, region));
        }
        Err(err) => return Err(err),
    };
    cache.put(&record)?;
    Ok(done(record, profiles, source, region))
}

/// Whether a session past the refresh margin can still be handed out when renewal is impossible.
fn still_usable(record: &Record) -> bool {
    record.session.seconds_left(OffsetDateTime::now_utc()) > MIN_SECONDS_LEFT
}

/// The cold path: serial discovery if needed, the code, and one GetSessionToken per code.
async fn fetch(
    global: &GlobalArgs,
    source: &Source,
    plan: &Plan,
    region: &str,
    previous: Option<&Record>,
) -> Result<Record, Error> {
    let long_term = Credentials::new(
        &source.access_key_id,
        &source.secret_access_key,
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
            let found = serial::discover(&config).await?;
            notice(&format!(
                "using MFA device {found}; `iam-mfa setup {}` saves it as mfa_serial",
                source.profile
            ));
            found
        }
    };
    let sources = Sources {
        flag: plan.code.as_ref(),
        process: source.mfa_process.as_deref(),
    };
    let mut retry_reason: Option<String> = None;
    let mut rejected = 0;
    loop {
        let (code, origin) = code::obtain(sources, &serial, retry_reason.as_deref())?;
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
        match sts::get_session_token(&config, &serial, &code, plan.duration).await {
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
            Err(err) if err.kind == sts::AwsErrorKind::CodeRejected && origin == Origin::Prompt => {
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
