//! The latest version of every AWS-managed policy, decoded on first use and apart from the action
//! catalog, so that programs that never ask for one never pay for it.
//!
//! Format of the text (inflated at build time, see `build.rs`): the line `iam-catalog managed-policies 1`, then one line per
//! policy sorted by name, tab-separated: name, ARN, version id, date of the last update (RFC 3339),
//! the policy document as compact JSON.

use std::sync::OnceLock;

use crate::text::checked;
use crate::{CatalogError, Source, manifest};

static TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/managed-policies.tsv"));
static POLICIES: OnceLock<Result<Vec<ManagedPolicy>, CatalogError>> = OnceLock::new();

const HEADER: &str = "iam-catalog managed-policies 1";
const WHAT: &str = "managed policies";
const ARN_PREFIX: &str = "arn:aws:iam::aws:policy/";

/// One AWS-managed policy, at its default (latest) version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedPolicy {
    /// The policy name, e.g. `PowerUserAccess`.
    pub name: &'static str,
    /// The IAM path, e.g. `/` or `/job-function/`.
    pub path: &'static str,
    /// The ARN in the `aws` partition, e.g. `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`.
    pub arn: &'static str,
    /// The default version, e.g. `v12`.
    pub version_id: &'static str,
    /// When the default version was last changed (RFC 3339).
    pub updated: &'static str,
    /// The policy document (JSON text).
    pub document: &'static str,
}

impl ManagedPolicy {
    /// The path and name as they follow `policy/` in the ARN, e.g. `job-function/ViewOnlyAccess`.
    fn path_and_name(&self) -> &'static str {
        self.arn.strip_prefix(ARN_PREFIX).unwrap_or(self.name)
    }
}

/// Where the managed policies come from: print it wherever one is used.
pub fn managed_source() -> &'static Source {
    &manifest::MANAGED_SOURCE
}

/// All managed policies sorted by name; empty if the embedded data cannot be decoded (see
/// [`try_managed_policies`]).
pub fn managed_policies() -> &'static [ManagedPolicy] {
    try_managed_policies().map_or(&[], Vec::as_slice)
}

/// All managed policies sorted by name, or why the embedded data could not be decoded.
pub fn try_managed_policies() -> Result<&'static Vec<ManagedPolicy>, &'static CatalogError> {
    POLICIES.get_or_init(decode).as_ref()
}

/// The names of all managed policies, sorted.
pub fn managed_policy_names() -> impl Iterator<Item = &'static str> {
    managed_policies().iter().map(|p| p.name)
}

/// Finds a managed policy by name (`PowerUserAccess`), path and name
/// (`job-function/ViewOnlyAccess`) or ARN in any partition
/// (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`). An exact match wins; otherwise a
/// match ignoring case is accepted when it is the only one.
pub fn managed_policy(name_or_arn: &str) -> Option<&'static ManagedPolicy> {
    let (wanted, by_name) = match name_or_arn.strip_prefix("arn:") {
        Some(rest) => (arn_path_and_name(rest)?, false),
        None => {
            let wanted = name_or_arn.trim_start_matches('/');
            (wanted, !wanted.contains('/'))
        }
    };
    let key = |p: &ManagedPolicy| if by_name { p.name } else { p.path_and_name() };
    let policies = managed_policies();
    let exact = if by_name {
        let at = policies.binary_search_by(|p| p.name.cmp(wanted)).ok();
        at.and_then(|at| policies.get(at))
    } else {
        policies.iter().find(|p| key(p) == wanted)
    };
    if exact.is_some() {
        return exact;
    }
    let mut folded = policies
        .iter()
        .filter(|p| key(p).eq_ignore_ascii_case(wanted));
    match (folded.next(), folded.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// `PARTITION:iam::aws:policy/PATH/NAME` (an ARN after `arn:`) → `PATH/NAME`.
fn arn_path_and_name(rest: &str) -> Option<&str> {
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "iam" || !region.is_empty() || account != "aws" {
        return None;
    }
    resource.strip_prefix("policy/")
}

fn decode() -> Result<Vec<ManagedPolicy>, CatalogError> {
    parse_managed(managed_text()?)
}

/// The embedded managed policies' text, checked against the manifest (the first step of
/// decoding).
pub fn managed_text() -> Result<&'static str, CatalogError> {
    checked(WHAT, TEXT, manifest::MANAGED_RAW_LEN)
}

