//! `keys add|list|remove` and session commands reading stored keys, with the encrypted key file
//! for real (passphrase from `IAM_MFA_PASSPHRASE_FILE`) and the Secret Service for real (a
//! private D-Bus session with GNOME Keyring per command, its keyring kept in the sandbox).

use crate::common::{Moto, Sandbox, TestUser, assert_exit, stderr, stdout};

const HEAD: &str = "# my keys\r\n[default]\r\naws_access_key_id = AKIADEFAULT\r\naws_secret_access_key = default-secret ; keep\r\n\r\n";
const TAIL: &str = "\r\n; trailing comment\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = other\r\n";

/// `keys add work --from-credentials --store file`: the move most tests start with.
const MOVE_TO_FILE: &[&str] = &[
    "keys",
    "add",
    "work",
    "--from-credentials",
    "--store",
    "file",
];

/// A sandbox whose credentials file has `[work]` (moto user `alice`) between two other sections,
/// with CRLF line ends and comments, and a passphrase file.
async fn sandbox(moto: &Moto) -> (Sandbox, TestUser) {
    let user = moto.create_user_with_mfa("alice").await;
    let sandbox = Sandbox::new(moto);
    let work = user.credentials_section("work").replace('\n', "\r\n");
    sandbox.write_credentials(&format!("{HEAD}{work}{TAIL}"));
    sandbox.write_config(&format!("[profile work]\nmfa_serial = {}\n", user.serial()));
    std::fs::write(sandbox.home().join("passphrase"), "correct horse battery\n").unwrap();
    (sandbox, user)
}

/// `iam-mfa ARGS…` with the sandbox's passphrase file (or `passphrase` as its text).
fn run_with(sandbox: &Sandbox, passphrase: Option<&str>, args: &[&str]) -> std::process::Output {
    let path = sandbox.home().join("passphrase");
    if let Some(text) = passphrase {
        std::fs::write(&path, text).unwrap();
    }
    sandbox
        .iam_mfa()
        .env("IAM_MFA_PASSPHRASE_FILE", &path)
        .args(args)
        .output()
        .unwrap()
}

/// Neither the secret nor the passphrase in what a command printed (run with `--debug`).
fn assert_no_secret(out: &std::process::Output, user: &TestUser) {
    for text in [stdout(out), stderr(out)] {
        assert!(
            !text.contains(&user.secret_access_key),
            "secret shown: {text}"
        );
        assert!(!text.contains("correct horse"), "passphrase shown: {text}");
    }
}

