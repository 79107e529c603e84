//! `enforce --group NAME`: installs the customer-managed force-MFA policy (a new default
//! version when it changed, the oldest non-default versions pruned within AWS's limit of 5),
//! the group, its attachments and members, and lets users change their own password (keeping
//! every other password-policy setting). Then checks the group's policies.

use super::error::Error;
use super::mfa_policy;
use super::password::{self, PasswordPolicy};
use super::plan::Mutating;
use super::plan::{self, Action};
use crate::args::Listing;
use crate::iam;
use crate::iam::client::{Caller, Clients};
use crate::iam::documents::{self, Named};
use crate::iam::lists;
use crate::ui::output::Report;
use crate::ui::prompt::Prompt;
use crate::ui::{findings, style};
use mfa_doctor::{CheckReport, Intent};
use serde::Serialize;
use std::path::PathBuf;

/// AWS's limit of versions per managed policy.
const MAX_VERSIONS: usize = 5;

/// Arguments of `enforce`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// The IAM group whose members must use MFA (created if missing).
    #[arg(long, value_name = "NAME", value_parser = crate::names::parse_group_name)]
    pub group: String,
    /// The force-MFA policy document to install (JSON); default: the policy of
    /// `iam-mfa policy generate` with the same --no-… and --exempt flags.
    #[arg(long, value_name = "FILE")]
    pub policy_file: Option<PathBuf>,
    #[command(flatten)]
    pub intent: Intent,
    /// Name of the customer-managed force-MFA policy.
    #[arg(long, value_name = "NAME", default_value = "Force_MFA", value_parser = crate::names::parse_policy_name)]
    pub policy_name: String,
    /// Managed policies to attach to the group too: a name (`PowerUserAccess`, AWS managed) or an ARN.
    #[arg(long = "attach", value_name = "POLICY", num_args = 1..)]
    pub attach: Vec<String>,
    /// Users to add to the group.
    #[arg(long, value_name = "USER", num_args = 1.., conflicts_with = "all_users", value_parser = crate::names::parse_user_name)]
    pub users: Vec<String>,
    /// Add every IAM user in the account to the group.
    #[arg(long)]
    pub all_users: bool,
    #[command(flatten)]
    pub mutating: Mutating,
    #[command(flatten)]
    pub listing: Listing,
}

/// What `enforce` found and did.
#[derive(Debug, Serialize)]
pub struct Enforce {
    pub group: String,
    pub policy_arn: String,
    pub calls: Vec<Action>,
    pub dry_run: bool,
    pub changed: bool,
    pub notes: Vec<String>,
    /// The doctor's check of the group's policies (as they are after the calls, or would be).
    pub check: CheckReport,
}

/// What the account holds that `enforce` decides on, read before anything changes.
#[derive(Debug)]
pub struct Facts {
    pub caller: Caller,
    /// The force-MFA document to install.
    pub document: String,
    pub policy_arn: String,
    /// The force-MFA policy as installed.
    pub installed: Installed,
    /// The other managed policies to attach (`--attach`), by ARN, with their documents.
    pub extra: Vec<(String, Named)>,
    /// The users to add (`--users`, or every user with `--all-users`).
    pub users: Vec<String>,
    /// The group's members; `None` when the group does not exist.
    pub members: Option<Vec<String>>,
    /// The ARNs of the policies attached to the group.
    pub attached: Vec<String>,
    /// The account password policy; `None` when the account has none.
    pub password_policy: Option<PasswordPolicy>,
}

/// The customer-managed force-MFA policy in the account.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// No such policy.
    Missing,
    /// Its default version is the document to install.
    Current,
    /// Its default version differs; the ids of its other versions, oldest first.
    Outdated { old_versions: Vec<String> },
}

/// Makes the group enforce MFA, then checks its policies with the doctor: gather, plan, apply,
/// check.
pub async fn run(admin: &Clients, args: &Args, prompt: &mut dyn Prompt) -> Result<Enforce, Error> {
    let facts = gather(admin, args).await?;
    let (actions, notes) = plan(&facts, args);
    let question = format!("Make group {} enforce MFA?", args.group);
    let changed = plan::apply(admin, prompt, args.mutating, &actions, &question).await?;
    let check = check(admin, args, &facts, changed).await?;
    Ok(Enforce {
        group: args.group.clone(),
        policy_arn: facts.policy_arn,
        calls: actions,
        dry_run: args.mutating.dry_run,
        changed,
        notes,
        check,
    })
}

