//! `process` against moto: credential_process JSON, caching, single flight, recursion guard.

use crate::common::loopback::{self, Reply};
use crate::common::{Moto, Sandbox, assert_exit, stderr, stdout, with_stdin};
use std::process::Stdio;

/// Starts `n` `iam-mfa process work` at once and waits for all of them, in start order.
#[allow(clippy::unwrap_used)] // test support: a failed step fails the test
fn parallel_process(sandbox: &Sandbox, n: usize) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            sandbox
                .iam_mfa()
                .args(["process", "work"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect()
}

/// Makes every cached session look as if 12 h sessions had been obtained long ago and only
/// `left` seconds remained: time passing, without waiting for it.
#[allow(clippy::unwrap_used)] // test support: a failed step fails the test
fn age_cached_sessions(sandbox: &Sandbox, left: i64) {
    let rfc3339 = |at: time::OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let expiration = time::OffsetDateTime::now_utc() + time::Duration::seconds(left);
    let issued = expiration - time::Duration::hours(12);
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let mut record: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        record["session"]["expiration"] = rfc3339(expiration).into();
        record["issued_at"] = rfc3339(issued).into();
        std::fs::write(&path, record.to_string()).unwrap();
    }
}

#[tokio::test]
async fn process_prints_version_1_json_and_reuses_the_cache() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("erin").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");

    let first = sandbox.run(&["process", "work", "--code", "123456"]);
    assert_exit(&first, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["AccessKeyId"].as_str().unwrap().len() >= 16);
    assert!(!json["SecretAccessKey"].as_str().unwrap().is_empty());
    assert!(!json["SessionToken"].as_str().unwrap().is_empty());
    let expiration = json["Expiration"].as_str().unwrap();
    assert!(
        expiration.ends_with('Z') && expiration.len() == 20,
        "{expiration}"
    );
    assert!(
        stderr(&first).is_empty(),
        "nothing on stderr: {}",
        stderr(&first)
    );

    let second = sandbox.run(&["process", "work"]);
    assert_exit(&second, 0);
    assert_eq!(stdout(&second), stdout(&first));
    assert_eq!(moto.count("GetSessionToken"), 1);

    // A session inside the refresh margin is renewed, which needs a code again. (moto returns
    // the same example credentials every time, so only its request count tells calls apart.)
    age_cached_sessions(&sandbox, 600);
    let refreshed = sandbox.run(&["process", "work", "--code", "654321"]);
    assert_exit(&refreshed, 0);
    assert_eq!(moto.count("GetSessionToken"), 2);

    // Typing the same code again is recognised before AWS is asked (AWS would only say "invalid").
    let reused = sandbox.run(&["process", "work", "--code", "654321", "--refresh"]);
    assert_exit(&reused, 5);
    assert!(
        stderr(&reused).contains("already used"),
        "{}",
        stderr(&reused)
    );
    assert_eq!(moto.count("GetSessionToken"), 2);

    // Inside the margin but with no way to get a code, the still-valid session is used.
    age_cached_sessions(&sandbox, 600);
    let fallback = sandbox.run(&["process", "work"]);
    assert_exit(&fallback, 0);
    assert!(
        stderr(&fallback).contains("cannot renew the session"),
        "{}",
        stderr(&fallback)
    );
    assert_eq!(moto.count("GetSessionToken"), 2);

    // --endpoint-url works without AWS_ENDPOINT_URL in the environment.
    let flagged = sandbox
        .iam_mfa()
        .args([
            "--endpoint-url",
            moto.endpoint(),
            "process",
            "work",
            "--code",
            "111111",
            "--refresh",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_exit(&flagged, 0);
    assert_eq!(moto.count("GetSessionToken"), 3);

    #[cfg(unix)]
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let meta = entry.unwrap().metadata().unwrap();
        assert_eq!(
            meta.permissions().mode() & 0o077,
            0,
            "cache files are private"
        );
    }
}

