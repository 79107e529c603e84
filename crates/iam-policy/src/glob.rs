//! Wildcard matching for IAM patterns: `*` matches any run of characters (including none),
//! `?` exactly one character, and `\x` the character `x` literally.
//!
//! Patterns produced by this crate escape every literal `*`, `?` and `\` that must not act as a
//! wildcard (values substituted from policy variables, `${*}`, `${?}`), so one matcher serves
//! globs with and without variables. The algorithm is the classic single-backtrack-point matcher:
//! linear in the common case and without allocation.

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

fn matches_with(pattern: &str, text: &str, fold: bool) -> bool {
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

    #[test]
    fn ascii_case_folding() {
        assert!(matches_ignore_ascii_case("IAM:Get*", "iam:getuser"));
        assert!(!matches("IAM:Get*", "iam:getuser"));
    }
}
