//! `iam-mfa enroll` against moto, end to end with codes computed (RFC 6238) from the seed that
//! `CreateVirtualMFADevice` returned. moto accepts any code, so the "wrong code" path relies on
//! enroll's own check against the seed, which is what these tests exercise.

use crate::admin_support::{
    admin, admin_sandbox, codes_from, create_user, file_mode, user_serials, virtual_serials,
};
use crate::common::{Moto, assert_exit, create_virtual, stderr, stdout};
use aws_sdk_iam::types::AssignmentStatusType;
use iam_mfa::commands::admin::Error;
use iam_mfa::commands::admin::enroll::{self, Args};
use iam_mfa::ui::prompt::{self, Prompt};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Answers code questions: `wrong` bad pairs first, then the right codes from the seed file.
struct Authenticator {
    secret_file: PathBuf,
    wrong: usize,
    pending: Vec<String>,
    said: Vec<String>,
}

impl Authenticator {
    /// An app reading the seed from `dir/seed.txt` that first gets `wrong` pairs wrong.
    fn new(dir: &Path, wrong: usize) -> Authenticator {
        Authenticator {
            secret_file: dir.join("seed.txt"),
            wrong,
            pending: vec![],
            said: vec![],
        }
    }
}

impl Prompt for Authenticator {
    fn say(&mut self, message: &str) -> Result<(), prompt::Error> {
        self.said.push(message.to_owned());
        Ok(())
    }

    fn ask(&mut self, _: &str) -> Result<Option<String>, prompt::Error> {
        if self.pending.is_empty() {
            let (first, second) = if self.wrong > 0 {
                self.wrong -= 1;
                ("000000".to_owned(), "000001".to_owned())
            } else {
                codes_from(&self.secret_file)
            };
            self.pending = vec![second, first];
        }
        Ok(self.pending.pop())
    }

    fn is_terminal(&self) -> bool {
        false
    }

    fn can_confirm(&self) -> bool {
        true
    }
}

fn args(user: &str, dir: &Path) -> Args {
    Args {
        user: Some(user.to_owned()),
        device_name: None,
        qr_png: Some(dir.join("qr.png")),
        secret_file: Some(dir.join("seed.txt")),
        dry_run: false,
    }
}

#[tokio::test]
async fn wrong_codes_are_refused_then_the_right_ones_enable_the_device() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let args = args("alice", dir.path());
    let mut app = Authenticator::new(dir.path(), 1);

    let done = enroll::run(&admin, &args, &mut app).await.unwrap();
    assert!(done.enabled);
    let serial = done.serial_number.unwrap();
    assert_eq!(serial, "arn:aws:iam::123456789012:mfa/alice");
    assert_eq!(user_serials(&admin.iam, "alice").await, vec![serial]);
    assert!(
        app.said.iter().any(|s| s.starts_with("Wrong code")),
        "{:?}",
        app.said
    );
    assert_eq!(
        moto.count("EnableMFADevice"),
        1,
        "the wrong pair never reached AWS"
    );
    assert_eq!(file_mode(&dir.path().join("seed.txt")), 0o600);
    assert_eq!(file_mode(&dir.path().join("qr.png")), 0o600);
    let png = std::fs::read(dir.path().join("qr.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[tokio::test]
async fn failing_half_way_leaves_no_device_and_no_files() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let args = args("alice", dir.path());

    let mut hopeless = Authenticator::new(dir.path(), 99);
    let error = enroll::run(&admin, &args, &mut hopeless).await.unwrap_err();
    assert!(matches!(error, Error::Enrollment { .. }), "{error}");
    assert!(error.to_string().contains("deleted again"), "{error}");
    assert!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any)
            .await
            .is_empty(),
        "no orphan left"
    );
    assert!(user_serials(&admin.iam, "alice").await.is_empty());
    assert!(!dir.path().join("seed.txt").exists() && !dir.path().join("qr.png").exists());

    // The administrator gives up (end of input) after the device was created.
    let mut silent = crate::admin_support::Script::default();
    let error = enroll::run(&admin, &args, &mut silent).await.unwrap_err();
    assert!(matches!(error, Error::Enrollment { .. }), "{error}");
    assert!(error.to_string().contains("abandoned"), "{error}");
    assert!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any)
            .await
            .is_empty()
    );
    assert_eq!(moto.count("CreateVirtualMFADevice"), 2);
    assert_eq!(moto.count("DeleteVirtualMFADevice"), 2);
}

