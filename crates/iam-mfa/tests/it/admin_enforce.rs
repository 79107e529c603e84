//! `iam-mfa enforce` against moto: policy, versions, group, attachments, members, password
//! policy; idempotent; dry run and refusals change nothing.

use crate::admin_support::{
    FORCE_MFA, POWER_USER, Script, admin, admin_sandbox, attached, create_policy, create_user,
    default_document, members, run_with_input,
};
use crate::common::{Moto, assert_exit, stderr, stdout};
use iam_mfa::args::Listing;
use iam_mfa::commands::admin::Error;
use iam_mfa::commands::admin::enforce::{self, Args};
use iam_mfa::commands::admin::plan::Mutating;
use mfa_doctor::{FindingId, Intent};
use std::path::PathBuf;

const ARN: &str = "arn:aws:iam::123456789012:policy/Force_MFA";
/// Every mutating call enforce can make.
const MUTATIONS: [&str; 7] = [
    "CreatePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "CreateGroup",
    "AttachGroupPolicy",
    "AddUserToGroup",
    "UpdateAccountPasswordPolicy",
];

fn mutations(moto: &Moto) -> usize {
    MUTATIONS.iter().map(|action| moto.count(action)).sum()
}

fn args(attach: &[&str], users: &[&str], yes: bool, dry_run: bool) -> Args {
    Args {
        group: "Developers".into(),
        policy_file: Some(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/admin_support/force_mfa.json"
        ))),
        intent: Intent::default(),
        policy_name: "Force_MFA".into(),
        attach: attach.iter().map(|s| (*s).to_owned()).collect(),
        users: users.iter().map(|s| (*s).to_owned()).collect(),
        all_users: false,
        mutating: Mutating { yes, dry_run },
        listing: Listing { page_size: Some(1) },
    }
}

#[tokio::test]
async fn enforce_sets_everything_up_keeps_password_settings_and_a_second_run_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let iam = &admin.iam;
    create_user(iam, "alice").await;
    create_user(iam, "bob").await;
    let power = create_policy(iam, "PowerUser", POWER_USER).await;
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .max_password_age(90)
        .password_reuse_prevention(5)
        .send()
        .await
        .unwrap();

    let args = args(&[&power], &["alice", "bob"], true, false);
    let first = enforce::run(&admin, &args, &mut Script::default())
        .await
        .unwrap();
    assert!(first.changed);
    // The AWS example policy installed here denies iam:ChangePassword without MFA: the
    // doctor says so, though the password policy now lets users change their password.
    let ids: Vec<FindingId> = first.check.findings.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [
            FindingId::PasswordChangeDenied,
            FindingId::PasswordPolicyUnreadable
        ],
        "{:#?}",
        first.check
    );
    assert_eq!(
        default_document(iam, ARN).await,
        serde_json::from_str::<serde_json::Value>(FORCE_MFA).unwrap()
    );
    let mut expected = vec![ARN.to_owned(), power.clone()];
    expected.sort();
    assert_eq!(attached(iam, "Developers").await, expected);
    assert_eq!(members(iam, "Developers").await, ["alice", "bob"]);
    let policy = iam.get_account_password_policy().send().await.unwrap();
    let policy = policy.password_policy().unwrap();
    assert!(policy.allow_users_to_change_password());
    assert_eq!(policy.minimum_password_length(), Some(14));
    assert!(policy.require_symbols());
    assert_eq!(policy.max_password_age(), Some(90));
    assert_eq!(policy.password_reuse_prevention(), Some(5));

    let before = mutations(&moto);
    let pages = moto.count("ListAttachedGroupPolicies");
    let second = enforce::run(&admin, &args, &mut Script::default())
        .await
        .unwrap();
    assert!(
        !second.changed && second.calls.is_empty(),
        "{:?}",
        second.calls
    );
    assert_eq!(mutations(&moto), before);
    assert!(
        moto.count("ListAttachedGroupPolicies") - pages >= 2,
        "two attachments at one per page"
    );
}

#[tokio::test]
async fn a_changed_document_becomes_a_new_default_version_within_the_limit_of_five() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let iam = &admin.iam;
    create_policy(iam, "Force_MFA", POWER_USER).await;
    for n in 2..=5 {
        let document = POWER_USER.replace("organizations:*", &format!("account:v{n}"));
        iam.create_policy_version()
            .policy_arn(ARN)
            .policy_document(document)
            .set_as_default(true)
            .send()
            .await
            .unwrap();
    }

    let done = enforce::run(&admin, &args(&[], &[], true, false), &mut Script::default())
        .await
        .unwrap();
    assert!(done.changed);
    let versions = iam
        .list_policy_versions()
        .policy_arn(ARN)
        .send()
        .await
        .unwrap();
    let mut ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["v2", "v3", "v4", "v5", "v6"],
        "the oldest non-default version made room"
    );
    assert_eq!(
        default_document(iam, ARN).await,
        serde_json::from_str::<serde_json::Value>(FORCE_MFA).unwrap()
    );
}

