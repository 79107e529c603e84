//! The doctor (`mfa_doctor::check`) on the policies of every seed article and their
//! variants (`tests/fixtures/seeds/`, see its README): the exact findings each must produce, in
//! report order, with their severities, and for `mfa-not-enforced` which credential states leak.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use iam_policy::analysis::{MfaState, Principal, request_for, resource_candidates};
use iam_policy::{Outcome, PolicySet};
use mfa_doctor::{
    self as doctor, Account, CheckReport, FindingId, Input, Intent, LoginProfile, Options, Severity,
};

use FindingId::*;
use MfaState::{LongTermKeys as Keys, TemporaryWithoutMfa as Temporary};
use Severity::{Critical, High, Info, Low, Medium};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");
const POWER_USER: &str = "managed:PowerUserAccess";
const CHANGE_PASSWORD: &str = "managed:IAMUserChangePassword";

/// A policy set from fixture names (`tests/fixtures/seeds/NAME.json`) and `managed:NAME`.
fn policies(parts: &[&str]) -> PolicySet {
    let mut set = PolicySet::new();
    for part in parts {
        let text = match part.strip_prefix("managed:") {
            Some(name) => iam_catalog::managed_policy(name)
                .unwrap()
                .document
                .to_owned(),
            None => std::fs::read_to_string(format!("{SEEDS}/{part}.json")).unwrap(),
        };
        set.add_document(part.trim_start_matches("managed:"), &text)
            .unwrap_or_else(|e| panic!("{part}: {e}"));
    }
    set
}

fn alice() -> Principal {
    Principal::example("alice")
}

fn alice_in_division() -> Principal {
    Principal {
        path: "/division/".to_owned(),
        tags: Vec::new(),
        user_id: None,
        ..alice()
    }
}

/// The account setting "Allow users to change their own password" turned on.
fn allowing() -> Account {
    Account {
        allow_users_to_change_password: true,
        ..Account::default()
    }
}

fn reset_required(allow_users_to_change_password: bool) -> Account {
    Account {
        allow_users_to_change_password,
        login_profile: LoginProfile::ResetRequired,
    }
}

struct Case<'a> {
    parts: &'a [&'a str],
    principal: Principal,
    account: Account,
    intent: Intent,
}

impl<'a> Case<'a> {
    fn new(parts: &'a [&'a str]) -> Self {
        Self {
            parts,
            principal: alice(),
            account: Account::default(),
            intent: Intent::default(),
        }
    }

    fn principal(self, principal: Principal) -> Self {
        Self { principal, ..self }
    }

    fn account(self, account: Account) -> Self {
        Self { account, ..self }
    }

    fn intent(self, intent: Intent) -> Self {
        Self { intent, ..self }
    }

    fn run(&self) -> CheckReport {
        self.run_on(&policies(self.parts))
    }

    fn run_on(&self, set: &PolicySet) -> CheckReport {
        doctor::check(
            Input {
                set,
                principal: &self.principal,
                account: self.account,
                intent: &self.intent,
            },
            iam_catalog::catalog(),
        )
    }
}

/// The findings as (id, severity), in report order.
fn ids(report: &CheckReport) -> Vec<(FindingId, Severity)> {
    report.findings.iter().map(|f| (f.id, f.severity)).collect()
}

/// Each `mfa-not-enforced` finding as (the states it leaks in, its actions).
fn leaks(report: &CheckReport) -> Vec<(Vec<MfaState>, Vec<String>)> {
    report
        .findings
        .iter()
        .filter(|f| f.id == MfaNotEnforced)
        .map(|f| {
            let states = f.evidence.first().unwrap().states.clone();
            assert!(f.evidence.iter().all(|e| e.states == states), "{f:?}");
            let actions = f.evidence.iter().map(|e| e.action.clone().unwrap());
            (states, actions.collect())
        })
        .collect()
}

/// The one finding with `id`.
fn finding(report: &CheckReport, id: FindingId) -> &doctor::Finding {
    let mut all = report.findings.iter().filter(|f| f.id == id);
    let found = all
        .next()
        .unwrap_or_else(|| panic!("no {id:?}: {report:#?}"));
    assert!(all.next().is_none(), "one {id:?}");
    found
}

