//! `iam-mfa policy check --user/--group` against moto: the user's inline, attached and group
//! policies are fetched through the SDK, with its login profile and the account password
//! policy, and decided like files.

use crate::admin_support::{FORCE_MFA, POWER_USER, admin_sandbox, create_policy};
use crate::common::{Moto, assert_exit, json, stderr};

/// Force-MFA (AWS's example, attached) and a PowerUser-like inline policy on group
/// `Developers`; `alice` (path `/division/`, console password) and `bob` (no password) in it.
async fn seed(moto: &Moto) {
    let iam = moto.iam().await;
    let force = create_policy(&iam, "Force_MFA", FORCE_MFA).await;
    iam.create_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("Developers")
        .policy_arn(&force)
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("Developers")
        .policy_name("PowerUser")
        .policy_document(POWER_USER)
        .send()
        .await
        .unwrap();
    for (user, path) in [("alice", "/division/"), ("bob", "/")] {
        iam.create_user()
            .user_name(user)
            .path(path)
            .send()
            .await
            .unwrap();
        iam.add_user_to_group()
            .group_name("Developers")
            .user_name(user)
            .send()
            .await
            .unwrap();
    }
    iam.create_login_profile()
        .user_name("alice")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
}

fn findings(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_group_policies_are_checked_with_its_login_profile() {
    let moto = Moto::start();
    seed(&moto).await;
    let sandbox = admin_sandbox(&moto);
    let out = sandbox.run(&["policy", "check", "--user", "alice", "--output", "json"]);
    assert_exit(&out, 6);
    let report = json(&out);
    assert_eq!(
        report["principal"],
        "arn:aws:iam::123456789012:user/division/alice"
    );
    assert_eq!(
        report["policies"],
        serde_json::json!(["Force_MFA", "Developers/PowerUser"])
    );
    // alice has a console password (moto never returns PasswordResetRequired, so not a
    // lock-out here) and no account password policy lets users change their password; and
    // the example policy's `user/${aws:username}` does not match a user with a path.
    assert_eq!(
        findings(&report),
        [
            ("password-change-denied".to_owned(), "high".to_owned()),
            ("mfa-enrolment-blocked".to_owned(), "high".to_owned()),
            ("password-policy-unreadable".to_owned(), "low".to_owned()),
        ]
    );
    let out = sandbox.run(&["policy", "check", "--user", "bob", "--output", "json"]);
    assert_exit(&out, 0);
    assert_eq!(
        findings(&json(&out)),
        [
            ("password-change-denied".to_owned(), "low".to_owned()),
            ("password-policy-unreadable".to_owned(), "low".to_owned()),
        ],
        "bob has no console password: not a lock-out today"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_added_policy_file_is_tried_on_top_of_the_account() {
    let moto = Moto::start();
    seed(&moto).await;
    let sandbox = admin_sandbox(&moto);
    let fixed = sandbox.home().join("fixed.json");
    let out = sandbox.run(&["policy", "generate"]);
    assert_exit(&out, 0);
    std::fs::write(&fixed, &out.stdout).unwrap();
    // The AWS example's Deny still covers iam:ChangePassword: an added Allow cannot lift it.
    let out = sandbox.run(&[
        "policy",
        "check",
        "--group",
        "Developers",
        "--policy",
        fixed.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_exit(&out, 6);
    let report = json(&out);
    assert_eq!(
        report["principal"],
        "arn:aws:iam::123456789012:user/group-member"
    );
    assert_eq!(findings(&report)[0].0, "password-change-denied");
    assert_eq!(
        report["findings"][0]["evidence"][0]["statements"][0],
        "Force_MFA#DenyAllExceptListedIfNoMFA"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_password_policy_supplies_the_allow_but_not_past_a_deny() {
    let moto = Moto::start();
    seed(&moto).await;
    let iam = moto.iam().await;
    // A group whose only policy allows everything with MFA: no Deny, no Allow of
    // ChangePassword without MFA, so the account setting decides.
    iam.create_group().group_name("Open").send().await.unwrap();
    iam.put_group_policy()
        .group_name("Open")
        .policy_name("WithMfaOnly")
        .policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    let sandbox = admin_sandbox(&moto);
    let check = |group: &str| {
        let out = sandbox.run(&["policy", "check", "--group", group, "--output", "json"]);
        findings(&json(&out))
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
    };
    assert!(check("Open").contains(&"password-change-denied".to_owned()));
    iam.update_account_password_policy()
        .allow_users_to_change_password(true)
        .send()
        .await
        .unwrap();
    let open = check("Open");
    assert!(
        !open.contains(&"password-change-denied".to_owned()),
        "{open:?}"
    );
    assert!(
        !open.contains(&"password-policy-unreadable".to_owned()),
        "{open:?}"
    );
    assert!(
        check("Developers").contains(&"password-change-denied".to_owned()),
        "an explicit Deny beats the account setting"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_and_groups_are_usage_errors() {
    let moto = Moto::start();
    let sandbox = admin_sandbox(&moto);
    for args in [["--user", "nobody"], ["--group", "nogroup"]] {
        let mut full = vec!["policy", "check"];
        full.extend(args);
        let out = sandbox.run(&full);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(args[1]), "{}", stderr(&out));
    }
}

/// Role `Admin` trusting the account root without any condition, with an inline `s3:*`
/// policy; user `carol` whose only policy allows sts:AssumeRole.
async fn seed_role(moto: &Moto) {
    let iam = moto.iam().await;
    iam.create_role()
        .role_name("Admin")
        .assume_role_policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Account", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("Admin")
        .policy_name("S3")
        .policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("carol").send().await.unwrap();
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("Assume")
        .policy_document(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
        )
        .send()
        .await
        .unwrap();
}

const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/Admin";

#[tokio::test(flavor = "multi_thread")]
async fn a_roles_trust_and_permissions_are_read_from_the_account() {
    let moto = Moto::start();
    seed_role(&moto).await;
    let sandbox = admin_sandbox(&moto);
    let out = sandbox.run(&["policy", "check", "--role", "Admin", "--output", "json"]);
    assert_exit(&out, 6);
    let report = json(&out);
    assert_eq!(report["principal"], ADMIN_ROLE);
    assert_eq!(report["policies"], serde_json::json!(["Admin/trust"]));
    assert_eq!(
        findings(&report),
        [("role-assumable-without-mfa".to_owned(), "high".to_owned())],
        "s3:* writes: high"
    );
    let role = &report["role"];
    assert_eq!(role["role"], ADMIN_ROLE);
    assert_eq!(role["trust_policy"], "Admin/trust");
    assert_eq!(role["power"]["level"], "writes", "{role}");
    assert!(
        role["power"]["example"]
            .as_str()
            .unwrap()
            .starts_with("s3:"),
        "{role}"
    );
    assert_eq!(role["access"][0]["kind"], "account");
    assert_eq!(role["access"][0]["who"], "123456789012");
    let escape = &report["findings"][0];
    assert!(
        escape["message"].as_str().unwrap().starts_with(ADMIN_ROLE),
        "{escape}"
    );
    assert_eq!(escape["evidence"][0]["resource"], ADMIN_ROLE);
    assert_eq!(
        escape["evidence"][0]["statements"],
        serde_json::json!(["Admin/trust#Account"])
    );
    // The three role calls went out.
    let actions = moto.actions();
    for action in [
        "GetRole",
        "ListRolePolicies",
        "GetRolePolicy",
        "ListAttachedRolePolicies",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    // The same in text.
    let out = sandbox.run(&["policy", "check", "--role", "Admin"]);
    assert_exit(&out, 6);
    let text = crate::common::stdout(&out);
    assert!(
        text.lines()
            .any(|l| l == format!("Role {ADMIN_ROLE} (trust policy Admin/trust)")),
        "{text}"
    );
    assert!(text.contains("\n  permissions: writes (e.g. s3:"), "{text}");
    assert!(
        text.contains("HIGH     role-assumable-without-mfa"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_with_an_assume_role_allow_escapes_into_the_role() {
    let moto = Moto::start();
    seed_role(&moto).await;
    let sandbox = admin_sandbox(&moto);
    let out = sandbox.run(&[
        "policy", "check", "--user", "carol", "--role", "Admin", "--output", "json",
    ]);
    assert_exit(&out, 6);
    let report = json(&out);
    let carol = "arn:aws:iam::123456789012:user/carol";
    assert_eq!(report["principal"], carol);
    assert_eq!(
        report["policies"],
        serde_json::json!(["Assume", "Admin/trust"])
    );
    let escape = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "role-assumable-without-mfa")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(escape["severity"], "high");
    let evidence = &escape["evidence"][0];
    assert_eq!(
        evidence["states"],
        serde_json::json!(["long_term_keys", "temporary_without_mfa"])
    );
    assert_eq!(
        evidence["statements"],
        serde_json::json!(["Admin/trust#Account", "Assume#Assume"])
    );
    assert_eq!(evidence["detail"], format!("assumable by {carol}"));
    let access = report["role"]["access"].as_array().unwrap();
    assert_eq!(access.len(), 1, "{access:?}");
    assert_eq!(access[0]["kind"], "caller");
    assert_eq!(access[0]["who"], carol);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_role_is_a_usage_error() {
    let moto = Moto::start();
    let sandbox = admin_sandbox(&moto);
    let out = sandbox.run(&["policy", "check", "--role", "missing"]);
    assert_exit(&out, 2);
    assert!(crate::common::stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("IAM role missing does not exist"),
        "{}",
        stderr(&out)
    );
}
