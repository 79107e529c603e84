//! The MFA device serial: checked locally, its partition derived, or discovered for the caller
//! with `sts:GetCallerIdentity` + `iam:ListMFADevices` when the user has exactly one device.

use super::Error;
use super::sts::classify;
use aws_config::SdkConfig;

/// Checks the shape of a serial before it is sent: an `arn:…:iam::ACCOUNT:mfa/NAME` or a
/// hardware serial. Catches the classic mistakes (a user ARN, a U2F key) with a precise hint.
pub fn validate(serial: &str) -> Result<(), Error> {
    let invalid = |reason: &str| Error::InvalidSerial {
        serial: serial.to_owned(),
        reason: reason.to_owned(),
    };
    if let Some(rest) = serial.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [_partition, service, _region, account, resource] = parts.as_slice() else {
            return Err(invalid(
                "not an ARN of the form arn:aws:iam::ACCOUNT:mfa/NAME",
            ));
        };
        if *service != "iam" || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid(
                "not an IAM ARN of the form arn:aws:iam::ACCOUNT:mfa/NAME",
            ));
        }
        if resource.starts_with("user/") {
            return Err(invalid(
                "this is the user's ARN; the device ARN has `:mfa/` where this has `:user/`",
            ));
        }
        if resource.starts_with("u2f/") {
            return Err(invalid(
                "a FIDO security key cannot be used from the CLI; use a virtual or hardware TOTP device",
            ));
        }
        if !resource.starts_with("mfa/") || resource.len() <= 4 {
            return Err(invalid("the device part must be `mfa/NAME`"));
        }
        return Ok(());
    }
    let valid_chars = serial
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+=/:,.@_-".contains(c));
    if (9..=256).contains(&serial.len()) && valid_chars {
        Ok(())
    } else {
        Err(invalid(
            "neither a device ARN (arn:aws:iam::ACCOUNT:mfa/NAME) nor a hardware serial",
        ))
    }
}

/// The partition of a session: from the serial's ARN, else from the region.
pub fn partition(serial: Option<&str>, region: &str) -> String {
    if let Some(partition) = serial
        .and_then(|s| s.strip_prefix("arn:"))
        .and_then(|s| s.split(':').next())
    {
        return partition.to_owned();
    }
    let by_prefix = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-isof-", "aws-iso-f"),
    ];
    by_prefix
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
        .to_owned()
}

/// Finds the caller's MFA device: fails unless there is exactly one.
pub async fn discover(config: &SdkConfig) -> Result<String, Error> {
    let sts = crate::aws::sts_client(config);
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| Error::Aws(classify("sts:GetCallerIdentity", &err)))?;
    let arn = identity.arn().unwrap_or_default().to_owned();
    let user = user_name(&arn);
    let iam = crate::aws::iam_client(config);
    let devices = iam
        .list_mfa_devices()
        .set_user_name(user.map(str::to_owned))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|err| Error::Aws(classify("iam:ListMFADevices", &err)))?;
    let serials: Vec<String> = devices
        .iter()
        .map(|d| d.serial_number().to_owned())
        .collect();
    match serials.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NoSerial { identity: arn }),
        _ => Err(Error::SeveralDevices { serials }),
    }
}

/// The user name in an IAM user ARN (`arn:aws:iam::1:user/path/NAME` → `NAME`); `None` for
/// root and other principals, for which ListMFADevices defaults to the caller.
fn user_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let path = resource.strip_prefix("user/")?;
    path.rsplit('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_device_arns_and_hardware_serials() {
        assert!(validate("arn:aws:iam::123456789012:mfa/alice").is_ok());
        assert!(validate("arn:aws-cn:iam::123456789012:mfa/path/alice").is_ok());
        assert!(validate("GAHT12345678").is_ok());
    }

    #[test]
    fn rejects_user_arns_u2f_and_junk_with_reasons() {
        let user = validate("arn:aws:iam::123456789012:user/alice")
            .unwrap_err()
            .to_string();
        assert!(user.contains(":user/"), "{user}");
        let u2f = validate("arn:aws:iam::123456789012:u2f/user/alice/key")
            .unwrap_err()
            .to_string();
        assert!(u2f.contains("FIDO"), "{u2f}");
        assert!(validate("arn:aws:iam::12345:mfa/alice").is_err());
        assert!(validate("short").is_err());
        assert!(validate("has space in it").is_err());
    }

    #[test]
    fn partition_from_arn_then_region() {
        assert_eq!(
            partition(Some("arn:aws-us-gov:iam::123456789012:mfa/a"), "us-east-1"),
            "aws-us-gov"
        );
        assert_eq!(partition(Some("GAHT12345678"), "cn-north-1"), "aws-cn");
        assert_eq!(partition(None, "us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition(None, "eu-west-1"), "aws");
    }

    #[test]
    fn user_name_from_arn() {
        assert_eq!(
            user_name("arn:aws:iam::123456789012:user/alice"),
            Some("alice")
        );
        assert_eq!(
            user_name("arn:aws:iam::123456789012:user/team/bob"),
            Some("bob")
        );
        assert_eq!(user_name("arn:aws:iam::123456789012:root"), None);
    }
}