/// The decisions of a finding's evidence.
fn decisions(report: &CheckReport, id: FindingId) -> Vec<Outcome> {
    finding(report, id)
        .evidence
        .iter()
        .filter_map(|e| e.decision)
        .collect()
}

fn generated(options: &Options) -> PolicySet {
    let mut set = policies(&[POWER_USER, CHANGE_PASSWORD]);
    set.add_document("ForceMFA", &doctor::force_mfa_policy(options).to_string())
        .unwrap();
    set
}

fn no_first_login() -> Intent {
    Intent {
        first_login_password_change: false,
        ..Intent::default()
    }
}

fn no_cli_sessions() -> Intent {
    Intent {
        cli_sessions: false,
        ..Intent::default()
    }
}

// --- 000 (Korean, classmethod): first sign-in password change denied without MFA -------------

#[test]
fn korean_broken_policy_denies_the_password_change_explicitly() {
    let parts = ["ko-000-broken"];
    let report = Case::new(&parts).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    assert_eq!(
        decisions(&report, PasswordChangeDenied),
        [Outcome::ExplicitDeny]
    );
    // The account setting is an Allow: it cannot lift an explicit Deny.
    let report = Case::new(&parts).account(allowing()).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    // A user who must set a new password at next sign-in is locked out.
    let report = Case::new(&parts).account(reset_required(true)).run();
    assert_eq!(
        ids(&report),
        [
            (FirstLoginLockout, Critical),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    let lockout = finding(&report, FirstLoginLockout);
    assert!(
        lockout.fix.contains("--no-password-reset-required"),
        "{}",
        lockout.fix
    );
    assert!(lockout.fix.contains("NotAction"), "{}", lockout.fix);
}

#[test]
fn korean_fixed_policy_lets_users_change_their_password_with_the_account_setting() {
    let parts = ["ko-000-fixed"];
    // The fix only takes iam:ChangePassword out of the Deny; nothing allows it yet.
    let report = Case::new(&parts).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    assert_eq!(
        decisions(&report, PasswordChangeDenied),
        [Outcome::ImplicitDeny]
    );
    assert!(
        finding(&report, PasswordChangeDenied)
            .fix
            .contains("IAMUserChangePassword")
    );
    // The article's "allow all users to change their password": the implicit deny is lifted;
    // iam:GetAccountPasswordPolicy is still denied explicitly (AWS's note lists both actions).
    let report = Case::new(&parts).account(allowing()).run();
    assert_eq!(ids(&report), [(PasswordPolicyUnreadable, Low)]);
    assert_eq!(
        decisions(&report, PasswordPolicyUnreadable),
        [Outcome::ExplicitDeny]
    );
    let report = Case::new(&parts).account(reset_required(true)).run();
    assert_eq!(ids(&report), [(PasswordPolicyUnreadable, Low)]);
    // With both actions out of the Deny, nothing is left to report.
    let parts = ["variant-ko-fixed-with-password-policy"];
    let report = Case::new(&parts).account(reset_required(true)).run();
    assert_eq!(ids(&report), []);
}

#[test]
fn korean_per_user_policy_works_once_its_account_id_placeholder_is_filled_in() {
    let report = Case::new(&["ko-000-fixed", "ko-000-change-password-filled-in"]).run();
    assert_eq!(ids(&report), [(PasswordPolicyUnreadable, Low)]);
    let report = Case::new(&["ko-000-fixed", "ko-000-change-password-filled-in"])
        .account(reset_required(false))
        .run();
    assert_eq!(ids(&report), [(PasswordPolicyUnreadable, Low)]);
    // Verbatim, `arn:aws:iam::account-id:user/…` matches no real user: no leak (it names no
    // other user), and the evidence points at the statement that names the wrong resource.
    let report = Case::new(&["ko-000-fixed", "ko-000-change-password"]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    let evidence = &finding(&report, PasswordChangeDenied).evidence[0];
    let detail = evidence.detail.as_deref().unwrap();
    assert!(
        detail.contains("ko-000-change-password#2")
            && detail.contains("arn:aws:iam::account-id:user/${aws:username}"),
        "{detail}"
    );
}

// --- 001 (Japanese): the AWS documentation policy, as a group policy --------------------------

const AWS_DOCS: [&str; 3] = ["ja-001-aws-my-sec-creds", POWER_USER, CHANGE_PASSWORD];

#[test]
fn aws_documentation_policy_denies_first_login_password_change() {
    let report = Case::new(&AWS_DOCS).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
        ]
    );
    assert_eq!(
        finding(&report, PasswordChangeDenied).evidence[0].statements,
        ["ja-001-aws-my-sec-creds#DenyAllExceptListedIfNoMFA"]
    );
    // Neither IAMUserChangePassword (in the set) nor the account setting helps.
    let report = Case::new(&AWS_DOCS).account(allowing()).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
        ]
    );
    // The article's warning: do not require a reset at first sign-in.
    let report = Case::new(&AWS_DOCS).account(reset_required(true)).run();
    assert_eq!(
        ids(&report),
        [
            (FirstLoginLockout, Critical),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
        ]
    );
    // Without a console password the trap is only latent.
    let no_password = Account {
        login_profile: LoginProfile::None,
        ..Account::default()
    };
    let report = Case::new(&AWS_DOCS).account(no_password).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, Low),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
        ]
    );
}

