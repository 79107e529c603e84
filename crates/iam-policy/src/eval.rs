//! The rules that decide whether a statement applies to a request (R1–R27). Both the fast
//! evaluator and the explainer call these functions, so they cannot disagree.

use std::borrow::Cow;

use crate::arn;
use crate::ast::{ActionBlock, Condition, ResourceBlock, Values};
use crate::glob;
use crate::operator::{Base, SetQualifier};
use crate::request::Context;
use crate::values;

/// Whether the `Action`/`NotAction` element matches, and the pattern that matched.
pub(crate) fn action_matches<'a>(
    block: &'a ActionBlock,
    action_lower: &str,
) -> (bool, Option<&'a str>) {
    let hit = block
        .patterns
        .iter()
        .find(|p| p.matches_lower(action_lower));
    (hit.is_some() != block.negated, hit.map(|p| p.text.as_str()))
}

/// Whether the `Resource`/`NotResource` element matches, and the pattern that matched.
/// A pattern whose variable has no value matches no resource (R19).
pub(crate) fn resource_matches<'a>(
    block: &'a ResourceBlock,
    resource: &str,
    ctx: &Context,
) -> (bool, Option<&'a str>) {
    let hit = block.patterns.iter().find(|t| {
        t.resolve(ctx)
            .is_some_and(|pattern| arn::resource_matches(&pattern, resource))
    });
    (hit.is_some() != block.negated, hit.map(|t| t.source()))
}

/// Whether a condition holds for the context (R2, R4–R11).
pub(crate) fn condition_holds(c: &Condition, ctx: &Context) -> bool {
    let value = ctx.get(&c.key_lower);
    if let Values::Null(flags) = &c.values {
        // An empty string supplied by a user makes the value null ([COND]).
        let absent = value.is_none_or(|v| v.values().iter().all(String::is_empty));
        return flags.contains(&absent);
    }
    let present = value.map(|v| v.values()).filter(|vs| !vs.is_empty());
    match (c.operator.set, present) {
        // R10: ForAllValues is true for a missing or empty key, ForAnyValue false, whatever
        // IfExists says.
        (Some(SetQualifier::ForAllValues), None) => true,
        (Some(SetQualifier::ForAnyValue), None) => false,
        // R4, R5: a missing key is false except for IfExists and negated operators.
        (None, None) => c.operator.if_exists || c.operator.base.is_negated(),
        (Some(SetQualifier::ForAllValues), Some(vs)) => vs.iter().all(|v| value_matches(c, v, ctx)),
        (Some(SetQualifier::ForAnyValue), Some(vs)) => vs.iter().any(|v| value_matches(c, v, ctx)),
        (None, Some([one])) => value_matches(c, one, ctx),
        // R10: a multi-valued key under a single-valued operator does not match.
        (None, Some(_)) => false,
    }
}

/// One request value against the condition's values: OR for positive operators, NOR for
/// negated ones (R2). A policy value whose variable is unresolved, or a request value that does
/// not parse for the family, fails the test either way.
fn value_matches(c: &Condition, value: &str, ctx: &Context) -> bool {
    let negated = c.operator.base.is_negated();
    let n = match &c.values {
        Values::Templates(v) => v.len(),
        Values::Numbers(v) => v.len(),
        Values::Dates(v) => v.len(),
        Values::Binary(v) => v.len(),
        Values::Networks(v) => v.len(),
        Values::Null(v) => v.len(),
    };
    for i in 0..n {
        match positive(c, i, value, ctx) {
            Some(true) => return !negated,
            Some(false) => {}
            None if negated => return false,
            None => {}
        }
    }
    negated
}

/// The positive comparison of request `value` with the `i`-th policy value, or `None` when
/// either side has no usable value.
fn positive(c: &Condition, i: usize, value: &str, ctx: &Context) -> Option<bool> {
    use Base::*;
    match &c.values {
        Values::Templates(ts) => {
            let p: Cow<str> = ts.get(i)?.resolve(ctx)?;
            Some(match c.operator.base {
                StringEquals | StringNotEquals => p == value,
                StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => p
                    .chars()
                    .flat_map(char::to_lowercase)
                    .eq(value.chars().flat_map(char::to_lowercase)),
                StringLike | StringNotLike => glob::matches(&p, value),
                Bool => values::parse_bool(value)? == values::parse_bool(&p)?,
                _ => arn::condition_matches(&p, value),
            })
        }
        Values::Numbers(ns) => {
            let (p, v) = (*ns.get(i)?, values::numeric::parse(value)?);
            Some(ordered(c.operator.base, p.partial_cmp(&v)?))
        }
        Values::Dates(ds) => {
            let (p, v) = (*ds.get(i)?, values::date::parse(value)?);
            Some(ordered(c.operator.base, p.cmp(&v)))
        }
        Values::Binary(bs) => Some(*bs.get(i)? == values::binary::parse(value)?),
        Values::Networks(nets) => Some(nets.get(i)?.contains(&values::ip::parse_addr(value)?)),
        Values::Null(_) => None,
    }
}

/// Numeric and date comparisons: `policy` compared with the request value.
fn ordered(base: Base, policy_vs_request: std::cmp::Ordering) -> bool {
    use Base::*;
    use std::cmp::Ordering::*;
    // "NumericLessThan": the request value is less than the policy value.
    match base {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => policy_vs_request == Equal,
        NumericLessThan | DateLessThan => policy_vs_request == Greater,
        NumericLessThanEquals | DateLessThanEquals => policy_vs_request != Less,
        NumericGreaterThan | DateGreaterThan => policy_vs_request == Less,
        NumericGreaterThanEquals | DateGreaterThanEquals => policy_vs_request != Greater,
        _ => false,
    }
}

/// The policy values as they read after variable substitution (`None`: unresolved), for traces.
pub(crate) fn resolved_values(c: &Condition, ctx: &Context) -> Vec<Option<String>> {
    match &c.values {
        Values::Templates(ts) => ts.iter().map(|t| t.resolve_for_display(ctx)).collect(),
        _ => c.raw_values.iter().cloned().map(Some).collect(),
    }
}
