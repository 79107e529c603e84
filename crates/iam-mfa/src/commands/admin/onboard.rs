//! `onboard USER --group NAME`: creates the user, adds it to the group, gives it a console
//! password that satisfies the account password policy, and sets "password reset required"
//! only when the user's policies let them change their password before having MFA (under the
//! AWS force-MFA policy they cannot, and would be locked out at first sign-in).

use super::error::Error;
use super::mfa_policy::{self, Verdict};
use super::password::{self, PasswordPolicy, Secret};
use super::plan::Mutating;
use super::plan::{self, Action};
use crate::args::Listing;
use crate::iam;
use crate::iam::client::{Caller, Clients};
use crate::iam::documents;
use crate::iam::lists;
use crate::iam::principal;
use crate::ui::output::Report;
use crate::ui::prompt::Prompt;
use mfa_doctor::LoginProfile;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `onboard`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// The new IAM user.
    #[arg(value_parser = crate::names::parse_user_name)]
    pub user: String,
    /// The group to put the user in (must exist: see `enforce`).
    #[arg(long, value_name = "NAME", value_parser = crate::names::parse_group_name)]
    pub group: String,
    /// Write the initial password to FILE (mode 0600) instead of showing it on the terminal.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub mutating: Mutating,
    #[command(flatten)]
    pub listing: Listing,
}

/// What `onboard` found and did. The password itself is never part of it.
#[derive(Debug, Serialize)]
pub struct Onboard {
    pub user: String,
    pub group: String,
    pub calls: Vec<Action>,
    pub dry_run: bool,
    pub changed: bool,
    /// Whether the login profile was (or would be) created with "password reset required".
    pub password_reset_required: bool,
    /// Why (or why not) a password reset is required at first sign-in.
    pub reset_explanation: String,
    /// Where the initial password was written, if to a file.
    pub password_file: Option<PathBuf>,
    pub sign_in_url: String,
    pub notes: Vec<String>,
}

/// What the account holds that `onboard` decides on, read before anything changes.
#[derive(Debug)]
pub struct Facts {
    /// Whether the user exists.
    pub exists: bool,
    /// The groups the user is in now.
    pub groups: Vec<String>,
    /// Whether the user already has a console password.
    pub has_password: bool,
    /// The account password policy; `None` when the account has none.
    pub password_policy: Option<PasswordPolicy>,
    /// Whether the user may change their password before having MFA (the doctor's verdict on
    /// the user's policies, as they will be).
    pub verdict: Verdict,
    /// The console sign-in URL.
    pub sign_in_url: String,
}

/// Onboards `args.user`; the doctor judges the user's policies: gather, plan, apply.
pub async fn run(admin: &Clients, args: &Args, prompt: &mut dyn Prompt) -> Result<Onboard, Error> {
    let facts = gather(admin, args).await?;
    let (user, group) = (&args.user, &args.group);
    let password =
        (!facts.has_password).then(|| password::generate(facts.password_policy.as_ref()));
    let (actions, notes) = plan(&facts, args, password.as_ref());
    if password.is_some()
        && args.password_file.is_none()
        && !prompt.is_terminal()
        && !args.mutating.dry_run
    {
        return Err(Error::Usage(
            "no terminal to show the initial password on: pass --password-file FILE; nothing was changed".into(),
        ));
    }
    let written = match (&password, &args.password_file) {
        (Some(password), Some(path)) if !args.mutating.dry_run => {
            aws_profiles::write_atomic(path, format!("{}\n", password.expose()).as_bytes())?;
            Some(path.clone())
        }
        _ => None,
    };
    let question = format!("Onboard {user} into {group}?");
    let changed = match plan::apply(admin, prompt, args.mutating, &actions, &question).await {
        Ok(changed) => changed,
        Err(error) => {
            if let Some(path) = &written {
                let _ = std::fs::remove_file(path);
            }
            return Err(error);
        }
    };
    if let (true, Some(password), None) = (changed, &password, &written) {
        prompt.say(&format!(
            "Initial console password for {user} (shown once, not saved): {}",
            password.expose()
        ))?;
    }
    Ok(Onboard {
        user: user.clone(),
        group: group.clone(),
        calls: actions,
        dry_run: args.mutating.dry_run,
        changed,
        password_reset_required: password.is_some() && facts.verdict.allowed,
        reset_explanation: explain(&facts.verdict),
        password_file: written
            .or_else(|| args.password_file.clone().filter(|_| args.mutating.dry_run)),
        sign_in_url: facts.sign_in_url,
        notes,
    })
}

