//! The audit's decisions on gathered data built here, for the states moto cannot represent:
//! `PasswordResetRequired` (first sign-in lock-out), the credential report's root row,
//! `AccountMFAEnabled`/`AccountPasswordPresent`, a stale report, a policy the engine cannot read.

use std::collections::BTreeMap;

use crate::audit_support::{AWS_EXAMPLE, WORK, force_mfa, ids};
use iam_mfa::commands::audit::credential_report::{AccessKey, CredentialReport, Row, Stamp};
use iam_mfa::commands::audit::decide::{analyse, decide, login_profiles_needed};
use iam_mfa::commands::audit::facts::{AccountSummary, Gathered, User, VirtualDevice};
use iam_mfa::commands::audit::report::AuditReport;
use iam_mfa::iam::documents::Named;
use mfa_doctor::{Intent, LoginProfile, Severity};

const ACCOUNT: &str = "arn:aws:iam::123456789012";

fn row(user: &str, password: Option<bool>, mfa: bool, key: bool) -> Row {
    let key = AccessKey {
        active: key,
        last_used: Stamp::NotApplicable,
    };
    let no_key = AccessKey {
        active: false,
        last_used: Stamp::NotApplicable,
    };
    Row {
        user: user.to_owned(),
        arn: if user == "<root_account>" {
            format!("{ACCOUNT}:root")
        } else {
            format!("{ACCOUNT}:user/{user}")
        },
        password_enabled: password,
        password_last_used: Stamp::NoInformation,
        mfa_active: mfa,
        access_keys: [key, no_key],
    }
}

fn user(name: &str, policies: &[usize]) -> User {
    User {
        name: name.to_owned(),
        path: "/".to_owned(),
        arn: format!("{ACCOUNT}:user/{name}"),
        policies: policies.to_vec(),
    }
}

/// Documents: 0 the generated force-MFA policy, 1 AWS's example, 2 the work policy.
fn documents() -> Vec<Named> {
    [
        ("ForceMFA", force_mfa()),
        ("AwsExampleForceMFA", AWS_EXAMPLE.to_owned()),
        ("Work", WORK.to_owned()),
    ]
    .into_iter()
    .map(|(name, document)| Named {
        name: name.to_owned(),
        document,
    })
    .collect()
}

fn run(gathered: &Gathered) -> AuditReport {
    let intent = Intent::default();
    let analysis = analyse(gathered, &intent, iam_catalog::catalog(), &|_| {}, &|| {});
    decide(gathered, &analysis, &intent)
}

