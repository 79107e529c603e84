//! Property tests: random files print back byte for byte; random edits keep the document re-parseable, do what they
//! say, and leave every line they do not target untouched.

#[path = "../../fuzz/check.rs"]
mod check;

use aws_profiles::{Document, FileKind};
use proptest::prelude::*;

const PROFILES: &[&str] = &["default", "a", "b-mfa", "c"];
const KEYS: &[&str] = &["region", "aws_session_token", "K", "mfa_serial"];

fn eol() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n")]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(KEYS).prop_map(str::to_owned),
        "[a-zA-Z_][a-zA-Z0-9_.-]{0,6}"
    ]
}

/// A value as found in files: printable ASCII (may hold `=`, `#`, `;`, brackets), possibly empty.
fn raw_value() -> impl Strategy<Value = String> {
    "[ -~]{0,12}"
}

/// A value `Document::set` accepts.
fn settable_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~]([ -~]{0,10}[!-~])?"
            .prop_filter("no inline comment", |v| aws_profiles::check_value(v)
                .is_ok()),
        Just(String::new()),
        Just("\nsub = 1\nother = x".to_owned()),
        Just("first\nsecond".to_owned()),
    ]
}

fn padding() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\t"), Just("   ")]
}

/// One line inside a section (key, comment, blank, or a key followed by continuation lines).
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (key(), padding(), padding(), raw_value()).prop_map(|(k, a, b, v)| format!("{k}{a}={b}{v}")),
        1 => (key(), raw_value()).prop_map(|(k, v)| format!("{k} = x{v}\n  cont {v}")),
        1 => (key(), key(), raw_value()).prop_map(|(k, s, v)| format!("{k} =\n  {s} = {v}\n\t{s}2={v}")),
        1 => "[#;][ -~]{0,10}",
        1 => padding().prop_map(str::to_owned),
    ]
}

fn header() -> impl Strategy<Value = String> {
    let name = || proptest::sample::select(PROFILES);
    prop_oneof![
        name().prop_map(|n| format!("[profile {n}]")),
        name().prop_map(|n| format!("[{n}]")),
        name().prop_map(|n| format!("[ profile  {n} ]  # note")),
        Just("[sso-session s]".to_owned()),
        Just("[services x]".to_owned()),
    ]
}

/// A whole valid file: leading comments/blanks, then sections, with one line ending style or mixed, and an
/// optional final newline.
fn file() -> impl Strategy<Value = String> {
    let section = (header(), proptest::collection::vec(body_line(), 0..5));
    (
        proptest::collection::vec(
            prop_oneof!["#[ -~]{0,8}", padding().prop_map(str::to_owned)],
            0..3,
        ),
        proptest::collection::vec(section, 0..6),
        eol(),
        prop_oneof![Just(true), Just(false)],
        any::<bool>(),
    )
        .prop_map(|(lead, sections, eol, mixed, final_newline)| {
            let mut lines: Vec<String> = lead;
            for (header, body) in sections {
                lines.push(header);
                lines.extend(
                    body.iter()
                        .flat_map(|line| line.split('\n').map(str::to_owned)),
                );
            }
            let mut text = String::new();
            for (idx, line) in lines.iter().enumerate() {
                text.push_str(line);
                let last = idx + 1 == lines.len();
                if !last || final_newline {
                    text.push_str(if mixed && idx % 3 == 1 { "\r\n" } else { eol });
                }
            }
            text
        })
}

