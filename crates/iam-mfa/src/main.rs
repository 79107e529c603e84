//! iam-mfa: enforce and use MFA on AWS IAM. Parses the command line, sets up logging and
//! dispatches to the command modules; everything else lives in the library.
#![forbid(unsafe_code)]

use clap::{CommandFactory, Parser, Subcommand};
use iam_mfa::{admin, audit, aws::GlobalArgs, policy_cmd, session, ui};
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
    /// Find who in the account escapes MFA: console users without MFA, users whose policies do
    /// not force MFA, first sign-in lock-outs, root MFA, orphaned devices. Exit code 6 when a
    /// finding reaches --fail-on.
    Audit(audit::Args),
}

fn main() -> ExitCode {
    iam_mfa::core_dumps::disable();
    let cli = Cli::parse();
    if let Err(message) = cli.global.validate() {
        Cli::command()
            .error(clap::error::ErrorKind::InvalidValue, message)
            .exit();
    }
    let (name, formats) = match &cli.command {
        Command::Policy { command } => command.formats(),
        Command::Audit(_) => ("audit", &audit::FORMATS[..]),
        Command::Session(_) | Command::Admin(_) => ("this command", &[][..]),
    };
    if let Err(message) = cli.global.output.ensure(name, formats) {
        Cli::command()
            .error(clap::error::ErrorKind::InvalidValue, message)
            .exit();
    }
    ui::log::init(cli.global.debug);
    match cli.command {
        Command::Session(command) => ui::exit::finish(session::run(command, &cli.global)),
        Command::Admin(command) => ui::exit::finish(admin::run(command, &cli.global)),
        Command::Policy { command } => ui::exit::finish(policy_cmd::run(command, &cli.global)),
        Command::Audit(args) => ui::exit::finish(audit::run(&args, &cli.global)),
    }
}
