//! `status`: time left of cached sessions (MFA sessions and the role sessions on them), with exit
//! codes for cron jobs and shell prompts: 0 all valid, 3 one expires within the refresh margin,
//! 4 one has expired or there is none.

use super::print;
use crate::args::GlobalArgs;
use crate::session::cache::{Cache, Session};
use crate::session::obtain::{margin, margin_for};
use crate::session::roles;
use crate::session::source::profile_name;
use crate::session::{Error, duration};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use serde::Serialize;
use time::OffsetDateTime;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// Source or role profile [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE", conflicts_with = "all", value_parser = crate::names::parse_profile_name)]
    profile: Option<String>,
    /// Every cached session: each MFA session and each role session.
    #[arg(long)]
    all: bool,
    /// A session with less than this many seconds left counts as expiring, at most a third of
    /// the session's length [default: 900].
    #[arg(long, value_name = "SECONDS", env = "IAM_MFA_REFRESH_MARGIN")]
    margin: Option<u64>,
}

/// The state of one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
enum State {
    Valid,
    Expiring,
    Expired,
}

/// Which kind of session an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// GetSessionToken with the MFA code.
    Mfa,
    /// AssumeRole on an MFA session (or on another role's session).
    Role,
}

#[derive(Serialize)]
struct Entry {
    kind: Kind,
    profile: String,
    /// The MFA device the session (or the MFA session under a role session) was obtained with.
    serial: String,
    /// For a role session: the role and the source profile whose MFA session it is built on.
    role_arn: Option<String>,
    source_profile: Option<String>,
    #[serde(flatten)]
    time: Timing,
}

/// When a session expires, and what that makes it now.
#[derive(Serialize)]
struct Timing {
    expiration: String,
    seconds_left: i64,
    state: State,
}

/// The sessions `status` was asked about.
#[derive(Serialize)]
struct StatusReport {
    sessions: Vec<Entry>,
    /// The one profile asked about (`None` for `--all`), for the text when it has no session.
    #[serde(skip)]
    wanted: Option<String>,
}

pub fn run(args: &StatusArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let margin = margin(args.margin)?;
    let cache = Cache::from_env()?;
    let now = OffsetDateTime::now_utc();
    let mfa = cache.records().into_iter().map(|(_, record)| Entry {
        kind: Kind::Mfa,
        profile: record.profile.clone(),
        serial: record.serial.clone(),
        role_arn: None,
        source_profile: None,
        time: timing(&record.session, record.issued_at, now, margin),
    });
    let role = roles::records(&cache).into_iter().map(|(_, record)| Entry {
        kind: Kind::Role,
        profile: record.profile.clone(),
        serial: record.serial.clone(),
        role_arn: Some(record.role_arn.clone()),
        source_profile: Some(record.source_profile.clone()),
        time: timing(&record.session, Some(record.issued_at), now, margin),
    });
    let entries: Vec<Entry> = mfa.chain(role).collect();
    let wanted =
        (!args.all).then(|| profile_name(args.profile.as_deref(), global.profile.as_deref()));
    let sessions: Vec<Entry> = match &wanted {
        None => entries,
        Some(name) => entries
            .into_iter()
            .filter(|entry| &entry.profile == name)
            .max_by_key(|entry| entry.time.seconds_left)
            .into_iter()
            .collect(),
    };
    let worst = sessions.iter().map(|entry| entry.time.state).max();
    let report = StatusReport { sessions, wanted };
    print(&report, global)?;
    let code = match worst {
        Some(State::Valid) => Code::Success,
        Some(State::Expiring) => Code::Expiring,
        Some(State::Expired) | None => Code::Expired,
    };
    Ok(code.into())
}

/// The timing of `session`, issued at `issued_at`.
fn timing(
    session: &Session,
    issued_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
    margin: i64,
) -> Timing {
    let left = session.seconds_left(now);
    let state = if left <= 0 {
        State::Expired
    } else if left <= margin_for(session, issued_at, margin) {
        State::Expiring
    } else {
        State::Valid
    };
    Timing {
        expiration: session.expiration_rfc3339(),
        seconds_left: left,
        state,
    }
}

impl Report for StatusReport {
    fn text(&self) -> String {
        if self.sessions.is_empty() {
            return match &self.wanted {
                Some(name) => format!("{name}: no session\n"),
                None => "no sessions\n".to_owned(),
            };
        }
        self.sessions
            .iter()
            .map(|entry| {
                let when = if entry.time.seconds_left > 0 {
                    format!(
                        "expires {} (in {})",
                        entry.time.expiration,
                        duration::human(entry.time.seconds_left)
                    )
                } else {
                    format!(
                        "expired {} ({} ago)",
                        entry.time.expiration,
                        duration::human(entry.time.seconds_left)
                    )
                };
                let state = match entry.time.state {
                    State::Valid => "valid",
                    State::Expiring => "expiring",
                    State::Expired => "expired",
                };
                match (&entry.role_arn, &entry.source_profile) {
                    (Some(role), Some(source)) => format!(
                        "{}: {state}, {when}, role {role} on the MFA session of `{source}`\n",
                        entry.profile
                    ),
                    _ => format!("{}: {state}, {when}, {}\n", entry.profile, entry.serial),
                }
            })
            .collect()
    }
}
