//! Gathering what `policy check --user/--group` decides on from a real account: the identity
//! policies (inline, attached, through groups), the account password policy's
//! `AllowUsersToChangePassword` and the user's login profile. AWS calls only; the deciding is
//! `mfa_doctor::check`.

use iam_policy::analysis::Principal;

use super::Error;
use super::client::{Caller, Clients};
use super::documents::{self, Named};
use super::{lists, password_policy};
use mfa_doctor::{Account, LoginProfile};

/// Whose policies to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An existing user: its own policies and those of its groups.
    User(String),
    /// A group: its policies, for a member with no policies of its own.
    Group(String),
}

/// What the account says about one principal.
#[derive(Debug, Clone)]
pub struct PrincipalPolicies {
    /// The principal the requests are made as (a group's stand-in member for `--group`).
    pub principal: Principal,
    /// The identity policies, named `POLICY` or `GROUP/POLICY` for inline group policies.
    pub documents: Vec<Named>,
    /// The password policy setting and the login profile.
    pub account: Account,
}

/// The stand-in user name for `--group`: a member with no policies of its own.
pub const GROUP_MEMBER: &str = "group-member";

/// Fetches the policies and facts of `target`.
pub async fn gather(
    admin: &Clients,
    target: &Target,
    page_size: Option<i32>,
) -> Result<PrincipalPolicies, Error> {
    let caller = Caller::of(admin).await?;
    let (principal, documents, login_profile) = match target {
        Target::User(name) => {
            let user = admin
                .iam
                .get_user()
                .user_name(name)
                .send()
                .await
                .map_err(Error::aws("iam:GetUser"))
                .map_err(|e| lists::no_such(e, || Error::NoSuchUser(name.clone())))?;
            let path = user.user().map_or("/", |u| u.path()).to_owned();
            let groups = lists::groups_for_user(&admin.iam, name, page_size).await?;
            let documents = documents::of_user(&admin.iam, Some(name), &groups, page_size).await?;
            let principal = Principal {
                user_id: user.user().map(|u| u.user_id().to_owned()),
                ..caller.user(name, &path)
            };
            (principal, documents, login_profile(admin, name).await?)
        }
        Target::Group(group) => {
            let documents = documents::of_group(&admin.iam, group, page_size)
                .await
                .map_err(|e| lists::no_such(e, || Error::NoSuchGroup(group.clone())))?;
            let principal = caller.user(GROUP_MEMBER, "/");
            (principal, documents, LoginProfile::Unknown)
        }
    };
    Ok(PrincipalPolicies {
        principal,
        documents,
        account: Account {
            allow_users_to_change_password: allow_users_to_change_password(admin).await?,
            login_profile,
        },
    })
}

/// `GetLoginProfile`: none (`NoSuchEntity`), present, or present with a required reset.
pub async fn login_profile(admin: &Clients, user: &str) -> Result<LoginProfile, Error> {
    match admin
        .iam
        .get_login_profile()
        .user_name(user)
        .send()
        .await
        .map_err(Error::aws("iam:GetLoginProfile"))
    {
        Ok(out) => Ok(match out.login_profile() {
            Some(p) if p.password_reset_required() => LoginProfile::ResetRequired,
            _ => LoginProfile::Present,
        }),
        Err(error) if error.aws_code() == Some("NoSuchEntity") => Ok(LoginProfile::None),
        Err(error) => Err(error),
    }
}

/// The account password policy's `AllowUsersToChangePassword`; `false` when the account has
/// no custom password policy (then only an identity policy can allow `iam:ChangePassword`).
pub async fn allow_users_to_change_password(admin: &Clients) -> Result<bool, Error> {
    Ok(password_policy::current(&admin.iam)
        .await?
        .is_some_and(|p| p.allow_users_to_change_password))
}
