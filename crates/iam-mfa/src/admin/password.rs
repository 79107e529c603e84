//! The account password policy (read, and changed only by Get → merge → Update, because
//! `UpdateAccountPasswordPolicy` resets every omitted setting) and initial passwords that
//! satisfy it.

use super::error::Error;
use aws_sdk_iam::operation::update_account_password_policy::builders::UpdateAccountPasswordPolicyFluentBuilder;
use rand::seq::{IndexedRandom, SliceRandom};
use serde::Serialize;
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

/// Every setting of an account password policy, as `UpdateAccountPasswordPolicy` takes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordPolicy {
    pub minimum_password_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    /// Days before a password expires; `None`: never.
    pub max_password_age: Option<i32>,
    /// How many previous passwords cannot be reused; `None`: no rule.
    pub password_reuse_prevention: Option<i32>,
    /// Whether an expired password blocks sign-in until an administrator resets it.
    pub hard_expiry: Option<bool>,
}

/// AWS's documented range for `MinimumPasswordLength`.
const LENGTH_RANGE: std::ops::RangeInclusive<i32> = 6..=128;

impl PasswordPolicy {
    /// The policy as `GetAccountPasswordPolicy` returned it. A zero `MaxPasswordAge` (moto sends
    /// one when unset; AWS omits it) means "never expires", as its valid range starts at 1.
    pub fn from_sdk(policy: &aws_sdk_iam::types::PasswordPolicy) -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: policy
                .minimum_password_length()
                .unwrap_or(*LENGTH_RANGE.start()),
            require_symbols: policy.require_symbols(),
            require_numbers: policy.require_numbers(),
            require_uppercase_characters: policy.require_uppercase_characters(),
            require_lowercase_characters: policy.require_lowercase_characters(),
            allow_users_to_change_password: policy.allow_users_to_change_password(),
            max_password_age: policy.max_password_age().filter(|days| *days > 0),
            password_reuse_prevention: policy
                .password_reuse_prevention()
                .filter(|count| *count > 0),
            hard_expiry: policy.hard_expiry(),
        }
    }

    /// The custom policy to create when the account has none: AWS's default applies then
    /// (8 characters, three of the four character classes), and a custom policy that leaves
    /// settings out is weaker (6 characters, no classes). This one is at least as strict.
    pub fn replacing_aws_default() -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: 8,
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: false,
            max_password_age: None,
            password_reuse_prevention: None,
            hard_expiry: None,
        }
    }

    /// The request parameters, named as in the API reference.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            (
                "MinimumPasswordLength",
                self.minimum_password_length.to_string(),
            ),
            ("RequireSymbols", self.require_symbols.to_string()),
            ("RequireNumbers", self.require_numbers.to_string()),
            (
                "RequireUppercaseCharacters",
                self.require_uppercase_characters.to_string(),
            ),
            (
                "RequireLowercaseCharacters",
                self.require_lowercase_characters.to_string(),
            ),
            (
                "AllowUsersToChangePassword",
                self.allow_users_to_change_password.to_string(),
            ),
        ];
        if let Some(days) = self.max_password_age {
            params.push(("MaxPasswordAge", days.to_string()));
        }
        if let Some(count) = self.password_reuse_prevention {
            params.push(("PasswordReusePrevention", count.to_string()));
        }
        if let Some(hard) = self.hard_expiry {
            params.push(("HardExpiry", hard.to_string()));
        }
        params
    }

    /// Fills an `UpdateAccountPasswordPolicy` request with every setting.
    pub fn request(
        &self,
        builder: UpdateAccountPasswordPolicyFluentBuilder,
    ) -> UpdateAccountPasswordPolicyFluentBuilder {
        builder
            .minimum_password_length(self.minimum_password_length)
            .require_symbols(self.require_symbols)
            .require_numbers(self.require_numbers)
            .require_uppercase_characters(self.require_uppercase_characters)
            .require_lowercase_characters(self.require_lowercase_characters)
            .allow_users_to_change_password(self.allow_users_to_change_password)
            .set_max_password_age(self.max_password_age)
            .set_password_reuse_prevention(self.password_reuse_prevention)
            .set_hard_expiry(self.hard_expiry)
    }
}

/// `GetAccountPasswordPolicy`; `None` when the account has no custom policy.
pub async fn current(iam: &aws_sdk_iam::Client) -> Result<Option<PasswordPolicy>, Error> {
    const OP: &str = "iam:GetAccountPasswordPolicy";
    match iam
        .get_account_password_policy()
        .send()
        .await
        .map_err(Error::aws(OP))
    {
        Ok(out) => Ok(out.password_policy().map(PasswordPolicy::from_sdk)),
        Err(error) if error.aws_code() == Some("NoSuchEntity") => Ok(None),
        Err(error) => Err(error),
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
