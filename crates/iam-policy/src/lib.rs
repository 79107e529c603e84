//! The IAM policy language for identity policies and resource-based policies (role trust
//! policies first): parse (errors with line and column), evaluate with AWS's documented
//! semantics, and explain decisions.
//!
//! Pure: no I/O, no async, no AWS SDK. Policies are parsed once into a form ready to evaluate
//! (patterns lowercased, numbers, dates, CIDRs and base64 decoded), so evaluation does no parsing
//! of policy text and no regex building.
//!
//! ```
//! use iam_policy::{Context, Outcome, PolicySet, Request};
//! let mut set = PolicySet::new();
//! set.add_document("ForceMFA", r#"{"Version": "2012-10-17", "Statement": [
//!     {"Sid": "DenyWithoutMFA", "Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
//!      "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#).unwrap();
//! set.add_document("S3", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#).unwrap();
//! let keys = Request::new("s3:ListBucket", "arn:aws:s3:::b", Context::new());
//! let decision = set.evaluate(&keys);
//! assert_eq!(decision.outcome, Outcome::ExplicitDeny);
//! assert_eq!(set.label(decision.statements[0]), "ForceMFA#DenyWithoutMFA");
//! let mfa = Request::new("s3:ListBucket", "arn:aws:s3:::b", Context::new().with("aws:MultiFactorAuthPresent", "true"));
//! assert_eq!(set.evaluate(&mfa).outcome, Outcome::Allow);
//! ```
#![forbid(unsafe_code)]

pub mod analysis;
mod arn;
pub mod assume;
pub mod ast;
pub mod authorizer;
mod error;
mod eval;
mod explain;
mod glob;
pub mod operator;
mod parse;
mod policy_set;
pub mod principal;
mod request;
mod resource_policy;
mod template;
mod values;

pub use ast::{Effect, Policy, Statement, Version};
pub use error::ParseError;
pub use explain::{ConditionTrace, ElementTrace, Explanation, StatementTrace};
pub use parse::{MAX_DOCUMENT_BYTES, parse_policy};
pub use policy_set::{Decision, NamedPolicy, Outcome, PolicySet, StatementRef};
pub use request::{Context, ContextValue, Request};
pub use resource_policy::{
    NamedResourcePolicy, ResourcePolicy, ResourcePolicyKind, ResourceStatement,
    parse_resource_policy, parse_trust_policy,
};
pub use template::Template;
