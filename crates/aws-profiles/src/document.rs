//! [`Document`]: one config or credentials file kept line by line, byte for byte, with the SDK's view of it.

use crate::error::{ParseError, Problem};
use crate::syntax::{self, LineClass, LineError};
use std::fmt;

/// Which of the two shared files a text is; it decides how section headers are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]` only.
    Credentials,
}

/// A named section to look a key up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section<'a> {
    /// A profile: `[profile NAME]`/`[default]` in config, `[NAME]` in credentials.
    Profile(&'a str),
    /// `[sso-session NAME]` (config only).
    SsoSession(&'a str),
    /// `[services NAME]` (config only); values are nested, see [`crate::sub_properties`].
    Services(&'a str),
}

/// What a header means in a file of a given kind, following aws-runtime `env_config/normalize.rs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SectionId {
    /// A profile; `prefixed` is `[profile default]` as opposed to `[default]`.
    Profile {
        name: String,
        prefixed: bool,
    },
    SsoSession(String),
    /// Any other `[prefix name]` in config, e.g. `[services x]`.
    Other {
        prefix: String,
        name: String,
    },
    /// A header the SDK ignores (e.g. `[foo]` in config, `[profile foo]` in credentials, invalid names).
    Ignored,
}

impl SectionId {
    pub(crate) fn of(raw: &str, kind: FileKind) -> SectionId {
        let (prefix, name) = syntax::split_section_name(raw);
        if !syntax::is_identifier(name) {
            return SectionId::Ignored;
        }
        let name = name.to_owned();
        match (kind, prefix) {
            (FileKind::Config, Some("profile")) => SectionId::Profile {
                name,
                prefixed: true,
            },
            (FileKind::Config, Some("sso-session")) => SectionId::SsoSession(name),
            (FileKind::Config, Some(prefix)) => SectionId::Other {
                prefix: prefix.to_owned(),
                name,
            },
            (FileKind::Config, None) if name == "default" => SectionId::Profile {
                name,
                prefixed: false,
            },
            (FileKind::Credentials, None) => SectionId::Profile {
                name,
                prefixed: false,
            },
            _ => SectionId::Ignored,
        }
    }

    fn matches(&self, section: Section<'_>) -> bool {
        match (self, section) {
            (SectionId::Profile { name, .. }, Section::Profile(want)) => name == want,
            (SectionId::SsoSession(name), Section::SsoSession(want)) => name == want,
            (SectionId::Other { prefix, name }, Section::Services(want)) => {
                prefix == "services" && name == want
            }
            _ => false,
        }
    }
}

/// One physical line: its text, its line ending (`""` only on a last line without one) and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub text: String,
    pub eol: &'static str,
    pub class: LineClass,
    /// For a property: its value with continuation lines joined by `\n`, as the SDK returns it.
    pub joined: Option<String>,
}

impl Line {
    pub(crate) fn new(text: String, eol: &'static str) -> Result<Line, LineError> {
        let class = syntax::classify(&text)?;
        Ok(Line {
            text,
            eol,
            class,
            joined: None,
        })
    }

    pub(crate) fn is_content(&self) -> bool {
        matches!(
            self.class,
            LineClass::Property { .. } | LineClass::Continuation { .. }
        )
    }
}

/// A section's lines: the header at `header`, its body up to (not including) `end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub id: SectionId,
    pub header: usize,
    pub end: usize,
}

/// One section of a [`Document`] on its own (see [`Document::profile_copies`]).
#[derive(Clone, Debug)]
pub struct SectionCopy<'a> {
    doc: &'a Document,
    span: Span,
}

impl SectionCopy<'_> {
    /// The 1-based line number of its header.
    pub fn line(&self) -> usize {
        self.span.header + 1
    }

    /// The value of `key` in this section only (the last occurrence, case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        (self.span.header + 1..self.span.end).rev().find_map(|idx| {
            let line = &self.doc.lines[idx];
            match &line.class {
                LineClass::Property { key: have, .. }
                    if syntax::is_identifier(have) && have.eq_ignore_ascii_case(key) =>
                {
                    line.joined.as_deref()
                }
                _ => None,
            }
        })
    }
}

