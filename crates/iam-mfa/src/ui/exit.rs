//! The process exit codes (stable, documented in the README) and the final error report.

use std::io::Write;
use std::process::ExitCode;

/// Exit codes of `iam-mfa`. `exec` ends with its command's status instead (on Unix it becomes
/// the command; elsewhere it passes the child's code through); 126 when the command cannot run,
/// 127 when it is not found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    /// Success; for `status`, every session asked about is valid.
    Success = 0,
    /// An error not covered below (I/O, network, unexpected AWS error).
    Failure = 1,
    /// Bad input: command-line usage, code or duration format, malformed config, missing serial.
    Usage = 2,
    /// `status`: a session exists but expires within the refresh margin.
    Expiring = 3,
    /// `status`: the session has expired or there is none.
    Expired = 4,
    /// AWS refused: MFA code rejected, access denied, invalid or expired long-term key.
    Denied = 5,
    /// `policy check`, `audit`: findings at or above `--fail-on`.
    Findings = 6,
}

impl From<Code> for u8 {
    fn from(code: Code) -> u8 {
        code as u8
    }
}

/// An error that knows which exit code it ends the process with.
pub trait Failure: std::fmt::Display {
    /// The exit code this error maps to (normally a [`Code`]; `exec` also uses 126 and 127).
    fn exit_code(&self) -> u8;
}

impl Failure for anyhow::Error {
    fn exit_code(&self) -> u8 {
        Code::Failure.into()
    }
}

/// Prints the error (with its causes) to stderr and turns the result into the process exit code.
/// An unwritable stderr (closed, `2>/dev/full`) loses the message but keeps the exit code.
pub fn finish<E: Failure>(result: Result<u8, E>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            to_stderr(&format!("iam-mfa: error: {error}"));
            ExitCode::from(error.exit_code())
        }
    }
}

/// Writes one line to stderr, ignoring failure: `eprintln!` would panic (exit 101) instead.
pub fn to_stderr(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A failure of a command family without an error type of its own (`policy`, `audit`): any
/// error, with the exit code it maps to.
#[derive(Debug)]
pub struct Coded {
    code: u8,
    inner: anyhow::Error,
}

impl Coded {
    /// Bad input: flags, files, policies (exit code 2).
    pub fn usage(inner: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Usage.into(),
            inner: inner.into(),
        }
    }

    /// An error that knows its exit code (5 when AWS refused, …), keeping it.
    pub fn from_failure<E: Failure + Into<anyhow::Error>>(error: E) -> Self {
        Self {
            code: error.exit_code(),
            inner: error.into(),
        }
    }

    /// Anything else (exit code 1).
    pub fn failure(inner: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Failure.into(),
            inner: inner.into(),
        }
    }
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.inner)
    }
}

impl Failure for Coded {
    fn exit_code(&self) -> u8 {
        self.code
    }
}
