//! `status`: time left of cached sessions, with exit codes for cron jobs and shell prompts:
//! 0 all valid, 3 one expires within the refresh margin, 4 one has expired or there is none.

use super::print;
use crate::args::GlobalArgs;
use crate::session::cache::{Cache, Record};
use crate::session::obtain::{margin, margin_for};
use crate::session::source::profile_name;
use crate::session::{Error, duration};
use crate::ui::exit::Code;
use crate::ui::output::Report;
use serde::Serialize;
use time::OffsetDateTime;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// Source profile [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE", conflicts_with = "all", value_parser = crate::names::parse_profile_name)]
    profile: Option<String>,
    /// Every cached session.
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

#[derive(Serialize)]
struct Entry {
    profile: String,
    serial: String,
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
    let records: Vec<Record> = cache
        .records()
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    let wanted =
        (!args.all).then(|| profile_name(args.profile.as_deref(), global.profile.as_deref()));
    let now = OffsetDateTime::now_utc();
    let sessions: Vec<Entry> = match &wanted {
        None => records
            .iter()
            .map(|record| entry(record, now, margin))
            .collect(),
        Some(name) => records
            .iter()
            .filter(|record| &record.profile == name)
            .max_by_key(|record| record.session.expiration)
            .map(|record| entry(record, now, margin))
            .into_iter()
            .collect(),
    };
    let worst = sessions.iter().map(|entry| entry.state).max();
    let report = StatusReport { sessions, wanted };
    print(&report, global)?;
    let code = match worst {
        Some(State::Valid) => Code::Success,
        Some(State::Expiring) => Code::Expiring,
        Some(State::Expired) | None => Code::Expired,
    };
    Ok(code.into())
}

fn entry(record: &Record, now: OffsetDateTime, margin: i64) -> Entry {
    let left = record.session.seconds_left(now);
    let state = if left <= 0 {
        State::Expired
    } else if left <= margin_for(record, margin) {
        State::Expiring
    } else {
        State::Valid
    };
    Entry {
        profile: record.profile.clone(),
        serial: record.serial.clone(),
        expiration: record.session.expiration_rfc3339(),
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
                let when = if entry.seconds_left > 0 {
                    format!(
                        "expires {} (in {})",
                        entry.expiration,
                        duration::human(entry.seconds_left)
                    )
                } else {
                    format!(
                        "expired {} ({} ago)",
                        entry.expiration,
                        duration::human(entry.seconds_left)
                    )
                };
                let state = match entry.state {
                    State::Valid => "valid",
                    State::Expiring => "expiring",
                    State::Expired => "expired",
                };
                format!("{}: {state}, {when}, {}\n", entry.profile, entry.serial)
            })
            .collect()
    }
}
