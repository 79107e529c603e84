//! Authorization with a resource-based policy: the caller's identity policies and the
//! resource's policy decided together, as AWS documents (R32–R37).

use serde::Serialize;

use crate::ast::Effect;
use crate::explain::{Explanation, StatementTrace};
use crate::policy_set::{Decision, Outcome, PolicySet, applies};
use crate::principal::{Caller, PrincipalMatch};
use crate::request::Request;
use crate::resource_policy::{NamedResourcePolicy, ResourcePolicyKind};

/// A decision on a request to a resource with a resource-based policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The combined outcome.
    pub outcome: Outcome,
    /// The identity policies' own decision.
    pub identity: Decision,
    /// The deciding statements of the resource policy (indices): its applying Denies when
    /// denied explicitly, its applying Allows when allowed, none otherwise.
    pub resource: Vec<usize>,
    /// The best match of the caller among the applying resource-policy Allow statements.
    pub principal_match: PrincipalMatch,
}

impl Authorization {
    /// The deciding statements' labels: the resource policy's, then the identity policies'
    /// that took part (every applying Deny when denied explicitly, the Allows that were needed
    /// when allowed, none for an implicit deny).
    pub fn labels(&self, identity: &PolicySet, resource: &NamedResourcePolicy) -> Vec<String> {
        let identity_part = match (self.outcome, self.identity.outcome) {
            (Outcome::ExplicitDeny, Outcome::ExplicitDeny) | (Outcome::Allow, Outcome::Allow) => {
                self.identity.statements.as_slice()
            }
            _ => &[],
        };
        self.resource
            .iter()
            .map(|&i| resource.label(i))
            .chain(identity_part.iter().map(|&at| identity.label(at)))
            .collect()
    }
}

/// Decides `request` by `caller` on a resource in `resource_account` whose policy is
/// `resource`, with `identity` the caller's identity policies:
/// - an explicit Deny in either policy denies (R36);
/// - in the resource's account, a resource-policy Allow that names the caller (its ARN, or
///   `*`) suffices on its own (R32, R37); one that names only the account needs an identity
///   Allow too (R33); without a resource-policy Allow, an identity Allow suffices, except for
///   role trust policies, which must always allow (R34);
/// - across accounts, both must allow (R35);
/// - services and federated callers need only the resource policy (R38).
pub fn authorize(
    identity: &PolicySet,
    resource: &NamedResourcePolicy,
    caller: &Caller,
    resource_account: &str,
    request: &Request,
) -> Authorization {
    let id = identity.evaluate(request);
    let (mut allows, mut denies) = (Vec::new(), Vec::new());
    let mut best = PrincipalMatch::None;
    for (i, rs) in resource.policy.statements.iter().enumerate() {
        let matched = rs.principal.matches(caller);
        if matched == PrincipalMatch::None || !applies(&rs.statement, request) {
            continue;
        }
        match rs.statement.effect {
            Effect::Allow => {
                allows.push(i);
                best = best.max(matched);
            }
            Effect::Deny => denies.push(i),
        }
    }
    let identity_allows = id.outcome == Outcome::Allow;
    let (outcome, deciding) = if id.outcome == Outcome::ExplicitDeny || !denies.is_empty() {
        (Outcome::ExplicitDeny, denies)
    } else {
        let same_account = caller.account() == Some(resource_account);
        let trust = resource.policy.kind == ResourcePolicyKind::RoleTrust;
        let aws_principal = caller.account().is_some();
        let allowed = match best {
            _ if !aws_principal => best != PrincipalMatch::None,
            PrincipalMatch::Arn | PrincipalMatch::Any if same_account => true,
            PrincipalMatch::None if same_account => !trust && identity_allows,
            PrincipalMatch::None => false,
            PrincipalMatch::Account | PrincipalMatch::Arn | PrincipalMatch::Any => identity_allows,
        };
        if allowed {
            (Outcome::Allow, allows)
        } else {
            (Outcome::ImplicitDeny, Vec::new())
        }
    };
    Authorization {
        outcome,
        identity: id,
        resource: deciding,
        principal_match: best,
    }
}

/// [`authorize`] with a trace of every statement of both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthorizationExplanation {
    /// The combined outcome.
    pub decision: Outcome,
    /// The deciding statements' labels ([`Authorization::labels`]).
    pub statements: Vec<String>,
    /// The best match of the caller among the applying resource-policy Allow statements.
    pub principal_match: PrincipalMatch,
    /// The identity policies on their own.
    pub identity: Explanation,
    /// Every resource-policy statement, in order.
    pub resource_trace: Vec<ResourceStatementTrace>,
}

/// How one resource-policy statement fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceStatementTrace {
    /// Action, Resource and Condition as for identity statements; `applies` also needs the
    /// Principal element to match.
    #[serde(flatten)]
    pub statement: StatementTrace,
    /// `Principal` or `NotPrincipal`.
    pub principal_element: &'static str,
    /// How the Principal element matched the caller.
    pub principal: PrincipalMatch,
}

/// Explains [`authorize`]'s decision.
pub fn explain_authorization(
    identity: &PolicySet,
    resource: &NamedResourcePolicy,
    caller: &Caller,
    resource_account: &str,
    request: &Request,
) -> AuthorizationExplanation {
    let decision = authorize(identity, resource, caller, resource_account, request);
    let resource_trace = resource
        .policy
        .statements
        .iter()
        .enumerate()
        .map(|(i, rs)| {
            let principal = rs.principal.matches(caller);
            let mut statement = StatementTrace::build(resource.label(i), &rs.statement, request);
            statement.applies &= principal != PrincipalMatch::None;
            ResourceStatementTrace {
                statement,
                principal_element: if rs.principal.negated {
                    "NotPrincipal"
                } else {
                    "Principal"
                },
                principal,
            }
        })
        .collect();
    AuthorizationExplanation {
        decision: decision.outcome,
        statements: decision.labels(identity, resource),
        principal_match: decision.principal_match,
        identity: identity.explain(request),
        resource_trace,
    }
}
