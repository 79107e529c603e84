//! Helpers shared by the admin integration tests (on top of `common`, the moto harness):
//! admin clients, a scripted [`Prompt`], IAM state read back through the SDK, and a sandbox
//! whose default profile signs as moto's admin.

use crate::common::{Moto, Sandbox};
use aws_sdk_iam::types::AssignmentStatusType;
use iam_mfa::iam::client::Clients;
use iam_mfa::ui::prompt::Error;
use iam_mfa::ui::prompt::Prompt;
use std::collections::VecDeque;

/// Clients clients against `moto` (its default account's admin).
pub async fn admin(moto: &Moto) -> Clients {
    Clients::new(&moto.sdk_config(None).await)
}

/// A sandbox whose default profile has moto-admin keys.
pub fn admin_sandbox(moto: &Moto) -> Sandbox {
    let sandbox = Sandbox::new(moto);
    sandbox.write_credentials(
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    sandbox
}

/// Creates an IAM user.
pub async fn create_user(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("CreateUser");
}

/// Serials of `user`'s devices, read through the SDK.
pub async fn user_serials(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = iam
        .list_mfa_devices()
        .user_name(user)
        .send()
        .await
        .expect("ListMFADevices");
    out.mfa_devices()
        .iter()
        .map(|d| d.serial_number().to_owned())
        .collect()
}

/// Serials of the virtual devices with `status`, read through the SDK (all pages).
pub async fn virtual_serials(
    iam: &aws_sdk_iam::Client,
    status: AssignmentStatusType,
) -> Vec<String> {
    let mut serials = Vec::new();
    let mut marker = None;
    loop {
        let out = iam
            .list_virtual_mfa_devices()
            .assignment_status(status.clone())
            .set_marker(marker)
            .send()
            .await
            .expect("ListVirtualMFADevices");
        serials.extend(
            out.virtual_mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_owned()),
        );
        if !out.is_truncated() {
            return serials;
        }
        marker = out.marker().map(str::to_owned);
    }
}

/// A prompt that gives scripted answers and records what it was told and asked.
#[derive(Default)]
pub struct Script {
    answers: VecDeque<Option<String>>,
    pub said: Vec<String>,
    pub asked: Vec<String>,
}

impl Script {
    /// A prompt answering `answers` in order, then "no answer".
    pub fn answering(answers: &[&str]) -> Script {
        Script {
            answers: answers.iter().map(|a| Some((*a).to_owned())).collect(),
            ..Script::default()
        }
    }
}

impl Prompt for Script {
    fn say(&mut self, message: &str) -> Result<(), Error> {
        self.said.push(message.to_owned());
        Ok(())
    }

    fn ask(&mut self, question: &str) -> Result<Option<String>, Error> {
        self.asked.push(question.to_owned());
        Ok(self.answers.pop_front().flatten())
    }

    fn is_terminal(&self) -> bool {
        false
    }

    fn can_confirm(&self) -> bool {
        true
    }
}

/// The AWS example force-MFA policy (`reference_policies_examples_aws_my-sec-creds-self-manage`).
pub const FORCE_MFA: &str = include_str!("force_mfa.json");

/// A policy like PowerUserAccess (AWS-managed policies are absent from moto by default).
pub const POWER_USER: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}"#;

/// Creates customer-managed policy `name` with `document`; returns its ARN.
pub async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, document: &str) -> String {
    let out = iam
        .create_policy()
        .policy_name(name)
        .policy_document(document)
        .send()
        .await
        .expect("CreatePolicy");
    out.policy()
        .and_then(|p| p.arn())
        .expect("policy ARN")
        .to_owned()
}

/// The default version's document of managed policy `arn`, parsed.
pub async fn default_document(iam: &aws_sdk_iam::Client, arn: &str) -> serde_json::Value {
    let policy = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .expect("GetPolicy");
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .expect("default version")
        .to_owned();
    let out = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .expect("GetPolicyVersion");
    let text = iam_mfa::iam::documents::decode(
        out.policy_version()
            .and_then(|v| v.document())
            .expect("document"),
    );
    serde_json::from_str(&text).expect("JSON document")
}

/// Names of the members of `group`, read through the SDK.
pub async fn members(iam: &aws_sdk_iam::Client, group: &str) -> Vec<String> {
    let out = iam
        .get_group()
        .group_name(group)
        .send()
        .await
        .expect("GetGroup");
    let mut names: Vec<String> = out
        .users()
        .iter()
        .map(|u| u.user_name().to_owned())
        .collect();
    names.sort();
    names
}

/// ARNs of the managed policies attached to `group`, read through the SDK.
pub async fn attached(iam: &aws_sdk_iam::Client, group: &str) -> Vec<String> {
    let out = iam
        .list_attached_group_policies()
        .group_name(group)
        .send()
        .await
        .expect("ListAttachedGroupPolicies");
    let mut arns: Vec<String> = out
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect();
    arns.sort();
    arns
}

/// Runs `iam-mfa ARGS…` in `sandbox` with `input` on its standard input.
pub fn run_with_input(sandbox: &Sandbox, args: &[&str], input: &str) -> std::process::Output {
    let mut command = sandbox.iam_mfa();
    command.args(args);
    crate::common::with_stdin(command, input.as_bytes())
}

/// Group `name` with `document` attached as customer-managed policy `NAME-policy`.
pub async fn group_with(iam: &aws_sdk_iam::Client, name: &str, document: &str) {
    let arn = create_policy(iam, &format!("{name}-policy"), document).await;
    iam.create_group()
        .group_name(name)
        .send()
        .await
        .expect("CreateGroup");
    iam.attach_group_policy()
        .group_name(name)
        .policy_arn(arn)
        .send()
        .await
        .expect("AttachGroupPolicy");
}

/// Permission bits of `path`.
pub fn file_mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Two consecutive codes (RFC 6238) of the seed in `secret_file`: the current one and the next.
pub fn codes_from(secret_file: &std::path::Path) -> (String, String) {
    let text = std::fs::read_to_string(secret_file).expect("read seed file");
    let seed = iam_mfa::commands::admin::totp::Seed::from_base32(&text).expect("base32 seed");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    (seed.code_at(now), seed.code_at(now + 30))
}