/// Reads what `onboard` decides on; the group must exist.
pub async fn gather(admin: &Clients, args: &Args) -> Result<Facts, Error> {
    let (user, group, page_size) = (&args.user, &args.group, args.listing.page_size);
    let caller = Caller::of(admin).await?;
    lists::group_members(&admin.iam, group, page_size).await?;
    let groups = match lists::groups_for_user(&admin.iam, user, page_size).await {
        Ok(groups) => Some(groups),
        Err(iam::Error::NoSuchUser(_)) => None,
        Err(error) => return Err(error.into()),
    };
    let exists = groups.is_some();
    let groups = groups.unwrap_or_default();
    let has_password = exists && principal::login_profile(admin, user).await? != LoginProfile::None;
    let password_policy = crate::iam::password_policy::current(&admin.iam).await?;
    let allows_change = password_policy
        .as_ref()
        .is_some_and(|policy| policy.allow_users_to_change_password);
    // The user's policies as they will be: in `--group` too.
    let mut future_groups = groups.clone();
    if !future_groups.contains(group) {
        future_groups.push(group.clone());
    }
    let principal = caller.user(user, "/");
    let documents = documents::of_user(
        &admin.iam,
        exists.then_some(user.as_str()),
        &future_groups,
        page_size,
    )
    .await?;
    let verdict = mfa_policy::password_change(&principal, &documents, allows_change)?;
    let sign_in_url = sign_in_url(admin, &caller).await?;
    Ok(Facts {
        exists,
        groups,
        has_password,
        password_policy,
        verdict,
        sign_in_url,
    })
}

/// The calls that onboard the user, in order, and notes for the administrator. Pure: decided
/// on `facts` and the generated `password` (`None` when the user keeps theirs).
pub fn plan(facts: &Facts, args: &Args, password: Option<&Secret>) -> (Vec<Action>, Vec<String>) {
    let user = &args.user;
    let mut actions = Vec::new();
    let mut notes = Vec::new();
    if !facts.exists {
        actions.push(Action::CreateUser { user: user.clone() });
    }
    if !facts.groups.contains(&args.group) {
        actions.push(Action::AddUserToGroup {
            group: args.group.clone(),
            user: user.clone(),
        });
    }
    match password {
        Some(password) => actions.push(Action::CreateLoginProfile {
            user: user.clone(),
            password: password.clone(),
            reset_required: facts.verdict.allowed,
        }),
        None => notes.push(format!(
            "{user} already has a console password; it was left as it is"
        )),
    }
    (actions, notes)
}

fn explain(verdict: &Verdict) -> String {
    if verdict.allowed {
        format!(
            "password reset required at first sign-in: {}",
            verdict.explanation
        )
    } else {
        format!(
            "no password reset required: {}, so a forced reset would lock the user out at first sign-in; \
             they sign in, enrol MFA (`iam-mfa enroll`), sign in again with MFA and then change the password",
            verdict.explanation
        )
    }
}

/// The console sign-in URL: the account alias (`ListAccountAliases`) or the account id.
async fn sign_in_url(admin: &Clients, caller: &Caller) -> Result<String, Error> {
    const OP: &str = "iam:ListAccountAliases";
    let out = admin
        .iam
        .list_account_aliases()
        .send()
        .await
        .map_err(iam::Error::aws(OP))?;
    let who = out
        .account_aliases()
        .first()
        .cloned()
        .unwrap_or_else(|| caller.account.clone());
    Ok(match caller.partition.as_str() {
        "aws-us-gov" => format!("https://{who}.signin.amazonaws-us-gov.com/console"),
        "aws-cn" => format!("https://{who}.signin.amazonaws.cn/console"),
        _ => format!("https://{who}.signin.aws.amazon.com/console"),
    })
}

impl Report for Onboard {
    fn text(&self) -> String {
        let mut text = String::new();
        for note in &self.notes {
            text.push_str(&format!("Note: {note}\n"));
        }
        text.push_str(&plan::describe(&self.calls, self.dry_run, self.changed));
        text.push_str(&format!("{}\n", self.reset_explanation));
        if let Some(path) = &self.password_file {
            text.push_str(&format!("Initial password: {}\n", path.display()));
        }
        text.push_str(&format!("Sign-in URL: {}\n", self.sign_in_url));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            user: "carol".into(),
            group: "Developers".into(),
            password_file: None,
            mutating: Mutating::default(),
            listing: Listing::default(),
        }
    }

    fn facts(exists: bool, groups: &[&str], allowed: bool) -> Facts {
        Facts {
            exists,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            has_password: false,
            password_policy: None,
            verdict: Verdict {
                allowed,
                explanation: "because".into(),
            },
            sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
        }
    }

    #[test]
    fn a_new_user_is_created_added_and_given_a_password_reset_only_when_safe() {
        let password = password::generate(None);
        for allowed in [true, false] {
            let (actions, notes) = plan(&facts(false, &[], allowed), &args(), Some(&password));
            assert_eq!(
                actions,
                [
                    Action::CreateUser {
                        user: "carol".into()
                    },
                    Action::AddUserToGroup {
                        group: "Developers".into(),
                        user: "carol".into(),
                    },
                    Action::CreateLoginProfile {
                        user: "carol".into(),
                        password: password.clone(),
                        reset_required: allowed,
                    },
                ]
            );
            assert!(notes.is_empty());
        }
    }

    #[test]
    fn a_member_with_a_password_keeps_it_and_needs_no_call() {
        let facts = facts(true, &["Other", "Developers"], true);
        let (actions, notes) = plan(&facts, &args(), None);
        assert!(actions.is_empty(), "{actions:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
