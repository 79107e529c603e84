//! Parsing policy documents with errors that name the line and column.
//!
//! serde_json attaches the reader's position to errors raised inside `Deserialize`
//! implementations, so each check below is made where its element is read: an error points at
//! the element that caused it (for statement-level checks such as a missing `Effect`, at the end
//! of that statement).

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::ast::{
    ActionBlock, ActionPattern, Condition, Effect, Policy, ResourceBlock, Statement, Values,
    Version,
};
use crate::error::ParseError;
use crate::operator::{Family, Operator};
use crate::principal::{PrincipalBlock, parse_entry};
use crate::template::{Render, Template};
use crate::values;

/// The largest policy document accepted, in bytes: 1 MiB. AWS caps identity policies far lower
/// (6,144 characters for a managed policy, 2,048–10,240 for an inline one), so the cap loses
/// nothing real and bounds the memory and time an adversarial document can cost.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// Parses an identity policy document (at most [`MAX_DOCUMENT_BYTES`]).
pub fn parse_policy(text: &str) -> Result<Policy, ParseError> {
    let parsed = parse_document(text, Grammar::Identity)?;
    Ok(Policy {
        version: parsed.version,
        statements: parsed.statements.into_iter().map(|(st, _)| st).collect(),
    })
}

/// Which kind of policy a document is read as: the elements each allows differ (R28, R29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    /// An identity policy: no `Principal`, `Resource` required.
    Identity,
    /// A role trust policy: `Principal` required, no `NotPrincipal`, no `Resource`, and only
    /// `sts:` actions.
    RoleTrust,
    /// Another resource-based policy: `Principal` or `NotPrincipal`, and `Resource`.
    Resource,
}

/// A parsed document: the statements with their `Principal` element (resource grammars).
pub(crate) struct Parsed {
    pub(crate) version: Version,
    pub(crate) statements: Vec<(Statement, Option<PrincipalBlock>)>,
}

/// Parses a document in `grammar` (at most [`MAX_DOCUMENT_BYTES`]).
pub(crate) fn parse_document(text: &str, grammar: Grammar) -> Result<Parsed, ParseError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ParseError::without_position(format!(
            "the policy document has {} bytes, more than the cap of {} (1 MiB; AWS allows at most 10,240 characters)",
            text.len(),
            MAX_DOCUMENT_BYTES
        )));
    }
    let version = peek_version(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let policy = PolicySeed { version, grammar }
        .deserialize(&mut de)
        .map_err(ParseError::from_json)?;
    de.end().map_err(ParseError::from_json)?;
    Ok(policy)
}

/// The `Version` is needed before statements are read (variables depend on it), and JSON
/// objects may list it last: a first, cheap pass finds it.
fn peek_version(text: &str) -> Result<Version, ParseError> {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(rename = "Version")]
        version: Option<serde_json::Value>,
    }
    let peek: Peek = serde_json::from_str(text).map_err(ParseError::from_json)?;
    match peek.version {
        None => Ok(Version::Missing),
        Some(serde_json::Value::String(v)) if v == "2012-10-17" => Ok(Version::V2012_10_17),
        Some(serde_json::Value::String(v)) if v == "2008-10-17" => Ok(Version::V2008_10_17),
        Some(other) => Err(ParseError::without_position(format!(
            "Version must be \"2012-10-17\" or \"2008-10-17\", found {other}"
        ))),
    }
}

fn duplicate<E: de::Error>(seen: &mut HashSet<String>, key: &str, what: &str) -> Result<(), E> {
    if seen.insert(key.to_owned()) {
        Ok(())
    } else {
        Err(E::custom(format!("duplicate key \"{key}\" in {what}")))
    }
}

struct PolicySeed {
    version: Version,
    grammar: Grammar,
}

