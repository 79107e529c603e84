//! Findings read off the policy text, statement by statement: unknown action names, policy
//! variables made literal by the `Version`, and MFA conditions with the wrong operator (R8).

use std::collections::BTreeSet;

use iam_catalog::Catalog;
use iam_policy::ast::{ActionBlock, Condition, Statement};
use iam_policy::operator::Base;
use iam_policy::{Effect, PolicySet, StatementRef, Version};

use super::finding::{Evidence, Finding, FindingId, Severity};

const MFA_PRESENT: &str = "aws:multifactorauthpresent";

/// Every text finding of `set`, in statement order.
pub fn lint(set: &PolicySet, catalog: &Catalog) -> Vec<Finding> {
    let mut out = Vec::new();
    for (at, st) in set.statements() {
        unknown_actions(set, catalog, at, st, &mut out);
        literal_variables(set, at, st, &mut out);
        if st.conditions.iter().any(|c| c.key_lower() == MFA_PRESENT) {
            let others: Vec<&Statement> = set
                .statements()
                .filter(|(other, _)| *other != at)
                .map(|(_, other)| other)
                .collect();
            out.extend(mfa_conditions(&set.label(at), st, &others));
        }
    }
    out
}

/// The MFA-condition findings (R8) of statement `st`, labelled `label`, given the other
/// statements evaluated with it: the same traps in identity and in trust policies.
pub(crate) fn mfa_conditions(label: &str, st: &Statement, others: &[&Statement]) -> Vec<Finding> {
    st.conditions
        .iter()
        .filter(|c| c.key_lower() == MFA_PRESENT)
        .filter_map(|c| mfa_condition(label, st, c, others))
        .collect()
}

fn place(set: &PolicySet, at: StatementRef, detail: String) -> Evidence {
    labelled(&set.label(at), detail)
}

fn labelled(label: &str, detail: String) -> Evidence {
    Evidence {
        statements: vec![label.to_owned()],
        detail: Some(detail),
        ..Evidence::default()
    }
}

fn unknown_actions(
    set: &PolicySet,
    catalog: &Catalog,
    at: StatementRef,
    st: &Statement,
    out: &mut Vec<Finding>,
) {
    for pattern in &st.actions.patterns {
        let text = pattern.text.as_str();
        let known = if text.contains(['*', '?']) {
            iam_policy::analysis::expand(pattern, catalog)
                .next()
                .is_some()
        } else {
            catalog.lookup(text).is_some()
        };
        if known {
            continue;
        }
        let suggestion = catalog
            .suggest(text)
            .map(|id| catalog.action(id).full_name());
        let element = if st.actions.negated {
            "NotAction"
        } else {
            "Action"
        };
        let consequence = match (st.effect, st.actions.negated) {
            (Effect::Deny, true) => "so the Deny still covers the action meant to be exempted",
            (Effect::Deny, false) => "so the Deny does not deny what it means to",
            (Effect::Allow, false) => "so the Allow grants nothing",
            (Effect::Allow, true) => "so the Allow also grants the action meant to be left out",
        };
        let mut evidence = place(
            set,
            at,
            format!("{element} {text:?} matches no action of the catalog"),
        );
        evidence.action = Some(text.to_owned());
        out.push(Finding {
            id: FindingId::UnknownAction,
            severity: Severity::Medium,
            message: format!(
                "{}: {text} is not an action of any AWS service ({}), {consequence}",
                set.label(at),
                catalog.source()
            ),
            evidence: vec![evidence],
            fix: match suggestion {
                Some(name) => format!("Did you mean {name}? Correct the action name."),
                None => "Correct the action name (service prefix and action as in the Service Authorization Reference).".to_owned(),
            },
        });
    }
}

fn literal_variables(set: &PolicySet, at: StatementRef, st: &Statement, out: &mut Vec<Finding>) {
    let version = set
        .policies()
        .get(at.policy)
        .map_or(Version::V2012_10_17, |p| p.policy.version);
    if version.substitutes_variables() {
        return;
    }
    let texts = st
        .resources
        .patterns
        .iter()
        .map(|t| t.source())
        .chain(
            st.conditions
                .iter()
                .flat_map(|c| c.raw_values.iter().map(String::as_str)),
        )
        .filter(|t| t.contains("${"));
    let evidence: Vec<Evidence> = texts
        .map(|t| place(set, at, format!("{t:?} is matched literally")))
        .collect();
    if evidence.is_empty() {
        return;
    }
    let version_text = match version {
        Version::Missing => "has no Version element",
        _ => "has Version 2008-10-17",
    };
    out.push(Finding {
        id: FindingId::LiteralPolicyVariable,
        severity: Severity::Medium,
        message: format!(
            "{}: the policy {version_text}, so its policy variables (such as ${{aws:username}}) are literal text and match nothing they were meant to",
            set.label(at)
        ),
        evidence,
        fix: "Add \"Version\": \"2012-10-17\" at the top of the policy.".to_owned(),
    });
}

