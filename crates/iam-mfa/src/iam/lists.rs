//! The IAM list calls the admin commands need, every page of them (see [`super::paging`]).

use super::error::Error;
use super::paging::{Page, all_pages};
use aws_sdk_iam::types::{AssignmentStatusType, MfaDevice, PolicyVersion, VirtualMfaDevice};

/// Every page of one IAM list call: `$request` is the request without paging parameters and
/// `$items` the page's items, computed from the response `$out`.
macro_rules! every_page {
    ($op:expr, $page_size:expr, $request:expr, |$out:ident| $items:expr) => {
        all_pages($op, |marker| async move {
            let $out = $request
                .set_marker(marker)
                .set_max_items($page_size)
                .send()
                .await
                .map_err(Error::aws($op))?;
            Ok(Page {
                items: $items,
                is_truncated: $out.is_truncated(),
                marker: $out.marker().map(str::to_owned),
            })
        })
        .await
    };
}

/// `ListMFADevices(UserName)`: every device assigned to `user`. Unknown user → [`Error::NoSuchUser`].
pub async fn mfa_devices(
    iam: &aws_sdk_iam::Client,
    user: &str,
    page_size: Option<i32>,
) -> Result<Vec<MfaDevice>, Error> {
    let result: Result<Vec<MfaDevice>, Error> = every_page!(
        "iam:ListMFADevices",
        page_size,
        iam.list_mfa_devices().user_name(user),
        |out| out.mfa_devices().to_vec()
    );
    result.map_err(|error| no_such(error, || Error::NoSuchUser(user.to_owned())))
}

/// `ListVirtualMFADevices(AssignmentStatus)`: every virtual device with that status.
pub async fn virtual_mfa_devices(
    iam: &aws_sdk_iam::Client,
    status: AssignmentStatusType,
    page_size: Option<i32>,
) -> Result<Vec<VirtualMfaDevice>, Error> {
    let status = &status;
    every_page!(
        "iam:ListVirtualMFADevices",
        page_size,
        iam.list_virtual_mfa_devices()
            .assignment_status(status.clone()),
        |out| out.virtual_mfa_devices().to_vec()
    )
}

/// `ListUsers`: every user name in the account.
pub async fn user_names(
    iam: &aws_sdk_iam::Client,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!("iam:ListUsers", page_size, iam.list_users(), |out| out
        .users()
        .iter()
        .map(|user| user.user_name().to_owned())
        .collect())
}

/// `ListPolicyVersions(PolicyArn)`: every version of a managed policy.
pub async fn policy_versions(
    iam: &aws_sdk_iam::Client,
    policy_arn: &str,
    page_size: Option<i32>,
) -> Result<Vec<PolicyVersion>, Error> {
    every_page!(
        "iam:ListPolicyVersions",
        page_size,
        iam.list_policy_versions().policy_arn(policy_arn),
        |out| out.versions().to_vec()
    )
}

/// `ListAttachedGroupPolicies(GroupName)`: the ARNs of every managed policy attached to `group`.
pub async fn attached_group_policies(
    iam: &aws_sdk_iam::Client,
    group: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    let result: Result<Vec<String>, Error> = every_page!(
        "iam:ListAttachedGroupPolicies",
        page_size,
        iam.list_attached_group_policies().group_name(group),
        |out| out
            .attached_policies()
            .iter()
            .filter_map(|policy| policy.policy_arn().map(str::to_owned))
            .collect()
    );
    result.map_err(|error| no_such(error, || Error::NoSuchGroup(group.to_owned())))
}

/// `ListGroupsForUser(UserName)`: the names of the groups `user` belongs to. Unknown user →
/// [`Error::NoSuchUser`].
pub async fn groups_for_user(
    iam: &aws_sdk_iam::Client,
    user: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    let result: Result<Vec<String>, Error> = every_page!(
        "iam:ListGroupsForUser",
        page_size,
        iam.list_groups_for_user().user_name(user),
        |out| out
            .groups()
            .iter()
            .map(|group| group.group_name().to_owned())
            .collect()
    );
    result.map_err(|error| no_such(error, || Error::NoSuchUser(user.to_owned())))
}

/// `GetGroup(GroupName)`: the names of `group`'s members. Unknown group → [`Error::NoSuchGroup`].
pub async fn group_members(
    iam: &aws_sdk_iam::Client,
    group: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    let result: Result<Vec<String>, Error> = every_page!(
        "iam:GetGroup",
        page_size,
        iam.get_group().group_name(group),
        |out| out
            .users()
            .iter()
            .map(|user| user.user_name().to_owned())
            .collect()
    );
    result.map_err(|error| no_such(error, || Error::NoSuchGroup(group.to_owned())))
}

/// `ListGroupPolicies(GroupName)`: the names of `group`'s inline policies.
pub async fn group_inline_policies(
    iam: &aws_sdk_iam::Client,
    group: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!(
        "iam:ListGroupPolicies",
        page_size,
        iam.list_group_policies().group_name(group),
        |out| out.policy_names().to_vec()
    )
}

/// `ListAttachedUserPolicies(UserName)`: the ARNs of every managed policy attached to `user`.
pub async fn attached_user_policies(
    iam: &aws_sdk_iam::Client,
    user: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!(
        "iam:ListAttachedUserPolicies",
        page_size,
        iam.list_attached_user_policies().user_name(user),
        |out| out
            .attached_policies()
            .iter()
            .filter_map(|policy| policy.policy_arn().map(str::to_owned))
            .collect()
    )
}

/// `ListUserPolicies(UserName)`: the names of `user`'s inline policies.
pub async fn user_inline_policies(
    iam: &aws_sdk_iam::Client,
    user: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!(
        "iam:ListUserPolicies",
        page_size,
        iam.list_user_policies().user_name(user),
        |out| out.policy_names().to_vec()
    )
}

/// `ListAttachedRolePolicies(RoleName)`: the ARNs of every managed policy attached to `role`.
pub async fn attached_role_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!(
        "iam:ListAttachedRolePolicies",
        page_size,
        iam.list_attached_role_policies().role_name(role),
        |out| out
            .attached_policies()
            .iter()
            .filter_map(|policy| policy.policy_arn().map(str::to_owned))
            .collect()
    )
}

/// `ListRolePolicies(RoleName)`: the names of `role`'s inline policies.
pub async fn role_inline_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
    page_size: Option<i32>,
) -> Result<Vec<String>, Error> {
    every_page!(
        "iam:ListRolePolicies",
        page_size,
        iam.list_role_policies().role_name(role),
        |out| out.policy_names().to_vec()
    )
}

/// Replaces a `NoSuchEntity` error with the clearer `replacement()`.
pub fn no_such(error: Error, replacement: impl FnOnce() -> Error) -> Error {
    if error.aws_code() == Some("NoSuchEntity") {
        replacement()
    } else {
        error
    }
}
