//! Lossless edits of a [`Document`]: each touches only the lines of the key or section it names.

use crate::document::{Document, FileKind, Line, Section, Span};
use crate::error::EditError;
use crate::syntax::{self, LineClass, WHITESPACE};

/// Indentation written before continuation lines of a multi-line value.
const INDENT: &str = "  ";

impl Document {
    /// Sets `key` in `profile`, creating the section at the end of the file if missing (`[profile x]` in config,
    /// `[x]` in credentials, `[default]` for the default profile). An existing key keeps its line, its spelling,
    /// spacing and any inline comment; only the value changes. A new key goes after the last key of the profile's
    /// last section. Input [`Document::try_set`] refuses leaves the document unchanged.
    pub fn set(&mut self, profile: &str, key: &str, value: &str) {
        // The refusal is reported by `try_set`; callers of `set` pass keys and values they know are valid.
        let _ = self.try_set(profile, key, value);
    }

    /// [`Document::set`], refusing a profile name or key the SDK would ignore and a value that some SDK would read
    /// back differently (see [`check_value`]).
    pub fn try_set(&mut self, profile: &str, key: &str, value: &str) -> Result<(), EditError> {
        if !syntax::is_identifier(profile) {
            return Err(EditError::InvalidProfile(profile.to_owned()));
        }
        if !syntax::is_identifier(key) {
            return Err(EditError::InvalidKey(key.to_owned()));
        }
        check_value(value).map_err(|reason| EditError::InvalidValue {
            key: key.to_owned(),
            reason,
        })?;
        let mut segments = value.split('\n');
        let first = segments.next().unwrap_or_default();
        let rest: Vec<&str> = segments.collect();
        let section = Section::Profile(profile);
        if let Some((idx, _)) = self.lookup(section, key) {
            self.replace_value(idx, first, &rest);
        } else if let Some(span) = self.effective_spans(section).last() {
            let at = content_end(self, span);
            self.insert_property(at, key, first, &rest);
        } else {
            self.append_section(profile, key, first, &rest);
        }
        self.reindex();
        Ok(())
    }

    /// Removes every line of `key` (with its continuation lines) from all sections of `profile`; true if any.
    pub fn remove_key(&mut self, profile: &str, key: &str) -> bool {
        let mut ranges = Vec::new();
        for span in self.candidate_spans(Section::Profile(profile)) {
            for idx in span.header + 1..span.end {
                if let LineClass::Property { key: have, .. } = &self.lines[idx].class
                    && have.eq_ignore_ascii_case(key)
                {
                    ranges.push((idx, self.continuations(idx)));
                }
            }
        }
        for (idx, continuations) in ranges.iter().rev() {
            for at in continuations.iter().rev() {
                self.lines.remove(*at);
            }
            self.lines.remove(*idx);
        }
        self.reindex();
        !ranges.is_empty()
    }

    /// Removes every section of `profile` (in config both `[default]` and `[profile default]`) with its lines up to
    /// its last key; comments and blank lines right before the next header stay with that header. The blank lines
    /// after a removed section go too, and a removed last section takes the blank lines before it, so removing a
    /// section that [`Document::set`] appended restores the file. True if any section was removed.
    pub fn remove_profile(&mut self, profile: &str) -> bool {
        let mut removed = false;
        while let Some(span) = self.candidate_spans(Section::Profile(profile)).pop() {
            let mut end = content_end(self, &span);
            while self
                .lines
                .get(end)
                .is_some_and(|line| line.class == LineClass::Blank)
            {
                end += 1;
            }
            let mut start = span.header;
            if end == self.lines.len() {
                while start > 0 && self.lines[start - 1].class == LineClass::Blank {
                    start -= 1;
                }
            }
            self.lines.drain(start..end);
            // The next lookup of the loop reads the spans of the lines as they are now.
            self.reindex();
            removed = true;
        }
        removed
    }

    /// Indices of the continuation lines that belong to the property at `idx`.
    fn continuations(&self, idx: usize) -> Vec<usize> {
        let mut found = Vec::new();
        for (at, line) in self.lines.iter().enumerate().skip(idx + 1) {
            match line.class {
                LineClass::Continuation { .. } => found.push(at),
                LineClass::Blank | LineClass::Comment => {}
                LineClass::Header { .. } | LineClass::Property { .. } => break,
            }
        }
        found
    }

    /// Rewrites the value of the property line at `idx`, keeping everything around the value.
    fn replace_value(&mut self, idx: usize, first: &str, rest: &[&str]) {
        for at in self.continuations(idx).into_iter().rev() {
            self.lines.remove(at);
        }
        let text = &self.lines[idx].text;
        let Ok(parts) = syntax::property_parts(text) else {
            return;
        };
        let suffix = &text[parts.value_end..];
        let mut new_text = text[..parts.value_start].to_owned();
        if first.is_empty() && suffix.is_empty() {
            new_text.truncate(new_text.trim_end_matches(WHITESPACE).len());
        } else if new_text.ends_with('=') {
            new_text.push(' ');
        }
        new_text.push_str(first);
        // The comment must stay after whitespace, or it would become part of the value (the whitespace before it
        // may have been a character the SDK counts as part of the old value, such as `\r`).
        if !suffix.is_empty()
            && !suffix.starts_with(char::is_whitespace)
            && !new_text.ends_with(char::is_whitespace)
        {
            new_text.push(' ');
        }
        new_text.push_str(suffix);
        self.replace_line(idx, new_text);
        self.insert_lines(
            idx + 1,
            rest.iter().map(|segment| format!("{INDENT}{segment}")),
        );
    }

