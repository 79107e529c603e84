//! The MFA policy doctor: proves a policy set forces MFA without locking users out, on top of
//! the `iam-policy` engine, and writes a force-MFA policy that does. Deciding code only: every
//! function returns data ([`finding::Report`], a JSON document); `policy_cmd` prints it and
//! [`account`] gathers a real user's policies through the AWS SDK.

pub mod account;
pub mod check;
pub mod finding;
pub mod generate;
pub mod intent;
mod leaks;
mod lint;
pub mod self_service;

pub use check::{Input, MAX_STATEMENTS, check, sweep_limit};
pub use finding::{Evidence, Finding, FindingId, Report, Severity};
pub use generate::{Options, force_mfa_policy};
pub use intent::Intent;
pub use leaks::FUTURE_ACTIONS;
pub use self_service::{Account, LoginProfile};
