//! Role chains resolved as the AWS SDK for Rust resolves them (`role_arn`, `source_profile`,
//! `credential_source`): one test per rule of its profile-chain resolution.

use aws_profiles::{Base, Chain, ChainError, Paths, ProfileSet, Role, resolve_chain};

/// Resolves `selected` in a config file of `config` (and an empty credentials file).
fn chain(config: &str, selected: &str) -> Result<Chain, ChainError> {
    chain_in(config, "", selected)
}

fn chain_in(config: &str, credentials: &str, selected: &str) -> Result<Chain, ChainError> {
    resolve_chain(&set(config, credentials), selected)
}

/// Both files, written and read back.
fn set(config: &str, credentials: &str) -> ProfileSet {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        config: dir.path().join("config"),
        credentials: dir.path().join("credentials"),
    };
    // An empty file just written looks like a writer caught mid-rewrite: leave it missing instead.
    for (path, text) in [(&paths.config, config), (&paths.credentials, credentials)] {
        if !text.is_empty() {
            std::fs::write(path, text).unwrap();
        }
    }
    ProfileSet::load(&paths).unwrap()
}

fn role(profile: &str, arn: &str) -> Role {
    Role {
        profile: profile.to_owned(),
        role_arn: arn.to_owned(),
        session_name: None,
        external_id: None,
    }
}

fn keys(profile: &str) -> Base {
    Base::AccessKey {
        profile: profile.to_owned(),
    }
}

const KEYS: &str = "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n";

#[test]
fn a_role_on_a_profile_with_keys() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
    );
    let got = chain(&config, "a").unwrap();
    assert_eq!(
        got,
        Chain {
            base: keys("b"),
            roles: vec![role("a", "arn:aws:iam::1:role/A")]
        }
    );
    assert_eq!(got.profiles(), ["a", "b"]);
}

#[test]
fn the_keys_of_the_source_may_be_in_the_credentials_file() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n";
    let got = chain_in(config, &format!("[b]\n{KEYS}"), "a").unwrap();
    assert_eq!(got.base, keys("b"));
}

#[test]
fn the_selected_profile_is_a_role_even_with_keys_of_its_own() {
    let config = format!(
        "[profile a]\n{KEYS}role_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
    );
    assert_eq!(chain(&config, "a").unwrap().base, keys("b"));
}

#[test]
fn session_name_and_external_id_are_read() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nrole_session_name = me\nexternal_id = xyz\nsource_profile = b\n[profile b]\n{KEYS}"
    );
    let got = chain(&config, "a").unwrap();
    assert_eq!(got.roles[0].session_name.as_deref(), Some("me"));
    assert_eq!(got.roles[0].external_id.as_deref(), Some("xyz"));
}

#[test]
fn a_profile_naming_itself_as_source_uses_its_own_keys() {
    let config =
        format!("[profile a]\n{KEYS}role_arn = arn:aws:iam::1:role/A\nsource_profile = a\n");
    let got = chain(&config, "a").unwrap();
    assert_eq!(
        got,
        Chain {
            base: keys("a"),
            roles: vec![role("a", "arn:aws:iam::1:role/A")]
        }
    );
    assert_eq!(got.profiles(), ["a"]);
}

#[test]
fn credential_source_is_a_named_base() {
    let config =
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\ncredential_source = Ec2InstanceMetadata\n";
    assert_eq!(
        chain(config, "a").unwrap().base,
        Base::NamedSource {
            profile: "a".to_owned(),
            source: "Ec2InstanceMetadata".to_owned()
        }
    );
}

#[test]
fn a_role_needs_exactly_one_source() {
    let neither = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\n";
    assert_eq!(
        chain(neither, "a"),
        Err(ChainError::NoSource {
            profile: "a".to_owned()
        })
    );
    let both = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\ncredential_source = Environment\nsource_profile = b\n[profile b]\n{KEYS}"
    );
    let err = chain(&both, "a").unwrap_err();
    assert_eq!(
        err,
        ChainError::BothSources {
            profile: "a".to_owned()
        }
    );
    assert!(
        err.to_string()
            .contains("both source_profile and credential_source")
    );
}

#[test]
fn half_a_key_pair_or_none_is_no_credentials() {
    for (source, missing) in [
        ("aws_access_key_id = AKID\n", "aws_secret_access_key"),
        ("aws_secret_access_key = s\n", "aws_access_key_id"),
        (
            "region = us-east-1\n",
            "aws_access_key_id and aws_secret_access_key",
        ),
    ] {
        let config = format!(
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\n{source}"
        );
        let err = chain(&config, "a").unwrap_err();
        assert_eq!(
            err,
            ChainError::NoCredentials {
                profile: "b".to_owned(),
                missing
            }
        );
        assert!(!err.to_string().contains("AKID"), "{err}");
    }
}

#[test]
fn a_missing_source_names_who_referenced_it() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n";
    let err = chain(config, "a").unwrap_err();
    assert_eq!(
        err,
        ChainError::MissingProfile {
            profile: "b".to_owned(),
            referenced_from: Some("a".to_owned())
        }
    );
    assert_eq!(
        err.to_string(),
        "profile `b` (the source_profile of `a`) does not exist"
    );
    assert_eq!(
        chain("", "a"),
        Err(ChainError::MissingProfile {
            profile: "a".to_owned(),
            referenced_from: None
        })
    );
}

#[test]
fn roles_chain_in_the_order_they_are_assumed() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = c\n[profile c]\n{KEYS}"
    );
    let got = chain(&config, "a").unwrap();
    assert_eq!(
        got,
        Chain {
            base: keys("c"),
            roles: vec![
                role("b", "arn:aws:iam::1:role/B"),
                role("a", "arn:aws:iam::1:role/A")
            ]
        }
    );
    assert_eq!(got.profiles(), ["a", "b", "c"]);
}

