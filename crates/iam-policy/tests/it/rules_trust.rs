//! One test per documented rule of resource-based policies and role trust policies, R29–R45
//! (`/work/wt/ISSUE12-PLAN.md` §1, continuing R1–R28 of `rules.rs`). Each cites its AWS page:
//! [PRIN] reference_policies_elements_principal.html, [NPRIN] reference_policies_elements_notprincipal.html,
//! [EVAL] reference_policies_evaluation-logic_policy-eval-denyallow.html,
//! [BASICS] reference_policies_evaluation-logic_policy-eval-basics.html and reference_policies_evaluation-logic.html,
//! [XACCT] reference_policies_evaluation-logic-cross-account.html,
//! [MFAAPI] id_credentials_mfa_configure-api-require.html, [CK] reference_policies_condition-keys.html,
//! [CO] reference_policies_elements_condition_operators.html,
//! [EXTID] id_roles_create_for-user_externalid.html, [TAGS] id_session-tags.html,
//! [SRCID] id_credentials_temp_control-access_monitor.html,
//! [AACHK] access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-missing-resource
//! (all under https://docs.aws.amazon.com/IAM/latest/UserGuide/), and
//! [STSAR] https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html.

use iam_policy::analysis::{MfaState, Principal, request_for};
use iam_policy::assume::{AssumeWitness, Proof, assumable};
use iam_policy::authorizer::{Authorization, authorize};
use iam_policy::principal::{Caller, PrincipalBlock, PrincipalEntry, PrincipalMatch};
use iam_policy::{
    Context, ContextValue, NamedResourcePolicy, Outcome, ParseError, PolicySet, Request,
    ResourcePolicy, ResourcePolicyKind, parse_policy, parse_resource_policy, parse_trust_policy,
};

/// The role's account, where the users of [`Principal::example`] live too.
const ACCOUNT: &str = "123456789012";
/// Another account.
const OTHER: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::123456789012:role/Target";
const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const FOREIGN_ALICE: &str = "arn:aws:iam::444455556666:user/alice";
const ASSUME: &str = "sts:AssumeRole";
const MFA: &str = "aws:MultiFactorAuthPresent";
const MFA_AGE: &str = "aws:MultiFactorAuthAge";

/// An identity statement allowing `sts:AssumeRole` on the role.
const ALLOW_ASSUME: &str = r#"{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/Target"}"#;
/// An administrator's identity statement.
const ADMIN: &str = r#"{"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}"#;

fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

/// The identity policies: one policy `Id` with these statements (none: an empty set).
fn identity(statements: &[&str]) -> PolicySet {
    let mut s = PolicySet::new();
    if !statements.is_empty() {
        let text = doc(&statements.join(", "));
        s.add_document("Id", &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
    s
}

/// A trust policy named `Trust` with these statements.
fn trust(statements: &str) -> NamedResourcePolicy {
    let text = doc(statements);
    let policy = parse_trust_policy(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    NamedResourcePolicy::new("Trust", policy)
}

/// A trust Allow of `sts:AssumeRole` for `principal` (JSON).
fn allow_trust(principal: &str) -> String {
    format!(r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"}}"#)
}

fn user(name: &str) -> Principal {
    Principal::example(name)
}

/// A user of the other account.
fn foreign(name: &str) -> Principal {
    Principal {
        account: OTHER.into(),
        ..Principal::example(name)
    }
}

fn caller(who: &Principal) -> Caller {
    Caller::from_arn(&who.arn()).unwrap_or_else(|e| panic!("{e}"))
}

/// `who` calls `action` on the role in `state`, with its own keys and the state's.
fn call(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    who: &Principal,
    state: MfaState,
    action: &str,
    extra: &[(&str, &str)],
) -> Authorization {
    let mut request = request_for(who, state, action, ROLE);
    for (k, v) in extra {
        request
            .context_mut()
            .insert(k, ContextValue::Single((*v).to_owned()));
    }
    authorize(identity, trust, &caller(who), ACCOUNT, &request)
}

/// `who` calls `sts:AssumeRole` on the role in `state`.
fn assume(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    who: &Principal,
    state: MfaState,
) -> Authorization {
    call(identity, trust, who, state, ASSUME, &[])
}

/// The outcome of the request a witness describes.
fn replay(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    who: &Principal,
    state: MfaState,
    w: &AssumeWitness,
) -> Outcome {
    let mut request = request_for(who, state, ASSUME, ROLE);
    for (k, v) in &w.extra_context {
        request.context_mut().insert(k, v.clone());
    }
    authorize(identity, trust, &caller(who), ACCOUNT, &request).outcome
}

/// The witness, failing the test when `assumable` gives anything else.
fn witness(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    who: &Principal,
    state: MfaState,
) -> AssumeWitness {
    match assumable(identity, trust, ROLE, who, state) {
        Proof::Assumable(w) => w,
        other => panic!(
            "{} in {state:?}: expected Assumable, got {other:?}",
            who.arn()
        ),
    }
}

/// `assumable` proves that `who` cannot assume the role in `state`.
fn not_assumable(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    role: &str,
    who: &Principal,
    state: MfaState,
) {
    match assumable(identity, trust, role, who, state) {
        Proof::NotAssumable => {}
        other => panic!(
            "{} in {state:?}: expected NotAssumable, got {other:?}",
            who.arn()
        ),
    }
}

/// The value a witness sets for `key` (any case).
fn extra<'w>(w: &'w AssumeWitness, key: &str) -> Option<&'w ContextValue> {
    w.extra_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn labels(a: &Authorization, trust: &NamedResourcePolicy) -> Vec<String> {
    a.resource.iter().map(|&i| trust.label(i)).collect()
}

/// A one-statement document with one statement element per line: line 1 opens the statement,
/// element `i` is on line `i + 2`, and the statement closes on line `elements.len() + 2`.
fn numbered(elements: &[&str]) -> String {
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\n{}\n}}]}}",
        elements.join(",\n")
    )
}

/// The error names `needle` and points at `line` (with a column).
fn assert_error_at(err: &ParseError, needle: &str, line: usize) {
    assert!(err.message.contains(needle), "{needle:?} not in: {err}");
    assert_eq!(err.line, line, "{err}");
    assert!(err.column > 0, "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("line {line}, column {}: ", err.column)),
        "{err}"
    );
}

fn trust_error(text: &str) -> ParseError {
    match parse_trust_policy(text) {
        Ok(p) => panic!("parsed as a trust policy: {p:?}\n{text}"),
        Err(e) => e,
    }
}

fn resource_error(text: &str) -> ParseError {
    match parse_resource_policy(text) {
        Ok(p) => panic!("parsed as a resource policy: {p:?}\n{text}"),
        Err(e) => e,
    }
}

/// The Principal element of the first statement of a trust Allow for `principal`.
fn principal_of(principal: &str) -> PrincipalBlock {
    let policy: ResourcePolicy = parse_trust_policy(&doc(&allow_trust(principal)))
        .unwrap_or_else(|e| panic!("{principal}: {e}"));
    policy.statements[0].principal.clone()
}

