//! `setup` against moto, and the real clients using the credential_process it wrote: the AWS
//! CLI, boto3, the AWS SDK for JavaScript v3 and Debian's AWS SDKs for Go v1 and v2.

use crate::common::{INTEROP, Moto, Sandbox, assert_exit, client_available, runs, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[tokio::test]
async fn aws_cli_gets_credentials_from_the_credential_process_setup_wrote() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("ivy").await;
    let sandbox = Sandbox::new(&moto);
    sandbox
        .write_credentials(&("# long-term keys\n".to_owned() + &user.credentials_section("work")));
    let config = "# my config\n[default]\nregion = us-east-1\n\n[profile work]\nregion = eu-west-1\nmfa_process = echo 123456\n";
    sandbox.write_config(config);

    let output = sandbox.run(&["setup", "work"]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("Configured [profile work-mfa]"),
        "{}",
        stdout(&output)
    );
    let written = sandbox.read_config();
    let (head, tail) = written.split_at(config.len());
    assert_eq!(head, config, "existing lines kept byte for byte");
    let exe = std::fs::canonicalize(crate::common::IAM_MFA).unwrap();
    assert!(
        tail.contains(&format!(
            "credential_process = {} process work\n",
            exe.display()
        )),
        "{written}"
    );
    assert!(
        written.contains(&format!("mfa_serial = {}", user.serial())),
        "{written}"
    );
    assert!(
        tail.contains("[profile work-mfa]") && tail.contains("region = eu-west-1"),
        "{written}"
    );

    let again = sandbox.run(&["setup", "work", "--output", "json"]);
    assert_exit(&again, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(report["changed"], false);
    assert_eq!(sandbox.read_config(), written);

    let aws = sandbox.aws(&[
        "sts",
        "get-caller-identity",
        "--profile",
        "work-mfa",
        "--output",
        "json",
    ]);
    assert_exit(&aws, 0);
    let identity: serde_json::Value = serde_json::from_str(&stdout(&aws)).unwrap();
    assert_eq!(identity["Account"], "123456789012");
    assert_eq!(moto.count("GetSessionToken"), 1);

    // A second AWS CLI call is served from the cache.
    let cached = sandbox.aws(&["sts", "get-caller-identity", "--profile", "work-mfa"]);
    assert_exit(&cached, 0);
    assert_eq!(moto.count("GetSessionToken"), 1);
}

#[tokio::test]
async fn setup_refuses_a_profile_it_does_not_own() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("jack").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.write_credentials(&user.credentials_section("work"));
    let config = "[profile work-mfa]\nrole_arn = arn:aws:iam::123456789012:role/x\n";
    sandbox.write_config(config);
    let output = sandbox.run(&["setup", "work", "--serial", user.serial()]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("was not written by iam-mfa"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.read_config(), config);
}

/// The line `setup` writes, for a plain path and for one that needs quoting, gets credentials in
/// every client. (`"/abs/iam-mfa" process work`, the old form, made both Go SDKs run iam-mfa
/// without arguments.)
#[tokio::test]
async fn every_sdk_gets_credentials_through_the_line_setup_writes() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("kim").await;
    let go = go_clients();
    let plain = std::fs::canonicalize(crate::common::IAM_MFA).unwrap();
    let needs_quotes = link_binary_into(r#"my tools $HOME `id` "q" & (1)"#);
    for (round, exe) in [plain, needs_quotes].into_iter().enumerate() {
        let sandbox = Sandbox::new(&moto);
        sandbox.write_credentials(&user.credentials_section("work"));
        sandbox.write_config("[profile work]\nmfa_process = echo 123456\n");
        let output = sandbox
            .command(&exe)
            .args(["setup", "work", "--serial", user.serial()])
            .output()
            .unwrap();
        assert_exit(&output, 0);
        let path = exe.to_str().unwrap();
        let word = if round == 0 {
            path.to_owned()
        } else {
            format!("'{path}'")
        };
        for (client, mut command) in clients(&sandbox, &moto, &go, "work-mfa", "Account") {
            let output = command.output().unwrap();
            assert!(
                output.status.success(),
                "{client} failed with the line setup wrote:\n{}\n{}{}",
                sandbox.read_config(),
                stdout(&output),
                stderr(&output)
            );
            assert_eq!(stdout(&output).trim(), "123456789012", "{client}");
        }
        assert!(
            sandbox
                .read_config()
                .contains(&format!("credential_process = {word} process work\n")),
            "{}",
            sandbox.read_config()
        );
        // One code and one GetSessionToken per sandbox; every later client used the cache.
        assert_eq!(moto.count("GetSessionToken"), round + 1);
    }

    // A path no line can carry for every SDK is refused, and nothing is written.
    let sandbox = Sandbox::new(&moto);
    let config = "[profile work]\nmfa_process = echo 123456\n";
    sandbox.write_config(config);
    sandbox.write_credentials(&user.credentials_section("work"));
    let refused = sandbox
        .command(link_binary_into("it's; here"))
        .args(["setup", "work", "--serial", user.serial()])
        .output()
        .unwrap();
    assert_exit(&refused, 2);
    assert!(
        stderr(&refused).contains("install iam-mfa in a directory with a plain path"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(sandbox.read_config(), config);
}

/// Each installed client, as a command printing `field` (`Account` or `Arn`) of
/// `sts:GetCallerIdentity` called with the credentials of `[profile PROFILE]`.
pub(crate) fn clients(
    sandbox: &Sandbox,
    moto: &Moto,
    go: &[Option<PathBuf>],
    profile: &str,
    field: &str,
) -> Vec<(String, Command)> {
    let mut clients = Vec::new();
    if client_available("the AWS CLI", runs("aws", &["--version"])) {
        let mut aws = sandbox.command("aws");
        aws.args(["sts", "get-caller-identity", "--profile", profile])
            .args(["--query", field, "--output", "text"]);
        clients.push(("the AWS CLI".to_owned(), aws));
    }
    if client_available("boto3", runs("python3", &["-c", "import boto3"])) {
        let mut boto3 = sandbox.command("python3");
        boto3.args([
            "-c",
            "import boto3, sys; print(boto3.Session(profile_name=sys.argv[1]).client('sts').get_caller_identity()[sys.argv[2]])",
            profile,
            field,
        ]);
        clients.push(("boto3".to_owned(), boto3));
    }
    let js = Path::new(INTEROP).join("node_modules/@aws-sdk/credential-providers");
    if client_available(
        "the AWS SDK for JavaScript v3 (npm ci in tests/interop)",
        runs("node", &["--version"]) && js.is_dir(),
    ) {
        let mut node = sandbox.command("node");
        node.arg(Path::new(INTEROP).join("sts.mjs"))
            .args([profile, moto.endpoint(), field]);
        clients.push(("the AWS SDK for JavaScript v3".to_owned(), node));
    }
    for (version, binary) in ["v1", "v2"].into_iter().zip(go) {
        if let Some(binary) = binary {
            let mut command = sandbox.command(binary);
            command.args([profile, moto.endpoint(), field]);
            clients.push((format!("the AWS SDK for Go {version}"), command));
        }
    }
    clients
}

/// Builds `tests/interop/go-v1` and `go-v2` (at once) offline against Debian's packages of the
/// AWS SDKs for Go (GOPATH mode, no module download); `None` for one whose Go or package is
/// missing outside CI. Go's own build cache (kept between runs) makes rebuilds take a second.
pub(crate) fn go_clients() -> [Option<PathBuf>; 2] {
    const GOPATH: &str = "/usr/share/gocode";
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let builds = [
        ("v1", "github.com/aws/aws-sdk-go/aws/session"),
        ("v2", "github.com/aws/aws-sdk-go-v2/config"),
    ]
    .map(|(version, sdk)| {
        let installed =
            runs("go", &["version"]) && Path::new(GOPATH).join("src").join(sdk).is_dir();
        if !client_available(
            &format!("the AWS SDK for Go {version} (Debian package)"),
            installed,
        ) {
            return None;
        }
        let binary = tmp.join(format!("interop-go-{version}"));
        let mut go = Command::new("go");
        go.arg("build")
            .arg("-o")
            .arg(&binary)
            .arg(Path::new(INTEROP).join(format!("go-{version}/main.go")))
            .env("GO111MODULE", "off")
            .env("GOPATH", GOPATH)
            .env("GOFLAGS", "")
            .env("GOPROXY", "off")
            .env("CGO_ENABLED", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if std::env::var_os("HOME").is_none() && std::env::var_os("XDG_CACHE_HOME").is_none() {
            go.env("GOCACHE", tmp.join("go-cache"));
        }
        Some((binary, go.spawn().unwrap()))
    });
    builds.map(|build| {
        let (binary, child) = build?;
        assert_exit(&child.wait_with_output().unwrap(), 0);
        Some(binary)
    })
}

/// The binary under test, hard-linked (copied across file systems) as `DIR/iam-mfa` in the
/// test scratch directory, so `setup` sees itself at a path that needs quoting.
fn link_binary_into(dir: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("interop-exe")
        .join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("iam-mfa");
    let _ = std::fs::remove_file(&exe);
    if std::fs::hard_link(crate::common::IAM_MFA, &exe).is_err() {
        std::fs::copy(crate::common::IAM_MFA, &exe).unwrap();
    }
    exe
}

#[tokio::test]
async fn a_setup_or_credential_source_profile_gets_advice_that_fits_it() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("lou").await;
    let sandbox = Sandbox::new(&moto);
    sandbox.write_credentials(&user.credentials_section("work"));
    sandbox.write_config(
        "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n",
    );
    assert_exit(
        &sandbox.run(&["setup", "work", "--serial", user.serial()]),
        0,
    );
    let cases = [
        (
            "work-mfa",
            "profile `work-mfa` cannot be the source of an MFA session: it is the credential_process profile `iam-mfa setup` made, which runs iam-mfa itself; name its source profile `work` instead",
        ),
        (
            "ci",
            "profile `ci` cannot be the source of an MFA session: it takes its credentials from credential_source = Environment",
        ),
    ];
    for (profile, message) in cases {
        let output = sandbox.run(&["login", profile, "--code", "123456"]);
        assert_exit(&output, 2);
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
        assert!(!stderr(&output).contains("session written by `iam-mfa login`"));
        assert!(!stderr(&output).contains("set aws_access_key_id"));
    }
    assert_eq!(moto.count("GetSessionToken"), 0);
    assert_eq!(moto.count("AssumeRole"), 0);
}
