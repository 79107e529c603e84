//! Every integration test of `iam-mfa`, in one test binary (as ripgrep's `tests/tests.rs` and
//! jj's `cli/tests/runner.rs`): the AWS SDK and the harness are compiled and linked once.
//! `common` is the moto harness (server, sandbox, seeding, request counting), `admin_support`
//! and `audit_support` build on it; one module per area below. `layout` guards the source tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod admin_support;
mod audit_support;
mod common;

mod admin_devices;
mod admin_enforce;
mod admin_enroll;
mod admin_onboard;
mod admin_prune;
mod admin_reset;
mod audit_decide;
mod audit_moto;
mod audit_roles;
mod keys;
mod layout;
mod policy_check;
mod policy_check_account;
mod policy_simulate;
mod refusals;
mod session_exec_env;
mod session_harness;
mod session_login;
mod session_process;
mod session_roles;
mod session_roles_errors;
mod session_roles_interop;
mod session_setup;
