//! The mutating IAM calls the admin commands make, as data: a command first decides the exact
//! list of calls (its plan), then prints it (`--dry-run`), asks, and runs it in order.

use super::error::Error;
use super::password::{PasswordPolicy, Secret};
use crate::iam;
use crate::iam::client::Clients;
use crate::ui::prompt::{Prompt, confirm};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use std::fmt;

/// `--yes` and `--dry-run`, for the commands that change IAM.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct Mutating {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the exact API calls that would be made, and make none.
    #[arg(long)]
    pub dry_run: bool,
}

/// One mutating IAM call with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `iam:DeactivateMFADevice`.
    DeactivateMfaDevice { user: String, serial: String },
    /// `iam:DeleteVirtualMFADevice`.
    DeleteVirtualMfaDevice { serial: String },
    /// `iam:CreatePolicy`.
    CreatePolicy { name: String, document: String },
    /// `iam:CreatePolicyVersion` with `SetAsDefault`.
    CreatePolicyVersion {
        policy_arn: String,
        document: String,
    },
    /// `iam:DeletePolicyVersion`.
    DeletePolicyVersion {
        policy_arn: String,
        version_id: String,
    },
    /// `iam:CreateGroup`.
    CreateGroup { group: String },
    /// `iam:AttachGroupPolicy`.
    AttachGroupPolicy { group: String, policy_arn: String },
    /// `iam:AddUserToGroup`.
    AddUserToGroup { group: String, user: String },
    /// `iam:UpdateAccountPasswordPolicy` with every setting spelled out (omitted ones reset).
    UpdateAccountPasswordPolicy(PasswordPolicy),
    /// `iam:CreateUser`.
    CreateUser { user: String },
    /// `iam:CreateLoginProfile`; the password is never shown.
    CreateLoginProfile {
        user: String,
        password: Secret,
        reset_required: bool,
    },
}

