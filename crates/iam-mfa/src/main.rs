//! iam-mfa: enforce and use MFA on AWS IAM. Parses the command line, sets up logging and
//! dispatches to the command modules; everything else lives in the library.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use iam_mfa::{admin, aws::GlobalArgs, policy_cmd, session, ui};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "iam-mfa",
    version,
    about = "Make MFA on AWS IAM enforced and painless"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Session(session::Command),
    #[command(flatten)]
    Admin(admin::Command),
    /// Work on identity policies offline: simulate requests, check and generate force-MFA policies.
    Policy {
        #[command(subcommand)]
        command: policy_cmd::Command,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ui::log::init(cli.global.debug);
    match cli.command {
        Command::Session(command) => ui::exit::finish(session::run(command, &cli.global)),
        Command::Admin(command) => ui::exit::finish(admin::run(command, &cli.global)),
        Command::Policy { command } => ui::exit::finish(policy_cmd::run(command, &cli.global)),
    }
}
