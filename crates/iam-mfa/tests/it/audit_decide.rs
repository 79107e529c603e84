//! The audit's decisions on gathered data built here, for the states moto cannot represent:
//! `PasswordResetRequired` (first sign-in lock-out), the credential report's root row,
//! `AccountMFAEnabled`/`AccountPasswordPresent`, a stale report, a policy the engine cannot read,
//! access keys of any age (moto's are created now).

use std::collections::BTreeMap;

use crate::audit_support::{AWS_EXAMPLE, WORK, force_mfa, ids};
use iam_mfa::commands::audit::credential_report::{AccessKey, CredentialReport, Row, Stamp};
use iam_mfa::commands::audit::decide::{analyse, decide, login_profiles_needed};
use iam_mfa::commands::audit::facts::{AccountSummary, Gathered, User, VirtualDevice};
use iam_mfa::commands::audit::key_hygiene::KeyLimits;
use iam_mfa::commands::audit::report::{AuditFinding, AuditReport};
use iam_mfa::iam::documents::Named;
use mfa_doctor::{Intent, LoginProfile, Severity};
use time::OffsetDateTime;
use time::macros::datetime;

const ACCOUNT: &str = "arn:aws:iam::123456789012";

/// When the tests' audits run: key ages are counted to it (no test report has a `generated`).
const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn row(user: &str, password: Option<bool>, mfa: bool, key: bool) -> Row {
    let key = AccessKey {
        active: key,
        last_rotated: Stamp::NotApplicable,
        last_used: Stamp::NotApplicable,
    };
    let no_key = AccessKey {
        active: false,
        ..key
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
        tags: Vec::new(),
        id: None,
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
    run_with(gathered, KeyLimits::default())
}

/// The audit of `gathered` with the access-key limits `limits`, at [`NOW`].
fn run_with(gathered: &Gathered, limits: KeyLimits) -> AuditReport {
    let intent = Intent::default();
    let analysis = analyse(gathered, &intent, iam_catalog::catalog(), &|_| {}, &|| {});
    decide(
        gathered,
        &analysis,
        &intent,
        limits,
        NOW,
        iam_catalog::catalog(),
    )
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
    let report = decide(
        &gathered,
        &analysis,
        &intent,
        KeyLimits::default(),
        NOW,
        iam_catalog::catalog(),
    );
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

/// Access-key hygiene on credential report rows: ages against the limits, counted to [`NOW`]
/// (or to the report's generation time).
mod keys {
    use super::*;
    use time::Duration;

    /// No key: the report's `N/A` columns.
    const NO_KEY: AccessKey = AccessKey {
        active: false,
        last_rotated: Stamp::NotApplicable,
        last_used: Stamp::NotApplicable,
    };

    /// `days` days before [`NOW`].
    fn ago(days: i64) -> Stamp {
        Stamp::At(NOW - Duration::days(days))
    }

    fn key(active: bool, last_rotated: Stamp, last_used: Stamp) -> AccessKey {
        AccessKey {
            active,
            last_rotated,
            last_used,
        }
    }

    /// User kay with `keys`, MFA, no password and the force-MFA and work policies: nothing
    /// else to find; the report generated `generated`.
    fn gathered(keys: [AccessKey; 2], generated: Option<OffsetDateTime>) -> Gathered {
        let mut kay = row("kay", Some(false), true, false);
        kay.access_keys = keys;
        Gathered {
            documents: documents(),
            users: vec![user("kay", &[0, 2])],
            report: CredentialReport {
                generated,
                users: vec![kay],
                ..CredentialReport::default()
            },
            ..Gathered::default()
        }
    }

    /// kay's finding ids with `keys` under `limits`.
    fn found(keys: [AccessKey; 2], limits: KeyLimits) -> Vec<String> {
        ids(&run_with(&gathered(keys, None), limits))["kay"].clone()
    }

    /// kay's only finding with `keys` under `limits`.
    fn only(keys: [AccessKey; 2], limits: KeyLimits) -> AuditFinding {
        let report = run_with(&gathered(keys, None), limits);
        let findings = &report.users[0].findings;
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings[0].clone()
    }

    /// Rotation alone: no idle limit to speak of.
    const AGE_ONLY: KeyLimits = KeyLimits {
        max_age: 90,
        max_idle: 36_500,
    };
    /// Idleness alone: no age limit to speak of.
    const IDLE_ONLY: KeyLimits = KeyLimits {
        max_age: 36_500,
        max_idle: 90,
    };

    #[test]
    fn a_key_older_than_the_limit_is_not_rotated_and_the_message_says_which_and_how_old() {
        let finding = only([NO_KEY, key(true, ago(91), ago(1))], KeyLimits::default());
        assert_eq!(finding.id.as_str(), "access-key-not-rotated");
        assert_eq!(finding.severity, Severity::Medium);
        for part in [
            "kay's access key 2",
            "91 days ago",
            "the 90 days allowed",
            "--max-key-age",
        ] {
            assert!(
                finding.message.contains(part),
                "{part}: {}",
                finding.message
            );
        }
        assert!(
            finding.fix.contains("iam-mfa keys rotate PROFILE"),
            "{}",
            finding.fix
        );
        assert!(finding.fix.contains("--user-name kay"), "{}", finding.fix);
        assert!(finding.evidence.is_empty() && finding.policy_set.is_none());
    }

    #[test]
    fn a_key_at_or_below_the_age_limit_or_inactive_is_not_a_finding() {
        for rotated in [ago(90), ago(89), Stamp::At(NOW)] {
            assert_eq!(
                found([key(true, rotated, ago(0)), NO_KEY], AGE_ONLY),
                ids_of(&[]),
                "{rotated:?}"
            );
        }
        let just_over = Stamp::At(NOW - Duration::days(90) - Duration::SECOND);
        assert_eq!(
            found([key(true, just_over, ago(0)), NO_KEY], AGE_ONLY),
            ids_of(&["access-key-not-rotated"])
        );
        assert_eq!(
            found(
                [key(false, ago(400), ago(399)), NO_KEY],
                KeyLimits::default()
            ),
            ids_of(&[])
        );
    }

    #[test]
    fn a_key_last_used_within_the_limit_is_not_unused() {
        assert_eq!(
            found([key(true, ago(200), ago(1)), NO_KEY], IDLE_ONLY),
            ids_of(&[])
        );
        assert_eq!(
            found([key(true, ago(200), ago(90)), NO_KEY], IDLE_ONLY),
            ids_of(&[])
        );
    }

    #[test]
    fn a_key_last_used_longer_ago_than_the_limit_is_unused() {
        let finding = only([key(true, ago(200), ago(100)), NO_KEY], IDLE_ONLY);
        assert_eq!(finding.id.as_str(), "access-key-unused");
        assert_eq!(finding.severity, Severity::Medium);
        for part in [
            "kay's access key 1 was last used 100 days ago",
            "the 90 days idle allowed",
        ] {
            assert!(
                finding.message.contains(part),
                "{part}: {}",
                finding.message
            );
        }
        assert!(finding.fix.contains("--status Inactive"), "{}", finding.fix);
        assert!(finding.fix.contains("delete-access-key"), "{}", finding.fix);
    }

    #[test]
    fn a_key_never_used_is_unused_once_it_was_created_longer_ago_than_the_limit() {
        for never in [Stamp::NotApplicable, Stamp::NoInformation] {
            let finding = only([key(true, ago(100), never), NO_KEY], IDLE_ONLY);
            assert_eq!(finding.id.as_str(), "access-key-unused", "{never:?}");
            assert!(
                finding
                    .message
                    .contains("was never used and was created 100 days ago"),
                "{}",
                finding.message
            );
            // Created an hour ago: not idle yet.
            let new = Stamp::At(NOW - Duration::HOUR);
            assert_eq!(
                found([key(true, new, never), NO_KEY], IDLE_ONLY),
                ids_of(&[])
            );
            // Inactive: nothing to deactivate.
            assert_eq!(
                found([key(false, ago(100), never), NO_KEY], IDLE_ONLY),
                ids_of(&[])
            );
        }
        // not_supported says nothing of its use.
        assert_eq!(
            found(
                [key(true, ago(100), Stamp::NotSupported), NO_KEY],
                IDLE_ONLY
            ),
            ids_of(&[])
        );
    }

    #[test]
    fn two_active_keys_are_a_low_finding_naming_their_last_use() {
        let finding = only(
            [
                key(true, ago(10), ago(1)),
                key(true, ago(5), Stamp::NotApplicable),
            ],
            KeyLimits::default(),
        );
        assert_eq!(finding.id.as_str(), "access-keys-two-active");
        assert_eq!(finding.severity, Severity::Low);
        assert!(
            finding
                .message
                .contains("(key 1 last used 2026-05-31, key 2 never used)"),
            "{}",
            finding.message
        );
        assert!(finding.fix.contains("--status Inactive"), "{}", finding.fix);
        for one_inactive in [
            [key(true, ago(10), ago(1)), key(false, ago(5), ago(2))],
            [key(false, ago(10), ago(1)), key(true, ago(5), ago(2))],
        ] {
            assert_eq!(found(one_inactive, KeyLimits::default()), ids_of(&[]));
        }
    }

    #[test]
    fn custom_limits_are_honoured_and_recorded() {
        let keys = [key(true, ago(31), ago(11)), NO_KEY];
        assert_eq!(found(keys, KeyLimits::default()), ids_of(&[]));
        let tight = KeyLimits {
            max_age: 30,
            max_idle: 10,
        };
        assert_eq!(
            found(keys, tight),
            ids_of(&["access-key-not-rotated", "access-key-unused"])
        );
        let report = run_with(&gathered(keys, None), tight);
        assert_eq!(
            serde_json::to_value(report.key_hygiene).unwrap(),
            serde_json::json!({"max_key_age_days": 30, "max_key_idle_days": 10, "as_of": "2026-06-01T12:00:00Z"})
        );
        assert_eq!(report.summary.by_id.len(), 2);
        // 0 days: a key a second old, never used, is both.
        let zero = KeyLimits {
            max_age: 0,
            max_idle: 0,
        };
        let second_old = Stamp::At(NOW - Duration::SECOND);
        let report = run_with(
            &gathered([key(true, second_old, Stamp::NotApplicable), NO_KEY], None),
            zero,
        );
        assert_eq!(
            ids(&report)["kay"],
            ids_of(&["access-key-not-rotated", "access-key-unused"])
        );
        assert!(
            report.users[0].findings[0]
                .message
                .contains("less than a day ago"),
            "{}",
            report.users[0].findings[0].message
        );
    }

    #[test]
    fn ages_count_to_the_report_generation_unless_the_report_contradicts_it() {
        // Rotated 90 days and an hour before NOW, 90 days minus an hour before the report.
        let keys = [
            key(
                true,
                Stamp::At(NOW - Duration::days(90) - Duration::HOUR),
                ago(1),
            ),
            NO_KEY,
        ];
        let generated = NOW - Duration::hours(2);
        let report = run_with(&gathered(keys, Some(generated)), AGE_ONLY);
        assert_eq!(report.key_hygiene.as_of, generated);
        assert_eq!(ids(&report)["kay"], ids_of(&[]));
        let report = run_with(&gathered(keys, None), AGE_ONLY);
        assert_eq!(report.key_hygiene.as_of, NOW);
        assert_eq!(ids(&report)["kay"], ids_of(&["access-key-not-rotated"]));
        // A report "generated" before a key it lists was used (moto's fixed 2015 date).
        let report = run_with(
            &gathered(keys, Some(datetime!(2015-02-02 20:02:02 UTC))),
            AGE_ONLY,
        );
        assert_eq!(report.key_hygiene.as_of, NOW);
        assert_eq!(ids(&report)["kay"], ids_of(&["access-key-not-rotated"]));
    }
}

/// Roles and their trust policies, on gathered data: cases moto cannot show (other accounts,
/// principal tags, per-user conditions).
mod roles {
    use super::*;
    use crate::audit_support::ASSUME_ANY;
    use iam_mfa::commands::audit::facts::Role;
    use serde_json::{Value, json};

    /// Documents: 0 force-MFA, 1 AWS's example, 2 Work, 3 AssumeAny.
    fn documents() -> Vec<Named> {
        let mut docs = super::documents();
        docs.push(Named {
            name: "AssumeAny".to_owned(),
            document: ASSUME_ANY.to_owned(),
        });
        docs
    }

    /// Role `name` of this account with `trust` and the Work policy.
    fn role(name: &str, trust: Value) -> Role {
        Role {
            name: name.to_owned(),
            path: "/".to_owned(),
            arn: format!("{ACCOUNT}:role/{name}"),
            trust: trust.to_string(),
            policies: vec![2],
            incomplete: false,
        }
    }

    fn allow(principal: Value, condition: Option<Value>) -> Value {
        let mut statement =
            json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
        if let Some(condition) = condition {
            statement["Condition"] = condition;
        }
        json!({"Version": "2012-10-17", "Statement": [statement]})
    }

    fn this_account() -> Value {
        json!({"AWS": format!("{ACCOUNT}:root")})
    }

    /// Users with access keys and no MFA (no password).
    fn with_keys(users: Vec<User>, roles: Vec<Role>) -> Gathered {
        Gathered {
            documents: documents(),
            report: CredentialReport {
                users: users
                    .iter()
                    .map(|u| row(&u.name, Some(false), false, true))
                    .collect(),
                ..CredentialReport::default()
            },
            users,
            roles,
            ..Gathered::default()
        }
    }

    /// Role name → the users who can assume it without MFA, with their states.
    fn escapes(report: &AuditReport) -> BTreeMap<String, Vec<(String, Vec<String>)>> {
        report
            .roles
            .iter()
            .map(|r| {
                (
                    r.role.clone(),
                    r.assumable_without_mfa
                        .iter()
                        .map(|e| {
                            (
                                e.user.clone(),
                                e.states
                                    .iter()
                                    .map(|s| {
                                        serde_json::to_value(s)
                                            .unwrap()
                                            .as_str()
                                            .unwrap()
                                            .to_owned()
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            })
            .collect()
    }

    fn keys(users: &[&str]) -> Vec<(String, Vec<String>)> {
        users
            .iter()
            .map(|u| {
                (
                    (*u).to_owned(),
                    vec![
                        "long_term_keys".to_owned(),
                        "temporary_without_mfa".to_owned(),
                    ],
                )
            })
            .collect()
    }

    /// Every role finding under the users, as (user, role ARN), sorted.
    fn user_findings(report: &AuditReport) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = report
            .users
            .iter()
            .flat_map(|u| {
                u.findings
                    .iter()
                    .filter(|f| f.id.as_str() == "role-assumable-without-mfa")
                    .map(|f| {
                        (
                            u.user.clone(),
                            f.evidence[0].resource.clone().unwrap_or_default(),
                        )
                    })
            })
            .collect();
        out.sort();
        out
    }

    fn tagged(name: &str, tags: &[(&str, &str)]) -> User {
        User {
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..user(name, &[2, 3])
        }
    }

    #[test]
    fn another_accounts_trust_lets_nobody_in_and_a_principal_tag_picks_the_tagged_user() {
        // Three users with one policy set (tags are not part of it), all allowed to call
        // sts:AssumeRole, with keys and no MFA.
        let users = vec![
            tagged("dev", &[("team", "dev")]),
            tagged("ops", &[("team", "ops")]),
            tagged("plain", &[]),
        ];
        let other = allow(
            json!({"AWS": ["arn:aws:iam::999999999999:root", "arn:aws:iam::999999999999:user/ops"]}),
            None,
        );
        let tag = allow(
            this_account(),
            Some(json!({"StringEquals": {"aws:PrincipalTag/team": "ops"}})),
        );
        let gathered = with_keys(
            users,
            vec![role("OtherAccount", other), role("OpsOnly", tag)],
        );
        let report = run(&gathered);
        assert_eq!(report.summary.policy_sets, 1);
        let found = escapes(&report);
        assert_eq!(found["OtherAccount"], keys(&[]));
        assert_eq!(found["OpsOnly"], keys(&["ops"]));
        assert_eq!(
            user_findings(&report),
            [("ops".to_owned(), format!("{ACCOUNT}:role/OpsOnly"))]
        );
        assert_eq!(report.summary.roles, 2);
        assert_eq!(report.summary.roles_assumable_without_mfa, 1);
        assert!(
            report.account_findings.is_empty(),
            "{:?}",
            report.account_findings
        );
    }

    #[test]
    fn an_aws_username_condition_is_proven_for_each_user() {
        let users = vec![
            user("alpha", &[2, 3]),
            user("deploy", &[2, 3]),
            user("omega", &[2, 3]),
        ];
        let only = allow(
            this_account(),
            Some(json!({"StringEquals": {"aws:username": "deploy"}})),
        );
        let except = allow(
            this_account(),
            Some(json!({"StringNotEquals": {"aws:username": "deploy"}})),
        );
        let gathered = with_keys(
            users,
            vec![role("DeployOnly", only), role("AllButDeploy", except)],
        );
        let report = run(&gathered);
        assert_eq!(report.summary.policy_sets, 1);
        let found = escapes(&report);
        assert_eq!(found["DeployOnly"], keys(&["deploy"]));
        assert_eq!(found["AllButDeploy"], keys(&["alpha", "omega"]));
        // The user's own name is no context the request has to add.
        for r in &report.roles {
            for e in &r.assumable_without_mfa {
                assert!(e.context.is_empty(), "{e:?}");
            }
        }
    }

    #[test]
    fn a_trust_naming_one_user_of_a_shared_policy_set_lets_only_that_user_in() {
        // ben, ann and cid share the Work set (no identity Allow of sts:AssumeRole); eve has
        // a path; dot is named too but her force-MFA Deny wins (R36).
        let mut users = vec![
            user("ben", &[2]),
            user("ann", &[2]),
            user("cid", &[2]),
            user("dot", &[0, 2]),
        ];
        users.push(User {
            path: "/div/".to_owned(),
            arn: format!("{ACCOUNT}:user/div/eve"),
            ..user("eve", &[2])
        });
        let named = allow(
            json!({"AWS": [
                format!("{ACCOUNT}:user/ann"),
                format!("{ACCOUNT}:user/dot"),
                format!("{ACCOUNT}:user/div/eve"),
            ]}),
            None,
        );
        // The same users through the account: nobody, as nobody's identity policies allow.
        let account = allow(this_account(), None);
        let gathered = with_keys(users, vec![role("Named", named), role("Account", account)]);
        let report = run(&gathered);
        assert_eq!(report.summary.policy_sets, 3);
        let found = escapes(&report);
        assert_eq!(found["Named"], keys(&["ann", "eve"]));
        assert_eq!(found["Account"], keys(&[]));
        let ann = report.roles.iter().find(|r| r.role == "Named").unwrap();
        for e in &ann.assumable_without_mfa {
            // Named by ARN in its own account: the trust alone decides (R32).
            assert!(
                e.statements.iter().all(|s| s.starts_with("Named/trust")),
                "{e:?}"
            );
        }
        assert_eq!(
            user_findings(&report),
            [
                ("ann".to_owned(), format!("{ACCOUNT}:role/Named")),
                ("eve".to_owned(), format!("{ACCOUNT}:role/Named")),
            ]
        );
    }

    /// `with_keys`, with `extra` documents after the standard four (index 4 on).
    fn with_documents(users: Vec<User>, roles: Vec<Role>, extra: &[Value]) -> Gathered {
        let mut gathered = with_keys(users, roles);
        for (i, document) in extra.iter().enumerate() {
            gathered.documents.push(Named {
                name: format!("Extra{i}"),
                document: document.to_string(),
            });
        }
        gathered
    }

    #[test]
    fn an_identity_allow_on_roles_named_after_the_user_is_proven_for_each_user() {
        // One policy set: sts:AssumeRole on role/${aws:username}-admin. alice may assume
        // alice-admin only, bob bob-admin only; both roles trust the account.
        let own_admin = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": format!("{ACCOUNT}:role/${{aws:username}}-admin")
        }]});
        let gathered = with_documents(
            vec![user("alice", &[2, 4]), user("bob", &[2, 4])],
            vec![
                role("alice-admin", allow(this_account(), None)),
                role("bob-admin", allow(this_account(), None)),
            ],
            &[own_admin],
        );
        let report = run(&gathered);
        assert_eq!(report.summary.policy_sets, 1);
        let found = escapes(&report);
        assert_eq!(found["alice-admin"], keys(&["alice"]));
        assert_eq!(found["bob-admin"], keys(&["bob"]));
    }

    #[test]
    fn an_identity_condition_on_a_principal_tag_is_proven_for_each_user() {
        // One policy set (tags are not part of it) allowing sts:AssumeRole only to team=ops;
        // the role trusts the account.
        let ops_only = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}
        }]});
        let users = vec![
            User {
                policies: vec![2, 4],
                ..tagged("dev", &[("team", "dev")])
            },
            User {
                policies: vec![2, 4],
                ..tagged("ops", &[("team", "ops")])
            },
        ];
        let gathered = with_documents(
            users,
            vec![role("Ops", allow(this_account(), None))],
            &[ops_only],
        );
        let report = run(&gathered);
        assert_eq!(report.summary.policy_sets, 1);
        assert_eq!(escapes(&report)["Ops"], keys(&["ops"]));
    }

    #[test]
    fn a_trust_with_many_conditions_the_caller_meets_is_still_proven() {
        // Six conditions an IAM user calling the AWS CLI over HTTPS in us-east-1 meets by
        // choosing its external id and session name: AWS lets the user in.
        let many = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": this_account(),
            "Action": "sts:AssumeRole",
            "Condition": {
                "Bool": {"aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "false"},
                "StringEquals": {
                    "aws:RequestedRegion": "us-east-1",
                    "sts:ExternalId": "ci-external-id",
                    "sts:RoleSessionName": "ci"
                },
                "StringLike": {"aws:UserAgent": "aws-cli/*"}
            }
        }]});
        let gathered = with_keys(vec![user("ci", &[2, 3])], vec![role("Guarded", many)]);
        let report = run(&gathered);
        let guarded = report.roles.iter().find(|r| r.role == "Guarded").unwrap();
        assert_eq!(escapes(&report)["Guarded"], keys(&["ci"]), "{guarded:?}");
        // The request must set what the caller chooses: the external id and session name.
        let context: Vec<&str> = guarded.assumable_without_mfa[0]
            .context
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert!(
            context.contains(&"sts:externalid") || context.contains(&"sts:ExternalId"),
            "{context:?}"
        );
    }

    /// `aws:userid` is each user's own unique id from the account's details, so a trust that
    /// names one id lets in that user only (users of one policy set are proven apart).
    #[test]
    fn a_trust_on_aws_userid_lets_in_only_the_user_with_that_id() {
        let with_id = |name: &str, id: &str| User {
            id: Some(id.to_owned()),
            ..user(name, &[2, 3])
        };
        let gathered = with_keys(
            vec![with_id("amy", "AIDAAMY"), with_id("bea", "AIDABEA")],
            vec![role(
                "ById",
                allow(
                    this_account(),
                    Some(json!({"StringEquals": {"aws:userid": "AIDABEA"}})),
                ),
            )],
        );
        let report = run(&gathered);
        assert_eq!(escapes(&report)["ById"], keys(&["bea"]));
        assert_eq!(
            user_findings(&report),
            [("bea".to_owned(), format!("{ACCOUNT}:role/ById"))]
        );
    }
}
