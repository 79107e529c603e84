//! Error types. Messages name files, lines, profiles and keys, never a line's text or a value: the credentials file
//! holds secrets, and a malformed line there may be a secret key.

use crate::syntax::LineError;
use std::io;
use std::path::PathBuf;

/// A malformed line, as the SDK would reject it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a malformed line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A key (or indented line) before the first `[section]` header.
    #[error("expected a section header such as `[default]` or `[profile NAME]` before this line")]
    NoSection,
    /// `[` without a closing `]` (a `#` or `;` inside the brackets starts a comment).
    #[error("section header is missing its closing `]`")]
    UnclosedHeader,
    /// A non-indented line that is not a header or comment and has no `=`.
    #[error("expected `key = value`, but the line has no `=`")]
    NoEquals,
    /// `= value`.
    #[error("the key before `=` is empty")]
    EmptyKey,
    /// An indented line right after a header: it has no key to continue.
    #[error("indented line does not continue any `key = value` line (remove the indentation)")]
    OrphanContinuation,
    /// An indented line under `key =` (a nested value) without `=`.
    #[error("a nested value line must be `name = value`, but it has no `=`")]
    SubPropertyNoEquals,
    /// An indented line under `key =` with nothing before its `=`.
    #[error("a nested value line has an empty name before `=`")]
    SubPropertyEmptyKey,
}

impl From<LineError> for Problem {
    fn from(err: LineError) -> Problem {
        match err {
            LineError::UnclosedHeader => Problem::UnclosedHeader,
            LineError::NoEquals => Problem::NoEquals,
            LineError::EmptyKey => Problem::EmptyKey,
        }
    }
}

impl Problem {
    pub(crate) fn sub_property(err: LineError) -> Problem {
        match err {
            LineError::EmptyKey => Problem::SubPropertyEmptyKey,
            LineError::NoEquals | LineError::UnclosedHeader => Problem::SubPropertyNoEquals,
        }
    }
}

/// A failure reading, parsing, locating or writing a profile file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be parsed; `path:line: problem`.
    #[error("{}:{}: {}", .path.display(), .source.line, .source.problem)]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line and problem.
        source: ParseError,
    },
    /// The file is not UTF-8 (the SDK would silently read it as empty; we refuse to edit it).
    #[error("{} is not UTF-8 text", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// An I/O operation failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done: "read", "write", "lock", "create directory", ...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A chain of symbolic links too long to follow (or a loop).
    #[error("too many levels of symbolic links at {}", .path.display())]
    SymlinkLoop {
        /// The link where we gave up.
        path: PathBuf,
    },
    /// The path has no file name (e.g. `/` or `..`).
    #[error("{} does not name a file", .path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file kept changing between reads a moment apart until we gave up: another program is writing it.
    #[error(
        "{} keeps changing (another program is writing it); nothing written. Run the command again when that program is done",
        .path.display()
    )]
    Unstable {
        /// The file.
        path: PathBuf,
    },
    /// The file lost something since the command first read it: most likely another program is rewriting it in
    /// place (the AWS CLI's `aws configure set` truncates, then writes), and writing now would keep only part of it.
    #[error(
        "{} changed since this command read it ({detail}); another program may be rewriting it. Nothing written: check the file, then run the command again",
        .path.display()
    )]
    Lost {
        /// The file.
        path: PathBuf,
        /// What is gone (section and key names, never values).
        detail: String,
    },
    /// The file is larger than any real profile file ([`crate::MAX_FILE_BYTES`]); it is not read whole.
    #[error("{} is larger than {} MiB, the most iam-mfa reads of a profile file; refusing to read it", .path.display(), .cap / (1024 * 1024))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap in bytes.
        cap: u64,
    },
    /// The path (after symbolic links) is a FIFO, a device, a directory or a socket.
    #[error("{} is {what}, not a regular file; refusing to read or replace it", .path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// The file exists but its owner may not write it, and replacing it was not asked for.
    #[error("{} is read-only ({}); refusing to replace it", .path.display(), .mode.map_or_else(|| "read-only attribute".to_owned(), |mode| format!("mode {mode:04o}")))]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// Its permission bits (Unix).
        mode: Option<u32>,
    },
    /// `~` needs a home directory and none of the variables that give one is set.
    #[error("cannot find the home directory: none of HOME, USERPROFILE, HOMEDRIVE+HOMEPATH is set")]
    NoHome,
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}

/// The failure of a read-modify-write [`crate::update`]: the file could not be handled, or the edit refused.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError<E> {
    /// Locking, reading, parsing or writing failed; the file is unchanged.
    #[error(transparent)]
    File(#[from] Error),
    /// The edit closure returned an error; the file is unchanged.
    #[error("{0}")]
    Edit(E),
}

/// An edit the document cannot represent so that every SDK reads it back as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// A profile name the SDK would ignore (allowed: ASCII letters, digits and `_-/.%@:+`).
    #[error("`{0}` is not a valid profile name (allowed: letters, digits and _-/.%@:+)")]
    InvalidProfile(String),
    /// A key the SDK would ignore.
    #[error("`{0}` is not a valid key name (allowed: letters, digits and _-/.%@:+)")]
    InvalidKey(String),
    /// A value that would not read back unchanged (the value itself is not shown: it may be a secret).
    #[error("the value for `{key}` cannot be written: {reason}")]
    InvalidValue {
        /// The key.
        key: String,
        /// Why.
        reason: &'static str,
    },
}