#[tokio::test]
async fn missing_users_or_policies_and_refusals_change_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;

    let missing = enforce::run(
        &admin,
        &args(&[], &["alice", "ghost"], true, false),
        &mut Script::default(),
    )
    .await;
    assert!(
        matches!(missing, Err(Error::Iam(iam_mfa::iam::Error::NoSuchUser(ref user))) if user == "ghost"),
        "{missing:?}"
    );
    let no_policy = enforce::run(
        &admin,
        &args(&["PowerUserAccess"], &[], true, false),
        &mut Script::default(),
    )
    .await;
    assert!(
        matches!(&no_policy, Err(Error::Usage(text)) if text.contains("PowerUserAccess does not exist")),
        "{no_policy:?}"
    );
    let refused = enforce::run(
        &admin,
        &args(&[], &["alice"], false, false),
        &mut Script::answering(&["no"]),
    )
    .await;
    assert!(matches!(
        refused,
        Err(Error::Prompt(iam_mfa::ui::prompt::Error::Refused))
    ));
    assert_eq!(mutations(&moto), 0);
    assert!(
        admin
            .iam
            .get_group()
            .group_name("Developers")
            .send()
            .await
            .is_err(),
        "no group was created"
    );
}

#[tokio::test]
async fn cli_dry_run_prints_the_calls_and_makes_none() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let sandbox = admin_sandbox(&moto);
    let policy_file = sandbox.home().join("force.json");
    std::fs::write(&policy_file, FORCE_MFA).unwrap();
    let file = policy_file.to_str().unwrap();

    let output = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--policy-file",
        file,
        "--users",
        "alice",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let apis: Vec<&str> = json["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["api"].as_str().unwrap())
        .collect();
    assert_eq!(
        apis,
        [
            "iam:CreatePolicy",
            "iam:CreateGroup",
            "iam:AttachGroupPolicy",
            "iam:AddUserToGroup",
            "iam:UpdateAccountPasswordPolicy"
        ]
    );
    assert_eq!(
        json["calls"][4]["params"]["AllowUsersToChangePassword"],
        "true"
    );
    assert_eq!(json["calls"][4]["params"]["MinimumPasswordLength"], "8");
    assert_eq!(mutations(&moto), 0);

    let applied = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--policy-file",
        file,
        "--users",
        "alice",
        "--yes",
    ]);
    assert_exit(&applied, 0);
    assert!(
        stdout(&applied).contains("password-change-denied"),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    assert_eq!(members(&admin.iam, "Developers").await, ["alice"]);

    create_user(&admin.iam, "bob").await;
    let everyone = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--policy-file",
        file,
        "--all-users",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_exit(&everyone, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&everyone)).unwrap();
    assert_eq!(
        json["calls"],
        serde_json::json!([{"api": "iam:AddUserToGroup", "params": {"GroupName": "Developers", "UserName": "bob"}}])
    );

    std::fs::write(&policy_file, "{ not json").unwrap();
    let bad = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--policy-file",
        file,
        "--yes",
    ]);
    assert_exit(&bad, 2);
}

#[tokio::test]
async fn without_a_policy_file_the_generated_policy_is_installed_and_passes_the_check() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let sandbox = admin_sandbox(&moto);
    let generated = sandbox.run(&["policy", "generate", "--no-cli-sessions"]);
    assert_exit(&generated, 0);
    let output = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--users",
        "alice",
        "--no-cli-sessions",
        "--yes",
        "--output",
        "json",
    ]);
    assert_exit(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["check"]["findings"], serde_json::json!([]));
    assert_eq!(
        report["check"]["principal"],
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(
        default_document(&admin.iam, ARN).await,
        serde_json::from_str::<serde_json::Value>(&stdout(&generated)).unwrap()
    );
    let again = sandbox.run(&[
        "enforce",
        "--group",
        "Developers",
        "--no-cli-sessions",
        "--yes",
    ]);
    assert_exit(&again, 0);
    assert!(stdout(&again).contains("No findings"), "{}", stdout(&again));
}

#[tokio::test]
async fn cli_a_yes_on_standard_input_does_not_confirm() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let sandbox = admin_sandbox(&moto);
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/admin_support/force_mfa.json"
    );
    let args = [
        "enforce",
        "--group",
        "Developers",
        "--policy-file",
        policy,
        "--users",
        "alice",
    ];
    let piped = run_with_input(&sandbox, &args, "y\n");
    assert_exit(&piped, 2);
    assert!(
        stderr(&piped).contains("needs a terminal"),
        "{}",
        stderr(&piped)
    );
    assert_eq!(mutations(&moto), 0);
}