#[test]
fn no_first_login_intent_accepts_the_denied_password_change_but_not_a_lockout() {
    let report = Case::new(&AWS_DOCS).intent(no_first_login()).run();
    assert_eq!(ids(&report), [(MfaDeviceNameRestricted, Low)]);
    let report = Case::new(&AWS_DOCS)
        .intent(no_first_login())
        .account(reset_required(false))
        .run();
    assert_eq!(
        ids(&report),
        [
            (FirstLoginLockout, Critical),
            (MfaDeviceNameRestricted, Low)
        ]
    );
}

#[test]
fn current_aws_policy_with_power_user_enforces_mfa_everywhere() {
    let parts = ["aws-force-mfa-current", POWER_USER, CHANGE_PASSWORD];
    let report = Case::new(&parts).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    let allowed: Vec<usize> = report.states.iter().map(|s| s.allowed_actions).collect();
    assert_eq!(allowed[..2], [8, 8], "self-service only without MFA");
    assert!(allowed[2] > 20_000, "{allowed:?}");
    assert!(!report.states[0].future_actions_allowed && report.states[2].future_actions_allowed);
    // `user/${aws:username}` is not the ARN of a user with a path: enrolment fails for them.
    let report = Case::new(&parts).principal(alice_in_division()).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    let blocked = finding(&report, MfaEnrolmentBlocked);
    let actions: Vec<&str> = blocked
        .evidence
        .iter()
        .map(|e| e.action.as_deref().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "iam:EnableMFADevice",
            "iam:ListMFADevices",
            "iam:EnableMFADevice",
            "iam:ListMFADevices"
        ]
    );
}

// --- 002 (Japanese): an administrator's keys deactivate a user's lost MFA device -------------

#[test]
fn mfa_recovery_keys_without_mfa_can_remove_anyones_mfa() {
    let report = Case::new(&["ja-002-mfa-recovery-admin"]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (MfaRemovableWithoutMfa, High),
            (ManagesOtherUsersCredentials, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    assert_eq!(
        leaks(&report),
        [(
            vec![Keys, Temporary],
            vec![
                "iam:DeactivateMFADevice".to_owned(),
                "iam:DeleteVirtualMFADevice".to_owned(),
                "iam:ListMFADevices".to_owned(),
            ]
        )]
    );
    // Listing one's own devices is self-service; the leak is listing someone else's.
    let list = finding(&report, MfaNotEnforced)
        .evidence
        .iter()
        .find(|e| e.action.as_deref() == Some("iam:ListMFADevices"))
        .unwrap();
    assert!(
        !list.resource.as_deref().unwrap().ends_with("user/alice"),
        "{list:?}"
    );
    // Under a force-MFA policy the same keys need MFA: managing others is then an admin's job;
    // but listing anyone's devices stays exempt from the Deny, as self-service.
    let report = Case::new(&["ja-002-mfa-recovery-admin", "aws-force-mfa-current"]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low),
            (ManagesOtherUsersCredentials, Info),
        ]
    );
    let [(states, actions)] = leaks(&report).try_into().unwrap();
    assert_eq!(
        (states, actions),
        (vec![Keys, Temporary], vec!["iam:ListMFADevices".to_owned()])
    );
    let evidence = &finding(&report, MfaNotEnforced).evidence[0];
    assert!(
        evidence.detail.as_deref().unwrap().contains("another user"),
        "{evidence:?}"
    );
}