/// Reads what `enforce` decides on. Everything named must exist: a missing user or
/// `--attach` policy is an error here, before anything changes.
pub async fn gather(admin: &Clients, args: &Args) -> Result<Facts, Error> {
    let page_size = args.listing.page_size;
    let caller = Caller::of(admin).await?;
    let document =
        mfa_policy::document(args.policy_file.as_deref(), &args.intent, &caller.partition)?;
    let policy_arn = caller.iam_arn(&format!("policy/{}", args.policy_name));
    let mut extra = Vec::new();
    for name in &args.attach {
        let arn = if name.starts_with("arn:") {
            name.clone()
        } else {
            format!("arn:{}:iam::aws:policy/{name}", caller.partition)
        };
        let (named, _) = documents::managed(&admin.iam, &arn).await?.ok_or_else(|| {
            Error::Usage(format!(
                "managed policy {arn} does not exist; nothing was changed"
            ))
        })?;
        extra.push((arn, named));
    }
    let users = if args.all_users {
        lists::user_names(&admin.iam, page_size).await?
    } else {
        args.users.clone()
    };
    for user in &args.users {
        lists::groups_for_user(&admin.iam, user, page_size).await?;
    }
    let members = match lists::group_members(&admin.iam, &args.group, page_size).await {
        Ok(members) => Some(members),
        Err(iam::Error::NoSuchGroup(_)) => None,
        Err(error) => return Err(error.into()),
    };
    let installed = installed(admin, &policy_arn, &document, page_size).await?;
    let attached = match members {
        Some(_) => lists::attached_group_policies(&admin.iam, &args.group, page_size).await?,
        None => Vec::new(),
    };
    let password_policy = crate::iam::password_policy::current(&admin.iam).await?;
    Ok(Facts {
        caller,
        document,
        policy_arn,
        installed,
        extra,
        users,
        members,
        attached,
        password_policy,
    })
}

/// The state of the force-MFA policy `arn` against `document`.
async fn installed(
    admin: &Clients,
    arn: &str,
    document: &str,
    page_size: Option<i32>,
) -> Result<Installed, Error> {
    let Some((current, _)) = documents::managed(&admin.iam, arn).await? else {
        return Ok(Installed::Missing);
    };
    if documents::same_document(&current.document, document) {
        return Ok(Installed::Current);
    }
    let mut versions = lists::policy_versions(&admin.iam, arn, page_size).await?;
    versions.retain(|version| !version.is_default_version());
    versions.sort_by_key(|version| {
        version
            .create_date()
            .map(|date| (date.secs(), date.subsec_nanos()))
    });
    let old_versions = versions
        .iter()
        .filter_map(|version| version.version_id())
        .map(str::to_owned)
        .collect();
    Ok(Installed::Outdated { old_versions })
}

/// The calls that make the group enforce MFA, in order, and notes for the administrator.
/// Pure: decided on `facts` alone.
pub fn plan(facts: &Facts, args: &Args) -> (Vec<Action>, Vec<String>) {
    let mut notes = Vec::new();
    let mut actions = policy_actions(facts, &args.policy_name);
    if facts.members.is_none() {
        actions.push(Action::CreateGroup {
            group: args.group.clone(),
        });
    }
    let arns = std::iter::once(&facts.policy_arn).chain(facts.extra.iter().map(|(arn, _)| arn));
    for arn in arns {
        if !facts.attached.contains(arn) {
            actions.push(Action::AttachGroupPolicy {
                group: args.group.clone(),
                policy_arn: arn.clone(),
            });
        }
    }
    let members = facts.members.as_deref().unwrap_or_default();
    for user in facts.users.iter().filter(|user| !members.contains(user)) {
        actions.push(Action::AddUserToGroup {
            group: args.group.clone(),
            user: user.clone(),
        });
    }
    let current = facts.password_policy.as_ref();
    if let Some(updated) = password::allowing_change(current) {
        if current.is_none() {
            notes.push("the account had no password policy: one at least as strict as AWS's default is created".into());
        }
        actions.push(Action::UpdateAccountPasswordPolicy(updated));
    }
    (actions, notes)
}

/// Create the policy, or add a default version when the document changed (deleting the
/// oldest non-default versions first so the new one fits within AWS's limit).
fn policy_actions(facts: &Facts, name: &str) -> Vec<Action> {
    let arn = &facts.policy_arn;
    match &facts.installed {
        Installed::Missing => vec![Action::CreatePolicy {
            name: name.to_owned(),
            document: facts.document.clone(),
        }],
        Installed::Current => Vec::new(),
        Installed::Outdated { old_versions } => {
            let excess = (old_versions.len() + 2).saturating_sub(MAX_VERSIONS);
            let mut actions: Vec<Action> = old_versions
                .iter()
                .take(excess)
                .map(|id| Action::DeletePolicyVersion {
                    policy_arn: arn.clone(),
                    version_id: id.clone(),
                })
                .collect();
            actions.push(Action::CreatePolicyVersion {
                policy_arn: arn.clone(),
                document: facts.document.clone(),
            });
            actions
        }
    }
}

