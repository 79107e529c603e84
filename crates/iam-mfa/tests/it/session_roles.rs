//! Role profiles against moto: one MFA code and one GetSessionToken for every role profile built
//! on a source, role sessions cached and renewed without a code, chains cut to 1 h, broken
//! chains refused before anything is asked, and `login`, `exec`, `env`, `status`, `logout` of
//! role profiles.

use crate::common::{Moto, Sandbox, TestUser, assert_exit, json, stderr, stdout};
use aws_sdk_sts::config::Credentials;
use std::path::{Path, PathBuf};
use std::process::Output;
use time::OffsetDateTime;

const ADMIN: &str = "arn:aws:iam::222222222222:role/Admin";
const PROD_READ: &str = "arn:aws:iam::222222222222:role/ReadOnly";
const STAGING_READ: &str = "arn:aws:iam::333333333333:role/ReadOnly";

/// `[work]` with the user's keys and an `mfa_process` that counts its runs in the returned file;
/// the role profiles of the issue: `prod-admin` (which repeats the serial, as CLI users write it),
/// `prod-read` and `staging-read` in a second account.
fn role_sandbox(moto: &Moto, user: &TestUser, extra: &str) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new(moto);
    let counter = sandbox.home().join("codes.count");
    let mfa_process = format!(
        "mfa_process = sh -c 'echo x >> {}; sleep 0.3; echo 123456'\n",
        counter.display()
    );
    sandbox.add_profile("work", user, &mfa_process);
    let config = sandbox.read_config()
        + &format!(
            "[profile prod-admin]\nrole_arn = {ADMIN}\nsource_profile = work\nmfa_serial = {}\n\
             [profile prod-read]\nrole_arn = {PROD_READ}\nsource_profile = work\n\
             [profile staging-read]\nrole_arn = {STAGING_READ}\nsource_profile = work\n{extra}",
            user.serial()
        );
    sandbox.write_config(&config);
    (sandbox, counter)
}

fn codes_asked(counter: &Path) -> usize {
    std::fs::read_to_string(counter)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}

