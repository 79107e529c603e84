//! IAM names, MFA serials and profile names, checked against the patterns AWS documents (IAM
//! API reference; STS `GetSessionToken`'s `SerialNumber`) and the SDKs accept, so a typo or a
//! pasted line break fails at once with exit 2: before any AWS call, and before it can end up
//! in a config file as two lines. The `parse_*` functions are clap value parsers.

/// A name or serial that AWS (or the SDKs, for profile names) would not take.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{}` is not a valid {what}: {rule}", .value.escape_debug())]
pub struct Invalid {
    /// What kind of name it was meant to be.
    pub what: &'static str,
    /// The rejected value (shown with control characters escaped).
    pub value: String,
    /// The rule it breaks.
    pub rule: String,
}

/// Punctuation IAM allows in user, group, policy and device names (`[\w+=,.@-]`).
const NAME_PUNCTUATION: &str = "_+=,.@-";
/// Punctuation allowed in an MFA serial (`[\w+=/:,.@-]`).
const SERIAL_PUNCTUATION: &str = "_+=/:,.@-";

/// An IAM user name: 1 to 64 of `A-Z a-z 0-9 _+=,.@-`.
pub fn parse_user_name(value: &str) -> Result<String, Invalid> {
    iam_name(value, "IAM user name", 64)
}

/// An IAM group name: 1 to 128 of `A-Z a-z 0-9 _+=,.@-`.
pub fn parse_group_name(value: &str) -> Result<String, Invalid> {
    iam_name(value, "IAM group name", 128)
}

/// An IAM policy name: 1 to 128 of `A-Z a-z 0-9 _+=,.@-`.
pub fn parse_policy_name(value: &str) -> Result<String, Invalid> {
    iam_name(value, "IAM policy name", 128)
}

/// A virtual MFA device name: 1 to 226 of `A-Z a-z 0-9 _+=,.@-`.
pub fn parse_device_name(value: &str) -> Result<String, Invalid> {
    iam_name(value, "MFA device name", 226)
}

/// A profile name the SDKs read (they skip sections with other names).
pub fn parse_profile_name(value: &str) -> Result<String, Invalid> {
    if aws_profiles::is_profile_name(value) {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            "profile name",
            value,
            "use ASCII letters, digits and _-/.%@:+ (the SDKs ignore other profile names)",
        ))
    }
}

/// An MFA serial (clap value parser for [`serial`]).
pub fn parse_serial(value: &str) -> Result<String, Invalid> {
    serial(value).map(|()| value.to_owned())
}

/// Checks an MFA serial: a device ARN `arn:PARTITION:iam::ACCOUNT:mfa/NAME` or a hardware
/// serial, 9 to 256 of `A-Z a-z 0-9 _+=/:,.@-`. The classic mistakes (a user ARN, a FIDO key)
/// get a precise hint.
pub fn serial(value: &str) -> Result<(), Invalid> {
    let fail = |rule: &str| Err(invalid("MFA serial", value, rule));
    if value.starts_with("arn:") {
        let Some((_, resource)) = iam_arn(value) else {
            return fail("not an IAM ARN of the form arn:aws:iam::ACCOUNT:mfa/NAME");
        };
        if resource.starts_with("user/") {
            return fail(
                "this is the user's ARN; the device ARN has `:mfa/` where this has `:user/`",
            );
        }
        if resource.starts_with("u2f/") {
            return fail(
                "a FIDO security key cannot be used from the CLI; use a virtual or hardware TOTP device",
            );
        }
        let name = resource.strip_prefix("mfa/").unwrap_or_default();
        if name.is_empty() || !only(name, "_+=,.@/-") {
            return fail("the device part must be `mfa/NAME`, NAME of A-Z a-z 0-9 _+=,.@/-");
        }
    }
    if (9..=256).contains(&value.len()) && only(value, SERIAL_PUNCTUATION) {
        Ok(())
    } else {
        fail(
            "neither a device ARN (arn:aws:iam::ACCOUNT:mfa/NAME) nor a hardware serial (9 to 256 of A-Z a-z 0-9 _+=/:,.@-)",
        )
    }
}

/// The account and resource of an IAM ARN `arn:PARTITION:iam::ACCOUNT:RESOURCE` (PARTITION
/// `aws` or `aws-…`, ACCOUNT 12 digits, no region); `None` for anything else.
pub fn iam_arn(value: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = value.strip_prefix("arn:")?.splitn(5, ':').collect();
    let [partition, "iam", "", account, resource] = parts.as_slice() else {
        return None;
    };
    let partition_ok = partition
        .strip_prefix("aws")
        .is_some_and(|tail| tail.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (partition_ok && account_ok).then_some((*account, *resource))
}

/// Checks a role ARN: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
pub fn role_arn(value: &str) -> Result<(), Invalid> {
    let fail = |rule: &str| Err(invalid("role ARN", value, rule));
    let Some((_, resource)) = iam_arn(value) else {
        return fail("not an IAM ARN of the form arn:aws:iam::ACCOUNT:role/NAME");
    };
    let name = resource.strip_prefix("role/").unwrap_or_default();
    if resource.starts_with("user/") {
        return fail("this is a user's ARN; a role's has `:role/` where this has `:user/`");
    }
    if name.is_empty() || name.ends_with('/') || !only(name, "_+=,.@/-") {
        return fail(
            "the role part must be `role/NAME` (or `role/PATH/NAME`), of A-Z a-z 0-9 _+=,.@/-",
        );
    }
    Ok(())
}

/// Checks a role session name (`role_session_name`): 2 to 64 of `A-Z a-z 0-9 _+=,.@-`.
pub fn role_session_name(value: &str) -> Result<(), Invalid> {
    spelled(value, "role session name", value, 2..=64, NAME_PUNCTUATION)
}

/// Checks an external ID: 2 to 1224 of `A-Z a-z 0-9 _+=,.@:/-`. The error does not repeat the
/// value: an external ID is a shared secret of sorts.
pub fn external_id(value: &str) -> Result<(), Invalid> {
    spelled(value, "external ID", "(not shown)", 2..=1224, "_+=,.@:/-")
}

/// Checks that `value` is `lengths` long and only of ASCII letters, digits and `punctuation`;
/// the error names `what` and shows `shown`.
fn spelled(
    value: &str,
    what: &'static str,
    shown: &str,
    lengths: std::ops::RangeInclusive<usize>,
    punctuation: &str,
) -> Result<(), Invalid> {
    if lengths.contains(&value.len()) && only(value, punctuation) {
        return Ok(());
    }
    let rule = format!(
        "use {} to {} of A-Z a-z 0-9 and {punctuation}",
        lengths.start(),
        lengths.end()
    );
    Err(invalid(what, shown, &rule))
}

fn iam_name(value: &str, what: &'static str, max: usize) -> Result<String, Invalid> {
    if (1..=max).contains(&value.len()) && only(value, NAME_PUNCTUATION) {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            what,
            value,
            &format!("use 1 to {max} of A-Z a-z 0-9 and {NAME_PUNCTUATION} (no spaces)"),
        ))
    }
}

