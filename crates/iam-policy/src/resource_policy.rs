//! Resource-based policies: role trust policies and the policies attached to other resources.
//! Their statements are identity statements plus a `Principal` element (R29).

use crate::ast::{Statement, Version};
use crate::error::ParseError;
use crate::parse::{Grammar, parse_document};
use crate::principal::PrincipalBlock;

/// Which grammar a resource-based policy was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicyKind {
    /// A role trust policy (`AssumeRolePolicyDocument`).
    RoleTrust,
    /// Any other resource-based policy (a bucket policy, a key policy, …).
    Generic,
}

/// One statement of a resource-based policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceStatement {
    /// Effect, Action, Resource and Condition, as in identity policies. A trust statement's
    /// resource is `*`: it applies to the role it is attached to.
    pub statement: Statement,
    /// `Principal`, or `NotPrincipal` when negated.
    pub principal: PrincipalBlock,
}

/// A parsed resource-based policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePolicy {
    /// The grammar it was read with.
    pub kind: ResourcePolicyKind,
    /// The `Version` element.
    pub version: Version,
    /// The statements in document order.
    pub statements: Vec<ResourceStatement>,
}

/// A resource-based policy with the name its statement labels use.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedResourcePolicy {
    /// The name used in statement labels (`NAME#Sid`).
    pub name: String,
    /// The policy.
    pub policy: ResourcePolicy,
}

impl NamedResourcePolicy {
    /// `policy` under `name`.
    pub fn new(name: &str, policy: ResourcePolicy) -> Self {
        Self {
            name: name.to_owned(),
            policy,
        }
    }

    /// `NAME#Sid`, or `NAME#N` with the 1-based index when statement `i` has no Sid.
    pub fn label(&self, i: usize) -> String {
        match self
            .policy
            .statements
            .get(i)
            .and_then(|s| s.statement.sid.as_deref())
        {
            Some(sid) => format!("{}#{sid}", self.name),
            None => format!("{}#{}", self.name, i + 1),
        }
    }
}

/// Parses a role trust policy: `Principal` required; `NotPrincipal`, `Resource` and
/// `NotResource` refused; only `sts:` actions (R29). Errors name the line and column.
pub fn parse_trust_policy(text: &str) -> Result<ResourcePolicy, ParseError> {
    parse(text, Grammar::RoleTrust, ResourcePolicyKind::RoleTrust)
}

/// Parses another resource-based policy: `Principal` or `NotPrincipal` (with `Deny` only)
/// required, and `Resource` or `NotResource` (R29).
pub fn parse_resource_policy(text: &str) -> Result<ResourcePolicy, ParseError> {
    parse(text, Grammar::Resource, ResourcePolicyKind::Generic)
}

fn parse(
    text: &str,
    grammar: Grammar,
    kind: ResourcePolicyKind,
) -> Result<ResourcePolicy, ParseError> {
    let parsed = parse_document(text, grammar)?;
    let statements = parsed
        .statements
        .into_iter()
        .map(|(statement, principal)| {
            // The resource grammars require a Principal (checked where it is read).
            principal
                .map(|principal| ResourceStatement {
                    statement,
                    principal,
                })
                .ok_or_else(|| ParseError::without_position("a statement has no Principal".into()))
        })
        .collect::<Result<_, _>>()?;
    Ok(ResourcePolicy {
        kind,
        version: parsed.version,
        statements,
    })
}
