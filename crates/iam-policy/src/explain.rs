//! Explanations: the decision, its deciding statements, and per statement which element
//! matched or not, the resolved policy variables and the missing keys.

use serde::Serialize;

use crate::ast::{Effect, Statement};
use crate::eval::{action_matches, condition_holds, resolved_values, resource_matches};
use crate::policy_set::Outcome;
use crate::request::{Context, ContextValue, Request};

/// A decision with a trace of every statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The outcome.
    pub decision: Outcome,
    /// The deciding statements' labels.
    pub statements: Vec<String>,
    /// Every statement of the set, in order.
    pub trace: Vec<StatementTrace>,
    /// Condition keys the policies test that the request does not carry (lowercase).
    pub missing_keys: Vec<String>,
    /// Set when the action is `sts:GetCallerIdentity`, which is never denied (R3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Explanation {
    pub(crate) fn new(
        decision: Outcome,
        statements: Vec<String>,
        trace: Vec<StatementTrace>,
        ctx: &Context,
        caller_identity: bool,
    ) -> Self {
        let mut missing_keys: Vec<String> = trace
            .iter()
            .flat_map(|t| &t.conditions)
            .filter(|c| c.request_value.is_none() && ctx.get(&c.key.to_ascii_lowercase()).is_none())
            .map(|c| c.key.to_ascii_lowercase())
            .collect();
        missing_keys.sort();
        missing_keys.dedup();
        let note = caller_identity.then(|| {
            "sts:GetCallerIdentity is always allowed, even under an explicit Deny".to_owned()
        });
        Self {
            decision,
            statements,
            trace,
            missing_keys,
            note,
        }
    }
}

/// How one statement fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementTrace {
    /// `NAME#Sid` or `NAME#N`.
    pub statement: String,
    /// Allow or Deny.
    pub effect: Effect,
    /// Whether every element matched.
    pub applies: bool,
    /// The Action/NotAction element.
    pub action: ElementTrace,
    /// The Resource/NotResource element.
    pub resource: ElementTrace,
    /// Each condition.
    pub conditions: Vec<ConditionTrace>,
}

/// How an Action or Resource element fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementTrace {
    /// `Action`, `NotAction`, `Resource` or `NotResource`.
    pub element: &'static str,
    /// Whether the element matched the request.
    pub matched: bool,
    /// The pattern that matched the request's action or resource (for Not* elements, the
    /// pattern that excluded it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Resource patterns after variable substitution (`null`: a variable has no value).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<Option<String>>,
}

/// How one condition fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionTrace {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// The request's value, `null` when the key is missing.
    pub request_value: Option<ContextValue>,
    /// The policy values after variable substitution (`null`: unresolved).
    pub policy_values: Vec<Option<String>>,
    /// Whether the condition holds.
    pub holds: bool,
}

impl StatementTrace {
    pub(crate) fn build(label: String, st: &Statement, request: &Request) -> Self {
        let ctx = request.context();
        let (action_ok, action_pattern) = action_matches(&st.actions, request.action_lower());
        let (resource_ok, resource_pattern) =
            resource_matches(&st.resources, request.resource(), ctx);
        let conditions: Vec<ConditionTrace> = st
            .conditions
            .iter()
            .map(|c| ConditionTrace {
                operator: c.operator.to_string(),
                key: c.key.clone(),
                request_value: ctx.get(c.key_lower()).cloned(),
                policy_values: resolved_values(c, ctx),
                holds: condition_holds(c, ctx),
            })
            .collect();
        let applies = action_ok && resource_ok && conditions.iter().all(|c| c.holds);
        Self {
            statement: label,
            effect: st.effect,
            applies,
            action: ElementTrace {
                element: if st.actions.negated {
                    "NotAction"
                } else {
                    "Action"
                },
                matched: action_ok,
                pattern: action_pattern.map(str::to_owned),
                resolved: Vec::new(),
            },
            resource: ElementTrace {
                element: if st.resources.negated {
                    "NotResource"
                } else {
                    "Resource"
                },
                matched: resource_ok,
                pattern: resource_pattern.map(str::to_owned),
                resolved: if st.resources.patterns.iter().any(|t| t.has_variables()) {
                    st.resources
                        .patterns
                        .iter()
                        .map(|t| t.resolve_for_display(ctx))
                        .collect()
                } else {
                    Vec::new()
                },
            },
            conditions,
        }
    }
}
