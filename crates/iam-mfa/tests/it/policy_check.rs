//! `iam-mfa policy check` and `policy generate` as processes, offline: the generated policy
//! passes the check in every variant, `--fail-on` drives the exit code, JSON and SARIF are
//! well formed, and bad input is refused with exit code 2.

use std::path::Path;
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../iam-policy/tests/fixtures");

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-mfa"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `policy generate ARGS` written to `dir/NAME.json`; returns the path.
fn generate(dir: &Path, name: &str, args: &[&str]) -> String {
    let mut full = vec!["policy", "generate"];
    full.extend_from_slice(args);
    let (code, out, err) = run(&full);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<serde_json::Value>(&out).expect("generate prints JSON");
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

fn check_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut full = vec!["policy", "check", "--output", "json"];
    full.extend_from_slice(args);
    let (code, out, err) = run(&full);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, report)
}

fn ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn generated_policies_pass_the_check_in_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    let variants: [(&str, &[&str], &[&str]); 5] = [
        ("default", &[], &[]),
        (
            "no-password",
            &["--no-first-login-password-change"],
            &["--no-first-login-password-change"],
        ),
        ("no-cli", &["--no-cli-sessions"], &["--no-cli-sessions"]),
        (
            "exempt",
            &["--exempt", "s3:ListAllMyBuckets"],
            &["--exempt", "s3:ListAllMyBuckets"],
        ),
        ("max-age", &["--max-mfa-age", "12h"], &[]),
    ];
    for (name, generate_args, check_args) in variants {
        let path = generate(dir.path(), name, generate_args);
        for path_arg in ["/", "/division/"] {
            let mut args = vec![
                "--policy",
                path.as_str(),
                "--managed",
                "PowerUserAccess",
                "--as-path",
                path_arg,
                "--fail-on",
                "info",
            ];
            args.extend_from_slice(check_args);
            let (code, report) = check_json(&args);
            assert_eq!(ids(&report), Vec::<String>::new(), "{name} at {path_arg}");
            assert_eq!(code, 0, "{name}");
        }
    }
}

