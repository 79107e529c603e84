//! `exec`, `env` and `status` against moto, and `env`'s output read by real shells and .env
//! readers (python-dotenv, node's dotenv, `node --env-file`).

use crate::common::{
    INTEROP, Moto, Sandbox, assert_exit, client_available, json, runs, stderr, stdout,
};
use std::path::Path;

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

/// Sets the session token of every cached session (a crafted value STS would never send).
fn craft_cached_token(sandbox: &Sandbox, token: &str) {
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let mut record: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            record["session"]["session_token"] = token.into();
            std::fs::write(&path, record.to_string()).unwrap();
        }
    }
}

#[tokio::test]
async fn env_exports_the_region_in_every_shell_format() {
    let moto = Moto::start();
    let (sandbox, _) = logged_in(&moto).await;
    let env = |shell: &str| {
        let output = sandbox
            .iam_mfa()
            .args(["env", "work", "--shell", shell])
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .output()
            .unwrap();
        assert_exit(&output, 0);
        stdout(&output)
    };
    let expected = [
        (
            "powershell",
            "$Env:AWS_REGION = 'eu-central-1'",
            "$Env:AWS_DEFAULT_REGION = 'eu-central-1'",
        ),
        (
            "cmd",
            "set \"AWS_REGION=eu-central-1\"",
            "set \"AWS_DEFAULT_REGION=eu-central-1\"",
        ),
        (
            "dotenv",
            "AWS_REGION=eu-central-1",
            "AWS_DEFAULT_REGION=eu-central-1",
        ),
        (
            "fish",
            "set -gx AWS_REGION 'eu-central-1'",
            "set -gx AWS_DEFAULT_REGION 'eu-central-1'",
        ),
    ];
    for (shell, region, default_region) in expected {
        let text = env(shell);
        assert!(
            text.lines().any(|line| line == region)
                && text.lines().any(|line| line == default_region),
            "{shell}: {text}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&env("json")).unwrap();
    assert_eq!(json["AWS_REGION"], "eu-central-1");
    assert_eq!(json["AWS_DEFAULT_REGION"], "eu-central-1");

    // Evaluated by the real shells (sh output by dash, bash and zsh, fish output by fish), with a
    // crafted token that only correct quoting carries through.
    let token = "it's a \\ $HOME `touch ran` end";
    craft_cached_token(&sandbox, token);
    let print = "printf '%s|%s|%s' \"$AWS_REGION\" \"$AWS_DEFAULT_REGION\" \"$AWS_SESSION_TOKEN\"";
    let (sh, fish) = (env("sh") + print, env("fish") + print);
    for (shell, script) in [("dash", &sh), ("bash", &sh), ("zsh", &sh), ("fish", &fish)] {
        if !client_available(shell, runs(shell, &["-c", "true"])) {
            continue;
        }
        let output = std::process::Command::new(shell)
            .arg("-c")
            .arg(script)
            .current_dir(sandbox.home())
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .output()
            .unwrap();
        assert_eq!(
            stdout(&output),
            format!("eu-central-1|eu-central-1|{token}"),
            "{shell}: {}",
            stderr(&output)
        );
        assert!(
            !sandbox.home().join("ran").exists(),
            "{shell} ran a command"
        );
    }

    // A region the environment already sets is left to it, as `exec` does.
    let kept = stdout(&sandbox.run(&["env", "work", "--shell", "sh"]));
    assert!(!kept.contains("AWS_REGION"), "{kept}");
}

#[tokio::test]
async fn login_gives_the_written_profile_the_source_region_and_logout_removes_it() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("lena").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "region = eu-central-1\n");
    let config = sandbox.read_config();
    assert_exit(&sandbox.run(&["login", "work", "--code", "123456"]), 0);
    let written = sandbox.read_config();
    assert!(written.starts_with(&config), "{written}");
    assert_eq!(
        &written[config.len()..],
        "\n[profile work-mfa]\nregion = eu-central-1\nx_iam_mfa_managed = true\n"
    );

    // No region in the environment: the AWS CLI takes the profile's.
    let aws = sandbox
        .command("aws")
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "work-mfa",
            "--output",
            "json",
        ])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert_exit(&aws, 0);
    assert_eq!(json(&aws)["Account"], "123456789012");
    if client_available("boto3", runs("python3", &["-c", "import boto3"])) {
        let boto3 = sandbox
            .command("python3")
            .args([
                "-c",
                "import boto3; s = boto3.Session(profile_name='work-mfa'); print(s.region_name, s.client('sts').get_caller_identity()['Account'])",
            ])
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .output()
            .unwrap();
        assert_exit(&boto3, 0);
        assert_eq!(stdout(&boto3).trim(), "eu-central-1 123456789012");
    }

    // A second login changes nothing in the config file; logout restores it byte for byte.
    assert_exit(&sandbox.run(&["login", "work", "--code", "123456"]), 0);
    assert_eq!(sandbox.read_config(), written);
    assert_exit(&sandbox.run(&["logout", "work"]), 0);
    assert_eq!(sandbox.read_config(), config);

    // A [profile work-mfa] iam-mfa did not write is left alone.
    let own = config.clone() + "\n[profile work-mfa]\noutput = json\n";
    sandbox.write_config(&own);
    assert_exit(&sandbox.run(&["login", "work", "--code", "654321"]), 0);
    assert_eq!(sandbox.read_config(), own);
}