impl<'de> DeserializeSeed<'de> for PolicySeed {
    type Value = Parsed;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PolicySeed {
    type Value = Parsed;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a policy document (a JSON object with Version and Statement)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut seen = HashSet::new();
        let mut statements = None;
        while let Some(key) = map.next_key::<String>()? {
            duplicate(&mut seen, &key, "the policy")?;
            match key.as_str() {
                "Version" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "Statement" => {
                    statements = Some(map.next_value_seed(StatementsSeed {
                        version: self.version,
                        grammar: self.grammar,
                    })?);
                }
                "Id" if self.grammar != Grammar::Identity => {
                    map.next_value::<String>()?;
                }
                "Id" => {
                    return Err(de::Error::custom(
                        "Id is allowed in resource-based policies, but not in identity-based policies",
                    ));
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown policy element \"{other}\""
                    )));
                }
            }
        }
        let statements: Vec<(Statement, Option<PrincipalBlock>)> =
            statements.ok_or_else(|| de::Error::custom("the policy has no Statement"))?;
        if statements.is_empty() {
            return Err(de::Error::custom("Statement is empty"));
        }
        let mut sids = HashSet::new();
        for sid in statements.iter().filter_map(|(s, _)| s.sid.as_deref()) {
            if !sids.insert(sid) {
                return Err(de::Error::custom(format!(
                    "Sid \"{sid}\" is used twice; in IAM a Sid must be unique within a policy"
                )));
            }
        }
        Ok(Parsed {
            version: self.version,
            statements,
        })
    }
}

struct StatementsSeed {
    version: Version,
    grammar: Grammar,
}

impl<'de> DeserializeSeed<'de> for StatementsSeed {
    type Value = Vec<(Statement, Option<PrincipalBlock>)>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StatementsSeed {
    type Value = Vec<(Statement, Option<PrincipalBlock>)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement object or an array of statements")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(vec![
            StatementSeed {
                version: self.version,
                grammar: self.grammar,
            }
            .visit_map(map)?,
        ])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(st) = seq.next_element_seed(StatementSeed {
            version: self.version,
            grammar: self.grammar,
        })? {
            out.push(st);
        }
        Ok(out)
    }
}

struct StatementSeed {
    version: Version,
    grammar: Grammar,
}

impl<'de> DeserializeSeed<'de> for StatementSeed {
    type Value = (Statement, Option<PrincipalBlock>);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StatementSeed {
    type Value = (Statement, Option<PrincipalBlock>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let variables = self.version.substitutes_variables();
        let grammar = self.grammar;
        let mut seen = HashSet::new();
        let (mut sid, mut effect, mut actions, mut resources, mut conditions) =
            (None, None, None, None, None);
        let mut principal: Option<PrincipalBlock> = None;
        while let Some(key) = map.next_key::<String>()? {
            duplicate(&mut seen, &key, "the statement")?;
            match key.as_str() {
                "Sid" => {
                    let s: String = map.next_value()?;
                    if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                        return Err(de::Error::custom(format!(
                            "Sid \"{s}\" may contain only ASCII letters and digits"
                        )));
                    }
                    sid = Some(s);
                }
                "Effect" => {
                    let e: String = map.next_value()?;
                    effect = Some(match e.as_str() {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        _ => {
                            return Err(de::Error::custom(format!(
                                "Effect must be \"Allow\" or \"Deny\", found \"{e}\""
                            )));
                        }
                    });
                }
                "Action" | "NotAction" => {
                    if actions.is_some() {
                        return Err(de::Error::custom(
                            "a statement cannot have both Action and NotAction",
                        ));
                    }
                    let list: StringList = map.next_value()?;
                    let patterns = list
                        .0
                        .iter()
                        .map(|a| check_action(a, grammar).map(|()| ActionPattern::new(a)))
                        .collect::<Result<_, String>>()
                        .map_err(de::Error::custom)?;
                    actions = Some(ActionBlock {
                        negated: key == "NotAction",
                        patterns,
                    });
                }
                "Resource" | "NotResource" if grammar == Grammar::RoleTrust => {
                    return Err(de::Error::custom(format!(
                        "{key} is not allowed in a role trust policy (the role is the resource)"
                    )));
                }
                "Resource" | "NotResource" => {
                    if resources.is_some() {
                        return Err(de::Error::custom(
                            "a statement cannot have both Resource and NotResource",
                        ));
                    }
                    let list: StringList = map.next_value()?;
                    let patterns = list
                        .0
                        .iter()
                        .map(|r| Template::parse(r, variables, Render::Glob))
                        .collect::<Result<_, String>>()
                        .map_err(de::Error::custom)?;
                    resources = Some(ResourceBlock {
                        negated: key == "NotResource",
                        patterns,
                    });
                }
                "Condition" => {
                    conditions = Some(map.next_value_seed(ConditionBlockSeed { variables })?)
                }
                "Principal" | "NotPrincipal" if grammar == Grammar::Identity => {
                    return Err(de::Error::custom(format!(
                        "{key} is not allowed in an identity-based policy (it belongs in resource-based policies)"
                    )));
                }
                "NotPrincipal" if grammar == Grammar::RoleTrust => {
                    return Err(de::Error::custom(
                        "NotPrincipal is not allowed in a role trust policy",
                    ));
                }
                "Principal" | "NotPrincipal" => {
                    if principal.is_some() {
                        return Err(de::Error::custom(
                            "a statement cannot have both Principal and NotPrincipal",
                        ));
                    }
                    let entries = map.next_value_seed(PrincipalSeed)?;
                    principal = Some(PrincipalBlock {
                        negated: key == "NotPrincipal",
                        entries,
                    });
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown statement element \"{other}\""
                    )));
                }
            }
        }
        let effect = effect.ok_or_else(|| de::Error::custom("the statement has no Effect"))?;
        let actions =
            actions.ok_or_else(|| de::Error::custom("the statement has no Action or NotAction"))?;
        let resources = match (resources, grammar) {
            (Some(r), _) => r,
            // A trust statement applies to the role it is attached to.
            (None, Grammar::RoleTrust) => ResourceBlock {
                negated: false,
                patterns: vec![
                    Template::parse("*", false, Render::Glob).map_err(de::Error::custom)?,
                ],
            },
            (None, Grammar::Identity) => {
                return Err(de::Error::custom(
                    "the statement has no Resource or NotResource (identity policies require one)",
                ));
            }
            (None, Grammar::Resource) => {
                return Err(de::Error::custom(
                    "the statement has no Resource or NotResource",
                ));
            }
        };
        if grammar != Grammar::Identity {
            match &principal {
                None => {
                    return Err(de::Error::custom(
                        "the statement has no Principal (resource-based policies require one)",
                    ));
                }
                Some(p) if p.negated && effect == Effect::Allow => {
                    return Err(de::Error::custom(
                        "NotPrincipal may only be used with \"Effect\": \"Deny\"",
                    ));
                }
                Some(_) => {}
            }
        }
        Ok((
            Statement {
                sid,
                effect,
                actions,
                resources,
                conditions: conditions.unwrap_or_default(),
            },
            principal,
        ))
    }
}

