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

    assert_exit(&sandbox.run(&["status", "nobody"]), 4);
    let all = sandbox.run(&["status", "--all"]);
    assert_exit(&all, 0);
    assert!(
        stdout(&all).starts_with("work: valid, expires "),
        "{}",
        stdout(&all)
    );

    // Age the cached session: 10 min left of 12 h is inside the margin, then past its expiry.
    let age = |expiration: time::OffsetDateTime| {
        let rfc3339 = |at: time::OffsetDateTime| {
            at.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "json") {
                let mut record: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                record["session"]["expiration"] = rfc3339(expiration).into();
                record["issued_at"] = rfc3339(expiration - time::Duration::hours(12)).into();
                std::fs::write(&path, record.to_string()).unwrap();
            }
        }
    };
    age(time::OffsetDateTime::now_utc() + time::Duration::minutes(10));
    assert_exit(&sandbox.run(&["status", "work"]), 3);
    age(time::macros::datetime!(2020-01-01 00:00 UTC));
    let expired = sandbox.run(&["status", "work"]);
    assert_exit(&expired, 4);
    assert!(
        stdout(&expired).contains("expired 2020-01-01T00:00:00Z"),
        "{}",
        stdout(&expired)
    );
}

#[cfg(unix)]
#[tokio::test]
async fn exec_becomes_the_command_so_signals_reach_it_and_nothing_is_orphaned() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let moto = Moto::start();
    let (sandbox, _) = logged_in(&moto).await;
    let pid_file = sandbox.home().join("child.pid");
    let script = format!(
        "echo $$ > '{}.tmp' && mv '{0}.tmp' '{0}'; exec sleep 30",
        pid_file.display()
    );
    let mut child = sandbox
        .iam_mfa()
        .args(["exec", "work", "--", "sh", "-c", &script])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let pid = loop {
        if let Ok(text) = std::fs::read_to_string(&pid_file) {
            break text.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "the command did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    let kill = |pid: &str| {
        std::process::Command::new("kill")
            .args(["-TERM", pid])
            .status()
            .unwrap()
    };
    if pid != child.id().to_string() {
        kill(&pid);
        kill(&child.id().to_string());
        panic!(
            "the command runs as pid {pid}, not in iam-mfa's process {}",
            child.id()
        );
    }
    assert!(kill(&pid).success());
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "nothing keeps running"
    );

    let script = sandbox.home().join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    let denied = sandbox.run(&["exec", "work", "--", script.to_str().unwrap()]);
    assert_exit(&denied, 126);
}