#[tokio::test]
async fn thirty_concurrent_callers_get_one_code_one_sts_call_and_the_same_session() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("frank").await;
    let sandbox = Sandbox::new(&moto);
    let counter = sandbox.home().join("mfa_process.count");
    let mfa_process = format!(
        "mfa_process = sh -c 'echo x >> {}; sleep 0.3; echo 123456'\n",
        counter.display()
    );
    sandbox.add_profile("work", &user, &mfa_process);

    let outputs = parallel_process(&sandbox, 30);
    for output in &outputs {
        assert_exit(output, 0);
    }
    let invocations = std::fs::read_to_string(&counter).unwrap().lines().count();
    assert_eq!(invocations, 1, "mfa_process ran {invocations} times");
    assert_eq!(moto.count("GetSessionToken"), 1);
    let first = stdout(&outputs[0]);
    assert!(first.contains("\"Version\":1"));
    assert!(
        outputs.iter().all(|output| stdout(output) == first),
        "all 30 outputs are identical"
    );
}

#[tokio::test]
async fn recursion_is_refused_and_a_missing_code_source_explained() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("gina").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");

    let output = sandbox
        .iam_mfa()
        .args(["process", "work"])
        .env("IAM_MFA_ACTIVE", "1")
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("refusing to recurse"),
        "{}",
        stderr(&output)
    );

    let output = sandbox.run(&["process", "work"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no --code, no mfa_process"),
        "{}",
        stderr(&output)
    );

    let config = sandbox.read_config() + "mfa_process = echo no code here\n";
    sandbox.write_config(&config);
    let output = sandbox.run(&["process", "work"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("no 6-digit code"),
        "{}",
        stderr(&output)
    );
    assert_eq!(moto.count("GetSessionToken"), 0);
}

/// The prompt goes to the controlling terminal, so it works under credential_process, where
/// stdin is closed and stderr is captured. `script` provides a terminal fed from our pipe.
#[cfg(unix)]
#[tokio::test]
async fn prompt_uses_the_terminal_when_stdin_and_stderr_are_not_the_users() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("kate").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");
    let out = sandbox.home().join("out.json");
    let err = sandbox.home().join("err.txt");
    let inner = format!(
        "'{}' process work </dev/null >'{}' 2>'{}'",
        crate::common::IAM_MFA,
        out.display(),
        err.display()
    );
    let mut command = sandbox.command("script");
    command
        .args(["-qec", &inner, "/dev/null"])
        .env_remove("IAM_MFA_NO_TTY");
    let output = with_stdin(command, b"12345\n123456\n");
    assert_exit(&output, 0);
    let screen = stdout(&output);
    assert!(
        screen.contains(&format!("MFA code for {}: ", user.serial())),
        "{screen}"
    );
    assert!(
        screen.contains("exactly 6 digits, but it has 5 digits"),
        "{screen}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        "",
        "nothing on the captured stderr"
    );
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn debug_log_never_shows_a_secret() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("liam").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.write_credentials(&user.credentials_section("work"));
    let output = sandbox.run(&["--debug", "process", "work", "--code", "123456"]);
    assert_exit(&output, 0);
    let session = crate::common::json(&output);
    let log = stderr(&output);
    assert!(
        log.contains("GetSessionToken") && log.contains("ListMFADevices"),
        "{log}"
    );
    for secret in [
        user.secret_access_key.as_str(),
        session["SecretAccessKey"].as_str().unwrap(),
        session["SessionToken"].as_str().unwrap(),
    ] {
        assert!(!log.contains(secret), "a secret is in the debug log");
    }
}

