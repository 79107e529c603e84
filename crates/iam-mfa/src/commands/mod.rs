//! Every command, one folder per family: `session` (MFA sessions for the CLI and SDKs),
//! `admin` (enforce, onboard, enrol, devices), `keys` (long-term keys in a store), `audit` and
//! `policy`. A command gathers (through
//! `iam` or `session`), decides (the pure crates), and returns data that `ui` prints. No family
//! imports another; shared code lives in the layers below.

pub mod admin;
pub mod audit;
pub mod keys;
pub mod policy;
pub mod session;
