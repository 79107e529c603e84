//! The account the audit tests run against, seeded through the SDK into moto: one user per
//! finding (and compliant ones), with the finding ids each must get.

use std::collections::BTreeMap;

use crate::common::{Moto, create_virtual, enable_virtual};
use iam_mfa::commands::audit::Args;
use iam_mfa::commands::audit::key_hygiene::KeyLimits;
use iam_mfa::commands::audit::report::AuditReport;
use mfa_doctor::{self as doctor, Intent};

/// The work policy every group has: what users do once signed in.
pub const WORK: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"}]}"#;
/// Lets its holder call `sts:AssumeRole` on any role.
pub const ASSUME_ANY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#;
/// AWS's example force-MFA policy (its Deny covers `iam:ChangePassword`).
pub const AWS_EXAMPLE: &str = include_str!("../admin_support/force_mfa.json");

/// The force-MFA policy `iam-mfa policy generate` writes.
pub fn force_mfa() -> String {
    doctor::force_mfa_policy(&doctor::Options::default()).to_string()
}

/// The same with `Bool` instead of `BoolIfExists`: long-term keys get through.
pub fn bool_force_mfa() -> String {
    force_mfa().replace("BoolIfExists", "Bool")
}

/// `audit` with default flags.
pub fn args() -> Args {
    Args {
        fail_on: None,
        intent: Intent::default(),
        keys: KeyLimits::default(),
        page_size: None,
    }
}

