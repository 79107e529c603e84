//! `prune [--older-than DURATION]`: deletes virtual MFA devices assigned to nobody, the
//! leftovers of abandoned enrolments that make the next attempt fail with "EntityAlreadyExists".

use super::error::Error;
use super::plan::Mutating;
use super::plan::{self, Action};
use crate::args::Listing;
use crate::iam;
use crate::iam::client::Clients;
use crate::iam::devices::virtual_devices;
use crate::iam::devices::{CREATED_TAG, Device};
use crate::ui::output::Report;
use crate::ui::prompt::Prompt;
use crate::ui::table;
use aws_sdk_iam::types::AssignmentStatusType;
use serde::Serialize;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Arguments of `prune`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Only devices created at least this long ago (e.g. `1d`, `12h`). IAM records no creation
    /// date, so this needs the `iam-mfa:created-at` tag that `enroll` sets; untagged devices are kept.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub older_than: Option<Duration>,
    #[command(flatten)]
    pub mutating: Mutating,
    #[command(flatten)]
    pub listing: Listing,
}

/// One unassigned device and what `prune` does with it.
#[derive(Debug, Serialize)]
pub struct Candidate {
    pub serial_number: String,
    /// When it was created, from its tag, if known.
    pub created: Option<String>,
    /// Why it is kept, if it is.
    pub kept_because: Option<String>,
}

/// What `prune` found and did.
#[derive(Debug, Serialize)]
pub struct Prune {
    pub devices: Vec<Candidate>,
    pub calls: Vec<Action>,
    pub dry_run: bool,
    pub changed: bool,
}

/// Deletes the unassigned virtual devices `args` selects.
pub async fn run(admin: &Clients, args: &Args, prompt: &mut dyn Prompt) -> Result<Prune, Error> {
    let unassigned = virtual_devices(
        admin,
        AssignmentStatusType::Unassigned,
        args.listing.page_size,
    )
    .await?;
    let now = OffsetDateTime::now_utc();
    let mut devices = Vec::new();
    for device in unassigned.iter().filter(|device| !device.is_assigned()) {
        devices.push(match args.older_than {
            None => Candidate {
                serial_number: device.serial_number.clone(),
                created: None,
                kept_because: None,
            },
            Some(age) => judge_age(admin, device, age, now).await,
        });
    }
    let calls: Vec<Action> = devices
        .iter()
        .filter(|candidate| candidate.kept_because.is_none())
        .map(|candidate| Action::DeleteVirtualMfaDevice {
            serial: candidate.serial_number.clone(),
        })
        .collect();
    let question = format!("Delete {} unassigned virtual MFA device(s)?", calls.len());
    let changed = plan::apply(admin, prompt, args.mutating, &calls, &question).await?;
    Ok(Prune {
        devices,
        calls,
        dry_run: args.mutating.dry_run,
        changed,
    })
}

/// Reads the device's creation tag and keeps it unless it is older than `age`.
async fn judge_age(
    admin: &Clients,
    device: &Device,
    age: Duration,
    now: OffsetDateTime,
) -> Candidate {
    let serial = device.serial_number.clone();
    let created = created_at(admin, &serial).await;
    let kept_because = match &created {
        Err(error) => Some(format!("its age is unknown ({error})")),
        Ok(None) => Some(format!("its age is unknown (no {CREATED_TAG} tag)")),
        Ok(Some(created)) => {
            (!older_than(*created, age, now)).then(|| "it is too recent".to_owned())
        }
    };
    let created = created
        .ok()
        .flatten()
        .and_then(|date| date.format(&Rfc3339).ok());
    Candidate {
        serial_number: serial,
        created,
        kept_because,
    }
}

/// Whether something created at `created` is at least `age` old at `now`.
fn older_than(created: OffsetDateTime, age: Duration, now: OffsetDateTime) -> bool {
    now - created >= age
}

/// The device's creation time from its [`CREATED_TAG`] (`ListMFADeviceTags`).
async fn created_at(admin: &Clients, serial: &str) -> Result<Option<OffsetDateTime>, Error> {
    const OP: &str = "iam:ListMFADeviceTags";
    let out = admin
        .iam
        .list_mfa_device_tags()
        .serial_number(serial)
        .send()
        .await
        .map_err(iam::Error::aws(OP))?;
    let tag = out.tags().iter().find(|tag| tag.key() == CREATED_TAG);
    Ok(tag.and_then(|tag| OffsetDateTime::parse(tag.value(), &Rfc3339).ok()))
}

impl Report for Prune {
    fn text(&self) -> String {
        if self.devices.is_empty() {
            return "No unassigned virtual MFA devices.\n".into();
        }
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|d| {
                vec![
                    d.serial_number.clone(),
                    d.created.clone().unwrap_or_default(),
                    d.kept_because
                        .as_ref()
                        .map_or_else(|| "delete".into(), |why| format!("keep: {why}")),
                ]
            })
            .collect();
        let mut text = format!(
            "Unassigned virtual MFA devices:\n{}",
            table::render(&["SERIAL", "CREATED", "ACTION"], &rows)
        );
        text.push_str(&plan::describe(&self.calls, self.dry_run, self.changed));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn age_is_compared_with_the_threshold() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let day = Duration::from_secs(86_400);
        assert!(older_than(datetime!(2026-11-22 12:00 UTC), day, now));
        assert!(!older_than(datetime!(2026-11-22 12:01 UTC), day, now));
        assert!(
            !older_than(datetime!(2026-11-24 00:00 UTC), Duration::ZERO, now),
            "clock skew: future date"
        );
    }
}
