//! `iam-mfa audit` and roles, against moto (issue 12): roles trusting the account, one user's
//! ARN, `*`, a service, with and without an MFA condition (`Bool` and `BoolIfExists`), and a
//! trust the engine cannot read; the audit names exactly the (user, role) pairs that escape
//! MFA, in the states they escape in, with no request added (roles come with
//! `GetAccountAuthorizationDetails`).
//!
//! The expected pairs follow AWS's rules for `sts:AssumeRole` in the role's own account: a
//! trust naming the user's ARN or `*` suffices alone; one naming only the account needs an
//! identity Allow too; an explicit Deny anywhere wins. Long-term keys carry no
//! `aws:MultiFactorAuthPresent` (so `Bool … true` refuses them and `BoolIfExists … true` lets
//! them in); temporary credentials without MFA (a `GetSessionToken` session without a code, or
//! a console session without MFA) carry `false`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::admin_support::{admin, admin_sandbox};
use crate::audit_support::{
    ASSUME_ANY, Spec, WORK, args, expected_requests, group, ids, policy, requests_since, seed, user,
};
use crate::common::{self, Moto, assert_exit, stdout};
use iam_mfa::commands::audit;
use mfa_doctor::{self as doctor, Intent};

const ACCOUNT: &str = "arn:aws:iam::123456789012";
const READ_ONLY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}"#;
const PUT_OBJECT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#;
const LTK: &str = "long_term_keys";
const TEMP: &str = "temporary_without_mfa";

/// The ARN of role `name` (ReadOnlyRole has the path `/audit/`).
fn role_arn(name: &str) -> String {
    if name == "ReadOnlyRole" {
        format!("{ACCOUNT}:role/audit/{name}")
    } else {
        format!("{ACCOUNT}:role/{name}")
    }
}

fn user_arn(name: &str) -> String {
    format!("{ACCOUNT}:user/{name}")
}

/// The force-MFA policy `iam-mfa policy generate --exempt sts:AssumeRole` writes: MFA is
/// forced, but its Deny lets `sts:AssumeRole` through.
fn force_mfa_exempting_assume_role() -> String {
    doctor::force_mfa_policy(&doctor::Options {
        intent: Intent {
            exempt: vec!["sts:AssumeRole".to_owned()],
            ..Intent::default()
        },
        ..doctor::Options::default()
    })
    .to_string()
}

/// A trust policy with one Allow of `sts:AssumeRole` for `principal`, under `condition`.
fn trust(principal: Value, condition: Option<Value>) -> String {
    let mut statement =
        json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

/// `{OPERATOR: {"aws:MultiFactorAuthPresent": "true"}}`.
fn mfa_true(operator: &str) -> Option<Value> {
    Some(json!({ operator: {"aws:MultiFactorAuthPresent": "true"} }))
}

fn root() -> Value {
    json!({"AWS": format!("{ACCOUNT}:root")})
}

/// Creates role `name` (under `path`) with `trust`, an inline policy and attached
/// customer-managed ones.
async fn role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    path: &str,
    trust: &str,
    inline: Option<&str>,
    attached: &[&str],
) {
    iam.create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole");
    if let Some(document) = inline {
        iam.put_role_policy()
            .role_name(name)
            .policy_name("Permissions")
            .policy_document(document)
            .send()
            .await
            .expect("PutRolePolicy");
    }
    for arn in attached {
        iam.attach_role_policy()
            .role_name(name)
            .policy_arn(*arn)
            .send()
            .await
            .expect("AttachRolePolicy");
    }
}

/// A role to seed: name, path, trust policy, inline policy, attached policies (ARNs).
type RoleSeed<'a> = (&'a str, &'a str, String, Option<&'a str>, &'a [&'a str]);

