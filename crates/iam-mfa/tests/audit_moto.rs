//! `iam-mfa audit` against moto: the exact findings of every seeded user, the account's
//! findings, the AWS requests made (a fixed number, whatever the number of users, except for
//! paging), and the output formats and exit codes of the binary.
mod admin_support;
mod audit_support;
mod common;

use std::collections::BTreeMap;

use admin_support::{admin, admin_sandbox};
use audit_support::{ENFORCED, Spec, args, ids, seed, user, virtual_device};
use common::{Moto, assert_exit, json, stdout};
use iam_mfa::audit;

/// The requests one audit of the seeded account makes, by action.
fn expected_requests(login_profiles: usize) -> BTreeMap<String, usize> {
    let mut expected: BTreeMap<String, usize> = [
        // moto answers STARTED first, then COMPLETE.
        ("GenerateCredentialReport", 2),
        ("GetCredentialReport", 1),
        ("GetAccountAuthorizationDetails", 1),
        ("ListVirtualMFADevices", 1),
        ("GetAccountSummary", 1),
        ("GetAccountPasswordPolicy", 1),
    ]
    .into_iter()
    .map(|(a, n)| (a.to_owned(), n))
    .collect();
    if login_profiles > 0 {
        expected.insert("GetLoginProfile".to_owned(), login_profiles);
    }
    expected
}

/// The requests moto received after the first `skip`, by action.
fn requests_since(moto: &Moto, skip: usize) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for action in moto.actions().into_iter().skip(skip) {
        *out.entry(action).or_insert(0) += 1;
    }
    out
}

#[tokio::test]
async fn every_seeded_user_gets_exactly_its_findings_in_a_fixed_number_of_requests() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let expected = seed(&admin.iam).await;
    let before = moto.actions().len();

    let report = audit::audit(&admin, &args()).await.unwrap();

    assert_eq!(ids(&report), expected);
    // Only erin (console password, no MFA, a Deny on iam:ChangePassword) needed her login
    // profile; moto ignores PasswordResetRequired, so she is at risk but not locked out here.
    assert_eq!(requests_since(&moto, before), expected_requests(1));
    let erin = report.users.iter().find(|u| u.user == "erin").unwrap();
    assert_eq!(erin.password_reset_required, Some(false));
    assert_eq!(erin.password_enabled, Some(true));
    assert_eq!(erin.mfa_active, Some(false));

    let account: Vec<(&str, &str)> = report
        .account_findings
        .iter()
        .map(|a| (a.subject.as_str(), a.finding.id.as_str()))
        .collect();
    assert_eq!(
        account,
        [(
            "arn:aws:iam::123456789012:mfa/abandoned",
            "orphaned-mfa-device"
        )]
    );
    // moto has no root row and no AccountPasswordPresent: whether root has credentials is
    // unknown, so no root finding (see audit_decide for the real shapes).
    assert_eq!(report.root.credentials, None);
    assert_eq!(report.account.as_deref(), Some("123456789012"));
    // Enforced (twice: carol has no MFA but shares alice's and bob's set), Legacy, BoolMFA,
    // ci-bot's own, frank's empty one.
    assert_eq!(report.summary.policy_sets, 5);
    assert_eq!(report.summary.users, 7);
    assert_eq!(report.summary.users_with_findings, 4);
    // The set-level evidence sits with the set; the user's copy points at it.
    let dave = report.users.iter().find(|u| u.user == "dave").unwrap();
    let bool_finding = dave.findings.first().unwrap();
    let set = &report.policy_sets[bool_finding.policy_set.unwrap()];
    assert_eq!(set.policies, ["BoolForceMFA", "Work"]);
    assert!(set.findings.iter().any(|f| !f.evidence.is_empty()));
}

