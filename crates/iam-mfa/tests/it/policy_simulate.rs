//! `iam-mfa policy simulate` as a process: the JSON Lines contract of DESIGN.md, the single
//! request form, and error handling. Offline: no AWS.

use std::io::Write;
use std::process::{Command, Stdio};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../iam-policy/tests/fixtures");

fn iam_mfa(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iam-mfa"));
    command.args(args);
    let out = crate::common::with_stdin(command, stdin.as_bytes());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn force_mfa() -> String {
    format!("ForceMFA={FIXTURES}/force-mfa-aws.json")
}

#[test]
fn json_lines_in_input_order_with_errors_in_place() {
    let input = concat!(
        r#"{"id": "a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:MultiFactorAuthPresent": "true"}}"#,
        "\n",
        r#"{"id": 2, "action": "iam:ChangePassword", "resource": "arn:aws:iam::1:user/alice", "context": {"aws:username": "alice"}}"#,
        "\n",
        "\n",
        "{not json\n",
        r#"{"id": "multi", "action": "s3:GetObject", "context": {"aws:MultiFactorAuthPresent": ["true", "false"]}}"#,
        "\n",
        r#"{"id": "own", "action": "ec2:RunInstances", "policies": [{"name": "Q", "document": {"Version": "2012-10-17", "Statement": {"Sid": "Deny", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"}}}]}"#,
        "\n",
        r#"{"id": "bad-policy", "action": "ec2:RunInstances", "policies": [{"name": "Q", "document": {"Statement": {"Effect": "Maybe", "Action": "ec2:*", "Resource": "*"}}}]}"#,
        "\n",
        r#"{"id": "gci", "action": "sts:GetCallerIdentity"}"#,
        "\n",
    );
    let (code, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--policy",
            &force_mfa(),
            "--managed",
            "PowerUserAccess",
            "--requests",
            "-",
        ],
        input,
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(
        lines[0],
        serde_json::json!({"id": "a", "decision": "allow", "statements": ["PowerUserAccess#1"]})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"id": 2, "decision": "explicit_deny", "statements": ["ForceMFA#DenyAllExceptListedIfNoMFA"]})
    );
    assert!(
        lines[2]["error"].as_str().unwrap().starts_with("line 4:"),
        "{}",
        lines[2]
    );
    // A multi-valued key under a plain BoolIfExists does not match: the Deny does not apply.
    assert_eq!(lines[3]["decision"], "allow");
    assert_eq!(
        lines[4],
        serde_json::json!({"id": "own", "decision": "explicit_deny", "statements": ["Q#Deny"]})
    );
    assert_eq!(lines[5]["id"], "bad-policy");
    assert!(
        lines[5]["error"]
            .as_str()
            .unwrap()
            .contains("Effect must be"),
        "{}",
        lines[5]
    );
    assert_eq!(lines[6]["decision"], "allow");
    assert_eq!(code, 1, "some lines failed");
}

#[test]
fn all_lines_good_exit_zero() {
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--managed",
            "AdministratorAccess",
            "--requests",
            "-",
        ],
        "{\"id\": 1, \"action\": \"iam:CreateUser\", \"resource\": \"arn:aws:iam::1:user/x\"}\n",
    );
    assert_eq!(
        (code, out.trim()),
        (
            0,
            r#"{"id":1,"decision":"allow","statements":["AdministratorAccess#1"]}"#
        ),
        "{err}"
    );
}

#[test]
fn single_request_text_json_and_explain() {
    let base = [
        "policy",
        "simulate",
        "--managed",
        "IAMUserChangePassword",
        "--action",
        "IAM:changepassword",
        "--resource",
        "arn:aws:iam::1:user/division/alice",
        "--context",
        "aws:username=alice",
    ];
    let (code, out, _) = iam_mfa(&base, "");
    assert_eq!(code, 0);
    assert!(out.starts_with("ALLOWED\n"), "{out}");
    assert!(out.contains("IAMUserChangePassword#1"), "{out}");
    let mut json = vec!["--output", "json"];
    json.extend(base);
    let (_, out, _) = iam_mfa(&json, "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"decision": "allow", "statements": ["IAMUserChangePassword#1"]})
    );
    json.push("--explain");
    let (_, out, _) = iam_mfa(&json, "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["trace"][0]["resource"]["resolved"],
        serde_json::json!(["arn:aws:iam::*:user/alice", "arn:aws:iam::*:user/*/alice"])
    );
    assert_eq!(
        v["trace"][0]["resource"]["pattern"],
        "arn:aws:iam::*:user/*/${aws:username}"
    );
}