/// On top of [`seed`]: groups `ExemptAssume` (force-MFA exempting `sts:AssumeRole`, and
/// AssumeAny) and `EnforcedAssume` (the plain generated force-MFA policy, Work and
/// AssumeAny), their users, and the roles.
async fn seed_roles(iam: &aws_sdk_iam::Client) {
    let work = format!("{ACCOUNT}:policy/Work");
    let force = format!("{ACCOUNT}:policy/ForceMFA");
    let assume = policy(iam, "AssumeAny", ASSUME_ANY).await;
    let exempt = policy(
        iam,
        "ForceMFAExemptAssumeRole",
        &force_mfa_exempting_assume_role(),
    )
    .await;
    group(iam, "ExemptAssume", &[&exempt, &assume]).await;
    group(iam, "EnforcedAssume", &[&force, &work, &assume]).await;
    let exempting = Some("ExemptAssume");
    let enforcing = Some("EnforcedAssume");
    let users = [
        // Forces MFA, keys and a device: still escapes with the keys and with a session
        // obtained without a code.
        (
            "gina",
            Spec {
                group: exempting,
                key: true,
                mfa: true,
                ..Spec::default()
            },
        ),
        // A console session without MFA only.
        (
            "liam",
            Spec {
                group: exempting,
                password: true,
                ..Spec::default()
            },
        ),
        // Console with MFA, no keys: every session of hers has MFA.
        (
            "kate",
            Spec {
                group: exempting,
                password: true,
                mfa: true,
                ..Spec::default()
            },
        ),
        // No credentials: nothing is signed as jack.
        (
            "jack",
            Spec {
                group: exempting,
                ..Spec::default()
            },
        ),
        // The plain generated policy's Deny covers sts:AssumeRole without MFA.
        (
            "henry",
            Spec {
                group: enforcing,
                key: true,
                mfa: true,
                ..Spec::default()
            },
        ),
        (
            "ines",
            Spec {
                group: enforcing,
                password: true,
                ..Spec::default()
            },
        ),
    ];
    for (name, spec) in users {
        user(iam, name, spec).await;
    }
    let ci_bot = json!({"AWS": user_arn("ci-bot")});
    let roles: [RoleSeed<'_>; 10] = [
        ("AccountTrust", "/", trust(root(), None), None, &[&work]),
        (
            "AccountTrustMfa",
            "/",
            trust(root(), mfa_true("Bool")),
            None,
            &[&work],
        ),
        (
            "AccountTrustIfExists",
            "/",
            trust(root(), mfa_true("BoolIfExists")),
            Some(WORK),
            &[],
        ),
        ("UserTrust", "/", trust(ci_bot, None), Some(PUT_OBJECT), &[]),
        ("AnyTrust", "/", trust(json!("*"), None), None, &[&work]),
        (
            "AnyTrustMfa",
            "/",
            trust(json!({"AWS": "*"}), mfa_true("Bool")),
            None,
            &[&work],
        ),
        (
            "ReadOnlyRole",
            "/audit/",
            trust(root(), None),
            Some(READ_ONLY),
            &[],
        ),
        ("NothingRole", "/", trust(root(), None), None, &[]),
        (
            "ServiceRole",
            "/",
            trust(json!({"Service": "ec2.amazonaws.com"}), None),
            None,
            &[&work],
        ),
        (
            "BrokenTrust",
            "/",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": root(), "Action": "sts:AssumeRole", "Resource": "*"}]}).to_string(),
            None,
            &[&work],
        ),
    ];
    for (name, path, document, inline, attached) in &roles {
        role(iam, name, path, document, *inline, attached).await;
    }
}