#[test]
fn past_the_first_profile_keys_win_over_a_role() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\n{KEYS}source_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = c\n{KEYS}[profile c]\n{KEYS}"
    );
    let got = chain(&config, "a").unwrap();
    assert_eq!(
        got,
        Chain {
            base: keys("b"),
            roles: vec![role("a", "arn:aws:iam::1:role/A")]
        }
    );
}

#[test]
fn past_the_first_profile_half_a_key_pair_does_not_stop_the_chain() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\naws_access_key_id = AKID\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = c\n[profile c]\n{KEYS}"
    );
    assert_eq!(chain(&config, "a").unwrap().base, keys("c"));
}

#[test]
fn a_loop_is_an_error_even_with_keys_on_the_selected_profile() {
    for extra in ["", KEYS] {
        let config = format!(
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\n{extra}source_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n"
        );
        let err = chain(&config, "a").unwrap_err();
        assert_eq!(
            err,
            ChainError::Loop {
                profiles: vec!["a".to_owned(), "b".to_owned()],
                next: "a".to_owned()
            }
        );
        assert_eq!(err.to_string(), "source_profile forms a loop: a -> b -> a");
    }
}

#[test]
fn web_identity_is_a_base_even_with_a_role_arn() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nweb_identity_token_file = /var/token.jwt\n";
    let got = chain(config, "a").unwrap();
    assert_eq!(
        got.base,
        Base::WebIdentity {
            profile: "b".to_owned()
        }
    );
    assert_eq!(got.roles, [role("a", "arn:aws:iam::1:role/A")]);
}

#[test]
fn sso_and_credential_process_are_bases() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = s\n[profile s]\nsso_session = corp\n[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n[profile p]\ncredential_process = /bin/creds\n[profile r]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = p\n";
    assert_eq!(
        chain(config, "a").unwrap().base,
        Base::Sso {
            profile: "s".to_owned()
        }
    );
    assert_eq!(
        chain(config, "p").unwrap(),
        Chain {
            base: Base::Process {
                profile: "p".to_owned()
            },
            roles: vec![]
        }
    );
    assert_eq!(
        chain(config, "r").unwrap().base,
        Base::Process {
            profile: "p".to_owned()
        }
    );
}

#[test]
fn a_profile_without_a_role_is_its_own_base() {
    let got = chain_in("", &format!("[default]\n{KEYS}"), "default").unwrap();
    assert_eq!(
        got,
        Chain {
            base: keys("default"),
            roles: vec![]
        }
    );
}

#[test]
fn a_base_the_sdk_refuses_is_misconfigured() {
    let cases = [
        (
            "web_identity_token_file = /t\n",
            "web_identity_token_file needs role_arn",
        ),
        (
            "sso_role_name = r\nsso_start_url = https://x\n",
            "sso_role_name needs sso_account_id",
        ),
        (
            "sso_account_id = 1\nsso_start_url = https://x\n",
            "sso_account_id needs sso_role_name",
        ),
        (
            "sso_session = gone\n",
            "its sso_session `gone` has no [sso-session gone] section",
        ),
    ];
    for (keys, reason) in cases {
        let config = format!("[profile a]\n{keys}");
        let err = chain(&config, "a").unwrap_err();
        assert_eq!(
            err,
            ChainError::Misconfigured {
                profile: "a".to_owned(),
                reason: reason.to_owned()
            }
        );
    }
    let region_outside = "[profile a]\nsso_session = s\nsso_region = x\n[sso-session s]\nsso_start_url = https://x\n";
    assert!(matches!(
        chain(region_outside, "a"),
        Err(ChainError::Misconfigured { .. })
    ));
}

/// Names the random profiles use (`gone` is never defined).
const NAMES: &[&str] = &["a", "b", "c", "d", "gone"];

/// A random profile: any of the keys a chain reads.
fn profile() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let source = proptest::option::of(proptest::sample::select(NAMES));
    (any::<bool>(), source, any::<bool>(), 0..3u8).prop_map(
        |(role, source, credential_source, keys)| {
            let mut text = String::new();
            if role {
                text += "role_arn = arn:aws:iam::1:role/R\n";
            }
            if let Some(source) = source {
                text += &format!("source_profile = {source}\n");
            }
            if credential_source {
                text += "credential_source = Environment\n";
            }
            text += ["", "aws_access_key_id = AKID\n", KEYS][usize::from(keys)];
            text
        },
    )
}

proptest::proptest! {
    /// Any graph of profiles resolves without hanging or panicking: a chain visits each profile once and ends on a
    /// base, and a loop names a profile already on the path.
    #[test]
    fn every_graph_resolves_to_a_chain_or_an_error(profiles in proptest::collection::vec(profile(), 4)) {
        let config: String = NAMES.iter().zip(&profiles).map(|(name, body)| format!("[profile {name}]\n{body}")).collect();
        let set = set(&config, "");
        for selected in NAMES {
            match resolve_chain(&set, selected) {
                Ok(got) => {
                    let names = got.profiles();
                    let mut unique = names.clone();
                    unique.sort_unstable();
                    unique.dedup();
                    proptest::prop_assert_eq!(unique.len(), names.len(), "{:?}", names);
                    proptest::prop_assert_eq!(names[0], *selected);
                    proptest::prop_assert!(got.roles.len() <= NAMES.len());
                }
                Err(ChainError::Loop { profiles, next }) => {
                    proptest::prop_assert!(profiles.contains(&next), "{:?} -> {}", profiles, next);
                }
                Err(_) => {}
            }
        }
    }
}
