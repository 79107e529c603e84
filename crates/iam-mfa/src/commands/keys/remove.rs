//! `keys remove`: delete a profile's stored keys, then its mark in the config file.

use key_store::Keychain;
use serde::Serialize;

use super::print;
use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::source::{Profiles, profile_name};
use crate::session::stored::{self, KEY_ID_KEY, Location, STORE_KEY};
use crate::ui::output::Report;
use crate::ui::tty::Tty;

#[derive(clap::Args, Debug)]
pub struct RemoveArgs {
    /// The profile whose stored keys to delete [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    profile: Option<String>,
    /// Do not ask for confirmation (needed without a terminal).
    #[arg(long)]
    yes: bool,
}

#[derive(Serialize)]
struct RemoveReport {
    profile: String,
    store: Location,
    deleted: bool,
}

impl Report for RemoveReport {
    fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if self.deleted {
            let _ = writeln!(
                out,
                "Deleted the stored keys of profile `{}`.",
                self.profile
            );
        } else {
            let _ = writeln!(
                out,
                "The store had no keys for profile `{}`; removed its mark.",
                self.profile
            );
        }
        out.push_str(
            "The access key is still valid in IAM: deactivate and delete it there if nothing else uses it.\n",
        );
        out
    }
}

pub fn run(args: &RemoveArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let profiles = Profiles::load()?;
    let Some(marker) = profiles.set.get(&name, STORE_KEY) else {
        return Err(Error::Conflict(format!(
            "profile `{name}` has no stored keys (no {STORE_KEY} in its config); nothing to remove"
        )));
    };
    let location = Location::from_marker(&name, marker)?;
    if !args.yes {
        confirm(&name)?;
    }
    let deleted = match location {
        Location::Keychain => Keychain::open()?.remove(&name)?,
        Location::File => {
            let file = stored::key_file(&profiles.paths.config);
            if file.exists() {
                let passphrase = stored::passphrase(&file, false)?;
                file.remove(&name, &passphrase)?
            } else {
                false
            }
        }
    };
    super::clear(&profiles.set, &name, &[STORE_KEY, KEY_ID_KEY])?;
    print(
        &RemoveReport {
            profile: name,
            store: location,
            deleted,
        },
        global,
    )?;
    Ok(0)
}

/// Asks on the terminal before deleting what may be the only copy of a secret.
fn confirm(name: &str) -> Result<(), Error> {
    let answer = Tty::open()
        .and_then(|mut tty| {
            tty.prompt(&format!(
                "Delete the stored keys of profile `{name}`? They may be the only copy of the secret. [y/N] "
            ))
        })
        .map_err(|e| Error::Conflict(format!("no terminal to confirm on ({e}); pass --yes")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Error::Conflict(
            "not confirmed; nothing was changed".to_owned(),
        ))
    }
}
