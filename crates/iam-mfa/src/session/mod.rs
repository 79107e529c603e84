//! The MFA-session machinery the session commands (`commands::session`) and the account
//! commands share: [`obtain`] (cache → lock → STS), the [`cache`], the [`lock`], the MFA
//! [`code`] sources, [`serial`] discovery, [`sts`], [`duration`], the profile [`source`] and
//! the role sessions of role profiles ([`roles`]).
//! AWS errors are [`crate::aws::AwsError`]s, whose exit codes come from the one table there.

pub mod cache;
pub mod code;
pub mod duration;
pub mod lock;
pub mod obtain;
pub mod roles;
pub mod serial;
pub mod source;
pub mod stored;
pub mod sts;

use crate::aws::AwsError;
use crate::ui::exit::{Code, Failure};
use std::path::PathBuf;

pub use cache::Session;
pub use obtain::{SessionArgs, obtain};

/// Errors of getting and keeping MFA sessions, and of the session commands. Messages never
/// contain secrets.
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
    #[error("{0}")]
    Chain(aws_profiles::ChainError),
    #[error("profile `{profile}` cannot be the source of an MFA session: {reason}")]
    NotASource { profile: String, reason: String },
    #[error("profile `{profile}`: {reason}")]
    InvalidRole { profile: String, reason: String },
    #[error("cannot assume role {} for profile `{}`: {}", .0.role_arn, .0.profile, .0.advice)]
    AssumeRole(Box<RoleRefused>),
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
    #[error(transparent)]
    KeyStore(#[from] key_store::Error),
    #[error("{0}")]
    Passphrase(String),
    #[error(
        "profile `{profile}` says its keys are stored, but {place} has none for it: store them again (`iam-mfa keys add {profile}`)"
    )]
    NoStoredKeys { profile: String, place: String },
}

/// AWS's refusal of an AssumeRole, with advice naming the role, the profile and the caller.
#[derive(Debug)]
pub struct RoleRefused {
    pub profile: String,
    pub role_arn: String,
    pub advice: String,
    /// The AWS error (its detail is part of the advice).
    pub cause: AwsError,
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
            | Error::Chain(_)
            | Error::InvalidRole { .. }
            | Error::NotASource { .. }
            | Error::InvalidCode(_)
            | Error::InvalidDuration { .. }
            | Error::InvalidSerial { .. }
            | Error::NoSerial { .. }
            | Error::SeveralDevices { .. }
            | Error::NoCode { .. }
            | Error::NotOwned { .. }
            | Error::Passphrase(_)
            | Error::NoStoredKeys { .. }
            | Error::KeyStore(
                key_store::Error::WrongPassphrase { .. }
                | key_store::Error::Malformed { .. }
                | key_store::Error::BadEntry { .. },
            )
            | Error::Conflict(_) => Code::Usage,
            Error::Aws(err) => err.exit_code(),
            Error::AssumeRole(refused) => refused.cause.exit_code(),
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

impl Error {
    /// A file error, with the `--force` hint for a read-only file.
    pub fn from_file(err: aws_profiles::Error) -> Error {
        match err {
            aws_profiles::Error::ReadOnly { .. } => Error::ReadOnly(err),
            err => Error::Profiles(err),
        }
    }
}

/// `aws_profiles::update` of a profile file with our error type for the edit: never writes back less than
/// `baseline` (the command's first read of the file) held; a read-only file only with `force` (`--force`).
pub fn update_file(
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