#[tokio::test]
async fn a_900_second_session_is_reused_and_reported_valid() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("quinn").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("flag", &user, "");

    // `--duration 900` with the default 900 s margin: the second call within the code's 30 s
    // step must use the cached session, not ask AWS again with the same (already used) code.
    let first = sandbox.run(&["process", "flag", "--duration", "900", "--code", "123456"]);
    assert_exit(&first, 0);
    let second = sandbox.run(&["process", "flag", "--duration", "900", "--code", "123456"]);
    assert_exit(&second, 0);
    assert_eq!(stdout(&second), stdout(&first));
    let third = sandbox.run(&["process", "flag", "--duration", "900"]);
    assert_exit(&third, 0);
    assert!(stderr(&third).is_empty(), "{}", stderr(&third));
    assert_eq!(moto.count("GetSessionToken"), 1);
    let status = sandbox.run(&["status", "flag"]);
    assert_exit(&status, 0);
    assert!(stdout(&status).contains("valid"), "{}", stdout(&status));

    // The same through `duration_seconds = 900` in the profile.
    let other = moto.create_user_with_mfa("rita").await;
    sandbox.add_profile("short", &other, "duration_seconds = 900\n");
    assert_exit(&sandbox.run(&["process", "short", "--code", "222222"]), 0);
    assert_exit(&sandbox.run(&["process", "short", "--code", "222222"]), 0);
    assert_eq!(moto.count("GetSessionToken"), 2);
    assert_exit(&sandbox.run(&["status", "short"]), 0);
}

#[cfg(unix)]
#[tokio::test]
async fn process_with_stdout_closed_fails_instead_of_delivering_nothing() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("sven").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");
    let run = |redirect: &str| {
        sandbox
            .command("/bin/sh")
            .args([
                "-c",
                &format!("exec \"$0\" process work --code 123456 {redirect}"),
                crate::common::IAM_MFA,
            ])
            .output()
            .unwrap()
    };
    let closed = run(">&-");
    assert_exit(&closed, 1);
    assert!(
        stderr(&closed).contains("standard output is closed"),
        "{}",
        stderr(&closed)
    );
    assert_eq!(moto.count("GetSessionToken"), 0, "no code spent for nobody");
    // Discarding the output on purpose is the caller's choice.
    assert_exit(&run(">/dev/null"), 0);
}

#[tokio::test]
async fn malformed_serials_and_profile_names_fail_before_any_aws_call() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("tara").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");
    let before = moto.actions().len();
    let config = sandbox.read_config();

    let two_lines = format!("{}\nmfa_process = touch pwned", user.serial());
    let setup = sandbox.run(&["setup", "work", "--serial", &two_lines]);
    assert_exit(&setup, 2);
    assert_eq!(sandbox.read_config(), config, "nothing written");
    let process = sandbox.run(&[
        "process", "work", "--serial", &two_lines, "--code", "123456",
    ]);
    assert_exit(&process, 2);
    assert!(
        stderr(&process).contains("\\nmfa_process"),
        "the serial is shown escaped: {}",
        stderr(&process)
    );
    for name in ["a b", "x]\n[default"] {
        let output = sandbox.run(&["process", name, "--code", "123456"]);
        assert_exit(&output, 2);
        let flagged = sandbox.run(&["--profile", name, "process", "--code", "123456"]);
        assert_exit(&flagged, 2);
    }
    // A serial with a line break in the config file is refused too.
    sandbox.write_config(&format!(
        "[profile work]\nmfa_serial = {}\n  extra\n",
        user.serial()
    ));
    let from_file = sandbox.run(&["process", "work", "--code", "123456"]);
    assert_exit(&from_file, 2);
    assert_eq!(moto.actions().len(), before, "no AWS call");
}

#[tokio::test]
async fn waiters_stay_silent_while_the_lock_holder_asks_for_the_code() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("uma").await;
    let sandbox = Sandbox::new(&moto);
    // mfa_process stands for a prompt that takes the user a few seconds to answer.
    sandbox.add_profile(
        "work",
        &user,
        "mfa_process = sh -c 'sleep 4; echo 123456'\n",
    );
    let outputs = parallel_process(&sandbox, 6);
    for output in &outputs {
        assert_exit(output, 0);
    }
    assert_eq!(moto.count("GetSessionToken"), 1);
    let notices: usize = outputs
        .iter()
        .map(|output| {
            stderr(output)
                .matches("waiting for another iam-mfa")
                .count()
        })
        .sum();
    assert!(
        notices <= 1,
        "{notices} waiting notices around the prompt: {:?}",
        outputs.iter().map(stderr).collect::<Vec<_>>()
    );
}

