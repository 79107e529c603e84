//! The same AWS refusal ends every command family alike: exit 5 and one message shape,
//! `iam-mfa: error: <operation> failed: <advice> (<Code>: <AWS message>)`, never the SDK's dump.
//! moto with its auth on refuses made-up keys with an error body the SDK cannot parse.

use crate::common::loopback::{self, Reply};
use crate::common::{Moto, Sandbox, assert_exit, stderr};

/// The advice for an access key AWS does not know.
const INVALID_KEY: &str = "the long-term access key is not valid";
/// What moto answers (the code and message are read from its body).
const MOTO_REFUSAL: &str =
    "(InvalidClientTokenId: The security token included in the request is invalid.)";

/// Made-up long-term keys as `[work]` (with an MFA device, for the session commands) and
/// `[admin]` (without, so the account commands sign with the keys themselves).
fn sandbox_with_made_up_keys(sandbox: &Sandbox) {
    let keys = format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        loopback::ACCESS_KEY_ID,
        loopback::SECRET_ACCESS_KEY
    );
    sandbox.write_credentials(&format!("[work]\n{keys}[admin]\n{keys}[admin-mfa]\n{keys}"));
    sandbox.write_config(&format!(
        "[profile work]\nmfa_serial = {serial}\n[profile admin]\n\
         [profile admin-mfa]\nmfa_serial = {serial}\nmfa_process = echo 123456\n",
        serial = loopback::SERIAL
    ));
}

/// Asserts a refusal: exit 5, one `iam-mfa: error:` line naming an operation of `operations`,
/// with `advice` and `detail`, and nothing of the SDK's internals.
fn assert_refused(args: &[&str], output: &std::process::Output, advice: &str, detail: &str) {
    assert_exit(output, 5);
    let text = stderr(output);
    let line = text.trim_end();
    assert!(!line.contains('\n'), "{args:?}: one line: {text}");
    let operation = line
        .strip_prefix("iam-mfa: error: ")
        .and_then(|rest| rest.split(" failed: ").next())
        .unwrap_or_else(|| panic!("{args:?}: not `iam-mfa: error: OP failed: …`: {text}"));
    let operation = operation.rsplit(": ").next().unwrap_or(operation);
    assert!(
        operation.starts_with("sts:") || operation.starts_with("iam:"),
        "{args:?}: no operation: {text}"
    );
    assert!(
        text.contains(&format!("{operation} failed: {advice}")),
        "{args:?}: {text}"
    );
    assert!(line.ends_with(detail), "{args:?}: {text}");
    for internal in [
        "SdkBody",
        "Error {",
        "unhandled error",
        "Unknown:",
        "service error",
    ] {
        assert!(!text.contains(internal), "{args:?}: {internal:?} in {text}");
    }
}

#[test]
fn every_family_refuses_unknown_keys_with_exit_5_and_one_message_shape() {
    let moto = Moto::start_with_auth();
    let sandbox = Sandbox::new(&moto);
    sandbox_with_made_up_keys(&sandbox);
    let commands: [&[&str]; 6] = [
        &["login", "work", "--code", "123456"],
        &["--profile", "admin", "devices"],
        &["--profile", "admin", "audit"],
        &["--profile", "admin", "policy", "check", "--user", "bob"],
        &["--profile", "admin", "enforce", "--group", "staff", "--yes"],
        // An account command whose profile names a device: the session machinery is refused.
        &["--profile", "admin-mfa", "audit"],
    ];
    for args in commands {
        let output = sandbox.run(args);
        assert_refused(args, &output, INVALID_KEY, MOTO_REFUSAL);
    }
    assert!(
        stderr(&sandbox.run(&["login", "work", "--code", "123456"]))
            .starts_with("iam-mfa: error: sts:GetSessionToken failed: "),
        "login is refused at GetSessionToken"
    );
}

#[test]
fn a_bare_http_403_is_a_refusal_in_every_family() {
    let server = loopback::Server::always(Reply::Answer(403, "<html>Forbidden</html>".to_owned()));
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox_with_made_up_keys(&sandbox);
    for args in [
        &["login", "work", "--code", "123456"][..],
        &["--profile", "admin", "devices"],
        &["--profile", "admin", "policy", "check", "--user", "bob"],
    ] {
        let output = sandbox.run(args);
        assert_refused(
            args,
            &output,
            "the endpoint refused the request without an AWS error code",
            ")",
        );
        assert!(
            stderr(&output).contains("HTTP 403") && !stderr(&output).contains("Forbidden"),
            "{args:?}: status, not body: {}",
            stderr(&output)
        );
    }
}
