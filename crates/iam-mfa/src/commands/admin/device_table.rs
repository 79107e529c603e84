//! MFA devices as table rows, for the commands that show devices (`devices`, `reset`).

use crate::iam::devices::Device;

/// Table rows for `devices`: user (or "(unassigned)"), type, serial, enable date.
pub fn device_rows(devices: &[Device]) -> Vec<Vec<String>> {
    devices
        .iter()
        .map(|device| {
            vec![
                device.user.clone().unwrap_or_else(|| "(unassigned)".into()),
                device.kind.label().into(),
                device.serial_number.clone(),
                device.enable_date.clone().unwrap_or_default(),
            ]
        })
        .collect()
}
