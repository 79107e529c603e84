//! The integration tests of `iam-policy`, in one test binary: one test per documented IAM rule
//! (R1–R45: `rules.rs`, and `rules_trust.rs` for resource-based and role trust policies), the
//! exhaustive analysis, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod analysis;
mod differential;
mod properties;
mod rules;
mod rules_trust;