/// The MFA code the loopback tests type (not a substring of the account id in the serial).
const CODE: &str = "975310";

/// The bound the issue sets for `process`, under the 60 s the Go SDKs give a credential_process.
const PROCESS_LIMIT: std::time::Duration = std::time::Duration::from_secs(55);

/// RFC 3339 (whole seconds) of now + `seconds`.
fn rfc3339_in(seconds: i64) -> String {
    let now = std::time::SystemTime::now();
    let offset = std::time::Duration::from_secs(seconds.unsigned_abs());
    let at = if seconds >= 0 {
        now + offset
    } else {
        now - offset
    };
    humantime::format_rfc3339_seconds(at).to_string()
}

/// A loopback STS that hands out a good one-hour session.
fn good_sts() -> loopback::Server {
    let xml = loopback::session_xml(
        "ASIAIOSFODNN7EXAMPLE",
        "session/secret/EXAMPLEKEY",
        "FQoGZXIvYXdzEXAMPLETOKEN",
        &rfc3339_in(3600),
    );
    loopback::Server::always(Reply::Answer(200, xml))
}

/// Runs `process work --code CODE` against `server` and returns its output and duration.
fn process_against(server: &loopback::Server) -> (std::process::Output, std::time::Duration) {
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.add_fake_profile("work");
    let started = std::time::Instant::now();
    let output = sandbox.run(&["process", "work", "--code", CODE]);
    (output, started.elapsed())
}

/// Panics if the MFA code appears anywhere in the output.
fn assert_code_not_shown(output: &std::process::Output) {
    let all = stdout(output) + &stderr(output);
    assert!(!all.contains(CODE), "the MFA code is in the output:\n{all}");
}

#[test]
fn process_gives_up_on_a_black_hole_or_a_trickling_endpoint_within_55_s() {
    let trickle = loopback::session_xml("ASIAX", "secret", "token", &rfc3339_in(3600));
    let servers = [
        ("black hole", loopback::Server::always(Reply::Hold)),
        (
            "1 byte/s",
            loopback::Server::always(Reply::Trickle(200, trickle)),
        ),
    ];
    std::thread::scope(|scope| {
        let runs: Vec<_> = servers
            .iter()
            .map(|(name, server)| (name, scope.spawn(|| process_against(server))))
            .collect();
        for (name, run) in runs {
            let (output, elapsed) = run.join().unwrap();
            eprintln!(
                "{name}: process exited after {elapsed:?}: {}",
                stderr(&output)
            );
            assert!(elapsed < PROCESS_LIMIT, "{name}: took {elapsed:?}");
            assert_exit(&output, 1);
            let text = stderr(&output);
            assert!(text.contains("timeout"), "{name}: {text}");
            assert!(text.contains("sts:GetSessionToken"), "{name}: {text}");
            assert!(stdout(&output).is_empty(), "{name}: nothing on stdout");
            assert_code_not_shown(&output);
        }
    });
}

#[test]
fn throttling_and_server_errors_end_within_55_s_with_a_message_that_says_so() {
    let cases = [
        (
            "throttled",
            Reply::Answer(400, loopback::error_xml("Throttling", "Rate exceeded")),
            "throttled",
        ),
        ("503", Reply::Answer(503, String::new()), "HTTP 503"),
        (
            "500 garbage",
            Reply::Answer(500, "<html>oops".to_owned()),
            "HTTP 500",
        ),
        (
            "200 garbage",
            Reply::Answer(200, "}{ not xml".to_owned()),
            "HTTP 200",
        ),
    ];
    for (name, reply, expected) in cases {
        let server = loopback::Server::always(reply);
        let (output, elapsed) = process_against(&server);
        eprintln!(
            "{name}: process exited after {elapsed:?} and {} requests: {}",
            server.requests().len(),
            stderr(&output)
        );
        assert!(elapsed < PROCESS_LIMIT, "{name}: took {elapsed:?}");
        assert_exit(&output, 1);
        let text = stderr(&output);
        assert!(text.contains(expected), "{name}: {text}");
        if name != "throttled" {
            assert!(
                text.contains("server-side") && text.contains(server.endpoint()),
                "{name}: {text}"
            );
            assert!(
                !text.contains("oops") && !text.contains("not xml"),
                "{name}: body shown: {text}"
            );
        }
        assert!(
            server.requests().len() > 1 || name == "200 garbage",
            "{name}: retried"
        );
        assert_code_not_shown(&output);
    }
}