/// The doctor's check of the group's policies as they are after the calls (or would be, with
/// `--dry-run`): the force-MFA document, the `--attach` ones, and whatever else the group has.
async fn check(
    admin: &Clients,
    args: &Args,
    facts: &Facts,
    changed: bool,
) -> Result<CheckReport, Error> {
    let mut policies = vec![Named {
        name: args.policy_name.clone(),
        document: facts.document.clone(),
    }];
    policies.extend(facts.extra.iter().map(|(_, named)| named.clone()));
    if facts.members.is_some() || changed {
        let page_size = args.listing.page_size;
        for named in documents::of_group(&admin.iam, &args.group, page_size).await? {
            if !policies.iter().any(|known| known.name == named.name) {
                policies.push(named);
            }
        }
    }
    let members = facts.members.as_deref().unwrap_or_default();
    let member = facts
        .users
        .first()
        .or(members.first())
        .cloned()
        .unwrap_or_else(|| "example-user".into());
    let principal = facts.caller.user(&member, "/");
    // After the calls the password policy lets users change their password.
    mfa_policy::check(&principal, &policies, &args.intent, true)
}

impl Report for Enforce {
    fn text(&self) -> String {
        let mut text = String::new();
        for note in &self.notes {
            text.push_str(&format!("Note: {note}\n"));
        }
        text.push_str(&plan::describe(&self.calls, self.dry_run, self.changed));
        text.push_str(&format!(
            "\nCheck of group {} (iam-mfa policy check):\n",
            self.group
        ));
        text.push_str(&findings::render(&self.check, None, style::colour_stdout()));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            group: "Developers".into(),
            policy_file: None,
            intent: Intent::default(),
            policy_name: "Force_MFA".into(),
            attach: Vec::new(),
            users: vec!["alice".into(), "bob".into()],
            all_users: false,
            mutating: Mutating::default(),
            listing: Listing::default(),
        }
    }

    fn facts(installed: Installed) -> Facts {
        let caller = Caller {
            partition: "aws".into(),
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/admin".into(),
        };
        Facts {
            policy_arn: caller.iam_arn("policy/Force_MFA"),
            caller,
            document: "{}".into(),
            installed,
            extra: Vec::new(),
            users: vec!["alice".into(), "bob".into()],
            members: Some(vec!["alice".into()]),
            attached: Vec::new(),
            password_policy: None,
        }
    }

    #[test]
    fn a_new_account_gets_policy_group_attachment_members_and_a_password_policy() {
        let facts = Facts {
            members: None,
            ..facts(Installed::Missing)
        };
        let (actions, notes) = plan(&facts, &args());
        let apis: Vec<&str> = actions.iter().map(Action::api).collect();
        assert_eq!(
            apis,
            [
                "iam:CreatePolicy",
                "iam:CreateGroup",
                "iam:AttachGroupPolicy",
                "iam:AddUserToGroup",
                "iam:AddUserToGroup",
                "iam:UpdateAccountPasswordPolicy",
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn an_outdated_policy_sheds_its_oldest_versions_to_fit_five() {
        let old_versions: Vec<String> = ["v1", "v2", "v3", "v4"].map(String::from).into();
        let mut facts = facts(Installed::Outdated { old_versions });
        facts.attached = vec![facts.policy_arn.clone()];
        facts.password_policy = Some(PasswordPolicy {
            allow_users_to_change_password: true,
            ..PasswordPolicy::replacing_aws_default()
        });
        let (actions, notes) = plan(&facts, &args());
        assert_eq!(
            actions,
            [
                Action::DeletePolicyVersion {
                    policy_arn: facts.policy_arn.clone(),
                    version_id: "v1".into(),
                },
                Action::CreatePolicyVersion {
                    policy_arn: facts.policy_arn.clone(),
                    document: "{}".into(),
                },
                Action::AddUserToGroup {
                    group: "Developers".into(),
                    user: "bob".into(),
                },
            ]
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn a_group_that_already_enforces_mfa_needs_no_call() {
        let mut facts = facts(Installed::Current);
        facts.attached = vec![facts.policy_arn.clone()];
        facts.members = Some(facts.users.clone());
        facts.password_policy = Some(PasswordPolicy {
            allow_users_to_change_password: true,
            ..PasswordPolicy::replacing_aws_default()
        });
        assert_eq!(plan(&facts, &args()), (Vec::new(), Vec::new()));
    }
}
