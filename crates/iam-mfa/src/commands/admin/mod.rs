//! Administering MFA: `devices`, `reset`, `prune`, `enroll`, `enforce`, `onboard`.
//!
//! A command gathers what it needs from IAM, decides locally which mutating calls it would
//! make (a list of [`plan::Action`]s), then prints them (`--dry-run`), asks for confirmation
//! (unless `--yes`) and runs them. Each returns a result that implements
//! [`crate::ui::output::Report`], printed as text or `--output json`.

mod device_table;
pub mod devices;
pub mod enforce;
pub mod enroll;
mod error;
pub mod mfa_policy;
pub mod onboard;
pub mod password;
pub mod plan;
pub mod prune;
pub mod reset;
pub mod totp;

pub use error::Error;

use crate::args::GlobalArgs;
use crate::iam::client::{Clients, with_clients};
use crate::ui::output::{self as report, OutputFormat, Report};
use crate::ui::prompt::Console;

/// Administrator commands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List MFA devices (virtual, FIDO, hardware) per user or account-wide.
    Devices(devices::Args),
    /// Recover from a lost MFA device: deactivate (and delete, when virtual) a user's device(s).
    Reset(reset::Args),
    /// Delete virtual MFA devices assigned to nobody (left over from abandoned enrolments).
    Prune(prune::Args),
    /// Enrol a virtual MFA device: QR code, two consecutive codes, enabled.
    Enroll(enroll::Args),
    /// Make a group enforce MFA: force-MFA policy, attachments, members, password policy.
    Enforce(enforce::Args),
    /// Create a console user in a group, without the first-sign-in lockout.
    Onboard(onboard::Args),
}

/// Runs one admin command and prints its report; returns the exit code.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Error> {
    with_clients(global, |admin| async move {
        let mut console = Console::open();
        dispatch(&admin, command, &mut console, global).await
    })?;
    Ok(0)
}

async fn dispatch(
    admin: &Clients,
    command: Command,
    console: &mut Console,
    global: &GlobalArgs,
) -> Result<(), Error> {
    let output = global.output;
    match command {
        Command::Devices(args) => print(&devices::run(admin, &args).await?, output),
        Command::Reset(args) => print(&reset::run(admin, &args, console).await?, output),
        Command::Prune(args) => print(&prune::run(admin, &args, console).await?, output),
        Command::Enroll(args) => print(&enroll::run(admin, &args, console).await?, output),
        Command::Enforce(args) => print(&enforce::run(admin, &args, console).await?, output),
        Command::Onboard(args) => print(&onboard::run(admin, &args, console).await?, output),
    }
}

/// Prints a command's result; a closed or full stdout is [`Error::Output`].
fn print(report: &impl Report, output: OutputFormat) -> Result<(), Error> {
    report::print(report, output).map_err(Error::Output)
}
