//! MFA sessions for the CLI and SDKs: `login`, `process`, `exec`, `env`, `status`, `logout`,
//! `setup`. One module per command; the shared machinery is `obtain` (cache → lock → STS),
//! `cache`, `lock`, `code`, `serial`, `sts`, `duration`, `source` and `environment`.

pub mod cache;
mod code;
mod duration;
mod env_cmd;
mod environment;
mod exec;
mod lock;
mod login;
mod logout;
mod obtain;
mod process;
mod serial;
mod setup;
mod source;
mod status;
mod sts;

use crate::aws::GlobalArgs;
use crate::ui::exit::{Code, Failure};
use std::path::PathBuf;

pub use cache::Session;
pub use obtain::{SessionArgs, obtain};
pub use sts::{AwsError, AwsErrorKind, classify};

/// The session commands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Get an MFA session and write it to the credentials file as `[PROFILE-mfa]`.
    Login(login::LoginArgs),
    /// Print the session as `credential_process` JSON (cached; prompts only when needed).
    Process(process::ProcessArgs),
    /// Run a command with the session in its environment.
    Exec(exec::ExecArgs),
    /// Print shell commands that export (or `--unset`) the session variables.
    Env(env_cmd::EnvArgs),
    /// Show the time left of cached sessions; exit 0 valid, 3 expiring, 4 expired or none.
    Status(status::StatusArgs),
    /// Forget a cached session and remove the credentials section `login` wrote.
    Logout(logout::LogoutArgs),
    /// Configure `[profile PROFILE-mfa]` with `credential_process` for the CLI and SDKs.
    Setup(setup::SetupArgs),
}

/// Runs one session command; returns the exit code.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Error> {
    match command {
        Command::Login(args) => login::run(&args, global),
        Command::Process(args) => process::run(&args, global),
        Command::Exec(args) => exec::run(args, global),
        Command::Env(args) => env_cmd::run(&args, global),
        Command::Status(args) => status::run(&args, global),
        Command::Logout(args) => logout::run(&args, global),
        Command::Setup(args) => setup::run(&args, global),
    }
}

/// Errors of the session commands. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Profiles(#[from] aws_profiles::Error),
    #[error("cannot edit the profile: {0}")]
    Edit(#[from] aws_profiles::EditError),
    #[error("profile `{profile}` is in neither {} nor {}", .config.display(), .credentials.display())]
    ProfileNotFound {
        profile: String,
        config: PathBuf,
        credentials: PathBuf,
    },
    #[error("profile `{profile}` cannot be the source of an MFA session: {reason}")]
    NotASource { profile: String, reason: String },
    #[error("invalid MFA code: {0}")]
    InvalidCode(String),
    #[error("invalid duration in {origin}: {reason}")]
    InvalidDuration { origin: String, reason: String },
    #[error("invalid MFA serial `{serial}`: {reason}")]
    InvalidSerial { serial: String, reason: String },
    #[error(
        "no MFA device found for {identity}: enroll one, or pass --serial / set mfa_serial if it belongs to another user"
    )]
    NoSerial { identity: String },
    #[error("the user has several MFA devices ({}); choose one with --serial or mfa_serial (`iam-mfa setup --serial ...`)", .serials.join(", "))]
    SeveralDevices { serials: Vec<String> },
    #[error(
        "an MFA code for {serial} is needed but there is no way to get one: no --code, no mfa_process in the profile, and no terminal to prompt on"
    )]
    NoCode { serial: String },
    #[error(
        "this MFA code was already used for the previous session, and AWS accepts each code once: wait for the next code (codes change every 30 s)"
    )]
    CodeReused,
    #[error("mfa_process failed: {0}")]
    MfaProcess(String),
    #[error("terminal: {0}")]
    Terminal(String),
    #[error(
        "iam-mfa was started by its own mfa_process (directly or through a credential_process profile); refusing to recurse. Make mfa_process print a code without using the session profile"
    )]
    Recursion,
    #[error("gave up after waiting {0} s for another iam-mfa process to get the session")]
    LockTimeout(u64),
    #[error("session cache: {0}")]
    Cache(String),
    #[error(
        "cannot find a directory for the session cache: set XDG_RUNTIME_DIR, XDG_CACHE_HOME or HOME"
    )]
    NoCacheDir,
    #[error("the session cache directory {} {reason}; refusing to use it (another user could plant or read sessions there). Check its contents, then remove it or `chmod 700` it", .path.display())]
    UnsafeCacheDir { path: PathBuf, reason: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("section [{section}] at {}:{line} was not written by iam-mfa; refusing to overwrite or remove it (choose another --target, or edit the file yourself)", .path.display())]
    NotOwned {
        section: String,
        path: PathBuf,
        line: usize,
    },
    #[error("{0}; pass --force to replace it anyway (the result is mode 0600)")]
    ReadOnly(aws_profiles::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

impl Failure for Error {
    fn exit_code(&self) -> u8 {
        let code = match self {
            Error::Profiles(
                aws_profiles::Error::Parse { .. }
                | aws_profiles::Error::NotUtf8 { .. }
                | aws_profiles::Error::NotRegular { .. }
                | aws_profiles::Error::TooLarge { .. },
            )
            | Error::ReadOnly(_)
            | Error::UnsafeCacheDir { .. }
            | Error::Edit(_)
            | Error::ProfileNotFound { .. }
            | Error::NotASource { .. }
            | Error::InvalidCode(_)
            | Error::InvalidDuration { .. }
            | Error::InvalidSerial { .. }
            | Error::NoSerial { .. }
            | Error::SeveralDevices { .. }
            | Error::NoCode { .. }
            | Error::NotOwned { .. }
            | Error::Conflict(_) => Code::Usage,
            Error::Aws(err) => match err.kind {
                AwsErrorKind::CodeRejected
                | AwsErrorKind::SerialRejected
                | AwsErrorKind::InvalidKey
                | AwsErrorKind::BadSignature
                | AwsErrorKind::ExpiredToken
                | AwsErrorKind::AccessDenied => Code::Denied,
                _ => Code::Failure,
            },
            Error::CodeReused => Code::Denied,
            Error::Spawn { source, .. } => {
                return if source.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                };
            }
            _ => Code::Failure,
        };
        code.into()
    }
}

/// `aws_profiles::update` of a profile file with our error type for the edit: never writes back less than
/// `baseline` (the command's first read of the file) held; a read-only file only with `force` (`--force`).
fn update_file(
    baseline: &aws_profiles::Snapshot,
    force: bool,
    edit: impl FnMut(&mut aws_profiles::Document) -> Result<(), Error>,
) -> Result<bool, Error> {
    let options = aws_profiles::WriteOptions {
        replace_read_only: force,
    };
    aws_profiles::update(baseline, options, edit).map_err(|err| match err {
        aws_profiles::UpdateError::File(err) => Error::from_file(err),
        aws_profiles::UpdateError::Edit(err) => err,
    })
}

impl Error {
    /// A file error, with the `--force` hint for a read-only file.
    fn from_file(err: aws_profiles::Error) -> Error {
        match err {
            aws_profiles::Error::ReadOnly { .. } => Error::ReadOnly(err),
            err => Error::Profiles(err),
        }
    }
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