    /// Inserts `key = value` (and continuation lines) at line index `at`.
    fn insert_property(&mut self, at: usize, key: &str, first: &str, rest: &[&str]) {
        let line = if first.is_empty() {
            format!("{key} =")
        } else {
            format!("{key} = {first}")
        };
        let continuation = rest.iter().map(|segment| format!("{INDENT}{segment}"));
        self.insert_lines(at, std::iter::once(line).chain(continuation));
    }

    /// Appends a new section for `profile` holding one key, after a blank separator line.
    fn append_section(&mut self, profile: &str, key: &str, first: &str, rest: &[&str]) {
        let header = match (self.kind, profile) {
            (FileKind::Config, "default") | (FileKind::Credentials, _) => format!("[{profile}]"),
            (FileKind::Config, _) => format!("[profile {profile}]"),
        };
        let mut new_lines = Vec::new();
        if self
            .lines
            .last()
            .is_some_and(|line| line.class != LineClass::Blank)
        {
            new_lines.push(String::new());
        }
        new_lines.push(header);
        let at = self.lines.len();
        self.insert_lines(at, new_lines);
        self.insert_property(self.lines.len(), key, first, rest);
    }

    /// Inserts lines at `at` with the file's line ending, giving the line before a line ending if it had none.
    fn insert_lines(&mut self, at: usize, texts: impl IntoIterator<Item = String>) {
        let eol = self.eol_style();
        let mut new_lines = Vec::new();
        for text in texts {
            // Every text built here is a valid header, property, continuation or blank line.
            if let Ok(line) = Line::new(text, eol) {
                new_lines.push(line);
            }
        }
        if new_lines.is_empty() {
            return;
        }
        if at > 0 {
            self.terminate(at - 1);
        }
        self.lines.splice(at..at, new_lines);
    }

    /// Gives the line at `idx` a line ending (the file's) if it has none; true if it did.
    fn terminate(&mut self, idx: usize) -> bool {
        let eol = self.eol_style();
        let Some(line) = self.lines.get_mut(idx).filter(|line| line.eol.is_empty()) else {
            return false;
        };
        // A text ending in `\r` followed by `\n` would read back as a CRLF line; `\r\n` keeps the `\r` in the text.
        line.eol = if line.text.ends_with('\r') {
            "\r\n"
        } else {
            eol
        };
        true
    }

    /// Ends a non-empty file with a line ending if its last line has none, as editors do when saving; true if it
    /// changed anything.
    pub fn end_with_newline(&mut self) -> bool {
        self.lines
            .len()
            .checked_sub(1)
            .is_some_and(|last| self.terminate(last))
    }

    fn replace_line(&mut self, idx: usize, text: String) {
        let eol = self.lines[idx].eol;
        if let Ok(line) = Line::new(text, eol) {
            self.lines[idx] = line;
        }
    }
}

/// Index just past a section's last key or continuation line (just past the header if it has none).
fn content_end(doc: &Document, span: &Span) -> usize {
    (span.header + 1..span.end)
        .rev()
        .find(|&idx| doc.lines[idx].is_content())
        .map_or(span.header + 1, |idx| idx + 1)
}

/// Whether the SDKs read `name` as a profile name (they skip sections with other names): ASCII
/// letters, digits and `_-/.%@:+`. [`Document::try_set`] refuses other names.
pub fn is_profile_name(name: &str) -> bool {
    syntax::is_identifier(name)
}

/// Checks that a value reads back unchanged through botocore and the Rust/Go/Java SDKs once written. Refused:
/// `\r`; leading or trailing spaces/tabs on any line; a line starting with `#`/`;` (after `key = ` or indented it
/// reads as a comment); a `#`/`;` after whitespace (the SDKs but not botocore strip it as a comment); empty inner
/// lines (dropped by the SDKs); a value starting with a line break whose lines are not all `name = value` (a
/// malformed nested value). Inner line breaks are written as indented continuation lines.
pub fn check_value(value: &str) -> Result<(), &'static str> {
    if value.contains('\r') {
        return Err("it contains a carriage return");
    }
    let mut segments = value.split('\n');
    let first = segments.next().unwrap_or_default();
    let rest: Vec<&str> = segments.collect();
    for (idx, segment) in std::iter::once(first)
        .chain(rest.iter().copied())
        .enumerate()
    {
        if segment.trim_matches(WHITESPACE) != segment {
            return Err("a line of it starts or ends with whitespace");
        }
        if has_inline_comment(segment) {
            return Err(
                "it contains `#` or `;` after whitespace, which some SDKs read as a comment",
            );
        }
        if idx > 0 && segment.is_empty() {
            return Err("it contains an empty line");
        }
        if segment.starts_with(['#', ';']) {
            return Err("a line of it starts with `#` or `;`, which would read as a comment");
        }
        if idx > 0 && first.is_empty() && syntax::property_parts(segment).is_err() {
            return Err("it starts with a line break but its lines are not all `name = value`");
        }
    }
    Ok(())
}

fn has_inline_comment(segment: &str) -> bool {
    let mut prev_whitespace = false;
    segment.chars().any(|chr| {
        let hit = prev_whitespace && (chr == '#' || chr == ';');
        prev_whitespace = chr.is_whitespace();
        hit
    })
}

#[cfg(test)]
mod tests {
    use super::check_value;

    #[test]
    fn values_that_would_not_read_back_are_refused() {
        for ok in [
            "",
            "x",
            "a b",
            "a#b",
            "arn:aws:iam::1:mfa/x",
            "\"/p a/t\" process --x",
            "a\nb",
            "\na = 1\nb = 2",
        ] {
            assert_eq!(check_value(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            " x", "x ", "#x", ";", "a # c", "a ;c", "a\r", "a\n\nb", "a\n#b", "\nnope", "a\n b",
        ] {
            assert!(check_value(bad).is_err(), "{bad:?}");
        }
    }
}
