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

// Resource-based policies (`--resource-policy`, `principal`, `resource_policy`).

const ROLE: &str = "arn:aws:iam::123456789012:role/Target";
const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";

/// Writes `text` to `dir/FILE` and returns the path.
fn write_file(dir: &std::path::Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A trust policy whose statement `sid` lets `principal` (a JSON value) assume the role.
fn trust(sid: &str, principal: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": {{"AWS": {principal}}}, "Action": "sts:AssumeRole"}}]}}"#
    )
}

const ALLOW_ASSUME: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#;
const DENY_ASSUME: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoAssume", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}"#;

/// `policy simulate --output json --action sts:AssumeRole --resource ROLE ARGS`, parsed.
fn assume(args: &[&str]) -> (i32, serde_json::Value) {
    let mut full = vec![
        "policy",
        "simulate",
        "--output",
        "json",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
    ];
    full.extend_from_slice(args);
    let (code, out, err) = iam_mfa(&full, "");
    let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, value)
}

#[test]
fn a_same_account_user_named_by_arn_needs_no_identity_allow() {
    let dir = tempfile::tempdir().unwrap();
    let by_arn = write_file(
        dir.path(),
        "alice.json",
        &trust("Alice", &format!("\"{ALICE}\"")),
    );
    let (code, v) = assume(&["--resource-policy", &by_arn, "--principal", ALICE]);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        serde_json::json!({"decision": "allow", "statements": ["alice#Alice"], "principal_match": "arn"})
    );
    // Another user of the same account is not named.
    let (_, v) = assume(&[
        "--resource-policy",
        &by_arn,
        "--principal",
        "arn:aws:iam::123456789012:user/mallory",
    ]);
    assert_eq!(v["decision"], "implicit_deny");
    assert_eq!(v["principal_match"], "none");
}

