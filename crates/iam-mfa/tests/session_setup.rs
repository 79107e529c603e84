//! `setup` against moto, and the real AWS CLI using the credential_process it wrote.
mod common;

use common::{Moto, Sandbox, assert_exit, stderr, stdout};

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
    let exe = std::fs::canonicalize(common::IAM_MFA).unwrap();
    assert!(
        tail.contains(&format!(
            "credential_process = \"{}\" process work",
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
