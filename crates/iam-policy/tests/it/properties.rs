//! Metamorphic laws of evaluation, checked on random policies and requests:
//! adding a Deny never allows more; adding an Allow never denies more; permuting statements,
//! policies or Action lists changes nothing; changing the case of action and key names changes
//! nothing.

use iam_policy::{Context, Decision, Outcome, PolicySet, Request};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "iam:ChangePassword",
    "iam:GetUser",
    "ec2:RunInstances",
    "sts:GetSessionToken",
];
const ACTION_PATTERNS: &[&str] = &[
    "s3:*",
    "s3:Get*",
    "iam:*",
    "iam:ChangePassword",
    "ec2:Run?nstances",
    "*",
    "sts:GetSessionToken",
    "iam:Get*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/k",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:user/bob",
    "*",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:iam::*:user/*",
    "arn:aws:s3:::*",
];

fn condition() -> impl Strategy<Value = (String, String, Value)> {
    prop_oneof![
        prop::sample::select(vec!["Bool", "BoolIfExists"]).prop_flat_map(|op| {
            prop::sample::select(vec!["true", "false"]).prop_map(move |v| {
                (
                    op.to_owned(),
                    "aws:MultiFactorAuthPresent".to_owned(),
                    json!(v),
                )
            })
        }),
        prop::sample::select(vec!["Null"]).prop_flat_map(|op| {
            prop::sample::select(vec!["true", "false"]).prop_map(move |v| {
                (
                    op.to_owned(),
                    "aws:MultiFactorAuthPresent".to_owned(),
                    json!(v),
                )
            })
        }),
        prop::sample::select(vec![
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringEqualsIfExists"
        ])
        .prop_flat_map(|op| {
            prop::sample::subsequence(vec!["alice", "bob", "a*"], 1..3)
                .prop_map(move |v| (op.to_owned(), "aws:username".to_owned(), json!(v)))
        }),
        prop::sample::select(vec!["IpAddress", "NotIpAddress"]).prop_map(|op| (
            op.to_owned(),
            "aws:SourceIp".to_owned(),
            json!(["10.0.0.0/8", "2001:db8::/32"])
        )),
        prop::sample::select(vec![
            "NumericLessThan",
            "NumericGreaterThanEquals",
            "NumericNotEquals"
        ])
        .prop_map(|op| (
            op.to_owned(),
            "aws:MultiFactorAuthAge".to_owned(),
            json!("3600")
        )),
    ]
}

fn statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(ACTION_PATTERNS.to_vec(), 1..4),
        any::<bool>(),
        prop::sample::subsequence(RESOURCE_PATTERNS.to_vec(), 1..3),
        prop::collection::vec(condition(), 0..3),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, conditions)| {
                let mut st = serde_json::Map::new();
                st.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
                st.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    json!(actions),
                );
                st.insert(
                    if not_resource {
                        "NotResource"
                    } else {
                        "Resource"
                    }
                    .into(),
                    json!(resources),
                );
                let mut cond = serde_json::Map::new();
                for (op, key, value) in conditions {
                    let block = cond.entry(op).or_insert_with(|| json!({}));
                    if let Some(map) = block.as_object_mut() {
                        map.insert(key, value);
                    }
                }
                if !cond.is_empty() {
                    st.insert("Condition".into(), Value::Object(cond));
                }
                Value::Object(st)
            },
        )
}

fn policy() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(statement(), 1..4)
}

fn context() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    let values: Vec<(&str, Vec<&str>)> = vec![
        ("aws:MultiFactorAuthPresent", vec!["true", "false"]),
        ("aws:username", vec!["alice", "bob", "a*"]),
        ("aws:SourceIp", vec!["10.1.2.3", "192.0.2.1", "2001:db8::5"]),
        ("aws:MultiFactorAuthAge", vec!["60", "7200"]),
    ];
    prop::collection::vec((0..values.len(), 0..3usize), 0..4).prop_map(move |picks| {
        picks
            .into_iter()
            .map(|(k, v)| {
                let (key, vals) = &values[k];
                (*key, vals[v % vals.len()])
            })
            .collect()
    })
}

fn request() -> impl Strategy<Value = (String, String, Vec<(&'static str, &'static str)>)> {
    (
        prop::sample::select(ACTIONS.to_vec()),
        prop::sample::select(RESOURCES.to_vec()),
        context(),
    )
        .prop_map(|(a, r, c)| (a.to_owned(), r.to_owned(), c))
}

fn build(policies: &[Vec<Value>]) -> PolicySet {
    let mut set = PolicySet::new();
    for (i, statements) in policies.iter().enumerate() {
        let doc = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        set.add_document(&format!("P{i}"), &doc).unwrap();
    }
    set
}

fn eval(
    set: &PolicySet,
    (action, resource, ctx): &(String, String, Vec<(&str, &str)>),
) -> Decision {
    let c = ctx.iter().fold(Context::new(), |c, (k, v)| c.with(k, v));
    set.evaluate(&Request::new(action, resource, c))
}

/// Deciding statements as a set of labels, independent of order.
fn labels(set: &PolicySet, d: &Decision) -> Vec<String> {
    let mut l: Vec<String> = d.statements.iter().map(|s| set.label(*s)).collect();
    l.sort();
    l
}

fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::ExplicitDeny => 0,
        Outcome::ImplicitDeny => 1,
        Outcome::Allow => 2,
    }
}

fn with_effect(mut st: Value, effect: &str) -> Value {
    if let Some(m) = st.as_object_mut() {
        m.insert("Effect".into(), json!(effect));
    }
    st
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_a_deny_never_allows_more(policies in prop::collection::vec(policy(), 1..4), extra in statement(), req in request()) {
        let before = eval(&build(&policies), &req);
        let mut more = policies.clone();
        more.push(vec![with_effect(extra, "Deny")]);
        let after = eval(&build(&more), &req);
        prop_assert!(rank(after.outcome) <= rank(before.outcome), "{:?} -> {:?}", before.outcome, after.outcome);
    }

    #[test]
    fn adding_an_allow_never_denies_more(policies in prop::collection::vec(policy(), 1..4), extra in statement(), req in request()) {
        let before = eval(&build(&policies), &req);
        let mut more = policies.clone();
        more.push(vec![with_effect(extra, "Allow")]);
        let after = eval(&build(&more), &req);
        prop_assert!(rank(after.outcome) >= rank(before.outcome), "{:?} -> {:?}", before.outcome, after.outcome);
        prop_assert_eq!(before.outcome == Outcome::ExplicitDeny, after.outcome == Outcome::ExplicitDeny);
    }

    #[test]
    fn permutations_change_nothing(policies in prop::collection::vec(policy(), 1..4), seed in any::<u64>(), req in request()) {
        let set = build(&policies);
        let base = eval(&set, &req);
        // Reverse the policy order, rotate each policy's statements and reverse Action lists,
        // keeping each statement's label (Sid) so deciding statements can be compared.
        let mut shuffled: Vec<(usize, Vec<Value>)> = policies.iter().cloned().enumerate().collect();
        shuffled.reverse();
        let mut set2 = PolicySet::new();
        for (i, statements) in shuffled {
            let mut sts: Vec<Value> = statements.into_iter().enumerate().map(|(j, mut st)| {
                if let Some(m) = st.as_object_mut() {
                    m.insert("Sid".into(), json!(format!("S{j}")));
                    for key in ["Action", "NotAction"] {
                        if let Some(Value::Array(a)) = m.get_mut(key) { a.reverse(); }
                    }
                }
                st
            }).collect();
            let n = sts.len();
            sts.rotate_left((seed as usize) % n);
            set2.add_document(&format!("P{i}"), &json!({"Version": "2012-10-17", "Statement": sts}).to_string()).unwrap();
        }
        let permuted = eval(&set2, &req);
        prop_assert_eq!(base.outcome, permuted.outcome);
        let by_index: Vec<String> = labels(&set, &base).into_iter().map(|l| l.replace('#', "#S")).map(|l| {
            // P0#3 -> P0#S2 (1-based index to the Sid given above)
            let (p, n) = l.split_once("#S").unwrap();
            format!("{p}#S{}", n.parse::<usize>().unwrap() - 1)
        }).collect();
        let mut by_index = by_index;
        by_index.sort();
        prop_assert_eq!(by_index, labels(&set2, &permuted));
    }

    #[test]
    fn case_of_action_and_key_names_changes_nothing(policies in prop::collection::vec(policy(), 1..4), req in request(), upper in any::<bool>()) {
        let set = build(&policies);
        let base = eval(&set, &req);
        let (action, resource, ctx) = &req;
        let recase = |s: &str| if upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() };
        let c = ctx.iter().fold(Context::new(), |c, (k, v)| c.with(&recase(k), v));
        let other = set.evaluate(&Request::new(&recase(action), resource, c));
        prop_assert_eq!(base.outcome, other.outcome);
        prop_assert_eq!(labels(&set, &base), labels(&set, &other));
        // And in the policies: upper-case every action pattern and condition key.
        let shouted: Vec<Vec<Value>> = policies.iter().map(|sts| sts.iter().map(|st| {
            let mut st = st.clone();
            if let Some(m) = st.as_object_mut() {
                for key in ["Action", "NotAction"] {
                    if let Some(Value::Array(a)) = m.get_mut(key) {
                        for v in a.iter_mut() { *v = json!(v.as_str().unwrap_or_default().to_ascii_uppercase()); }
                    }
                }
                if let Some(Value::Object(cond)) = m.get_mut("Condition") {
                    for block in cond.values_mut() {
                        if let Value::Object(keys) = block {
                            *keys = keys.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.clone())).collect();
                        }
                    }
                }
            }
            st
        }).collect()).collect();
        prop_assert_eq!(eval(&build(&shouted), &req).outcome, base.outcome);
    }
}

#[test]
fn generator_reaches_every_outcome() {
    // Guard against a generator that makes the laws vacuous.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = [false; 3];
    for _ in 0..500 {
        let policies = prop::collection::vec(policy(), 1..4)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let req = request().new_tree(&mut runner).unwrap().current();
        seen[rank(eval(&build(&policies), &req).outcome) as usize] = true;
    }
    assert_eq!(seen, [true; 3]);
}

/// Role trust policies: the assumability proof agrees with `authorize` (R32–R44). On random
/// small trust policies and identity sets, a witness is a request `authorize` allows, and
/// "not assumable" means the plain request of that state (and the usual caller-chosen values)
/// is denied.
mod trust_proofs {
    use iam_policy::analysis::{MfaState, Principal, request_for};
    use iam_policy::assume::{Proof, assumable};
    use iam_policy::authorizer::authorize;
    use iam_policy::principal::Caller;
    use iam_policy::{ContextValue, NamedResourcePolicy, Outcome, PolicySet, parse_trust_policy};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const ROLE: &str = "arn:aws:iam::123456789012:role/Target";
    const ROLE_ACCOUNT: &str = "123456789012";
    const OTHER: &str = "444455556666";
    const PRINCIPALS: &[&str] = &[
        r#""*""#,
        r#"{"AWS": "*"}"#,
        r#"{"AWS": "123456789012"}"#,
        r#"{"AWS": "arn:aws:iam::123456789012:root"}"#,
        r#"{"AWS": "arn:aws:iam::123456789012:user/alice"}"#,
        r#"{"AWS": "arn:aws:iam::123456789012:user/bob"}"#,
        r#"{"AWS": "444455556666"}"#,
        r#"{"AWS": "arn:aws:iam::444455556666:user/alice"}"#,
        r#"{"Service": "ec2.amazonaws.com"}"#,
    ];
    const TRUST_ACTIONS: &[&str] = &["sts:AssumeRole", "sts:*", "sts:TagSession", "sts:Assume*"];
    /// Conditions as (operator, key, value).
    const CONDITIONS: &[(&str, &str, &str)] = &[
        ("Bool", "aws:MultiFactorAuthPresent", "true"),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", "true"),
        ("Bool", "aws:MultiFactorAuthPresent", "false"),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
        ("Null", "aws:MultiFactorAuthPresent", "true"),
        ("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
        ("StringEquals", "sts:ExternalId", "Ex-1"),
        ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*"),
    ];
    const IDENTITY: &[&str] = &[
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/Target"}"#,
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/Other"}"#,
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#,
        r#"{"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}"#,
        r#"{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#,
    ];

    fn trust_statement() -> impl Strategy<Value = Value> {
        (
            prop::bool::weighted(0.2),
            prop::sample::select(PRINCIPALS.to_vec()),
            prop::sample::subsequence(TRUST_ACTIONS.to_vec(), 1..3),
            prop::sample::subsequence(CONDITIONS.to_vec(), 0..3),
        )
            .prop_map(|(deny, principal, actions, conditions)| {
                let mut cond = serde_json::Map::new();
                for (op, key, value) in conditions {
                    let block = cond.entry(op).or_insert_with(|| json!({}));
                    if let Some(map) = block.as_object_mut() {
                        map.insert(key.to_owned(), json!(value));
                    }
                }
                let principal: Value = serde_json::from_str(principal).unwrap();
                let mut st = json!({
                    "Effect": if deny { "Deny" } else { "Allow" },
                    "Principal": principal,
                    "Action": actions,
                });
                if !cond.is_empty()
                    && let Some(m) = st.as_object_mut()
                {
                    m.insert("Condition".into(), Value::Object(cond));
                }
                st
            })
    }

    fn trust_policy() -> impl Strategy<Value = NamedResourcePolicy> {
        prop::collection::vec(trust_statement(), 1..4).prop_map(|statements| {
            let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
            let policy = parse_trust_policy(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            NamedResourcePolicy::new("Trust", policy)
        })
    }

    fn identity() -> impl Strategy<Value = PolicySet> {
        prop::sample::subsequence(IDENTITY.to_vec(), 0..3).prop_map(|statements| {
            let mut set = PolicySet::new();
            if !statements.is_empty() {
                let text = format!(
                    r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                    statements.join(", ")
                );
                set.add_document("Id", &text).unwrap();
            }
            set
        })
    }

    /// alice of the role's account or of another one.
    fn caller() -> impl Strategy<Value = Principal> {
        any::<bool>().prop_map(|foreign| {
            let alice = Principal::example("alice");
            if foreign {
                Principal {
                    account: OTHER.into(),
                    ..alice
                }
            } else {
                alice
            }
        })
    }

    fn state() -> impl Strategy<Value = MfaState> {
        prop::sample::select(MfaState::ALL.to_vec())
    }

    /// The outcome of `who`'s `sts:AssumeRole` in `state` with `extra` keys set.
    fn outcome(
        identity: &PolicySet,
        trust: &NamedResourcePolicy,
        who: &Principal,
        state: MfaState,
        extra: &[(String, ContextValue)],
    ) -> Outcome {
        let mut request = request_for(who, state, "sts:AssumeRole", ROLE);
        for (k, v) in extra {
            request.context_mut().insert(k, v.clone());
        }
        let caller = Caller::from_arn(&who.arn()).unwrap();
        authorize(identity, trust, &caller, ROLE_ACCOUNT, &request).outcome
    }

    /// Requests a caller could make besides the plain one: the external id the generator
    /// uses, and (with MFA) a recent MFA age.
    fn chosen(state: MfaState) -> Vec<Vec<(String, ContextValue)>> {
        let v = |k: &str, s: &str| (k.to_owned(), ContextValue::Single(s.to_owned()));
        let mut out = vec![Vec::new(), vec![v("sts:ExternalId", "Ex-1")]];
        if state == MfaState::WithMfa {
            out.push(vec![v("aws:MultiFactorAuthAge", "60")]);
            out.push(vec![
                v("aws:MultiFactorAuthAge", "60"),
                v("sts:ExternalId", "Ex-1"),
            ]);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn assumable_agrees_with_authorize(trust in trust_policy(), identity in identity(), who in caller(), state in state()) {
            match assumable(&identity, &trust, ROLE, &who, state) {
                Proof::Assumable(w) => {
                    prop_assert_eq!(outcome(&identity, &trust, &who, state, &w.extra_context), Outcome::Allow, "witness {:?}", w);
                }
                Proof::NotAssumable => {
                    for extra in chosen(state) {
                        prop_assert_ne!(outcome(&identity, &trust, &who, state, &extra), Outcome::Allow, "allowed with {:?}", extra);
                    }
                }
                Proof::Unproven { .. } => {}
            }
        }
    }

    #[test]
    fn generator_reaches_both_proofs() {
        // Guard against a generator that makes the law vacuous.
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let (mut yes, mut no) = (0, 0);
        for _ in 0..400 {
            let trust = trust_policy().new_tree(&mut runner).unwrap().current();
            let identity = identity().new_tree(&mut runner).unwrap().current();
            let who = caller().new_tree(&mut runner).unwrap().current();
            let state = state().new_tree(&mut runner).unwrap().current();
            match assumable(&identity, &trust, ROLE, &who, state) {
                Proof::Assumable(_) => yes += 1,
                Proof::NotAssumable => no += 1,
                Proof::Unproven { why } => panic!("small policies are always decided: {why}"),
            }
        }
        assert!(yes >= 40 && no >= 40, "assumable {yes}, not assumable {no}");
    }
}