fn ids_of(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_required_password_reset_under_a_deny_on_change_password_is_a_lockout() {
    let mut gathered = Gathered {
        documents: documents(),
        users: vec![
            user("erin", &[1, 2]),
            user("gina", &[1, 2]),
            user("hank", &[0, 2]),
            user("ivan", &[1, 2]),
        ],
        report: CredentialReport {
            users: vec![
                row("erin", Some(true), false, false),
                row("gina", Some(true), true, false),
                row("hank", Some(true), false, false),
                row("ivan", Some(false), false, true),
            ],
            ..CredentialReport::default()
        },
        ..Gathered::default()
    };
    let intent = Intent::default();
    let analysis = analyse(&gathered, &intent, iam_catalog::catalog(), &|_| {}, &|| {});
    // Only erin's login profile can change a finding: gina has MFA, hank's policy lets him
    // change his password, ivan has no password.
    assert_eq!(
        login_profiles_needed(&gathered, &analysis, &intent),
        ["erin"]
    );
    gathered.login_profiles = BTreeMap::from([("erin".to_owned(), LoginProfile::ResetRequired)]);
    let report = decide(&gathered, &analysis, &intent);
    let erin = report.users.iter().find(|u| u.user == "erin").unwrap();
    assert_eq!(
        erin.findings
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        [
            "first-login-lockout",
            "console-user-without-mfa",
            "password-policy-unreadable"
        ]
    );
    assert_eq!(erin.findings[0].severity, Severity::Critical);
    assert!(!erin.findings[0].evidence.is_empty());
    assert_eq!(erin.password_reset_required, Some(true));
    let all = ids(&report);
    assert_eq!(all["gina"], ids_of(&[]));
    assert_eq!(all["hank"], ids_of(&["console-user-without-mfa"]));
    // ivan's keys cannot do anything but enrol without MFA: enforced, but he has no device.
    assert_eq!(all["ivan"], ids_of(&["access-keys-without-mfa"]));
    assert_eq!(report.summary.worst, Some(Severity::Critical));
    assert_eq!(report.summary.policy_sets, 2);
}

#[test]
fn root_without_mfa_is_critical_when_it_has_credentials() {
    let gathered = Gathered {
        report: CredentialReport {
            root: Some(row("<root_account>", Some(true), false, true)),
            ..CredentialReport::default()
        },
        summary: AccountSummary {
            mfa_enabled: Some(false),
            ..AccountSummary::default()
        },
        ..Gathered::default()
    };
    let report = run(&gathered);
    assert_eq!(report.root.credentials, Some(true));
    assert_eq!(report.root.mfa, Some(false));
    let account: Vec<(&str, &str)> = report
        .account_findings
        .iter()
        .map(|a| (a.subject.as_str(), a.finding.id.as_str()))
        .collect();
    assert_eq!(
        account,
        [("arn:aws:iam::123456789012:root", "root-without-mfa")]
    );
    assert_eq!(
        report.account_findings[0].finding.severity,
        Severity::Critical
    );
    assert!(
        report.account_findings[0]
            .finding
            .message
            .contains("a password and access keys")
    );
}

#[test]
fn root_password_not_supported_falls_back_to_the_account_summary() {
    // The documented root row says not_supported; AccountPasswordPresent decides, and a
    // virtual device assigned to root is MFA, though not hardware.
    let gathered = Gathered {
        report: CredentialReport {
            root: Some(row("<root_account>", None, false, false)),
            ..CredentialReport::default()
        },
        summary: AccountSummary {
            mfa_enabled: Some(true),
            password_present: Some(true),
            access_keys_present: Some(false),
        },
        virtual_devices: vec![VirtualDevice {
            serial: format!("{ACCOUNT}:mfa/root-account-mfa-device"),
            user_arn: Some(format!("{ACCOUNT}:root")),
        }],
        ..Gathered::default()
    };
    let report = run(&gathered);
    assert_eq!(report.root.credentials, Some(true));
    assert_eq!(report.root.mfa, Some(true));
    assert!(report.root.virtual_mfa);
    let account: Vec<&str> = report
        .account_findings
        .iter()
        .map(|a| a.finding.id.as_str())
        .collect();
    assert_eq!(account, ["root-virtual-mfa"]);
}

#[test]
fn root_without_credentials_needs_no_mfa() {
    let gathered = Gathered {
        summary: AccountSummary {
            mfa_enabled: Some(false),
            password_present: Some(false),
            access_keys_present: Some(false),
        },
        ..Gathered::default()
    };
    let report = run(&gathered);
    assert_eq!(report.root.credentials, Some(false));
    assert!(report.account_findings.is_empty());
}

#[test]
fn a_virtual_device_assigned_since_the_report_counts_as_mfa() {
    let gathered = Gathered {
        documents: documents(),
        users: vec![user("jo", &[0, 2])],
        report: CredentialReport {
            users: vec![row("jo", Some(true), false, false)],
            ..CredentialReport::default()
        },
        virtual_devices: vec![VirtualDevice {
            serial: format!("{ACCOUNT}:mfa/jo-phone"),
            user_arn: Some(format!("{ACCOUNT}:user/jo")),
        }],
        ..Gathered::default()
    };
    let report = run(&gathered);
    assert_eq!(report.users[0].mfa_active, Some(true));
    assert!(report.users[0].findings.is_empty());
}

#[test]
fn users_missing_from_the_report_still_get_their_policy_findings() {
    // Created after the report: credentials unknown, so the leak counts.
    let gathered = Gathered {
        documents: documents(),
        users: vec![user("new", &[2])],
        ..Gathered::default()
    };
    let report = run(&gathered);
    let new = &report.users[0];
    assert_eq!(new.password_enabled, None);
    let found: Vec<&str> = new.findings.iter().map(|f| f.id.as_str()).collect();
    assert!(found.contains(&"mfa-not-enforced"), "{found:?}");
    assert!(!found.contains(&"console-user-without-mfa"), "{found:?}");
}

#[test]
fn a_policy_the_engine_cannot_read_is_reported_not_fatal() {
    let mut docs = documents();
    docs.push(Named {
        name: "Broken".to_owned(),
        document: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps"}]}"#.to_owned(),
    });
    let gathered = Gathered {
        documents: docs,
        users: vec![user("kim", &[0, 3]), user("lee", &[0, 2])],
        report: CredentialReport {
            users: vec![
                row("kim", Some(false), true, true),
                row("lee", Some(false), true, true),
            ],
            ..CredentialReport::default()
        },
        ..Gathered::default()
    };
    let report = run(&gathered);
    let all = ids(&report);
    assert_eq!(all["kim"], ids_of(&["policy-unparsable"]));
    assert_eq!(all["lee"], ids_of(&[]));
    let kim = &report.users[0];
    let set = &report.policy_sets[kim.policy_set];
    assert!(
        set.error
            .as_deref()
            .unwrap_or_default()
            .starts_with("Broken:"),
        "{set:?}"
    );
}
