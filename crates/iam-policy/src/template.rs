//! Policy values that may contain policy variables (`${aws:username}`, `${key, 'default'}`,
//! `${*}`, `${?}`, `${$}`), resolved against a request context (R18–R22).
//!
//! Variables are recognised only under `Version: 2012-10-17`; under `2008-10-17` or with no
//! `Version` the text is literal (R18). A template is rendered either as a glob (wildcards in
//! the policy text keep their meaning, while substituted values and `${*}`/`${?}` are escaped so
//! they match literally, R21) or as plain text.

use std::borrow::Cow;

use crate::glob;
use crate::request::Context;

/// How a template's text is interpreted once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Render {
    /// `*` and `?` in the policy text are wildcards.
    Glob,
    /// Everything is literal.
    Plain,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// Text already rendered for the template's [`Render`] mode.
    Text(String),
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A policy value, pre-rendered when it has no variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    render: Render,
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; `variables` says whether `${…}` is substituted (Version 2012-10-17).
    pub(crate) fn parse(text: &str, variables: bool, render: Render) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let next = if variables { rest.find("${") } else { None };
            let Some(start) = next else {
                push_text(&mut literal, rest, render);
                break;
            };
            push_text(&mut literal, &rest[..start], render);
            let body_start = start + 2;
            let end = rest[body_start..]
                .find('}')
                .ok_or_else(|| format!("policy variable in {text:?} has no closing '}}'"))?;
            let body = &rest[body_start..body_start + end];
            match body {
                "*" | "?" | "$" => {
                    let mut special = String::new();
                    if render == Render::Glob {
                        glob::escape_into(&mut special, body);
                    } else {
                        special.push_str(body);
                    }
                    literal.push_str(&special);
                }
                _ => {
                    let (key, default) = parse_variable(body).ok_or_else(|| {
                        format!("malformed policy variable ${{{body}}} in {text:?}")
                    })?;
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Var { key, default });
                }
            }
            rest = &rest[body_start + end + 1..];
        }
        if !literal.is_empty() || parts.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Self {
            source: text.to_owned(),
            render,
            parts,
        })
    }

    /// The text as written in the policy.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template contains a policy variable.
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The keys of the variables it references (lowercase).
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The resolved value as plain text (wildcards shown as written), for traces.
    pub(crate) fn resolve_for_display(&self, ctx: &Context) -> Option<String> {
        let value = self.resolve(ctx)?;
        Some(match self.render {
            Render::Glob => glob::unescape(&value),
            Render::Plain => value.into_owned(),
        })
    }

    /// The rendered value, or `None` when a variable has no value and no default (R19).
    pub(crate) fn resolve<'a>(&'a self, ctx: &Context) -> Option<Cow<'a, str>> {
        if let [Part::Text(text)] = self.parts.as_slice() {
            return Some(Cow::Borrowed(text));
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var { key, default } => {
                    let value = ctx
                        .get(key)
                        .and_then(|v| v.as_single())
                        .or(default.as_deref())?;
                    match self.render {
                        // Substituted values match literally (R21).
                        Render::Glob => glob::escape_into(&mut out, value),
                        Render::Plain => out.push_str(value),
                    }
                }
            }
        }
        Some(Cow::Owned(out))
    }
}

fn push_text(out: &mut String, text: &str, render: Render) {
    match render {
        // Policy text keeps its wildcards; only a backslash, which IAM does not treat as an
        // escape, must be made literal for the matcher.
        Render::Glob => {
            for c in text.chars() {
                if c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        Render::Plain => out.push_str(text),
    }
}

/// Parses `key` or `key, 'default'` (R20). Keys are case-insensitive (R22).
fn parse_variable(body: &str) -> Option<(String, Option<String>)> {
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let inner = default.strip_prefix('\'')?.strip_suffix('\'')?;
            (key, Some(inner.to_owned()))
        }
        None => (body, None),
    };
    let key = key.trim();
    let valid = !key.is_empty()
        && key.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '-' | '_' | '.' | '@' | '+' | '=')
        });
    valid.then(|| (key.to_ascii_lowercase(), default))
}
