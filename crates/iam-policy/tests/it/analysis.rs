//! The exhaustive sweep: exact results on the reference set (the AWS force-MFA policy +
//! PowerUserAccess + IAMUserChangePassword), and agreement with concrete evaluation of every
//! catalog action in every state.

use iam_policy::analysis::{MfaState, Principal, expand, request_for, resource_candidates, sweep};
use iam_policy::ast::ActionPattern;
use iam_policy::{Outcome, PolicySet};

fn reference_set() -> PolicySet {
    let mut set = PolicySet::new();
    for (name, text) in [
        ("ForceMFA", include_str!("../fixtures/force-mfa-aws.json")),
        (
            "PowerUserAccess",
            include_str!("../fixtures/power-user-access.json"),
        ),
        (
            "IAMUserChangePassword",
            include_str!("../fixtures/iam-user-change-password.json"),
        ),
    ] {
        set.add_document(name, text).unwrap();
    }
    set
}

fn allowed_names(set: &PolicySet, state: MfaState) -> Vec<String> {
    let catalog = iam_catalog::catalog();
    let mut names: Vec<String> = sweep(set, catalog, &Principal::example("alice"), state)
        .allowed
        .iter()
        .map(|g| catalog.action(g.action).full_name())
        .collect();
    names.sort();
    names
}

#[test]
fn without_mfa_only_self_service_is_allowed() {
    let set = reference_set();
    let expected = [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetCallerIdentity",
        "sts:GetSessionToken",
    ];
    for state in [MfaState::LongTermKeys, MfaState::TemporaryWithoutMfa] {
        assert_eq!(allowed_names(&set, state), expected, "{state:?}");
    }
}

#[test]
fn with_mfa_everything_but_most_of_iam_organizations_and_account() {
    let set = reference_set();
    let catalog = iam_catalog::catalog();
    let result = sweep(
        &set,
        catalog,
        &Principal::example("alice"),
        MfaState::WithMfa,
    );
    let allowed: Vec<String> = result
        .allowed
        .iter()
        .map(|g| catalog.action(g.action).full_name())
        .collect();
    let denied_services = |name: &str| {
        ["iam:", "organizations:", "account:"]
            .iter()
            .any(|p| name.starts_with(p))
    };
    let outside = catalog
        .actions()
        .iter()
        .filter(|a| !denied_services(&a.full_name()))
        .count();
    assert_eq!(
        allowed.iter().filter(|n| !denied_services(n)).count(),
        outside,
        "every action outside iam/organizations/account"
    );
    for name in [
        "iam:ChangePassword",
        "iam:ListRoles",
        "iam:DeactivateMFADevice",
        "account:ListRegions",
        "organizations:DescribeOrganization",
    ] {
        assert!(allowed.iter().any(|n| n == name), "{name}");
    }
    for name in [
        "iam:CreateUser",
        "iam:DeleteVirtualMFADevice",
        "organizations:LeaveOrganization",
    ] {
        assert!(!allowed.iter().any(|n| n == name), "{name}");
    }
    assert!(
        !result.future_actions.is_empty(),
        "PowerUserAccess's NotAction also grants actions AWS adds later"
    );
    let self_only = result
        .allowed
        .iter()
        .find(|g| catalog.action(g.action).full_name() == "iam:DeactivateMFADevice")
        .unwrap();
    assert_eq!(&*self_only.resource, "arn:aws:iam::123456789012:user/alice");
}

