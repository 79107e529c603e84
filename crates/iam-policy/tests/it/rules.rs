//! One test (or table) per documented IAM evaluation rule, R1–R28 of
//! `shared/research/policy-engines.md` §3. Each cites its AWS reference:
//! [CO] reference_policies_elements_condition_operators.html, [VAR] reference_policies_variables.html,
//! [CK] reference_policies_condition-keys.html, [MV] reference_policies_condition-single-vs-multi-valued-context-keys.html,
//! [COND] reference_policies_elements_condition.html, [NA] reference_policies_elements_notaction.html,
//! [NR] reference_policies_elements_notresource.html, [RES] reference_policies_elements_resource.html,
//! [ACT] reference_policies_elements_action.html, [EVAL] reference_policies_evaluation-logic_policy-eval-denyallow.html,
//! [GR] reference_policies_grammar.html, [STS] STS API_GetCallerIdentity.html
//! (all under https://docs.aws.amazon.com/IAM/latest/UserGuide/ except [STS]).

use iam_policy::{Context, ContextValue, Outcome, PolicySet, Request, parse_policy};

const USER: &str = "arn:aws:iam::123456789012:user/alice";

fn set(policies: &[(&str, &str)]) -> PolicySet {
    let mut s = PolicySet::new();
    for (name, doc) in policies {
        s.add_document(name, doc)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    s
}

fn stmt(body: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{body}]}}"#)
}

fn ctx(pairs: &[(&str, &str)]) -> Context {
    pairs.iter().fold(Context::new(), |c, (k, v)| c.with(k, v))
}

fn outcome(s: &PolicySet, action: &str, resource: &str, c: Context) -> Outcome {
    s.evaluate(&Request::new(action, resource, c)).outcome
}

/// A single Allow statement on `*` for `s3:GetObject` with one condition.
fn cond_allows(operator: &str, key: &str, values: &str, c: Context) -> bool {
    let doc = stmt(&format!(
        r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {{"{operator}": {{"{key}": {values}}}}}}}"#
    ));
    outcome(&set(&[("P", &doc)]), "s3:GetObject", "arn:aws:s3:::b/k", c) == Outcome::Allow
}

const ALLOW_S3: &str = r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#;
const DENY_S3_GET: &str =
    r#"{"Sid": "NoGet", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#;

/// R1 [EVAL]: explicit deny > allow > implicit deny; all policies form one set; order is
/// irrelevant; deciding statements are all matching Denies, else all matching Allows.
#[test]
fn r01_deny_beats_allow_beats_implicit_deny() {
    let s = set(&[
        ("A", &stmt(ALLOW_S3)),
        ("D", &stmt(DENY_S3_GET)),
        ("A2", &stmt(ALLOW_S3)),
    ]);
    let d = s.evaluate(&Request::new(
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        Context::new(),
    ));
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert_eq!(
        d.statements.iter().map(|r| s.label(*r)).collect::<Vec<_>>(),
        ["D#NoGet"]
    );
    let d = s.evaluate(&Request::new(
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        Context::new(),
    ));
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(
        d.statements.iter().map(|r| s.label(*r)).collect::<Vec<_>>(),
        ["A#1", "A2#1"]
    );
    assert_eq!(
        outcome(&s, "ec2:RunInstances", "*", Context::new()),
        Outcome::ImplicitDeny
    );
    let reversed = set(&[
        ("A2", &stmt(ALLOW_S3)),
        ("D", &stmt(DENY_S3_GET)),
        ("A", &stmt(ALLOW_S3)),
    ]);
    assert_eq!(
        outcome(
            &reversed,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Context::new()
        ),
        Outcome::ExplicitDeny
    );
    assert_eq!(
        outcome(&PolicySet::new(), "s3:GetObject", "*", Context::new()),
        Outcome::ImplicitDeny
    );
}