// --- 003 (English, Medium): PowerConsultants group, IAMUserChangePassword attached by AWS ------

const CALANDRA: [&str; 3] = ["en-003-calandra", POWER_USER, CHANGE_PASSWORD];

#[test]
fn calandra_policy_allows_password_change_but_deleting_devices_without_mfa() {
    let report = Case::new(&CALANDRA).account(reset_required(false)).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaRemovableWithoutMfa, High),
            (ManagesOtherUsersCredentials, High),
            (PasswordPolicyUnreadable, Low),
            (CliSessionDenied, Low),
        ]
    );
    assert_eq!(
        leaks(&report),
        [(
            vec![Keys, Temporary],
            vec!["iam:DeleteVirtualMFADevice".to_owned()]
        )]
    );
    let leak = finding(&report, MfaNotEnforced);
    assert_eq!(
        leak.evidence[0].resource.as_deref(),
        Some("arn:aws:iam::123456789012:mfa/alice")
    );
    assert_eq!(
        leak.evidence[0].statements,
        ["en-003-calandra#AllowMFAHandling"]
    );
    assert!(
        leak.fix
            .contains("en-003-calandra#BlockEverythingUnlessSignedInWithMFA"),
        "{}",
        leak.fix
    );
    // "The only action that doesn't have an explicit allow is iam:ChangePassword": without the
    // IAMUserChangePassword AWS attaches, nothing allows it.
    let report = Case::new(&["en-003-calandra", POWER_USER]).run();
    assert_eq!(
        decisions(&report, PasswordChangeDenied),
        [Outcome::ImplicitDeny]
    );
}

#[test]
fn calandra_policy_blocks_enrolment_of_users_with_a_path() {
    let report = Case::new(&CALANDRA).principal(alice_in_division()).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaEnrolmentBlocked, High),
            (MfaRemovableWithoutMfa, High),
            (ManagesOtherUsersCredentials, High),
            (PasswordPolicyUnreadable, Low),
            (CliSessionDenied, Low),
        ]
    );
    let blocked = finding(&report, MfaEnrolmentBlocked);
    let actions: Vec<&str> = blocked
        .evidence
        .iter()
        .filter(|e| e.states == [Temporary])
        .map(|e| e.action.as_deref().unwrap())
        .collect();
    assert_eq!(actions, ["iam:EnableMFADevice", "iam:ListMFADevices"]);
    assert_eq!(
        blocked.evidence[0].resource.as_deref(),
        Some("arn:aws:iam::123456789012:user/division/alice")
    );
    // A same-named user at another path cannot exist: no leak on `user/alice`.
    assert_eq!(leaks(&report)[0].1, ["iam:DeleteVirtualMFADevice"]);
}

// --- AWS's self-manage-MFA example and the knowledge-center article (Bool vs BoolIfExists) ----

#[test]
fn aws_self_manage_mfa_example_lets_users_list_all_users_without_mfa() {
    let report = Case::new(&["aws-mfa-selfmanage", POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaConsoleMetadataReadable, Low),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
            (CliSessionDenied, Low),
        ]
    );
    // Listing users is console metadata (item 23): low, not mfa-not-enforced.
    assert!(leaks(&report).is_empty());
    assert_eq!(metadata(&report), ["iam:ListUsers"]);
    assert_eq!(
        finding(&report, MfaConsoleMetadataReadable).evidence[0].states,
        [Keys, Temporary]
    );
}

