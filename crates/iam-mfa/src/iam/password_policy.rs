//! The account password policy as IAM holds it: read with `GetAccountPasswordPolicy`, and
//! written back whole (`UpdateAccountPasswordPolicy` resets every omitted setting).

use super::error::Error;
use aws_sdk_iam::operation::update_account_password_policy::builders::UpdateAccountPasswordPolicyFluentBuilder;
use serde::Serialize;

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
pub const LENGTH_RANGE: std::ops::RangeInclusive<i32> = 6..=128;

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
