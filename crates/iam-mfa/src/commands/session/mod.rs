//! MFA sessions for the CLI and SDKs: `login`, `process`, `exec`, `env`, `status`, `logout`,
//! `setup`, for a source profile (its MFA session) or a role profile (a role session on its
//! source's MFA session). One module per command over the session machinery (`crate::session`); the helpers
//! here are for the commands that write profile sections (`login`, `logout`, `setup`).

mod env;
mod environment;
mod exec;
mod login;
mod logout;
mod process;
mod setup;
mod status;

use crate::args::GlobalArgs;
use crate::session::{Error, source, update_file};
use crate::ui::output::{self, Report};

/// The session commands. Each takes a source profile (long-term keys: its MFA session) or a role
/// profile (`role_arn` + `source_profile`: a role session assumed on the source's MFA session, so
/// one code serves every role).
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Get a session (MFA, or a role profile's role session) and write it to the credentials file as `[PROFILE-mfa]`.
    Login(login::LoginArgs),
    /// Print the session as `credential_process` JSON (cached; prompts only when needed).
    Process(process::ProcessArgs),
    /// Run a command with the session in its environment.
    Exec(exec::ExecArgs),
    /// Print shell commands that export (or `--unset`) the session variables.
    Env(env::EnvArgs),
    /// Show the time left of cached MFA and role sessions; exit 0 valid, 3 expiring, 4 expired or none.
    Status(status::StatusArgs),
    /// Forget cached sessions (a source's: also the role sessions on it) and the section `login` wrote.
    Logout(logout::LogoutArgs),
    /// Configure `[profile PROFILE-mfa]` with `credential_process` for the CLI and SDKs (also for role profiles).
    Setup(setup::SetupArgs),
}

/// Runs one session command; returns the exit code.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Error> {
    match command {
        Command::Login(args) => login::run(&args, global),
        Command::Process(args) => process::run(&args, global),
        Command::Exec(args) => exec::run(args, global),
        Command::Env(args) => env::run(&args, global),
        Command::Status(args) => status::run(&args, global),
        Command::Logout(args) => logout::run(&args, global),
        Command::Setup(args) => setup::run(&args, global),
    }
}

/// Prints a session command's result in the `--output` format; a closed or full stdout is
/// [`Error::Output`].
fn print(report: &impl Report, global: &GlobalArgs) -> Result<(), Error> {
    output::print(report, global.output).map_err(Error::Output)
}

/// Refuses to write section `section` of `doc` (read from `path`) unless every copy of it carries our mark:
/// with two copies, one hand-written, neither may be overwritten or removed. `header` is the section as written
/// in the file (`work-mfa`, `profile work-mfa`), for the message.
fn check_owned(
    doc: &aws_profiles::Document,
    section: &str,
    header: &str,
    path: &std::path::Path,
) -> Result<(), Error> {
    match foreign_copy(doc, section) {
        Some(line) => Err(Error::NotOwned {
            section: header.to_owned(),
            path: path.to_owned(),
            line,
        }),
        None => Ok(()),
    }
}

/// The line of the first copy of `section` in `doc` that lacks our mark, if any.
fn foreign_copy(doc: &aws_profiles::Document, section: &str) -> Option<usize> {
    doc.profile_copies(section)
        .into_iter()
        .find(|copy| !marked(copy))
        .map(|copy| copy.line())
}

/// Whether some copy of `section` in `doc` carries our mark.
fn any_copy_marked(doc: &aws_profiles::Document, section: &str) -> bool {
    doc.profile_copies(section).iter().any(marked)
}

/// Whether one copy of a section carries our mark (`x_iam_mfa_managed = true`).
fn marked(copy: &aws_profiles::SectionCopy<'_>) -> bool {
    copy.get(source::MANAGED_KEY) == Some("true")
}