#[tokio::test]
async fn keys_move_from_the_credentials_file_to_the_key_file_and_sessions_read_them() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    let out = run_with(
        &sandbox,
        None,
        &[
            "keys",
            "add",
            "work",
            "--from-credentials",
            "--store",
            "file",
            "--output",
            "json",
            "--debug",
        ],
    );
    assert_exit(&out, 0);
    assert_no_secret(&out, &user);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["store"], "file");
    assert_eq!(report["removed_from_credentials"], true);
    // Every other byte of the credentials file is unchanged: only the two key lines went.
    assert_eq!(
        sandbox.read_credentials(),
        format!("{HEAD}[work]\r\n{TAIL}")
    );
    let config = sandbox.read_config();
    assert!(config.contains("x_iam_mfa_keychain = file"), "{config}");
    assert!(
        config.contains(&format!("x_iam_mfa_access_key_id = {}", user.access_key_id)),
        "{config}"
    );
    let key_file = sandbox.home().join(".aws").join("iam-mfa").join("keys.age");
    let bytes = std::fs::read(&key_file).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(&user.secret_access_key));

    let listed = run_with(
        &sandbox,
        None,
        &["keys", "list", "--output", "json", "--debug"],
    );
    assert_exit(&listed, 0);
    assert_no_secret(&listed, &user);
    let listed: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let stores: Vec<(String, String)> = listed["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["profile"].as_str().unwrap().to_owned(),
                e["store"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        stores,
        [
            ("default".to_owned(), "credentials_file".to_owned()),
            ("other".to_owned(), "credentials_file".to_owned()),
            ("work".to_owned(), "file".to_owned())
        ]
    );

    // A cache miss reads the key file (once) and gets the session from moto.
    let debug = run_with(
        &sandbox,
        None,
        &["process", "work", "--code", "123456", "--debug"],
    );
    assert_exit(&debug, 0);
    assert_no_secret(&debug, &user);
    let first = run_with(&sandbox, None, &["process", "work"]);
    assert_exit(&first, 0);
    assert!(stdout(&first).contains("\"SessionToken\""));
    // A cache hit does not open the store: a wrong passphrase does not matter.
    let hit = run_with(&sandbox, Some("wrong\n"), &["process", "work"]);
    assert_exit(&hit, 0);
    assert_eq!(stdout(&hit), stdout(&first));
    // A miss with the wrong passphrase is exit 2, named, and changes nothing.
    let before = std::fs::read(&key_file).unwrap();
    assert_exit(&run_with(&sandbox, None, &["logout", "work"]), 0);
    let refused = run_with(
        &sandbox,
        Some("wrong\n"),
        &["process", "work", "--code", "654321"],
    );
    assert_exit(&refused, 2);
    assert!(
        stderr(&refused).contains("wrong passphrase for"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read(&key_file).unwrap(), before);
}

#[tokio::test]
async fn a_wrong_passphrase_adds_nothing_and_a_rerun_after_a_failed_mark_completes_the_move() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    assert_exit(
        &run_with(
            &sandbox,
            None,
            &[
                "keys",
                "add",
                "other",
                "--from-credentials",
                "--store",
                "file",
            ],
        ),
        0,
    );
    let credentials = sandbox.read_credentials();
    let config = sandbox.read_config();
    let wrong = run_with(&sandbox, Some("wrong\n"), MOVE_TO_FILE);
    assert_exit(&wrong, 2);
    assert!(
        stderr(&wrong).contains("wrong passphrase"),
        "{}",
        stderr(&wrong)
    );
    assert_eq!(sandbox.read_credentials(), credentials);
    assert_eq!(sandbox.read_config(), config);

    // The config file cannot be written: the keys are stored, the credentials file keeps them.
    use std::os::unix::fs::PermissionsExt;
    let perms = std::fs::Permissions::from_mode(0o400);
    std::fs::set_permissions(sandbox.config_path(), perms).unwrap();
    let failed = run_with(&sandbox, Some("correct horse battery\n"), MOVE_TO_FILE);
    assert_ne!(failed.status.code(), Some(0), "{}", stderr(&failed));
    assert_eq!(sandbox.read_credentials(), credentials, "a copy was lost");
    std::fs::set_permissions(
        sandbox.config_path(),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    // Running it again finishes the move.
    assert_exit(&run_with(&sandbox, None, MOVE_TO_FILE), 0);
    assert!(
        !sandbox
            .read_credentials()
            .contains("[work]\r\naws_access_key_id")
    );
    assert_exit(
        &run_with(&sandbox, None, &["process", "work", "--code", "123456"]),
        0,
    );

    // remove: refused without a terminal or --yes; with --yes the keys and the mark go.
    let unconfirmed = run_with(&sandbox, None, &["keys", "remove", "work"]);
    assert_exit(&unconfirmed, 2);
    assert!(
        stderr(&unconfirmed).contains("--yes"),
        "{}",
        stderr(&unconfirmed)
    );
    let removed = run_with(
        &sandbox,
        None,
        &[
            "keys", "remove", "work", "--yes", "--output", "json", "--debug",
        ],
    );
    assert_exit(&removed, 0);
    assert_no_secret(&removed, &user);
    assert!(
        stdout(&removed).contains("\"deleted\":true")
            || stdout(&removed).contains("\"deleted\": true"),
        "{}",
        stdout(&removed)
    );
    let config = sandbox.read_config();
    assert!(!config.contains(&user.access_key_id), "{config}");
    assert!(
        config.contains("x_iam_mfa_access_key_id = AKIAOTHER"),
        "{config}"
    );
}

/// `iam-mfa ARGS…` inside a private D-Bus session whose GNOME Keyring keeps its data in the
/// sandbox (so it persists from one command to the next).
fn in_keyring(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    let script = r#"printf 'sandbox-login' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && exec "$0" "$@""#;
    sandbox
        .command("dbus-run-session")
        .args(["--", "sh", "-c", script, crate::common::IAM_MFA])
        .args(args)
        .env("XDG_DATA_HOME", sandbox.home().join(".local/share"))
        .output()
        .unwrap()
}

#[tokio::test]
async fn keys_in_the_secret_service_serve_sessions() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    let out = in_keyring(
        &sandbox,
        &["keys", "add", "work", "--from-credentials", "--debug"],
    );
    assert_exit(&out, 0);
    assert_no_secret(&out, &user);
    assert!(stdout(&out).contains("the OS keychain"), "{}", stdout(&out));
    assert!(sandbox.read_config().contains("x_iam_mfa_keychain = true"));
    assert_eq!(
        sandbox.read_credentials(),
        format!("{HEAD}[work]\r\n{TAIL}")
    );
    let session = in_keyring(&sandbox, &["process", "work", "--code", "123456"]);
    assert_exit(&session, 0);
    assert!(stdout(&session).contains("\"SessionToken\""));
    let removed = in_keyring(&sandbox, &["keys", "remove", "work", "--yes", "--debug"]);
    assert_exit(&removed, 0);
    assert_no_secret(&removed, &user);
    assert!(
        stdout(&removed).contains("Deleted the stored keys"),
        "{}",
        stdout(&removed)
    );
}