#[test]
fn sweep_agrees_with_concrete_evaluation_of_every_action() {
    let set = reference_set();
    let catalog = iam_catalog::catalog();
    let principal = Principal::example("alice");
    for state in MfaState::ALL {
        let result = sweep(&set, catalog, &principal, state);
        let mut grants = result.allowed.iter().peekable();
        for (index, action) in catalog.actions().iter().enumerate() {
            let name = action.full_name();
            match grants.next_if(|g| g.action.0 as usize == index) {
                Some(grant) => {
                    let mut request = request_for(&principal, state, &name, &grant.resource);
                    for (k, v) in grant.extra_context.iter() {
                        request.context_mut().insert(k, v.clone());
                    }
                    let decision = set.evaluate(&request);
                    assert_eq!(
                        decision.outcome,
                        Outcome::Allow,
                        "{name} in {state:?} on {}",
                        grant.resource
                    );
                    assert_eq!(decision.statements, &*grant.statements, "{name}");
                }
                None => {
                    for resource in resource_candidates(action, &principal) {
                        let outcome = set
                            .evaluate(&request_for(&principal, state, &name, &resource))
                            .outcome;
                        assert_ne!(
                            outcome,
                            Outcome::Allow,
                            "{name} in {state:?} on {resource} is allowed but not reported"
                        );
                    }
                }
            }
        }
        assert!(grants.next().is_none());
    }
}

#[test]
fn free_condition_keys_and_resource_patterns_are_explored() {
    // A leak that needs a particular source IP and a particular bucket is still found.
    let mut set = PolicySet::new();
    set.add_document(
        "Leaky",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports-*/*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}"#,
    )
    .unwrap();
    let catalog = iam_catalog::catalog();
    let result = sweep(
        &set,
        catalog,
        &Principal::example("alice"),
        MfaState::LongTermKeys,
    );
    let names: Vec<String> = result
        .allowed
        .iter()
        .map(|g| catalog.action(g.action).full_name())
        .collect();
    assert_eq!(names, ["s3:GetObject", "sts:GetCallerIdentity"]);
    let grant = &result.allowed[0];
    assert_eq!(catalog.action(grant.action).full_name(), "s3:GetObject");
    assert_eq!(&*grant.resource, "arn:aws:s3:::reports-x/x");
    assert_eq!(grant.extra_context.len(), 1);
    assert!(result.future_actions.is_empty());
}

#[test]
fn parallel_sweeps_equal_sequential_ones_in_order() {
    let set = reference_set();
    let catalog = iam_catalog::catalog();
    let analysis = iam_policy::analysis::Analysis::new(&set, catalog);
    let alice = Principal::example("alice");
    let states = [
        MfaState::WithMfa,
        MfaState::LongTermKeys,
        MfaState::TemporaryWithoutMfa,
    ];
    let parallel = analysis.sweep_states(&alice, &states);
    let sequential: Vec<_> = states.iter().map(|&s| analysis.sweep(&alice, s)).collect();
    assert_eq!(parallel, sequential);
    assert!(analysis.sweep_states(&alice, &[]).is_empty());
}

#[test]
fn patterns_expand_to_the_actions_they_match() {
    let catalog = iam_catalog::catalog();
    let count = |pattern: &str| expand(&ActionPattern::new(pattern), catalog).count();
    let names = |pattern: &str| {
        expand(&ActionPattern::new(pattern), catalog)
            .map(|id| catalog.action(id).full_name())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("iam:ChangePassword"), ["iam:ChangePassword"]);
    assert_eq!(names("IAM:CHANGEPASSWORD"), ["iam:ChangePassword"]);
    let tagging = names("s3:Get*Tagging");
    assert!(
        tagging.contains(&"s3:GetObjectTagging".to_owned()),
        "{tagging:?}"
    );
    assert!(
        tagging
            .iter()
            .all(|n| n.starts_with("s3:Get") && n.ends_with("Tagging"))
    );
    assert_eq!(count("*"), catalog.actions().len());
    let iam = catalog.service_range("iam").unwrap();
    assert_eq!(count("iam:*"), (iam.end.0 - iam.start.0) as usize);
    // A wildcard in the service part, and a `*` spanning the colon.
    assert!(names("i?m:ChangePassword").contains(&"iam:ChangePassword".to_owned()));
    assert!(names("ia*Password").contains(&"iam:ChangePassword".to_owned()));
    assert_eq!(names("nosuch:*"), Vec::<String>::new());
    assert_eq!(names("iam"), Vec::<String>::new());
}
