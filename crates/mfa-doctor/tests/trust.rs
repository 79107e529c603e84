//! The doctor's role-trust check (`mfa_doctor::check_trust`) and the trust policy generator
//! (`mfa_doctor::trust_policy`): who can assume a role without MFA, the MFA-condition traps of
//! trust statements, `"*"` principals, and the role's power that sets the severity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use iam_policy::analysis::{MfaState, Principal};
use iam_policy::{NamedResourcePolicy, PolicySet, parse_trust_policy};
use mfa_doctor::trust::TrustAccess;
use mfa_doctor::{
    self as doctor, Finding, FindingId, Intent, Options, RolePower, Severity, TrustInput,
    TrustOptions, TrustSection,
};

use FindingId::*;
use MfaState::{LongTermKeys as Keys, TemporaryWithoutMfa as Temporary, WithMfa};
use Severity::{High, Low, Medium};

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/Escape";
const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const MFA_TRUE: &str = r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#;

/// A trust policy named `Trust` from its statements (a JSON array's contents).
fn trust(statements: &str) -> NamedResourcePolicy {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    let policy = parse_trust_policy(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    NamedResourcePolicy::new("Trust", policy)
}

/// One Allow of `sts:AssumeRole` with Sid `sid`, the `Principal` element `principal` (JSON)
/// and the `Condition` element `condition` (JSON), if any.
fn allow(sid: &str, principal: &str, condition: Option<&str>) -> String {
    let condition = condition.map_or(String::new(), |c| format!(r#", "Condition": {c}"#));
    format!(
        r#"{{"Sid": "{sid}", "Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"{condition}}}"#
    )
}

fn account_principal() -> String {
    format!(r#"{{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}"#)
}

/// An identity policy set from (name, document) pairs.
fn identity(policies: &[(&str, String)]) -> PolicySet {
    let mut set = PolicySet::new();
    for (name, text) in policies {
        set.add_document(name, text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    set
}

fn allow_assume_role() -> (&'static str, String) {
    (
        "Assume",
        r#"{"Version": "2012-10-17", "Statement": {"Sid": "AllowAssume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}"#
            .to_owned(),
    )
}

fn force_mfa(intent: Intent) -> (&'static str, String) {
    let options = Options {
        intent,
        ..Options::default()
    };
    ("ForceMFA", doctor::force_mfa_policy(&options).to_string())
}

/// `check_trust` on `ROLE` with `trust`, no caller, permissions unknown.
fn alone(trust: &NamedResourcePolicy) -> (TrustSection, Vec<Finding>) {
    alone_with(trust, &RolePower::Unknown)
}

fn alone_with(trust: &NamedResourcePolicy, power: &RolePower) -> (TrustSection, Vec<Finding>) {
    doctor::check_trust(TrustInput {
        trust,
        role_arn: ROLE,
        caller: None,
        power,
    })
}

/// `check_trust` on `ROLE` with `trust` for alice of `ACCOUNT`, whose identity set is `set`.
fn as_alice(trust: &NamedResourcePolicy, set: &PolicySet) -> (TrustSection, Vec<Finding>) {
    let alice = Principal::example("alice");
    assert_eq!(alice.arn(), ALICE);
    doctor::check_trust(TrustInput {
        trust,
        role_arn: ROLE,
        caller: Some((set, &alice)),
        power: &RolePower::Unknown,
    })
}

/// The findings as (id, severity), in report order.
fn ids(findings: &[Finding]) -> Vec<(FindingId, Severity)> {
    findings.iter().map(|f| (f.id, f.severity)).collect()
}

/// The one finding with `id`.
fn only(findings: &[Finding], id: FindingId) -> &Finding {
    let matching: Vec<&Finding> = findings.iter().filter(|f| f.id == id).collect();
    match matching.as_slice() {
        [one] => one,
        _ => panic!("expected one {id:?}, got {findings:#?}"),
    }
}

/// The states each `role-assumable-without-mfa` finding names, in report order.
fn escapes(findings: &[Finding]) -> Vec<Vec<MfaState>> {
    findings
        .iter()
        .filter(|f| f.id == RoleAssumableWithoutMfa)
        .map(|f| {
            assert_eq!(f.evidence.len(), 1, "{f:#?}");
            assert_eq!(f.evidence[0].action.as_deref(), Some("sts:AssumeRole"));
            assert_eq!(f.evidence[0].resource.as_deref(), Some(ROLE));
            f.evidence[0].states.clone()
        })
        .collect()
}

/// Each access entry as (kind, who, states).
fn access(section: &TrustSection) -> Vec<(&'static str, &str, Vec<MfaState>)> {
    section
        .access
        .iter()
        .map(|a| (a.kind, a.who.as_str(), a.states.clone()))
        .collect()
}

fn the_access(section: &TrustSection) -> &TrustAccess {
    match section.access.as_slice() {
        [one] => one,
        other => panic!("expected one access entry, got {other:#?}"),
    }
}

fn detail(f: &Finding) -> &str {
    f.evidence[0].detail.as_deref().unwrap_or_default()
}

// ---- Trust policy alone (no caller) ----

#[test]
fn account_trust_without_mfa_is_an_escape_as_severe_as_the_role_is_powerful() {
    let t = trust(&allow("AllowAccount", &account_principal(), None));
    let powers = [
        (
            RolePower::Writes {
                example: "s3:PutObject".into(),
            },
            High,
        ),
        (RolePower::Unknown, High),
        (RolePower::ReadOnly, Medium),
        (RolePower::Nothing, Low),
    ];
    for (power, severity) in powers {
        let (section, findings) = alone_with(&t, &power);
        assert_eq!(
            ids(&findings),
            [(RoleAssumableWithoutMfa, severity)],
            "{power:?}"
        );
        assert_eq!(escapes(&findings), [vec![Keys, Temporary]]);
        let f = &findings[0];
        assert_eq!(f.evidence[0].statements, ["Trust#AllowAccount"]);
        assert!(
            detail(f).contains("whose identity policies allow sts:AssumeRole"),
            "{f:#?}"
        );
        assert_eq!(section.power, power);
        assert_eq!(section.role, ROLE);
        assert_eq!(section.trust_policy, "Trust");
        let a = the_access(&section);
        assert_eq!(
            (a.kind, a.who.as_str(), a.caller_account.as_str()),
            ("account", ACCOUNT, ACCOUNT)
        );
        assert!(a.needs_identity_allow);
        assert_eq!(a.states, MfaState::ALL);
        assert!(a.unproven.is_empty());
        assert_eq!(a.statements, ["Trust#AllowAccount"]);
    }
    // A bare account id is the same principal as its root ARN (R31).
    let bare = trust(&allow(
        "AllowAccount",
        &format!(r#"{{"AWS": "{ACCOUNT}"}}"#),
        None,
    ));
    let (section, findings) = alone(&bare);
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, High)]);
    assert_eq!(
        access(&section),
        [("account", ACCOUNT, MfaState::ALL.to_vec())]
    );
}

#[test]
fn account_trust_with_mfa_bool_lets_in_only_mfa_sessions() {
    let t = trust(&allow("AllowWithMFA", &account_principal(), Some(MFA_TRUE)));
    let (section, findings) = alone(&t);
    assert_eq!(ids(&findings), []);
    let a = the_access(&section);
    assert_eq!((a.kind, a.who.as_str()), ("account", ACCOUNT));
    assert_eq!(a.states, [WithMfa]);
    assert!(a.needs_identity_allow);
    assert_eq!(a.statements, ["Trust#AllowWithMFA"]);
    assert!(a.context.is_empty());
}

#[test]
fn bool_if_exists_in_the_allow_lets_long_term_keys_in() {
    let t = trust(&allow(
        "AllowIfExists",
        &account_principal(),
        Some(r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}"#),
    ));
    let (section, findings) = alone(&t);
    assert_eq!(
        ids(&findings),
        [
            (RoleAssumableWithoutMfa, High),
            (RoleMfaConditionBool, High)
        ]
    );
    assert_eq!(escapes(&findings), [vec![Keys]]);
    let lint = only(&findings, RoleMfaConditionBool);
    assert_eq!(lint.evidence[0].statements, ["Trust#AllowIfExists"]);
    assert!(lint.message.contains("BoolIfExists"), "{lint:#?}");
    assert_eq!(
        access(&section),
        [("account", ACCOUNT, vec![Keys, WithMfa])]
    );
}

#[test]
fn bool_false_in_a_deny_lets_long_term_keys_in() {
    let statements = [
        allow("AllowAccount", &account_principal(), None),
        r#"{"Sid": "DenyWithoutMFA", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#
            .to_owned(),
    ]
    .join(",");
    let t = trust(&statements);
    let (section, findings) = alone(&t);
    assert_eq!(
        ids(&findings),
        [
            (RoleAssumableWithoutMfa, High),
            (RoleMfaConditionBool, High)
        ]
    );
    assert_eq!(
        only(&findings, RoleMfaConditionBool).evidence[0].statements,
        ["Trust#DenyWithoutMFA"]
    );
    // The key is absent with long-term keys: Bool is false, the Deny does not apply.
    assert_eq!(escapes(&findings), [vec![Keys]]);
    assert_eq!(
        access(&section),
        [("account", ACCOUNT, vec![Keys, WithMfa])]
    );
}

#[test]
fn bool_if_exists_false_in_a_deny_closes_the_trust() {
    // The control for the test above: the right operator in the Deny leaves nothing to report.
    let statements = [
        allow("AllowAccount", &account_principal(), None),
        r#"{"Sid": "DenyWithoutMFA", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}"#
            .to_owned(),
    ]
    .join(",");
    let (section, findings) = alone(&trust(&statements));
    assert_eq!(ids(&findings), []);
    assert_eq!(access(&section), [("account", ACCOUNT, vec![WithMfa])]);
}

#[test]
fn any_principal_is_reported_and_escapes_from_both_accounts() {
    let t = trust(&allow("AllowAnyone", r#"{"AWS": "*"}"#, None));
    let (section, findings) = alone(&t);
    assert_eq!(
        ids(&findings),
        [
            (RoleAssumableWithoutMfa, High),
            (RoleAssumableWithoutMfa, High),
            (RoleTrustsAnyPrincipal, High),
        ]
    );
    assert_eq!(
        escapes(&findings),
        [vec![Keys, Temporary], vec![Keys, Temporary]]
    );
    let any = only(&findings, RoleTrustsAnyPrincipal);
    assert_eq!(any.evidence[0].statements, ["Trust#AllowAnyone"]);
    assert_eq!(detail(any), "a caller of another account is let in");
    // `*` is tried from the role's account (no identity Allow needed, R37) and from another.
    let tried: Vec<(&str, &str, bool, Vec<MfaState>)> = section
        .access
        .iter()
        .map(|a| {
            (
                a.who.as_str(),
                a.caller_account.as_str(),
                a.needs_identity_allow,
                a.states.clone(),
            )
        })
        .collect();
    assert_eq!(
        tried,
        [
            ("*", ACCOUNT, false, MfaState::ALL.to_vec()),
            ("*", "999999999999", true, MfaState::ALL.to_vec()),
        ]
    );
    assert!(section.access.iter().all(|a| a.kind == "any"));
}

#[test]
fn any_principal_restricted_to_an_organization_is_not_any_principal() {
    // A caller of another account, taken as "anyone", is outside the role's organization: a
    // `*` restricted by aws:PrincipalOrgID does not let it in. Principals of the role's own
    // account may be in the organization (offline it is unknown), so that escape stays, with
    // the organization id as the witness's context.
    let t = trust(&allow(
        "AllowOrg",
        r#"{"AWS": "*"}"#,
        Some(r#"{"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}"#),
    ));
    let (section, findings) = alone(&t);
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, High)]);
    assert!(detail(&findings[0]).contains("o-abc"), "{findings:#?}");
    assert_eq!(section.access.len(), 1, "{section:#?}");
    let own = &section.access[0];
    assert_eq!(
        (own.who.as_str(), own.caller_account.as_str()),
        ("*", ACCOUNT)
    );
    assert_eq!(own.states, MfaState::ALL);
    assert!(
        own.context
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("aws:PrincipalOrgID") && v.values() == ["o-abc"]),
        "{own:#?}"
    );
}

#[test]
fn any_principal_restricted_to_an_account_is_not_reported() {
    // aws:PrincipalAccount is fixed by the caller tried: one of another account does not match.
    let t = trust(&allow(
        "AllowOwnAccount",
        r#"{"AWS": "*"}"#,
        Some(&format!(
            r#"{{"StringEquals": {{"aws:PrincipalAccount": "{ACCOUNT}"}}}}"#
        )),
    ));
    let (section, findings) = alone(&t);
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, High)]);
    assert_eq!(access(&section), [("any", "*", MfaState::ALL.to_vec())]);
    assert_eq!(section.access[0].caller_account, ACCOUNT);
}

