//! iam-mfa: make MFA on AWS IAM enforced and painless.
//!
//! The binary (`src/main.rs`) is a thin clap entry; each command family lives in its own module
//! and returns data or an exit code, while `ui` holds the shared terminal and output helpers.
#![forbid(unsafe_code)]

pub mod admin;
pub mod audit;
pub mod aws;
pub mod core_dumps;
pub mod doctor;
pub mod names;
pub mod policy_cmd;
pub mod session;
pub mod ui;