/// One shared config or credentials file. Keeps every byte (comments, blank lines, CRLF, spacing, a missing final
/// newline), so `to_string()` of an unedited document returns the parsed text exactly; edits touch only their lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub(crate) kind: FileKind,
    pub(crate) lines: Vec<Line>,
    /// The sections, in file order: computed by [`Document::reindex`] after every change of the lines, so a
    /// lookup scans spans instead of rebuilding them from thousands of lines (a generated config with thousands
    /// of profiles is read a key at a time).
    spans: Vec<Span>,
}

impl Document {
    /// An empty file of the given kind.
    pub fn empty(kind: FileKind) -> Document {
        Document {
            kind,
            lines: Vec::new(),
            spans: Vec::new(),
        }
    }

    /// Parses a file as the AWS SDK for Rust does and rejects what it rejects, naming the line: a key or indented
    /// line before any section, a `[` line without `]`, a key line without `=` or with an empty key, an indented
    /// line that continues no key, a malformed line inside a nested value. botocore rejects all of these too.
    pub fn parse(text: &str, kind: FileKind) -> Result<Document, ParseError> {
        let mut lines = Vec::new();
        let mut in_section = false;
        let mut property: Option<bool> = None; // Some(is the value nested, i.e. `key =` with nothing after)
        for (idx, raw) in text.split_inclusive('\n').enumerate() {
            let at = |problem| ParseError {
                line: idx + 1,
                problem,
            };
            let (body, eol) = split_eol(raw);
            let line = Line::new(body.to_owned(), eol).map_err(|err| match err {
                // The SDK checks for a section before it looks at a key line.
                LineError::NoEquals | LineError::EmptyKey if !in_section => at(Problem::NoSection),
                _ => at(Problem::from(err)),
            })?;
            match &line.class {
                LineClass::Blank | LineClass::Comment => {}
                LineClass::Header { .. } => {
                    in_section = true;
                    property = None;
                }
                LineClass::Property { value, .. } => {
                    if !in_section {
                        return Err(at(Problem::NoSection));
                    }
                    property = Some(value.is_empty());
                }
                LineClass::Continuation { text } => match property {
                    _ if !in_section => return Err(at(Problem::NoSection)),
                    None => return Err(at(Problem::OrphanContinuation)),
                    Some(true) => {
                        syntax::property_parts(text)
                            .map_err(|err| at(Problem::sub_property(err)))?;
                    }
                    Some(false) => {}
                },
            }
            lines.push(line);
        }
        let mut doc = Document {
            kind,
            lines,
            spans: Vec::new(),
        };
        doc.reindex();
        Ok(doc)
    }

