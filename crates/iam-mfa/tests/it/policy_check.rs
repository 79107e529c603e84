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
