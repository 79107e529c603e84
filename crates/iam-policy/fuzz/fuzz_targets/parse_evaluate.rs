//! Parse arbitrary text as a policy and, when it parses, evaluate requests decoded from the
//! rest of the input. Besides "never panics", it checks that the fast evaluator and the
//! explainer agree on every decision.
#![no_main]

use iam_policy::{Context, ContextValue, PolicySet, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (policy, requests) = text.split_once('\u{0}').unwrap_or((text, "s3:GetObject\t*\taws:username=a"));
    let mut set = PolicySet::new();
    if set.add_document("P", policy).is_err() {
        return;
    }
    for line in requests.lines() {
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
        let request = Request::new(action, resource, ctx);
        let decision = set.evaluate(&request);
        let explained = set.explain(&request);
        assert_eq!(decision.outcome, explained.decision);
        let labels: Vec<String> = decision.statements.iter().map(|s| set.label(*s)).collect();
        assert_eq!(labels, explained.statements);
    }
});
