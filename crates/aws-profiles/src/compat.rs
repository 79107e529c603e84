//! Where botocore (the AWS CLI, boto3) reads a document differently from the SDK grammar this crate follows, so a
//! caller such as `doctor` can point at the line before the AWS CLI trips over it.

use crate::document::{Document, FileKind, SectionId};
use crate::syntax::{self, LineClass, WHITESPACE};

/// One line botocore treats differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BotocoreDifference {
    /// 1-based line number.
    pub line: usize,
    /// What botocore does with it.
    pub kind: DifferenceKind,
}

/// The kinds of [`BotocoreDifference`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DifferenceKind {
    /// A second section with the same header: botocore (Python configparser, strict) rejects the whole file.
    #[error(
        "duplicate section header: the AWS CLI rejects the whole file (the SDKs merge the sections)"
    )]
    DuplicateSection,
    /// A key set twice in one section: botocore rejects the whole file.
    #[error(
        "duplicate key in this section: the AWS CLI rejects the whole file (the SDKs keep the last value)"
    )]
    DuplicateKey,
    /// `[default]` and `[profile default]` both present: botocore uses whichever comes last, the SDKs the latter.
    #[error(
        "both [default] and [profile default] exist: the AWS CLI uses the later one, the SDKs [profile default]"
    )]
    TwoDefaultSections,
    /// `key = value # text`: the SDKs drop the comment, botocore keeps it as part of the value.
    #[error("inline comment: the AWS CLI reads it as part of the value, the SDKs drop it")]
    InlineComment,
}

impl Document {
    /// Lines that botocore reads differently from the SDKs (and from [`Document::get`]), in file order.
    pub fn botocore_differences(&self) -> Vec<BotocoreDifference> {
        let mut found = Vec::new();
        let mut headers: Vec<&str> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        let mut default_forms = [false, false];
        for (idx, line) in self.lines.iter().enumerate() {
            let mut report = |kind| {
                found.push(BotocoreDifference {
                    line: idx + 1,
                    kind,
                })
            };
            match &line.class {
                LineClass::Header { name } => {
                    keys.clear();
                    if headers.contains(&name.as_str()) {
                        report(DifferenceKind::DuplicateSection);
                    }
                    headers.push(name);
                    if self.kind == FileKind::Config
                        && let SectionId::Profile { name, prefixed } =
                            SectionId::of(name, self.kind)
                        && name == "default"
                    {
                        default_forms[usize::from(prefixed)] = true;
                        if default_forms == [true, true] {
                            report(DifferenceKind::TwoDefaultSections);
                            default_forms = [false, false];
                        }
                    }
                }
                LineClass::Property { key, .. } => {
                    if keys.contains(&key.as_str()) {
                        report(DifferenceKind::DuplicateKey);
                    }
                    keys.push(key);
                    if has_inline_comment(&line.text) {
                        report(DifferenceKind::InlineComment);
                    }
                }
                LineClass::Blank | LineClass::Comment | LineClass::Continuation { .. } => {}
            }
        }
        found
    }
}

/// Whether the SDK's value of a property line stops before the end of the line (an inline comment follows).
fn has_inline_comment(text: &str) -> bool {
    syntax::property_parts(text)
        .is_ok_and(|parts| parts.value_end < text.trim_end_matches(WHITESPACE).len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn differences(text: &str) -> Vec<(usize, DifferenceKind)> {
        let doc = Document::parse(text, FileKind::Config).unwrap();
        doc.botocore_differences()
            .into_iter()
            .map(|d| (d.line, d.kind))
            .collect()
    }

    /// Each case was checked against botocore 1.43 `raw_config_parse`/`load_config`.
    #[test]
    fn finds_what_botocore_reads_differently() {
        use DifferenceKind::*;
        assert_eq!(
            differences("[default]\na = 1\n[profile x]\nb = 2 # c\n"),
            vec![(4, InlineComment)]
        );
        assert_eq!(
            differences("[profile x]\na=1\n[profile x]\n"),
            vec![(3, DuplicateSection)]
        );
        assert_eq!(
            differences("[default]\na=1\nA = 2\n[profile y]\na=3\n"),
            vec![(3, DuplicateKey)]
        );
        assert_eq!(
            differences("[default]\n[profile default]\n"),
            vec![(2, TwoDefaultSections)]
        );
        assert_eq!(differences("[default]\na = b#c\nd = e;f\n"), vec![]);
    }
}