#[test]
fn malformed_endpoint_urls_are_usage_errors_that_never_show_the_request() {
    let server = good_sts();
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.add_fake_profile("work");
    for url in [
        "http://[::1",
        "not a url",
        "ftp://x",
        "",
        "http://",
        "http://:80/",
    ] {
        let output = sandbox.run(&["--endpoint-url", url, "process", "work", "--code", CODE]);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("invalid endpoint URL"),
            "{url}: {}",
            stderr(&output)
        );
        assert_code_not_shown(&output);
        if url.is_empty() {
            continue; // an empty AWS_ENDPOINT_URL means "not set", as in the SDKs
        }
        let output = sandbox
            .iam_mfa()
            .args(["process", "work", "--code", CODE])
            .env("AWS_ENDPOINT_URL", url)
            .output()
            .unwrap();
        assert_exit(&output, 2);
        assert!(stderr(&output).contains("AWS_ENDPOINT_URL"), "{url}");
        assert_code_not_shown(&output);
    }
    assert!(!sandbox.cache_dir().exists(), "no lock, no cache");
    assert!(server.requests().is_empty());

    // An endpoint_url in the profile reaches the SDK; its error must not show the request either.
    let config = sandbox.read_config() + "endpoint_url = http://[::1\n";
    sandbox.write_config(&config);
    let output = sandbox
        .iam_mfa()
        .args(["--debug", "process", "work", "--code", CODE])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_ne!(output.status.code(), Some(101), "{}", stderr(&output));
    assert_code_not_shown(&output);
}

