//! `iam-mfa audit` against moto: the exact findings of every seeded user, the account's
//! findings, the AWS requests made (a fixed number, whatever the number of users, except for
//! paging), the output formats and exit codes of the binary, and access-key hygiene by its
//! limits.

use crate::admin_support::{admin, admin_sandbox};
use crate::audit_support::{
    ENFORCED, Spec, WORK, args, expected_requests, force_mfa, group, ids, policy, requests_since,
    seed, user,
};
use crate::common::{Moto, Sandbox, assert_exit, create_virtual, json, stderr, stdout};
use iam_mfa::commands::audit;

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
        create_virtual(&admin.iam, &format!("left-over-{n}")).await;
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
            "user,arn,password_enabled,mfa_active,access_keys_active,finding,severity,policy_set,message,role"
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

/// The finding ids of user `name` in the JSON report `report`.
fn json_ids(report: &serde_json::Value, name: &str) -> Vec<String> {
    report["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == name)
        .unwrap_or_else(|| panic!("{name} in {report}"))["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn key_hygiene_follows_the_limits_on_moto_keys_created_now() {
    // moto fills access_key_N_last_rotated with the key's creation time (to the second),
    // last_used_date with N/A, and answers a fixed GeneratedTime of 2015-02-02 (before the
    // keys): ages then count to now, so 0-day limits flag its new keys.
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let work = policy(&admin.iam, "Work", WORK).await;
    let force = policy(&admin.iam, "ForceMFA", &force_mfa()).await;
    group(&admin.iam, ENFORCED, &[&force, &work]).await;
    let spec = Spec {
        group: Some(ENFORCED),
        key: true,
        mfa: true,
        ..Spec::default()
    };
    user(&admin.iam, "kim", spec).await;
    admin
        .iam
        .create_access_key()
        .user_name("kim")
        .send()
        .await
        .expect("CreateAccessKey");
    user(&admin.iam, "lou", spec).await;
    let sandbox = admin_sandbox(&moto);

    let strict = sandbox.run(&[
        "--output",
        "json",
        "audit",
        "--max-key-age",
        "0",
        "--max-key-idle",
        "0",
    ]);
    assert_exit(&strict, 0);
    let report = json(&strict);
    assert_eq!(
        json_ids(&report, "kim"),
        [
            "access-key-not-rotated",
            "access-key-not-rotated",
            "access-key-unused",
            "access-key-unused",
            "access-keys-two-active",
        ]
    );
    assert_eq!(
        json_ids(&report, "lou"),
        ["access-key-not-rotated", "access-key-unused"]
    );
    assert_eq!(report["key_hygiene"]["max_key_age_days"], 0);
    assert_eq!(report["key_hygiene"]["max_key_idle_days"], 0);
    assert_eq!(report["summary"]["by_id"]["access-key-unused"], 3);
    let kim = &report["users"].as_array().unwrap()[0];
    assert!(
        kim["findings"][2]["message"]
            .as_str()
            .unwrap()
            .contains("kim's access key 1 was never used and was created less than a day ago"),
        "{kim}"
    );

    let defaults = sandbox.run(&["--output", "json", "audit"]);
    assert_exit(&defaults, 0);
    let report = json(&defaults);
    // Two active keys do not depend on the limits.
    assert_eq!(json_ids(&report, "kim"), ["access-keys-two-active"]);
    assert_eq!(json_ids(&report, "lou"), Vec::<String>::new());
    assert_eq!(report["key_hygiene"]["max_key_age_days"], 90);
    assert_eq!(report["key_hygiene"]["max_key_idle_days"], 90);

    let csv = sandbox.run(&["--output", "csv", "audit", "--max-key-age", "0"]);
    assert_exit(&csv, 0);
    let csv = stdout(&csv);
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("kim,") && l.contains(",access-key-not-rotated,medium,"))
            .count(),
        2,
        "{csv}"
    );
    let sarif = sandbox.run(&["--output", "sarif", "audit", "--max-key-idle", "0"]);
    assert_exit(&sarif, 0);
    let sarif = json(&sarif);
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "access-key-unused",
            "access-key-unused",
            "access-keys-two-active",
            "access-key-unused"
        ]
    );
    let text = sandbox.run(&["audit", "--max-key-age", "0"]);
    assert_exit(&text, 0);
    let text = stdout(&text);
    let lou = text.lines().find(|l| l.starts_with("lou ")).unwrap();
    assert!(lou.contains("access-key-not-rotated (medium)"), "{text}");
}

