//! ARN matching for the `Resource` element (R16) and the `Arn*` condition operators (R13).
//!
//! Both compare the six colon-separated components (`arn:partition:service:region:account:resource`)
//! separately, each with `*`/`?`, so a wildcard cannot swallow a colon between components; the
//! resource component keeps its own colons. They differ in two documented ways:
//! - `Resource`: partition, service, region and account compare without ASCII case (as AWS and
//!   iam-simulate do), the resource id with case (R16: user names are case-sensitive); a pattern
//!   with fewer components whose last component ends in `*` expands across the remaining colons
//!   ("can expand to match beyond the colon boundaries"); a non-ARN pattern such as `*` is
//!   matched as a whole string.
//! - `Arn*` operators: case-sensitive, and both sides must be ARNs with six components.

use crate::glob;

/// Splits an ARN into its six components without allocating; `None` when it has fewer.
fn components(text: &str) -> (usize, [&str; 6]) {
    let mut out = [""; 6];
    let mut n = 0;
    for (slot, part) in out.iter_mut().zip(text.splitn(6, ':')) {
        *slot = part;
        n += 1;
    }
    (n, out)
}

/// The patterns and values are pre-rendered globs (see [`crate::glob`]).
pub(crate) fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (rn, rp) = components(resource);
    let (pn, pp) = components(pattern);
    if rn < 6 || rp[0] != "arn" || !pp[0].eq_ignore_ascii_case("arn") {
        return glob::matches(pattern, resource);
    }
    let mut offset = 0;
    for (i, pat) in pp.iter().take(pn).enumerate() {
        if i + 1 == pn && i < 5 {
            // Fewer components: the last one, if it ends in `*`, covers the rest.
            return pat.ends_with('*') && glob::matches_ignore_ascii_case(pat, &resource[offset..]);
        }
        let ok = if i == 5 {
            glob::matches(pat, rp[i])
        } else {
            glob::matches_ignore_ascii_case(pat, rp[i])
        };
        if !ok {
            return false;
        }
        offset += rp[i].len() + 1;
    }
    true
}

/// `ArnEquals`/`ArnLike` (identical, R13): six components, each matched separately.
pub(crate) fn condition_matches(pattern: &str, value: &str) -> bool {
    let ((pn, pp), (vn, vp)) = (components(pattern), components(value));
    pn == 6 && vn == 6 && pp.iter().zip(&vp).all(|(p, v)| glob::matches(p, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_components() {
        assert!(resource_matches("*", "arn:aws:s3:::b"));
        assert!(resource_matches("*", "*"));
        assert!(resource_matches(
            "arn:aws:iam::*:user/alice",
            "arn:aws:iam::123456789012:user/alice"
        ));
        assert!(!resource_matches(
            "arn:aws:iam::*:user/alice",
            "arn:aws:iam::123456789012:user/Alice"
        ));
        assert!(resource_matches(
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::123456789012:user/path/alice"
        ));
        assert!(resource_matches(
            "ARN:AWS:IAM::*:user/alice",
            "arn:aws:iam::123456789012:user/alice"
        ));
        assert!(
            !resource_matches("arn:aws:s3:::*", "*"),
            "wildcard-only actions need Resource \"*\""
        );
        assert!(
            resource_matches("arn:aws:*", "arn:aws:s3:::bucket/key"),
            "trailing * crosses colons"
        );
        assert!(!resource_matches("arn:aws:s3", "arn:aws:s3:::bucket"));
        assert!(resource_matches(
            "arn:aws:ssm:*:*:parameter/a:b",
            "arn:aws:ssm:eu-west-1:1:parameter/a:b"
        ));
        // The region wildcard cannot swallow the account component.
        assert!(!resource_matches(
            "arn:aws:ec2:*:instance/*",
            "arn:aws:ec2:us-east-1:1:instance/i-1"
        ));
    }

    #[test]
    fn arn_condition_is_per_component() {
        // Documented example (R13): StringLike matches, ArnLike does not.
        let p = "arn:aws:someservice:*:111122223333:finance/*";
        let v = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(glob::matches(p, v));
        assert!(!condition_matches(p, v));
        assert!(condition_matches(
            p,
            "arn:aws:someservice:us-east-2:111122223333:finance/x"
        ));
        assert!(!condition_matches("*", "arn:aws:s3:::b"));
    }
}
