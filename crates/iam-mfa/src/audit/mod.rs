//! `iam-mfa audit`: who in the account escapes MFA, proven per user.
//!
//! Gather once ([`gather`]: a handful of account-wide calls whose number grows only with
//! pagination, plus `GetLoginProfile` for the few users whose lock-out it decides), decide
//! locally ([`decide`]: the doctor's exhaustive check once per distinct policy set, the
//! credential facts per user), report ([`render`]: text, JSON, CSV, SARIF; `--fail-on`).

pub mod credential_report;
pub mod decide;
pub mod details;
pub mod facts;
pub mod gather;
mod progress;
pub mod render;
pub mod report;

use crate::admin::Error;
use crate::admin::context::{self, Admin, Listing};
use crate::aws::{self, GlobalArgs};
use crate::doctor::{Intent, Severity};
use crate::ui::exit::Code;
use crate::ui::output::{self, OutputFormat};
use progress::Progress;
use report::Report;

/// `iam-mfa audit`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Exit with code 6 when a finding is at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub intent: Intent,
    #[command(flatten)]
    pub listing: Listing,
}

/// The output formats `audit` prints besides text and JSON.
pub const FORMATS: [OutputFormat; 2] = [OutputFormat::Csv, OutputFormat::Sarif];

/// Runs the audit and prints the report; exit code 6 when findings reach `--fail-on`.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Error> {
    let credentials = context::mfa_credentials(global)?;
    let runtime = aws::runtime().map_err(Error::Runtime)?;
    let report = runtime.block_on(async {
        let admin = Admin::connect(global, credentials).await;
        audit(&admin, args).await
    })?;
    print!("{}", format(&report, global.output)?);
    Ok(if render::fails(&report, args.fail_on) {
        Code::Findings.into()
    } else {
        Code::Success.into()
    })
}

/// Gathers, analyses and decides.
pub async fn audit(admin: &Admin, args: &Args) -> Result<Report, Error> {
    let gathering = Progress::start("Gathering account data");
    let mut gathered = gather::gather(&admin.iam, args.listing.page_size).await?;
    drop(gathering);
    let analysing = Progress::start("Analysing policy sets");
    let analysis = decide::analyse(
        &gathered,
        &args.intent,
        iam_catalog::catalog(),
        &|n| analysing.set_length(n),
        &|| analysing.tick(),
    );
    drop(analysing);
    let needed = decide::login_profiles_needed(&gathered, &analysis, &args.intent);
    if !needed.is_empty() {
        let reading = Progress::start("Reading login profiles");
        reading.set_length(needed.len());
        gathered.login_profiles =
            gather::login_profiles(&admin.iam, &needed, &|| reading.tick()).await?;
    }
    Ok(decide::decide(&gathered, &analysis, &args.intent))
}

/// The report in `format`.
pub fn format(report: &Report, format: OutputFormat) -> Result<String, Error> {
    Ok(match format {
        OutputFormat::Text => render::text(report),
        OutputFormat::Json => output::to_json_line(report)?,
        OutputFormat::Csv => {
            render::csv(report).map_err(|e| Error::Terminal(std::io::Error::other(e)))?
        }
        OutputFormat::Sarif => output::to_json_line(&render::sarif(report))?,
    })
}
