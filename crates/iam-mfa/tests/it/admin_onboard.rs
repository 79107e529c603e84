//! `iam-mfa onboard` against moto: user, membership, login profile with a compliant password,
//! reset-required only when the policies allow a password change without MFA; idempotent.
//! (moto ignores PasswordResetRequired, so that flag is read from the planned call.)

use crate::admin_support::{
    FORCE_MFA, Script, admin, admin_sandbox, create_user, file_mode, group_with, members,
};
use crate::common::{Moto, assert_exit, stderr, stdout};
use iam_mfa::args::Listing;
use iam_mfa::commands::admin::Error;
use iam_mfa::commands::admin::onboard::{self, Args};
use iam_mfa::commands::admin::password::{PasswordPolicy, satisfies};
use iam_mfa::commands::admin::plan::Mutating;
use std::path::Path;

const MUTATIONS: [&str; 3] = ["CreateUser", "AddUserToGroup", "CreateLoginProfile"];

fn mutations(moto: &Moto) -> usize {
    MUTATIONS.iter().map(|action| moto.count(action)).sum()
}

fn args(user: &str, group: &str, password_file: Option<&Path>, dry_run: bool) -> Args {
    Args {
        user: user.into(),
        group: group.into(),
        password_file: password_file.map(Path::to_path_buf),
        mutating: Mutating { yes: true, dry_run },
        listing: Listing { page_size: Some(1) },
    }
}