/// Whether `value` has only ASCII letters, digits and `punctuation`.
fn only(value: &str, punctuation: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
}

fn invalid(what: &'static str, value: &str, rule: &str) -> Invalid {
    Invalid {
        what,
        value: value.to_owned(),
        rule: rule.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_session_names_and_external_ids() {
        assert!(role_arn("arn:aws:iam::222222222222:role/Admin").is_ok());
        assert!(role_arn("arn:aws-cn:iam::222222222222:role/path/to/Admin").is_ok());
        for (bad, rule) in [
            ("arn:aws:iam::2222:role/Admin", "not an IAM ARN"),
            ("arn:aws:sts::222222222222:role/Admin", "not an IAM ARN"),
            ("arn:aws:iam::222222222222:user/alice", "a user's ARN"),
            ("arn:aws:iam::222222222222:role/", "role/NAME"),
            ("arn:aws:iam::222222222222:role/a b", "role/NAME"),
            ("Admin", "not an IAM ARN"),
        ] {
            let err = role_arn(bad).unwrap_err();
            assert!(err.rule.contains(rule), "{bad}: {err}");
        }
        assert!(role_session_name("alice@corp").is_ok());
        assert!(role_session_name("a").is_err());
        assert!(role_session_name(&"a".repeat(65)).is_err());
        assert!(external_id("ab:/c").is_ok());
        let err = external_id("secret value").unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn iam_names_follow_the_documented_pattern() {
        assert!(parse_user_name("alice.o'hara").is_err());
        assert!(parse_user_name("a b").is_err());
        assert!(parse_user_name("").is_err());
        assert!(parse_user_name(&"a".repeat(65)).is_err());
        assert!(parse_user_name("carol+ops@example.com").is_ok());
        assert!(parse_user_name(&"a".repeat(64)).is_ok());
        assert!(parse_group_name(&"g".repeat(128)).is_ok());
        assert!(parse_group_name(&"g".repeat(129)).is_err());
        assert!(parse_group_name("Devs\n").is_err());
        assert!(parse_policy_name("Force_MFA").is_ok());
        assert!(parse_device_name("carol-phone").is_ok());
        assert!(parse_device_name("carol/phone").is_err());
    }

    #[test]
    fn the_message_shows_control_characters_escaped() {
        let err = parse_user_name("a\nb").unwrap_err().to_string();
        assert!(
            err.starts_with("`a\\nb` is not a valid IAM user name"),
            "{err}"
        );
    }

    #[test]
    fn serials_are_device_arns_or_hardware_serials() {
        assert!(serial("arn:aws:iam::123456789012:mfa/alice").is_ok());
        assert!(serial("arn:aws-cn:iam::123456789012:mfa/path/alice").is_ok());
        assert!(serial("arn:aws-us-gov:iam::123456789012:mfa/a=b,c@d.e_f-g+h").is_ok());
        assert!(serial("GAHT12345678").is_ok());
        let user = serial("arn:aws:iam::123456789012:user/alice")
            .unwrap_err()
            .to_string();
        assert!(user.contains(":user/"), "{user}");
        let u2f = serial("arn:aws:iam::123456789012:u2f/user/alice/key")
            .unwrap_err()
            .to_string();
        assert!(u2f.contains("FIDO"), "{u2f}");
        for bad in [
            "arn:aws:iam::12345:mfa/alice",
            "arn:aws:iam::123456789012:mfa/alice\nextra = 1",
            "arn:aws:iam::123456789012:mfa/",
            "arn:aws:iam:us-east-1:123456789012:mfa/alice",
            "arn:other:iam::123456789012:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
            "short",
            "has space in it",
            "GAHT12345678\n",
        ] {
            assert!(serial(bad).is_err(), "{bad:?}");
        }
        assert!(serial(&"S".repeat(257)).is_err());
    }

    #[test]
    fn profile_names_are_those_the_sdks_read() {
        assert!(parse_profile_name("work-mfa").is_ok());
        assert!(parse_profile_name("team/prod@eu:1+x.y%z").is_ok());
        assert!(parse_profile_name("a b").is_err());
        assert!(parse_profile_name("").is_err());
        assert!(parse_profile_name("x]\n[default").is_err());
    }
}
