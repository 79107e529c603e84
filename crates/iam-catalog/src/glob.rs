//! The `*`/`?` wildcard matching IAM uses for action names.

/// Whether `text` matches `pattern`, ignoring ASCII case: `*` matches any run of characters
/// (including none, and across `:`), `?` exactly one character. This is how IAM matches the
/// `Action` and `NotAction` elements.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where to resume after the last `*`: pattern index after it, and the text index it covers to.
    let mut resume: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                resume = Some((pi + 1, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match resume {
                Some((after_star, covered)) => {
                    pi = after_star;
                    ti = covered + 1;
                    resume = Some((after_star, covered + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn literals_ignore_case() {
        assert!(glob_match("iam:ChangePassword", "IAM:changepassword"));
        assert!(!glob_match("iam:ChangePassword", "iam:ChangePasswords"));
        assert!(!glob_match("iam:ChangePasswords", "iam:ChangePassword"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
    }

    #[test]
    fn star_matches_any_run_including_colons() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "s3:GetObject"));
        assert!(glob_match("s3:Get*Tagging", "s3:GetObjectVersionTagging"));
        assert!(glob_match("s3:Get*Tagging", "s3:GetTagging"));
        assert!(!glob_match("s3:Get*Tagging", "s3:GetTaggingX"));
        assert!(glob_match("s*:*Object", "s3:GetObject"));
        assert!(glob_match("iam*Password", "iam:ChangePassword"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXcYb"));
        assert!(glob_match("**a**", "bab"));
    }

    #[test]
    fn question_mark_matches_one_character() {
        assert!(glob_match("ec2:?escribe*", "ec2:DescribeInstances"));
        assert!(!glob_match("s3:?", "s3:"));
        assert!(glob_match("s3:??", "s3:ab"));
        assert!(!glob_match("s3:??", "s3:abc"));
        assert!(glob_match("*?", "x"));
        assert!(!glob_match("*?", ""));
    }
}
