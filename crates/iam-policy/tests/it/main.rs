//! The integration tests of `iam-policy`, in one test binary: one test per documented IAM rule
//! (R1–R28), the exhaustive analysis, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod analysis;
mod properties;
mod rules;