#[derive(Clone, Debug)]
enum Op {
    Set(&'static str, String, String),
    RemoveKey(&'static str, String),
    RemoveProfile(&'static str),
}

fn op() -> impl Strategy<Value = Op> {
    let profile = || proptest::sample::select(PROFILES);
    prop_oneof![
        3 => (profile(), key(), settable_value()).prop_map(|(p, k, v)| Op::Set(p, k, v)),
        1 => (profile(), key()).prop_map(|(p, k)| Op::RemoveKey(p, k)),
        1 => profile().prop_map(Op::RemoveProfile),
    ]
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Lines of `before` and `after` outside their longest common subsequence: (removed indices, added lines).
fn diff<'a>(before: &[&'a str], after: &[&'a str]) -> (Vec<usize>, Vec<&'a str>) {
    let (n, m) = (before.len(), after.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if before[i] == after[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut removed, mut added) = (0, 0, Vec::new(), Vec::new());
    while i < n || j < m {
        if i < n && j < m && before[i] == after[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(after[j]);
            j += 1;
        } else {
            removed.push(i);
            i += 1;
        }
    }
    (removed, added)
}

fn is_key_line(line: &str, key: &str) -> bool {
    !line.starts_with([' ', '\t', '[', '#', ';'])
        && line
            .split('=')
            .next()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case(key))
}

fn is_continuation(line: &str) -> bool {
    line.starts_with([' ', '\t']) && !line.trim().is_empty()
}

fn snapshot(doc: &Document) -> Vec<Option<String>> {
    PROFILES
        .iter()
        .flat_map(|p| KEYS.iter().map(move |k| doc.get(p, k).map(str::to_owned)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_print_back_exactly(text in file(), config in any::<bool>()) {
        let kind = if config { FileKind::Config } else { FileKind::Credentials };
        let doc = Document::parse(&text, kind).unwrap();
        prop_assert_eq!(doc.to_string(), text.clone());
        prop_assert_eq!(Document::parse(&text, kind).unwrap(), doc);
    }

    #[test]
    fn arbitrary_text_either_fails_or_prints_back(text in "[\\[\\]#;= \t\r\npa-c]{0,80}") {
        check::check(text.as_bytes());
    }

    #[test]
    fn fuzz_property_on_generated_files(text in file()) {
        check::check(text.as_bytes());
    }

    #[test]
    fn edits_touch_only_their_lines(text in file(), config in any::<bool>(), ops in proptest::collection::vec(op(), 1..6)) {
        let kind = if config { FileKind::Config } else { FileKind::Credentials };
        let mut doc = Document::parse(&text, kind).unwrap();
        for op in ops {
            let before_text = doc.to_string();
            let before_values = snapshot(&doc);
            let owned = owned_lines(&doc, &op);
            match &op {
                Op::Set(p, k, v) => {
                    doc.set(p, k, v);
                    prop_assert_eq!(doc.get(p, k), Some(v.as_str()));
                }
                Op::RemoveKey(p, k) => {
                    doc.remove_key(p, k);
                    prop_assert_eq!(doc.get(p, k), None);
                }
                Op::RemoveProfile(p) => {
                    doc.remove_profile(p);
                    prop_assert!(!doc.has_profile(p));
                }
            }
            let after_text = doc.to_string();
            prop_assert_eq!(&Document::parse(&after_text, kind).unwrap(), &doc);

            // Values of other (profile, key) pairs are unchanged.
            let after_values = snapshot(&doc);
            for (idx, (was, now)) in before_values.iter().zip(&after_values).enumerate() {
                let (p, k) = (PROFILES[idx / KEYS.len()], KEYS[idx % KEYS.len()]);
                let touched = match &op {
                    Op::Set(tp, tk, _) | Op::RemoveKey(tp, tk) => *tp == p && tk.eq_ignore_ascii_case(k),
                    Op::RemoveProfile(tp) => *tp == p,
                };
                if !touched {
                    prop_assert_eq!(was, now, "{}.{} changed by {:?}", p, k, op);
                }
            }

            // Only the targeted lines were removed; additions only by `set`.
            let before_lines = lines(&before_text);
            let (removed, added) = diff(&before_lines, &lines(&after_text));
            let last = before_lines.len().saturating_sub(1);
            for idx in &removed {
                let line = before_lines[*idx];
                let ok = owned.contains(idx)
                    || (*idx == last && !line.ends_with('\n'))
                    || (matches!(op, Op::RemoveProfile(_)) && line.trim().is_empty());
                prop_assert!(ok, "{:?} removed line {} {:?} of {:?}", op, idx, line, before_text);
            }
            match &op {
                Op::Set(p, k, _) => {
                    for line in &added {
                        let ok = is_key_line(line, k) || is_continuation(line) || line.trim().is_empty()
                            || line.starts_with(&format!("[{p}]")) || line.starts_with(&format!("[profile {p}]"))
                            || removed.last().is_some_and(|idx| *idx == last && line.starts_with(before_lines[last]));
                        prop_assert!(ok, "{:?} added {:?}", op, line);
                    }
                }
                _ => prop_assert!(added.is_empty(), "{:?} added {:?}", op, added),
            }
        }
    }
}

/// Indices of the lines `op` may remove: for a key, its lines and continuation lines in the profile's sections;
/// for a profile, all lines of its sections.
fn owned_lines(doc: &Document, op: &Op) -> Vec<usize> {
    let text = doc.to_string();
    let lines = lines(&text);
    let (profile, key) = match op {
        Op::Set(p, k, _) | Op::RemoveKey(p, k) => (*p, Some(k.as_str())),
        Op::RemoveProfile(p) => (*p, None),
    };
    let mut owned = Vec::new();
    let mut in_profile = false;
    let mut in_key = false;
    for (idx, line) in lines.iter().enumerate() {
        if line.starts_with('[') {
            in_profile = section_is(line, profile, doc.kind());
            in_key = false;
            if in_profile && key.is_none() {
                owned.push(idx);
            }
            continue;
        }
        if !in_profile {
            continue;
        }
        match key {
            None => owned.push(idx),
            Some(key) => {
                if is_key_line(line, key) {
                    in_key = true;
                    owned.push(idx);
                } else if is_continuation(line) {
                    if in_key {
                        owned.push(idx);
                    }
                } else if !line.trim().is_empty() && !line.starts_with(['#', ';']) {
                    in_key = false;
                }
            }
        }
    }
    owned
}

fn section_is(line: &str, profile: &str, kind: FileKind) -> bool {
    let name = line
        .trim_end()
        .split(['#', ';'])
        .next()
        .unwrap_or("")
        .trim();
    let inner = name.trim_start_matches('[').trim_end_matches(']');
    let words: Vec<&str> = inner.split_whitespace().collect();
    match (kind, words.as_slice()) {
        (FileKind::Config, ["profile", name]) => *name == profile,
        (FileKind::Config, [name]) => *name == "default" && profile == "default",
        (FileKind::Credentials, [name]) => *name == profile,
        _ => false,
    }
}