#[test]
fn knowledge_center_bool_policy_lets_long_term_keys_through() {
    let report = Case::new(&["kc-mfa-iam-user-aws-cli-bool", POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaConditionBool, High),
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    // aws:ViaAWSService is false in every request the user makes: the console is denied.
    let [(states, actions)] = leaks(&report).try_into().unwrap();
    assert_eq!(states, [Keys]);
    assert!(actions.iter().any(|a| a == "ec2:RunInstances"));
    assert!(actions.iter().any(|a| a == doctor::FUTURE_ACTIONS));
    assert_eq!(
        decisions(&report, PasswordChangeDenied),
        [Outcome::ExplicitDeny]
    );
    // So the account setting cannot lift it.
    let report = Case::new(&["kc-mfa-iam-user-aws-cli-bool", POWER_USER])
        .account(allowing())
        .run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaConditionBool, High),
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    // The article's fix: BoolIfExists.
    let report = Case::new(&["kc-mfa-iam-user-aws-cli-boolifexists", POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
}

// --- Variants of the AWS policy -----------------------------------------------------------------

#[test]
fn bool_in_the_deny_leaks_for_long_term_keys_only() {
    let report = Case::new(&["variant-bool", POWER_USER, CHANGE_PASSWORD]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaConditionBool, High),
            (PasswordChangeDenied, High),
            (MfaRemovableWithoutMfa, High),
            (MfaConsoleMetadataReadable, Low),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    let [(states, actions)] = leaks(&report).try_into().unwrap();
    assert_eq!(states, [Keys]);
    // The console metadata among the leaks is reported apart, low (item 23).
    let metadata = metadata(&report);
    assert!(
        metadata.contains(&"iam:ListAccessKeys".to_owned()),
        "{metadata:?}"
    );
    assert!(!actions.iter().any(|a| metadata.contains(a)));
    for leaked in [
        "ec2:RunInstances",
        "s3:GetObject",
        "iam:DeactivateMFADevice",
    ] {
        assert!(actions.iter().any(|a| a == leaked), "{leaked}");
    }
    for own in [
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ChangePassword",
        "sts:GetSessionToken",
    ] {
        assert!(
            !actions.iter().any(|a| a == own),
            "self-service {own} is no leak"
        );
    }
    assert_eq!(
        finding(&report, MfaRemovableWithoutMfa).evidence[0].states,
        [Keys]
    );
    let bool_fix = &finding(&report, MfaConditionBool).fix;
    assert!(bool_fix.contains("BoolIfExists"), "{bool_fix}");
}

#[test]
fn null_in_the_deny_leaks_for_temporary_credentials_only() {
    let report = Case::new(&["variant-null", POWER_USER, CHANGE_PASSWORD]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (MfaConditionNull, High),
            (MfaRemovableWithoutMfa, High),
            (MfaConsoleMetadataReadable, Low),
        ]
    );
    let [(states, _)] = leaks(&report).try_into().unwrap();
    assert_eq!(states, [Temporary]);
}

#[test]
fn bool_and_null_denies_together_enforce_mfa() {
    let parts = ["variant-bool-and-null", POWER_USER, CHANGE_PASSWORD];
    let report = Case::new(&parts).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    // Either alone leaks (the tests above); a narrower partner does not excuse it.
    let mut bool_only = policies(&["variant-bool", POWER_USER, CHANGE_PASSWORD]);
    bool_only
        .add_document(
            "NarrowNull",
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*",
                "Resource": "*", "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}}"#,
        )
        .unwrap();
    let report = Case::new(&[]).run_on(&bool_only);
    assert!(
        ids(&report).contains(&(MfaConditionBool, High)),
        "{:?}",
        ids(&report)
    );
}

#[test]
fn missing_version_makes_the_username_variable_literal() {
    let report = Case::new(&["variant-missing-version", POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (LiteralPolicyVariable, Medium),
            (LiteralPolicyVariable, Medium),
            (LiteralPolicyVariable, Medium),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    // `user/${aws:username}` taken literally names no user: no leak.
    assert_eq!(leaks(&report), []);
    let literal = report
        .findings
        .iter()
        .find(|f| f.id == LiteralPolicyVariable)
        .unwrap();
    assert!(literal.fix.contains("2012-10-17"));
}

#[test]
fn typo_in_not_action_is_reported_with_a_suggestion() {
    let report = Case::new(&["variant-typo", POWER_USER, CHANGE_PASSWORD]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (UnknownAction, Medium),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    let typo = finding(&report, UnknownAction);
    assert_eq!(
        typo.evidence[0].action.as_deref(),
        Some("iam:ListMFADevice")
    );
    assert!(typo.fix.contains("iam:ListMFADevices"), "{}", typo.fix);
    assert_eq!(
        decisions(&report, MfaEnrolmentBlocked),
        [Outcome::ExplicitDeny, Outcome::ExplicitDeny]
    );
}

#[test]
fn power_user_access_alone_enforces_nothing_and_blocks_enrolment() {
    let report = Case::new(&[POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (MfaNotEnforced, High),
            (PasswordChangeDenied, High),
            (MfaEnrolmentBlocked, High),
            (PasswordPolicyUnreadable, Low),
        ]
    );
    let [(states, actions)] = leaks(&report).try_into().unwrap();
    assert_eq!(states, [Keys, Temporary]);
    assert!(actions.len() > 20_000);
    assert!(
        finding(&report, MfaNotEnforced)
            .fix
            .contains("policy generate")
    );
    // The account setting allows the password change and reading the rules.
    let report = Case::new(&[POWER_USER]).account(allowing()).run();
    assert_eq!(
        ids(&report),
        [(MfaNotEnforced, High), (MfaEnrolmentBlocked, High)]
    );
}

// --- The generated policy -------------------------------------------------------------------------

#[test]
fn generated_policy_fixtures_are_the_generator_output() {
    let strict = Options {
        intent: Intent {
            first_login_password_change: false,
            cli_sessions: false,
            exempt: vec!["s3:ListAllMyBuckets".to_owned()],
        },
        max_mfa_age: Some(43_200),
        partition: "aws".to_owned(),
    };
    for (name, options) in [
        ("generated-default", Options::default()),
        ("generated-strict", strict),
    ] {
        let text = std::fs::read_to_string(format!("{SEEDS}/{name}.json")).unwrap();
        let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(fixture, doctor::force_mfa_policy(&options), "{name}");
    }
}

#[test]
fn generated_policy_has_no_findings_with_power_user_access() {
    let accounts = [
        Account::default(),
        reset_required(false),
        Account {
            login_profile: LoginProfile::Present,
            ..allowing()
        },
    ];
    let set = generated(&Options::default());
    for principal in [alice(), alice_in_division()] {
        for account in accounts {
            let report = Case::new(&[])
                .principal(principal.clone())
                .account(account)
                .run_on(&set);
            assert_eq!(ids(&report), [], "{principal:?} {account:?}");
        }
    }
    let fixture = policies(&["generated-default", POWER_USER, CHANGE_PASSWORD]);
    assert_eq!(ids(&Case::new(&[]).run_on(&fixture)), []);
}

#[test]
fn generated_policy_with_options_has_no_findings_under_the_same_intent() {
    let intents = [
        no_cli_sessions(),
        no_first_login(),
        Intent {
            first_login_password_change: false,
            cli_sessions: false,
            exempt: vec!["s3:ListAllMyBuckets".to_owned()],
        },
        Intent {
            exempt: vec!["s3:list*".to_owned()],
            ..Intent::default()
        },
    ];
    for intent in intents {
        for max_mfa_age in [None, Some(3600)] {
            let options = Options {
                intent: intent.clone(),
                max_mfa_age,
                ..Options::default()
            };
            let set = generated(&options);
            for principal in [alice(), alice_in_division()] {
                let report = Case::new(&[])
                    .principal(principal)
                    .intent(intent.clone())
                    .run_on(&set);
                assert_eq!(ids(&report), [], "{options:?}");
            }
        }
    }
    let fixture = policies(&["generated-strict", POWER_USER]);
    let intent = Intent {
        first_login_password_change: false,
        cli_sessions: false,
        exempt: vec!["s3:ListAllMyBuckets".to_owned()],
    };
    let report = Case::new(&[]).intent(intent).run_on(&fixture);
    assert_eq!(ids(&report), []);
}

#[test]
fn generated_policy_options_show_under_another_intent() {
    // Without first-login password change, a user who must reset is locked out.
    let set = generated(&Options {
        intent: no_first_login(),
        ..Options::default()
    });
    let report = Case::new(&[])
        .intent(no_first_login())
        .account(reset_required(true))
        .run_on(&set);
    assert_eq!(ids(&report), [(FirstLoginLockout, Critical)]);
    // Held to the default intent, the missing self-service shows.
    let report = Case::new(&[]).run_on(&set);
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (PasswordPolicyUnreadable, Low)
        ]
    );
    // An exempt action is a leak for anyone who did not mean it.
    let strict = policies(&["generated-strict", POWER_USER, CHANGE_PASSWORD]);
    let report = Case::new(&[]).intent(no_first_login()).run_on(&strict);
    assert_eq!(
        leaks(&report),
        [(
            vec![Keys, Temporary],
            vec!["s3:ListAllMyBuckets".to_owned()]
        )]
    );
    // Without CLI sessions, GetSessionToken is denied, which policies cannot enforce.
    let set = generated(&Options {
        intent: no_cli_sessions(),
        ..Options::default()
    });
    let report = Case::new(&[]).run_on(&set);
    assert_eq!(ids(&report), [(CliSessionDenied, Low)]);
}

#[test]
fn generated_policy_for_another_partition() {
    let options = Options {
        partition: "aws-cn".to_owned(),
        ..Options::default()
    };
    let mut set = PolicySet::new();
    set.add_document("ForceMFA", &doctor::force_mfa_policy(&options).to_string())
        .unwrap();
    let principal = Principal {
        partition: "aws-cn".to_owned(),
        ..alice_in_division()
    };
    let report = Case::new(&[]).principal(principal).run_on(&set);
    assert_eq!(ids(&report), []);
}

#[test]
fn self_service_on_a_named_other_user_is_a_leak() {
    let mut set = policies(&["aws-force-mfa-current"]);
    set.add_document(
        "Helpdesk",
        r#"{"Version": "2012-10-17", "Statement": {"Sid": "EnableForBob", "Effect": "Allow",
            "Action": "iam:EnableMFADevice",
            "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/bob"]}}"#,
    )
    .unwrap();
    let report = Case::new(&[]).run_on(&set);
    assert_eq!(
        leaks(&report),
        [(
            vec![Keys, Temporary],
            vec!["iam:EnableMFADevice".to_owned()]
        )]
    );
    let evidence = &finding(&report, MfaNotEnforced).evidence[0];
    assert_eq!(
        evidence.resource.as_deref(),
        Some("arn:aws:iam::123456789012:user/bob")
    );
    assert_eq!(evidence.statements, ["Helpdesk#EnableForBob"]);
}