/// Runs `iam-mfa process PROFILE` for every profile at once.
fn process_all(sandbox: &Sandbox, profiles: &[&str]) -> Vec<Output> {
    let children: Vec<_> = profiles
        .iter()
        .map(|profile| {
            sandbox
                .iam_mfa()
                .args(["process", profile])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect()
}

/// The credential_process output's credentials and expiry.
fn credentials_of(output: &Output) -> (Credentials, OffsetDateTime) {
    assert_exit(output, 0);
    let value = json(output);
    let expiration = OffsetDateTime::parse(
        value["Expiration"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let credentials = Credentials::new(
        value["AccessKeyId"].as_str().unwrap(),
        value["SecretAccessKey"].as_str().unwrap(),
        value["SessionToken"].as_str().map(str::to_owned),
        None,
        "test",
    );
    (credentials, expiration)
}

/// The ARN `sts:GetCallerIdentity` returns for `credentials`.
async fn caller_arn(moto: &Moto, credentials: Credentials) -> String {
    let config = moto.sdk_config(Some(credentials)).await;
    aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

/// The cached role sessions of a sandbox: path and JSON.
fn role_files(sandbox: &Sandbox) -> Vec<(PathBuf, serde_json::Value)> {
    let Ok(entries) = std::fs::read_dir(sandbox.cache_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            name.starts_with("role-") && name.ends_with(".json")
        })
        .map(|path| {
            let value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (path, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn seconds_until(at: OffsetDateTime) -> i64 {
    (at - OffsetDateTime::now_utc()).whole_seconds()
}

#[tokio::test]
async fn three_role_profiles_started_at_once_cost_one_code_one_mfa_session_and_three_roles() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("alice").await;
    let (sandbox, counter) = role_sandbox(&moto, &user, "");
    let profiles = ["prod-admin", "prod-read", "staging-read"];
    let expected = [
        "arn:aws:sts::222222222222:assumed-role/Admin/",
        "arn:aws:sts::222222222222:assumed-role/ReadOnly/",
        "arn:aws:sts::333333333333:assumed-role/ReadOnly/",
    ];

    // Each profile twice, all at once: one code, one MFA session, one AssumeRole per role.
    let doubled: Vec<&str> = profiles.iter().chain(&profiles).copied().collect();
    let outputs = process_all(&sandbox, &doubled);
    assert_eq!(codes_asked(&counter), 1, "one code for three role profiles");
    assert_eq!(moto.count("GetSessionToken"), 1);
    assert_eq!(moto.count("AssumeRole"), 3);
    for (first, second) in outputs.iter().zip(&outputs[3..]) {
        assert_eq!(
            stdout(first),
            stdout(second),
            "callers of one role get one session"
        );
    }
    for (output, want) in outputs.iter().zip(expected) {
        let (credentials, expiration) = credentials_of(output);
        let arn = caller_arn(&moto, credentials).await;
        assert!(arn.starts_with(want), "{arn} is not {want}…");
        let left = seconds_until(expiration);
        assert!(
            (3500..=3600).contains(&left),
            "a role session lasts 1 h by default: {left}"
        );
    }

    // A second round within the margin makes no STS call.
    let again = process_all(&sandbox, &profiles);
    for (first, second) in outputs.iter().zip(&again) {
        assert_eq!(stdout(first), stdout(second), "served from the cache");
    }
    assert_eq!(moto.count("GetSessionToken"), 1);
    assert_eq!(moto.count("AssumeRole"), 3);

    // The role sessions expire while the MFA session lasts: renewing them costs AssumeRole
    // calls and no code.
    let files = role_files(&sandbox);
    assert_eq!(files.len(), 3);
    for (path, mut value) in files {
        value["session"]["expiration"] = "2020-01-01T00:00:00Z".into();
        std::fs::write(path, value.to_string()).unwrap();
    }
    let renewed = process_all(&sandbox, &profiles);
    for (output, want) in renewed.iter().zip(expected) {
        let (credentials, _) = credentials_of(output);
        assert!(caller_arn(&moto, credentials).await.starts_with(want));
    }
    assert_eq!(moto.count("AssumeRole"), 6);
    assert_eq!(moto.count("GetSessionToken"), 1);
    assert_eq!(
        codes_asked(&counter),
        1,
        "no new code while the MFA session lasts"
    );

    // `status --all` shows the MFA session and each role session with its time left.
    let status = sandbox.run(&["status", "--all", "--output", "json"]);
    assert_exit(&status, 0);
    let sessions = json(&status)["sessions"].as_array().unwrap().clone();
    let kinds: Vec<(&str, &str)> = sessions
        .iter()
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap(),
                entry["profile"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("mfa", "work"),
            ("role", "prod-admin"),
            ("role", "prod-read"),
            ("role", "staging-read")
        ]
    );
    for entry in &sessions[1..] {
        assert_eq!(entry["source_profile"], "work");
        assert_eq!(entry["state"], "valid");
        assert!(entry["seconds_left"].as_i64().unwrap() > 3000);
    }
    assert_eq!(sessions[2]["role_arn"], PROD_READ);
    let text = stdout(&sandbox.run(&["status", "--all"]));
    assert!(
        text.contains(&format!(
            "staging-read: valid, expires {}",
            sessions[3]["expiration"].as_str().unwrap()
        )) && text.contains(&format!("role {STAGING_READ} on the MFA session of `work`")),
        "{text}"
    );
}

#[tokio::test]
async fn a_two_hop_chain_gets_at_most_an_hour_and_says_so() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("bob").await;
    let chain = "[profile deep]\nrole_arn = arn:aws:iam::333333333333:role/Deep\nsource_profile = prod-admin\nduration_seconds = 7200\n\
                 [profile long]\nrole_arn = arn:aws:iam::222222222222:role/Long\nsource_profile = work\nduration_seconds = 7200\n";
    let (sandbox, counter) = role_sandbox(&moto, &user, chain);

    let deep = sandbox.run(&["process", "deep"]);
    let (credentials, expiration) = credentials_of(&deep);
    assert!(
        stderr(&deep).contains(
            "role chaining: `deep` is assumed with the credentials of role `prod-admin`, and AWS allows such a session at most 1 h; asked for 2h 00m, getting 1h 00m"
        ),
        "{}",
        stderr(&deep)
    );
    assert!(seconds_until(expiration) <= 3600);
    assert!(
        caller_arn(&moto, credentials)
            .await
            .starts_with("arn:aws:sts::333333333333:assumed-role/Deep/")
    );
    assert_eq!(moto.count("AssumeRole"), 2, "prod-admin, then deep on it");

    // The first hop is prod-admin's own role session: cached once for both.
    credentials_of(&sandbox.run(&["process", "prod-admin"]));
    assert_eq!(moto.count("AssumeRole"), 2);

    // `--duration` on a chained role is cut the same way; a first hop is not chained.
    let refreshed = sandbox.run(&["process", "deep", "--duration", "5400", "--refresh"]);
    credentials_of(&refreshed);
    assert!(stderr(&refreshed).contains("asked for 1h 30m, getting 1h 00m"));
    let long = sandbox.run(&["process", "long"]);
    let (_, expiration) = credentials_of(&long);
    assert!(
        seconds_until(expiration) > 7000,
        "a role assumed on the MFA session gets its duration_seconds"
    );
    assert!(!stderr(&long).contains("role chaining"));
    assert_eq!(codes_asked(&counter), 1);
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn a_broken_chain_exits_2_and_changes_nothing() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("carol").await;
    let broken = "[profile loop-a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = loop-b\n\
                  [profile loop-b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = loop-a\n\
                  [profile orphan]\nrole_arn = arn:aws:iam::222222222222:role/O\nsource_profile = nowhere\n\
                  [profile deep-orphan]\nrole_arn = arn:aws:iam::222222222222:role/D\nsource_profile = orphan\n\
                  [profile both]\nrole_arn = arn:aws:iam::222222222222:role/X\nsource_profile = work\ncredential_source = Environment\n\
                  [profile sourceless]\nrole_arn = arn:aws:iam::222222222222:role/Y\n\
                  [profile bad-arn]\nrole_arn = arn:aws:iam::2222:role/Z\nsource_profile = work\n\
                  [profile too-long]\nrole_arn = arn:aws:iam::222222222222:role/T\nsource_profile = work\nduration_seconds = 50000\n";
    let (sandbox, counter) = role_sandbox(&moto, &user, broken);
    let config = sandbox.read_config();
    let credentials = sandbox.read_credentials();
    let seeded = moto.actions().len();
    let cases = [
        (
            "loop-a",
            "source_profile forms a loop: loop-a -> loop-b -> loop-a",
        ),
        (
            "orphan",
            "profile `nowhere` (the source_profile of `orphan`) does not exist",
        ),
        (
            "deep-orphan",
            "profile `nowhere` (the source_profile of `orphan`) does not exist",
        ),
        (
            "both",
            "profile `both` has both source_profile and credential_source; keep only one",
        ),
        (
            "sourceless",
            "profile `sourceless` has role_arn but neither source_profile nor credential_source",
        ),
        (
            "bad-arn",
            "profile `bad-arn`: `arn:aws:iam::2222:role/Z` is not a valid role ARN",
        ),
        (
            "too-long",
            "invalid duration in duration_seconds of profile `too-long`: 50000 is outside 900..=43200 seconds",
        ),
    ];
    for (profile, message) in cases {
        for command in [
            vec!["process", profile],
            vec!["login", profile],
            vec!["env", profile],
            vec!["exec", profile, "--", "true"],
            vec!["setup", profile],
        ] {
            let output = sandbox.run(&command);
            assert_exit(&output, 2);
            assert!(
                stderr(&output).contains(message),
                "{command:?}: {}",
                stderr(&output)
            );
        }
    }
    assert_eq!(sandbox.read_config(), config);
    assert_eq!(sandbox.read_credentials(), credentials);
    assert_eq!(codes_asked(&counter), 0);
    assert_eq!(
        moto.actions().len(),
        seeded,
        "no AWS call: {:?}",
        moto.actions()
    );
    assert!(
        std::fs::read_dir(sandbox.cache_dir()).map_or(true, |mut dir| dir.next().is_none()),
        "nothing cached"
    );
}

#[tokio::test]
async fn login_exec_and_env_hand_out_the_role_session() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("dave").await;
    let (sandbox, counter) = role_sandbox(&moto, &user, "region = eu-west-2\n");

    let login = sandbox.run(&["login", "staging-read", "--output", "json"]);
    assert_exit(&login, 0);
    assert_eq!(json(&login)["target"], "staging-read-mfa");
    let written = sandbox.read_credentials();
    assert!(written.contains("[staging-read-mfa]\n"), "{written}");
    let key = written
        .split("[staging-read-mfa]")
        .nth(1)
        .and_then(|section| {
            section
                .lines()
                .find_map(|line| line.strip_prefix("aws_access_key_id = "))
        })
        .unwrap()
        .to_owned();
    assert!(
        sandbox
            .read_config()
            .contains("[profile staging-read-mfa]\nregion = eu-west-2\n")
    );

    let exec = sandbox
        .iam_mfa()
        .args([
            "exec",
            "staging-read",
            "--",
            "sh",
            "-c",
            "echo $AWS_ACCESS_KEY_ID $AWS_REGION",
        ])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .unwrap();
    assert_exit(&exec, 0);
    assert_eq!(stdout(&exec).trim(), format!("{key} eu-west-2"));
    let env = sandbox.run(&["env", "staging-read"]);
    assert_exit(&env, 0);
    assert!(
        stdout(&env).contains(&format!("export AWS_ACCESS_KEY_ID='{key}'")),
        "{}",
        stdout(&env)
    );
    assert_eq!(moto.count("AssumeRole"), 1);
    assert_eq!(codes_asked(&counter), 1);

    // logout of the role forgets its session and the section login wrote; the MFA session stays.
    let logout = sandbox.run(&["logout", "staging-read"]);
    assert_exit(&logout, 0);
    assert!(!sandbox.read_credentials().contains("[staging-read-mfa]"));
    assert!(role_files(&sandbox).is_empty());
    assert_exit(&sandbox.run(&["status", "work"]), 0);
    credentials_of(&sandbox.run(&["process", "prod-read"]));
    assert_eq!(codes_asked(&counter), 1);
    // logout of the source forgets its MFA session and every role session built on it.
    let logout = sandbox.run(&["logout", "work", "--output", "json"]);
    assert_exit(&logout, 0);
    assert_eq!(json(&logout)["cached_sessions_removed"], 2);
    assert_exit(&sandbox.run(&["status", "--all"]), 4);
}

#[tokio::test]
async fn a_role_on_the_profile_setup_made_is_served_and_a_second_mfa_serial_is_flagged() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("erin").await;
    let (sandbox, counter) = role_sandbox(&moto, &user, "");
    assert_exit(&sandbox.run(&["setup", "work"]), 0);
    let config = sandbox.read_config()
        + &format!(
            "[profile cli-admin]\nrole_arn = {ADMIN}\nsource_profile = work-mfa\n\
             [profile cli-admin-twice]\nrole_arn = {ADMIN}\nsource_profile = work-mfa\nmfa_serial = {}\n",
            user.serial()
        );
    sandbox.write_config(&config);

    // The layout the plain CLI understands: the AWS CLI runs `iam-mfa process work`, then
    // assumes the role itself.
    if crate::common::client_available("the AWS CLI", crate::common::runs("aws", &["--version"])) {
        let aws = sandbox.aws(&[
            "sts",
            "get-caller-identity",
            "--profile",
            "cli-admin",
            "--query",
            "Arn",
            "--output",
            "text",
        ]);
        assert_exit(&aws, 0);
        assert!(
            stdout(&aws).starts_with("arn:aws:sts::222222222222:assumed-role/Admin/"),
            "{}",
            stdout(&aws)
        );
    }
    // iam-mfa serves the same profile, through `work`'s MFA session.
    let plain = sandbox.run(&["process", "cli-admin"]);
    let (credentials, _) = credentials_of(&plain);
    assert!(
        caller_arn(&moto, credentials)
            .await
            .starts_with("arn:aws:sts::222222222222:assumed-role/Admin/")
    );
    assert!(
        !stderr(&plain).contains("second code"),
        "{}",
        stderr(&plain)
    );
    // With mfa_serial kept on the role, the CLI would ask for a second code: said, with the fix.
    let twice = sandbox.run(&["process", "cli-admin-twice"]);
    credentials_of(&twice);
    assert!(
        stderr(&twice).contains("[profile cli-admin-twice] sets mfa_serial, but its source_profile `work-mfa` is iam-mfa's credential_process profile")
            && stderr(&twice).contains("Remove mfa_serial from [profile cli-admin-twice], or run `iam-mfa setup cli-admin-twice`"),
        "{}",
        stderr(&twice)
    );
    assert_eq!(codes_asked(&counter), 1);
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn an_admin_command_on_a_role_profile_works_in_the_role_account_through_the_mfa_session() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("fay").await;
    let (sandbox, counter) = role_sandbox(&moto, &user, "");
    // A device in the role's account, created with the role's own credentials.
    let (credentials, _) = credentials_of(&sandbox.run(&["process", "prod-read"]));
    let iam = aws_sdk_iam::Client::new(&moto.sdk_config(Some(credentials)).await);
    crate::common::create_virtual(&iam, "in-222").await;

    let devices = sandbox.run(&["devices", "--profile", "prod-read", "--output", "json"]);
    assert_exit(&devices, 0);
    let listed = json(&devices)["devices"].to_string();
    assert!(
        listed.contains("arn:aws:iam::222222222222:mfa/in-222"),
        "{listed}"
    );
    assert!(
        !listed.contains(user.serial()),
        "not the source account's devices: {listed}"
    );
    assert_eq!(
        moto.count("AssumeRole"),
        1,
        "the cached role session served the admin command"
    );
    assert_eq!(codes_asked(&counter), 1);
}

#[tokio::test]
async fn with_no_way_to_get_a_code_a_role_session_still_valid_is_handed_out() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("gus").await;
    let (sandbox, _) = role_sandbox(&moto, &user, "");
    credentials_of(&sandbox.run(&["process", "prod-read"]));
    // No mfa_process any more, no terminal (IAM_MFA_NO_TTY): no code can be had.
    let config = sandbox
        .read_config()
        .lines()
        .filter(|line| !line.starts_with("mfa_process"))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    sandbox.write_config(&config);
    // The MFA session has expired; the role session, issued 55 min ago, is inside the margin
    // (5 min left).
    let rfc3339 = |at: OffsetDateTime| {
        at.replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let now = OffsetDateTime::now_utc();
    let soon = rfc3339(now + time::Duration::minutes(5));
    let issued = rfc3339(now - time::Duration::minutes(55));
    for entry in std::fs::read_dir(sandbox.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let mut value: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let role = path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("role-");
            if role {
                value["session"]["expiration"] = soon.clone().into();
                value["issued_at"] = issued.clone().into();
            } else {
                value["session"]["expiration"] = "2020-01-01T00:00:00Z".into();
            }
            std::fs::write(&path, value.to_string()).unwrap();
        }
    }
    let output = sandbox.run(&["process", "prod-read"]);
    let (_, expiration) = credentials_of(&output);
    assert!(seconds_until(expiration) <= 300);
    assert!(
        stderr(&output).contains("cannot renew the role session of `prod-read` (no way to get an MFA code here); using the cached one"),
        "{}",
        stderr(&output)
    );
    assert_eq!(moto.count("AssumeRole"), 1);
    // Once it is gone too, the error says why.
    assert_exit(&sandbox.run(&["process", "staging-read"]), 2);
}

#[tokio::test]
async fn an_unknown_sts_regional_endpoints_value_is_a_usage_error() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("hal").await;
    let (sandbox, counter) = role_sandbox(&moto, &user, "");
    let output = sandbox
        .iam_mfa()
        .args(["process", "prod-read"])
        .env("AWS_STS_REGIONAL_ENDPOINTS", "global")
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stderr(&output)
            .contains("AWS_STS_REGIONAL_ENDPOINTS: `global` is neither `regional` nor `legacy`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(codes_asked(&counter), 0);
    // `legacy` with an endpoint URL configured (moto here) keeps that endpoint.
    let legacy = sandbox
        .iam_mfa()
        .args(["process", "prod-read"])
        .env("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
        .output()
        .unwrap();
    credentials_of(&legacy);
    assert_eq!(moto.count("AssumeRole"), 1);
}