#[test]
fn generate_writes_the_partition_and_age_asked_for() {
    let (code, out, _) = run(&[
        "policy",
        "generate",
        "--partition",
        "aws-us-gov",
        "--max-mfa-age",
        "3600",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("arn:aws-us-gov:iam::*:user/${aws:username}"));
    assert!(!out.contains("arn:aws:"));
    assert!(out.contains(r#""aws:MultiFactorAuthAge": "3600""#), "{out}");
    let (code, _, err) = run(&["policy", "generate", "--max-mfa-age", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["policy", "generate", "--partition", "mars"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_aws_example_policy_blocks_first_sign_in_and_fail_on_sets_the_exit_code() {
    let force = format!("ForceMFA={FIXTURES}/force-mfa-aws.json");
    let base = ["--policy", force.as_str(), "--managed", "PowerUserAccess"];
    let (code, report) = check_json(&base);
    assert_eq!(
        code, 6,
        "a high finding reaches the default --fail-on medium"
    );
    assert_eq!(
        ids(&report),
        ["password-change-denied", "password-policy-unreadable"]
    );
    let evidence = &report["findings"][0]["evidence"][0];
    assert_eq!(evidence["action"], "iam:ChangePassword");
    assert_eq!(evidence["decision"], "explicit_deny");
    assert_eq!(
        evidence["statements"][0],
        "ForceMFA#DenyAllExceptListedIfNoMFA"
    );
    let mut lenient = base.to_vec();
    lenient.extend(["--fail-on", "critical"]);
    assert_eq!(check_json(&lenient).0, 0, "nothing critical");
    let mut locked = base.to_vec();
    locked.extend(["--login-profile", "reset-required"]);
    let (code, report) = check_json(&locked);
    assert_eq!(code, 6);
    assert_eq!(report["findings"][0]["id"], "first-login-lockout");
    assert_eq!(report["findings"][0]["severity"], "critical");
}

#[test]
fn text_output_names_findings_and_the_summary() {
    let force = format!("ForceMFA={FIXTURES}/force-mfa-aws.json");
    let (code, out, _) = run(&[
        "policy",
        "check",
        "--policy",
        &force,
        "--managed",
        "PowerUserAccess",
    ]);
    assert_eq!(code, 6);
    assert!(out.contains("HIGH     password-change-denied"), "{out}");
    assert!(out.contains("fix: "), "{out}");
    assert!(out.contains("2 findings: 1 high, 1 low."), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn power_user_access_alone_leaks_everything_and_lists_every_action() {
    let (code, report) = check_json(&["--managed", "PowerUserAccess"]);
    assert_eq!(code, 6);
    let leak = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "mfa-not-enforced")
        .expect("mfa-not-enforced");
    let with_mfa = report["states"][2]["allowed_actions"].as_u64().unwrap();
    let evidence = leak["evidence"].as_array().unwrap();
    // Every action allowed with MFA is allowed without it (no MFA condition at all), except the
    // intended self-service; the list is exhaustive, not a sample.
    assert!(evidence.len() as u64 > with_mfa - 20, "{}", evidence.len());
    assert!(
        evidence
            .iter()
            .all(|e| e["states"] == serde_json::json!(["long_term_keys", "temporary_without_mfa"]))
    );
    assert!(
        evidence
            .iter()
            .any(|e| e["action"] == "ec2:TerminateInstances")
    );
}

#[test]
fn sarif_lists_rules_and_locates_results_in_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let bool_policy = std::fs::read_to_string(format!("{FIXTURES}/force-mfa-aws.json"))
        .unwrap()
        .replace("BoolIfExists", "Bool");
    let path = dir.path().join("force-bool.json");
    std::fs::write(&path, bool_policy).unwrap();
    let (code, out, err) = run(&[
        "policy",
        "check",
        "--output",
        "sarif",
        "--policy",
        path.to_str().unwrap(),
        "--managed",
        "PowerUserAccess",
    ]);
    assert_eq!(code, 6, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let bool_result = results
        .iter()
        .find(|r| r["ruleId"] == "mfa-condition-bool")
        .expect("mfa-condition-bool result");
    assert_eq!(bool_result["level"], "error");
    assert_eq!(
        bool_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        path.to_str().unwrap()
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = bool_result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "mfa-condition-bool");
}

#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let cases: [&[&str]; 5] = [
        &["policy", "check"],
        &["policy", "check", "--policy", "/nonexistent/policy.json"],
        &["policy", "check", "--managed", "NoSuchPolicy"],
        &[
            "policy",
            "check",
            "--managed",
            "PowerUserAccess",
            "--output",
            "csv",
        ],
        &[
            "policy",
            "check",
            "--managed",
            "PowerUserAccess",
            "--fail-on",
            "worst",
        ],
    ];
    for args in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: nothing on stdout");
        assert!(!err.is_empty(), "{args:?}: says why");
    }
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Version\": \"2012-10-17\",\n \"Statement\": [}").unwrap();
    let (code, _, err) = run(&["policy", "check", "--policy", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn policy_files_can_be_given_as_positional_arguments() {
    let force = format!("{FIXTURES}/force-mfa-aws.json");
    let change = format!("{FIXTURES}/iam-user-change-password.json");
    let (code, positional) = check_json(&[&force, &change, "--managed", "PowerUserAccess"]);
    let (same_code, flags) = check_json(&[
        "--policy",
        &force,
        "--policy",
        &change,
        "--managed",
        "PowerUserAccess",
    ]);
    assert_eq!(code, same_code);
    assert_eq!(positional["policies"], flags["policies"]);
    assert_eq!(positional["findings"], flags["findings"]);
    assert_eq!(
        positional["policies"],
        serde_json::json!([
            "force-mfa-aws",
            "iam-user-change-password",
            "PowerUserAccess"
        ])
    );
    // NAME=FILE as with --policy.
    let (_, named) = check_json(&[&format!("ForceMFA={force}")]);
    assert_eq!(named["policies"], serde_json::json!(["ForceMFA"]));
}

#[test]
fn an_endless_policy_file_is_refused_at_the_cap() {
    for args in [
        &["policy", "check", "/dev/zero"][..],
        &["policy", "check", "--policy", "/dev/zero"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains("/dev/zero is larger than 1048576 bytes, the cap per policy document"),
            "{err}"
        );
    }
}

/// `--help` of `iam-mfa ARGS`.
fn help(args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.push("--help");
    let (code, out, err) = run(&full);
    assert_eq!(code, 0, "{err}");
    out
}

/// The possible values `--help` lists for `--output`.
fn output_values(help: &str) -> Vec<String> {
    let at = help.find("--output <FORMAT>").expect("--output in help");
    let rest = &help[at..];
    let end = rest[1..].find("\n  -").map_or(rest.len(), |e| e + 1);
    ["text", "json", "csv", "sarif"]
        .into_iter()
        .filter(|f| {
            let listed = &rest[..end];
            listed.contains(&format!("- {f}\n")) || listed.contains(&format!("- {f}:"))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_command_lists_only_the_output_formats_it_prints() {
    assert_eq!(
        output_values(&help(&["policy", "check"])),
        ["text", "json", "sarif"]
    );
    assert_eq!(
        output_values(&help(&["policy", "simulate"])),
        ["text", "json"]
    );
    assert_eq!(
        output_values(&help(&["audit"])),
        ["text", "json", "csv", "sarif"]
    );
    assert_eq!(output_values(&help(&["status"])), ["text", "json"]);
    // Global flags under their own heading, after the command's own options.
    let check = help(&["policy", "check"]);
    let global = check
        .find("Global options:")
        .expect("a Global options heading");
    for flag in [
        "--profile",
        "--region",
        "--endpoint-url",
        "--output",
        "--debug",
    ] {
        let at = check
            .find(&format!("      {flag}"))
            .unwrap_or_else(|| panic!("{flag}"));
        assert!(at > global, "{flag} is under Global options");
    }
    assert!(check.find("--fail-on").unwrap() < global);
    // The value still reaches the command, before or after the subcommand name.
    let (code, _, err) = run(&[
        "policy",
        "check",
        "--managed",
        "PowerUserAccess",
        "--output",
        "csv",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("csv"), "{err}");
    let (code, _, err) = run(&[
        "--output",
        "csv",
        "policy",
        "check",
        "--managed",
        "PowerUserAccess",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("prints text, json, sarif"), "{err}");
    let (code, report) = check_json(&["--managed", "PowerUserAccess"]);
    assert_eq!(code, 6);
    assert!(report["findings"].is_array());
}

#[test]
fn bash_completions_parse_and_define_the_completion_function() {
    let (code, script, err) = run(&["completions", "bash"]);
    assert_eq!(code, 0, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iam-mfa.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let defined = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && declare -F _iam__mfa && complete -p iam-mfa",
            path.display()
        ))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&defined.stdout);
    assert!(
        defined.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&defined.stderr)
    );
    assert!(out.contains("-F _iam__mfa iam-mfa"), "{out}");
    assert!(script.contains("check") && script.contains("--fail-on"));
    for shell in ["zsh", "fish", "powershell"] {
        let (code, script, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(script.contains("iam-mfa"), "{shell}");
    }
}

#[test]
fn the_man_page_is_roff() {
    let (code, page, err) = run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.starts_with(".TH iam-mfa 1"), "{}", &page[..80]);
    assert!(page.contains("policy"), "lists the subcommands");
}

/// A policy of `n` statements allowing everything on `resource(i)`, written to `dir/NAME.json`.
fn many_statements(dir: &Path, name: &str, n: usize, resource: impl Fn(usize) -> String) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":"*","Resource":"{}"}}"#,
                resource(i)
            )
        })
        .collect();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(
        &path,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn ten_thousand_statements_are_checked_or_refused_at_the_documented_limit() {
    let dir = tempfile::tempdir().unwrap();
    // Identical but for the Sid (10,000 statements fit in the 1 MiB cap only if short): swept
    // once, and the leak found.
    let wide = "arn:aws:s3:::bucket/*a*b*".to_owned();
    let same = many_statements(dir.path(), "same", 10_000, |_| wide.clone());
    let (code, report) = check_json(&[&same]);
    assert_eq!(code, 6);
    let leak = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "mfa-not-enforced")
        .expect("mfa-not-enforced");
    let get = leak["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "s3:GetObject")
        .expect("s3:GetObject leaks");
    assert_eq!(get["statements"], serde_json::json!(["same#S0"]));
    // 10,000 distinct statements: refused with the limit named.
    let distinct = many_statements(dir.path(), "distinct", 10_000, |i| {
        format!("arn:aws:s3:::bucket-{i}/*")
    });
    let (code, out, err) = run(&["policy", "check", &distinct]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("10000 distinct statements") && err.contains("at most 2000"),
        "{err}"
    );
}

// Role trust policies (`--trust`, offline).

/// The role ARN `policy check --trust` gives a trust file named `name` by default.
fn default_role(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

/// Writes `text` to `dir/FILE` and returns the path.
fn write_file(dir: &Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A trust policy of one statement `Sid` letting `principal` (the `Principal` JSON) assume the
/// role, with `condition` (JSON, or empty for none).
fn trust_doc(sid: &str, principal: &str, condition: &str) -> String {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {condition}"#)
    };
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"{condition}}}]}}"#
    )
}

/// The account trust without any condition, as `dir/acct.json`.
fn account_trust(dir: &Path) -> String {
    write_file(
        dir,
        "acct.json",
        &trust_doc("Acct", r#"{"AWS": "arn:aws:iam::123456789012:root"}"#, ""),
    )
}

/// `(id, severity)` of each finding.
fn graded(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The first finding with `id`.
fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

fn pair(id: &str, severity: &str) -> (String, String) {
    (id.to_owned(), severity.to_owned())
}

#[test]
fn a_trust_of_the_account_without_mfa_is_an_escape_of_its_principals() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let role = default_role("acct");
    let (code, report) = check_json(&["--trust", &trust]);
    assert_eq!(
        code, 6,
        "high reaches the default --fail-on medium: {report:#}"
    );
    assert_eq!(report["principal"], role.as_str());
    assert_eq!(report["policies"], serde_json::json!(["acct"]));
    assert_eq!(report["states"], serde_json::json!([]), "no identity side");
    assert_eq!(
        graded(&report),
        [pair("role-assumable-without-mfa", "high")],
        "a role of unknown power is graded high"
    );
    let section = &report["role"];
    assert_eq!(section["role"], role.as_str());
    assert_eq!(section["trust_policy"], "acct");
    assert_eq!(section["power"], serde_json::json!({"level": "unknown"}));
    let access = section["access"].as_array().unwrap();
    assert_eq!(access.len(), 1, "{access:?}");
    assert_eq!(access[0]["kind"], "account");
    assert_eq!(access[0]["who"], "123456789012");
    assert_eq!(access[0]["caller_account"], "123456789012");
    assert_eq!(
        access[0]["states"],
        serde_json::json!(["long_term_keys", "temporary_without_mfa", "with_mfa"])
    );
    assert_eq!(
        access[0]["needs_identity_allow"], true,
        "naming the account delegates to identity policies"
    );
    assert_eq!(access[0]["statements"], serde_json::json!(["acct#Acct"]));
    let escape = finding(&report, "role-assumable-without-mfa");
    let evidence = &escape["evidence"][0];
    assert_eq!(evidence["action"], "sts:AssumeRole");
    assert_eq!(evidence["resource"], role.as_str());
    assert_eq!(evidence["decision"], "allow");
    assert_eq!(
        evidence["states"],
        serde_json::json!(["long_term_keys", "temporary_without_mfa"])
    );
    assert_eq!(evidence["statements"], serde_json::json!(["acct#Acct"]));
    assert!(
        escape["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{role} can be assumed without MFA")),
        "{escape}"
    );
    // The same in text.
    let (code, out, _) = run(&["policy", "check", "--trust", &trust]);
    assert_eq!(code, 6);
    let lines: Vec<&str> = out.lines().collect();
    for expected in [
        format!("Checked {role}").as_str(),
        "  policies: acct",
        format!("Role {role} (trust policy acct)").as_str(),
        "  permissions: not checked (give --role-policy or --role-managed)",
        "  assumable by account 123456789012: long-term keys (MFA key absent), temporary credentials without MFA, with MFA (with an identity Allow)",
        "HIGH     role-assumable-without-mfa",
        "1 finding: 1 high. Exit code 6: findings at or above --fail-on medium.",
    ] {
        assert!(lines.contains(&expected), "no line {expected:?} in\n{out}");
    }
    assert!(
        out.contains(&format!(
            "  - sts:AssumeRole on {role} [long-term keys, temporary, no MFA] → allow by acct#Acct"
        )),
        "{out}"
    );
}

#[test]
fn the_roles_permissions_grade_the_escape() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let describe = write_file(
        dir.path(),
        "describe.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}"#,
    );
    let reader = format!("Reader={describe}");
    // Read-only: medium, which still reaches the default --fail-on medium.
    let (code, report) = check_json(&["--trust", &trust, "--role-policy", &reader]);
    assert_eq!(code, 6);
    assert_eq!(
        report["role"]["power"],
        serde_json::json!({"level": "read_only"})
    );
    assert_eq!(
        graded(&report),
        [pair("role-assumable-without-mfa", "medium")]
    );
    assert!(
        finding(&report, "role-assumable-without-mfa")["message"]
            .as_str()
            .unwrap()
            .ends_with("escapes MFA with the role's read-only permissions"),
        "{report:#}"
    );
    assert_eq!(
        report["policies"],
        serde_json::json!(["acct"]),
        "the role's own policies are not the identity's"
    );
    let (code, _) = check_json(&[
        "--trust",
        &trust,
        "--role-policy",
        &reader,
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 0, "medium is below --fail-on high");
    let (_, out, _) = run(&[
        "policy",
        "check",
        "--trust",
        &trust,
        "--role-policy",
        &reader,
    ]);
    assert!(out.contains("\n  permissions: read-only\n"), "{out}");
    assert!(out.contains("MEDIUM   role-assumable-without-mfa"), "{out}");
    // Writes: high.
    let (code, report) = check_json(&["--trust", &trust, "--role-managed", "AdministratorAccess"]);
    assert_eq!(code, 6);
    assert_eq!(report["role"]["power"]["level"], "writes");
    assert_eq!(
        graded(&report),
        [pair("role-assumable-without-mfa", "high")]
    );
    let (_, out, _) = run(&[
        "policy",
        "check",
        "--trust",
        &trust,
        "--role-managed",
        "AdministratorAccess",
    ]);
    assert!(out.contains("\n  permissions: writes (e.g. "), "{out}");
    // ReadOnlyAccess grants athena:GetSessionEndpoint, which AWS's service reference (and so
    // the catalog) lists as a Write action: it grades as writes, not read-only.
    let (_, report) = check_json(&["--trust", &trust, "--role-managed", "ReadOnlyAccess"]);
    assert_eq!(report["role"]["power"]["level"], "writes", "{report:#}");
    assert_eq!(
        graded(&report),
        [pair("role-assumable-without-mfa", "high")]
    );
    // Nothing at all but GetCallerIdentity: low, below --fail-on medium.
    let nothing = write_file(
        dir.path(),
        "nothing.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}"#,
    );
    let (code, report) = check_json(&["--trust", &trust, "--role-policy", &nothing]);
    assert_eq!(
        report["role"]["power"],
        serde_json::json!({"level": "nothing"})
    );
    assert_eq!(graded(&report), [pair("role-assumable-without-mfa", "low")]);
    assert_eq!(code, 0);
}

#[test]
fn a_generated_trust_policy_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("plain", &["--trust", "123456789012"][..]),
        ("aged", &["--trust", "123456789012", "--max-mfa-age", "1h"]),
    ] {
        let trust = generate(dir.path(), name, args);
        let (code, out, err) = run(&["policy", "check", "--trust", &trust, "--fail-on", "info"]);
        assert_eq!(code, 0, "{name}: {out}{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.contains(&"No findings: the role cannot be assumed without MFA."),
            "{name}: {out}"
        );
        assert!(
            lines.contains(
                &"  assumable by account 123456789012: with MFA (with an identity Allow)"
            ),
            "{name}: {out}"
        );
        let (code, report) = check_json(&["--trust", &trust, "--fail-on", "info"]);
        assert_eq!(code, 0);
        assert_eq!(ids(&report), Vec::<String>::new(), "{name}");
        assert_eq!(
            report["role"]["access"][0]["states"],
            serde_json::json!(["with_mfa"]),
            "{name}"
        );
        // With a user whose policies allow everything: still only with MFA.
        let (code, report) = check_json(&[
            "--managed",
            "AdministratorAccess",
            "--trust",
            &trust,
            "--fail-on",
            "info",
        ]);
        assert!(
            !ids(&report).contains(&"role-assumable-without-mfa".to_owned()),
            "{name}: {report:#}"
        );
        assert_eq!(code, 6, "AdministratorAccess itself does not force MFA");
        assert_eq!(
            report["role"]["access"][0]["states"],
            serde_json::json!(["with_mfa"]),
            "{name}"
        );
    }
}

#[test]
fn bool_if_exists_in_a_trust_lets_long_term_keys_in() {
    let dir = tempfile::tempdir().unwrap();
    let trust = write_file(
        dir.path(),
        "ifexists.json",
        &trust_doc(
            "IfExists",
            r#"{"AWS": "123456789012"}"#,
            r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}"#,
        ),
    );
    let (code, report) = check_json(&["--trust", &trust]);
    assert_eq!(code, 6);
    let mut found = graded(&report);
    found.sort();
    assert_eq!(
        found,
        [
            pair("role-assumable-without-mfa", "high"),
            pair("role-mfa-condition-bool", "high"),
        ]
    );
    let escape = &finding(&report, "role-assumable-without-mfa")["evidence"][0];
    assert_eq!(
        escape["states"],
        serde_json::json!(["long_term_keys"]),
        "long-term keys carry no MFA key: BoolIfExists lets them in; sessions without MFA carry false"
    );
    assert_eq!(
        escape["statements"],
        serde_json::json!(["ifexists#IfExists"])
    );
    let lint = finding(&report, "role-mfa-condition-bool");
    assert_eq!(
        lint["evidence"][0]["statements"],
        serde_json::json!(["ifexists#IfExists"])
    );
    assert_eq!(
        report["role"]["access"][0]["states"],
        serde_json::json!(["long_term_keys", "with_mfa"])
    );
    // Bool instead: no finding.
    let fixed = write_file(
        dir.path(),
        "bool.json",
        &trust_doc(
            "Bool",
            r#"{"AWS": "123456789012"}"#,
            r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
        ),
    );
    let (code, report) = check_json(&["--trust", &fixed, "--fail-on", "info"]);
    assert_eq!((code, ids(&report)), (0, Vec::<String>::new()));
}

#[test]
fn a_trust_of_any_principal_is_flagged_even_with_mfa() {
    let dir = tempfile::tempdir().unwrap();
    let open = write_file(
        dir.path(),
        "open.json",
        &trust_doc("Anyone", r#"{"AWS": "*"}"#, ""),
    );
    let (code, report) = check_json(&["--trust", &open]);
    assert_eq!(code, 6);
    let ids = ids(&report);
    assert!(
        ids.contains(&"role-trusts-any-principal".to_owned()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"role-assumable-without-mfa".to_owned()),
        "{ids:?}"
    );
    let any = finding(&report, "role-trusts-any-principal");
    assert_eq!(any["severity"], "high");
    assert_eq!(
        any["evidence"][0]["statements"],
        serde_json::json!(["open#Anyone"])
    );
    assert!(
        report["role"]["access"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "any" && a["who"] == "*"),
        "{report:#}"
    );
    // MFA required: nobody escapes MFA, but any account's principals still get in.
    let with_mfa = write_file(
        dir.path(),
        "open-mfa.json",
        &trust_doc(
            "Anyone",
            r#""*""#,
            r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
        ),
    );
    let (code, report) = check_json(&["--trust", &with_mfa]);
    assert_eq!(code, 6);
    assert_eq!(graded(&report), [pair("role-trusts-any-principal", "high")]);
    let (_, out, _) = run(&["policy", "check", "--trust", &with_mfa]);
    assert!(out.contains("HIGH     role-trusts-any-principal"), "{out}");
    assert!(
        out.contains("  assumable by * (as a caller of 123456789012): with MFA"),
        "{out}"
    );
}

#[test]
fn with_identity_policies_the_checked_user_is_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let alice = "arn:aws:iam::123456789012:user/alice";
    let (code, report) = check_json(&["--managed", "PowerUserAccess", "--trust", &trust]);
    assert_eq!(code, 6);
    assert_eq!(report["principal"], alice, "the user is checked");
    assert_eq!(
        report["policies"],
        serde_json::json!(["PowerUserAccess", "acct"])
    );
    assert_eq!(
        report["states"].as_array().unwrap().len(),
        3,
        "identity states"
    );
    let escape = finding(&report, "role-assumable-without-mfa");
    assert_eq!(escape["severity"], "high");
    let evidence = &escape["evidence"][0];
    assert_eq!(
        evidence["states"],
        serde_json::json!(["long_term_keys", "temporary_without_mfa"])
    );
    assert_eq!(
        evidence["statements"],
        serde_json::json!(["acct#Acct", "PowerUserAccess#1"]),
        "the trust Allow, then the identity Allow the account trust needs"
    );
    assert_eq!(evidence["detail"], format!("assumable by {alice}"));
    let access = report["role"]["access"].as_array().unwrap();
    assert_eq!(access.len(), 1, "only the caller: {access:?}");
    assert_eq!(access[0]["kind"], "caller");
    assert_eq!(access[0]["who"], alice);
    assert_eq!(
        access[0]["states"],
        serde_json::json!(["long_term_keys", "temporary_without_mfa", "with_mfa"])
    );
    let (_, out, _) = run(&[
        "policy",
        "check",
        "--managed",
        "PowerUserAccess",
        "--trust",
        &trust,
    ]);
    assert!(
        out.lines().any(|l| l
            == format!("  assumable by {alice}: long-term keys (MFA key absent), temporary credentials without MFA, with MFA")),
        "{out}"
    );
}

#[test]
fn the_generated_force_mfa_policy_denies_assuming_a_role_without_mfa() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let force = generate(dir.path(), "force", &[]);
    let assume = write_file(
        dir.path(),
        "assume.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
    );
    // The Allow alone: the user escapes.
    let (code, report) = check_json(&["--policy", &assume, "--trust", &trust]);
    assert_eq!(code, 6);
    assert_eq!(
        finding(&report, "role-assumable-without-mfa")["evidence"][0]["statements"],
        serde_json::json!(["acct#Acct", "assume#Assume"])
    );
    // With the force-MFA Deny (which does not exempt sts:AssumeRole): only with MFA.
    let (code, report) = check_json(&[
        "--policy",
        &force,
        "--policy",
        &assume,
        "--trust",
        &trust,
        "--fail-on",
        "info",
    ]);
    assert!(
        !ids(&report).contains(&"role-assumable-without-mfa".to_owned()),
        "{report:#}"
    );
    assert_eq!(ids(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    let access = &report["role"]["access"][0];
    assert_eq!(access["kind"], "caller");
    assert_eq!(access["states"], serde_json::json!(["with_mfa"]));
    assert_eq!(
        access["statements"],
        serde_json::json!(["acct#Acct", "assume#Assume"])
    );
    // The force-MFA policy alone allows no sts:AssumeRole: nobody gets in.
    let (code, report) = check_json(&["--policy", &force, "--trust", &trust, "--fail-on", "info"]);
    assert_eq!((code, ids(&report)), (0, Vec::<String>::new()));
    assert_eq!(report["role"]["access"], serde_json::json!([]));
}

#[test]
fn sarif_locates_role_findings_at_the_trust_file() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let named = format!("Trust={trust}");
    for identity in [&[][..], &["--managed", "PowerUserAccess"]] {
        let mut args = vec!["policy", "check", "--output", "sarif", "--trust", &named];
        args.extend_from_slice(identity);
        let (code, out, err) = run(&args);
        assert_eq!(code, 6, "{err}");
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let run = &log["runs"][0];
        let result = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "role-assumable-without-mfa")
            .unwrap_or_else(|| panic!("{identity:?}: {out}"));
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            trust.as_str(),
            "{identity:?}"
        );
        assert_eq!(
            location["logicalLocations"][0]["fullyQualifiedName"],
            "Trust#Acct"
        );
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            "role-assumable-without-mfa"
        );
    }
}

#[test]
fn a_trust_file_named_like_an_identity_file_is_refused_until_named() {
    // Both named `assume` by their file stem: each finding must point at its own file (or the
    // clash be refused), never the identity finding at the trust file.
    let dir = tempfile::tempdir().unwrap();
    let identity = write_file(
        dir.path(),
        "assume.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}"#,
    );
    std::fs::create_dir(dir.path().join("role")).unwrap();
    let trust = write_file(
        &dir.path().join("role"),
        "assume.json",
        &trust_doc("Acct", r#"{"AWS": "123456789012"}"#, ""),
    );
    let (code, _, err) = run(&[
        "policy", "check", "--output", "sarif", "--policy", &identity, "--trust", &trust,
    ]);
    // Refused: one name would stand for two files in statement labels and SARIF locations.
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"assume\"") && err.contains("--trust NAME=FILE"),
        "the refusal names the clash and the way out: {err}"
    );
    let named = format!("Role={trust}");
    let (code, out, err) = run(&[
        "policy", "check", "--output", "sarif", "--policy", &identity, "--trust", &named,
    ]);
    assert_eq!(code, 6, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let uri_of = |rule: &str| {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule}: {out}"))["locations"][0]["physicalLocation"]
            ["artifactLocation"]["uri"]
            .clone()
    };
    assert_eq!(uri_of("role-assumable-without-mfa"), trust.as_str());
    assert_eq!(uri_of("mfa-not-enforced"), identity.as_str());
}