#[tokio::test]
async fn a_leftover_device_of_the_same_name_or_a_missing_user_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let leftover = create_virtual(&admin.iam, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let mut app = Authenticator::new(dir.path(), 0);

    let error = enroll::run(&admin, &args("alice", dir.path()), &mut app)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("already exists") && error.to_string().contains("prune"),
        "{error}"
    );
    assert_eq!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any).await,
        vec![leftover]
    );

    let error = enroll::run(&admin, &args("nobody", dir.path()), &mut app)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Iam(iam_mfa::iam::Error::NoSuchUser(_))),
        "{error}"
    );
    assert_eq!(
        moto.count("CreateVirtualMFADevice"),
        2,
        "the setup's and the refused one only"
    );
}

#[tokio::test]
async fn cli_end_to_end_with_codes_on_stdin_and_dry_run() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "bob").await;
    let sandbox = admin_sandbox(&moto);
    let seed_file = sandbox.home().join("bob.seed");
    let seed_arg = seed_file.to_str().unwrap();

    let dry = sandbox.run(&[
        "enroll",
        "--user",
        "bob",
        "--secret-file",
        seed_arg,
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_exit(&dry, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&dry)).unwrap();
    assert_eq!(json["calls"][0]["api"], "iam:CreateVirtualMFADevice");
    assert_eq!(json["calls"][1]["api"], "iam:EnableMFADevice");
    assert_eq!(moto.count("CreateVirtualMFADevice"), 0);

    let mut child = sandbox
        .iam_mfa()
        .args([
            "enroll",
            "--user",
            "bob",
            "--device-name",
            "bob-phone",
            "--secret-file",
            seed_arg,
            "--output",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seed_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (first, second) = codes_from(&seed_file);
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{first}\n{first}\n{first}\n{second}\n").as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("Wrong code: the second code must be the next one"),
        "{}",
        stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["enabled"], true);
    // The codes typed are secrets: the report shows placeholders, never the digits.
    assert_eq!(json["calls"][1]["api"], "iam:EnableMFADevice");
    assert_eq!(json["calls"][1]["params"]["AuthenticationCode1"], "<code>");
    assert_eq!(
        json["calls"][1]["params"]["AuthenticationCode2"],
        "<next code>"
    );
    for code in [&first, &second] {
        assert!(
            !stdout(&output).contains(&format!("\"{code}\"")),
            "code {code} printed: {}",
            stdout(&output)
        );
    }
    assert_eq!(
        user_serials(&admin.iam, "bob").await,
        vec!["arn:aws:iam::123456789012:mfa/bob-phone".to_owned()]
    );
    assert!(
        !stdout(&output).contains(std::fs::read_to_string(&seed_file).unwrap().trim()),
        "seed never printed"
    );

    let nowhere = sandbox.run(&["enroll", "--user", "bob"]);
    assert_exit(&nowhere, 2);
    assert!(
        stderr(&nowhere).contains("no terminal to show the QR code"),
        "{}",
        stderr(&nowhere)
    );
}

#[tokio::test]
async fn ctrl_c_at_the_code_prompt_removes_the_new_device() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "carol").await;
    let sandbox = admin_sandbox(&moto);
    let seed_file = sandbox.home().join("carol.seed");

    let mut child = sandbox
        .iam_mfa()
        .args([
            "enroll",
            "--user",
            "carol",
            "--secret-file",
            seed_file.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seed_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200)); // let it reach the prompt
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stdin = child.stdin.take(); // kept open: the answer never comes
    let output = child.wait_with_output().unwrap();
    drop(stdin);
    assert_exit(&output, 130);
    assert!(
        stderr(&output).contains("interrupted") && stderr(&output).contains("deleted again"),
        "{}",
        stderr(&output)
    );
    assert!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any)
            .await
            .is_empty(),
        "no orphan left"
    );
    assert!(!seed_file.exists());
}
