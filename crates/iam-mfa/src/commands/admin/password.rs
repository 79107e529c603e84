//! Changes to the account password policy (only by Get → merge → Update, because
//! `UpdateAccountPasswordPolicy` resets every omitted setting) and initial passwords that
//! satisfy it.

pub use crate::iam::password_policy::{LENGTH_RANGE, PasswordPolicy};
use rand::seq::{IndexedRandom, SliceRandom};
use std::fmt;

/// A secret string (a password) that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that must send or save it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// The policy that lets users change their own password, keeping every other setting of
/// `current`; `None` when `current` already does.
pub fn allowing_change(current: Option<&PasswordPolicy>) -> Option<PasswordPolicy> {
    let mut policy = current
        .cloned()
        .unwrap_or_else(PasswordPolicy::replacing_aws_default);
    if current.is_some() && policy.allow_users_to_change_password {
        return None;
    }
    policy.allow_users_to_change_password = true;
    Some(policy)
}

const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
/// The symbols AWS accepts for `RequireSymbols`.
const SYMBOLS: &[u8] = b"!@#$%^&*()_+-=[]{}|'";
/// Length of generated passwords unless the policy asks for more.
const GENERATED_LENGTH: usize = 20;

/// A random initial password that satisfies `policy` (or AWS's default when `None`): at least
/// one character of every class, whatever the policy requires, and at least 20 characters.
/// Look-alike characters (`0`/`O`, `1`/`l`/`I`) are left out because it is typed by hand.
pub fn generate(policy: Option<&PasswordPolicy>) -> Secret {
    let minimum = policy.map_or(0, |policy| {
        usize::try_from(policy.minimum_password_length).unwrap_or(0)
    });
    let length = minimum.clamp(GENERATED_LENGTH, *LENGTH_RANGE.end() as usize);
    let mut rng = rand::rng();
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    let mut chars: Vec<u8> = classes
        .iter()
        .filter_map(|class| class.choose(&mut rng).copied())
        .collect();
    while chars.len() < length {
        chars.extend(all.choose(&mut rng));
    }
    chars.shuffle(&mut rng);
    Secret(chars.into_iter().map(char::from).collect())
}

/// Whether `password` satisfies `policy` (used to check generated passwords).
pub fn satisfies(password: &str, policy: &PasswordPolicy) -> bool {
    let has = |class: &[u8]| password.bytes().any(|byte| class.contains(&byte));
    let long_enough =
        usize::try_from(policy.minimum_password_length).is_ok_and(|min| password.len() >= min);
    long_enough
        && (!policy.require_symbols || has(SYMBOLS))
        && (!policy.require_numbers || password.bytes().any(|byte| byte.is_ascii_digit()))
        && (!policy.require_uppercase_characters
            || password.bytes().any(|byte| byte.is_ascii_uppercase()))
        && (!policy.require_lowercase_characters
            || password.bytes().any(|byte| byte.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(length: i32) -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: length,
            ..PasswordPolicy::replacing_aws_default()
        }
    }

    #[test]
    fn generated_passwords_satisfy_the_policy() {
        for length in [6, 8, 14, 20, 64, 128] {
            let policy = strict(length);
            for _ in 0..50 {
                let password = generate(Some(&policy));
                assert!(satisfies(password.expose(), &policy), "length {length}");
                assert_eq!(
                    password.expose().len(),
                    (length as usize).max(GENERATED_LENGTH)
                );
            }
        }
        assert!(satisfies(generate(None).expose(), &strict(8)));
    }

    #[test]
    fn generated_passwords_differ() {
        assert_ne!(generate(None), generate(None));
    }

    #[test]
    fn satisfies_checks_each_rule() {
        let policy = strict(8);
        assert!(satisfies("Abcdef1!", &policy));
        assert!(!satisfies("Abcde1!", &policy), "too short");
        assert!(!satisfies("abcdef1!", &policy), "no upper case");
        assert!(!satisfies("ABCDEF1!", &policy), "no lower case");
        assert!(!satisfies("Abcdefg!", &policy), "no digit");
        assert!(!satisfies("Abcdefg1", &policy), "no symbol");
    }

    #[test]
    fn allowing_change_keeps_every_other_setting() {
        let current = PasswordPolicy {
            minimum_password_length: 14,
            require_symbols: false,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: false,
            allow_users_to_change_password: false,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            hard_expiry: Some(false),
        };
        let updated = allowing_change(Some(&current)).unwrap();
        assert_eq!(
            updated,
            PasswordPolicy {
                allow_users_to_change_password: true,
                ..current.clone()
            }
        );
        assert_eq!(
            allowing_change(Some(&updated)),
            None,
            "already allowed: no change"
        );
    }

    #[test]
    fn without_a_policy_the_new_one_is_no_weaker_than_aws_default() {
        let created = allowing_change(None).unwrap();
        assert!(created.allow_users_to_change_password);
        assert!(created.minimum_password_length >= 8);
        assert!(created.require_symbols && created.require_numbers);
        assert!(created.require_uppercase_characters && created.require_lowercase_characters);
    }

    #[test]
    fn params_name_every_setting_that_is_set() {
        let names: Vec<_> = strict(10)
            .params()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names.len(), 6);
        let mut policy = strict(10);
        policy.max_password_age = Some(30);
        policy.hard_expiry = Some(true);
        assert!(policy.params().contains(&("MaxPasswordAge", "30".into())));
        assert!(policy.params().contains(&("HardExpiry", "true".into())));
    }

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret(<hidden>)"
        );
    }
}
