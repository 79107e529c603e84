//! A set of named identity policies evaluated together (R1): a user's inline and attached
//! policies and those of its groups.

use serde::Serialize;

use crate::ast::{Effect, Policy, Statement};
use crate::error::ParseError;
use crate::eval::{action_matches, condition_holds, resource_matches};
use crate::explain::{Explanation, StatementTrace};
use crate::parse::parse_policy;
use crate::request::Request;

/// The action that is never denied (R3).
const GET_CALLER_IDENTITY: &str = "sts:getcalleridentity";

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Some Allow statement applies and no Deny does.
    Allow,
    /// Some Deny statement applies.
    ExplicitDeny,
    /// No statement applies.
    ImplicitDeny,
}

impl Outcome {
    /// Whether the request is allowed.
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }

    /// The name as in JSON output: `allow`, `explicit_deny`, `implicit_deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::ExplicitDeny => "explicit_deny",
            Self::ImplicitDeny => "implicit_deny",
        }
    }
}

/// Where a statement is: its policy's index in the set and its 0-based index in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementRef {
    /// Index of the policy in the set.
    pub policy: usize,
    /// 0-based index of the statement in its policy.
    pub statement: usize,
}

/// A decision with its deciding statements: every applying Deny when denied explicitly, else
/// every applying Allow (R1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allow, explicit deny or implicit deny.
    pub outcome: Outcome,
    /// The deciding statements, in policy-set order.
    pub statements: Vec<StatementRef>,
}

/// A named policy of the set.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    /// The name used in statement labels (`NAME#Sid`).
    pub name: String,
    /// The policy.
    pub policy: Policy,
}

/// Identity policies evaluated together. Order never changes a decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    policies: Vec<NamedPolicy>,
}

impl PolicySet {
    /// An empty set (which denies everything implicitly).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parsed policy.
    pub fn add(&mut self, name: &str, policy: Policy) {
        self.policies.push(NamedPolicy {
            name: name.to_owned(),
            policy,
        });
    }

    /// Parses `document` and adds it.
    pub fn add_document(&mut self, name: &str, document: &str) -> Result<(), ParseError> {
        self.add(name, parse_policy(document)?);
        Ok(())
    }

    /// The policies.
    pub fn policies(&self) -> &[NamedPolicy] {
        &self.policies
    }

    /// Every statement with its reference.
    pub fn statements(&self) -> impl Iterator<Item = (StatementRef, &Statement)> {
        self.policies.iter().enumerate().flat_map(|(p, np)| {
            np.policy.statements.iter().enumerate().map(move |(s, st)| {
                (
                    StatementRef {
                        policy: p,
                        statement: s,
                    },
                    st,
                )
            })
        })
    }

    /// The statement a reference points at.
    pub fn statement(&self, at: StatementRef) -> Option<&Statement> {
        self.policies
            .get(at.policy)?
            .policy
            .statements
            .get(at.statement)
    }

    /// `NAME#Sid`, or `NAME#N` with the 1-based index when the statement has no Sid.
    pub fn label(&self, at: StatementRef) -> String {
        let name = self
            .policies
            .get(at.policy)
            .map_or("?", |p| p.name.as_str());
        match self.statement(at).and_then(|s| s.sid.as_deref()) {
            Some(sid) => format!("{name}#{sid}"),
            None => format!("{name}#{}", at.statement + 1),
        }
    }

    /// Evaluates `request`.
    pub fn evaluate(&self, request: &Request) -> Decision {
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for (at, st) in self.statements() {
            if applies(st, request) {
                match st.effect {
                    Effect::Allow => allows.push(at),
                    Effect::Deny => denies.push(at),
                }
            }
        }
        decide(request, allows, denies)
    }

    /// Evaluates `request` and records, per statement, which elements matched and why.
    pub fn explain(&self, request: &Request) -> Explanation {
        let ctx = request.context();
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        let mut traces = Vec::new();
        for (at, st) in self.statements() {
            let trace = StatementTrace::build(self.label(at), st, request);
            if trace.applies {
                match st.effect {
                    Effect::Allow => allows.push(at),
                    Effect::Deny => denies.push(at),
                }
            }
            traces.push(trace);
        }
        let decision = decide(request, allows, denies);
        let deciding = decision
            .statements
            .iter()
            .map(|at| self.label(*at))
            .collect();
        Explanation::new(
            decision.outcome,
            deciding,
            traces,
            ctx,
            request.action_lower() == GET_CALLER_IDENTITY,
        )
    }
}

/// Whether a statement applies: Action, Resource and every condition match (R2).
pub(crate) fn applies(st: &Statement, request: &Request) -> bool {
    let ctx = request.context();
    action_matches(&st.actions, request.action_lower()).0
        && resource_matches(&st.resources, request.resource(), ctx).0
        && st.conditions.iter().all(|c| condition_holds(c, ctx))
}

fn decide(request: &Request, allows: Vec<StatementRef>, denies: Vec<StatementRef>) -> Decision {
    if request.action_lower() == GET_CALLER_IDENTITY {
        return Decision {
            outcome: Outcome::Allow,
            statements: allows,
        };
    }
    if !denies.is_empty() {
        Decision {
            outcome: Outcome::ExplicitDeny,
            statements: denies,
        }
    } else if !allows.is_empty() {
        Decision {
            outcome: Outcome::Allow,
            statements: allows,
        }
    } else {
        Decision {
            outcome: Outcome::ImplicitDeny,
            statements: allows,
        }
    }
}
