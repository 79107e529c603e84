//! The integration tests of `iam-catalog`, in one test binary: the embedded action catalog and the
//! AWS-managed policies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod catalog;
mod managed;
