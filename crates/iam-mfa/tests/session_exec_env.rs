//! `exec`, `env` and `status` against moto.
mod common;

use common::{Moto, Sandbox, assert_exit, json, stdout};

/// A sandbox whose `[work]` profile already has a cached session; returns the process JSON.
async fn logged_in(moto: &Moto) -> (Sandbox, serde_json::Value) {
    let user = moto.create_user_with_mfa("henry").await;
    let sandbox = Sandbox::new(moto);
    sandbox.add_profile("work", &user, "region = eu-central-1\n");
    let output = sandbox.run(&["process", "work", "--code", "123456"]);
    assert_exit(&output, 0);
    (sandbox, json(&output))
}

#[tokio::test]
async fn exec_runs_the_command_with_the_session_and_passes_its_exit_code() {
    let moto = Moto::start();
    let (sandbox, session) = logged_in(&moto).await;
    let script = "printf '%s|%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SESSION_TOKEN\" \"${AWS_PROFILE-unset}\" \"${AWS_SECURITY_TOKEN-unset}\" \"$AWS_CREDENTIAL_EXPIRATION\"; exit 7";
    let output = sandbox
        .iam_mfa()
        .args(["exec", "work", "--", "sh", "-c", script])
        .env("AWS_PROFILE", "stale")
        .env("AWS_SECURITY_TOKEN", "stale")
        .env("AWS_ACCESS_KEY_ID", "AKIASTALE")
        .output()
        .unwrap();
    assert_exit(&output, 7);
    let expected = format!(
        "{}|{}|unset|unset|{}",
        session["AccessKeyId"].as_str().unwrap(),
        session["SessionToken"].as_str().unwrap(),
        session["Expiration"].as_str().unwrap()
    );
    assert_eq!(stdout(&output), expected);

    let missing = sandbox.run(&["exec", "work", "--", "no-such-command-iam-mfa"]);
    assert_exit(&missing, 127);

    // The child can call AWS with the session (region comes from the sandbox's AWS_REGION).
    let aws = sandbox.run(&["exec", "work", "--", "aws", "sts", "get-caller-identity"]);
    assert_exit(&aws, 0);
    assert!(stdout(&aws).contains("123456789012"), "{}", stdout(&aws));
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn env_exports_evaluate_to_the_session_and_unset_removes_them() {
    let moto = Moto::start();
    let (sandbox, session) = logged_in(&moto).await;

    let exports = sandbox.run(&["env", "work", "--shell", "sh"]);
    assert_exit(&exports, 0);
    let script =
        stdout(&exports) + "printf '%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\"";
    let evaluated = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let expected = format!(
        "{}|{}",
        session["SecretAccessKey"].as_str().unwrap(),
        session["SessionToken"].as_str().unwrap()
    );
    assert_eq!(stdout(&evaluated), expected);

    let unset = sandbox.run(&["env", "--shell", "sh", "--unset"]);
    assert_exit(&unset, 0);
    let script = stdout(&exports) + &stdout(&unset) + "printf '%s' \"${AWS_SESSION_TOKEN-gone}\"";
    let evaluated = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(stdout(&evaluated), "gone");

    let powershell = stdout(&sandbox.run(&["env", "work", "--shell", "powershell"]));
    assert!(powershell.contains(&format!(
        "$Env:AWS_ACCESS_KEY_ID = '{}'",
        session["AccessKeyId"].as_str().unwrap()
    )));
    let fish = stdout(&sandbox.run(&["env", "work", "--shell", "fish"]));
    assert!(fish.starts_with("set -gx AWS_ACCESS_KEY_ID '"), "{fish}");
    let cmd = stdout(&sandbox.run(&["env", "work", "--shell", "cmd"]));
    assert!(cmd.starts_with("set \"AWS_ACCESS_KEY_ID="), "{cmd}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&sandbox.run(&["env", "work", "--shell", "json"]))).unwrap();
    assert_eq!(json["AWS_SESSION_TOKEN"], session["SessionToken"]);
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn status_exit_codes_track_the_session() {
    let moto = Moto::start();
    let (sandbox, session) = logged_in(&moto).await;

    let valid = sandbox.run(&["status", "work", "--output", "json"]);
    assert_exit(&valid, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&valid)).unwrap();
    assert_eq!(report["sessions"][0]["state"], "valid");
    assert_eq!(report["sessions"][0]["expiration"], session["Expiration"]);

    assert_exit(&sandbox.run(&["status", "work", "--margin", "50000"]), 3);
    assert_exit(&sandbox.run(&["status", "nobody"]), 4);
    let all = sandbox.run(&["status", "--all"]);
    assert_exit(&all, 0);
    assert!(
        stdout(&all).starts_with("work: valid, expires "),
        "{}",
        stdout(&all)
    );

    // Age the cached session past its expiry.
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let mut record: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            record["session"]["expiration"] = "2020-01-01T00:00:00Z".into();
            std::fs::write(&path, record.to_string()).unwrap();
        }
    }
    let expired = sandbox.run(&["status", "work"]);
    assert_exit(&expired, 4);
    assert!(
        stdout(&expired).contains("expired 2020-01-01T00:00:00Z"),
        "{}",
        stdout(&expired)
    );
}
