//! The MFA device serial: checked locally, its partition derived, or discovered for the caller
//! with `sts:GetCallerIdentity` + `iam:ListMFADevices` when the user has exactly one device.

use super::Error;
use crate::aws::{StsEndpoints, classify};
use aws_config::SdkConfig;

/// Checks the shape of a serial before it is sent or written (see [`crate::names::serial`]).
pub fn validate(serial: &str) -> Result<(), Error> {
    crate::names::serial(serial).map_err(|invalid| Error::InvalidSerial {
        serial: serial.escape_debug().to_string(),
        reason: invalid.rule,
    })
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
pub async fn discover(config: &SdkConfig, endpoints: StsEndpoints) -> Result<String, Error> {
    let sts = endpoints.client(config);
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
    fn invalid_serials_are_usage_errors_shown_escaped() {
        assert!(validate("arn:aws:iam::123456789012:mfa/alice").is_ok());
        let err = validate("arn:aws:iam::123456789012:mfa/alice\nx").unwrap_err();
        assert!(matches!(err, Error::InvalidSerial { .. }));
        assert!(err.to_string().contains("alice\\nx"), "{err}");
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
