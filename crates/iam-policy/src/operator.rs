//! Condition operators: the base comparison, its `...IfExists` form and the
//! `ForAllValues:`/`ForAnyValue:` set qualifiers, in one place (R4–R11).

use serde::Serialize;

/// The value family an operator compares, which decides how policy values are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `String*`.
    String,
    /// `Numeric*`.
    Numeric,
    /// `Date*`.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn*`.
    Arn,
    /// `Null`.
    Null,
}

/// The comparison itself, without qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Base {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const BASES: [(&str, Base); 27] = [
    ("StringEquals", Base::StringEquals),
    ("StringNotEquals", Base::StringNotEquals),
    ("StringEqualsIgnoreCase", Base::StringEqualsIgnoreCase),
    ("StringNotEqualsIgnoreCase", Base::StringNotEqualsIgnoreCase),
    ("StringLike", Base::StringLike),
    ("StringNotLike", Base::StringNotLike),
    ("NumericEquals", Base::NumericEquals),
    ("NumericNotEquals", Base::NumericNotEquals),
    ("NumericLessThan", Base::NumericLessThan),
    ("NumericLessThanEquals", Base::NumericLessThanEquals),
    ("NumericGreaterThan", Base::NumericGreaterThan),
    ("NumericGreaterThanEquals", Base::NumericGreaterThanEquals),
    ("DateEquals", Base::DateEquals),
    ("DateNotEquals", Base::DateNotEquals),
    ("DateLessThan", Base::DateLessThan),
    ("DateLessThanEquals", Base::DateLessThanEquals),
    ("DateGreaterThan", Base::DateGreaterThan),
    ("DateGreaterThanEquals", Base::DateGreaterThanEquals),
    ("Bool", Base::Bool),
    ("BinaryEquals", Base::BinaryEquals),
    ("IpAddress", Base::IpAddress),
    ("NotIpAddress", Base::NotIpAddress),
    ("ArnEquals", Base::ArnEquals),
    ("ArnLike", Base::ArnLike),
    ("ArnNotEquals", Base::ArnNotEquals),
    ("ArnNotLike", Base::ArnNotLike),
    ("Null", Base::Null),
];

impl Base {
    /// The value family.
    pub fn family(self) -> Family {
        use Base::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }

    /// Negated operators: true for a missing key (R4) and NOR over several values (R2).
    pub fn is_negated(self) -> bool {
        use Base::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// Whether policy variables are substituted in this operator's values (R22).
    pub fn allows_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Bool | Family::Arn)
    }

    /// The operator's name as written in policies.
    pub fn name(self) -> &'static str {
        BASES
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("", |(name, _)| name)
    }
}

/// A set qualifier for multi-valued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetQualifier {
    /// `ForAllValues:` — every request value matches (true for a missing or empty key).
    ForAllValues,
    /// `ForAnyValue:` — some request value matches (false for a missing or empty key).
    ForAnyValue,
}

/// A full condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The comparison.
    pub base: Base,
    /// `ForAllValues:` / `ForAnyValue:`.
    pub set: Option<SetQualifier>,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name; `None` for an unknown operator or `NullIfExists` (R5).
    pub fn parse(name: &str) -> Option<Self> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (if_exists, rest) = match rest.strip_suffix("IfExists") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let base = BASES.iter().find(|(n, _)| *n == rest).map(|(_, b)| *b)?;
        if base == Base::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Self {
            base,
            set,
            if_exists,
        })
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.set {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualified_operators() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.base, Base::StringLike);
        assert_eq!(op.set, Some(SetQualifier::ForAnyValue));
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
        assert!(
            Operator::parse("NullIfExists").is_none(),
            "IfExists cannot be used with Null"
        );
        assert!(Operator::parse("StringEqual").is_none());
        assert!(
            Operator::parse("stringequals").is_none(),
            "operator names are case-sensitive"
        );
        for (name, base) in BASES {
            assert_eq!(Operator::parse(name).unwrap().base, base);
            assert_eq!(base.name(), name);
        }
    }
}