// --- CheckReport properties ----------------------------------------------------------------------------

#[test]
fn reports_are_deterministic_and_sorted() {
    let parts = ["variant-bool", "ja-002-mfa-recovery-admin", POWER_USER];
    let case = Case::new(&parts).account(reset_required(false));
    let first = case.run();
    assert_eq!(first, case.run());
    let keys: Vec<_> = first
        .findings
        .iter()
        .map(|f| (std::cmp::Reverse(f.severity), f.id))
        .collect();
    assert!(keys.is_sorted(), "{keys:?}");
    for f in first.findings.iter().filter(|f| f.id == MfaNotEnforced) {
        let catalog = iam_catalog::catalog();
        let order: Vec<Option<iam_catalog::ActionId>> = f
            .evidence
            .iter()
            .map(|e| catalog.lookup(e.action.as_deref().unwrap()))
            .collect();
        assert!(order.is_sorted(), "evidence in catalog order");
    }
}

/// Every leak is a request the evaluator allows, and every catalog action that is not a leak
/// (or intended self-service on oneself) is denied on every resource the sweep considers.
#[test]
fn leaks_agree_with_concrete_evaluation() {
    let set = policies(&["variant-bool", "en-003-calandra", POWER_USER]);
    let principal = alice_in_division();
    let report = Case::new(&[]).principal(principal.clone()).run_on(&set);
    let catalog = iam_catalog::catalog();
    let leaked: Vec<(String, Vec<MfaState>)> = report
        .findings
        .iter()
        .filter(|f| f.id == MfaNotEnforced)
        .flat_map(|f| f.evidence.iter())
        .map(|e| (e.action.clone().unwrap(), e.states.clone()))
        .collect();
    for state in [Keys, Temporary] {
        for action in catalog.actions() {
            let name = action.full_name();
            let allowed = resource_candidates(action, &principal).iter().any(|r| {
                set.evaluate(&request_for(&principal, state, &name, r))
                    .outcome
                    .is_allowed()
            });
            let leaks = leaked
                .iter()
                .any(|(a, states)| *a == name && states.contains(&state));
            let own = [
                "iam:ChangePassword",
                "iam:GetAccountPasswordPolicy",
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetCallerIdentity",
                "sts:GetSessionToken",
            ]
            .contains(&name.as_str());
            if !own {
                assert_eq!(allowed, leaks, "{name} in {state:?}");
            }
        }
    }
}