#[test]
fn any_principal_with_an_external_id_is_reported_with_the_id() {
    let t = trust(&allow(
        "AllowPartner",
        r#"{"AWS": "*"}"#,
        Some(r#"{"StringEquals": {"sts:ExternalId": "Ex-123"}}"#),
    ));
    let (_, findings) = alone(&t);
    let any = only(&findings, RoleTrustsAnyPrincipal);
    assert_eq!(any.severity, High);
    assert!(detail(any).contains("Ex-123"), "{any:#?}");
    assert!(
        detail(any).to_ascii_lowercase().contains("sts:externalid"),
        "{any:#?}"
    );
    // The escapes name the value too.
    for f in findings.iter().filter(|f| f.id == RoleAssumableWithoutMfa) {
        assert!(detail(f).contains("Ex-123"), "{f:#?}");
    }
}

#[test]
fn any_principal_with_mfa_is_still_reported_but_not_an_escape() {
    let t = trust(&allow(
        "AllowAnyoneWithMFA",
        r#"{"AWS": "*"}"#,
        Some(MFA_TRUE),
    ));
    let (section, findings) = alone(&t);
    assert_eq!(ids(&findings), [(RoleTrustsAnyPrincipal, High)]);
    assert_eq!(
        access(&section),
        [("any", "*", vec![WithMfa]), ("any", "*", vec![WithMfa])]
    );
}

#[test]
fn service_principal_trust_has_no_findings_and_no_access() {
    let t = trust(&allow(
        "AllowEC2",
        r#"{"Service": "ec2.amazonaws.com"}"#,
        None,
    ));
    let (section, findings) = alone(&t);
    assert_eq!(ids(&findings), []);
    assert!(section.access.is_empty(), "{section:#?}");
    let (section, findings) = as_alice(&t, &identity(&[allow_assume_role()]));
    assert_eq!(ids(&findings), []);
    assert!(section.access.is_empty(), "{section:#?}");
}

// ---- With a caller: alice of the role's account ----

#[test]
fn trust_naming_the_caller_needs_no_identity_allow() {
    // R32: in the role's account, a trust policy naming the user suffices on its own.
    let t = trust(&allow(
        "AllowAlice",
        &format!(r#"{{"AWS": "{ALICE}"}}"#),
        None,
    ));
    let (section, findings) = as_alice(&t, &PolicySet::new());
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, High)]);
    assert_eq!(escapes(&findings), [vec![Keys, Temporary]]);
    assert_eq!(findings[0].evidence[0].statements, ["Trust#AllowAlice"]);
    let a = the_access(&section);
    assert_eq!(
        (a.kind, a.who.as_str(), a.caller_account.as_str()),
        ("caller", ALICE, ACCOUNT)
    );
    assert!(!a.needs_identity_allow);
    assert_eq!(a.states, MfaState::ALL);
    assert_eq!(a.statements, ["Trust#AllowAlice"]);
}