/// Each user's finding ids, in report order (most severe first, then in id order).
pub fn ids(report: &AuditReport) -> BTreeMap<String, Vec<String>> {
    report
        .users
        .iter()
        .map(|u| {
            (
                u.user.clone(),
                u.findings
                    .iter()
                    .map(|f| f.id.as_str().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// The requests one audit of the seeded account makes, by action (the account's roles add
/// none: they come with `GetAccountAuthorizationDetails`).
pub fn expected_requests(login_profiles: usize) -> BTreeMap<String, usize> {
    let mut expected: BTreeMap<String, usize> = [
        // moto answers STARTED first, then COMPLETE.
        ("GenerateCredentialReport", 2),
        ("GetCredentialReport", 1),
        ("GetAccountAuthorizationDetails", 1),
        ("ListVirtualMFADevices", 1),
        ("GetAccountSummary", 1),
        ("GetAccountPasswordPolicy", 1),
    ]
    .into_iter()
    .map(|(a, n)| (a.to_owned(), n))
    .collect();
    if login_profiles > 0 {
        expected.insert("GetLoginProfile".to_owned(), login_profiles);
    }
    expected
}

/// The requests moto received after the first `skip`, by action.
pub fn requests_since(moto: &Moto, skip: usize) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for action in moto.actions().into_iter().skip(skip) {
        *out.entry(action).or_insert(0) += 1;
    }
    out
}

/// Creates customer-managed policy `name`; returns its ARN.
pub async fn policy(iam: &aws_sdk_iam::Client, name: &str, document: &str) -> String {
    iam.create_policy()
        .policy_name(name)
        .policy_document(document)
        .send()
        .await
        .expect("CreatePolicy")
        .policy()
        .and_then(|p| p.arn())
        .expect("policy ARN")
        .to_owned()
}

/// Creates group `name` with the managed policies `policies` (ARNs) attached.
pub async fn group(iam: &aws_sdk_iam::Client, name: &str, policies: &[&str]) {
    iam.create_group()
        .group_name(name)
        .send()
        .await
        .expect("CreateGroup");
    for arn in policies {
        iam.attach_group_policy()
            .group_name(name)
            .policy_arn(*arn)
            .send()
            .await
            .expect("AttachGroupPolicy");
    }
}

/// What a seeded user has.
#[derive(Clone, Copy, Default)]
pub struct Spec<'a> {
    pub group: Option<&'a str>,
    pub password: bool,
    pub key: bool,
    pub mfa: bool,
    /// A managed policy (ARN) attached to the user itself.
    pub attached: Option<&'a str>,
}

/// Creates user `name` as `spec` says.
pub async fn user(iam: &aws_sdk_iam::Client, name: &str, spec: Spec<'_>) {
    iam.create_user()
        .user_name(name)
        .send()
        .await
        .expect("CreateUser");
    if let Some(group) = spec.group {
        iam.add_user_to_group()
            .user_name(name)
            .group_name(group)
            .send()
            .await
            .expect("AddUserToGroup");
    }
    if let Some(arn) = spec.attached {
        iam.attach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await
            .expect("AttachUserPolicy");
    }
    if spec.password {
        iam.create_login_profile()
            .user_name(name)
            .password("Initial-Passw0rd!")
            .password_reset_required(true)
            .send()
            .await
            .expect("CreateLoginProfile");
    }
    if spec.key {
        iam.create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey");
    }
    if spec.mfa {
        enable_virtual(iam, name, name).await;
    }
}

/// The group of compliant users.
pub const ENFORCED: &str = "Enforced";

/// Seeds the standard account: groups `Enforced` (generated force-MFA policy), `Legacy` (AWS's
/// example policy) and `BoolMFA` (a `Bool` Deny), each with the work policy; one user per case;
/// an orphaned virtual device. Returns each user's expected finding ids.
pub async fn seed(iam: &aws_sdk_iam::Client) -> BTreeMap<String, Vec<String>> {
    let work = policy(iam, "Work", WORK).await;
    let force = policy(iam, "ForceMFA", &force_mfa()).await;
    let example = policy(iam, "AwsExampleForceMFA", AWS_EXAMPLE).await;
    let boolean = policy(iam, "BoolForceMFA", &bool_force_mfa()).await;
    group(iam, ENFORCED, &[&force, &work]).await;
    group(iam, "Legacy", &[&example, &work]).await;
    group(iam, "BoolMFA", &[&boolean, &work]).await;
    let enforced = Some(ENFORCED);
    let cases: [(&str, Spec<'_>, &[&str]); 7] = [
        // Console user with MFA under the generated policy: compliant.
        (
            "alice",
            Spec {
                group: enforced,
                password: true,
                mfa: true,
                ..Spec::default()
            },
            &[],
        ),
        // Access-key user with MFA under the generated policy: compliant.
        (
            "bob",
            Spec {
                group: enforced,
                key: true,
                mfa: true,
                ..Spec::default()
            },
            &[],
        ),
        // Console user without MFA (the policy still lets them enrol and change the password).
        (
            "carol",
            Spec {
                group: enforced,
                password: true,
                ..Spec::default()
            },
            &["console-user-without-mfa"],
        ),
        // Access-key user outside the enforcement group.
        (
            "ci-bot",
            Spec {
                key: true,
                attached: Some(&work),
                ..Spec::default()
            },
            &[
                "mfa-not-enforced",
                "mfa-enrolment-blocked",
                "access-keys-without-mfa",
            ],
        ),
        // Access-key user under a Bool policy: the keys need no MFA.
        (
            "dave",
            Spec {
                group: Some("BoolMFA"),
                key: true,
                mfa: true,
                ..Spec::default()
            },
            &["mfa-not-enforced", "mfa-condition-bool"],
        ),
        // New console user under AWS's example policy: cannot change the password before MFA.
        (
            "erin",
            Spec {
                group: Some("Legacy"),
                password: true,
                ..Spec::default()
            },
            &[
                "password-change-denied",
                "console-user-without-mfa",
                "password-policy-unreadable",
            ],
        ),
        // No credentials at all: nothing can be done as this user.
        ("frank", Spec::default(), &[]),
    ];
    let mut expected = BTreeMap::new();
    for (name, spec, ids) in cases {
        user(iam, name, spec).await;
        expected.insert(
            name.to_owned(),
            ids.iter().map(|s| (*s).to_owned()).collect(),
        );
    }
    create_virtual(iam, "abandoned").await;
    expected
}
