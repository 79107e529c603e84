//! Every user's identity policies and every role's trust and permission policies from
//! `GetAccountAuthorizationDetails` (users, groups, roles and customer-managed policies with
//! their default versions, a few pages for the whole account), resolved into one table of
//! distinct documents that users and roles refer to by index.
//! AWS-managed policies come from the embedded set (`iam_catalog::managed_policy`); only those
//! it lacks are fetched (`GetPolicy` + `GetPolicyVersion`, once per policy) when users or
//! groups have them; roles never cost a request: a role with such a policy is marked
//! incomplete (its power unknown, so an escape into it counts as high).

use std::collections::{BTreeSet, HashMap};

use aws_sdk_iam::types::{
    EntityType, GroupDetail, ManagedPolicyDetail, PolicyDetail, RoleDetail, UserDetail,
};

use super::facts::{Role, User};
use crate::iam::Error;
use crate::iam::documents::{self, Named, decode};
use crate::iam::paging::{Page, all_pages};

/// The pages of `GetAccountAuthorizationDetails`, merged.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub users: Vec<UserDetail>,
    pub groups: Vec<GroupDetail>,
    pub roles: Vec<RoleDetail>,
    /// Customer-managed policies with their versions.
    pub policies: Vec<ManagedPolicyDetail>,
}

/// Fetches every page (users, groups, roles, customer-managed policies).
pub async fn fetch(iam: &aws_sdk_iam::Client, page_size: Option<i32>) -> Result<Details, Error> {
    const OP: &str = "iam:GetAccountAuthorizationDetails";
    let pages = all_pages(OP, |marker| async move {
        let out = iam
            .get_account_authorization_details()
            .filter(EntityType::User)
            .filter(EntityType::Group)
            .filter(EntityType::Role)
            .filter(EntityType::LocalManagedPolicy)
            .set_marker(marker)
            .set_max_items(page_size)
            .send()
            .await
            .map_err(Error::aws(OP))?;
        Ok(Page {
            is_truncated: out.is_truncated(),
            marker: out.marker().map(str::to_owned),
            items: vec![out],
        })
    })
    .await?;
    let mut details = Details::default();
    for page in pages {
        details.users.extend_from_slice(page.user_detail_list());
        details.groups.extend_from_slice(page.group_detail_list());
        details.roles.extend_from_slice(page.role_detail_list());
        details.policies.extend_from_slice(page.policies());
    }
    Ok(details)
}

/// Whether `arn` names an AWS-managed policy (`arn:PARTITION:iam::aws:policy/…`).
fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

/// The attached policies that are neither in the details nor embedded: AWS-managed policies
/// newer than this build (and, defensively, customer policies the details left out).
pub fn missing(details: &Details) -> Vec<String> {
    let known: BTreeSet<&str> = details.policies.iter().filter_map(|p| p.arn()).collect();
    let attached = details
        .users
        .iter()
        .flat_map(|u| u.attached_managed_policies())
        .chain(
            details
                .groups
                .iter()
                .flat_map(|g| g.attached_managed_policies()),
        )
        .filter_map(|a| a.policy_arn());
    let missing: BTreeSet<&str> = attached
        .filter(|arn| !known.contains(arn))
        .filter(|arn| !is_aws_managed(arn) || iam_catalog::managed_policy(arn).is_none())
        .collect();
    missing.into_iter().map(str::to_owned).collect()
}

/// Fetches the default versions of `arns` (see [`missing`]); policies that no longer exist
/// are left out.
pub async fn fetch_missing(
    iam: &aws_sdk_iam::Client,
    arns: &[String],
) -> Result<HashMap<String, Named>, Error> {
    let mut out = HashMap::new();
    for arn in arns {
        if let Some((named, _version)) = documents::managed(iam, arn).await? {
            out.insert(arn.clone(), named);
        }
    }
    Ok(out)
}

/// Interns documents by name and text, so that users with the same policies share indexes.
#[derive(Default)]
struct Table {
    documents: Vec<Named>,
    index: HashMap<(String, String), usize>,
}

impl Table {
    /// Interns the inline policies `list` of a user, group or role, named by `name(policy)`.
    fn inline(&mut self, list: &[PolicyDetail], name: impl Fn(&str) -> String) -> Vec<usize> {
        list.iter()
            .filter_map(|inline| Some((inline.policy_name()?, inline.policy_document()?)))
            .map(|(policy, text)| {
                self.intern(Named {
                    name: name(policy),
                    document: decode(text),
                })
            })
            .collect()
    }