#[test]
fn bad_trust_input_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let trust = account_trust(dir.path());
    let with_resource = write_file(
        dir.path(),
        "with-resource.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Principal\": {\"AWS\": \"123456789012\"},\n    \"Action\": \"sts:AssumeRole\",\n    \"Resource\": \"*\"\n  }]\n}\n",
    );
    let (code, out, err) = run(&["policy", "check", "--trust", &with_resource]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(&format!("{with_resource}: line 7, column ")),
        "the file, line and column: {err}"
    );
    assert!(
        err.contains("Resource is not allowed in a role trust policy"),
        "{err}"
    );
    // Not a role ARN.
    for arn in ["arn:aws:iam::123456789012:user/bob", "role/Admin"] {
        let (code, out, err) = run(&["policy", "check", "--trust", &trust, "--role-arn", arn]);
        assert_eq!(code, 2, "{arn}: {out}{err}");
        assert!(out.is_empty());
        assert!(
            err.contains("--role-arn") && err.contains("not a valid role ARN"),
            "{err}"
        );
    }
    // A good --role-arn names the role everywhere.
    let (_, report) = check_json(&[
        "--trust",
        &trust,
        "--role-arn",
        "arn:aws:iam::123456789012:role/ops/Admin",
    ]);
    assert_eq!(
        report["role"]["role"],
        "arn:aws:iam::123456789012:role/ops/Admin"
    );
    assert_eq!(
        finding(&report, "role-assumable-without-mfa")["evidence"][0]["resource"],
        "arn:aws:iam::123456789012:role/ops/Admin"
    );
    // Role-side flags need --trust (clap usage errors); --trust and --role exclude each other.
    let describe = write_file(
        dir.path(),
        "describe.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}"#,
    );
    let cases: [&[&str]; 5] = [
        &["policy", "check", "--role-policy", &describe],
        &[
            "policy",
            "check",
            "--managed",
            "PowerUserAccess",
            "--role-policy",
            &describe,
        ],
        &[
            "policy",
            "check",
            "--managed",
            "PowerUserAccess",
            "--role-managed",
            "ReadOnlyAccess",
        ],
        &[
            "policy",
            "check",
            "--managed",
            "PowerUserAccess",
            "--role-arn",
            "arn:aws:iam::123456789012:role/r",
        ],
        &["policy", "check", "--trust", &trust, "--role", "r"],
    ];
    for args in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(
            err.contains("--trust") && err.contains("Usage:"),
            "{args:?}: {err}"
        );
    }
    // A missing trust file.
    let (code, _, err) = run(&["policy", "check", "--trust", "/nonexistent/trust.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/trust.json"), "{err}");
}

