//! The line grammar of the shared config/credentials files, as the AWS SDKs for Rust, Java v2 and Go v2 implement
//! the "shared config file" spec (aws-runtime `env_config/parse.rs`): one line at a time, no state here.

/// The only characters the SDK treats as indentation and padding around `=`.
pub(crate) const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// What one physical line is, judged on its own (continuations are attached by [`crate::document`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LineClass {
    /// Empty or only spaces/tabs.
    Blank,
    /// `#` or `;` in column 0.
    Comment,
    /// `[...]`; `name` is the raw text between the brackets (comments after `]` removed).
    Header { name: String },
    /// An indented line: part of the previous key's value; `text` is trimmed.
    Continuation { text: String },
    /// `key = value`; `key` lowercased as the SDKs do, `value` trimmed with any inline comment removed.
    Property { key: String, value: String },
}

/// Why a line is malformed, independent of where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineError {
    /// A `[` line without a closing `]`.
    UnclosedHeader,
    /// A key line without `=`.
    NoEquals,
    /// Nothing before the `=`.
    EmptyKey,
}

/// Classifies one line (without its line ending).
pub(crate) fn classify(line: &str) -> Result<LineClass, LineError> {
    if line.trim_matches(WHITESPACE).is_empty() {
        Ok(LineClass::Blank)
    } else if line.starts_with(COMMENT) {
        Ok(LineClass::Comment)
    } else if line.starts_with('[') {
        header_name(line).map(|name| LineClass::Header {
            name: name.to_owned(),
        })
    } else if line.starts_with(WHITESPACE) {
        Ok(LineClass::Continuation {
            text: line.trim_matches(WHITESPACE).to_owned(),
        })
    } else {
        let parts = property_parts(line)?;
        Ok(LineClass::Property {
            key: parts.key(line).to_ascii_lowercase(),
            value: parts.value(line).to_owned(),
        })
    }
}

/// The text between `[` and `]` of a header line; in a header a comment needs no whitespace before it.
fn header_name(line: &str) -> Result<&str, LineError> {
    let body = line.trim_matches(WHITESPACE);
    let body = body
        .find(COMMENT)
        .map_or(body, |cut| &body[..cut])
        .trim_matches(WHITESPACE);
    body.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or(LineError::UnclosedHeader)
}

/// Byte ranges of the key and the value inside a property line, so edits can replace just the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PropertyParts {
    pub key_start: usize,
    pub key_end: usize,
    pub value_start: usize,
    pub value_end: usize,
}

impl PropertyParts {
    pub(crate) fn key<'a>(&self, line: &'a str) -> &'a str {
        &line[self.key_start..self.key_end]
    }

    pub(crate) fn value<'a>(&self, line: &'a str) -> &'a str {
        &line[self.value_start..self.value_end]
    }
}

/// Splits `key = value # comment`. An inline comment starts at `#`/`;` preceded by whitespace, as in the SDK.
pub(crate) fn property_parts(line: &str) -> Result<PropertyParts, LineError> {
    let start = line.len() - line.trim_start_matches(WHITESPACE).len();
    let body = line[start..].trim_end_matches(WHITESPACE);
    let mut cut = body.len();
    let mut prev_whitespace = false;
    for (idx, chr) in body.char_indices() {
        if COMMENT.contains(&chr) && prev_whitespace {
            cut = idx;
            break;
        }
        prev_whitespace = chr.is_whitespace();
    }
    let content = body[..cut].trim_end_matches(WHITESPACE);
    let eq = content.find('=').ok_or(LineError::NoEquals)?;
    let raw_key = &content[..eq];
    let key_end = start + raw_key.trim_end_matches(WHITESPACE).len();
    if key_end == start {
        return Err(LineError::EmptyKey);
    }
    let raw_value = &content[eq + 1..];
    let value_start =
        start + eq + 1 + (raw_value.len() - raw_value.trim_start_matches(WHITESPACE).len());
    let value_end = start + content.len();
    Ok(PropertyParts {
        key_start: start,
        key_end,
        value_start: value_start.min(value_end),
        value_end,
    })
}

