//! MFA devices as IAM lists them: one device, its type from the serial number, and the two
//! listings (a user's devices; virtual devices by assignment).

use super::client::Clients;
use super::error::Error;
use super::lists;
use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};
use aws_sdk_iam::types::AssignmentStatusType;
use serde::Serialize;

/// How a device produces its second factor, read from its serial number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A virtual TOTP app (`arn:…:mfa/NAME`): the only kind IAM can create and delete.
    Virtual,
    /// A FIDO security key or passkey (`arn:…:u2f/…`); console only, unusable for CLI sessions.
    Fido,
    /// A hardware TOTP token (a bare serial such as `GAHT12345678`).
    Hardware,
    /// The retired SMS MFA (`arn:…:sms-mfa/…`).
    Sms,
    /// An ARN of a resource type this tool does not know.
    Unknown,
}

impl Kind {
    /// The kind of the device with serial number `serial`.
    pub fn of(serial: &str) -> Kind {
        if !serial.starts_with("arn:") {
            return Kind::Hardware;
        }
        let resource = serial.splitn(6, ':').nth(5).unwrap_or_default();
        match resource.split('/').next() {
            Some("mfa") => Kind::Virtual,
            Some("u2f") => Kind::Fido,
            Some("sms-mfa") => Kind::Sms,
            _ => Kind::Unknown,
        }
    }

    /// Short name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Virtual => "virtual",
            Kind::Fido => "fido",
            Kind::Hardware => "hardware",
            Kind::Sms => "sms",
            Kind::Unknown => "unknown",
        }
    }
}

/// Tag `enroll` puts on the devices it creates: when (RFC 3339). IAM keeps no creation date
/// for virtual devices, so this is how `prune --older-than` knows an unassigned device's age.
pub const CREATED_TAG: &str = "iam-mfa:created-at";
/// Tag `enroll` puts on the devices it creates: for which user.
pub const USER_TAG: &str = "iam-mfa:user";

/// The user name shown for the account root user, as in the credential report.
pub const ROOT: &str = "<root_account>";

/// One MFA device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Serial number (an ARN for virtual and FIDO devices).
    pub serial_number: String,
    /// Device type.
    pub kind: Kind,
    /// The user the device is assigned to ([`ROOT`] for the root user), if any.
    pub user: Option<String>,
    /// When the device was enabled (RFC 3339), if it is assigned.
    pub enable_date: Option<String>,
}

impl Device {
    /// A device assigned to `user`, as `ListMFADevices` reports it.
    pub fn assigned(serial: &str, user: &str, enable_date: Option<&DateTime>) -> Device {
        Device {
            serial_number: serial.to_owned(),
            kind: Kind::of(serial),
            user: Some(user.to_owned()),
            enable_date: enable_date.and_then(rfc3339),
        }
    }

    /// A virtual device as `ListVirtualMFADevices` reports it.
    pub fn from_virtual(device: &aws_sdk_iam::types::VirtualMfaDevice) -> Device {
        let user = device.user().map(|user| {
            if user.arn().ends_with(":root") {
                ROOT.to_owned()
            } else {
                user.user_name().to_owned()
            }
        });
        Device {
            serial_number: device.serial_number().to_owned(),
            kind: Kind::of(device.serial_number()),
            user,
            enable_date: device.enable_date().and_then(rfc3339),
        }
    }

    /// Whether the device is assigned to someone.
    pub fn is_assigned(&self) -> bool {
        self.user.is_some()
    }
}

/// `date` as RFC 3339 text.
pub fn rfc3339(date: &DateTime) -> Option<String> {
    date.fmt(DateTimeFormat::DateTime).ok()
}

/// Every device assigned to `user` (`ListMFADevices`).
pub async fn user_devices(
    clients: &Clients,
    user: &str,
    page_size: Option<i32>,
) -> Result<Vec<Device>, Error> {
    let found = lists::mfa_devices(&clients.iam, user, page_size).await?;
    Ok(found
        .iter()
        .map(|d| Device::assigned(d.serial_number(), d.user_name(), Some(d.enable_date())))
        .collect())
}

/// Every virtual device with assignment `status` (`ListVirtualMFADevices`).
pub async fn virtual_devices(
    clients: &Clients,
    status: AssignmentStatusType,
    page_size: Option<i32>,
) -> Result<Vec<Device>, Error> {
    let found = lists::virtual_mfa_devices(&clients.iam, status, page_size).await?;
    Ok(found.iter().map(Device::from_virtual).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_read_from_the_serial() {
        assert_eq!(
            Kind::of("arn:aws:iam::123456789012:mfa/alice"),
            Kind::Virtual
        );
        assert_eq!(
            Kind::of("arn:aws:iam::123456789012:mfa/team/alice-phone"),
            Kind::Virtual
        );
        assert_eq!(
            Kind::of("arn:aws-us-gov:iam::123456789012:u2f/user/alice/key-ABC"),
            Kind::Fido
        );
        assert_eq!(Kind::of("GAHT12345678"), Kind::Hardware);
        assert_eq!(
            Kind::of("arn:aws:iam::123456789012:sms-mfa/alice"),
            Kind::Sms
        );
        assert_eq!(
            Kind::of("arn:aws:iam::123456789012:user/alice"),
            Kind::Unknown
        );
        assert_eq!(Kind::of("arn:broken"), Kind::Unknown);
    }

    #[test]
    fn root_owned_virtual_device_is_labelled_as_root() {
        let user = aws_sdk_iam::types::User::builder()
            .path("/")
            .user_name("")
            .user_id("123456789012")
            .arn("arn:aws:iam::123456789012:root")
            .create_date(DateTime::from_secs(0))
            .build()
            .unwrap();
        let device = aws_sdk_iam::types::VirtualMfaDevice::builder()
            .serial_number("arn:aws:iam::123456789012:mfa/root-account-mfa-device")
            .user(user)
            .enable_date(DateTime::from_secs(86_400))
            .build()
            .unwrap();
        let device = Device::from_virtual(&device);
        assert_eq!(device.user.as_deref(), Some(ROOT));
        assert_eq!(device.enable_date.as_deref(), Some("1970-01-02T00:00:00Z"));
        assert!(device.is_assigned());
    }
}
