//! The moto harness itself: server, SDK clients, test users, request recording, sandbox.

use crate::common::{Moto, Sandbox, assert_exit, stdout};

#[tokio::test]
async fn moto_user_with_mfa_can_get_a_session_token() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("harness").await;
    assert!(user.serial().starts_with("arn:aws:iam::123456789012:mfa/"));
    let sts = aws_sdk_sts::Client::new(&moto.sdk_config(Some(user.credentials())).await);
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(
        identity.arn(),
        Some("arn:aws:iam::123456789012:user/harness")
    );
    sts.get_session_token()
        .serial_number(user.serial())
        .token_code("123456")
        .send()
        .await
        .expect("GetSessionToken");
    assert_eq!(moto.count("GetSessionToken"), 1);
    assert_eq!(moto.count("CreateUser"), 1);
}

#[test]
fn sandbox_runs_the_binary_with_isolated_files() {
    let moto = Moto::start();
    let sandbox = Sandbox::new(&moto);
    let output = sandbox.run(&["--version"]);
    assert_exit(&output, 0);
    assert!(stdout(&output).starts_with("iam-mfa "));
    let env = sandbox.command("env").output().expect("run env");
    let env = stdout(&env);
    assert!(env.contains(&format!("AWS_ENDPOINT_URL={}", moto.endpoint())));
    assert!(env.contains(&format!("HOME={}", sandbox.home().display())));
}