#[test]
fn a_trust_of_the_account_needs_an_identity_allow() {
    let dir = tempfile::tempdir().unwrap();
    let account = write_file(dir.path(), "acct.json", &trust("Acct", r#""123456789012""#));
    let allow = format!(
        "Allow={}",
        write_file(dir.path(), "allow.json", ALLOW_ASSUME)
    );
    let (code, v) = assume(&["--resource-policy", &account, "--principal", ALICE]);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        serde_json::json!({"decision": "implicit_deny", "statements": [], "principal_match": "account"})
    );
    let (_, v) = assume(&[
        "--resource-policy",
        &account,
        "--principal",
        ALICE,
        "--policy",
        &allow,
    ]);
    assert_eq!(
        v,
        serde_json::json!({"decision": "allow", "statements": ["acct#Acct", "Allow#Assume"], "principal_match": "account"}),
        "both Allows decide, the trust's first"
    );
    // The same in text.
    let (code, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &account,
            "--principal",
            ALICE,
            "--policy",
            &allow,
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "ALLOWED\ndeciding statements:\n  acct#Acct\n  Allow#Assume\nprincipal: named by account (an identity Allow is needed too)\n"
    );
}

#[test]
fn cross_account_callers_need_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let partner = write_file(
        dir.path(),
        "partner.json",
        &trust("Bob", &format!("\"{BOB}\"")),
    );
    let allow = write_file(dir.path(), "allow.json", ALLOW_ASSUME);
    let deny = write_file(dir.path(), "deny.json", DENY_ASSUME);
    let (_, v) = assume(&["--resource-policy", &partner, "--principal", BOB]);
    assert_eq!(
        v,
        serde_json::json!({"decision": "implicit_deny", "statements": [], "principal_match": "arn"}),
        "named by ARN, but cross-account: the caller's own account must allow too"
    );
    let (_, v) = assume(&[
        "--resource-policy",
        &partner,
        "--principal",
        BOB,
        "--policy",
        &allow,
    ]);
    assert_eq!(
        v,
        serde_json::json!({"decision": "allow", "statements": ["partner#Bob", "allow#Assume"], "principal_match": "arn"})
    );
    // An identity Allow alone does not reach into another account.
    let account = write_file(dir.path(), "acct.json", &trust("Acct", r#""123456789012""#));
    let (_, v) = assume(&[
        "--resource-policy",
        &account,
        "--principal",
        BOB,
        "--policy",
        &allow,
    ]);
    assert_eq!(v["decision"], "implicit_deny");
    assert_eq!(v["principal_match"], "none");
    // An explicit Deny in the identity policies wins over both Allows.
    for principal in [ALICE, BOB] {
        let named = write_file(
            dir.path(),
            "both.json",
            &trust("Both", &format!(r#"["{ALICE}", "{BOB}"]"#)),
        );
        let (_, v) = assume(&[
            "--resource-policy",
            &named,
            "--principal",
            principal,
            "--policy",
            &allow,
            "--policy",
            &deny,
        ]);
        assert_eq!(
            v,
            serde_json::json!({"decision": "explicit_deny", "statements": ["deny#NoAssume"], "principal_match": "arn"}),
            "{principal}"
        );
    }
}

#[test]
fn a_bucket_policy_is_a_resource_policy_of_the_given_account() {
    let dir = tempfile::tempdir().unwrap();
    let bucket = write_file(
        dir.path(),
        "bucket.json",
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "ReadForBob", "Effect": "Allow", "Principal": {{"AWS": "{BOB}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}}]}}"#
        ),
    );
    let read = write_file(
        dir.path(),
        "read.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Get", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let get = |args: &[&str]| {
        let mut full = vec![
            "policy",
            "simulate",
            "--output",
            "json",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::bucket/key",
            "--resource-policy",
            &bucket,
        ];
        full.extend_from_slice(args);
        let (code, out, err) = iam_mfa(&full, "");
        (code, out, err)
    };
    // Same account: the bucket policy alone allows.
    let (code, out, err) = get(&["--principal", BOB, "--resource-account", "111122223333"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"decision": "allow", "statements": ["bucket#ReadForBob"], "principal_match": "arn"})
    );
    // The bucket in another account: bob's own policies must allow too.
    let (_, out, _) = get(&["--principal", BOB, "--resource-account", "123456789012"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "implicit_deny");
    let (_, out, _) = get(&[
        "--principal",
        BOB,
        "--resource-account",
        "123456789012",
        "--policy",
        &read,
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(
        v["statements"],
        serde_json::json!(["bucket#ReadForBob", "read#Get"])
    );
    // A same-account identity Allow suffices without the bucket naming the caller.
    let (_, out, _) = get(&[
        "--principal",
        ALICE,
        "--resource-account",
        "123456789012",
        "--policy",
        &read,
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"decision": "allow", "statements": ["read#Get"], "principal_match": "none"})
    );
    // An S3 ARN names no account: --resource-account is needed.
    let (code, out, err) = get(&["--principal", BOB]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert!(err.contains("--resource-account"), "{err}");
}

#[test]
fn a_resource_policy_without_a_caller_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let account = write_file(dir.path(), "acct.json", &trust("Acct", r#""123456789012""#));
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--managed",
            "AdministratorAccess",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &account,
        ],
        "",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("a resource policy needs the caller") && err.contains("--principal ARN"),
        "{err}"
    );
    // aws:PrincipalArn in the context stands for --principal.
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--output",
            "json",
            "--managed",
            "AdministratorAccess",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &account,
            "--context",
            &format!("aws:PrincipalArn={ALICE}"),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["principal_match"], "account");
    // Not a principal; a trust policy with a Resource.
    let (code, _, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &account,
            "--principal",
            "alice",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("\"alice\""), "{err}");
    let with_resource = write_file(
        dir.path(),
        "with-resource.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n \"Principal\": {\"AWS\": \"123456789012\"}, \"Action\": \"sts:AssumeRole\", \"Resource\": \"*\"}]}",
    );
    let (code, _, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &with_resource,
            "--principal",
            ALICE,
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("line 2, column")
            && err.contains("Resource is not allowed in a role trust policy"),
        "{err}"
    );
}

#[test]
fn explain_shows_the_resource_policy_trace() {
    let dir = tempfile::tempdir().unwrap();
    let account = write_file(dir.path(), "acct.json", &trust("Acct", r#""123456789012""#));
    let allow = write_file(dir.path(), "allow.json", ALLOW_ASSUME);
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--action",
            "sts:AssumeRole",
            "--resource",
            ROLE,
            "--resource-policy",
            &account,
            "--principal",
            ALICE,
            "--policy",
            &allow,
            "--explain",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "ALLOWED", "{out}");
    for expected in [
        "resource policy trace:",
        "  acct#Acct (Allow): applies; Principal: account",
        "identity policies (ALLOWED):",
        "  allow#Assume (Allow): applies",
    ] {
        assert!(lines.contains(&expected), "no line {expected:?} in\n{out}");
    }
    let at = |line: &str| lines.iter().position(|l| *l == line).unwrap();
    assert!(at("resource policy trace:") < at("identity policies (ALLOWED):"));
}

#[test]
fn request_lines_carry_their_own_resource_policy_and_caller() {
    let dir = tempfile::tempdir().unwrap();
    let allow = write_file(dir.path(), "allow.json", ALLOW_ASSUME);
    let account = write_file(dir.path(), "acct.json", &trust("Acct", r#""123456789012""#));
    let inline_trust: serde_json::Value =
        serde_json::from_str(&trust("Alice", &format!("\"{ALICE}\""))).unwrap();
    let bucket = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "R", "Effect": "Allow", "Principal": {{"AWS": "{BOB}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}}]}}"#
    );
    let lines = [
        serde_json::json!({"id": "own-trust", "action": "sts:AssumeRole", "resource": ROLE,
            "principal": ALICE, "resource_policy": {"name": "Trust", "document": inline_trust}}),
        serde_json::json!({"id": "no-principal", "action": "sts:AssumeRole", "resource": ROLE,
            "resource_policy": {"name": "Trust", "document": inline_trust}}),
        serde_json::json!({"id": "bucket-as-text", "action": "s3:GetObject",
            "resource": "arn:aws:s3:::bucket/key", "resource_account": "111122223333",
            "principal": BOB, "resource_policy": {"name": "Bucket", "document": bucket}}),
        serde_json::json!({"id": "flag-policy", "action": "sts:AssumeRole", "resource": ROLE,
            "principal": BOB}),
        serde_json::json!({"id": "flag-policy-same-account", "action": "sts:AssumeRole",
            "resource": ROLE, "principal": ALICE}),
    ];
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--policy",
            &allow,
            "--resource-policy",
            &account,
            "--requests",
            "-",
        ],
        &input,
    );
    assert_eq!(code, 1, "a line failed: {err}");
    let got: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), 5, "{out}");
    assert_eq!(
        got[0],
        serde_json::json!({"id": "own-trust", "decision": "allow", "statements": ["Trust#Alice", "allow#Assume"], "principal_match": "arn"})
    );
    assert_eq!(got[1]["id"], "no-principal");
    assert!(got[1].get("decision").is_none(), "{}", got[1]);
    assert!(
        got[1]["error"]
            .as_str()
            .unwrap()
            .contains("a resource policy needs the caller"),
        "{}",
        got[1]
    );
    assert_eq!(
        got[2],
        serde_json::json!({"id": "bucket-as-text", "decision": "allow", "statements": ["Bucket#R"], "principal_match": "arn"})
    );
    assert_eq!(
        got[3],
        serde_json::json!({"id": "flag-policy", "decision": "implicit_deny", "statements": [], "principal_match": "none"}),
        "--resource-policy applies to lines without their own"
    );
    assert_eq!(
        got[4],
        serde_json::json!({"id": "flag-policy-same-account", "decision": "allow", "statements": ["acct#Acct", "allow#Assume"], "principal_match": "account"})
    );
    // Every line good: exit 0.
    let good = format!("{}\n", lines[0]);
    let (code, _, err) = iam_mfa(
        &["policy", "simulate", "--policy", &allow, "--requests", "-"],
        &good,
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn identity_only_output_is_unchanged_golden() {
    // Without a resource policy the output is byte for byte what it was before resource
    // policies: no principal_match key, even when a line or flag names a principal.
    let base = [
        "policy",
        "simulate",
        "--managed",
        "AdministratorAccess",
        "--action",
        "iam:CreateUser",
        "--resource",
        "arn:aws:iam::1:user/x",
    ];
    let mut json = base.to_vec();
    json.extend(["--output", "json"]);
    let (code, out, err) = iam_mfa(&json, "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "{\n  \"decision\": \"allow\",\n  \"statements\": [\n    \"AdministratorAccess#1\"\n  ]\n}\n"
    );
    let (_, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--output",
            "json",
            "--policy",
            &force_mfa(),
            "--action",
            "s3:GetObject",
        ],
        "",
    );
    assert_eq!(
        out,
        "{\n  \"decision\": \"explicit_deny\",\n  \"statements\": [\n    \"ForceMFA#DenyAllExceptListedIfNoMFA\"\n  ]\n}\n"
    );
    let (_, out, _) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--output",
            "json",
            "--policy",
            &force_mfa(),
            "--action",
            "iam:CreateUser",
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ],
        "",
    );
    assert_eq!(
        out,
        "{\n  \"decision\": \"implicit_deny\",\n  \"statements\": []\n}\n"
    );
    let (_, out, _) = iam_mfa(&base, "");
    assert_eq!(
        out,
        "ALLOWED\ndeciding statements:\n  AdministratorAccess#1\n"
    );
    // JSON Lines, with and without a `principal` field.
    let input = concat!(
        r#"{"id": 1, "action": "iam:CreateUser", "resource": "arn:aws:iam::1:user/x"}"#,
        "\n",
        r#"{"id": "p", "action": "sts:AssumeRole", "resource": "arn:aws:iam::123456789012:role/Target", "principal": "arn:aws:iam::123456789012:user/alice"}"#,
        "\n",
        r#"{"id": null, "action": "s3:GetObject", "policies": [{"name": "Q", "document": {"Version": "2012-10-17", "Statement": {"Sid": "D", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}}]}"#,
        "\n",
    );
    let (code, out, err) = iam_mfa(
        &[
            "policy",
            "simulate",
            "--managed",
            "AdministratorAccess",
            "--requests",
            "-",
        ],
        input,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        concat!(
            r#"{"id":1,"decision":"allow","statements":["AdministratorAccess#1"]}"#,
            "\n",
            r#"{"id":"p","decision":"allow","statements":["AdministratorAccess#1"]}"#,
            "\n",
            r#"{"id":null,"decision":"explicit_deny","statements":["Q#D"]}"#,
            "\n",
        )
    );
}