/// R29 [PRIN][NPRIN][AACHK]: a resource-based statement needs `Principal` ("You must use the
/// Principal element in resource-based policies") or `NotPrincipal`, not both, and `Id` is
/// allowed; identity policies keep refusing both ("You cannot use the Principal element in an
/// identity-based policy"). Role trust policies refuse `Resource`/`NotResource` (IAM answers
/// "Has prohibited field Resource"; Access Analyzer requires Resource in every policy but trust
/// policies), refuse `NotPrincipal` ("You cannot use the NotPrincipal element in an IAM
/// identity-based policy nor in an IAM role trust policy") and allow only `sts:` actions.
/// "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
/// supported." Errors keep line and column.
#[test]
fn r29_resource_policy_grammar() {
    const EFFECT: &str = r#""Effect": "Allow""#;
    const ACCOUNT_PRINCIPAL: &str = r#""Principal": {"AWS": "123456789012"}"#;
    const ACTION: &str = r#""Action": "sts:AssumeRole""#;
    // Trust policies: element-level errors point at the element's line.
    let err = trust_error(&numbered(&[
        EFFECT,
        ACCOUNT_PRINCIPAL,
        ACTION,
        r#""Resource": "*""#,
    ]));
    assert_error_at(&err, "Resource", 5);
    let err = trust_error(&numbered(&[
        EFFECT,
        ACCOUNT_PRINCIPAL,
        r#""NotResource": "arn:aws:s3:::b""#,
        ACTION,
    ]));
    assert_error_at(&err, "NotResource", 4);
    let err = trust_error(&numbered(&[
        r#""Effect": "Deny""#,
        r#""NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/alice"}"#,
        ACTION,
    ]));
    assert_error_at(&err, "NotPrincipal", 3);
    let err = trust_error(&numbered(&[
        EFFECT,
        r#""Action": ["sts:AssumeRole", "s3:GetObject"]"#,
        ACCOUNT_PRINCIPAL,
    ]));
    assert_error_at(&err, "s3:GetObject", 3);
    assert!(err.message.to_lowercase().contains("action"), "{err}");
    assert!(err.message.contains("sts:"), "{err}");
    // A missing Principal is found at the end of its statement.
    let err = trust_error(&numbered(&[EFFECT, ACTION]));
    assert_error_at(&err, "Principal", 4);

    // A valid trust policy: Id, a list of sts: actions, sts:*, a condition, no Resource.
    let ok = r#"{"Version": "2012-10-17", "Id": "trust-1", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "B", "Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#;
    let p = parse_trust_policy(ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.kind, ResourcePolicyKind::RoleTrust);
    assert_eq!(p.statements.len(), 2);
    assert_eq!(
        p.statements[0].principal,
        PrincipalBlock {
            negated: false,
            entries: vec![PrincipalEntry::Account(ACCOUNT.into())],
        }
    );
    assert_eq!(
        NamedResourcePolicy::new("T", p.clone()).label(1),
        "T#B",
        "labels are NAME#Sid"
    );

    // Generic resource policies (a bucket policy).
    let star = r#""Principal": "*""#;
    let get = r#""Action": "s3:GetObject""#;
    let objects = r#""Resource": "arn:aws:s3:::b/*""#;
    let err = resource_error(&numbered(&[EFFECT, star, get]));
    assert_error_at(&err, "Resource", 5);
    let err = resource_error(&numbered(&[
        EFFECT,
        r#""NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/alice"}"#,
        get,
        objects,
    ]));
    assert_error_at(&err, "NotPrincipal", 6);
    assert!(err.message.contains("Deny"), "{err}");
    let err = resource_error(&numbered(&[
        r#""Effect": "Deny""#,
        star,
        r#""NotPrincipal": {"AWS": "123456789012"}"#,
        get,
        objects,
    ]));
    assert_error_at(&err, "NotPrincipal", 4);
    assert!(err.message.contains("Principal and NotPrincipal"), "{err}");
    let err = resource_error(&numbered(&[EFFECT, get, objects]));
    assert_error_at(&err, "Principal", 5);
    let deny_others = doc(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:user/alice"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    let p = parse_resource_policy(&deny_others).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.kind, ResourcePolicyKind::Generic);
    assert!(p.statements[0].principal.negated);
    assert!(
        parse_resource_policy(&doc(&format!(
            "{{{EFFECT}, {star}, \"Action\": \"s3:*\", {objects}}}"
        )))
        .is_ok(),
        "any service's actions"
    );

    // Identity policies still refuse both (R28).
    for element in [
        r#""Principal": {"AWS": "123456789012"}"#,
        r#""NotPrincipal": {"AWS": "123456789012"}"#,
    ] {
        let err = parse_policy(&numbered(&[
            r#""Effect": "Deny""#,
            element,
            r#""Action": "s3:*""#,
            r#""Resource": "*""#,
        ]))
        .unwrap_err();
        let name = if element.contains("NotPrincipal") {
            "NotPrincipal"
        } else {
            "Principal"
        };
        assert_error_at(&err, name, 3);
        assert!(err.message.contains("identity"), "{err}");
    }
}

/// R30 [PRIN]: "For anonymous users, the following elements are equivalent: "Principal": "*"
/// and "Principal" : { "AWS" : "*" }"; "The account ARN and the shortened account ID behave the
/// same way"; "When you specify more than one principal in an element … This is a logical OR";
/// "You cannot use a wildcard to match part of a principal name or ARN."
#[test]
fn r30_principal_forms_are_ored() {
    assert_eq!(principal_of(r#""*""#).entries, [PrincipalEntry::Any]);
    assert_eq!(principal_of(r#"{"AWS": "*"}"#), principal_of(r#""*""#));
    assert_eq!(
        principal_of(r#"{"AWS": "123456789012"}"#),
        principal_of(r#"{"AWS": "arn:aws:iam::123456789012:root"}"#)
    );
    let alice = caller(&user("alice"));
    let bob = caller(&user("bob"));
    let carol = caller(&user("carol"));
    let ec2 = Caller::Service("ec2.amazonaws.com".into());

    let list = principal_of(
        r#"{"AWS": ["arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/alice"]}"#,
    );
    assert_eq!(list.matches(&alice), PrincipalMatch::Arn);
    assert_eq!(list.matches(&bob), PrincipalMatch::Arn);
    assert_eq!(list.matches(&carol), PrincipalMatch::None);

    let types = principal_of(
        r#"{"Service": "ec2.amazonaws.com", "AWS": "arn:aws:iam::123456789012:user/alice"}"#,
    );
    assert_eq!(types.matches(&alice), PrincipalMatch::Arn);
    assert_eq!(types.matches(&ec2), PrincipalMatch::Arn);
    assert_eq!(types.matches(&bob), PrincipalMatch::None);

    // The best match of an element counts: the ARN beats the account.
    let both = principal_of(r#"{"AWS": ["123456789012", "arn:aws:iam::123456789012:user/alice"]}"#);
    assert_eq!(both.matches(&alice), PrincipalMatch::Arn);
    assert_eq!(both.matches(&bob), PrincipalMatch::Account);
    assert!(PrincipalMatch::Arn > PrincipalMatch::Account);
    assert!(PrincipalMatch::Any > PrincipalMatch::Account);
    assert!(PrincipalMatch::Account > PrincipalMatch::None);

    // Partial wildcards are refused where they are written; "*" alone is fine.
    for bad in [
        "arn:aws:iam::123456789012:user/*",
        "arn:aws:iam::123456789012:user/al?ce",
        "arn:aws:iam::*:root",
    ] {
        let text = numbered(&[
            r#""Effect": "Allow""#,
            &format!(r#""Principal": {{"AWS": "{bad}"}}"#),
            r#""Action": "sts:AssumeRole""#,
        ]);
        let err = trust_error(&text);
        assert_error_at(&err, bad, 3);
        assert!(err.message.to_lowercase().contains("principal"), "{err}");
    }
    // A string Principal is "*" or nothing.
    let err = trust_error(&numbered(&[
        r#""Effect": "Allow""#,
        r#""Principal": "123456789012""#,
        r#""Action": "sts:AssumeRole""#,
    ]));
    assert_error_at(&err, "Principal", 3);
}

/// R31 [PRIN] "AWS account principals": naming an account "delegates authority to the
/// account"; "Using the account ARN in the Principal element does not limit permissions to only
/// the root user of the account." It matches every principal of that account, and no other.
#[test]
fn r31_account_principal_covers_every_principal_of_the_account() {
    for form in [
        r#"{"AWS": "arn:aws:iam::123456789012:root"}"#,
        r#"{"AWS": "123456789012"}"#,
    ] {
        let p = principal_of(form);
        let pathed = Principal {
            path: "/division/".into(),
            ..user("dave")
        };
        for who in [
            caller(&user("alice")),
            caller(&pathed),
            Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/session-1").unwrap(),
            Caller::from_arn("arn:aws:iam::123456789012:role/Ops").unwrap(),
            Caller::from_arn(ACCOUNT).unwrap(),
        ] {
            assert_eq!(p.matches(&who), PrincipalMatch::Account, "{form} {who:?}");
        }
        assert_eq!(
            p.matches(&caller(&foreign("alice"))),
            PrincipalMatch::None,
            "{form}"
        );
        assert_eq!(
            p.matches(&Caller::Service("ec2.amazonaws.com".into())),
            PrincipalMatch::None,
            "{form}"
        );
        // Every user of the account, with a path too, once its identity policies allow.
        let t = trust(&allow_trust(form));
        let allowed = identity(&[ALLOW_ASSUME]);
        for who in [user("alice"), pathed] {
            let a = assume(&allowed, &t, &who, MfaState::LongTermKeys);
            assert_eq!(a.outcome, Outcome::Allow, "{form} {}", who.arn());
            assert_eq!(a.principal_match, PrincipalMatch::Account);
            assert_eq!(labels(&a, &t), ["Trust#1"]);
        }
    }
}

/// R32 [EVAL][BASICS][PRIN]: "If a resource-based policy grants permission directly to the
/// IAM user or the session principal that is making the request, then an implicit deny in an
/// identity-based policy … does not impact the final decision"; for an IAM role ARN only
/// permissions boundaries and session policies limit it. A trust policy naming the caller in
/// the role's account lets it assume the role with no identity Allow at all.
#[test]
fn r32_same_account_trust_naming_the_user_needs_no_identity_allow() {
    let none = identity(&[]);
    let t = trust(&allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#)));
    for state in MfaState::ALL {
        let a = assume(&none, &t, &user("alice"), state);
        assert_eq!(a.outcome, Outcome::Allow, "{state:?}");
        assert_eq!(a.identity.outcome, Outcome::ImplicitDeny);
        assert_eq!(a.principal_match, PrincipalMatch::Arn);
        assert_eq!(labels(&a, &t), ["Trust#1"]);
        let b = assume(&none, &t, &user("bob"), state);
        assert_eq!(b.outcome, Outcome::ImplicitDeny, "bob is not named");
        assert_eq!(b.principal_match, PrincipalMatch::None);
        assert!(b.resource.is_empty());
    }
    let w = witness(&none, &t, &user("alice"), MfaState::LongTermKeys);
    assert_eq!(w.trust_statements, [0]);
    assert!(w.identity_statements.is_empty(), "{w:?}");
    assert!(w.extra_context.is_empty(), "{w:?}");
    not_assumable(&none, &t, ROLE, &user("bob"), MfaState::WithMfa);

    // A session of a role the trust names (role chaining) needs no identity Allow either.
    let chained = trust(&allow_trust(
        r#"{"AWS": "arn:aws:iam::123456789012:role/Ops"}"#,
    ));
    let session = Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/s1").unwrap();
    let request = Request::new(ASSUME, ROLE, Context::new());
    let a = authorize(&none, &chained, &session, ACCOUNT, &request);
    assert_eq!(a.outcome, Outcome::Allow);
    assert_eq!(a.principal_match, PrincipalMatch::Arn);
    let other = Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Dev/s1").unwrap();
    assert_eq!(
        authorize(&none, &chained, &other, ACCOUNT, &request).outcome,
        Outcome::ImplicitDeny
    );
}

/// R33 [PRIN][BASICS]: naming the account "delegates authority to the account … an
/// administrator in that account must then grant access to an identity (IAM user or role) in
/// that account". Role trust policies "must explicitly allow access for principals", and a
/// trust naming only the account also needs the caller's identity Allow.
#[test]
fn r33_same_account_trust_naming_the_account_needs_an_identity_allow() {
    for form in [
        r#"{"AWS": "123456789012"}"#,
        r#"{"AWS": "arn:aws:iam::123456789012:root"}"#,
    ] {
        let t = trust(&allow_trust(form));
        let alice = user("alice");
        let a = assume(&identity(&[]), &t, &alice, MfaState::LongTermKeys);
        assert_eq!(a.outcome, Outcome::ImplicitDeny, "{form}");
        assert_eq!(a.principal_match, PrincipalMatch::Account);
        let allowed = identity(&[ALLOW_ASSUME]);
        let a = assume(&allowed, &t, &alice, MfaState::LongTermKeys);
        assert_eq!(a.outcome, Outcome::Allow, "{form}");
        assert_eq!(a.identity.outcome, Outcome::Allow);
        let elsewhere = identity(&[
            r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/Other"}"#,
        ]);
        assert_eq!(
            assume(&elsewhere, &t, &alice, MfaState::LongTermKeys).outcome,
            Outcome::ImplicitDeny,
            "an Allow on another role does not count"
        );
        not_assumable(&identity(&[]), &t, ROLE, &alice, MfaState::WithMfa);
        let w = witness(&allowed, &t, &alice, MfaState::LongTermKeys);
        assert_eq!(w.trust_statements, [0]);
        assert_eq!(w.identity_statements.len(), 1, "{w:?}");
        assert_eq!(allowed.label(w.identity_statements[0]), "Id#Assume");
    }
}

/// R34 [BASICS]: "For most resources, you only need an explicit allow for the principal in
/// either an identity-based policy or a resource-based policy to grant access. IAM role trust
/// policies and KMS key policies are exceptions to this logic, because they must explicitly
/// allow access for principals." An administrator cannot assume a role whose trust does not
/// allow it; a bucket policy that says nothing does not stop one.
#[test]
fn r34_identity_allow_without_trust_allow_is_denied() {
    let admin = identity(&[ADMIN, ALLOW_ASSUME]);
    let alice = user("alice");
    for statements in [
        allow_trust(r#"{"Service": "ec2.amazonaws.com"}"#),
        allow_trust(r#"{"AWS": "arn:aws:iam::123456789012:user/bob"}"#),
        allow_trust(r#"{"AWS": "444455556666"}"#),
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{ALICE}"}}, "Action": "sts:TagSession"}}"#
        ),
    ] {
        let t = trust(&statements);
        for state in MfaState::ALL {
            let a = assume(&admin, &t, &alice, state);
            assert_eq!(a.outcome, Outcome::ImplicitDeny, "{statements} {state:?}");
            assert_eq!(a.identity.outcome, Outcome::Allow);
            assert_eq!(a.principal_match, PrincipalMatch::None);
            not_assumable(&admin, &t, ROLE, &alice, state);
        }
    }
    // The same silence in a bucket policy leaves the identity Allow in charge.
    let bucket = NamedResourcePolicy::new(
        "Bucket",
        parse_resource_policy(&doc(
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
        ))
        .unwrap(),
    );
    let request = request_for(
        &alice,
        MfaState::LongTermKeys,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
    );
    assert_eq!(
        authorize(&admin, &bucket, &caller(&alice), ACCOUNT, &request).outcome,
        Outcome::Allow
    );
    assert_eq!(
        authorize(&identity(&[]), &bucket, &caller(&alice), ACCOUNT, &request).outcome,
        Outcome::ImplicitDeny
    );
}

/// R35 [XACCT]: "To allow cross-account access, you attach a resource-based policy to the
/// resource that you want to share. You must also attach an identity-based policy to the
/// identity that acts as the principal in the request. … The principal's identity-based policy
/// must allow the requested access to the resource in the trusting service."
#[test]
fn r35_cross_account_needs_both_policies() {
    let none = identity(&[]);
    let allowed = identity(&[ALLOW_ASSUME]);
    let alice = foreign("alice");
    for form in [
        format!(r#"{{"AWS": "{FOREIGN_ALICE}"}}"#),
        r#"{"AWS": "444455556666"}"#.to_owned(),
        r#"{"AWS": "arn:aws:iam::444455556666:root"}"#.to_owned(),
    ] {
        let t = trust(&allow_trust(&form));
        let a = assume(&none, &t, &alice, MfaState::LongTermKeys);
        assert_eq!(
            a.outcome,
            Outcome::ImplicitDeny,
            "{form}: no identity Allow"
        );
        assert_ne!(a.principal_match, PrincipalMatch::None, "{form}");
        let a = assume(&allowed, &t, &alice, MfaState::LongTermKeys);
        assert_eq!(a.outcome, Outcome::Allow, "{form}");
        not_assumable(&none, &t, ROLE, &alice, MfaState::WithMfa);
        let w = witness(&allowed, &t, &alice, MfaState::LongTermKeys);
        assert!(!w.identity_statements.is_empty(), "{form}: {w:?}");
        assert_eq!(
            replay(&allowed, &t, &alice, MfaState::LongTermKeys, &w),
            Outcome::Allow
        );
    }
    // A trust naming only the role's own account does not admit another account's users.
    let own = trust(&allow_trust(r#"{"AWS": "123456789012"}"#));
    let a = assume(&identity(&[ADMIN]), &own, &alice, MfaState::WithMfa);
    assert_eq!(a.outcome, Outcome::ImplicitDeny);
    assert_eq!(a.principal_match, PrincipalMatch::None);
    // Nor does naming alice's ARN in the role's account admit the alice of another account.
    let named = trust(&allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#)));
    assert_eq!(
        assume(&allowed, &named, &alice, MfaState::WithMfa).outcome,
        Outcome::ImplicitDeny
    );
}

/// R36 [EVAL]: "An explicit deny overrides an explicit allow", in every policy that applies:
/// "In all those policies, the enforcement code looks for a Deny statement that applies to the
/// request." A trust Deny naming the caller's account applies to every principal of it (as R31).
#[test]
fn r36_explicit_deny_in_either_policy_wins() {
    let alice = user("alice");
    let named = trust(&allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#)));
    // A Deny in the identity policies beats a trust that names the caller.
    let deny_assume = identity(&[
        r#"{"Sid": "NoAssume", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}"#,
    ]);
    let a = assume(&deny_assume, &named, &alice, MfaState::WithMfa);
    assert_eq!(a.outcome, Outcome::ExplicitDeny);
    assert_eq!(a.identity.outcome, Outcome::ExplicitDeny);
    assert_eq!(
        a.labels(&deny_assume, &named),
        ["Id#NoAssume"],
        "only the Deny decides"
    );
    not_assumable(&deny_assume, &named, ROLE, &alice, MfaState::WithMfa);
    // The AWS force-MFA Deny also covers sts:AssumeRole, so the trust Allow does not escape it.
    let force_mfa = identity(&[
        r#"{"Sid": "DenyWithoutMFA", "Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}"#,
    ]);
    let expected = [Outcome::ExplicitDeny, Outcome::ExplicitDeny, Outcome::Allow];
    for (state, want) in MfaState::ALL.into_iter().zip(expected) {
        assert_eq!(
            assume(&force_mfa, &named, &alice, state).outcome,
            want,
            "{state:?}"
        );
    }

    // A Deny in the trust beats an Allow on both sides.
    let allowed = identity(&[ALLOW_ASSUME]);
    let t = trust(&format!(
        r#"{}, {{"Sid": "NoAlice", "Effect": "Deny", "Principal": {{"AWS": "{ALICE}"}}, "Action": "sts:AssumeRole"}}"#,
        allow_trust(r#"{"AWS": "123456789012"}"#)
    ));
    let a = assume(&allowed, &t, &alice, MfaState::WithMfa);
    assert_eq!(a.outcome, Outcome::ExplicitDeny);
    assert_eq!(labels(&a, &t), ["Trust#NoAlice"]);
    assert_eq!(
        assume(&allowed, &t, &user("bob"), MfaState::WithMfa).outcome,
        Outcome::Allow,
        "the Deny names alice only"
    );
    // A trust Deny naming the account covers the user the trust names by ARN.
    let t = trust(&format!(
        r#"{}, {{"Sid": "NoAccount", "Effect": "Deny", "Principal": {{"AWS": "123456789012"}}, "Action": "sts:*"}}"#,
        allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#))
    ));
    let a = assume(&identity(&[]), &t, &alice, MfaState::WithMfa);
    assert_eq!(a.outcome, Outcome::ExplicitDeny);
    assert_eq!(labels(&a, &t), ["Trust#NoAccount"]);
    // Across accounts too.
    let t = trust(&format!(
        r#"{}, {{"Effect": "Deny", "Principal": {{"AWS": "arn:aws:iam::444455556666:root"}}, "Action": "sts:AssumeRole"}}"#,
        allow_trust(r#"{"AWS": "444455556666"}"#)
    ));
    assert_eq!(
        assume(&allowed, &t, &foreign("alice"), MfaState::WithMfa).outcome,
        Outcome::ExplicitDeny
    );
}

/// R37 [PRIN] "All principals": "For resource-based policies, using a wildcard (*) with an
/// Allow effect grants access to all users … For IAM users and role principals within your
/// account, no other permissions are required. For principals in other accounts, they must
/// also have identity-based permissions in their account that allow them to access your
/// resource." "This is especially true for IAM role trust policies, because they allow other
/// principals to become a principal in your account."
#[test]
fn r37_any_principal() {
    let none = identity(&[]);
    let allowed = identity(&[ALLOW_ASSUME]);
    for form in [r#""*""#, r#"{"AWS": "*"}"#] {
        let t = trust(&allow_trust(form));
        let a = assume(&none, &t, &user("alice"), MfaState::LongTermKeys);
        assert_eq!(
            a.outcome,
            Outcome::Allow,
            "{form}: same account, no identity Allow"
        );
        assert_eq!(a.principal_match, PrincipalMatch::Any);
        let session = Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/s1").unwrap();
        assert_eq!(
            authorize(
                &none,
                &t,
                &session,
                ACCOUNT,
                &Request::new(ASSUME, ROLE, Context::new())
            )
            .outcome,
            Outcome::Allow,
            "{form}: a role session of the account"
        );
        let f = foreign("mallory");
        let a = assume(&none, &t, &f, MfaState::LongTermKeys);
        assert_eq!(
            a.outcome,
            Outcome::ImplicitDeny,
            "{form}: other accounts need their Allow"
        );
        assert_eq!(a.principal_match, PrincipalMatch::Any);
        assert_eq!(
            assume(&allowed, &t, &f, MfaState::LongTermKeys).outcome,
            Outcome::Allow,
            "{form}"
        );
        // To the role's owner, "*" means anyone whose own account lets them.
        let w = witness(&allowed, &t, &f, MfaState::LongTermKeys);
        assert_eq!(
            replay(&allowed, &t, &f, MfaState::LongTermKeys, &w),
            Outcome::Allow
        );
        let w = witness(&none, &t, &user("anyone"), MfaState::TemporaryWithoutMfa);
        assert!(w.identity_statements.is_empty(), "{w:?}");
    }
}

/// R38 [PRIN] "AWS service principals", "OIDC federated principals", "SAML federated
/// principals": `{"Service": …}` names a service ("A service principal is an identifier for a
/// service"; "The service principal in an IAM policy can't be "Service": "*""), `{"Federated":
/// …}` names an identity provider, used with `AssumeRoleWithWebIdentity`/`AssumeRoleWithSAML`.
/// Neither ever matches an IAM user, so such statements never let a user assume the role.
#[test]
fn r38_service_and_federated_principals_never_match_users() {
    let admin = identity(&[ADMIN]);
    let alice = user("alice");
    let ec2 = Caller::Service("ec2.amazonaws.com".into());
    let service = trust(&allow_trust(
        r#"{"Service": ["ec2.amazonaws.com", "ecs.amazonaws.com"]}"#,
    ));
    for state in MfaState::ALL {
        let a = assume(&admin, &service, &alice, state);
        assert_eq!(a.outcome, Outcome::ImplicitDeny, "{state:?}");
        assert_eq!(a.principal_match, PrincipalMatch::None);
        not_assumable(&admin, &service, ROLE, &alice, state);
    }
    let plain = Request::new(ASSUME, ROLE, Context::new());
    let a = authorize(&identity(&[]), &service, &ec2, ACCOUNT, &plain);
    assert_eq!(
        a.outcome,
        Outcome::Allow,
        "the service named may assume the role"
    );
    assert_eq!(a.principal_match, PrincipalMatch::Arn);
    let lambda = Caller::Service("lambda.amazonaws.com".into());
    assert_eq!(
        authorize(&identity(&[]), &service, &lambda, ACCOUNT, &plain).outcome,
        Outcome::ImplicitDeny
    );

    let saml_provider = "arn:aws:iam::123456789012:saml-provider/Okta";
    let saml = trust(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"Federated": "{saml_provider}"}}, "Action": "sts:AssumeRoleWithSAML"}},
           {{"Effect": "Allow", "Principal": {{"Federated": "cognito-identity.amazonaws.com"}}, "Action": "sts:AssumeRoleWithWebIdentity"}}"#
    ));
    for action in [
        ASSUME,
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
    ] {
        let a = call(&admin, &saml, &alice, MfaState::WithMfa, action, &[]);
        assert_eq!(a.outcome, Outcome::ImplicitDeny, "{action}");
        assert_eq!(a.principal_match, PrincipalMatch::None, "{action}");
    }
    not_assumable(&admin, &saml, ROLE, &alice, MfaState::WithMfa);
    let okta = Caller::Federated(saml_provider.into());
    let with_saml = Request::new("sts:AssumeRoleWithSAML", ROLE, Context::new());
    assert_eq!(
        authorize(&identity(&[]), &saml, &okta, ACCOUNT, &with_saml).outcome,
        Outcome::Allow
    );
    let cognito = Caller::Federated("cognito-identity.amazonaws.com".into());
    assert_eq!(
        authorize(&identity(&[]), &saml, &cognito, ACCOUNT, &with_saml).outcome,
        Outcome::ImplicitDeny,
        "the web-identity statement allows only AssumeRoleWithWebIdentity"
    );

    // "The service principal in an IAM policy can't be "Service": "*"."
    let err = trust_error(&numbered(&[
        r#""Effect": "Allow""#,
        r#""Principal": {"Service": "*"}"#,
        r#""Action": "sts:AssumeRole""#,
    ]));
    assert_error_at(&err, "Service", 3);
}

/// R39 [NPRIN]: "The NotPrincipal element uses "Effect":"Deny" to deny access to all
/// principals except the principal specified"; "When you use NotPrincipal, you must also
/// specify the account ARN of the principal that should not be denied. Otherwise, the policy
/// might deny access to the entire account that contains the principal. Depending on the
/// service that you include in your policy, AWS might validate the account first and then the
/// user." Model: a user is exempt only when both its ARN and its account are listed.
#[test]
fn r39_not_principal_deny_needs_the_account_listed_too() {
    let bucket = |listed: &str| {
        NamedResourcePolicy::new(
            "Bucket",
            parse_resource_policy(&doc(&format!(
                r#"{{"Sid": "Read", "Effect": "Allow", "Principal": {{"AWS": "123456789012"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}},
                   {{"Sid": "OnlyListed", "Effect": "Deny", "NotPrincipal": {{"AWS": [{listed}]}}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}}"#
            )))
            .unwrap_or_else(|e| panic!("{listed}: {e}")),
        )
    };
    let read = identity(&[
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    ]);
    let get = |p: &NamedResourcePolicy, who: &Caller| {
        let request = Request::new("s3:GetObject", "arn:aws:s3:::b/k", Context::new());
        authorize(&read, p, who, ACCOUNT, &request)
    };
    let alice = caller(&user("alice"));
    let bob = caller(&user("bob"));
    let root = Caller::from_arn(ACCOUNT).unwrap();

    let both = bucket(&format!(r#""{ALICE}", "arn:aws:iam::123456789012:root""#));
    let a = get(&both, &alice);
    assert_eq!(a.outcome, Outcome::Allow, "ARN and account listed: exempt");
    assert_eq!(labels(&a, &both), ["Bucket#Read"]);
    let b = get(&both, &bob);
    assert_eq!(b.outcome, Outcome::ExplicitDeny, "bob is not listed");
    assert_eq!(labels(&b, &both), ["Bucket#OnlyListed"]);
    assert_eq!(
        get(&both, &root).outcome,
        Outcome::Allow,
        "the account itself"
    );
    assert_eq!(
        both.policy.statements[1].principal.matches(&alice),
        PrincipalMatch::None
    );
    assert_eq!(
        both.policy.statements[1].principal.matches(&bob),
        PrincipalMatch::Any
    );

    let arn_only = bucket(&format!(r#""{ALICE}""#));
    assert_eq!(
        get(&arn_only, &alice).outcome,
        Outcome::ExplicitDeny,
        "without its account, the user is denied with the account"
    );
    let account_only = bucket(r#""123456789012""#);
    assert_eq!(
        get(&account_only, &alice).outcome,
        Outcome::ExplicitDeny,
        "the account passes, then the user is checked"
    );
    assert_eq!(get(&account_only, &root).outcome, Outcome::Allow);
    // A foreign caller listed with its account is exempt from the Deny (but not allowed: the
    // bucket's Allow names the bucket's account only).
    let foreign_listed = bucket(&format!(r#""{FOREIGN_ALICE}", "444455556666""#));
    let f = get(&foreign_listed, &caller(&foreign("alice")));
    assert_eq!(f.outcome, Outcome::ImplicitDeny);
    assert!(f.resource.is_empty());
}

/// R40 [MFAAPI][CK]: `AssumeRole` takes `SerialNumber`/`TokenCode`; "The aws:MultiFactorAuthPresent
/// key is not present when an API or CLI command is called with long-term credentials";
/// temporary credentials obtained without MFA carry `false`. The R8 matrix therefore applies to
/// trust statements unchanged, on each path to an Allow (trust naming the user, trust naming
/// the account plus an identity Allow, cross-account): Allow + Bool true is the only Allow that
/// requires MFA, Allow + BoolIfExists true lets long-term keys through, Deny + Bool false
/// leaves them through too.
#[test]
fn r40_mfa_conditions_in_trust_policies() {
    use Outcome::{Allow, ExplicitDeny, ImplicitDeny};
    // Outcomes for long-term keys (absent), temporary without MFA (false), with MFA (true).
    let table: [(&str, &str, &str, [Outcome; 3]); 5] = [
        ("Deny", "Bool", "false", [Allow, ExplicitDeny, Allow]),
        ("Deny", "Null", "true", [ExplicitDeny, Allow, Allow]),
        (
            "Deny",
            "BoolIfExists",
            "false",
            [ExplicitDeny, ExplicitDeny, Allow],
        ),
        (
            "Allow",
            "BoolIfExists",
            "true",
            [Allow, ImplicitDeny, Allow],
        ),
        ("Allow", "Bool", "true", [ImplicitDeny, ImplicitDeny, Allow]),
    ];
    let named = format!(r#"{{"AWS": "{ALICE}"}}"#);
    let paths: [(&str, &str, PolicySet, Principal); 3] = [
        (
            "trust names the user",
            named.as_str(),
            identity(&[]),
            user("alice"),
        ),
        (
            "trust names the account",
            r#"{"AWS": "arn:aws:iam::123456789012:root"}"#,
            identity(&[ALLOW_ASSUME]),
            user("alice"),
        ),
        (
            "cross-account",
            r#"{"AWS": "444455556666"}"#,
            identity(&[ALLOW_ASSUME]),
            foreign("alice"),
        ),
    ];
    for (path, principal, ids, who) in &paths {
        for (effect, op, value, expected) in table {
            let cond = format!(r#""Condition": {{"{op}": {{"{MFA}": "{value}"}}}}"#);
            let statements = if effect == "Allow" {
                format!(
                    r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole", {cond}}}"#
                )
            } else {
                format!(
                    r#"{}, {{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", {cond}}}"#,
                    allow_trust(principal)
                )
            };
            let t = trust(&statements);
            for (state, want) in MfaState::ALL.into_iter().zip(expected) {
                let what = format!("{path}: trust {effect} {op} {value}, {state:?}");
                assert_eq!(assume(ids, &t, who, state).outcome, want, "{what}");
                match assumable(ids, &t, ROLE, who, state) {
                    Proof::Assumable(w) if want == Allow => {
                        assert_eq!(replay(ids, &t, who, state, &w), Allow, "{what}");
                        assert_eq!(w.trust_statements, [0], "{what}");
                    }
                    Proof::NotAssumable if want != Allow => {}
                    other => panic!("{what}: expected {want:?}, proof {other:?}"),
                }
            }
        }
    }
}

/// R41 [CK][CO]: aws:MultiFactorAuthAge "is included in the request context only if the
/// principal making the call was authenticated using MFA. If MFA was not used, this key is not
/// present", and a condition on a missing key is false except with `IfExists` (R4, R5): an
/// Allow with `NumericLessThan` on the age requires MFA, its `IfExists` form does not, and a
/// Deny with `NumericGreaterThan` stops only old MFA sessions.
#[test]
fn r41_mfa_age_in_trust_policies() {
    let none = identity(&[]);
    let alice = user("alice");
    let with_age = |op: &str| {
        trust(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{ALICE}"}}, "Action": "sts:AssumeRole", "Condition": {{"{op}": {{"{MFA_AGE}": "3600"}}}}}}"#
        ))
    };
    let age = |state: MfaState, t: &NamedResourcePolicy, seconds: &str| {
        call(&none, t, &alice, state, ASSUME, &[(MFA_AGE, seconds)]).outcome
    };
    let strict = with_age("NumericLessThan");
    assert_eq!(
        assume(&none, &strict, &alice, MfaState::LongTermKeys).outcome,
        Outcome::ImplicitDeny
    );
    assert_eq!(
        assume(&none, &strict, &alice, MfaState::TemporaryWithoutMfa).outcome,
        Outcome::ImplicitDeny
    );
    assert_eq!(age(MfaState::WithMfa, &strict, "60"), Outcome::Allow);
    assert_eq!(
        age(MfaState::WithMfa, &strict, "7200"),
        Outcome::ImplicitDeny
    );
    not_assumable(&none, &strict, ROLE, &alice, MfaState::LongTermKeys);
    not_assumable(&none, &strict, ROLE, &alice, MfaState::TemporaryWithoutMfa);
    let w = witness(&none, &strict, &alice, MfaState::WithMfa);
    let seconds: f64 = extra(&w, MFA_AGE)
        .and_then(ContextValue::as_single)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the witness sets the age: {w:?}"));
    assert!(seconds < 3600.0, "{w:?}");
    assert_eq!(
        replay(&none, &strict, &alice, MfaState::WithMfa, &w),
        Outcome::Allow
    );

    let lax = with_age("NumericLessThanIfExists");
    assert_eq!(
        assume(&none, &lax, &alice, MfaState::LongTermKeys).outcome,
        Outcome::Allow
    );
    assert_eq!(age(MfaState::WithMfa, &lax, "7200"), Outcome::ImplicitDeny);
    assert!(matches!(
        assumable(&none, &lax, ROLE, &alice, MfaState::LongTermKeys),
        Proof::Assumable(_)
    ));

    let deny_old = trust(&format!(
        r#"{}, {{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {{"NumericGreaterThan": {{"{MFA_AGE}": "3600"}}}}}}"#,
        allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#))
    ));
    assert_eq!(
        assume(&none, &deny_old, &alice, MfaState::LongTermKeys).outcome,
        Outcome::Allow,
        "no age, no Deny: long-term keys pass"
    );
    assert_eq!(
        age(MfaState::WithMfa, &deny_old, "7200"),
        Outcome::ExplicitDeny
    );
    assert_eq!(age(MfaState::WithMfa, &deny_old, "60"), Outcome::Allow);
}

/// R42 [EXTID][STSAR]: "To provide an external ID when you assume a role, use the AWS CLI or
/// AWS API to assume that role"; "If the administrator of the account to which the role belongs
/// provided you with an external ID, then provide that value in the ExternalId parameter."
/// `sts:ExternalId`, `sts:RoleSessionName` and the like are chosen by the caller: a condition on
/// them restricts only callers who do not know the value. `assumable` treats them as free and
/// reports the value it needs; evaluating a concrete request just tests them.
#[test]
fn r42_caller_supplied_keys() {
    let allowed = identity(&[ALLOW_ASSUME]);
    let mallory = foreign("mallory");
    let t = trust(
        r#"{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Ex-123"}}}"#,
    );
    let with_id = |id: &[(&str, &str)]| {
        call(&allowed, &t, &mallory, MfaState::LongTermKeys, ASSUME, id).outcome
    };
    assert_eq!(with_id(&[]), Outcome::ImplicitDeny);
    assert_eq!(
        with_id(&[("sts:ExternalId", "wrong")]),
        Outcome::ImplicitDeny
    );
    assert_eq!(with_id(&[("sts:ExternalId", "Ex-123")]), Outcome::Allow);
    for state in MfaState::ALL {
        let w = witness(&allowed, &t, &mallory, state);
        assert_eq!(
            extra(&w, "sts:ExternalId"),
            Some(&ContextValue::Single("Ex-123".into())),
            "{state:?}: {w:?}"
        );
        assert_eq!(replay(&allowed, &t, &mallory, state, &w), Outcome::Allow);
    }

    // A Deny on a caller-chosen key is avoided by choosing the value it exempts.
    let alice = user("alice");
    let t = trust(&format!(
        r#"{}, {{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {{"StringNotEquals": {{"sts:RoleSessionName": "deploy"}}}}}}"#,
        allow_trust(r#"{"AWS": "123456789012"}"#)
    ));
    let w = witness(&allowed, &t, &alice, MfaState::LongTermKeys);
    assert_eq!(
        extra(&w, "sts:RoleSessionName"),
        Some(&ContextValue::Single("deploy".into())),
        "{w:?}"
    );
    assert_eq!(
        call(&allowed, &t, &alice, MfaState::LongTermKeys, ASSUME, &[]).outcome,
        Outcome::ExplicitDeny
    );

    // A value given by a variable of the caller's own keys: alice may name her session "alice"
    // (the documented `"sts:RoleSessionName": "${aws:username}"` pattern).
    let t = trust(
        r#"{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}}"#,
    );
    assert_eq!(
        call(
            &allowed,
            &t,
            &alice,
            MfaState::LongTermKeys,
            ASSUME,
            &[("sts:RoleSessionName", "alice")]
        )
        .outcome,
        Outcome::Allow
    );
    assert_eq!(
        call(
            &allowed,
            &t,
            &alice,
            MfaState::LongTermKeys,
            ASSUME,
            &[("sts:RoleSessionName", "bob")]
        )
        .outcome,
        Outcome::ImplicitDeny
    );
    let w = witness(&allowed, &t, &alice, MfaState::LongTermKeys);
    assert_eq!(
        replay(&allowed, &t, &alice, MfaState::LongTermKeys, &w),
        Outcome::Allow
    );
}

/// R43 [TAGS][SRCID]: to pass session tags, "In addition to the action that matches the API
/// operation, you must have the following permissions-only action in your policy:
/// sts:TagSession"; "To specify a source identity, principals (IAM users and roles) must have
/// permissions to sts:SetSourceIdentity", and across accounts "in the permissions policy of the
/// principal in the originating account and in the role trust policy of the role in the target
/// account". A trust allowing only `sts:AssumeRole` denies `sts:TagSession`.
#[test]
fn r43_tags_and_source_identity_need_their_own_allow() {
    let none = identity(&[]);
    let alice = user("alice");
    let named = format!(r#"{{"AWS": "{ALICE}"}}"#);
    let only_assume = trust(&allow_trust(&named));
    for action in ["sts:TagSession", "sts:SetSourceIdentity"] {
        let a = call(&none, &only_assume, &alice, MfaState::WithMfa, action, &[]);
        assert_eq!(a.outcome, Outcome::ImplicitDeny, "{action}");
    }
    assert_eq!(
        call(&none, &only_assume, &alice, MfaState::WithMfa, ASSUME, &[]).outcome,
        Outcome::Allow,
        "assuming without tags needs only sts:AssumeRole"
    );
    let all = trust(&format!(
        r#"{{"Effect": "Allow", "Principal": {named}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}}"#
    ));
    for action in ["sts:TagSession", "sts:SetSourceIdentity"] {
        assert_eq!(
            call(&none, &all, &alice, MfaState::WithMfa, action, &[]).outcome,
            Outcome::Allow,
            "{action}"
        );
    }
    // The tags passed can be constrained with aws:RequestTag.
    let tagged = trust(&format!(
        r#"{}, {{"Effect": "Allow", "Principal": {named}, "Action": "sts:TagSession", "Condition": {{"StringEquals": {{"aws:RequestTag/team": "ops"}}}}}}"#,
        allow_trust(&named)
    ));
    let tag = |v: &str| {
        call(
            &none,
            &tagged,
            &alice,
            MfaState::WithMfa,
            "sts:TagSession",
            &[("aws:RequestTag/team", v)],
        )
        .outcome
    };
    assert_eq!(tag("ops"), Outcome::Allow);
    assert_eq!(tag("dev"), Outcome::ImplicitDeny);

    // Across accounts, both sides must allow the tagging action.
    let mallory = foreign("mallory");
    let t = trust(
        r#"{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}"#,
    );
    let assume_only = identity(&[ALLOW_ASSUME]);
    assert_eq!(
        call(
            &assume_only,
            &t,
            &mallory,
            MfaState::WithMfa,
            "sts:TagSession",
            &[]
        )
        .outcome,
        Outcome::ImplicitDeny
    );
    let both = identity(&[
        r#"{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "arn:aws:iam::123456789012:role/Target"}"#,
    ]);
    assert_eq!(
        call(
            &both,
            &t,
            &mallory,
            MfaState::WithMfa,
            "sts:TagSession",
            &[]
        )
        .outcome,
        Outcome::Allow
    );
}

/// R44 [CK]: in the trust evaluation the principal keys describe the caller: aws:PrincipalArn is
/// the user's ARN ("IAM user – The request context contains the following value for condition
/// key aws:PrincipalArn"), aws:PrincipalAccount its account, aws:PrincipalType `User`, and
/// aws:PrincipalTag its IAM tags. The caller cannot choose them, so `assumable` must not treat
/// them as free.
#[test]
fn r44_principal_keys_describe_the_caller() {
    let allowed = identity(&[ALLOW_ASSUME]);
    let t = trust(
        r#"{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/ops-*"},
                          "StringEquals": {"aws:PrincipalType": "User"}}}"#,
    );
    let ops = user("ops-alice");
    let alice = user("alice");
    assert_eq!(
        assume(&allowed, &t, &ops, MfaState::LongTermKeys).outcome,
        Outcome::Allow
    );
    assert_eq!(
        assume(&allowed, &t, &alice, MfaState::LongTermKeys).outcome,
        Outcome::ImplicitDeny
    );
    let w = witness(&allowed, &t, &ops, MfaState::LongTermKeys);
    assert_eq!(extra(&w, "aws:PrincipalArn"), None, "{w:?}");
    for state in MfaState::ALL {
        not_assumable(&allowed, &t, ROLE, &alice, state);
    }

    // aws:PrincipalAccount keeps a "*" trust to the role's account.
    let own = trust(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}}"#,
    );
    let mallory = foreign("mallory");
    assert_eq!(
        assume(&allowed, &own, &mallory, MfaState::WithMfa).outcome,
        Outcome::ImplicitDeny
    );
    not_assumable(&allowed, &own, ROLE, &mallory, MfaState::WithMfa);
    assert_eq!(
        assume(&identity(&[]), &own, &alice, MfaState::WithMfa).outcome,
        Outcome::Allow
    );

    // aws:PrincipalTag is the user's IAM tag: alice has none.
    let tagged = trust(
        r#"{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}"#,
    );
    let tag =
        |v: &[(&str, &str)]| call(&allowed, &tagged, &alice, MfaState::WithMfa, ASSUME, v).outcome;
    assert_eq!(tag(&[("aws:PrincipalTag/team", "ops")]), Outcome::Allow);
    assert_eq!(
        tag(&[("aws:PrincipalTag/team", "dev")]),
        Outcome::ImplicitDeny
    );
    assert_eq!(tag(&[]), Outcome::ImplicitDeny);
    not_assumable(&allowed, &tagged, ROLE, &alice, MfaState::WithMfa);
}

/// R45 [PRIN] "IAM user principals": "In a Principal element, the user name part of the Amazon
/// Resource Name (ARN) is case sensitive"; "When you specify users in a Principal element, you
/// cannot use a wildcard (*) to mean "all users". Principals must always name specific users."
/// IAM stores the user's unique principal ID: "if you delete the user, then you break the
/// relationship … the principal ID appears in resource-based policies because AWS can no longer
/// map it back to a valid ARN." The full ARN, path included, must match.
#[test]
fn r45_principal_arns_match_exactly() {
    let alice = caller(&user("alice"));
    let pathed_alice = caller(&Principal {
        path: "/div/".into(),
        ..user("alice")
    });
    assert_eq!(
        principal_of(r#"{"AWS": "arn:aws:iam::123456789012:user/Alice"}"#).matches(&alice),
        PrincipalMatch::None,
        "the user name is case-sensitive"
    );
    let plain = principal_of(&format!(r#"{{"AWS": "{ALICE}"}}"#));
    assert_eq!(plain.matches(&alice), PrincipalMatch::Arn);
    assert_eq!(
        plain.matches(&pathed_alice),
        PrincipalMatch::None,
        "user/alice is not user/div/alice"
    );
    let pathed = principal_of(r#"{"AWS": "arn:aws:iam::123456789012:user/div/alice"}"#);
    assert_eq!(pathed.matches(&pathed_alice), PrincipalMatch::Arn);
    assert_eq!(pathed.matches(&alice), PrincipalMatch::None);
    assert_eq!(
        plain.matches(&caller(&foreign("alice"))),
        PrincipalMatch::None,
        "the account is part of the ARN"
    );
    assert_eq!(
        principal_of(r#"{"AWS": "arn:aws:iam::123456789012:role/alice"}"#).matches(&alice),
        PrincipalMatch::None,
        "a role is not a user"
    );
    // Through authorize: the pathed user named without its path cannot assume the role.
    let t = trust(&allow_trust(&format!(r#"{{"AWS": "{ALICE}"}}"#)));
    let request = Request::new(ASSUME, ROLE, Context::new());
    assert_eq!(
        authorize(&identity(&[]), &t, &pathed_alice, ACCOUNT, &request).outcome,
        Outcome::ImplicitDeny
    );

    // Unique ids left by deleted principals match nobody, even with identity Allows.
    for id in ["AIDAJQABLZS4A3QDU576Q", "AROAKSCDLFT9R5DQP782U"] {
        let t = trust(&allow_trust(&format!(r#"{{"AWS": "{id}"}}"#)));
        let who = user("alice");
        let a = assume(&identity(&[ADMIN]), &t, &who, MfaState::WithMfa);
        assert_eq!(a.outcome, Outcome::ImplicitDeny, "{id}");
        assert_eq!(a.principal_match, PrincipalMatch::None, "{id}");
        not_assumable(&identity(&[ADMIN]), &t, ROLE, &who, MfaState::WithMfa);
    }
    // No wildcard for "all users" (R30); "*" alone is every principal.
    let err = trust_error(&numbered(&[
        r#""Effect": "Allow""#,
        r#""Principal": {"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/*"]}"#,
        r#""Action": "sts:AssumeRole""#,
    ]));
    assert_error_at(&err, "arn:aws:iam::123456789012:user/*", 3);
    assert_eq!(
        principal_of(r#"{"AWS": "*"}"#).matches(&alice),
        PrincipalMatch::Any
    );
}

/// [PRIN] "Role session principals": "You can specify role sessions in the Principal element of
/// a resource-based policy", as `arn:aws:sts::ACCOUNT:assumed-role/role-name/role-session-name`.
/// Such a trust statement names exactly that session, and the role's ARN names all of them.
#[test]
fn r45_role_session_principal_names_that_session() {
    let p = principal_of(r#"{"AWS": "arn:aws:sts::123456789012:assumed-role/Ops/s1"}"#);
    let s1 = Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/s1").unwrap();
    let s2 = Caller::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/s2").unwrap();
    assert_eq!(p.matches(&s1), PrincipalMatch::Arn);
    assert_eq!(p.matches(&s2), PrincipalMatch::None);
    let role = principal_of(r#"{"AWS": "arn:aws:iam::123456789012:role/Ops"}"#);
    assert_eq!(role.matches(&s1), PrincipalMatch::Arn);
    assert_eq!(role.matches(&s2), PrincipalMatch::Arn);
}