/// A key or profile name the SDK accepts; others are ignored by it (with a warning), so we ignore them too.
pub(crate) fn is_identifier(input: &str) -> bool {
    !input.is_empty()
        && input.chars().all(|ch| {
            ch.is_ascii_alphanumeric() || ['_', '-', '/', '.', '%', '@', ':', '+'].contains(&ch)
        })
}

/// Splits a header name into an optional prefix (`profile`, `sso-session`, `services`, ...) and a name.
pub(crate) fn split_section_name(raw: &str) -> (Option<&str>, &str) {
    let input = raw.trim_matches(WHITESPACE);
    match input.split_once(WHITESPACE) {
        Some((prefix, suffix)) => (Some(prefix.trim()), suffix.trim()),
        None => (None, input.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(key: &str, value: &str) -> Result<LineClass, LineError> {
        Ok(LineClass::Property {
            key: key.into(),
            value: value.into(),
        })
    }

    #[test]
    fn classifies_like_the_sdk() {
        let cases: &[(&str, Result<LineClass, LineError>)] = &[
            ("", Ok(LineClass::Blank)),
            (" \t ", Ok(LineClass::Blank)),
            ("# c", Ok(LineClass::Comment)),
            ("; c", Ok(LineClass::Comment)),
            (
                "[default]",
                Ok(LineClass::Header {
                    name: "default".into(),
                }),
            ),
            (
                "[profile a] # c",
                Ok(LineClass::Header {
                    name: "profile a".into(),
                }),
            ),
            (
                "[profile a]# c",
                Ok(LineClass::Header {
                    name: "profile a".into(),
                }),
            ),
            ("[ x ]  ", Ok(LineClass::Header { name: " x ".into() })),
            ("[default", Err(LineError::UnclosedHeader)),
            ("[a#b]", Err(LineError::UnclosedHeader)),
            (
                "  a = b ",
                Ok(LineClass::Continuation {
                    text: "a = b".into(),
                }),
            ),
            ("\tx", Ok(LineClass::Continuation { text: "x".into() })),
            ("a = b", prop("a", "b")),
            ("a=b", prop("a", "b")),
            ("ABc = DEF", prop("abc", "DEF")),
            ("a =    ", prop("a", "")),
            ("a = b # c", prop("a", "b")),
            ("a = b ; c", prop("a", "b")),
            ("a = b#c # d", prop("a", "b#c")),
            ("a = b;c", prop("a", "b;c")),
            ("x=aGVsbG8==", prop("x", "aGVsbG8==")),
            ("a = b = c", prop("a", "b = c")),
            ("a b", Err(LineError::NoEquals)),
            ("a # = b", Err(LineError::NoEquals)),
            ("= b", Err(LineError::EmptyKey)),
        ];
        for (line, want) in cases {
            assert_eq!(&classify(line), want, "line {line:?}");
        }
    }

    #[test]
    fn property_parts_locate_key_and_value() {
        let line = "  Key\t=  some value  # note";
        let parts = property_parts(line).unwrap();
        assert_eq!(parts.key(line), "Key");
        assert_eq!(parts.value(line), "some value");
        assert_eq!(&line[parts.value_end..], "  # note");
        let empty = "k =";
        let parts = property_parts(empty).unwrap();
        assert_eq!(parts.value(empty), "");
        assert_eq!(parts.value_start, 3);
    }

    #[test]
    fn section_names_split_on_first_whitespace() {
        assert_eq!(split_section_name("profile  a "), (Some("profile"), "a"));
        assert_eq!(split_section_name(" default "), (None, "default"));
        assert_eq!(split_section_name("profile\tx y"), (Some("profile"), "x y"));
        assert!(is_identifier("a-b_c.d/e%f@g:h+1"));
        assert!(!is_identifier("x y"));
        assert!(!is_identifier(""));
    }
}