    fn intern(&mut self, named: Named) -> usize {
        let key = (named.name.clone(), named.document.clone());
        *self.index.entry(key).or_insert_with(|| {
            self.documents.push(named);
            self.documents.len() - 1
        })
    }
}

/// The default version's document of a customer-managed policy, named by `PolicyName` or,
/// where that is missing (moto), the last part of the ARN.
fn default_document(policy: &ManagedPolicyDetail) -> Option<Named> {
    let versions = policy.policy_version_list();
    let version = versions
        .iter()
        .find(|v| v.is_default_version())
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.version_id() == policy.default_version_id())
        })?;
    let name = policy
        .policy_name()
        .or_else(|| policy.arn().and_then(|arn| arn.rsplit('/').next()))?;
    Some(Named {
        name: name.to_owned(),
        document: decode(version.document()?),
    })
}

/// What [`build`] resolves.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub documents: Vec<Named>,
    pub users: Vec<User>,
    pub roles: Vec<Role>,
}

/// The documents, users and roles of `details`; `fetched` holds the policies [`missing`]
/// named.
pub fn build(details: &Details, fetched: &HashMap<String, Named>) -> Built {
    let mut table = Table::default();
    let mut managed: HashMap<String, Option<usize>> = HashMap::new();
    for policy in &details.policies {
        if let (Some(arn), Some(named)) = (policy.arn(), default_document(policy)) {
            managed.insert(arn.to_owned(), Some(table.intern(named)));
        }
    }
    let mut resolve = |table: &mut Table, arn: &str| -> Option<usize> {
        if let Some(at) = managed.get(arn) {
            return *at;
        }
        let named = fetched.get(arn).cloned().or_else(|| {
            iam_catalog::managed_policy(arn).map(|p| Named {
                name: p.name.to_owned(),
                document: p.document.to_owned(),
            })
        });
        let at = named.map(|n| table.intern(n));
        managed.insert(arn.to_owned(), at);
        at
    };
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for group in &details.groups {
        let Some(name) = group.group_name() else {
            continue;
        };
        let mut policies = table.inline(group.group_policy_list(), |p| format!("{name}/{p}"));
        for attached in group.attached_managed_policies() {
            policies.extend(attached.policy_arn().and_then(|a| resolve(&mut table, a)));
        }
        groups.insert(name, policies);
    }
    let mut users = Vec::with_capacity(details.users.len());
    for user in &details.users {
        let (Some(name), Some(arn)) = (user.user_name(), user.arn()) else {
            continue;
        };
        let mut policies = table.inline(user.user_policy_list(), str::to_owned);
        for attached in user.attached_managed_policies() {
            policies.extend(attached.policy_arn().and_then(|a| resolve(&mut table, a)));
        }
        for group in user.group_list() {
            policies.extend(groups.get(group.as_str()).into_iter().flatten().copied());
        }
        users.push(User {
            name: name.to_owned(),
            path: user.path().unwrap_or("/").to_owned(),
            arn: arn.to_owned(),
            policies,
            id: user.user_id().map(str::to_owned),
            tags: user
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
        });
    }
    let mut roles = Vec::with_capacity(details.roles.len());
    for role in &details.roles {
        let (Some(name), Some(arn), Some(trust)) = (
            role.role_name(),
            role.arn(),
            role.assume_role_policy_document(),
        ) else {
            continue;
        };
        let mut policies = table.inline(role.role_policy_list(), |p| format!("{name}/{p}"));
        let mut incomplete = false;
        for attached in role.attached_managed_policies() {
            match attached.policy_arn().and_then(|a| resolve(&mut table, a)) {
                Some(at) => policies.push(at),
                None => incomplete = true,
            }
        }
        roles.push(Role {
            name: name.to_owned(),
            path: role.path().unwrap_or("/").to_owned(),
            arn: arn.to_owned(),
            trust: decode(trust),
            policies,
            incomplete,
        });
    }
    Built {
        documents: table.documents,
        users,
        roles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::{AttachedPolicy, PolicyDetail, PolicyVersion};

    const S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#;

    fn user(name: &str, groups: &[&str], attached: &[&str]) -> UserDetail {
        let mut b = UserDetail::builder()
            .user_name(name)
            .path("/")
            .arn(format!("arn:aws:iam::123456789012:user/{name}"));
        for g in groups {
            b = b.group_list(*g);
        }
        for a in attached {
            b = b.attached_managed_policies(AttachedPolicy::builder().policy_arn(*a).build());
        }
        b.build()
    }

    #[test]
    fn users_share_documents_and_aws_managed_policies_come_from_the_embedded_set() {
        let encoded: String =
            percent_encoding::utf8_percent_encode(S3, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let details = Details {
            users: vec![
                user("alice", &["devs"], &[]),
                user(
                    "bob",
                    &["devs"],
                    &["arn:aws:iam::aws:policy/IAMUserChangePassword"],
                ),
                user("carol", &[], &["arn:aws:iam::123456789012:policy/Custom"]),
            ],
            groups: vec![
                GroupDetail::builder()
                    .group_name("devs")
                    .group_policy_list(
                        PolicyDetail::builder()
                            .policy_name("s3")
                            .policy_document(&encoded)
                            .build(),
                    )
                    .build(),
            ],
            roles: vec![
                RoleDetail::builder()
                    .role_name("Deploy")
                    .path("/ci/")
                    .arn("arn:aws:iam::123456789012:role/ci/Deploy")
                    .assume_role_policy_document(
                        percent_encoding::utf8_percent_encode(
                            TRUST,
                            percent_encoding::NON_ALPHANUMERIC,
                        )
                        .to_string(),
                    )
                    .role_policy_list(
                        PolicyDetail::builder()
                            .policy_name("s3")
                            .policy_document(S3)
                            .build(),
                    )
                    .attached_managed_policies(
                        AttachedPolicy::builder()
                            .policy_arn("arn:aws:iam::123456789012:policy/Custom")
                            .build(),
                    )
                    .attached_managed_policies(
                        AttachedPolicy::builder()
                            .policy_arn("arn:aws:iam::aws:policy/NoSuchPolicyYet")
                            .build(),
                    )
                    .build(),
            ],
            policies: vec![
                ManagedPolicyDetail::builder()
                    .policy_name("Custom")
                    .arn("arn:aws:iam::123456789012:policy/Custom")
                    .default_version_id("v2")
                    .policy_version_list(
                        PolicyVersion::builder()
                            .version_id("v1")
                            .document("{}")
                            .is_default_version(false)
                            .build(),
                    )
                    .policy_version_list(
                        PolicyVersion::builder()
                            .version_id("v2")
                            .document(&encoded)
                            .is_default_version(true)
                            .build(),
                    )
                    .build(),
            ],
        };
        // A role's AWS-managed policy unknown to this build costs no request.
        assert!(missing(&details).is_empty());
        let Built {
            documents,
            users,
            roles,
        } = build(&details, &HashMap::new());
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].trust, TRUST, "trust documents are decoded");
        assert_eq!(roles[0].path, "/ci/");
        assert_eq!(roles[0].policies, [3, 0], "inline, then attached");
        assert_eq!(documents[3].name, "Deploy/s3");
        assert!(
            roles[0].incomplete,
            "NoSuchPolicyYet is neither embedded nor fetched"
        );
        let names: Vec<&str> = documents.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["Custom", "devs/s3", "IAMUserChangePassword", "Deploy/s3"]
        );
        assert_eq!(documents[0].document, S3);
        assert_eq!(users[0].policies, [1]);
        assert_eq!(users[1].policies, [2, 1]);
        assert_eq!(users[2].policies, [0]);
    }

    #[test]
    fn unknown_aws_managed_policies_are_fetched() {
        let details = Details {
            users: vec![user("a", &[], &["arn:aws:iam::aws:policy/NoSuchPolicyYet"])],
            ..Details::default()
        };
        assert_eq!(
            missing(&details),
            ["arn:aws:iam::aws:policy/NoSuchPolicyYet"]
        );
        let fetched = HashMap::from([(
            "arn:aws:iam::aws:policy/NoSuchPolicyYet".to_owned(),
            Named {
                name: "NoSuchPolicyYet".into(),
                document: S3.into(),
            },
        )]);
        let Built {
            documents, users, ..
        } = build(&details, &fetched);
        assert_eq!(documents.len(), 1);
        assert_eq!(users[0].policies, [0]);
    }
}
