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

/// The patterns and values are pre-rendered globs (see [`crate::glob`]).
pub(crate) fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let mut p = pattern.splitn(6, ':');
    let mut r = resource.splitn(6, ':');
    let (pp, rp): (Vec<&str>, Vec<&str>) = (p.by_ref().collect(), r.by_ref().collect());
    if rp.len() < 6 || rp.first() != Some(&"arn") {
        return glob::matches(pattern, resource);
    }
    if pp.first() != Some(&"arn") {
        return glob::matches(pattern, resource);
    }
    let last = pp.len() - 1;
    for (i, pat) in pp.iter().enumerate() {
        if i == last && i < 5 {
            // Fewer components: the last one, if it ends in `*`, covers the rest.
            if !pat.ends_with('*') {
                return false;
            }
            let rest = rp[i..].join(":");
            return glob::matches_ignore_ascii_case(pat, &rest);
        }
        let value = rp[i];
        let ok = if i == 5 {
            glob::matches(pat, value)
        } else {
            glob::matches_ignore_ascii_case(pat, value)
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `ArnEquals`/`ArnLike` (identical, R13): six components, each matched separately.
pub(crate) fn condition_matches(pattern: &str, value: &str) -> bool {
    let pp: Vec<&str> = pattern.splitn(6, ':').collect();
    let vp: Vec<&str> = value.splitn(6, ':').collect();
    pp.len() == 6 && vp.len() == 6 && pp.iter().zip(&vp).all(|(p, v)| glob::matches(p, v))
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