#[test]
fn context_json_sets_and_missing_keys_in_trace() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("tags.json");
    std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}, "StringEquals": {"aws:RequestTag/env": "prod"}}}}"#).unwrap();
    let p = policy.to_str().unwrap();
    let (code, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--policy",
            p,
            "--action",
            "ec2:CreateTags",
            "--context-json",
            r#"{"aws:TagKeys": ["env", "team"], "aws:RequestTag/env": "prod"}"#,
        ],
        "",
    );
    assert_eq!((code, out.lines().next()), (0, Some("ALLOWED")), "{out}");
    let (_, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--policy",
            p,
            "--action",
            "ec2:CreateTags",
            "--explain",
        ],
        "",
    );
    assert!(
        out.contains("keys the policies test that the request lacks: aws:requesttag/env"),
        "{out}"
    );
}

#[test]
fn bad_policy_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:*\", \"NotAction\": \"iam:*\",\n    \"Resource\": \"*\"\n  }\n}\n").unwrap();
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--policy",
            path.to_str().unwrap(),
            "--action",
            "s3:GetObject",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("broken.json: line 5, column"), "{err}");
    assert!(err.contains("both Action and NotAction"), "{err}");
    let (code, _, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--managed",
            "NoSuchPolicy",
            "--action",
            "s3:GetObject",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("no such AWS-managed policy"), "{err}");
}

#[test]
fn unknown_action_gets_a_hint() {
    let (code, _, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--managed",
            "AdministratorAccess",
            "--action",
            "iam:ChangePasword",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(err.contains("did you mean iam:ChangePassword?"), "{err}");
}

/// Runs `policy simulate ARGS` with `stdin` as raw bytes.
fn iam_mfa_bytes(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iam-mfa"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    // A writer thread: the child may stop reading (and close its end) before the input ends.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn an_invalid_utf8_line_gets_an_error_line_and_the_run_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(br#"{"id": "before", "action": "s3:GetObject"}"#);
    input.push(b'\n');
    input.extend_from_slice(b"{\"id\": \"latin1\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::caf\xe9\"}\n");
    input.extend_from_slice(b"\xff\xfe garbage\n");
    input.extend_from_slice(br#"{"id": "after", "action": "sts:GetCallerIdentity"}"#);
    input.push(b'\n');
    let (code, out, err) = iam_mfa_bytes(
        &[
            "policy",
            "simulate",
            "--policy",
            &force_mfa(),
            "--requests",
            "-",
        ],
        &input,
    );
    assert_eq!(code, 1, "a line could not be evaluated: {err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["id"], "before");
    assert_eq!(lines[0]["decision"], "explicit_deny");
    assert_eq!(lines[1]["id"], "latin1", "the id reads unharmed");
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("line 2: not valid UTF-8"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["id"], serde_json::Value::Null);
    assert!(lines[2]["error"].as_str().unwrap().contains("line 3"));
    assert_eq!(lines[3]["id"], "after");
    assert_eq!(lines[3]["decision"], "allow");
}

#[test]
fn an_endless_line_ends_the_run_with_a_clear_cap() {
    // 5 MiB without a newline: more than the 4 MiB cap per line (as /dev/zero would be).
    let mut input = br#"{"id": 1, "action": "s3:GetObject"}"#.to_vec();
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b'x', 5 << 20));
    let (code, out, err) = iam_mfa_bytes(
        &[
            "policy",
            "simulate",
            "--policy",
            &force_mfa(),
            "--requests",
            "-",
        ],
        &input,
    );
    assert_eq!(code, 2, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0]["id"], 1);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("cap per request line")
    );
    assert!(
        err.contains("4194304 bytes") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn policy_files_over_the_cap_are_refused_without_reading_them_whole() {
    // /dev/zero never ends: the cap stops the read.
    let (code, out, err) = iam_mfa_bytes(
        &[
            "policy",
            "simulate",
            "--policy",
            "/dev/zero",
            "--action",
            "s3:GetObject",
        ],
        b"",
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("/dev/zero") && err.contains("cap per policy document"),
        "{err}"
    );
}