/// R2 [MV]: elements ANDed; operators and keys ANDed; values ORed; negated operators NOR.
#[test]
fn r02_and_or_nor() {
    let c = |v: &str| ctx(&[("aws:PrincipalTag/team", v)]);
    assert!(
        cond_allows(
            "StringEquals",
            "aws:PrincipalTag/team",
            r#"["a", "b"]"#,
            c("b")
        ),
        "values are ORed"
    );
    assert!(
        !cond_allows(
            "StringNotEquals",
            "aws:PrincipalTag/team",
            r#"["a", "b"]"#,
            c("b")
        ),
        "NOR"
    );
    assert!(
        !cond_allows(
            "StringNotEquals",
            "aws:PrincipalTag/team",
            r#"["a", "b"]"#,
            c("a")
        ),
        "NOR"
    );
    assert!(
        cond_allows(
            "StringNotEquals",
            "aws:PrincipalTag/team",
            r#"["a", "b"]"#,
            c("z")
        ),
        "NOR"
    );
    let two_ops = stmt(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
            "StringEquals": {"aws:PrincipalTag/team": "a", "aws:PrincipalTag/dept": "x"},
            "Bool": {"aws:SecureTransport": "true"}}}"#,
    );
    let s = set(&[("P", &two_ops)]);
    let all = ctx(&[
        ("aws:PrincipalTag/team", "a"),
        ("aws:PrincipalTag/dept", "x"),
        ("aws:SecureTransport", "true"),
    ]);
    assert_eq!(
        outcome(&s, "s3:GetObject", "*", all.clone()),
        Outcome::Allow
    );
    let mut one_off = all.clone();
    one_off.insert("aws:PrincipalTag/dept", ContextValue::Single("y".into()));
    assert_eq!(
        outcome(&s, "s3:GetObject", "*", one_off),
        Outcome::ImplicitDeny,
        "keys are ANDed"
    );
    let mut insecure = all;
    insecure.insert("aws:SecureTransport", ContextValue::Single("false".into()));
    assert_eq!(
        outcome(&s, "s3:GetObject", "*", insecure),
        Outcome::ImplicitDeny,
        "operators are ANDed"
    );
    let wrong_resource = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}"#,
        ),
    )]);
    assert_eq!(
        outcome(
            &wrong_resource,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Context::new()
        ),
        Outcome::ImplicitDeny
    );
}

/// R3 [STS]: sts:GetCallerIdentity is allowed even under an explicit Deny.
#[test]
fn r03_get_caller_identity_never_denied() {
    let s = set(&[(
        "D",
        &stmt(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#),
    )]);
    assert_eq!(
        outcome(&s, "sts:GetCallerIdentity", "*", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(
            &PolicySet::new(),
            "STS:getcalleridentity",
            "*",
            Context::new()
        ),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&s, "sts:GetSessionToken", "*", Context::new()),
        Outcome::ExplicitDeny
    );
}

/// R4 [CO "Important"]: a missing key makes a condition false, except negated operators (true).
#[test]
fn r04_missing_key() {
    let none = Context::new;
    assert!(!cond_allows(
        "StringEquals",
        "aws:PrincipalTag/t",
        r#""a""#,
        none()
    ));
    assert!(cond_allows(
        "StringNotEquals",
        "aws:PrincipalTag/t",
        r#""a""#,
        none()
    ));
    assert!(cond_allows(
        "StringNotLike",
        "aws:PrincipalTag/t",
        r#""a*""#,
        none()
    ));
    assert!(!cond_allows(
        "NumericLessThan",
        "s3:max-keys",
        r#""10""#,
        none()
    ));
    assert!(cond_allows(
        "NumericNotEquals",
        "s3:max-keys",
        r#""10""#,
        none()
    ));
    assert!(cond_allows(
        "NotIpAddress",
        "aws:SourceIp",
        r#""203.0.113.0/24""#,
        none()
    ));
    assert!(!cond_allows(
        "IpAddress",
        "aws:SourceIp",
        r#""203.0.113.0/24""#,
        none()
    ));
    assert!(cond_allows(
        "ArnNotLike",
        "aws:SourceArn",
        r#""arn:aws:s3:::*""#,
        none()
    ));
    assert!(cond_allows(
        "DateNotEquals",
        "aws:CurrentTime",
        r#""2024-01-01""#,
        none()
    ));
    assert!(!cond_allows(
        "Bool",
        "aws:SecureTransport",
        r#""true""#,
        none()
    ));
}

/// R5 [CO]: IfExists makes a missing key true; a Deny with a negated IfExists operator still
/// denies when the key is missing; IfExists cannot be used with Null.
#[test]
fn r05_if_exists() {
    assert!(cond_allows(
        "StringEqualsIfExists",
        "ec2:InstanceType",
        r#""t2.micro""#,
        Context::new()
    ));
    assert!(!cond_allows(
        "StringEqualsIfExists",
        "ec2:InstanceType",
        r#""t2.micro""#,
        ctx(&[("ec2:InstanceType", "m5.large")])
    ));
    let deny = stmt(
        r#"{"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:RequestTag/team": "blue"}}}"#,
    );
    let s = set(&[
        ("D", &deny),
        (
            "A",
            &stmt(r#"{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}"#),
        ),
    ]);
    assert_eq!(
        outcome(&s, "ec2:RunInstances", "*", Context::new()),
        Outcome::ExplicitDeny
    );
    assert_eq!(
        outcome(
            &s,
            "ec2:RunInstances",
            "*",
            ctx(&[("aws:RequestTag/team", "blue")])
        ),
        Outcome::Allow
    );
    let err = parse_policy(&stmt(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}}}"#,
    ))
    .unwrap_err();
    assert!(
        err.message
            .contains("unknown condition operator \"NullIfExists\""),
        "{err}"
    );
}