#[test]
fn trust_naming_the_caller_is_still_closed_by_an_identity_deny() {
    // R36: the force-MFA Deny covers sts:AssumeRole, even where no identity Allow is needed.
    let t = trust(&allow(
        "AllowAlice",
        &format!(r#"{{"AWS": "{ALICE}"}}"#),
        None,
    ));
    let (section, findings) = as_alice(&t, &identity(&[force_mfa(Intent::default())]));
    assert_eq!(ids(&findings), []);
    assert_eq!(access(&section), [("caller", ALICE, vec![WithMfa])]);
    assert_eq!(section.access[0].statements, ["Trust#AllowAlice"]);
}

#[test]
fn trust_naming_the_account_needs_an_identity_allow() {
    // R33: naming the account delegates to the identity policies; an empty set allows nothing.
    let t = trust(&allow("AllowAccount", &account_principal(), None));
    let (section, findings) = as_alice(&t, &PolicySet::new());
    assert_eq!(ids(&findings), []);
    assert!(section.access.is_empty(), "{section:#?}");
}

#[test]
fn force_mfa_identity_policy_closes_an_account_trust() {
    let t = trust(&allow("AllowAccount", &account_principal(), None));
    let set = identity(&[force_mfa(Intent::default()), allow_assume_role()]);
    let (section, findings) = as_alice(&t, &set);
    assert_eq!(ids(&findings), []);
    let a = the_access(&section);
    assert_eq!((a.kind, a.who.as_str()), ("caller", ALICE));
    assert_eq!(a.states, [WithMfa]);
    assert_eq!(a.statements, ["Trust#AllowAccount", "Assume#AllowAssume"]);
}

#[test]
fn force_mfa_exempting_assume_role_is_an_escape() {
    let t = trust(&allow("AllowAccount", &account_principal(), None));
    let exempting = Intent {
        exempt: vec!["sts:AssumeRole".into()],
        ..Intent::default()
    };
    let set = identity(&[force_mfa(exempting), allow_assume_role()]);
    let (section, findings) = as_alice(&t, &set);
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, High)]);
    assert_eq!(escapes(&findings), [vec![Keys, Temporary]]);
    assert_eq!(
        findings[0].evidence[0].statements,
        ["Trust#AllowAccount", "Assume#AllowAssume"]
    );
    assert!(findings[0].message.contains(ALICE), "{:#?}", findings[0]);
    assert_eq!(
        access(&section),
        [("caller", ALICE, MfaState::ALL.to_vec())]
    );
    // The generated trust policy closes the same escape on the role's side.
    let generated = doctor::trust_policy(&TrustOptions {
        principals: vec![ACCOUNT.into()],
        max_mfa_age: None,
    })
    .unwrap();
    let closed =
        NamedResourcePolicy::new("Trust", parse_trust_policy(&generated.to_string()).unwrap());
    let (section, findings) = as_alice(&closed, &set);
    assert_eq!(ids(&findings), []);
    assert_eq!(access(&section), [("caller", ALICE, vec![WithMfa])]);
}