/// The entries of a `Principal` element: `"*"`, or an object of principal types, each with
/// one value or a non-empty list (R30).
struct PrincipalSeed;

impl<'de> DeserializeSeed<'de> for PrincipalSeed {
    type Value = Vec<crate::principal::PrincipalEntry>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PrincipalSeed {
    type Value = Vec<crate::principal::PrincipalEntry>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "*" {
            Ok(vec![crate::principal::PrincipalEntry::Any])
        } else {
            Err(E::custom(format!(
                "Principal \"{v}\": a string Principal must be \"*\"; name principals as {{\"AWS\": \"{v}\"}}"
            )))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        while let Some(kind) = map.next_key::<String>()? {
            duplicate(&mut seen, &kind, "the Principal")?;
            let list: StringList = map.next_value()?;
            for value in &list.0 {
                out.push(parse_entry(&kind, value).map_err(de::Error::custom)?);
            }
        }
        if out.is_empty() {
            return Err(de::Error::custom("the Principal names no principal"));
        }
        Ok(out)
    }
}

/// Actions are `service:pattern` or `*` (R15); a role trust policy allows only `sts:` actions
/// (R29).
fn check_action(action: &str, grammar: Grammar) -> Result<(), String> {
    if action == "*" {
        return Ok(());
    }
    if grammar == Grammar::RoleTrust
        && !action
            .split_once(':')
            .is_some_and(|(service, _)| service.eq_ignore_ascii_case("sts"))
    {
        return Err(format!(
            "action \"{action}\": a role trust policy may only allow sts: actions (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity, …)"
        ));
    }
    match action.split_once(':') {
        Some((service, name))
            if !service.is_empty() && !name.is_empty() && !service.contains(['*', '?']) =>
        {
            Ok(())
        }
        Some((service, _)) if service.contains(['*', '?']) => Err(format!(
            "action \"{action}\": the service prefix cannot contain a wildcard"
        )),
        _ => Err(format!(
            "action \"{action}\" must be \"service:action\" (for example \"iam:GetUser\") or \"*\""
        )),
    }
}

/// A string or a non-empty array of strings.
struct StringList(Vec<String>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                if out.is_empty() {
                    return Err(de::Error::custom("the list is empty"));
                }
                Ok(StringList(out))
            }
        }
        d.deserialize_any(V)
    }
}

