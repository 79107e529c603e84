//! The AWS shared config and credentials files: parse as the SDKs do, edit losslessly, replace atomically.
//!
//! * [`Document`] parses one file with the grammar of the AWS SDK for Rust (the same spec the Java v2 and Go v2 SDKs
//!   implement) and keeps every byte, so edits change only the lines they name.
//! * [`ProfileSet`] merges both files the way the SDKs resolve a profile; [`Paths`] and [`selected_profile`] find
//!   the files and the profile from the environment.
//! * [`resolve_chain`] reads which credentials a profile stands for (a base and the roles assumed on it), as the
//!   SDKs resolve `role_arn`, `source_profile` and `credential_source`.
//! * [`Snapshot`] reads a file so that a writer caught mid-rewrite is noticed; [`update`] is a locked
//!   read-modify-write that never writes back less than the command's first [`Snapshot`] of the file held;
//!   [`write_atomic`] replaces a file crash-safely, through symlinks, 0600.
//!
//! Where botocore (the AWS CLI) and the Rust SDK read a file differently, this crate reads it like the Rust SDK:
//! * duplicate sections and duplicate keys are merged, the last value winning (botocore rejects the whole file);
//! * a `#` or `;` after whitespace starts an inline comment (botocore keeps it in the value);
//! * in config, `[profile default]` replaces `[default]` entirely (botocore takes whichever comes last);
//! * an indented line continues the key above it, even one that looks like a comment; right after a header, or as a
//!   malformed line of a nested value (`key =` followed by indented `name = value` lines), it is an error;
//! * `key: value` and `[profile a#b]` are errors (botocore accepts both).
//!
//! Everything else malformed is rejected by both, and here it is a [`ParseError`] naming the line (never quoting
//! it: it may hold a secret). [`Document::botocore_differences`] lists the lines a file's two readings differ on.
//!
//! File guarantees: missing files read as empty; non-UTF-8 files and anything but a regular file (a FIFO, a device)
//! are refused rather than read or rewritten; read-only files are replaced only when asked ([`WriteOptions`]); writes go to a
//! 0600 temporary file in the target's directory, are fsynced and renamed over the target (through symlinks, which
//! stay links), then the directory is fsynced; new directories are 0700 and every written file ends 0600; [`update`]
//! and [`write_atomic`] serialise on a sidecar `.NAME.lock` file so concurrent writers lose nothing, and clean up
//! temporary files left by killed writers.
#![forbid(unsafe_code)]

mod chain;
mod compat;
mod document;
mod edit;
mod error;
mod paths;
mod profile_set;
mod snapshot;
mod store;
mod syntax;

pub use chain::{Base, Chain, ChainError, Role, STORED_KEYS, resolve as resolve_chain};
pub use compat::{BotocoreDifference, DifferenceKind};
pub use document::{Document, FileKind, Section, SectionCopy, sub_properties};
pub use edit::{check_value, is_profile_name};
pub use error::{EditError, Error, ParseError, Problem, UpdateError};
pub use paths::{Paths, selected_profile};
pub use profile_set::ProfileSet;
pub use snapshot::{MAX_FILE_BYTES, Snapshot, WriteOptions};
pub use store::{read_document, resolve_symlinks, update, write_atomic};
