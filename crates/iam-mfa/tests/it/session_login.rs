//! `login` and `logout` against moto: lossless writes, ownership, cache reuse, input validation.

use crate::common::{Moto, Sandbox, assert_exit, stderr, stdout};

const CREDENTIALS_HEAD: &str = "# my keys -- keep this comment\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = other/secret ; inline\r\n\r\n";
const CONFIG: &str = "; config comment\n[default]\nregion = eu-west-1\n\n[profile work]\nmfa_serial = SERIAL\ns3 =\n  max_concurrent_requests = 4\n# trailing comment\n";

/// A sandbox with `[other]` (CRLF, comments) and the long-term `[work]` profile of a user with MFA.
async fn sandbox_with_work(moto: &Moto) -> (Sandbox, crate::common::TestUser) {
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

/// botocore's `ConfigFileWriter` (`aws configure set`), in a loop: read the file, reopen it with 'w' (`O_TRUNC`),
/// write the new text, close; no lock. It changes one value each round, so its rewrites never shrink the file. Its
/// pauses (0–100 ms) still make it far busier than a script calling `aws configure set`, which pays ~0.5 s of
/// Python start-up per call.
const TRUNCATING_WRITER: &str = r#"
import os, random, sys, time
path, stop = sys.argv[1], sys.argv[2]
rounds = 0
while not os.path.exists(stop):
    with open(path, 'r') as f:
        contents = f.readlines()
    for i, line in enumerate(contents):
        if line.startswith('writer_counter'):
            contents[i] = 'writer_counter = %08d\n' % rounds
    with open(path, 'w') as f:
        f.write(''.join(contents))
    rounds += 1
    time.sleep(random.uniform(0, 0.1))
print(rounds)
"#;

/// Outcomes of the commands run against a file another program keeps rewriting.
#[derive(Default, Debug)]
struct RaceTally {
    written: usize,
    refused: usize,
    unexpected: Vec<String>,
}

impl RaceTally {
    /// Counts one run: success, or the documented refusal (exit 1, nothing written).
    fn count(&mut self, what: &str, output: &std::process::Output) {
        let err = stderr(output);
        match output.status.code() {
            Some(0) => self.written += 1,
            Some(1)
                if err.contains("changed since this command read it")
                    || err.contains("keeps changing") =>
            {
                self.refused += 1
            }
            _ => self
                .unexpected
                .push(format!("{what}: {:?}: {err}", output.status.code())),
        }
    }
}

/// About 1 MB of sections: `[pad0]`…, each a complete profile, plus the counter the writer bumps.
fn padding(header: impl Fn(usize) -> String) -> (String, Vec<String>) {
    let mut text = String::from("[counter]\nwriter_counter = 00000000\n\n");
    let mut headers = vec!["counter".to_owned()];
    for idx in 0..9000 {
        let name = header(idx);
        text += &format!(
            "[{name}]\naws_access_key_id = AKIAPADDING{idx:08}\naws_secret_access_key = padding/{idx:08}/secret/key/xx\n\n"
        );
        headers.push(name);
    }
    (text, headers)
}

/// Section headers (as written between the brackets) of a file.
fn headers(text: &str) -> std::collections::HashSet<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix('[')?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

/// Item 1 of issue 9: `login`, `setup` and `logout` against 1 MB files that a botocore-style writer keeps truncating
/// and rewriting: every section present at the start is still there at the end; each command either succeeded or
/// refused with the documented error. Two sandboxes in parallel, 100 rounds each.
#[tokio::test(flavor = "multi_thread")]
async fn commands_racing_a_truncating_writer_never_lose_a_section() {
    const SANDBOXES: usize = 2;
    const ROUNDS: usize = 100;
    let moto = std::sync::Arc::new(Moto::start());
    let mut users = Vec::new();
    for idx in 0..SANDBOXES {
        users.push(moto.create_user_with_mfa(&format!("racer{idx}")).await);
    }
    let handles: Vec<_> = users
        .into_iter()
        .map(|user| {
            let moto = moto.clone();
            std::thread::spawn(move || race_one_sandbox(&moto, &user, ROUNDS))
        })
        .collect();
    let mut total = [
        RaceTally::default(),
        RaceTally::default(),
        RaceTally::default(),
    ];
    let mut lost = Vec::new();
    for handle in handles {
        let (tallies, missing) = handle.join().unwrap();
        for (sum, tally) in total.iter_mut().zip(tallies) {
            sum.written += tally.written;
            sum.refused += tally.refused;
            sum.unexpected.extend(tally.unexpected);
        }
        lost.extend(missing);
    }
    for (name, tally) in ["login", "setup", "logout"].iter().zip(&total) {
        eprintln!(
            "{name}: {} written, {} refused",
            tally.written, tally.refused
        );
    }
    assert!(
        lost.is_empty(),
        "{} sections lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(3)]
    );
    for tally in &total {
        assert!(
            tally.unexpected.is_empty(),
            "{:#?}",
            &tally.unexpected[..tally.unexpected.len().min(3)]
        );
        assert_eq!(tally.written + tally.refused, SANDBOXES * ROUNDS);
        assert!(tally.written > 0, "no command ever got through");
    }
}

/// One sandbox of [`commands_racing_a_truncating_writer_never_lose_a_section`]: the tallies of login, setup and
/// logout, and the sections missing at the end.
#[allow(clippy::unwrap_used)] // test helper: a failed step fails the test
fn race_one_sandbox(
    moto: &Moto,
    user: &crate::common::TestUser,
    rounds: usize,
) -> ([RaceTally; 3], Vec<String>) {
    let sandbox = Sandbox::new(moto);
    let (credentials_pad, mut credentials_headers) = padding(|idx| format!("pad{idx}"));
    sandbox.write_credentials(&(user.credentials_section("work") + "\n" + &credentials_pad));
    credentials_headers.push("work".to_owned());
    let (config_pad, mut config_headers) = padding(|idx| format!("profile cpad{idx}"));
    sandbox.write_config(&format!(
        "[profile work]\nregion = eu-west-1\n\n{config_pad}"
    ));
    config_headers.push("profile work".to_owned());
    let script = sandbox.home().join("writer.py");
    std::fs::write(&script, TRUNCATING_WRITER).unwrap();
    let stop = sandbox.home().join("stop");
    let writers: Vec<_> = [sandbox.credentials_path(), sandbox.config_path()]
        .iter()
        .map(|path| {
            sandbox
                .command("python3")
                .arg(&script)
                .arg(path)
                .arg(&stop)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let serial = user.serial().to_owned();
    let other_serial = format!("{serial}-other");
    let mut tallies = [
        RaceTally::default(),
        RaceTally::default(),
        RaceTally::default(),
    ];
    for round in 0..rounds {
        let code = format!("{:06}", 100_000 + round);
        let login = sandbox.run(&["login", "work", "--code", &code, "--serial", &serial]);
        tallies[0].count("login", &login);
        // Alternating serials make every setup write the config file.
        let setup_serial = if round % 2 == 0 {
            &other_serial
        } else {
            &serial
        };
        // Its own target: `login` refuses to put static keys where a credential_process is.
        let setup = sandbox.run(&[
            "setup",
            "work",
            "--target",
            "work-cp",
            "--serial",
            setup_serial,
        ]);
        tallies[1].count("setup", &setup);
        let logout = sandbox.run(&["logout", "work"]);
        tallies[2].count("logout", &logout);
        if round % 25 == 24 {
            eprintln!("{}: {} rounds: {tallies:?}", user.name, round + 1);
        }
    }
    std::fs::write(&stop, "").unwrap();
    for writer in writers {
        let out = writer.wait_with_output().unwrap();
        eprintln!(
            "writer: {} rewrites",
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    let mut missing = Vec::new();
    for (text, wanted) in [
        (sandbox.read_credentials(), credentials_headers),
        (sandbox.read_config(), config_headers),
    ] {
        let have = headers(&text);
        missing.extend(wanted.into_iter().filter(|header| !have.contains(header)));
    }
    (tallies, missing)
}

/// Item 10: with two copies of the target section, one hand-written, neither is overwritten or removed.
#[tokio::test]
async fn two_copies_of_the_target_section_one_hand_written_are_refused() {
    let moto = Moto::start();
    let (sandbox, user) = sandbox_with_work(&moto).await;
    let managed = "[work-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\nx_iam_mfa_managed = true\n";
    let handmade = "[work-mfa]\naws_access_key_id = AKIAHANDMADE\naws_secret_access_key = mine\n";
    let head = sandbox.read_credentials();
    for (first, second) in [(managed, handmade), (handmade, managed)] {
        let text = format!("{head}{first}\n{second}");
        sandbox.write_credentials(&text);
        let handmade_line = text[..text.find("AKIAHANDMADE").unwrap()].lines().count();
        for args in [
            &["login", "work", "--code", "123456"][..],
            &["logout", "work"][..],
        ] {
            let output = sandbox.run(args);
            assert_exit(&output, 2);
            let err = stderr(&output);
            assert!(
                err.contains("was not written by iam-mfa"),
                "{args:?}: {err}"
            );
            let at = format!(
                "{}:{}",
                sandbox.credentials_path().display(),
                handmade_line - 1
            );
            assert!(err.contains(&at), "{args:?}: wants {at}: {err}");
            assert_eq!(sandbox.read_credentials(), text, "{args:?}");
        }
    }
    assert_eq!(
        moto.count("GetSessionToken"),
        0,
        "refused before any AWS call"
    );

    // setup: a hand-written second [profile work-mfa] with its own credential_process.
    let config = sandbox.read_config()
        + "\n[profile work-mfa]\ncredential_process = /usr/bin/iam-mfa process work\nx_iam_mfa_managed = true\n\n[profile work-mfa]\ncredential_process = /opt/mine --fancy\n";
    sandbox.write_config(&config);
    let output = sandbox.run(&["setup", "work", "--serial", user.serial()]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("[profile work-mfa] at "),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.read_config(), config);
}

/// Item 12: a credentials file that is (or links to) a device or a FIFO is refused at once, nothing replaced; an
/// unsafe cache directory is refused; a link at a cache file's name is never written through.
#[cfg(unix)]
#[tokio::test]
async fn special_files_and_unsafe_cache_directories_are_refused() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
    let moto = Moto::start();
    let (sandbox, user) = sandbox_with_work(&moto).await;
    let credentials = sandbox.read_credentials();
    let real = sandbox.home().join("real-credentials");
    std::fs::write(&real, &credentials).unwrap();

    // A link to /dev/null: refused, the link and /dev/null stay as they are.
    std::fs::remove_file(sandbox.credentials_path()).unwrap();
    symlink("/dev/null", sandbox.credentials_path()).unwrap();
    for args in [
        &["login", "work", "--code", "123456"][..],
        &["logout", "work"][..],
    ] {
        let output = sandbox.run(args);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("is a character device, not a regular file"),
            "{}",
            stderr(&output)
        );
    }
    assert!(
        std::fs::symlink_metadata(sandbox.credentials_path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // A FIFO: `process` answers at once instead of hanging on it.
    std::fs::remove_file(sandbox.credentials_path()).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(sandbox.credentials_path())
            .status()
            .unwrap()
            .success()
    );
    let mut child = sandbox
        .iam_mfa()
        .args(["process", "work", "--code", "123456"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("process hangs on a FIFO credentials file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("is a FIFO"), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(sandbox.credentials_path())
            .unwrap()
            .file_type()
            .is_fifo()
    );
    std::fs::remove_file(sandbox.credentials_path()).unwrap();
    sandbox.write_credentials(&credentials);

    // A link at the cache file's name: its target is never overwritten (nor read).
    assert_exit(&sandbox.run(&["process", "work", "--code", "123456"]), 0);
    let cached: Vec<std::path::PathBuf> = std::fs::read_dir(sandbox.cache_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(cached.len(), 1);
    let victim = sandbox.home().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::remove_file(&cached[0]).unwrap();
    symlink(&victim, &cached[0]).unwrap();
    assert_exit(&sandbox.run(&["process", "work", "--code", "654321"]), 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&cached[0])
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(
        moto.count("GetSessionToken"),
        2,
        "the link was not read as a session"
    );

    // A cache directory others may write to is refused, and left as it is.
    std::fs::set_permissions(sandbox.cache_dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    for args in [
        &["process", "work"][..],
        &["logout", "work"][..],
        &["status", "work"][..],
    ] {
        let output = sandbox.run(args);
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("is writable by others (mode 0777)"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let mode = std::fs::metadata(sandbox.cache_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o777);
    assert_eq!(moto.count("GetSessionToken"), 2);
    let _ = user;
}

/// Item 21: a read-only credentials or config file is replaced only with `--force`.
#[cfg(unix)]
#[tokio::test]
async fn read_only_files_are_replaced_only_with_force() {
    use std::os::unix::fs::PermissionsExt;
    let moto = Moto::start();
    let (sandbox, user) = sandbox_with_work(&moto).await;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let read_only = |path: &std::path::Path| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).unwrap()
    };
    let credentials = sandbox.read_credentials();
    read_only(&sandbox.credentials_path());
    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("is read-only (mode 0400)") && err.contains("--force"),
        "{err}"
    );
    assert!(
        err.contains(&sandbox.credentials_path().display().to_string()),
        "{err}"
    );
    assert_eq!(
        moto.count("GetSessionToken"),
        0,
        "refused before the code is used"
    );
    assert_eq!(sandbox.read_credentials(), credentials);
    assert_eq!(mode(&sandbox.credentials_path()), 0o400);

    assert_exit(
        &sandbox.run(&["login", "work", "--code", "123456", "--force"]),
        0,
    );
    assert!(sandbox.read_credentials().contains("[work-mfa]"));
    assert_eq!(mode(&sandbox.credentials_path()), 0o600);

    read_only(&sandbox.credentials_path());
    let output = sandbox.run(&["logout", "work"]);
    assert_exit(&output, 2);
    assert!(sandbox.read_credentials().contains("[work-mfa]"));
    assert_exit(&sandbox.run(&["logout", "work", "--force"]), 0);
    assert_eq!(sandbox.read_credentials(), credentials);

    let config = sandbox.read_config();
    read_only(&sandbox.config_path());
    let output = sandbox.run(&["setup", "work", "--serial", user.serial()]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("is read-only (mode 0400)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.read_config(), config);
    assert_exit(
        &sandbox.run(&["setup", "work", "--serial", user.serial(), "--force"]),
        0,
    );
    assert!(sandbox.read_config().contains("[profile work-mfa]"));
    assert_eq!(mode(&sandbox.config_path()), 0o600);
}

/// Item 19: `logout` waits for a `process` that is getting a session (here: its mfa_process is still running), so
/// that session does not outlive the logout; and no lock file stays behind.
#[tokio::test]
async fn logout_waits_for_a_session_in_flight_and_leaves_no_lock_files() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("frank").await;
    let sandbox = Sandbox::new(&moto);
    let started = sandbox.home().join("mfa_process.started");
    let mfa_process = format!(
        "mfa_process = sh -c 'touch {}; sleep 1; echo 123456'\n",
        started.display()
    );
    sandbox.add_profile("work", &user, &mfa_process);
    let in_flight = sandbox
        .iam_mfa()
        .args(["process", "work"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !started.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let logout = sandbox.run(&["logout", "work", "--output", "json"]);
    assert_exit(&logout, 0);
    let process = in_flight.wait_with_output().unwrap();
    assert_exit(&process, 0);
    let report = crate::common::json(&logout);
    assert_eq!(report["cached_sessions_removed"], 1, "{report}");
    assert_exit(&sandbox.run(&["status", "work"]), 4);
    let left: Vec<String> = std::fs::read_dir(sandbox.cache_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left in the cache directory: {left:?}");
    assert_eq!(moto.count("GetSessionToken"), 1);
}

/// Item 22 (logout part): the file `logout` edits ends with a line ending, as an editor leaves it.
#[tokio::test]
async fn logout_leaves_the_file_ending_with_a_newline() {
    let moto = Moto::start();
    let sandbox = Sandbox::new(&moto);
    let work = "[other]\nk = v\n".to_owned();
    let section = "[work-mfa]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\nx_iam_mfa_managed = true\n";
    for (before, after) in [
        // The removed section came before a last line without its newline.
        (
            format!("{work}{section}\n# last words"),
            format!("{work}# last words\n"),
        ),
        (format!("{section}\n{}", work.trim_end()), work.clone()),
        // The removed section was last and had no final newline.
        (format!("{work}{}", section.trim_end()), work.clone()),
        // CRLF files get a CRLF.
        (
            format!(
                "[a]\r\nk = v\r\n{}\r\n[b]\r\nk = v",
                section.trim_end().replace('\n', "\r\n")
            ),
            "[a]\r\nk = v\r\n[b]\r\nk = v\r\n".to_owned(),
        ),
    ] {
        sandbox.write_credentials(&before);
        assert_exit(&sandbox.run(&["logout", "work"]), 0);
        assert_eq!(sandbox.read_credentials(), after, "from {before:?}");
    }
}

/// Issue 9, item 5: a 50 MB credentials file is refused at the documented cap (exit 2) instead
/// of being read whole (it cost `login` 1.5 GB of memory), and is left as it was.
#[tokio::test]
async fn a_huge_credentials_file_is_refused_at_the_cap() {
    let moto = Moto::start();
    let (sandbox, _user) = sandbox_with_work(&moto).await;
    let mut text = sandbox.read_credentials();
    let filler = "[filler]\nregion = us-east-1\n";
    text += &filler.repeat(50 * 1024 * 1024 / filler.len());
    sandbox.write_credentials(&text);
    let output = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("larger than 8 MiB"),
        "{}",
        stderr(&output)
    );
    assert_eq!(moto.count("GetSessionToken"), 0);
    assert!(sandbox.read_credentials() == text, "the file was changed");
}

/// Ctrl-C at the MFA-code prompt of `login` (on a real terminal, from `script`): the process ends as a shell expects
/// of SIGINT (130), nothing is written, and the lock and prompt marker it held do not stand in the way of the next
/// run, which gets the session at once.
#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_at_the_code_prompt_writes_nothing_and_blocks_no_later_run() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("ivan").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.add_profile("work", &user, "");
    let credentials = sandbox.read_credentials();
    let inner = format!("'{}' login work", crate::common::IAM_MFA);
    let mut child = sandbox
        .command("script")
        .args(["-qec", &inner, "/dev/null"])
        .env_remove("IAM_MFA_NO_TTY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut screen = child.stdout.take().unwrap();
    let (seen, prompted) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let mut buffer = [0u8; 256];
        while let Ok(n @ 1..) = screen.read(&mut buffer) {
            text.extend_from_slice(&buffer[..n]);
            if String::from_utf8_lossy(&text).contains("MFA code for") {
                let _ = seen.send(());
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    prompted
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the prompt shows");
    child.stdin.as_mut().unwrap().write_all(b"\x03").unwrap();
    let status = child.wait().unwrap();
    let shown = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{shown}");
    assert_eq!(sandbox.read_credentials(), credentials, "nothing written");
    assert_eq!(moto.count("GetSessionToken"), 0);

    let next = sandbox.run(&["login", "work", "--code", "123456"]);
    assert_exit(&next, 0);
    assert_eq!(moto.count("GetSessionToken"), 1);
}