/// (user, role name) → the states the user escapes MFA in through that role.
fn expected_pairs() -> BTreeMap<(String, String), Vec<String>> {
    let both: &[&str] = &[LTK, TEMP];
    let pairs: [(&str, &str, &[&str]); 12] = [
        // ci-bot: no identity Allow; named by ARN, or by "*", which suffice alone.
        ("ci-bot", "UserTrust", both),
        ("ci-bot", "AnyTrust", both),
        // dave's Bool Deny misses long-term keys; nothing allows him but "*".
        ("dave", "AnyTrust", &[LTK]),
        // gina: identity Allow, a Deny that spares sts:AssumeRole.
        ("gina", "AccountTrust", both),
        ("gina", "AccountTrustIfExists", &[LTK]),
        ("gina", "AnyTrust", both),
        ("gina", "ReadOnlyRole", both),
        ("gina", "NothingRole", both),
        // liam: the same policies, only a console session without MFA.
        ("liam", "AccountTrust", &[TEMP]),
        ("liam", "AnyTrust", &[TEMP]),
        ("liam", "ReadOnlyRole", &[TEMP]),
        ("liam", "NothingRole", &[TEMP]),
    ];
    pairs
        .into_iter()
        .map(|(u, r, s)| {
            (
                (u.to_owned(), r.to_owned()),
                s.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

/// The severity of an escape into each role the pairs name: by the role's power.
fn expected_severity(role: &str) -> &'static str {
    match role {
        "ReadOnlyRole" => "medium",
        "NothingRole" => "low",
        _ => "high",
    }
}

fn role_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_owned()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The role findings under the users: (user, role name) → states, each checked for its
/// shape (one piece of evidence, sts:AssumeRole allowed on the role's ARN, the severity).
fn user_pairs(report: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    for u in report["users"].as_array().unwrap() {
        let name = u["user"].as_str().unwrap();
        for f in u["findings"].as_array().unwrap() {
            if f["id"] != "role-assumable-without-mfa" {
                continue;
            }
            let evidence = f["evidence"].as_array().unwrap();
            assert_eq!(evidence.len(), 1, "{f}");
            let e = &evidence[0];
            assert_eq!(e["action"], "sts:AssumeRole", "{f}");
            assert_eq!(e["decision"], "allow", "{f}");
            let arn = e["resource"].as_str().unwrap();
            let role = role_name(arn);
            assert_eq!(arn, role_arn(&role));
            assert_eq!(f["severity"], expected_severity(&role), "{name} → {role}");
            assert!(f["message"].as_str().unwrap().contains(&role), "{f}");
            let previous = out.insert((name.to_owned(), role), strings(&e["states"]));
            assert!(previous.is_none(), "{name} has two findings for {arn}");
        }
    }
    out
}

/// The same pairs from `roles[].assumable_without_mfa`.
fn role_pairs(report: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    for r in report["roles"].as_array().unwrap() {
        let role = r["role"].as_str().unwrap();
        assert_eq!(r["arn"], role_arn(role));
        for e in r["assumable_without_mfa"].as_array().unwrap() {
            let user = e["user"].as_str().unwrap();
            assert_eq!(e["arn"], user_arn(user));
            out.insert((user.to_owned(), role.to_owned()), strings(&e["states"]));
        }
    }
    out
}

/// Everything the issue asks of the report, on its JSON form.
fn check_report(report: &Value) {
    let expected = expected_pairs();
    assert_eq!(user_pairs(report), expected);
    assert_eq!(role_pairs(report), expected);

    let roles: BTreeMap<&str, &Value> = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap(), r))
        .collect();
    let names: Vec<&str> = roles.keys().copied().collect();
    assert_eq!(
        names,
        [
            "AccountTrust",
            "AccountTrustIfExists",
            "AccountTrustMfa",
            "AnyTrust",
            "AnyTrustMfa",
            "BrokenTrust",
            "NothingRole",
            "ReadOnlyRole",
            "ServiceRole",
            "UserTrust",
        ]
    );
    // Users in report order: by name within each role.
    let any: Vec<&str> = roles["AnyTrust"]["assumable_without_mfa"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"].as_str().unwrap())
        .collect();
    assert_eq!(any, ["ci-bot", "dave", "gina", "liam"]);
    // The power is computed where someone escapes, from inline and attached policies.
    for (role, level) in [
        ("AccountTrust", "writes"),
        ("AccountTrustIfExists", "writes"),
        ("UserTrust", "writes"),
        ("AnyTrust", "writes"),
        ("ReadOnlyRole", "read_only"),
        ("NothingRole", "nothing"),
    ] {
        assert_eq!(roles[role]["power"]["level"], level, "{role}");
    }
    assert_eq!(roles["UserTrust"]["power"]["example"], "s3:PutObject");
    for role in [
        "AccountTrustMfa",
        "AnyTrustMfa",
        "ServiceRole",
        "BrokenTrust",
    ] {
        assert_eq!(
            roles[role]["assumable_without_mfa"],
            json!([]),
            "{role}: {}",
            roles[role]
        );
    }
    assert!(
        roles["BrokenTrust"]["trust_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{}",
        roles["BrokenTrust"]
    );
    for (role, r) in &roles {
        if *role != "BrokenTrust" {
            assert!(r.get("trust_error").is_none(), "{r}");
        }
    }
    // Deciding statements: the trust's alone when the trust names the user (or "*"), the
    // trust's and the identity Allow when it names only the account.
    let statements = |role: &str, user: &str| -> Vec<String> {
        let entry = roles[role]["assumable_without_mfa"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["user"] == user)
            .unwrap();
        strings(&entry["statements"])
    };
    let ci_bot = statements("UserTrust", "ci-bot");
    assert!(
        !ci_bot.is_empty() && ci_bot.iter().all(|s| s.starts_with("UserTrust/trust")),
        "{ci_bot:?}"
    );
    let gina = statements("AccountTrust", "gina");
    assert!(
        gina.iter().any(|s| s.starts_with("AccountTrust/trust"))
            && gina.iter().any(|s| s.starts_with("AssumeAny")),
        "{gina:?}"
    );

    let mut account: Vec<(String, String)> = report["account_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["subject"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    account.sort();
    let mut expected_account: Vec<(String, String)> = [
        (format!("{ACCOUNT}:mfa/abandoned"), "orphaned-mfa-device"),
        (role_arn("AccountTrustIfExists"), "role-mfa-condition-bool"),
        (role_arn("AnyTrust"), "role-trusts-any-principal"),
        (role_arn("AnyTrustMfa"), "role-trusts-any-principal"),
        (role_arn("BrokenTrust"), "policy-unparsable"),
    ]
    .into_iter()
    .map(|(s, id)| (s, id.to_owned()))
    .collect();
    expected_account.sort();
    assert_eq!(account, expected_account);

    let summary = &report["summary"];
    assert_eq!(summary["users"], 13);
    assert_eq!(summary["roles"], 10);
    assert_eq!(summary["roles_assumable_without_mfa"], 6);
    assert_eq!(summary["by_id"]["role-assumable-without-mfa"], 12);
    assert_eq!(summary["by_id"]["role-trusts-any-principal"], 2);
    assert_eq!(summary["by_id"]["role-mfa-condition-bool"], 1);
    assert_eq!(summary["by_id"]["policy-unparsable"], 1);
}

#[tokio::test]
async fn the_audit_names_exactly_the_pairs_that_escape_and_adds_no_request() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let mut expected_ids = seed(&admin.iam).await;
    seed_roles(&admin.iam).await;
    let before = moto.actions().len();

    let report = audit::audit(&admin, &args()).await.unwrap();

    // Exactly today's requests: erin's login profile, and nothing for the roles.
    assert_eq!(requests_since(&moto, before), expected_requests(1));
    check_report(&serde_json::to_value(&report).unwrap());
    // The seeded users' other findings are what they were without roles.
    let mut found = ids(&report);
    for list in found.values_mut() {
        list.retain(|id| id != "role-assumable-without-mfa");
    }
    for name in ["gina", "liam", "ines"] {
        found.remove(name).unwrap();
    }
    // Console with MFA, no credentials, keys with MFA under the generated policy: compliant.
    for name in ["kate", "jack", "henry"] {
        expected_ids.insert(name.to_owned(), Vec::new());
    }
    assert_eq!(found, expected_ids);

    // More users and roles: still the same requests (the credential report now exists, so
    // one GenerateCredentialReport).
    let before = moto.actions().len();
    audit::audit(&admin, &args()).await.unwrap();
    let small = requests_since(&moto, before);
    let mut today = expected_requests(1);
    today.insert("GenerateCredentialReport".to_owned(), 1);
    assert_eq!(small, today);
    let mut expected_account_trust: BTreeSet<String> =
        ["gina", "liam"].into_iter().map(str::to_owned).collect();
    for n in 0..20 {
        let name = format!("extra-{n:02}");
        let spec = Spec {
            group: Some(if n % 5 == 0 {
                "EnforcedAssume"
            } else {
                "ExemptAssume"
            }),
            password: n % 2 == 0,
            key: n % 3 == 0,
            mfa: n % 4 == 0,
            ..Spec::default()
        };
        if n % 5 != 0 && (spec.key || (spec.password && !spec.mfa)) {
            expected_account_trust.insert(name.clone());
        }
        user(&admin.iam, &name, spec).await;
    }
    let work = format!("{ACCOUNT}:policy/Work");
    for n in 0..5 {
        let document = match n {
            0 => trust(root(), None),
            1 => trust(root(), mfa_true("Bool")),
            2 => trust(json!({"AWS": user_arn("extra-03")}), None),
            3 => trust(json!({"Service": "lambda.amazonaws.com"}), None),
            _ => trust(json!({"AWS": "*"}), mfa_true("Bool")),
        };
        role(
            &admin.iam,
            &format!("Extra{n}"),
            "/",
            &document,
            None,
            &[&work],
        )
        .await;
    }
    let before = moto.actions().len();
    let report = audit::audit(&admin, &args()).await.unwrap();
    assert_eq!(requests_since(&moto, before), small);
    assert_eq!(report.summary.users, 33);
    assert_eq!(report.summary.roles, 15);
    let escaping = |role: &str| -> BTreeSet<String> {
        report
            .roles
            .iter()
            .find(|r| r.role == role)
            .unwrap()
            .assumable_without_mfa
            .iter()
            .map(|e| e.user.clone())
            .collect()
    };
    assert_eq!(escaping("AccountTrust"), expected_account_trust);
    assert_eq!(escaping("Extra0"), expected_account_trust);
    assert_eq!(escaping("Extra1"), BTreeSet::new());
    // extra-03 has keys and only sts:AssumeRole exempt from its Deny: named by ARN, it escapes.
    assert_eq!(escaping("Extra2"), BTreeSet::from(["extra-03".to_owned()]));
    assert_eq!(escaping("Extra3"), BTreeSet::new());
    assert_eq!(escaping("Extra4"), BTreeSet::new());
    // 6 before, plus Extra0 and Extra2.
    assert_eq!(report.summary.roles_assumable_without_mfa, 8);
}

#[tokio::test]
async fn the_binary_reports_roles_in_json_text_csv_and_sarif() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    seed(&admin.iam).await;
    seed_roles(&admin.iam).await;
    let sandbox = admin_sandbox(&moto);

    let out = sandbox.run(&["--output", "json", "audit"]);
    assert_exit(&out, 0);
    let report = common::json(&out);
    check_report(&report);

    let text = sandbox.run(&["audit"]);
    assert_exit(&text, 0);
    let text = stdout(&text);
    assert!(
        text.contains("Roles assumable without MFA (6 of 10 roles):"),
        "{text}"
    );
    let any = text.lines().find(|l| l.starts_with("AnyTrust ")).unwrap();
    assert!(
        any.contains("writes") && any.contains("ci-bot, dave, gina, liam"),
        "{any}"
    );
    let read = text
        .lines()
        .find(|l| l.starts_with("ReadOnlyRole "))
        .unwrap();
    assert!(
        read.contains("read-only") && read.contains("gina, liam"),
        "{read}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("AccountTrustMfa ")),
        "{text}"
    );

    let csv = sandbox.run(&["audit", "--output", "csv"]);
    assert_exit(&csv, 0);
    let csv = stdout(&csv);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header.last().map(String::as_str),
        Some("role"),
        "{header:?}"
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (user, arn, finding, role) = (
        column("user"),
        column("arn"),
        column("finding"),
        column("role"),
    );
    let mut escapes = BTreeSet::new();
    let mut account = BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        let field = |i: usize| record.get(i).unwrap().to_owned();
        match field(finding).as_str() {
            "role-assumable-without-mfa" => {
                escapes.insert((field(user), field(role)));
            }
            id if field(user).is_empty() => {
                account.insert((field(arn), id.to_owned(), field(role)));
            }
            _ => assert_eq!(field(role), "", "{record:?}"),
        }
    }
    let expected: BTreeSet<(String, String)> = expected_pairs()
        .into_keys()
        .map(|(u, r)| (u, role_arn(&r)))
        .collect();
    assert_eq!(escapes, expected);
    let abandoned = format!("{ACCOUNT}:mfa/abandoned");
    let trusts_any = "role-trusts-any-principal".to_owned();
    assert_eq!(
        account,
        BTreeSet::from([
            (abandoned, "orphaned-mfa-device".to_owned(), String::new()),
            (
                role_arn("AccountTrustIfExists"),
                "role-mfa-condition-bool".to_owned(),
                role_arn("AccountTrustIfExists")
            ),
            (
                role_arn("AnyTrust"),
                trusts_any.clone(),
                role_arn("AnyTrust")
            ),
            (role_arn("AnyTrustMfa"), trusts_any, role_arn("AnyTrustMfa")),
            (
                role_arn("BrokenTrust"),
                "policy-unparsable".to_owned(),
                role_arn("BrokenTrust")
            ),
        ])
    );

    let sarif = sandbox.run(&["audit", "--output", "sarif"]);
    assert_exit(&sarif, 0);
    let sarif = common::json(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let escapes: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "role-assumable-without-mfa")
        .collect();
    assert_eq!(escapes.len(), 12, "{sarif}");
    let gina = user_arn("gina");
    assert!(
        escapes
            .iter()
            .any(|r| r.to_string().contains(&gina) && r["level"] == "error"),
        "{escapes:?}"
    );
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(rules.contains(&"role-assumable-without-mfa"), "{rules:?}");
}