#[test]
fn caller_let_in_by_account_is_flagged_as_needing_an_identity_allow() {
    // R33: a trust policy naming only the account lets alice in because her identity policy
    // allows sts:AssumeRole (the witness lists that Allow), so her access entry must say the
    // identity Allow is needed, as the field documents ("R33, R35").
    let t = trust(&allow("AllowAccount", &account_principal(), None));
    let (section, _) = as_alice(&t, &identity(&[allow_assume_role()]));
    let a = the_access(&section);
    assert_eq!(a.statements, ["Trust#AllowAccount", "Assume#AllowAssume"]);
    assert!(a.needs_identity_allow, "{a:#?}");
    // Named by ARN, she needs none (R32).
    let named = trust(&allow(
        "AllowAlice",
        &format!(r#"{{"AWS": "{ALICE}"}}"#),
        None,
    ));
    let (section, _) = as_alice(&named, &identity(&[allow_assume_role()]));
    assert!(!the_access(&section).needs_identity_allow);
}

#[test]
fn caller_of_another_account_needs_both_policies() {
    // R35: across accounts, the trust policy and the caller's identity policies must allow.
    let bob = Principal {
        account: "111111111111".into(),
        ..Principal::example("bob")
    };
    let bob_arn = "arn:aws:iam::111111111111:user/bob";
    let t = trust(&allow(
        "AllowBob",
        &format!(r#"{{"AWS": "{bob_arn}"}}"#),
        None,
    ));
    let check = |set: &PolicySet| {
        doctor::check_trust(TrustInput {
            trust: &t,
            role_arn: ROLE,
            caller: Some((set, &bob)),
            power: &RolePower::ReadOnly,
        })
    };
    let (section, findings) = check(&PolicySet::new());
    assert_eq!(ids(&findings), []);
    assert!(section.access.is_empty(), "{section:#?}");
    let (section, findings) = check(&identity(&[allow_assume_role()]));
    assert_eq!(ids(&findings), [(RoleAssumableWithoutMfa, Medium)]);
    assert_eq!(escapes(&findings), [vec![Keys, Temporary]]);
    assert_eq!(
        findings[0].evidence[0].statements,
        ["Trust#AllowBob", "Assume#AllowAssume"]
    );
    let a = the_access(&section);
    assert_eq!(
        (a.kind, a.who.as_str(), a.caller_account.as_str()),
        ("caller", bob_arn, "111111111111")
    );
    assert!(a.needs_identity_allow);
    assert_eq!(a.states, MfaState::ALL);
}

// ---- The generator ----

fn generated(principals: &[&str], max_mfa_age: Option<u64>) -> NamedResourcePolicy {
    let options = TrustOptions {
        principals: principals.iter().map(|p| (*p).to_owned()).collect(),
        max_mfa_age,
    };
    let value = doctor::trust_policy(&options).unwrap_or_else(|e| panic!("{options:?}: {e}"));
    let policy = parse_trust_policy(&value.to_string()).unwrap_or_else(|e| panic!("{value}: {e}"));
    NamedResourcePolicy::new("Generated", policy)
}

#[test]
fn generated_trust_policies_have_no_findings() {
    for age in [None, Some(3600)] {
        let (section, findings) = alone(&generated(&[ACCOUNT], age));
        assert_eq!(ids(&findings), [], "{age:?}");
        assert_eq!(
            access(&section),
            [("account", ACCOUNT, vec![WithMfa])],
            "{age:?}"
        );
        assert_eq!(
            section.access[0].statements,
            ["Generated#AllowAssumeRoleOnlyWithMFA"]
        );

        let (section, findings) = alone(&generated(&[ALICE, "111111111111"], age));
        assert_eq!(ids(&findings), [], "{age:?}");
        assert_eq!(
            access(&section),
            [
                ("arn", ALICE, vec![WithMfa]),
                ("account", "111111111111", vec![WithMfa]),
            ],
            "{age:?}"
        );
        // alice is in the role's account and named: no identity Allow needed (R32); the other
        // account needs one (R35).
        let needs: Vec<bool> = section
            .access
            .iter()
            .map(|a| a.needs_identity_allow)
            .collect();
        assert_eq!(needs, [false, true]);

        // And for alice herself, with no identity policies at all.
        let (section, findings) = as_alice(&generated(&[ALICE], age), &PolicySet::new());
        assert_eq!(ids(&findings), [], "{age:?}");
        assert_eq!(access(&section), [("caller", ALICE, vec![WithMfa])]);
    }
}

#[test]
fn generated_trust_policy_with_an_age_limit_tests_it() {
    let value = doctor::trust_policy(&TrustOptions {
        principals: vec![ACCOUNT.into()],
        max_mfa_age: Some(3600),
    })
    .unwrap();
    let condition = &value["Statement"][0]["Condition"];
    assert_eq!(condition["Bool"]["aws:MultiFactorAuthPresent"], "true");
    assert_eq!(
        condition["NumericLessThan"]["aws:MultiFactorAuthAge"],
        "3600"
    );
    assert_eq!(value["Statement"][0]["Principal"]["AWS"], ACCOUNT);
    let two = doctor::trust_policy(&TrustOptions {
        principals: vec![ALICE.into(), "111111111111".into()],
        max_mfa_age: None,
    })
    .unwrap();
    assert_eq!(
        two["Statement"][0]["Principal"]["AWS"],
        serde_json::json!([ALICE, "111111111111"])
    );
    assert!(
        two["Statement"][0]["Condition"]
            .get("NumericLessThan")
            .is_none()
    );
}

#[test]
fn generator_refuses_no_principal_sessions_and_garbage() {
    let refuse = |principals: &[&str]| {
        doctor::trust_policy(&TrustOptions {
            principals: principals.iter().map(|p| (*p).to_owned()).collect(),
            max_mfa_age: None,
        })
        .expect_err(&format!("{principals:?} must be refused"))
    };
    assert!(refuse(&[]).contains("at least one"));
    let session = refuse(&["arn:aws:sts::123456789012:assumed-role/Admin/me"]);
    assert!(session.contains("session"), "{session}");
    for garbage in ["alice", "12345", "arn:aws:s3:::bucket", ""] {
        assert!(refuse(&[garbage]).starts_with("--trust: "), "{garbage:?}");
    }
    // One bad principal among good ones refuses the lot.
    assert!(refuse(&[ACCOUNT, "nobody"]).contains("nobody"));
}

// ---- The role's power ----

fn power_of(policies: &[&str]) -> RolePower {
    let set = identity(
        &policies
            .iter()
            .enumerate()
            .map(|(i, statement)| {
                let doc = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
                (["P0", "P1", "P2"][i], doc)
            })
            .collect::<Vec<_>>(),
    );
    power_of_set(&set)
}

fn power_of_set(set: &PolicySet) -> RolePower {
    doctor::role_power(set, iam_catalog::catalog(), ROLE)
}

#[test]
fn role_power_reads_the_permission_policies() {
    assert_eq!(power_of(&[]), RolePower::Nothing);
    assert_eq!(
        power_of(&[r#"{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}"#]),
        RolePower::Nothing
    );
    assert_eq!(
        power_of(&[r#"{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}"#]),
        RolePower::ReadOnly
    );
    match power_of(&[r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#]) {
        RolePower::Writes { example } => assert!(example.starts_with("s3:"), "{example}"),
        other => panic!("s3:* writes, got {other:?}"),
    }
    // A Deny of every write leaves a read-only role.
    assert_eq!(
        power_of(&[
            r#"{"Effect": "Allow", "Action": ["ec2:Describe*", "s3:*"], "Resource": "*"}"#,
            r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#,
        ]),
        RolePower::ReadOnly
    );
    // NotAction reaches actions AWS adds later.
    assert!(matches!(
        power_of(&[r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#]),
        RolePower::Writes { .. }
    ));
    let managed = iam_catalog::managed_policy("PowerUserAccess").unwrap();
    let set = identity(&[("PowerUserAccess", managed.document.to_owned())]);
    assert!(matches!(power_of_set(&set), RolePower::Writes { .. }));
    // The severities the powers give.
    assert_eq!(RolePower::Nothing.severity(), Low);
    assert_eq!(RolePower::ReadOnly.severity(), Medium);
    assert_eq!(RolePower::Unknown.severity(), High);
}
