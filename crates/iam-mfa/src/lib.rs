//! iam-mfa: make MFA on AWS IAM enforced and painless.
//!
//! The binary (`src/main.rs`) is a thin clap entry over [`commands`]. Dependencies point down
//! only, and nothing outside `commands` uses it (`tests/it/layout.rs` holds the tree to this):
//!
//! ```text
//! commands::{session, admin, audit, policy}   the commands; no family uses another
//!   └─ iam        reading and changing the IAM account (clients, lists, documents, devices, …)
//!       └─ session  the MFA-session machinery (obtain, cache, lock, code, serial, sts)
//!           └─ aws     SDK configuration and clients; AWS errors, classified, with their exit codes
//!               └─ args   the global flags
//!                   └─ ui   terminal, prompts, output (one Report trait), exit codes, progress
//! crates: mfa-doctor → iam-policy → iam-catalog; aws-profiles
//! ```
//!
//! `names` (AWS name and serial patterns), `policy_file` and `core_dumps` are leaves every
//! layer may use.
#![forbid(unsafe_code)]

pub mod args;
pub mod aws;
pub mod commands;
pub mod core_dumps;
pub mod iam;
pub mod names;
pub mod policy_file;
pub mod session;
pub mod ui;
