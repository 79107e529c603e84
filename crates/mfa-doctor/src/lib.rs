//! The MFA policy doctor: the engine behind `iam-mfa policy check` and `policy generate`, and
//! the check that `enforce`, `onboard` and `audit` run on real users. It proves a policy set
//! forces MFA without locking users out, on top of the `iam-policy` engine, and writes a
//! force-MFA policy that does.
//!
//! Deciding code only: every function returns data ([`CheckReport`], a JSON document); no I/O,
//! no AWS SDK, no async runtime (the compiler holds it to that: this crate cannot reach them).
//! The binary gathers a real user's policies from IAM and prints the findings. The clap derives
//! of [`Intent`] and [`Severity`] are behind the optional `clap` feature.
#![forbid(unsafe_code)]

pub mod check;
pub mod facts;
pub mod finding;
pub mod generate;
pub mod intent;
mod leaks;
mod lint;
pub mod self_service;
pub mod trust;

pub use check::{Input, MAX_STATEMENTS, check, sweep_limit};
pub use facts::{Account, LoginProfile};
pub use finding::{CheckReport, Evidence, Finding, FindingId, Severity};
pub use generate::{Options, TrustOptions, force_mfa_policy, trust_policy};
pub use intent::Intent;
pub use leaks::FUTURE_ACTIONS;
pub use trust::{RolePower, TrustInput, TrustSection, check_trust, role_power};