/// R6 [CO][COND]: Null true = key absent, false = present; an empty string counts as null.
#[test]
fn r06_null() {
    let k = "aws:TokenIssueTime";
    assert!(cond_allows("Null", k, r#""true""#, Context::new()));
    assert!(!cond_allows(
        "Null",
        k,
        r#""true""#,
        ctx(&[(k, "2024-01-01T00:00:00Z")])
    ));
    assert!(cond_allows(
        "Null",
        k,
        r#""false""#,
        ctx(&[(k, "2024-01-01T00:00:00Z")])
    ));
    assert!(!cond_allows("Null", k, r#""false""#, Context::new()));
    assert!(
        cond_allows("Null", k, "true", ctx(&[(k, "")])),
        "JSON boolean; empty string is null"
    );
}

/// R7 [CO]: Bool with a missing key is false; request values true/false in any case;
/// variables allowed in Bool.
#[test]
fn r07_bool() {
    let k = "aws:SecureTransport";
    assert!(!cond_allows("Bool", k, r#""true""#, Context::new()));
    assert!(cond_allows("Bool", k, r#""true""#, ctx(&[(k, "TRUE")])));
    assert!(cond_allows("Bool", k, "true", ctx(&[(k, "True")])));
    assert!(!cond_allows("Bool", k, r#""true""#, ctx(&[(k, "yes")])));
    assert!(cond_allows(
        "Bool",
        k,
        r#""${aws:PrincipalTag/secure}""#,
        ctx(&[(k, "false"), ("aws:PrincipalTag/secure", "false")])
    ));
}

/// R8 [CK aws:MultiFactorAuthPresent]: the key is absent for long-term keys, "false" for
/// temporary credentials without MFA. Matrix {absent, false, true} × five patterns.
#[test]
fn r08_mfa_patterns() {
    let k = "aws:MultiFactorAuthPresent";
    let states: [(&str, Context); 3] = [
        ("absent", Context::new()),
        ("false", ctx(&[(k, "false")])),
        ("true", ctx(&[(k, "true")])),
    ];
    // (effect, operator, value, expected decision of S3 GetObject for absent/false/true when
    // combined with an Allow s3:* (for Deny patterns) or alone (for Allow patterns)).
    let table: [(&str, &str, &str, [Outcome; 3]); 5] = [
        (
            "Deny",
            "Bool",
            "false",
            [Outcome::Allow, Outcome::ExplicitDeny, Outcome::Allow],
        ),
        (
            "Deny",
            "Null",
            "true",
            [Outcome::ExplicitDeny, Outcome::Allow, Outcome::Allow],
        ),
        (
            "Deny",
            "BoolIfExists",
            "false",
            [Outcome::ExplicitDeny, Outcome::ExplicitDeny, Outcome::Allow],
        ),
        (
            "Allow",
            "BoolIfExists",
            "true",
            [Outcome::Allow, Outcome::ImplicitDeny, Outcome::Allow],
        ),
        (
            "Allow",
            "Bool",
            "true",
            [Outcome::ImplicitDeny, Outcome::ImplicitDeny, Outcome::Allow],
        ),
    ];
    for (effect, op, value, expected) in table {
        let doc = stmt(&format!(
            r#"{{"Effect": "{effect}", "Action": "s3:GetObject", "Resource": "*", "Condition": {{"{op}": {{"{k}": "{value}"}}}}}}"#
        ));
        let mut policies = vec![("P", doc.clone())];
        if effect == "Deny" {
            policies.push(("A", stmt(ALLOW_S3)));
        }
        let refs: Vec<(&str, &str)> = policies.iter().map(|(n, d)| (*n, d.as_str())).collect();
        let s = set(&refs);
        for ((state, c), want) in states.iter().zip(expected) {
            assert_eq!(
                outcome(&s, "s3:GetObject", "*", c.clone()),
                want,
                "{effect} {op} {value}, MFA {state}"
            );
        }
    }
    // Allow + Null false allows every temporary-credential request: not an MFA check.
    assert!(cond_allows("Null", k, r#""false""#, ctx(&[(k, "false")])));
    // Deny + Bool false leaves long-term access keys through (the trap the doctor reports).
    let keys_through = set(&[
        (
            "P",
            &stmt(
                r#"{"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#,
            ),
        ),
        ("A", &stmt(ALLOW_S3)),
    ]);
    assert_eq!(
        outcome(
            &keys_through,
            "s3:DeleteBucket",
            "arn:aws:s3:::b",
            Context::new()
        ),
        Outcome::Allow
    );
}

/// R9 [NA]: Deny+NotAction denies every unlisted action of every service and grants nothing;
/// Allow+NotAction grants unlisted actions the Resource covers, so with an S3 ARN it excludes
/// wildcard-only actions.
#[test]
fn r09_not_action() {
    let deny = set(&[(
        "D",
        &stmt(
            r#"{"Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"], "Resource": "*"}"#,
        ),
    )]);
    assert_eq!(
        outcome(&deny, "ec2:RunInstances", "*", Context::new()),
        Outcome::ExplicitDeny
    );
    assert_eq!(
        outcome(&deny, "iam:ChangePassword", USER, Context::new()),
        Outcome::ImplicitDeny,
        "grants nothing"
    );
    let allow = set(&[(
        "A",
        &stmt(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::*"}"#),
    )]);
    assert_eq!(
        outcome(&allow, "s3:GetObject", "arn:aws:s3:::b/k", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&allow, "iam:GetUser", "arn:aws:s3:::b/k", Context::new()),
        Outcome::ImplicitDeny
    );
    assert_eq!(
        outcome(&allow, "s3:ListAllMyBuckets", "*", Context::new()),
        Outcome::ImplicitDeny
    );
}

/// R10 [MV]: ForAllValues true for missing/empty; ForAnyValue false for missing/empty; a
/// multi-valued key under a plain operator is false; IfExists is ignored under set operators.
#[test]
fn r10_set_operators() {
    let k = "aws:TagKeys";
    let multi = |vals: &[&str]| {
        let mut c = Context::new();
        c.insert(
            k,
            ContextValue::Multi(vals.iter().map(|s| s.to_string()).collect()),
        );
        c
    };
    let allowed = r#"["env", "team"]"#;
    assert!(cond_allows(
        "ForAllValues:StringEquals",
        k,
        allowed,
        multi(&["env", "team"])
    ));
    assert!(!cond_allows(
        "ForAllValues:StringEquals",
        k,
        allowed,
        multi(&["env", "cost"])
    ));
    assert!(
        cond_allows("ForAllValues:StringEquals", k, allowed, Context::new()),
        "missing"
    );
    assert!(
        cond_allows("ForAllValues:StringEquals", k, allowed, multi(&[])),
        "empty set"
    );
    assert!(cond_allows(
        "ForAnyValue:StringEquals",
        k,
        allowed,
        multi(&["cost", "team"])
    ));
    assert!(!cond_allows(
        "ForAnyValue:StringEquals",
        k,
        allowed,
        multi(&["cost"])
    ));
    assert!(
        !cond_allows("ForAnyValue:StringEquals", k, allowed, Context::new()),
        "missing"
    );
    assert!(
        !cond_allows("ForAnyValue:StringEquals", k, allowed, multi(&[])),
        "empty set"
    );
    assert!(
        !cond_allows(
            "ForAnyValue:StringEqualsIfExists",
            k,
            allowed,
            Context::new()
        ),
        "IfExists ignored"
    );
    assert!(
        !cond_allows("StringEquals", k, allowed, multi(&["env", "team"])),
        "plain operator on a set"
    );
    assert!(cond_allows(
        "ForAllValues:StringNotEquals",
        k,
        allowed,
        multi(&["cost", "owner"])
    ));
    assert!(!cond_allows(
        "ForAllValues:StringNotEquals",
        k,
        allowed,
        multi(&["cost", "env"])
    ));
    assert!(
        cond_allows(
            "ForAnyValue:StringEquals",
            "aws:PrincipalTag/t",
            allowed,
            ctx(&[("aws:PrincipalTag/t", "env")])
        ),
        "a single value is a one-element set"
    );
}

/// R11 [MV]: whether a key is multi-valued depends on the number of values in the request.
#[test]
fn r11_multi_by_request_count() {
    let k = "aws:TagKeys";
    let mut one = Context::new();
    one.insert(k, ContextValue::Multi(vec!["env".into()]));
    assert!(
        cond_allows("StringEquals", k, r#""env""#, one),
        "a set of one is single-valued"
    );
    let mut two = Context::new();
    two.insert(k, ContextValue::Multi(vec!["env".into(), "env".into()]));
    assert!(!cond_allows("StringEquals", k, r#""env""#, two));
}

/// R12 [CO]: StringEquals is case-sensitive without wildcards; IgnoreCase folds case;
/// StringLike is case-sensitive with * and ?, and * crosses ':'.
#[test]
fn r12_strings() {
    let k = "aws:PrincipalTag/p";
    let c = |v: &str| ctx(&[(k, v)]);
    assert!(cond_allows("StringEquals", k, r#""Blue""#, c("Blue")));
    assert!(!cond_allows("StringEquals", k, r#""Blue""#, c("blue")));
    assert!(
        !cond_allows("StringEquals", k, r#""B*""#, c("Blue")),
        "* is literal"
    );
    assert!(cond_allows("StringEquals", k, r#""B*""#, c("B*")));
    assert!(cond_allows(
        "StringEqualsIgnoreCase",
        k,
        r#""Blue""#,
        c("bLUE")
    ));
    assert!(!cond_allows(
        "StringNotEqualsIgnoreCase",
        k,
        r#""Blue""#,
        c("bLUE")
    ));
    assert!(cond_allows("StringLike", k, r#""B?u*""#, c("Blue-green")));
    assert!(
        !cond_allows("StringLike", k, r#""b*""#, c("Blue")),
        "case-sensitive"
    );
    assert!(
        cond_allows("StringLike", k, r#""a*d""#, c("a:b:c:d")),
        "* crosses ':'"
    );
    assert!(!cond_allows("StringNotLike", k, r#""B*""#, c("Blue")));
}

/// R13 [CO]: ArnEquals and ArnLike behave alike; the six components match separately.
#[test]
fn r13_arn_operators() {
    let k = "aws:SourceArn";
    let pattern = r#""arn:aws:someservice:*:111122223333:finance/*""#;
    let tricky =
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    assert!(cond_allows("StringLike", k, pattern, ctx(&[(k, tricky)])));
    assert!(!cond_allows("ArnLike", k, pattern, ctx(&[(k, tricky)])));
    assert!(!cond_allows("ArnEquals", k, pattern, ctx(&[(k, tricky)])));
    let good = "arn:aws:someservice:us-east-2:111122223333:finance/document.txt";
    for op in ["ArnLike", "ArnEquals"] {
        assert!(cond_allows(op, k, pattern, ctx(&[(k, good)])), "{op}");
    }
    for op in ["ArnNotLike", "ArnNotEquals"] {
        assert!(!cond_allows(op, k, pattern, ctx(&[(k, good)])), "{op}");
        assert!(cond_allows(op, k, pattern, ctx(&[(k, tricky)])), "{op}");
    }
}

/// R14 [COND]: condition key names are case-insensitive; values follow the operator.
#[test]
fn r14_key_names_case_insensitive() {
    assert!(cond_allows(
        "StringEquals",
        "AWS:PrincipalTag/Team",
        r#""x""#,
        ctx(&[("aws:principaltag/team", "x")])
    ));
    assert!(cond_allows(
        "Bool",
        "aws:multifactorauthpresent",
        r#""true""#,
        ctx(&[("AWS:MultiFactorAuthPresent", "true")])
    ));
    let dup = parse_policy(&stmt(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:A": "x", "AWS:a": "y"}}}"#,
    ));
    assert!(
        dup.is_err(),
        "the same key twice (in any case) is ambiguous"
    );
}

/// R15 [ACT]: service prefix and action name are case-insensitive; wildcards allowed.
#[test]
fn r15_actions() {
    let s = set(&[(
        "A",
        &stmt(
            r#"{"Effect": "Allow", "Action": ["IAM:listaccesskeys", "s3:Get*", "ec2:Describe?nstances"], "Resource": "*"}"#,
        ),
    )]);
    assert_eq!(
        outcome(&s, "iam:ListAccessKeys", "*", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&s, "S3:GETOBJECT", "*", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&s, "ec2:DescribeInstances", "*", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&s, "s3:PutObject", "*", Context::new()),
        Outcome::ImplicitDeny
    );
    assert!(
        parse_policy(&stmt(
            r#"{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}"#
        ))
        .is_err()
    );
    assert!(
        parse_policy(&stmt(
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#
        ))
        .is_ok()
    );
}

/// R16 [RES]: wildcards within segments; user names case-sensitive; * spans '/';
/// wildcard-only actions need Resource "*"; user paths need `user/*/${aws:username}`.
#[test]
fn r16_resources() {
    let s = set(&[(
        "A",
        &stmt(r#"{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/alice"}"#),
    )]);
    assert_eq!(
        outcome(&s, "iam:GetUser", USER, Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(
            &s,
            "iam:GetUser",
            "arn:aws:iam::123456789012:user/Alice",
            Context::new()
        ),
        Outcome::ImplicitDeny
    );
    let paths = set(&[(
        "A",
        &stmt(r#"{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:user/*"}"#),
    )]);
    assert_eq!(
        outcome(
            &paths,
            "iam:GetUser",
            "arn:aws:iam::1:user/dev/team/bob",
            Context::new()
        ),
        Outcome::Allow
    );
    let s3 = set(&[(
        "A",
        &stmt(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"}"#),
    )]);
    assert_eq!(
        outcome(&s3, "s3:ListAllMyBuckets", "*", Context::new()),
        Outcome::ImplicitDeny
    );
    let change = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"}"#,
        ),
    )]);
    let pathed = "arn:aws:iam::123456789012:user/division/alice";
    assert_eq!(
        outcome(
            &change,
            "iam:ChangePassword",
            pathed,
            ctx(&[("aws:username", "alice")])
        ),
        Outcome::ImplicitDeny
    );
    let both = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"]}"#,
        ),
    )]);
    assert_eq!(
        outcome(
            &both,
            "iam:ChangePassword",
            pathed,
            ctx(&[("aws:username", "alice")])
        ),
        Outcome::Allow
    );
    assert_eq!(
        outcome(
            &both,
            "iam:ChangePassword",
            USER,
            ctx(&[("aws:username", "alice")])
        ),
        Outcome::Allow
    );
    assert_eq!(
        outcome(
            &both,
            "iam:ChangePassword",
            USER,
            ctx(&[("aws:username", "bob")])
        ),
        Outcome::ImplicitDeny
    );
}

/// R17 [NR]: NotResource matches everything but the listed resources; with Deny it grants nothing.
#[test]
fn r17_not_resource() {
    let s = set(&[(
        "A",
        &stmt(r#"{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}"#),
    )]);
    assert_eq!(
        outcome(&s, "s3:GetObject", "arn:aws:s3:::public/k", Context::new()),
        Outcome::Allow
    );
    assert_eq!(
        outcome(&s, "s3:GetObject", "arn:aws:s3:::secret/k", Context::new()),
        Outcome::ImplicitDeny
    );
    let d = set(&[(
        "D",
        &stmt(r#"{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public/*"}"#),
    )]);
    assert_eq!(
        outcome(&d, "s3:GetObject", "arn:aws:s3:::public/k", Context::new()),
        Outcome::ImplicitDeny
    );
    assert_eq!(
        outcome(&d, "s3:GetObject", "arn:aws:s3:::secret/k", Context::new()),
        Outcome::ExplicitDeny
    );
}

/// R18 [VAR]: variables are substituted only under Version 2012-10-17.
#[test]
fn r18_variables_need_2012() {
    let body = r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}"#;
    let c = ctx(&[("aws:username", "alice")]);
    for version in [r#""Version": "2008-10-17","#, ""] {
        let doc = format!(r#"{{{version} "Statement": [{body}]}}"#);
        let s = set(&[("Old", &doc)]);
        assert_eq!(
            outcome(&s, "iam:GetUser", USER, c.clone()),
            Outcome::ImplicitDeny,
            "{version}"
        );
        assert_eq!(
            outcome(
                &s,
                "iam:GetUser",
                "arn:aws:iam::1:user/${aws:username}",
                c.clone()
            ),
            Outcome::Allow,
            "literal text under {version:?}"
        );
    }
    assert_eq!(
        outcome(&set(&[("New", &stmt(body))]), "iam:GetUser", USER, c),
        Outcome::Allow
    );
}

/// R19 [VAR]: a variable with no value matches nothing, in conditions and in Resource.
#[test]
fn r19_unresolved_variable() {
    let s = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}"#,
        ),
    )]);
    assert_eq!(
        outcome(&s, "iam:GetUser", USER, Context::new()),
        Outcome::ImplicitDeny
    );
    assert!(!cond_allows(
        "StringEquals",
        "aws:PrincipalTag/t",
        r#""${aws:PrincipalTag/other}""#,
        ctx(&[("aws:PrincipalTag/t", "")])
    ));
    assert!(
        !cond_allows(
            "StringNotEquals",
            "aws:PrincipalTag/t",
            r#""${aws:PrincipalTag/other}""#,
            ctx(&[("aws:PrincipalTag/t", "x")])
        ),
        "an unresolved value fails negated operators too (as iam-simulate)"
    );
}

/// R20 [VAR]: defaults `${key, 'default'}`.
#[test]
fn r20_variable_defaults() {
    let k = "s3:prefix";
    let v = r#""home/${aws:PrincipalTag/team, 'company-wide'}/*""#;
    assert!(cond_allows(
        "StringLike",
        k,
        v,
        ctx(&[(k, "home/company-wide/x")])
    ));
    assert!(cond_allows(
        "StringLike",
        k,
        v,
        ctx(&[(k, "home/blue/x"), ("aws:PrincipalTag/team", "blue")])
    ));
    assert!(!cond_allows(
        "StringLike",
        k,
        v,
        ctx(&[
            (k, "home/company-wide/x"),
            ("aws:PrincipalTag/team", "blue")
        ])
    ));
}

/// R21 [VAR]: `${*}`, `${?}`, `${$}` are literal; a substituted value's `*` is literal.
#[test]
fn r21_special_characters_literal() {
    let k = "aws:PrincipalTag/p";
    assert!(cond_allows(
        "StringLike",
        k,
        r#""a${*}b""#,
        ctx(&[(k, "a*b")])
    ));
    assert!(!cond_allows(
        "StringLike",
        k,
        r#""a${*}b""#,
        ctx(&[(k, "axxb")])
    ));
    assert!(cond_allows(
        "StringLike",
        k,
        r#""a${?}b${$}""#,
        ctx(&[(k, "a?b$")])
    ));
    assert!(!cond_allows(
        "StringLike",
        k,
        r#""a${?}b""#,
        ctx(&[(k, "axb")])
    ));
    let s = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}"#,
        ),
    )]);
    assert_eq!(
        outcome(
            &s,
            "s3:GetObject",
            "arn:aws:s3:::home/a*/x",
            ctx(&[("aws:username", "a*")])
        ),
        Outcome::Allow
    );
    assert_eq!(
        outcome(
            &s,
            "s3:GetObject",
            "arn:aws:s3:::home/abc/x",
            ctx(&[("aws:username", "a*")])
        ),
        Outcome::ImplicitDeny
    );
}

/// R22 [CO][VAR]: variable key names are case-insensitive; only single-valued keys; allowed in
/// String, Bool, Arn, Resource; forbidden in Numeric, Date, Binary, IpAddress, Null.
#[test]
fn r22_where_variables_may_appear() {
    let s = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${AWS:UserName}"}"#,
        ),
    )]);
    assert_eq!(
        outcome(&s, "iam:GetUser", USER, ctx(&[("aws:username", "alice")])),
        Outcome::Allow
    );
    let mut multi = Context::new();
    multi.insert(
        "aws:username",
        ContextValue::Multi(vec!["alice".into(), "bob".into()]),
    );
    assert_eq!(
        outcome(&s, "iam:GetUser", USER, multi),
        Outcome::ImplicitDeny,
        "multi-valued keys are not variables"
    );
    assert!(cond_allows(
        "ArnLike",
        "aws:SourceArn",
        r#""arn:aws:iam::*:user/${aws:username}""#,
        ctx(&[("aws:SourceArn", USER), ("aws:username", "alice")])
    ));
    for (op, value) in [
        ("NumericEquals", "${aws:PrincipalTag/n}"),
        ("DateLessThan", "${aws:PrincipalTag/d}"),
        ("BinaryEquals", "${aws:PrincipalTag/b}"),
        ("IpAddress", "${aws:PrincipalTag/ip}"),
        ("Null", "${aws:PrincipalTag/x}"),
    ] {
        let doc = stmt(&format!(
            r#"{{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {{"{op}": {{"aws:k": "{value}"}}}}}}"#
        ));
        let err = parse_policy(&doc).unwrap_err();
        assert!(
            err.message.contains("not allowed") || err.message.contains("is not"),
            "{op}: {err}"
        );
    }
}

/// R23 [CK]: aws:username exists for IAM users only: a policy keyed on it grants nothing to a
/// principal without it (roles), while aws:userid works for all.
#[test]
fn r23_username_only_for_users() {
    let s = set(&[(
        "P",
        &stmt(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::ids/${aws:userid}/*"]}"#,
        ),
    )]);
    let role = ctx(&[("aws:userid", "AROAEXAMPLE:session")]);
    assert_eq!(
        outcome(
            &s,
            "s3:GetObject",
            "arn:aws:s3:::home/alice/k",
            role.clone()
        ),
        Outcome::ImplicitDeny
    );
    assert_eq!(
        outcome(
            &s,
            "s3:GetObject",
            "arn:aws:s3:::ids/AROAEXAMPLE:session/k",
            role
        ),
        Outcome::Allow
    );
}

/// R24 [CO]: dates as ISO 8601 or epoch seconds, mixed freely (iam-simulate's unit bug).
#[test]
fn r24_dates_mixed_formats() {
    let k = "aws:CurrentTime";
    assert!(!cond_allows(
        "DateGreaterThan",
        k,
        r#""1700000000""#,
        ctx(&[(k, "2000-01-01T00:00:00Z")])
    ));
    assert!(cond_allows(
        "DateGreaterThan",
        k,
        r#""1700000000""#,
        ctx(&[(k, "2024-01-01T00:00:00Z")])
    ));
    assert!(cond_allows(
        "DateLessThan",
        k,
        r#""1700000000""#,
        ctx(&[(k, "2023-11-14T22:13:19Z")])
    ));
    assert!(cond_allows(
        "DateEquals",
        k,
        r#""1700000000""#,
        ctx(&[(k, "2023-11-14T22:13:20Z")])
    ));
    assert!(cond_allows(
        "DateEquals",
        k,
        r#""2023-11-14T22:13:20Z""#,
        ctx(&[(k, "1700000000")])
    ));
    assert!(cond_allows(
        "DateLessThanEquals",
        k,
        r#""2023-11-14T22:13:20Z""#,
        ctx(&[(k, "1700000000")])
    ));
    assert!(cond_allows(
        "DateGreaterThanEquals",
        k,
        r#""2023-11-14""#,
        ctx(&[(k, "2023-11-14T00:00:00Z")])
    ));
    assert!(!cond_allows(
        "DateLessThan",
        k,
        r#""2023-11-14""#,
        ctx(&[(k, "not a date")])
    ));
    assert!(parse_policy(&stmt(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2023-99-01"}}}"#)).is_err());
}

/// R25 [CO]: numbers are integers or decimals.
#[test]
fn r25_numbers() {
    let k = "aws:MultiFactorAuthAge";
    assert!(cond_allows(
        "NumericLessThan",
        k,
        r#""3600.5""#,
        ctx(&[(k, "3600")])
    ));
    assert!(!cond_allows(
        "NumericLessThan",
        k,
        "3600",
        ctx(&[(k, "3600")])
    ));
    assert!(cond_allows(
        "NumericLessThanEquals",
        k,
        "3600",
        ctx(&[(k, "3600")])
    ));
    assert!(cond_allows(
        "NumericGreaterThan",
        k,
        "10",
        ctx(&[(k, "10.5")])
    ));
    assert!(cond_allows(
        "NumericGreaterThanEquals",
        k,
        "10",
        ctx(&[(k, "10")])
    ));
    assert!(cond_allows("NumericEquals", k, "10", ctx(&[(k, "10.0")])));
    assert!(cond_allows("NumericNotEquals", k, "10", ctx(&[(k, "11")])));
    assert!(!cond_allows("NumericEquals", k, "10", ctx(&[(k, "ten")])));
    assert!(parse_policy(&stmt(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"k": "ten"}}}"#)).is_err());
}

/// R26 [CO]: IpAddress with CIDR, IPv4 or IPv6; a bare IP is a single host; a missing
/// aws:SourceIp (VPC endpoint) makes IpAddress false and NotIpAddress true.
#[test]
fn r26_ip_addresses() {
    let k = "aws:SourceIp";
    let nets = r#"["203.0.113.0/24", "2001:DB8:1234:5678::/64"]"#;
    assert!(cond_allows(
        "IpAddress",
        k,
        nets,
        ctx(&[(k, "203.0.113.44")])
    ));
    assert!(cond_allows(
        "IpAddress",
        k,
        nets,
        ctx(&[(k, "2001:db8:1234:5678::99")])
    ));
    assert!(!cond_allows(
        "IpAddress",
        k,
        nets,
        ctx(&[(k, "198.51.100.1")])
    ));
    assert!(cond_allows(
        "NotIpAddress",
        k,
        nets,
        ctx(&[(k, "198.51.100.1")])
    ));
    assert!(cond_allows(
        "IpAddress",
        k,
        r#""198.51.100.7""#,
        ctx(&[(k, "198.51.100.7")])
    ));
    assert!(!cond_allows(
        "IpAddress",
        k,
        r#""198.51.100.7""#,
        ctx(&[(k, "198.51.100.8")])
    ));
    assert!(!cond_allows("IpAddress", k, nets, Context::new()));
    assert!(cond_allows("NotIpAddress", k, nets, Context::new()));
    assert!(parse_policy(&stmt(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/40"}}}"#)).is_err());
}

/// R27 [CO]: BinaryEquals compares base64-decoded bytes (base64 is case-sensitive).
#[test]
fn r27_binary() {
    let k = "aws:PrincipalTag/b";
    assert!(cond_allows(
        "BinaryEquals",
        k,
        r#""QmluYXJ5VmFsdWU=""#,
        ctx(&[(k, "QmluYXJ5VmFsdWU=")])
    ));
    assert!(!cond_allows(
        "BinaryEquals",
        k,
        r#""QmluYXJ5VmFsdWU=""#,
        ctx(&[(k, "qmluyxj5vmfsdwu=")])
    ));
    assert!(parse_policy(&stmt(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"BinaryEquals": {"k": "%%%"}}}"#)).is_err());
}

/// R28 [GR]: values may be strings, numbers or booleans; elements in any order; duplicate keys
/// are invalid; identity policies must not contain Principal or Id.
#[test]
fn r28_grammar() {
    let any_order = r#"{"Statement": [{"Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:MultiFactorAuthPresent": true}}, "Action": "s3:*", "Effect": "Allow"}], "Version": "2012-10-17"}"#;
    let s = set(&[("P", any_order)]);
    let c = ctx(&[
        ("aws:MultiFactorAuthAge", "60"),
        ("aws:MultiFactorAuthPresent", "true"),
    ]);
    assert_eq!(outcome(&s, "s3:GetObject", "*", c), Outcome::Allow);
    for (doc, needle) in [
        (
            r#"{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}"#,
            "duplicate",
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#,
            "duplicate key \"Effect\"",
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}"#,
            "Principal",
        ),
        (
            r#"{"Version": "2012-10-17", "Id": "x", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#,
            "Id is allowed",
        ),
    ] {
        let err = parse_policy(doc).unwrap_err();
        assert!(err.message.contains(needle), "{doc}: {err}");
    }
}