#[test]
fn every_fixture_is_documented_and_parses() {
    let readme = std::fs::read_to_string(format!("{SEEDS}/README.md")).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(SEEDS).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        assert!(readme.contains(&format!("`{name}`")), "{name} in README.md");
        policies(&[stem]);
        count += 1;
    }
    assert_eq!(count, 20);
}

// --- AWS's force-MFA tutorial: the console's security-credentials page before MFA -----------

/// Each `mfa-console-metadata-readable` finding's actions.
fn metadata(report: &CheckReport) -> Vec<String> {
    finding(report, MfaConsoleMetadataReadable)
        .evidence
        .iter()
        .map(|e| e.action.clone().unwrap())
        .collect()
}

#[test]
fn aws_tutorial_policy_leaks_only_console_metadata_which_is_low() {
    let report = Case::new(&["aws-tutorial-force-mfa", POWER_USER]).run();
    assert_eq!(
        ids(&report),
        [
            (PasswordChangeDenied, High),
            (MfaConsoleMetadataReadable, Low),
            (PasswordPolicyUnreadable, Low),
            (MfaDeviceNameRestricted, Low),
        ]
    );
    assert!(leaks(&report).is_empty(), "no mfa-not-enforced");
    assert_eq!(
        metadata(&report),
        [
            "iam:GetAccountSummary",
            "iam:ListAccessKeys",
            "iam:ListAccountAliases",
            "iam:ListSSHPublicKeys",
            "iam:ListUsers",
        ]
    );
    let f = finding(&report, MfaConsoleMetadataReadable);
    let keys = f
        .evidence
        .iter()
        .find(|e| e.action.as_deref() == Some("iam:ListAccessKeys"))
        .unwrap();
    assert_eq!(
        keys.resource.as_deref(),
        Some("arn:aws:iam::123456789012:user/alice"),
        "own user"
    );
    assert_eq!(keys.states, [Keys, Temporary]);
    assert!(
        f.fix.contains("BlockMostAccessUnlessSignedInWithMFA"),
        "{}",
        f.fix
    );
}