/// Whether `c` holds with `aws:MultiFactorAuthPresent` absent (`None`) or set to a value.
fn holds(c: &Condition, value: Option<&str>) -> bool {
    let values = c.raw_values.iter().map(|v| v.to_ascii_lowercase());
    match (c.operator.base, value) {
        (Base::Null, v) => values.into_iter().any(|n| (n == "true") == v.is_none()),
        (_, None) => c.operator.if_exists,
        (_, Some(v)) => values.into_iter().any(|n| n == v),
    }
}

/// Whether one of `others`, a Deny on every resource with MFA conditions only, denies at
/// least the actions `st` does when `aws:MultiFactorAuthPresent` is `value` (`None`: absent):
/// a `Bool` Deny paired with a `Null` Deny, for instance, enforces MFA together.
fn denied_elsewhere(others: &[&Statement], st: &Statement, value: Option<&str>) -> bool {
    others.iter().any(|other| {
        other.effect == Effect::Deny
            && !other.conditions.is_empty()
            && other
                .conditions
                .iter()
                .all(|c| c.key_lower() == MFA_PRESENT && holds(c, value))
            && !other.resources.negated
            && other.resources.patterns.iter().any(|t| t.source() == "*")
            && at_least_as_broad(&other.actions, &st.actions)
    })
}

/// Whether the action element `wide` covers every action `narrow` does, judged by the
/// patterns as written: `*`, fewer `NotAction` exemptions, or more `Action` patterns.
fn at_least_as_broad(wide: &ActionBlock, narrow: &ActionBlock) -> bool {
    let texts = |b: &ActionBlock| -> BTreeSet<String> {
        b.patterns
            .iter()
            .map(|p| p.text.to_ascii_lowercase())
            .collect()
    };
    match (wide.negated, narrow.negated) {
        (false, _) if wide.patterns.iter().any(|p| p.text == "*") => true,
        (true, true) => texts(wide).is_subset(&texts(narrow)),
        (false, false) => texts(narrow).is_subset(&texts(wide)),
        _ => false,
    }
}

fn mfa_condition(
    label: &str,
    st: &Statement,
    c: &Condition,
    others: &[&Statement],
) -> Option<Finding> {
    let written = format!(
        "{{\"{}\": {{\"{}\": {:?}}}}}",
        c.operator,
        c.key,
        c.raw_values.join(", ")
    );
    let (absent, without, with) = (
        holds(c, None),
        holds(c, Some("false")),
        holds(c, Some("true")),
    );
    // The value of the key (`None`: absent) this Deny lets through, if another Deny denies it.
    let missed = match c.operator.base {
        Base::Bool if without && !absent => Some(None),
        Base::Null if absent && !without => Some(Some("false")),
        _ => None,
    };
    if st.effect == Effect::Deny && missed.is_some_and(|v| denied_elsewhere(others, st, v)) {
        return None;
    }
    match c.operator.base {
        Base::Null => Some(Finding {
            id: FindingId::MfaConditionNull,
            severity: Severity::High,
            message: format!(
                "{label}: Null on aws:MultiFactorAuthPresent tests whether the credentials are temporary, not whether MFA was used: {}",
                match (st.effect, absent) {
                    (Effect::Deny, true) => "temporary credentials without MFA (console sign-in, GetSessionToken without a code) are not denied",
                    (Effect::Deny, false) => "it denies temporary credentials with MFA and lets long-term access keys through",
                    (Effect::Allow, true) => "it allows long-term access keys, which never carry MFA",
                    (Effect::Allow, false) => "it allows temporary credentials obtained without MFA",
                }
            ),
            evidence: vec![labelled(label, written)],
            fix: match st.effect {
                Effect::Deny => "Use {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}} in the Deny.".to_owned(),
                Effect::Allow => "Use {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} in the Allow.".to_owned(),
            },
        }),
        Base::Bool => {
            let message = match st.effect {
                Effect::Deny if without && !absent => "Bool (without IfExists) is false when the key is absent, and long-term access keys never carry aws:MultiFactorAuthPresent: requests signed with access keys are not denied",
                Effect::Allow if absent && !without && with => "BoolIfExists is true when the key is absent, so this Allow also grants requests signed with long-term access keys, which never carry MFA",
                _ => return None,
            };
            Some(Finding {
                id: FindingId::MfaConditionBool,
                severity: match st.effect {
                    Effect::Deny => Severity::High,
                    Effect::Allow => Severity::Medium,
                },
                message: format!("{label}: {message}"),
                evidence: vec![labelled(label, written)],
                fix: match st.effect {
                    Effect::Deny => "Use BoolIfExists: {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}}.".to_owned(),
                    Effect::Allow => "Use Bool: {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}.".to_owned(),
                },
            })
        }
        _ => None,
    }
}
