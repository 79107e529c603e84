//! The parsed form of an identity policy: statements with pre-compiled patterns and typed
//! condition values, ready to evaluate.

use ipnet::IpNet;
use serde::Serialize;

use crate::operator::Operator;
use crate::template::Template;
use crate::values::date::Instant;

/// The policy language version (R18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    #[serde(rename = "2012-10-17")]
    V2012_10_17,
    /// `2008-10-17`: `${…}` is literal text.
    #[serde(rename = "2008-10-17")]
    V2008_10_17,
    /// No `Version` element: as 2008-10-17.
    #[serde(rename = "none")]
    Missing,
}

impl Version {
    /// Whether `${…}` policy variables are substituted.
    pub fn substitutes_variables(self) -> bool {
        self == Self::V2012_10_17
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// Grants the request when everything matches.
    Allow,
    /// Denies the request when everything matches, whatever allows it.
    Deny,
}

/// An identity policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The `Version` element.
    pub version: Version,
    /// The statements in document order.
    pub statements: Vec<Statement>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The `Sid`, if any.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub actions: ActionBlock,
    /// `Resource` or `NotResource`.
    pub resources: ResourceBlock,
    /// Every (operator, key) pair of the `Condition` element; all must hold (R2).
    pub conditions: Vec<Condition>,
}

/// An `Action` (or, when `negated`, `NotAction`) element.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionBlock {
    /// `NotAction`.
    pub negated: bool,
    /// The patterns, as written and lowercased for matching (R15).
    pub patterns: Vec<ActionPattern>,
}

/// One action pattern such as `iam:*MFADevice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    /// As written.
    pub text: String,
    /// Lowercased: actions match case-insensitively.
    pub(crate) lower: String,
    /// How to match, chosen once so the common shapes avoid the general glob.
    shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `*`.
    Any,
    /// No wildcard.
    Exact,
    /// `prefix*` with no other wildcard, e.g. `iam:*` or `s3:Get*`.
    Prefix,
    /// Anything else.
    Glob,
}

impl ActionPattern {
    /// The pattern `text` (`iam:*MFADevice`, `s3:Get*`, `*`), matched case-insensitively.
    pub fn new(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        let wildcards = lower.bytes().filter(|b| matches!(b, b'*' | b'?')).count();
        let shape = match (lower.as_str(), wildcards) {
            ("*", _) => Shape::Any,
            (_, 0) => Shape::Exact,
            (l, 1) if l.ends_with('*') => Shape::Prefix,
            _ => Shape::Glob,
        };
        Self {
            text: text.to_owned(),
            lower,
            shape,
        }
    }

    /// Whether this pattern matches `action` (`service:Name`, any case).
    pub fn matches(&self, action: &str) -> bool {
        self.matches_lower(&action.to_ascii_lowercase())
    }

    /// Whether this pattern matches `action_lower` (a lowercased `service:Name`).
    pub fn matches_lower(&self, action_lower: &str) -> bool {
        match self.shape {
            Shape::Any => true,
            Shape::Exact => self.lower == action_lower,
            Shape::Prefix => action_lower.starts_with(&self.lower[..self.lower.len() - 1]),
            Shape::Glob => crate::glob::matches(&self.lower, action_lower),
        }
    }
}

/// A `Resource` (or, when `negated`, `NotResource`) element.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceBlock {
    /// `NotResource`.
    pub negated: bool,
    /// The ARN patterns, possibly with policy variables.
    pub patterns: Vec<Template>,
}

/// One condition: an operator applied to one key with one or more values (ORed, or NOR when
/// the operator is negated, R2).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The key as written.
    pub key: String,
    /// The key lowercased (key names are case-insensitive, R14).
    pub(crate) key_lower: String,
    /// The values as written (JSON numbers and booleans as their text).
    pub raw_values: Vec<String>,
    /// The values parsed for the operator's family.
    pub(crate) values: Values,
}

impl Condition {
    /// The condition key, lowercased.
    pub fn key_lower(&self) -> &str {
        &self.key_lower
    }
}

/// Condition values parsed for their family.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// String (glob for `Like`), Bool and Arn values, which may hold variables.
    Templates(Vec<Template>),
    Numbers(Vec<f64>),
    Dates(Vec<Instant>),
    Binary(Vec<Vec<u8>>),
    Networks(Vec<IpNet>),
    /// `Null`: `true` = the key must be absent.
    Null(Vec<bool>),
}
