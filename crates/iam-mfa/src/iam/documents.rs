//! Fetching policy documents: managed policies (default version), group and user inline
//! policies, and the identity-policy set a user has through itself and its groups.

use super::error::Error;
use super::lists;
use percent_encoding::percent_decode_str;

/// A policy document with a name for explanations (`PolicyName` or `group/PolicyName`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub document: String,
}

/// A policy the engine cannot read: its name and the parse error (`NAME: line L, column C: …`).
#[derive(Debug, thiserror::Error)]
#[error("{name}: {error}")]
pub struct Unreadable {
    pub name: String,
    pub error: iam_policy::ParseError,
}

/// The policy set of `documents`, in order; the error names the first one the engine cannot
/// read.
pub fn policy_set<'a>(
    documents: impl IntoIterator<Item = &'a Named>,
) -> Result<iam_policy::PolicySet, Unreadable> {
    let mut set = iam_policy::PolicySet::new();
    for named in documents {
        set.add_document(&named.name, &named.document)
            .map_err(|error| Unreadable {
                name: named.name.clone(),
                error,
            })?;
    }
    Ok(set)
}

/// A document as IAM returns it: AWS percent-encodes documents (RFC 3986), moto sometimes
/// does not; text that already starts as JSON is taken as is.
pub fn decode(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        return text.to_owned();
    }
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Whether two documents say the same (same JSON value, whatever the spacing).
pub fn same_document(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The default version of managed policy `arn` with its version id; `None` if it does not exist.
pub async fn managed(
    iam: &aws_sdk_iam::Client,
    arn: &str,
) -> Result<Option<(Named, String)>, Error> {
    let policy = match iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(Error::aws("iam:GetPolicy"))
    {
        Ok(out) => out.policy().cloned(),
        Err(error) if error.aws_code() == Some("NoSuchEntity") => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some(policy) = policy else {
        return Ok(None);
    };
    let name = policy.policy_name().unwrap_or(arn).to_owned();
    let version = policy.default_version_id().unwrap_or("v1").to_owned();
    const OP: &str = "iam:GetPolicyVersion";
    let out = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
        .map_err(Error::aws(OP))?;
    let text = out
        .policy_version()
        .and_then(|v| v.document())
        .ok_or(Error::Response {
            operation: OP,
            what: "no Document".into(),
        })?;
    Ok(Some((
        Named {
            name,
            document: decode(text),
        },
        version,
    )))
}

/// Documents of the managed policies `arns` (missing ones skipped).
async fn managed_all(iam: &aws_sdk_iam::Client, arns: &[String]) -> Result<Vec<Named>, Error> {
    let mut documents = Vec::new();
    for arn in arns {
        documents.extend(managed(iam, arn).await?.map(|(named, _)| named));
    }
    Ok(documents)
}

/// Every identity policy of `group`: attached managed ones and inline ones.
pub async fn of_group(
    iam: &aws_sdk_iam::Client,
    group: &str,
    page_size: Option<i32>,
) -> Result<Vec<Named>, Error> {
    let mut documents = managed_all(
        iam,
        &lists::attached_group_policies(iam, group, page_size).await?,
    )
    .await?;
    for name in lists::group_inline_policies(iam, group, page_size).await? {
        const OP: &str = "iam:GetGroupPolicy";
        let out = iam
            .get_group_policy()
            .group_name(group)
            .policy_name(&name)
            .send()
            .await
            .map_err(Error::aws(OP))?;
        documents.push(Named {
            name: format!("{group}/{name}"),
            document: decode(out.policy_document()),
        });
    }
    Ok(documents)
}

/// The identity policies of an existing user (`Some(name)`: attached and inline) plus those of
/// every group in `groups`: what the user's requests are evaluated against.
pub async fn of_user(
    iam: &aws_sdk_iam::Client,
    user: Option<&str>,
    groups: &[String],
    page_size: Option<i32>,
) -> Result<Vec<Named>, Error> {
    let mut documents = Vec::new();
    if let Some(user) = user {
        documents.extend(
            managed_all(
                iam,
                &lists::attached_user_policies(iam, user, page_size).await?,
            )
            .await?,
        );
        for name in lists::user_inline_policies(iam, user, page_size).await? {
            const OP: &str = "iam:GetUserPolicy";
            let out = iam
                .get_user_policy()
                .user_name(user)
                .policy_name(&name)
                .send()
                .await
                .map_err(Error::aws(OP))?;
            documents.push(Named {
                name,
                document: decode(out.policy_document()),
            });
        }
    }
    for group in groups {
        documents.extend(of_group(iam, group, page_size).await?);
    }
    Ok(documents)
}

/// A role as `policy check --role` needs it: its ARN and path, its trust policy and its
/// permission policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDocuments {
    pub arn: String,
    pub path: String,
    pub trust: String,
    pub documents: Vec<Named>,
}

/// `GetRole`, then the role's attached and inline policies. Unknown role →
/// [`Error::NoSuchRole`].
pub async fn of_role(
    iam: &aws_sdk_iam::Client,
    role: &str,
    page_size: Option<i32>,
) -> Result<RoleDocuments, Error> {
    const OP: &str = "iam:GetRole";
    let out = iam
        .get_role()
        .role_name(role)
        .send()
        .await
        .map_err(Error::aws(OP))
        .map_err(|e| lists::no_such(e, || Error::NoSuchRole(role.to_owned())))?;
    let found = out.role().ok_or(Error::Response {
        operation: OP,
        what: "no Role".into(),
    })?;
    let trust = found
        .assume_role_policy_document()
        .map(decode)
        .ok_or(Error::Response {
            operation: OP,
            what: "no AssumeRolePolicyDocument".into(),
        })?;
    let (arn, path) = (found.arn().to_owned(), found.path().to_owned());
    let mut documents = managed_all(
        iam,
        &lists::attached_role_policies(iam, role, page_size).await?,
    )
    .await?;
    for name in lists::role_inline_policies(iam, role, page_size).await? {
        const OP: &str = "iam:GetRolePolicy";
        let out = iam
            .get_role_policy()
            .role_name(role)
            .policy_name(&name)
            .send()
            .await
            .map_err(Error::aws(OP))?;
        documents.push(Named {
            name: format!("{role}/{name}"),
            document: decode(out.policy_document()),
        });
    }
    Ok(RoleDocuments {
        arn,
        path,
        trust,
        documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_decoded_only_when_encoded() {
        let raw = r#"{"Version": "2012-10-17", "Statement": []}"#;
        assert_eq!(decode(raw), raw);
        assert_eq!(
            decode("%7B%22Version%22%3A%20%222012-10-17%22%7D"),
            r#"{"Version": "2012-10-17"}"#
        );
    }

    #[test]
    fn sameness_ignores_layout_but_not_content() {
        assert!(same_document(r#"{"a": [1, 2]}"#, "{\n  \"a\":[1,2]\n}"));
        assert!(!same_document(r#"{"a": [1, 2]}"#, r#"{"a": [2, 1]}"#));
    }
}
