//! `login` and `logout` against moto: lossless writes, ownership, cache reuse, input validation.
mod common;

use common::{Moto, Sandbox, assert_exit, stderr, stdout};

const CREDENTIALS_HEAD: &str = "# my keys -- keep this comment\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = other/secret ; inline\r\n\r\n";
const CONFIG: &str = "; config comment\n[default]\nregion = eu-west-1\n\n[profile work]\nmfa_serial = SERIAL\ns3 =\n  max_concurrent_requests = 4\n# trailing comment\n";

/// A sandbox with `[other]` (CRLF, comments) and the long-term `[work]` profile of a user with MFA.
async fn sandbox_with_work(moto: &Moto) -> (Sandbox, common::TestUser) {
    let user = moto.create_user_with_mfa("alice").await;
    let sandbox = Sandbox::new(moto);
    sandbox.write_credentials(&(CREDENTIALS_HEAD.to_owned() + &user.credentials_section("work")));
    sandbox.write_config(&CONFIG.replace("SERIAL", user.serial()));
    (sandbox, user)
}

#[tokio::test]
async fn login_appends_its_section_and_keeps_every_other_byte() {
    let moto = Moto::start();
    let (sandbox, _user) = sandbox_with_work(&moto).await;
    let before = sandbox.read_credentials();
    let config_before = sandbox.read_config();

    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("Wrote [work-mfa]"),
        "{}",
        stdout(&output)
    );
    let after = sandbox.read_credentials();
    assert!(
        after.starts_with(&before),
        "existing bytes changed:\n{after}"
    );
    let added = &after[before.len()..];
    assert!(added.contains("[work-mfa]"), "{added}");
    for key in [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_credential_expiration",
    ] {
        assert!(added.contains(key), "{key} missing in {added}");
    }
    assert!(added.contains("x_iam_mfa_managed = true"), "{added}");
    assert_eq!(sandbox.read_config(), config_before);
    assert_eq!(moto.count("GetSessionToken"), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sandbox.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A second login reuses the cached session: same keys, no new STS call, no code needed.
    let again = sandbox.run(&["login", "work"]);
    assert_exit(&again, 0);
    assert_eq!(sandbox.read_credentials(), after);
    assert_eq!(moto.count("GetSessionToken"), 1);

    // The written session is accepted by AWS (moto) through the SDK's own profile loading.
    let check = sandbox.aws(&[
        "sts",
        "get-caller-identity",
        "--profile",
        "work-mfa",
        "--output",
        "json",
    ]);
    assert_exit(&check, 0);
}

#[tokio::test]
async fn logout_removes_only_what_login_wrote() {
    let moto = Moto::start();
    let (sandbox, _user) = sandbox_with_work(&moto).await;
    let before = sandbox.read_credentials();
    assert_exit(&sandbox.run(&["login", "work", "--code", "123456"]), 0);
    assert_exit(&sandbox.run(&["status", "work"]), 0);

    let output = sandbox.run(&["logout", "work", "--output", "json"]);
    assert_exit(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["cached_sessions_removed"], 1);
    assert_eq!(report["section_removed"], "work-mfa");
    assert_eq!(sandbox.read_credentials(), before);
    assert_exit(&sandbox.run(&["status", "work"]), 4);
}

#[tokio::test]
async fn login_and_logout_never_touch_a_section_they_did_not_write() {
    let moto = Moto::start();
    let (sandbox, _user) = sandbox_with_work(&moto).await;
    let mine = "[work-mfa]\naws_access_key_id = AKIAHANDMADE\naws_secret_access_key = x\n";
    let text = sandbox.read_credentials() + mine;
    sandbox.write_credentials(&text);

    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("was not written by iam-mfa"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        moto.count("GetSessionToken"),
        0,
        "refused before any AWS call"
    );

    assert_exit(&sandbox.run(&["logout", "work"]), 0);
    assert_eq!(sandbox.read_credentials(), text);

    // --target picks another section instead.
    assert_exit(
        &sandbox.run(&[
            "login",
            "work",
            "--code",
            "123456",
            "--target",
            "work-session",
        ]),
        0,
    );
    assert!(sandbox.read_credentials().starts_with(&text));
    assert!(sandbox.read_credentials().contains("[work-session]"));
}

#[tokio::test]
async fn bad_input_gives_a_clear_error_and_changes_nothing() {
    let moto = Moto::start();
    let (sandbox, _user) = sandbox_with_work(&moto).await;
    let credentials = sandbox.read_credentials();
    let config = sandbox.read_config();
    let cases: &[(&[&str], &str)] = &[
        (
            &["login", "work", "--code", "12345"],
            "exactly 6 digits, but it has 5 digits",
        ),
        (&["login", "work", "--code", "12a456"], "not all digits"),
        (
            &["login", "work", "--code", "123456", "--duration", "899"],
            "outside 900..=129600",
        ),
        (
            &["login", "work", "--code", "123456", "--duration", "129601"],
            "outside 900..=129600",
        ),
        (
            &[
                "login",
                "work",
                "--code",
                "123456",
                "--serial",
                "arn:aws:iam::123456789012:user/alice",
            ],
            ":user/",
        ),
        (
            &["login", "nosuch", "--code", "123456"],
            "profile `nosuch` is in neither",
        ),
        (&["process", "work"], "no way to get one"),
    ];
    for (args, message) in cases {
        let output = sandbox.run(args);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(sandbox.read_credentials(), credentials, "{args:?}");
        assert_eq!(sandbox.read_config(), config, "{args:?}");
    }
    assert_eq!(moto.count("GetSessionToken"), 0);
    let cached = std::fs::read_dir(sandbox.cache_dir()).map_or(0, |dir| {
        dir.filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|ext| ext == "json")
        })
        .count()
    });
    assert_eq!(cached, 0, "no session cached");

    // duration_seconds in the profile is checked the same way.
    sandbox.write_config(&(config.clone() + "duration_seconds = 60\n"));
    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("duration_seconds of profile `work`"),
        "{}",
        stderr(&output)
    );

    // A malformed config file names the file and line.
    let broken = "[profile work]\nregion = eu-west-1\nthis line has no equals sign\n";
    sandbox.write_config(broken);
    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("config:3:"), "{}", stderr(&output));
    assert_eq!(sandbox.read_config(), broken);
    assert_eq!(sandbox.read_credentials(), credentials);
    assert_eq!(moto.count("GetSessionToken"), 0);
}

#[tokio::test]
async fn serial_is_discovered_or_its_absence_explained() {
    let moto = Moto::start();
    let with_device = moto.create_user_with_mfa("carol").await;
    let without = moto.create_user("dave").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.write_credentials(
        &(with_device.credentials_section("carol") + &without.credentials_section("dave")),
    );

    let output = sandbox.run(&["login", "carol", "--code", "123456", "--output", "json"]);
    assert_exit(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["target"], "carol-mfa");
    assert!(report["seconds_left"].as_i64().unwrap() > 43_000);
    assert_eq!(moto.count("ListMFADevices"), 1);

    let credentials = sandbox.read_credentials();
    let output = sandbox.run(&["login", "dave", "--code", "123456"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no MFA device found for arn:aws:iam::123456789012:user/dave"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.read_credentials(), credentials);
    assert_eq!(moto.count("GetSessionToken"), 1);
}
