//! `iam-mfa audit`: who in the account escapes MFA, proven per user.
//!
//! Gather once ([`gather`]: a handful of account-wide calls whose number grows only with
//! pagination, plus `GetLoginProfile` for the few users whose lock-out it decides), decide
//! locally ([`decide`]: the doctor's exhaustive check once per distinct policy set, the
//! credential facts per user (access-key hygiene among them: [`key_hygiene`]), and who can
//! assume each role without MFA), report ([`render`]: text, JSON, CSV, SARIF; `--fail-on`).

mod account;
pub mod credential_report;
mod credentials;
pub mod decide;
pub mod details;
pub mod facts;
pub mod gather;
pub mod key_hygiene;
pub mod render;
pub mod report;
mod roles;

use std::time::Instant;

use crate::args::GlobalArgs;
use crate::iam::Error;
use crate::iam::client::{Clients, with_clients};
use crate::ui::exit::{Code, Coded};
use crate::ui::output::{self, OutputFormat};
use crate::ui::progress::Progress;
use mfa_doctor::{Intent, Severity};
use report::AuditReport;

/// `iam-mfa audit`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Exit with code 6 when a finding is at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub intent: Intent,
    #[command(flatten)]
    pub keys: key_hygiene::KeyLimits,
    /// Items per page (`MaxItems`) of the IAM list calls (default: 1000, the most IAM allows,
    /// for the fewest requests).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub page_size: Option<i32>,
}

/// The output formats `audit` prints besides text and JSON.
pub const FORMATS: [OutputFormat; 2] = [OutputFormat::Csv, OutputFormat::Sarif];

/// Runs the audit and prints the report; exit code 6 when findings reach `--fail-on`.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Coded> {
    let report = with_clients(global, |admin| async move { audit(&admin, args).await })
        .map_err(Coded::from_failure)?;
    output::print(&report, global.output)
        .map_err(|e| Coded::failure(anyhow::anyhow!("cannot write the output: {e}")))?;
    Ok(if render::fails(&report, args.fail_on) {
        Code::Findings.into()
    } else {
        Code::Success.into()
    })
}

/// Gathers, analyses and decides; `--debug` logs how long each phase took.
pub async fn audit(admin: &Clients, args: &Args) -> Result<AuditReport, Error> {
    let started = Instant::now();
    let gathering = Progress::start("Gathering account data");
    let mut gathered = gather::gather(admin, args.page_size).await?;
    drop(gathering);
    tracing::debug!(elapsed = ?started.elapsed(), users = gathered.users.len(), "gathered");
    let analysing = Progress::start("Analysing policy sets");
    let analysis = decide::analyse(
        &gathered,
        &args.intent,
        iam_catalog::catalog(),
        &|n| analysing.set_length(n),
        &|| analysing.tick(),
    );
    drop(analysing);
    tracing::debug!(elapsed = ?started.elapsed(), sets = analysis.sets(), "analysed");
    let needed = decide::login_profiles_needed(&gathered, &analysis, &args.intent);
    if !needed.is_empty() {
        let reading = Progress::start("Reading login profiles");
        reading.set_length(needed.len());
        gathered.login_profiles =
            gather::login_profiles(admin, &needed, &|| reading.tick()).await?;
    }
    tracing::debug!(elapsed = ?started.elapsed(), login_profiles = needed.len(), "login profiles read");
    let report = decide::decide(
        &gathered,
        &analysis,
        &args.intent,
        args.keys,
        time::OffsetDateTime::now_utc(),
        iam_catalog::catalog(),
    );
    tracing::debug!(elapsed = ?started.elapsed(), "decided");
    Ok(report)
}