#[tokio::test]
async fn the_request_count_does_not_grow_with_users() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    seed(&admin.iam).await;
    // The first audit starts the credential report (one more GenerateCredentialReport).
    audit::audit(&admin, &args()).await.unwrap();
    let before = moto.actions().len();
    audit::audit(&admin, &args()).await.unwrap();
    let small = requests_since(&moto, before);
    assert_eq!(
        small,
        expected_requests(1)
            .into_iter()
            .map(|(a, n)| (
                a.clone(),
                if a == "GenerateCredentialReport" {
                    1
                } else {
                    n
                }
            ))
            .collect()
    );

    for n in 0..24 {
        let spec = Spec {
            group: Some(ENFORCED),
            password: n % 2 == 0,
            key: n % 3 == 0,
            mfa: n % 4 != 0,
            ..Spec::default()
        };
        user(&admin.iam, &format!("user-{n:02}"), spec).await;
    }
    let before = moto.actions().len();
    let report = audit::audit(&admin, &args()).await.unwrap();
    assert_eq!(report.summary.users, 31);
    assert_eq!(requests_since(&moto, before), small);
}

#[tokio::test]
async fn pages_are_followed() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let expected = seed(&admin.iam).await;
    for n in 0..4 {
        virtual_device(&admin.iam, &format!("left-over-{n}")).await;
    }
    let before = moto.actions().len();
    let mut paged = args();
    paged.page_size = Some(2);
    let report = audit::audit(&admin, &paged).await.unwrap();
    assert_eq!(ids(&report), expected);
    assert_eq!(report.account_findings.len(), 5);
    // Five unassigned devices, two per page (root has no MFA in moto, so the assigned ones
    // are not listed); moto ignores MaxItems on GetAccountAuthorizationDetails.
    assert_eq!(
        requests_since(&moto, before).get("ListVirtualMFADevices"),
        Some(&3)
    );
}

#[tokio::test]
async fn the_binary_prints_every_format_fails_on_request_and_prints_no_secret() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    seed(&admin.iam).await;
    let sandbox = admin_sandbox(&moto);

    let text = sandbox.run(&["audit"]);
    assert_exit(&text, 0);
    let text = stdout(&text);
    assert!(text.contains("7 users, 4 with findings"), "{text}");
    let erin = text.lines().find(|l| l.starts_with("erin ")).unwrap();
    assert!(erin.contains("console-user-without-mfa (high)"), "{erin}");
    assert!(text.contains("orphaned-mfa-device (low)"), "{text}");

    let out = sandbox.run(&["audit", "--output", "json", "--fail-on", "high"]);
    assert_exit(&out, 6);
    let report = json(&out);
    assert_eq!(report["summary"]["worst"], "high");
    assert_eq!(report["summary"]["by_id"]["console-user-without-mfa"], 2);
    let low = sandbox.run(&["audit", "--output", "json", "--fail-on", "critical"]);
    assert_exit(&low, 0);

    let csv = sandbox.run(&["audit", "--output", "csv"]);
    assert_exit(&csv, 0);
    let csv = stdout(&csv);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "user,arn,password_enabled,mfa_active,access_keys_active,finding,severity,policy_set,message"
        )
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("carol,arn:aws:iam::123456789012:user/carol,true,false,0,console-user-without-mfa,high,,")),
        "{csv}"
    );

    let sarif = sandbox.run(&["audit", "--output", "sarif"]);
    assert_exit(&sarif, 0);
    let sarif = json(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        report["summary"]["by_severity"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>() as usize
    );

    // Nothing secret: moto hands out seeds in ListVirtualMFADevices; none may leak.
    let listed = admin.iam.list_virtual_mfa_devices().send().await.unwrap();
    let everything = format!("{text}{csv}{report}{sarif}");
    for device in listed.virtual_mfa_devices() {
        if let Some(seed) = device.base32_string_seed() {
            let seed = String::from_utf8_lossy(seed.as_ref()).into_owned();
            assert!(!everything.contains(&seed));
        }
    }

    let bad = sandbox.run(&["--output", "json", "audit", "--fail-on", "severe"]);
    assert_exit(&bad, 2);
}