#[test]
fn key_limits_are_validated_and_documented() {
    let sandbox = Sandbox::with_endpoint("http://127.0.0.1:9");
    for flag in ["--max-key-age", "--max-key-idle"] {
        for bad in ["-1", "abc", "36501", "1.5"] {
            let out = sandbox.run(&["audit", flag, bad]);
            assert_exit(&out, 2);
            let err = stderr(&out);
            assert!(
                err.contains(&format!("'{bad}' for '{flag} <DAYS>'")),
                "{flag} {bad}: {err}"
            );
        }
    }
    let help = sandbox.run(&["audit", "--help"]);
    assert_exit(&help, 0);
    let help = stdout(&help);
    for flag in ["--max-key-age <DAYS>", "--max-key-idle <DAYS>"] {
        let at = help.find(flag).unwrap_or_else(|| panic!("{flag}: {help}"));
        let entry = &help[at..];
        let entry = &entry[..entry[1..].find("\n  -").map_or(entry.len(), |e| e + 1)];
        // However the help is wrapped.
        let entry = entry.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(entry.contains("[default: 90]"), "{entry}");
        assert!(entry.contains("access-key-"), "{entry}");
    }
}

/// A loopback IAM stand-in that answers `GetLoginProfile` at once, except for user `slow`
/// (after 1 s); it counts the calls in flight and how many were answered before `slow`.
#[derive(Default)]
struct LoginProfileStub {
    in_flight: std::sync::atomic::AtomicUsize,
    max_in_flight: std::sync::atomic::AtomicUsize,
    answered: std::sync::atomic::AtomicUsize,
    answered_before_slow: std::sync::atomic::AtomicUsize,
}

impl LoginProfileStub {
    /// Serves one connection's requests (keep-alive) until the client closes it.
    async fn serve(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        use std::sync::atomic::Ordering::SeqCst;
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let mut stream = BufReader::new(stream);
        loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            stream.read_exact(&mut body).await?;
            let body = String::from_utf8_lossy(&body).into_owned();
            let user = body
                .split('&')
                .find_map(|pair| pair.strip_prefix("UserName="))
                .unwrap_or_default()
                .to_owned();
            let now = self.in_flight.fetch_add(1, SeqCst) + 1;
            self.max_in_flight.fetch_max(now, SeqCst);
            if user == "slow" {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                self.answered_before_slow
                    .store(self.answered.load(SeqCst), SeqCst);
            } else {
                tokio::task::yield_now().await;
            }
            self.in_flight.fetch_sub(1, SeqCst);
            self.answered.fetch_add(1, SeqCst);
            let xml = format!(
                "<GetLoginProfileResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetLoginProfileResult><LoginProfile><UserName>{user}</UserName><CreateDate>2026-01-01T00:00:00Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired></LoginProfile></GetLoginProfileResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetLoginProfileResponse>"
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
                xml.len()
            );
            stream.get_mut().write_all(head.as_bytes()).await?;
            stream.get_mut().write_all(xml.as_bytes()).await?;
        }
    }
}

#[tokio::test]
async fn login_profiles_are_read_as_a_bounded_stream_not_in_batches() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering::SeqCst;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let stub = Arc::new(LoginProfileStub::default());
    let server = {
        let stub = Arc::clone(&stub);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let stub = Arc::clone(&stub);
                tokio::spawn(async move { stub.serve(stream).await });
            }
        })
    };
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "AKIDSTUB", "stub", None, None, "stub",
        ))
        .load()
        .await;
    let admin = iam_mfa::iam::client::Clients::new(&config);
    let users: Vec<String> = std::iter::once("slow".to_owned())
        .chain((0..39).map(|i| format!("user-{i:02}")))
        .collect();
    let profiles = audit::gather::login_profiles(&admin, &users, &|| {})
        .await
        .unwrap();
    server.abort();
    assert_eq!(profiles.len(), 40);
    assert!(
        profiles.keys().map(String::as_str).eq({
            let mut sorted: Vec<&str> = users.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            sorted
        }),
        "sorted by user"
    );
    // While one call is slow the others go on: all 39 are answered before it.
    assert_eq!(stub.answered_before_slow.load(SeqCst), 39);
    let max = stub.max_in_flight.load(SeqCst);
    assert!((2..=16).contains(&max), "{max} calls in flight at once");
}
