//! `devices [USER] [--unassigned]`: every MFA device, for one user or the whole account, with
//! its type, serial, enable date and assignment.

use super::device_table::device_rows;
use super::error::Error;
use crate::args::Listing;
use crate::iam::client::Clients;
use crate::iam::devices::{Device, user_devices, virtual_devices};
use crate::iam::lists;
use crate::ui::output::Report;
use crate::ui::table;
use aws_sdk_iam::types::AssignmentStatusType;
use serde::Serialize;
use std::collections::BTreeSet;

/// Arguments of `devices`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Only this user's devices (default: every device in the account).
    #[arg(value_parser = crate::names::parse_user_name)]
    pub user: Option<String>,
    /// Only virtual devices assigned to nobody (left over from abandoned enrolments).
    #[arg(long, conflicts_with = "user")]
    pub unassigned: bool,
    #[command(flatten)]
    pub listing: Listing,
}

/// The devices found.
#[derive(Debug, Serialize)]
pub struct Devices {
    pub devices: Vec<Device>,
}

/// Lists the devices `args` asks for.
pub async fn run(admin: &Clients, args: &Args) -> Result<Devices, Error> {
    let page_size = args.listing.page_size;
    let mut devices = match (&args.user, args.unassigned) {
        (Some(user), _) => user_devices(admin, user, page_size).await?,
        (None, true) => virtual_devices(admin, AssignmentStatusType::Unassigned, page_size).await?,
        (None, false) => account_devices(admin, page_size).await?,
    };
    devices.sort_by(|a, b| (&a.user, &a.serial_number).cmp(&(&b.user, &b.serial_number)));
    Ok(Devices { devices })
}

/// Every user's devices of every type, plus the virtual devices no user's list shows
/// (unassigned ones and the root user's).
async fn account_devices(admin: &Clients, page_size: Option<i32>) -> Result<Vec<Device>, Error> {
    let mut devices = Vec::new();
    for user in lists::user_names(&admin.iam, page_size).await? {
        devices.extend(user_devices(admin, &user, page_size).await?);
    }
    let seen: BTreeSet<String> = devices.iter().map(|d| d.serial_number.clone()).collect();
    let others = virtual_devices(admin, AssignmentStatusType::Any, page_size).await?;
    devices.extend(
        others
            .into_iter()
            .filter(|d| !seen.contains(&d.serial_number)),
    );
    Ok(devices)
}

impl Report for Devices {
    fn text(&self) -> String {
        if self.devices.is_empty() {
            return "No MFA devices.\n".into();
        }
        table::render(
            &["USER", "TYPE", "SERIAL", "ENABLED"],
            &device_rows(&self.devices),
        )
    }
}