/// Parses the text; the policies borrow their strings from it.
pub fn parse_managed(text: &'static str) -> Result<Vec<ManagedPolicy>, CatalogError> {
    let error = |line: usize, reason: String| CatalogError::Format {
        what: WHAT,
        line,
        reason,
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, HEADER)) => {}
        _ => return Err(error(1, format!("the first line is not `{HEADER}`"))),
    }
    let mut policies: Vec<ManagedPolicy> = Vec::with_capacity(manifest::MANAGED_POLICY_COUNT);
    for (i, line) in lines {
        let policy = parse_policy(line).map_err(|reason| error(i + 1, reason))?;
        if let Some(previous) = policies.last().filter(|p| p.name >= policy.name) {
            return Err(error(
                i + 1,
                format!("policy `{}` is not after `{}`", policy.name, previous.name),
            ));
        }
        policies.push(policy);
    }
    Ok(policies)
}

fn parse_policy(line: &'static str) -> Result<ManagedPolicy, String> {
    let mut fields = line.splitn(5, '\t');
    let mut next = |what: &str| fields.next().ok_or_else(|| format!("no {what}"));
    let (name, arn, version_id, updated, document) = (
        next("name")?,
        next("ARN")?,
        next("version id")?,
        next("date")?,
        next("document")?,
    );
    let path = arn
        .strip_prefix(ARN_PREFIX)
        .and_then(|rest| rest.strip_suffix(name))
        .and_then(|path| arn.get(ARN_PREFIX.len() - 1..ARN_PREFIX.len() + path.len()))
        .ok_or_else(|| format!("ARN `{arn}` is not `{ARN_PREFIX}[PATH/]{name}`"))?;
    if !path.ends_with('/') || !document.starts_with('{') {
        return Err(format!("policy `{name}`: bad ARN path or document"));
    }
    Ok(ManagedPolicy {
        name,
        path,
        arn,
        version_id,
        updated,
        document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies_and_their_paths() {
        let text = "iam-catalog managed-policies 1\n\
            A\tarn:aws:iam::aws:policy/A\tv1\t2020-01-01T00:00:00.000Z\t{\"Version\":\"2012-10-17\"}\n\
            B\tarn:aws:iam::aws:policy/job-function/B\tv3\t2021-01-01T00:00:00.000Z\t{}\n";
        let policies = parse_managed(text).unwrap();
        assert_eq!(policies.len(), 2);
        assert_eq!((policies[0].path, policies[0].version_id), ("/", "v1"));
        assert_eq!(policies[0].document, "{\"Version\":\"2012-10-17\"}");
        assert_eq!(policies[1].path, "/job-function/");
        assert_eq!(policies[1].path_and_name(), "job-function/B");
    }

    #[test]
    fn rejects_malformed_lines() {
        let cases: [(&'static str, &str); 5] = [
            ("x\n", "line 1: the first line"),
            (
                "iam-catalog managed-policies 1\nA\tarn\n",
                "line 2: no version id",
            ),
            (
                "iam-catalog managed-policies 1\nA\tarn:aws:iam::aws:policy/B\tv1\td\t{}\n",
                "line 2: ARN `arn:aws:iam::aws:policy/B` is not",
            ),
            (
                "iam-catalog managed-policies 1\nA\tarn:aws:iam::aws:policy/xA\tv1\td\t{}\n",
                "line 2: policy `A`: bad ARN path",
            ),
            (
                "iam-catalog managed-policies 1\nB\tarn:aws:iam::aws:policy/B\tv1\td\t{}\nA\tarn:aws:iam::aws:policy/A\tv1\td\t{}\n",
                "line 3: policy `A` is not after `B`",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_managed(text).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn arn_parts_are_checked() {
        assert_eq!(
            arn_path_and_name("aws-cn:iam::aws:policy/job-function/X"),
            Some("job-function/X")
        );
        assert_eq!(arn_path_and_name("aws:iam::123456789012:policy/X"), None);
        assert_eq!(arn_path_and_name("aws:s3::aws:policy/X"), None);
        assert_eq!(arn_path_and_name("aws:iam:us-east-1:aws:policy/X"), None);
        assert_eq!(arn_path_and_name("aws:iam::aws:role/X"), None);
        assert_eq!(arn_path_and_name("aws:iam"), None);
    }
}