#[tokio::test]
async fn dotenv_output_reads_back_the_same_everywhere_and_sourcing_it_runs_nothing() {
    let moto = Moto::start();
    let (sandbox, _) = logged_in(&moto).await;
    let marker = sandbox.home().join("ran");
    let run_marker = format!("`touch {0}`$(touch {0})", marker.display());
    // Single-quoted (backquote, $, ", \\ and #), double-quoted (a ').
    let values = [
        format!("tok{run_marker}$HOME\"q\" a\\b #c"),
        "it's #1 (ok)".to_owned(),
    ];
    let readers = [
        ("python-dotenv", runs("python3", &["-c", "import dotenv"])),
        (
            "npm dotenv (npm ci in tests/interop)",
            runs("node", &["--version"]) && Path::new(INTEROP).join("node_modules/dotenv").is_dir(),
        ),
        ("node --env-file", runs("node", &["--version"])),
    ];
    let available: Vec<bool> = readers
        .iter()
        .map(|(reader, installed)| client_available(reader, *installed))
        .collect();
    for value in &values {
        craft_cached_token(&sandbox, value);
        let output = sandbox.run(&["env", "work", "--shell", "dotenv"]);
        assert_exit(&output, 0);
        let file = sandbox.home().join("session.env");
        std::fs::write(&file, stdout(&output)).unwrap();
        let read_back = |program: &str, args: &[&str]| {
            let output = sandbox
                .command(program)
                .args(args)
                .current_dir(INTEROP)
                .output()
                .unwrap();
            assert_exit(&output, 0);
            stdout(&output)
        };
        let file_arg = file.to_str().unwrap();
        let sourced = read_back(
            "sh",
            &[
                "-c",
                ". \"$1\"; printf %s \"$AWS_SESSION_TOKEN\"",
                "sh",
                file_arg,
            ],
        );
        assert_eq!(&sourced, value, "sh");
        assert!(!marker.exists(), "sourcing the .env file ran a command");
        let readers: [(&str, &[&str]); 3] = [
            (
                "python3",
                &[
                    "-c",
                    "import dotenv, sys; sys.stdout.write(dotenv.dotenv_values(sys.argv[1])['AWS_SESSION_TOKEN'])",
                    file_arg,
                ],
            ),
            (
                "node",
                &[
                    "-e",
                    "const fs = require('fs'); process.stdout.write(require('dotenv').parse(fs.readFileSync(process.argv[1])).AWS_SESSION_TOKEN)",
                    file_arg,
                ],
            ),
            (
                "node",
                &[
                    &format!("--env-file={file_arg}"),
                    "-e",
                    "process.stdout.write(process.env.AWS_SESSION_TOKEN)",
                ],
            ),
        ];
        for ((program, args), available) in readers.iter().zip(&available) {
            if *available {
                assert_eq!(&read_back(program, args), value, "{program} {args:?}");
            }
        }
    }

    // No quoting carries all of them for every reader: refused, nothing printed.
    craft_cached_token(&sandbox, "a`b$c\"d\\e'f");
    let refused = sandbox.run(&["env", "work", "--shell", "dotenv"]);
    assert_exit(&refused, 2);
    assert_eq!(stdout(&refused), "");
    assert!(
        stderr(&refused).contains("use --shell json"),
        "{}",
        stderr(&refused)
    );
}