#[tokio::test]
async fn under_force_mfa_the_user_gets_a_compliant_password_without_forced_reset_and_a_rerun_is_a_no_op()
 {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let iam = &admin.iam;
    group_with(iam, "Developers", FORCE_MFA).await;
    iam.update_account_password_policy()
        .minimum_password_length(24)
        .require_symbols(true)
        .require_numbers(true)
        .allow_users_to_change_password(true)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("carol.password");

    let done = onboard::run(
        &admin,
        &args("carol", "Developers", Some(&file), false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(done.changed);
    assert!(!done.password_reset_required);
    assert!(
        done.reset_explanation
            .contains("DenyAllExceptListedIfNoMFA"),
        "{}",
        done.reset_explanation
    );
    assert_eq!(
        done.sign_in_url,
        "https://123456789012.signin.aws.amazon.com/console"
    );
    let login = done
        .calls
        .iter()
        .find(|c| c.api() == "iam:CreateLoginProfile")
        .unwrap();
    assert!(
        login
            .params()
            .contains(&("PasswordResetRequired", "false".into()))
    );

    iam.get_user()
        .user_name("carol")
        .send()
        .await
        .expect("user created");
    assert_eq!(members(iam, "Developers").await, ["carol"]);
    iam.get_login_profile()
        .user_name("carol")
        .send()
        .await
        .expect("console password set");
    assert_eq!(file_mode(&file), 0o600);
    let password = std::fs::read_to_string(&file).unwrap();
    let policy = iam.get_account_password_policy().send().await.unwrap();
    assert!(satisfies(
        password.trim(),
        &PasswordPolicy::from_sdk(policy.password_policy().unwrap())
    ));
    assert!(
        !serde_json::to_string(&done)
            .unwrap()
            .contains(password.trim()),
        "the password never reaches the report"
    );

    let before = mutations(&moto);
    let again = onboard::run(
        &admin,
        &args("carol", "Developers", Some(&file), false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(!again.changed && again.calls.is_empty());
    assert!(
        again
            .notes
            .iter()
            .any(|n| n.contains("already has a console password"))
    );
    assert_eq!(mutations(&moto), before);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        password,
        "the saved password is not replaced"
    );
}

#[tokio::test]
async fn reset_is_required_when_the_policies_allow_a_password_change_without_mfa() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let relaxed = FORCE_MFA.replace(
        r#""sts:GetSessionToken""#,
        r#""sts:GetSessionToken", "iam:ChangePassword", "iam:GetAccountPasswordPolicy""#,
    );
    group_with(&admin.iam, "Onboarding", &relaxed).await;
    create_user(&admin.iam, "dave").await;
    let dir = tempfile::tempdir().unwrap();

    let done = onboard::run(
        &admin,
        &args("dave", "Onboarding", Some(&dir.path().join("p")), false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(done.password_reset_required, "{}", done.reset_explanation);
    assert_eq!(
        done.calls.iter().map(|c| c.api()).collect::<Vec<_>>(),
        ["iam:AddUserToGroup", "iam:CreateLoginProfile"],
        "dave existed"
    );
    assert_eq!(members(&admin.iam, "Onboarding").await, ["dave"]);
}

#[tokio::test]
async fn a_missing_group_no_way_to_hand_over_the_password_or_a_refusal_change_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    group_with(&admin.iam, "Developers", FORCE_MFA).await;

    let missing = onboard::run(
        &admin,
        &args("erin", "Nope", None, false),
        &mut Script::default(),
    )
    .await;
    assert!(
        matches!(missing, Err(Error::Iam(iam_mfa::iam::Error::NoSuchGroup(ref group))) if group == "Nope"),
        "{missing:?}"
    );
    let nowhere = onboard::run(
        &admin,
        &args("erin", "Developers", None, false),
        &mut Script::default(),
    )
    .await;
    assert!(
        matches!(&nowhere, Err(Error::Usage(text)) if text.contains("--password-file")),
        "{nowhere:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("erin.password");
    let mut asked = args("erin", "Developers", Some(&file), false);
    asked.mutating.yes = false;
    let refused = onboard::run(&admin, &asked, &mut Script::answering(&["n"])).await;
    assert!(matches!(
        refused,
        Err(Error::Prompt(iam_mfa::ui::prompt::Error::Refused))
    ));
    assert!(
        !file.exists(),
        "the password file of a refused onboarding is removed"
    );
    assert_eq!(mutations(&moto), 0);
    assert!(admin.iam.get_user().user_name("erin").send().await.is_err());
}

#[tokio::test]
async fn cli_dry_run_shows_no_password_and_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    group_with(&admin.iam, "Developers", FORCE_MFA).await;
    let sandbox = admin_sandbox(&moto);
    let file = sandbox.home().join("frank.password");

    let output = sandbox.run(&[
        "onboard",
        "frank",
        "--group",
        "Developers",
        "--password-file",
        file.to_str().unwrap(),
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["calls"][0]["api"], "iam:CreateUser");
    assert_eq!(json["calls"][2]["params"]["Password"], "<generated>");
    assert_eq!(json["password_reset_required"], false);
    assert!(!file.exists());
    assert_eq!(mutations(&moto), 0);

    let done = sandbox.run(&[
        "onboard",
        "frank",
        "--group",
        "Developers",
        "--password-file",
        file.to_str().unwrap(),
        "--yes",
    ]);
    assert_exit(&done, 0);
    let password = std::fs::read_to_string(&file).unwrap();
    assert!(!stdout(&done).contains(password.trim()) && !stderr(&done).contains(password.trim()));
    assert!(
        stdout(&done).contains("Sign-in URL: https://123456789012.signin.aws.amazon.com/console")
    );
    admin
        .iam
        .get_login_profile()
        .user_name("frank")
        .send()
        .await
        .expect("console password set");
}

#[tokio::test]
async fn cli_names_aws_would_refuse_fail_before_any_call() {
    let moto = Moto::start();
    let sandbox = admin_sandbox(&moto);
    let before = moto.actions().len();
    for args in [
        &["onboard", "a b", "--group", "Developers", "--yes"][..],
        &["onboard", "carol", "--group", "Dev\nelopers", "--yes"],
        &["onboard", &"x".repeat(65), "--group", "Developers", "--yes"],
        &[
            "enforce",
            "--group",
            "Developers",
            "--users",
            "bob smith",
            "--yes",
        ],
        &[
            "reset",
            "alice",
            "--serial",
            "arn:aws:iam::123456789012:mfa/a\nb",
            "--yes",
        ],
        &["enroll", "--user", "dave", "--device-name", "dave phone"],
    ] {
        let output = sandbox.run(args);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("is not a valid"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(moto.actions().len(), before, "no AWS call");
}
