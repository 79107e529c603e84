//! The integration tests of `aws-profiles`, in one test binary: parsing against the SDKs' rules,
//! lossless edits, file safety, races with other writers, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod chain;
#[cfg(unix)]
mod concurrency;
mod edit;
#[cfg(unix)]
mod files;
mod parse;
mod props;