#[test]
fn bad_characters_an_empty_endpoint_and_an_unwritable_stderr_never_panic() {
    let server = good_sts();
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.write_credentials(
        "[work]\naws_access_key_id = AKIA\u{1}EXAMPLE\naws_secret_access_key = secret\n",
    );
    sandbox.write_config(&format!(
        "[profile work]\nmfa_serial = {}\n",
        loopback::SERIAL
    ));
    let output = sandbox.run(&["process", "work", "--code", CODE]);
    assert_exit(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("`work`")
            && text.contains("aws_access_key_id")
            && text.contains("control character"),
        "{text}"
    );
    assert!(!text.contains("EXAMPLE"), "the key is not shown: {text}");

    let output = sandbox.run(&["--endpoint-url", "", "process", "work", "--code", CODE]);
    assert_exit(&output, 2);

    // Without mfa_serial the admin commands sign with the SDK's default chain: the same key is an
    // error there too, not the SDK's panic while signing.
    let credentials = sandbox.read_credentials()
        + "[plain]\naws_access_key_id = AKIA\u{1}EXAMPLE\naws_secret_access_key = secret\n";
    sandbox.write_credentials(&credentials);
    let output = sandbox.run(&["--profile", "plain", "devices"]);
    assert_exit(&output, 1);
    let text = stderr(&output);
    assert!(
        text.contains("aws_access_key_id") && text.contains("control character"),
        "{text}"
    );
    assert!(!text.contains("EXAMPLE"), "the key is not shown: {text}");

    // stderr on /dev/full: the message is lost, the exit code is not.
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.add_fake_profile("work");
    for args in [
        &["process", "work"][..],
        &["--debug", "process", "work"][..],
        &["--region", "bad region", "process", "work"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = sandbox.iam_mfa().args(args).stderr(full).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn invalid_regions_are_usage_errors_before_the_lock_and_the_cache() {
    let server = good_sts();
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.add_fake_profile("work");
    for region in ["us east 1", "", "US_EAST_1", "us-east-1\n", "-x"] {
        let flag = format!("--region={region}");
        let output = sandbox.run(&[&flag, "process", "work", "--code", CODE]);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("not an AWS region name"),
            "{region:?}: {}",
            stderr(&output)
        );
        if region.is_empty() {
            continue; // an empty AWS_REGION means "not set", as in the SDKs
        }
        let output = sandbox
            .iam_mfa()
            .args(["process", "work", "--code", CODE])
            .env("AWS_REGION", region)
            .output()
            .unwrap();
        assert_exit(&output, 2);
        assert!(stderr(&output).contains("AWS_REGION"), "{region:?}");
    }
    let config = sandbox.read_config() + "region = us east 1\n";
    sandbox.write_config(&config);
    let output = sandbox
        .iam_mfa()
        .args(["process", "work", "--code", CODE])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("not an AWS region name"),
        "{}",
        stderr(&output)
    );
    assert!(!sandbox.cache_dir().exists(), "cache dir untouched");
    assert!(server.requests().is_empty());
}

#[test]
fn expired_or_empty_credentials_from_the_endpoint_are_refused_and_not_cached() {
    let good = rfc3339_in(3600);
    let cases = [
        (
            "expired",
            loopback::session_xml("ASIAX", "s", "t", &rfc3339_in(-60)),
            "expired",
        ),
        (
            "empty key",
            loopback::session_xml("", "s", "t", &good),
            "AccessKeyId",
        ),
        (
            "empty secret",
            loopback::session_xml("ASIAX", "", "t", &good),
            "SecretAccessKey",
        ),
        (
            "empty token",
            loopback::session_xml("ASIAX", "s", "", &good),
            "SessionToken",
        ),
    ];
    for (name, xml, expected) in cases {
        let server = loopback::Server::always(Reply::Answer(200, xml));
        let sandbox = Sandbox::with_endpoint(server.endpoint());
        sandbox.add_fake_profile("work");
        let output = sandbox.run(&["process", "work", "--code", CODE]);
        assert_exit(&output, 1);
        let text = stderr(&output);
        assert!(
            text.contains("unusable credentials") && text.contains(expected),
            "{name}: {text}"
        );
        assert!(stdout(&output).is_empty(), "{name}: nothing handed out");
        // Nothing was cached: without a code there is no session to fall back on.
        let again = sandbox.run(&["process", "work"]);
        assert_exit(&again, 2);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off_while_secrets_are_in_memory() {
    let server = good_sts();
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    // Start iam-mfa with the soft core limit raised as far as it goes (many systems default to 0).
    const RAISED: &str = "ulimit -S -c \"$(ulimit -H -c)\"; exec \"$@\"";
    let raised = |args: &[&str]| {
        sandbox
            .command("sh")
            .args(["-c", RAISED, "sh"])
            .args(args)
            .output()
            .unwrap()
    };
    let before = raised(&["sh", "-c", "ulimit -c"]);
    if stdout(&before).trim() == "0" {
        eprintln!("the hard core limit is 0 here: no process can dump core, nothing to test");
        return;
    }
    let limits = sandbox.home().join("limits.txt");
    sandbox.add_fake_profile("work");
    // mfa_process runs after the keys are read: it looks at its parent, iam-mfa.
    let config = sandbox.read_config()
        + &format!(
            "mfa_process = grep 'Max core file size' /proc/$PPID/limits > '{}'; echo {CODE}\n",
            limits.display()
        );
    sandbox.write_config(&config);
    let output = raised(&[crate::common::IAM_MFA, "process", "work"]);
    assert_exit(&output, 0);
    let line = std::fs::read_to_string(&limits).unwrap();
    let soft = line.split_whitespace().nth(4).unwrap();
    assert_eq!(soft, "0", "{line}");
    let output = raised(&[
        crate::common::IAM_MFA,
        "exec",
        "work",
        "--",
        "sh",
        "-c",
        "ulimit -c",
    ]);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).trim(), "0");
}