    /// Which file kind this document was parsed as.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The value of `key` (case-insensitive, as the SDKs lowercase keys) in `profile`. Duplicate sections are merged
    /// and the last occurrence wins; in config, `[profile default]` takes precedence over `[default]` entirely.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.get_in(Section::Profile(profile), key)
    }

    /// Like [`Document::get`] for any section kind; a nested value comes back as the SDK returns it (`"\na = b"`).
    pub fn get_in(&self, section: Section<'_>, key: &str) -> Option<&str> {
        self.lookup(section, key).map(|(_, value)| value)
    }

    /// Profile names in order of first appearance, each once.
    pub fn profile_names(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut names: Vec<String> = Vec::new();
        for span in self.spans() {
            if let SectionId::Profile { name, .. } = &span.id
                && seen.insert(name.as_str())
            {
                names.push(name.clone());
            }
        }
        names
    }

    /// Whether any section defines `profile` (even an empty one).
    pub fn has_profile(&self, profile: &str) -> bool {
        self.has_section(Section::Profile(profile))
    }

    /// Whether `section` (of any kind) is in the file, even empty.
    pub fn has_section(&self, section: Section<'_>) -> bool {
        !self.effective_spans(section).is_empty()
    }

    /// Each section that defines `profile`, separately, in file order (in config both `[default]` and
    /// `[profile default]`): lets a caller check every copy of a duplicated section, which [`Document::get`] merges.
    pub fn profile_copies(&self, profile: &str) -> Vec<SectionCopy<'_>> {
        self.candidate_spans(Section::Profile(profile))
            .into_iter()
            .map(|span| SectionCopy { doc: self, span })
            .collect()
    }

    /// The last effective `key` line of `section`: its index and joined value.
    pub(crate) fn lookup(&self, section: Section<'_>, key: &str) -> Option<(usize, &str)> {
        let mut found = None;
        for span in self.effective_spans(section) {
            for idx in span.header + 1..span.end {
                let line = &self.lines[idx];
                if let LineClass::Property { key: have, .. } = &line.class
                    && syntax::is_identifier(have)
                    && have.eq_ignore_ascii_case(key)
                    && let Some(value) = &line.joined
                {
                    found = Some((idx, value.as_str()));
                }
            }
        }
        found
    }

    /// Every section in file order.
    pub(crate) fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The sections of the current lines.
    fn compute_spans(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for (idx, line) in self.lines.iter().enumerate() {
            if let LineClass::Header { name } = &line.class {
                if let Some(last) = spans.last_mut() {
                    last.end = idx;
                }
                spans.push(Span {
                    id: SectionId::of(name, self.kind),
                    header: idx,
                    end: self.lines.len(),
                });
            }
        }
        spans
    }

    /// All sections that could hold `section` (in config both `[default]` and `[profile default]`).
    pub(crate) fn candidate_spans(&self, section: Section<'_>) -> Vec<Span> {
        self.spans
            .iter()
            .filter(|span| span.id.matches(section))
            .cloned()
            .collect()
    }

    /// The sections the SDK reads for `section`: `[default]` is ignored when `[profile default]` exists.
    pub(crate) fn effective_spans(&self, section: Section<'_>) -> Vec<Span> {
        let spans = self.candidate_spans(section);
        let prefixed = |span: &Span| matches!(span.id, SectionId::Profile { prefixed: true, .. });
        if self.kind == FileKind::Config
            && section == Section::Profile("default")
            && spans.iter().any(prefixed)
        {
            spans.into_iter().filter(prefixed).collect()
        } else {
            spans
        }
    }

    /// Recomputes each property's joined value after the lines changed.
    pub(crate) fn reindex(&mut self) {
        let mut owner: Option<usize> = None;
        let mut joined: Vec<Option<String>> = vec![None; self.lines.len()];
        for (idx, line) in self.lines.iter().enumerate() {
            match &line.class {
                LineClass::Header { .. } => owner = None,
                LineClass::Property { value, .. } => {
                    joined[idx] = Some(value.clone());
                    owner = Some(idx);
                }
                LineClass::Continuation { text } => {
                    if let Some(value) = owner.and_then(|at| joined[at].as_mut()) {
                        value.push('\n');
                        value.push_str(text);
                    }
                }
                LineClass::Blank | LineClass::Comment => {}
            }
        }
        for (line, value) in self.lines.iter_mut().zip(joined) {
            line.joined = value;
        }
        self.spans = self.compute_spans();
    }

    /// The line ending new lines get: the file's first one, else `\n`.
    pub(crate) fn eol_style(&self) -> &'static str {
        self.lines
            .iter()
            .map(|line| line.eol)
            .find(|eol| !eol.is_empty())
            .unwrap_or("\n")
    }
}

/// Splits a line from `split_inclusive('\n')` into its text and ending (`\r\n`, `\n`, or none).
fn split_eol(raw: &str) -> (&str, &'static str) {
    if let Some(body) = raw.strip_suffix("\r\n") {
        (body, "\r\n")
    } else if let Some(body) = raw.strip_suffix('\n') {
        (body, "\n")
    } else {
        (raw, "")
    }
}

impl fmt::Display for Document {
    /// The exact bytes of the file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            f.write_str(&line.text)?;
            f.write_str(line.eol)?;
        }
        Ok(())
    }
}

/// Splits a nested value (`"\nname = value\n..."`) into its pairs, as the SDK does for `[services]` sections;
/// lines without `=` are skipped.
pub fn sub_properties(value: &str) -> Vec<(String, String)> {
    value
        .split('\n')
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| {
            (
                key.trim_matches(syntax::WHITESPACE).to_owned(),
                value.trim_matches(syntax::WHITESPACE).to_owned(),
            )
        })
        .collect()
}
