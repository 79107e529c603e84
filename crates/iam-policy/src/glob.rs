//! Wildcard matching for IAM patterns: `*` matches any run of characters (including none),
//! `?` exactly one character, and `\x` the character `x` literally.
//!
//! Patterns produced by this crate escape every literal `*`, `?` and `\` that must not act as a
//! wildcard (values substituted from policy variables, `${*}`, `${?}`), so one matcher serves
//! globs with and without variables. Short patterns use the classic single-backtrack-point
//! matcher: linear in the common case and without allocation, but its worst case grows with
//! pattern length × text length. Long patterns (a 10 KB `Resource` with thousands of `*`) are
//! matched by segments instead: the parts between `*` are found leftmost in turn, literal ones
//! with the standard library's linear-time substring search.

/// Escapes `*`, `?` and `\` so that `text` matches only itself.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A rendered pattern back to the text it stands for, for display.
pub(crate) fn unescape(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut chars = rendered.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => out.extend(chars.next()),
            (c, false) => out.push(c),
        }
    }
    out
}

/// Whether `pattern` matches all of `text`, comparing characters exactly.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, false)
}

/// Whether `pattern` matches all of `text`, ignoring ASCII case.
pub(crate) fn matches_ignore_ascii_case(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, true)
}

fn char_len(text: &[u8], at: usize) -> usize {
    match text.get(at) {
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(_) => 2,
        None => 0,
    }
}

/// Patterns longer than this (bytes) are matched by segments.
const SEGMENT_THRESHOLD: usize = 128;

fn matches_with(pattern: &str, text: &str, fold: bool) -> bool {
    match (pattern.len() > SEGMENT_THRESHOLD, fold) {
        (false, _) => backtracking(pattern, text, fold),
        (true, false) => by_segments(pattern, text),
        (true, true) => by_segments(&pattern.to_ascii_lowercase(), &text.to_ascii_lowercase()),
    }
}

/// One position of a segment: a literal character or `?` (any one character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    One,
}

/// The parts of `pattern` between unescaped `*`; `None` when it ends in a lone `\`, which
/// matches nothing.
fn segments(pattern: &str) -> Option<Vec<Vec<Token>>> {
    let mut out = vec![Vec::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let token = match c {
            '*' => {
                out.push(Vec::new());
                continue;
            }
            '?' => Token::One,
            '\\' => Token::Literal(chars.next()?),
            c => Token::Literal(c),
        };
        out.last_mut()?.push(token);
    }
    Some(out)
}

/// Where `segment` ends when it matches `text` at byte `at`.
fn match_at(segment: &[Token], text: &str, at: usize) -> Option<usize> {
    let mut pos = at;
    for token in segment {
        let c = text.get(pos..)?.chars().next()?;
        if let Token::Literal(want) = token
            && *want != c
        {
            return None;
        }
        pos += c.len_utf8();
    }
    Some(pos)
}

/// The leftmost match of `segment` in `text` at or after byte `from`: its end.
fn find_from(segment: &[Token], text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let literal: Option<String> = segment
        .iter()
        .map(|t| match t {
            Token::Literal(c) => Some(*c),
            Token::One => None,
        })
        .collect();
    match literal {
        Some(literal) => rest.find(&literal).map(|i| from + i + literal.len()),
        None => rest
            .char_indices()
            .map(|(i, _)| from + i)
            .chain(std::iter::once(text.len()))
            .find_map(|start| match_at(segment, text, start)),
    }
}