#[test]
fn a_mixed_leak_is_high_for_the_rest_and_low_for_the_console_metadata() {
    // The tutorial with its own-credential Allow widened to every user, and s3:ListAllMyBuckets
    // exempted from the Deny: listing others' keys and S3 are high; the account metadata low.
    let text = std::fs::read_to_string(format!("{SEEDS}/aws-tutorial-force-mfa.json")).unwrap();
    let mut policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let statements = policy["Statement"].as_array_mut().unwrap();
    let own = statements
        .iter_mut()
        .find(|s| s["Sid"] == "AllowIndividualUserToSeeAndManageOnlyTheirOwnAccountInformation")
        .unwrap();
    own["Resource"] = "arn:aws:iam::*:user/*".into();
    let deny = statements.last_mut().unwrap();
    deny["NotAction"]
        .as_array_mut()
        .unwrap()
        .push("s3:ListAllMyBuckets".into());
    let text = policy.to_string();
    let mut set = policies(&[POWER_USER]);
    set.add_document("Tutorial", &text).unwrap();
    let report = Case::new(&[]).run_on(&set);
    let [(states, high)] = leaks(&report).try_into().unwrap();
    assert_eq!(states, [Keys, Temporary]);
    assert!(high.contains(&"s3:ListAllMyBuckets".to_owned()), "{high:?}");
    assert!(high.contains(&"iam:ListAccessKeys".to_owned()), "{high:?}");
    assert!(
        high.contains(&"iam:ListSSHPublicKeys".to_owned()),
        "{high:?}"
    );
    let others = finding(&report, MfaNotEnforced)
        .evidence
        .iter()
        .find(|e| e.action.as_deref() == Some("iam:ListAccessKeys"))
        .unwrap();
    assert!(others.detail.as_deref().unwrap().contains("another user"));
    assert_eq!(
        metadata(&report),
        [
            "iam:GetAccountSummary",
            "iam:ListAccountAliases",
            "iam:ListUsers",
        ]
    );
    assert_eq!(report.findings[0].id, MfaNotEnforced);
    assert_eq!(report.findings[0].severity, High);
}
