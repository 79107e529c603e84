//! `iam-mfa policy …`: identity policies with the `iam-policy` engine and the doctor: simulate
//! and generate offline, check files offline or a user's or group's policies read from IAM.

pub mod check;
pub mod generate;
pub mod simulate;
pub mod sources;

use clap::Subcommand;

use crate::args::GlobalArgs;
use crate::ui::exit::Coded;
use crate::ui::output::OutputFormat;

/// The `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate requests against identity policies offline, as IAM would decide them.
    ///
    /// One request from flags prints the decision and the deciding statements (`--explain`
    /// adds a per-statement trace); `--requests FILE|-` evaluates JSON Lines, one result line per
    /// request, in input order. With --resource-policy (a role trust policy or another
    /// resource-based policy) and --principal, identity and resource policies are decided
    /// together, same-account or cross-account, as AWS does. Exit code 0 when every request was evaluated, 1 when some line
    /// could not be (its result line carries an "error"), 2 for bad flags or policies.
    Simulate(simulate::Args),
    /// Prove that a policy set forces MFA without locking users out, exhaustively.
    ///
    /// Evaluates every action of the embedded catalog for the user in three credential states
    /// (long-term keys, temporary credentials without MFA, with MFA) and reports findings with
    /// a stable id, severity, evidence (action, example resource, deciding statements) and fix.
    /// Policies come from files (FILE… or --policy), the embedded AWS-managed set (--managed), or the
    /// account (--user, --group). With --trust FILE or --role NAME, also proves who can assume
    /// the role without MFA (the user checked, or each principal the trust policy names).
    /// Exit code 6 when a finding reaches --fail-on, 2 for bad input.
    Check(Box<check::Args>),
    /// Print a force-MFA identity policy that is correct by construction.
    ///
    /// Self-service before MFA (enrol an own virtual MFA device, change the own password, get an
    /// MFA session for the CLI), scoped to the signed-in user (with or without an IAM path);
    /// everything else denied unless MFA is present (BoolIfExists, so long-term access keys are
    /// denied too). `policy check` passes it with no findings. With --trust, a role trust policy
    /// that lets the named accounts or principals assume the role only with MFA.
    Generate(generate::Args),
}

/// The output formats a `policy` subcommand (by name) prints beyond text and JSON.
pub fn extra_formats(subcommand: &str) -> &'static [OutputFormat] {
    match subcommand {
        "check" => &[OutputFormat::Sarif],
        _ => &[],
    }
}

/// Runs a `policy` subcommand.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Coded> {
    match command {
        Command::Simulate(args) => simulate::run(&args, global),
        Command::Check(args) => check::run(&args, global),
        Command::Generate(args) => generate::run(&args),
    }
}