/// Segment matching: the first segment is anchored at the start, the last at the end (each
/// token is one character, so its length is known), the others are found leftmost in order,
/// which is correct because `*` between them can absorb anything.
fn by_segments(pattern: &str, text: &str) -> bool {
    // The literal text before the first and after the last special character must open and
    // close `text`: checked first, without allocating (most long patterns fail here).
    let special = |c: char| matches!(c, '*' | '?' | '\\');
    let head = pattern.find(special).map_or(pattern, |i| &pattern[..i]);
    let tail = pattern.rfind(special).map_or("", |i| &pattern[i + 1..]);
    if !text.starts_with(head) || !text.ends_with(tail) {
        return false;
    }
    let Some(parts) = segments(pattern) else {
        return false;
    };
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    let Some(mut pos) = match_at(first, text, 0) else {
        return false;
    };
    if parts.len() == 1 {
        return pos == text.len();
    }
    // The last segment covers the last `last.len()` characters.
    let tail = match last.len() {
        0 => Some(text.len()),
        n => text.char_indices().rev().nth(n - 1).map(|(i, _)| i),
    };
    let Some(tail) = tail.filter(|&t| t >= pos) else {
        return false;
    };
    if match_at(last, text, tail) != Some(text.len()) {
        return false;
    }
    let Some(middle) = parts.get(1..parts.len() - 1) else {
        return true;
    };
    let head = &text[..tail];
    for segment in middle {
        match find_from(segment, head, pos) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    true
}

fn backtracking(pattern: &str, text: &str, fold: bool) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after the star, text index).
    let mut resume: Option<(usize, usize)> = None;
    let same = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    while ti < t.len() {
        let step = match p.get(pi) {
            Some(b'*') => {
                resume = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some(b'?') => Some((1, char_len(t, ti))),
            Some(b'\\') => match (p.get(pi + 1), t.get(ti)) {
                (Some(&a), Some(&b)) if same(a, b) => Some((2, 1)),
                _ => None,
            },
            Some(&a) => match t.get(ti) {
                Some(&b) if same(a, b) => Some((1, 1)),
                _ => None,
            },
            None => None,
        };
        match (step, resume) {
            (Some((dp, dt)), _) => {
                pi += dp;
                ti += dt;
            }
            (None, Some((rp, rt))) => {
                let next = rt + char_len(t, rt);
                resume = Some((rp, next));
                pi = rp;
                ti = next;
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|b| *b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_wildcards() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", "ab"));
        assert!(matches("*", ""));
        assert!(matches("a*", "a"));
        assert!(matches("a*c", "abbbc"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-b-b-d"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("a?c", "aéc"), "? matches one whole character");
        assert!(matches("*:*", "iam:getuser"));
        assert!(matches("user/*", "user/path/alice"), "* spans /");
    }

    #[test]
    fn escapes_are_literal() {
        let mut p = String::from("a");
        escape_into(&mut p, "*?\\");
        assert_eq!(p, "a\\*\\?\\\\");
        assert!(matches(&p, "a*?\\"));
        assert!(!matches(&p, "axy\\"));
    }

    /// Every pattern over a small alphabet, padded past the threshold, matches as the
    /// backtracking matcher says.
    #[test]
    fn segments_agree_with_backtracking() {
        let pad = "p".repeat(SEGMENT_THRESHOLD);
        let pieces = ["a", "b", "*", "?", "\\*", "é"];
        let texts = [
            "", "a", "b", "ab", "ba", "aab", "abab", "a*b", "aéb", "é", "bbbaaa",
        ];
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            patterns = patterns
                .iter()
                .flat_map(|p| pieces.iter().map(move |x| format!("{p}{x}")))
                .collect();
            for pattern in &patterns {
                for text in texts {
                    for (pattern, text) in [
                        (format!("{pad}{pattern}"), format!("{pad}{text}")),
                        (format!("{pattern}{pad}"), format!("{text}{pad}")),
                        (format!("*{pattern}*{pad}"), format!("{text}{text}{pad}")),
                    ] {
                        for fold in [false, true] {
                            assert_eq!(
                                by_segments_or_folded(&pattern, &text, fold),
                                backtracking(&pattern, &text, fold),
                                "{pattern:?} vs {text:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(!matches(&format!("{pad}\\"), &format!("{pad}\\")));
    }

    fn by_segments_or_folded(pattern: &str, text: &str, fold: bool) -> bool {
        assert!(pattern.len() > SEGMENT_THRESHOLD);
        matches_with(pattern, text, fold)
    }

    #[test]
    fn long_patterns_with_many_wildcards_stay_fast() {
        // Quadratic for backtracking: a long literal after `*`, against a long near-miss text.
        let pattern = format!("*{}b", "a".repeat(5_000));
        let text = "a".repeat(20_000);
        assert!(!matches(&pattern, &text));
        let pattern = "*a".repeat(5_000);
        assert!(matches(&pattern, &"xa".repeat(5_000)));
        assert!(!matches(&pattern, &"xa".repeat(4_999)));
    }

    #[test]
    fn ascii_case_folding() {
        assert!(matches_ignore_ascii_case("IAM:Get*", "iam:getuser"));
        assert!(!matches("IAM:Get*", "iam:getuser"));
    }
}