struct ConditionBlockSeed {
    variables: bool,
}

impl<'de> DeserializeSeed<'de> for ConditionBlockSeed {
    type Value = Vec<Condition>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ConditionBlockSeed {
    type Value = Vec<Condition>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Condition object: {\"Operator\": {\"key\": value-or-values}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            duplicate(&mut seen, &name, "the Condition")?;
            let operator = Operator::parse(&name).ok_or_else(|| {
                de::Error::custom(format!("unknown condition operator \"{name}\""))
            })?;
            map.next_value_seed(OperatorBlockSeed {
                operator,
                variables: self.variables,
                out: &mut out,
            })?;
        }
        Ok(out)
    }
}

struct OperatorBlockSeed<'a> {
    operator: Operator,
    variables: bool,
    out: &'a mut Vec<Condition>,
}

impl<'de> DeserializeSeed<'de> for OperatorBlockSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OperatorBlockSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object of condition keys for {}", self.operator)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            duplicate(
                &mut seen,
                &key.to_ascii_lowercase(),
                "the condition operator block (key names are case-insensitive)",
            )?;
            let raw: ConditionValues = map.next_value()?;
            let values = typed_values(self.operator, &raw.0, self.variables)
                .map_err(|e| de::Error::custom(format!("{} \"{key}\": {e}", self.operator)))?;
            self.out.push(Condition {
                operator: self.operator,
                key_lower: key.to_ascii_lowercase(),
                key,
                raw_values: raw.0,
                values,
            });
        }
        Ok(())
    }
}

/// Parses each value for the operator's family (R22, R24–R27).
fn typed_values(op: Operator, raw: &[String], variables: bool) -> Result<Values, String> {
    let family = op.base.family();
    if variables && !op.base.allows_variables() && raw.iter().any(|v| v.contains("${")) {
        return Err(format!(
            "policy variables are not allowed with {} operators",
            op.base.name()
        ));
    }
    fn each<T>(
        raw: &[String],
        what: &str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, String> {
        raw.iter()
            .map(|v| f(v).ok_or_else(|| format!("\"{v}\" is not {what}")))
            .collect()
    }
    Ok(match family {
        Family::String | Family::Bool | Family::Arn => {
            let render = match op.base {
                crate::operator::Base::StringLike | crate::operator::Base::StringNotLike => {
                    Render::Glob
                }
                _ if family == Family::Arn => Render::Glob,
                _ => Render::Plain,
            };
            if family == Family::Bool {
                for v in raw.iter().filter(|v| !v.contains("${")) {
                    values::parse_bool(v)
                        .ok_or_else(|| format!("\"{v}\" is not a boolean (true or false)"))?;
                }
            }
            Values::Templates(
                raw.iter()
                    .map(|v| Template::parse(v, variables, render))
                    .collect::<Result<_, _>>()?,
            )
        }
        Family::Numeric => Values::Numbers(each(raw, "a number", values::numeric::parse)?),
        Family::Date => Values::Dates(each(
            raw,
            "a date (ISO 8601 or epoch seconds)",
            values::date::parse,
        )?),
        Family::Binary => Values::Binary(each(raw, "base64", values::binary::parse)?),
        Family::Ip => Values::Networks(each(
            raw,
            "an IP address or CIDR block",
            values::ip::parse_net,
        )?),
        Family::Null => Values::Null(each(raw, "true or false", values::parse_bool)?),
    })
}

/// A condition value or a non-empty array of them; numbers and booleans become their text.
struct ConditionValues(Vec<String>);

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for ConditionValues {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let bad = || {
            de::Error::custom(
                "a condition value must be a string, number or boolean, or an array of them",
            )
        };
        match &v {
            serde_json::Value::Array(items) if items.is_empty() => {
                Err(de::Error::custom("the value list is empty"))
            }
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| scalar_text(i).ok_or_else(bad))
                .collect::<Result<_, _>>()
                .map(ConditionValues),
            other => scalar_text(other)
                .map(|s| ConditionValues(vec![s]))
                .ok_or_else(bad),
        }
    }
}
