//! `reset USER [--serial S…|--all]`: the lost-device recovery. Shows the user's devices,
//! deactivates the chosen ones, deletes them when virtual (in that order: AWS refuses to delete
//! an assigned device), and tells the user how to enrol again.

use super::device_table::device_rows;
use super::error::Error;
use super::plan::Mutating;
use super::plan::{self, Action};
use crate::args::Listing;
use crate::iam::client::Clients;
use crate::iam::devices::{Device, Kind};
use crate::iam::devices::{user_devices, virtual_devices};
use crate::ui::output::Report;
use crate::ui::prompt;
use crate::ui::prompt::Prompt;
use crate::ui::table;
use aws_sdk_iam::types::AssignmentStatusType;
use serde::Serialize;

/// Arguments of `reset`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// The IAM user who lost a device.
    #[arg(value_parser = crate::names::parse_user_name)]
    pub user: String,
    /// Serial number of a device to reset (repeatable). Without it, a user with one device has
    /// that one reset; with several, you are asked which (or pass `--all`).
    #[arg(long = "serial", value_name = "S", value_parser = crate::names::parse_serial)]
    pub serials: Vec<String>,
    /// Reset every device of the user.
    #[arg(long, conflicts_with = "serials")]
    pub all: bool,
    #[command(flatten)]
    pub mutating: Mutating,
    #[command(flatten)]
    pub listing: Listing,
}

/// What `reset` found and did.
#[derive(Debug, Serialize)]
pub struct Reset {
    pub user: String,
    /// The user's devices before the reset.
    pub devices: Vec<Device>,
    /// The calls made (or, with `dry_run`, that would be).
    pub calls: Vec<Action>,
    pub dry_run: bool,
    pub changed: bool,
    /// Things worth knowing (e.g. a serial that no longer exists).
    pub notes: Vec<String>,
    /// What the user does next, when a device was (or would be) reset.
    pub next_step: Option<String>,
}

/// Resets the devices `args` chooses.
pub async fn run(admin: &Clients, args: &Args, prompt: &mut dyn Prompt) -> Result<Reset, Error> {
    let user = &args.user;
    let devices = user_devices(admin, user, args.listing.page_size).await?;
    let mut notes = Vec::new();
    let chosen = choose(admin, args, &devices, prompt, &mut notes).await?;
    let actions: Vec<Action> = chosen
        .iter()
        .flat_map(|device| actions_for(user, device))
        .collect();
    let question = format!("Reset {} MFA device(s) of {user}?", chosen.len());
    let changed = plan::apply(admin, prompt, args.mutating, &actions, &question).await?;
    let next_step = (!actions.is_empty()).then(|| {
        format!(
            "{user} enrols a new device: `iam-mfa enroll` signed in as {user}, or an administrator runs \
             `iam-mfa enroll --user {user}`."
        )
    });
    if actions.is_empty() && devices.is_empty() {
        notes.push(format!("{user} has no MFA device."));
    }
    Ok(Reset {
        user: user.clone(),
        devices,
        calls: actions,
        dry_run: args.mutating.dry_run,
        changed,
        notes,
        next_step,
    })
}

/// Deactivate, then delete when virtual (IAM can delete only virtual devices).
fn actions_for(user: &str, device: &Device) -> Vec<Action> {
    let serial = device.serial_number.clone();
    let mut actions = vec![Action::DeactivateMfaDevice {
        user: user.to_owned(),
        serial: serial.clone(),
    }];
    if device.kind == Kind::Virtual {
        actions.push(Action::DeleteVirtualMfaDevice { serial });
    }
    actions
}

/// The devices to reset. A serial that is not the user's is an error when it belongs to
/// someone (or no one); one that no longer exists is only a note, so a second run is a no-op.
async fn choose(
    admin: &Clients,
    args: &Args,
    devices: &[Device],
    prompt: &mut dyn Prompt,
    notes: &mut Vec<String>,
) -> Result<Vec<Device>, Error> {
    if args.all || (args.serials.is_empty() && devices.len() <= 1) {
        return Ok(devices.to_vec());
    }
    if args.serials.is_empty() {
        return pick(&args.user, devices, prompt);
    }
    let mut chosen = Vec::new();
    let mut virtual_list: Option<Vec<Device>> = None;
    for serial in &args.serials {
        if let Some(device) = devices.iter().find(|d| &d.serial_number == serial) {
            chosen.push(device.clone());
            continue;
        }
        if virtual_list.is_none() {
            virtual_list = Some(
                virtual_devices(admin, AssignmentStatusType::Any, args.listing.page_size).await?,
            );
        }
        let elsewhere = virtual_list
            .iter()
            .flatten()
            .find(|d| &d.serial_number == serial);
        let holder = match elsewhere {
            Some(Device {
                user: Some(owner), ..
            }) => format!("it belongs to {owner}"),
            Some(_) => {
                "it is assigned to nobody; `iam-mfa prune` removes unassigned devices".into()
            }
            None => {
                notes.push(format!(
                    "{} has no MFA device {serial}; nothing to do for it.",
                    args.user
                ));
                continue;
            }
        };
        return Err(Error::NotUsersDevice {
            serial: serial.clone(),
            user: args.user.clone(),
            holder,
        });
    }
    Ok(chosen)
}

/// Asks which of several devices to reset.
fn pick(user: &str, devices: &[Device], prompt: &mut dyn Prompt) -> Result<Vec<Device>, Error> {
    let mut listing = format!("{user} has {} MFA devices:\n", devices.len());
    for (number, device) in devices.iter().enumerate() {
        listing.push_str(&format!(
            "  {}. {} ({})\n",
            number + 1,
            device.serial_number,
            device.kind.label()
        ));
    }
    prompt.say(listing.trim_end())?;
    let Some(answer) = prompt.ask("Reset which? (numbers separated by spaces, or \"all\") ")?
    else {
        return Err(Error::Usage(format!(
            "{user} has {} MFA devices: choose with --serial (repeatable) or --all; nothing was changed",
            devices.len()
        )));
    };
    if answer.eq_ignore_ascii_case("all") {
        return Ok(devices.to_vec());
    }
    let mut chosen = Vec::new();
    for word in answer.split([' ', ',']).filter(|word| !word.is_empty()) {
        let device = word
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| devices.get(i));
        match device {
            Some(device) if !chosen.contains(device) => chosen.push(device.clone()),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "{word:?} is not one of the numbers shown; nothing was changed"
                )));
            }
        }
    }
    if chosen.is_empty() {
        return Err(prompt::Error::Refused.into());
    }
    Ok(chosen)
}

impl Report for Reset {
    fn text(&self) -> String {
        let mut text = if self.devices.is_empty() {
            String::new()
        } else {
            format!(
                "MFA devices of {}:\n{}",
                self.user,
                table::render(
                    &["USER", "TYPE", "SERIAL", "ENABLED"],
                    &device_rows(&self.devices)
                )
            )
        };
        for note in &self.notes {
            text.push_str(&format!("Note: {note}\n"));
        }
        text.push_str(&plan::describe(&self.calls, self.dry_run, self.changed));
        if let Some(next) = &self.next_step {
            text.push_str(&format!("Next step: {next}\n"));
        }
        text
    }
}