impl Action {
    /// The API name, `service:Operation`.
    pub fn api(&self) -> &'static str {
        match self {
            Action::DeactivateMfaDevice { .. } => "iam:DeactivateMFADevice",
            Action::DeleteVirtualMfaDevice { .. } => "iam:DeleteVirtualMFADevice",
            Action::CreatePolicy { .. } => "iam:CreatePolicy",
            Action::CreatePolicyVersion { .. } => "iam:CreatePolicyVersion",
            Action::DeletePolicyVersion { .. } => "iam:DeletePolicyVersion",
            Action::CreateGroup { .. } => "iam:CreateGroup",
            Action::AttachGroupPolicy { .. } => "iam:AttachGroupPolicy",
            Action::AddUserToGroup { .. } => "iam:AddUserToGroup",
            Action::UpdateAccountPasswordPolicy(_) => "iam:UpdateAccountPasswordPolicy",
            Action::CreateUser { .. } => "iam:CreateUser",
            Action::CreateLoginProfile { .. } => "iam:CreateLoginProfile",
        }
    }

    /// The request parameters, named as in the API reference, secrets replaced by a placeholder.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Action::DeactivateMfaDevice { user, serial } => {
                vec![("UserName", user.clone()), ("SerialNumber", serial.clone())]
            }
            Action::DeleteVirtualMfaDevice { serial } => vec![("SerialNumber", serial.clone())],
            Action::CreatePolicy { name, document } => {
                vec![
                    ("PolicyName", name.clone()),
                    ("PolicyDocument", document.clone()),
                ]
            }
            Action::CreatePolicyVersion {
                policy_arn,
                document,
            } => vec![
                ("PolicyArn", policy_arn.clone()),
                ("PolicyDocument", document.clone()),
                ("SetAsDefault", "true".into()),
            ],
            Action::DeletePolicyVersion {
                policy_arn,
                version_id,
            } => {
                vec![
                    ("PolicyArn", policy_arn.clone()),
                    ("VersionId", version_id.clone()),
                ]
            }
            Action::CreateGroup { group } => vec![("GroupName", group.clone())],
            Action::AttachGroupPolicy { group, policy_arn } => {
                vec![
                    ("GroupName", group.clone()),
                    ("PolicyArn", policy_arn.clone()),
                ]
            }
            Action::AddUserToGroup { group, user } => {
                vec![("GroupName", group.clone()), ("UserName", user.clone())]
            }
            Action::UpdateAccountPasswordPolicy(policy) => policy.params(),
            Action::CreateUser { user } => vec![("UserName", user.clone())],
            Action::CreateLoginProfile {
                user,
                reset_required,
                ..
            } => vec![
                ("UserName", user.clone()),
                ("Password", "<generated>".into()),
                ("PasswordResetRequired", reset_required.to_string()),
            ],
        }
    }

    /// Makes the call.
    pub async fn execute(&self, iam: &aws_sdk_iam::Client) -> Result<(), Error> {
        let api = self.api();
        match self {
            Action::DeactivateMfaDevice { user, serial } => {
                iam.deactivate_mfa_device()
                    .user_name(user)
                    .serial_number(serial)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::DeleteVirtualMfaDevice { serial } => {
                iam.delete_virtual_mfa_device()
                    .serial_number(serial)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::CreatePolicy { name, document } => {
                iam.create_policy()
                    .policy_name(name)
                    .policy_document(document)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::CreatePolicyVersion {
                policy_arn,
                document,
            } => {
                iam.create_policy_version()
                    .policy_arn(policy_arn)
                    .policy_document(document)
                    .set_as_default(true)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::DeletePolicyVersion {
                policy_arn,
                version_id,
            } => {
                iam.delete_policy_version()
                    .policy_arn(policy_arn)
                    .version_id(version_id)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::CreateGroup { group } => {
                iam.create_group()
                    .group_name(group)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::AttachGroupPolicy { group, policy_arn } => {
                iam.attach_group_policy()
                    .group_name(group)
                    .policy_arn(policy_arn)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::AddUserToGroup { group, user } => {
                iam.add_user_to_group()
                    .group_name(group)
                    .user_name(user)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::UpdateAccountPasswordPolicy(policy) => {
                policy
                    .request(iam.update_account_password_policy())
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::CreateUser { user } => {
                iam.create_user()
                    .user_name(user)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
            Action::CreateLoginProfile {
                user,
                password,
                reset_required,
            } => {
                iam.create_login_profile()
                    .user_name(user)
                    .password(password.expose())
                    .password_reset_required(*reset_required)
                    .send()
                    .await
                    .map_err(iam::Error::aws(api))?;
            }
        }
        Ok(())
    }
}

/// A call described by name and parameters, for display: `iam:Operation Name=value …` in text,
/// `{"api": "iam:Operation", "params": {"Name": "value", …}}` in JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub api: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api)?;
        for (name, value) in &self.params {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Params<'a>(&'a [(&'static str, String)]);
        impl Serialize for Params<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, value) in self.0 {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
        let mut call = serializer.serialize_struct("Call", 2)?;
        call.serialize_field("api", self.api)?;
        call.serialize_field("params", &Params(&self.params))?;
        call.end()
    }
}

impl Action {
    /// This action as a [`Call`].
    pub fn call(&self) -> Call {
        Call {
            api: self.api(),
            params: self.params(),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.call().fmt(f)
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.call().serialize(serializer)
    }
}

/// Runs `actions` in order, stopping at the first failure, and returns how many ran.
pub async fn execute_all(iam: &aws_sdk_iam::Client, actions: &[Action]) -> Result<usize, Error> {
    for (done, action) in actions.iter().enumerate() {
        tracing::debug!(api = action.api(), "calling");
        action
            .execute(iam)
            .await
            .map_err(|error| partial(error, done))?;
    }
    Ok(actions.len())
}

/// Runs `actions` unless there are none or `--dry-run`, after showing them and asking
/// `question` unless `--yes`. Returns whether anything ran.
pub async fn apply(
    admin: &Clients,
    prompt: &mut dyn Prompt,
    flags: Mutating,
    actions: &[Action],
    question: &str,
) -> Result<bool, Error> {
    if actions.is_empty() || flags.dry_run {
        return Ok(false);
    }
    if !flags.yes {
        let listing: Vec<String> = actions.iter().map(|action| format!("  {action}")).collect();
        prompt.say(&format!(
            "These calls will be made:\n{}",
            listing.join("\n")
        ))?;
        confirm(prompt, question)?;
    }
    execute_all(&admin.iam, actions).await?;
    Ok(true)
}

/// Text listing of `actions` for reports: what was done, or what would be with `--dry-run`.
pub fn describe<A: fmt::Display>(actions: &[A], dry_run: bool, changed: bool) -> String {
    if actions.is_empty() {
        return "Nothing to change.\n".into();
    }
    let heading = if dry_run {
        "Dry run: these calls would be made (none was):"
    } else if changed {
        "Calls made:"
    } else {
        "Calls planned but not made:"
    };
    let mut text = format!("{heading}\n");
    for action in actions {
        text.push_str(&format!("  {action}\n"));
    }
    text
}

/// Notes how many calls succeeded before `error`, so the administrator knows what changed.
fn partial(error: Error, done: usize) -> Error {
    match error {
        Error::Iam(iam::Error::Aws(mut error)) if done > 0 => {
            error.detail = format!("{}; after {done} successful call(s)", error.detail);
            Error::Iam(iam::Error::Aws(error))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_json_name_the_exact_call() {
        let action = Action::DeactivateMfaDevice {
            user: "alice".into(),
            serial: "arn:aws:iam::1:mfa/alice".into(),
        };
        assert_eq!(
            action.to_string(),
            "iam:DeactivateMFADevice UserName=alice SerialNumber=arn:aws:iam::1:mfa/alice"
        );
        let json = serde_json::to_value(&action).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"api": "iam:DeactivateMFADevice",
                "params": {"UserName": "alice", "SerialNumber": "arn:aws:iam::1:mfa/alice"}})
        );
    }

    #[test]
    fn the_login_password_is_never_shown() {
        let action = Action::CreateLoginProfile {
            user: "bob".into(),
            password: Secret::new("Sup3r-secret!".into()),
            reset_required: false,
        };
        let text = format!(
            "{action} {action:?} {}",
            serde_json::to_string(&action).unwrap()
        );
        assert!(!text.contains("Sup3r-secret!"), "{text}");
        assert!(text.contains("Password=<generated>"));
    }
}
