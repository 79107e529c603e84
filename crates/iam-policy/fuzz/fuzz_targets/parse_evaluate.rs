//! Parse arbitrary text as a policy and, when it parses, evaluate requests decoded from the
//! rest of the input. Besides "never panics", it checks that the fast evaluator and the
//! explainer agree on every decision. The same text is also parsed as a role trust policy and
//! as a generic resource-based policy; when it parses as either, one request per kind of
//! caller is authorized against it (with the identity policy, when that parsed too), and
//! `authorize` and its explanation must agree.
#![no_main]

use iam_policy::authorizer::{authorize, explain_authorization};
use iam_policy::principal::Caller;
use iam_policy::{
    Context, ContextValue, NamedResourcePolicy, PolicySet, Request, parse_resource_policy,
    parse_trust_policy,
};
use libfuzzer_sys::fuzz_target;

/// The resource's account, and callers of it, of another account and of a service.
const ACCOUNT: &str = "123456789012";
const CALLERS: &[&str] = &[
    "arn:aws:iam::123456789012:user/a",
    "arn:aws:sts::123456789012:assumed-role/R/s",
    "arn:aws:iam::444455556666:user/a",
];

fn decode(line: &str) -> Request {
    let mut fields = line.split('\t');
    let action = fields.next().unwrap_or_default();
    let resource = fields.next().unwrap_or_default();
    let mut ctx = Context::new();
    for kv in fields {
        if let Some((k, v)) = kv.split_once('=') {
            let value = if v.contains(',') {
                ContextValue::Multi(v.split(',').map(str::to_owned).collect())
            } else {
                ContextValue::Single(v.to_owned())
            };
            ctx.insert(k, value);
        }
    }
    Request::new(action, resource, ctx)
}

fn authorize_one(identity: &PolicySet, resource: &NamedResourcePolicy, request: &Request) {
    let mut callers: Vec<Caller> = CALLERS
        .iter()
        .filter_map(|arn| Caller::from_arn(arn).ok())
        .collect();
    callers.push(Caller::Service("ec2.amazonaws.com".into()));
    for caller in &callers {
        let decision = authorize(identity, resource, caller, ACCOUNT, request);
        let explained = explain_authorization(identity, resource, caller, ACCOUNT, request);
        assert_eq!(decision.outcome, explained.decision);
        assert_eq!(decision.principal_match, explained.principal_match);
        assert_eq!(decision.labels(identity, resource), explained.statements);
        for &i in &decision.resource {
            assert!(i < resource.policy.statements.len());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (policy, requests) = text
        .split_once('\u{0}')
        .unwrap_or((text, "s3:GetObject\t*\taws:username=a"));
    let mut set = PolicySet::new();
    let identity_ok = set.add_document("P", policy).is_ok();

    // Resource-based grammars: parsing is total, and a parsed policy is authorized against.
    let first = decode(requests.lines().next().unwrap_or_default());
    if let Ok(trust) = parse_trust_policy(policy) {
        let trust = NamedResourcePolicy::new("T", trust);
        let assume = Request::new(
            "sts:AssumeRole",
            "arn:aws:iam::123456789012:role/R",
            first.context().clone(),
        );
        authorize_one(&set, &trust, &assume);
    }
    if let Ok(resource) = parse_resource_policy(policy) {
        authorize_one(&set, &NamedResourcePolicy::new("B", resource), &first);
    }

    if !identity_ok {
        return;
    }
    for line in requests.lines() {
        let request = decode(line);
        let decision = set.evaluate(&request);
        let explained = set.explain(&request);
        assert_eq!(decision.outcome, explained.decision);
        let labels: Vec<String> = decision.statements.iter().map(|s| set.label(*s)).collect();
        assert_eq!(labels, explained.statements);
    }
});