/// Item "a failure between the keychain write and the file edit loses neither copy": `keys add
/// --from-credentials` killed (SIGKILL) at moments spread over its run — the passphrase, the
/// encryption, the read-back, the config edit, the credentials edit — always leaves the key in
/// the credentials file or in the key file (or both), and running it again completes the move.
#[tokio::test]
async fn keys_add_killed_at_any_moment_loses_no_copy_and_a_rerun_completes() {
    const ROUNDS: u64 = 8;
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    let passphrase = key_store::SecretString::from("correct horse battery".to_owned());
    let key_file = sandbox.home().join(".aws").join("iam-mfa").join("keys.age");
    let (credentials, config) = (sandbox.read_credentials(), sandbox.read_config());
    let moved = format!("{HEAD}[work]\r\n{TAIL}");
    let mut in_both = 0;
    for round in 0..ROUNDS {
        // Each round migrates afresh: keys in the credentials file only.
        let _ = std::fs::remove_file(&key_file);
        sandbox.write_credentials(&credentials);
        sandbox.write_config(&config);
        let mut child = sandbox
            .iam_mfa()
            .env("IAM_MFA_PASSPHRASE_FILE", sandbox.home().join("passphrase"))
            .args([
                "keys",
                "add",
                "work",
                "--from-credentials",
                "--store",
                "file",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A debug build takes 2–3 s (three scrypt runs at 2^16): the kills spread over that.
        std::thread::sleep(std::time::Duration::from_millis(200 + round * 350));
        let _ = child.kill();
        child.wait().unwrap();
        let now = sandbox.read_credentials();
        assert!(
            now == credentials || now == moved,
            "round {round}: the credentials file is torn"
        );
        let in_credentials = now == credentials;
        let in_file = key_file.exists()
            && key_store::EncryptedFile::new(&key_file)
                .get("work", &passphrase)
                .unwrap()
                .is_some_and(|keys| *keys.secret_access_key == user.secret_access_key);
        assert!(
            in_credentials || in_file,
            "round {round}: the key is in neither file"
        );
        in_both += u32::from(in_credentials && in_file);
        // Running it again completes the move, wherever the kill left it.
        let rerun = run_with(&sandbox, None, MOVE_TO_FILE);
        if in_credentials {
            assert_exit(&rerun, 0);
        }
        assert_eq!(sandbox.read_credentials(), moved, "round {round}");
        assert_exit(
            &run_with(
                &sandbox,
                None,
                &[
                    "process",
                    "work",
                    "--code",
                    &format!("{:06}", 100_000 + round),
                ],
            ),
            0,
        );
        assert_exit(&run_with(&sandbox, None, &["logout", "work"]), 0);
    }
    eprintln!("{ROUNDS} kills; {in_both} left the key in both files");
}

/// The access key ids moto holds for `alice`.
fn alice_keys(sandbox: &Sandbox) -> Vec<String> {
    let out = sandbox.aws(&[
        "iam",
        "list-access-keys",
        "--user-name",
        "alice",
        "--profile",
        "other",
        "--output",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    listed["AccessKeyMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn rotate_replaces_the_stored_key_and_a_failure_after_create_is_resumed() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    assert_exit(&run_with(&sandbox, None, MOVE_TO_FILE), 0);
    let key_file = sandbox.home().join(".aws").join("iam-mfa").join("keys.age");
    let passphrase = key_store::SecretString::from("correct horse battery".to_owned());
    let stored = || {
        key_store::EncryptedFile::new(&key_file)
            .get("work", &passphrase)
            .unwrap()
            .unwrap()
    };

    let out = run_with(
        &sandbox,
        None,
        &[
            "keys", "rotate", "work", "--code", "111111", "--output", "json", "--debug",
        ],
    );
    assert_exit(&out, 0);
    assert_no_secret(&out, &user);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let new_id = report["new_access_key_id"].as_str().unwrap().to_owned();
    assert_eq!(report["deleted_access_key_id"], user.access_key_id.as_str());
    assert_ne!(new_id, user.access_key_id);
    assert_eq!(alice_keys(&sandbox), std::slice::from_ref(&new_id));
    assert_eq!(stored().access_key_id, new_id);
    assert!(
        sandbox
            .read_config()
            .contains(&format!("x_iam_mfa_access_key_id = {new_id}"))
    );
    assert!(!sandbox.read_config().contains("x_iam_mfa_rotating_from"));
    // Sessions now come from the new key.
    assert_exit(
        &run_with(&sandbox, None, &["process", "work", "--code", "222222"]),
        0,
    );

    // STS unreachable after CreateAccessKey: the new key is stored, the old one still active.
    let previous = stored().access_key_id;
    let failed = sandbox
        .iam_mfa()
        .env("IAM_MFA_PASSPHRASE_FILE", sandbox.home().join("passphrase"))
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")
        .args(["keys", "rotate", "work"])
        .output()
        .unwrap();
    assert_ne!(failed.status.code(), Some(0));
    let message = stderr(&failed);
    assert!(
        message.contains("is stored but could not be verified"),
        "{message}"
    );
    assert!(message.contains(&previous), "{message}");
    let newest = stored().access_key_id;
    assert_ne!(newest, previous);
    assert_eq!(alice_keys(&sandbox).len(), 2);
    assert!(
        sandbox
            .read_config()
            .contains(&format!("x_iam_mfa_rotating_from = {previous}"))
    );
    // Running it again finishes: verified, the old key deleted, the mark gone.
    let resumed = run_with(
        &sandbox,
        None,
        &["keys", "rotate", "work", "--code", "333333"],
    );
    assert_exit(&resumed, 0);
    assert_eq!(alice_keys(&sandbox), std::slice::from_ref(&newest));
    assert!(!sandbox.read_config().contains("x_iam_mfa_rotating_from"));

    // A user with two keys already: refused, naming both, nothing created.
    let extra = sandbox.aws(&[
        "iam",
        "create-access-key",
        "--user-name",
        "alice",
        "--profile",
        "other",
    ]);
    assert!(extra.status.success(), "{}", stderr(&extra));
    let before = alice_keys(&sandbox);
    let refused = run_with(
        &sandbox,
        None,
        &["keys", "rotate", "work", "--code", "444444"],
    );
    assert_exit(&refused, 2);
    for id in &before {
        assert!(
            stderr(&refused).contains(id.as_str()),
            "{}",
            stderr(&refused)
        );
    }
    assert_eq!(alice_keys(&sandbox), before);
    assert_eq!(stored().access_key_id, newest);
}

#[tokio::test]
async fn rotate_replaces_a_key_in_the_credentials_file_in_place() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox(&moto).await;
    let out = run_with(
        &sandbox,
        None,
        &[
            "keys", "rotate", "work", "--code", "111111", "--output", "json",
        ],
    );
    assert_exit(&out, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let new_id = report["new_access_key_id"].as_str().unwrap();
    assert_eq!(alice_keys(&sandbox), [new_id.to_owned()]);
    let credentials = sandbox.read_credentials();
    assert!(
        credentials.starts_with(HEAD) && credentials.ends_with(TAIL),
        "{credentials}"
    );
    assert!(
        credentials.contains(&format!("[work]\r\naws_access_key_id = {new_id}\r\n")),
        "{credentials}"
    );
    assert!(!credentials.contains(&user.secret_access_key));
    assert!(
        !sandbox.read_config().contains("x_iam_mfa"),
        "{}",
        sandbox.read_config()
    );
    assert_exit(
        &run_with(&sandbox, None, &["process", "work", "--code", "222222"]),
        0,
    );
}