#[test]
fn generate_trust_writes_a_policy_that_requires_mfa() {
    let (code, out, err) = run(&["policy", "generate", "--trust", "123456789012"]);
    assert_eq!(code, 0, "{err}");
    let policy: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    let st = &statements[0];
    assert_eq!(st["Effect"], "Allow");
    assert_eq!(st["Action"], "sts:AssumeRole");
    assert_eq!(st["Principal"], serde_json::json!({"AWS": "123456789012"}));
    assert!(
        st.get("Resource").is_none(),
        "a trust policy has no Resource"
    );
    assert_eq!(
        st["Condition"],
        serde_json::json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        "Bool, not BoolIfExists: long-term keys are refused"
    );
    // With an age limit, and several principals (comma-separated or repeated).
    let (code, out, err) = run(&[
        "policy",
        "generate",
        "--trust",
        "123456789012,arn:aws:iam::111122223333:user/bob",
        "--trust",
        "arn:aws:iam::111122223333:role/Ops",
        "--max-mfa-age",
        "1h",
    ]);
    assert_eq!(code, 0, "{err}");
    let policy: serde_json::Value = serde_json::from_str(&out).unwrap();
    let st = &policy["Statement"][0];
    assert_eq!(
        st["Principal"]["AWS"],
        serde_json::json!([
            "123456789012",
            "arn:aws:iam::111122223333:user/bob",
            "arn:aws:iam::111122223333:role/Ops"
        ])
    );
    assert_eq!(
        st["Condition"],
        serde_json::json!({
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}
        })
    );
    // Refused: not an account or ARN, a session, identity-policy flags.
    let cases: [&[&str]; 5] = [
        &["policy", "generate", "--trust", "123"],
        &[
            "policy",
            "generate",
            "--trust",
            "arn:aws:sts::111122223333:assumed-role/Ops/s",
        ],
        &["policy", "generate", "--trust", "1", "--exempt", "x"],
        &[
            "policy",
            "generate",
            "--trust",
            "123456789012",
            "--no-cli-sessions",
        ],
        &[
            "policy",
            "generate",
            "--trust",
            "123456789012",
            "--max-mfa-age",
            "0",
        ],
    ];
    for args in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(!err.is_empty(), "{args:?}");
    }
    let (_, _, err) = run(&["policy", "generate", "--trust", "123"]);
    assert!(
        err.contains("\"123\"") && err.contains("12-digit account id"),
        "{err}"
    );
    let (_, _, err) = run(&["policy", "generate", "--trust", "1", "--exempt", "x"]);
    assert!(err.contains("cannot be used with"), "{err}");
}
