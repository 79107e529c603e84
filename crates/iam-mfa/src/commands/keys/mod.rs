//! `keys`: long-term access keys off `~/.aws/credentials`, in the OS keychain or the
//! passphrase-encrypted key file (`crate::session::stored`). `add` stores a profile's keys
//! (typed, or moved out of the credentials file), `list` says where each profile's keys live,
//! `remove` deletes stored keys. Session commands then read the store on a cache miss only.

mod add;
mod list;
mod remove;
mod rotate;

use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::source::Profiles;
use crate::session::stored::{self, KEY_ID_KEY, Location, STORE_KEY};
use crate::ui::output::{self, Report};
use aws_profiles::{FileKind, ProfileSet};
use key_store::{Keychain, Keys};

/// The `keys` commands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Store a profile's long-term keys in the OS keychain (or the encrypted key file where no
    /// keychain runs), typed on the terminal or moved out of the credentials file
    /// (`--from-credentials`), and mark the profile in the config file.
    Add(add::AddArgs),
    /// Where each profile's long-term keys live (keychain, key file, credentials file), with
    /// the access key id; never a secret.
    List(list::ListArgs),
    /// Replace a profile's access key with a new one, under an MFA session: create it, store it
    /// where the old one was, verify it, then deactivate and delete the old key. Refuses when
    /// the user already has two keys; a run that failed half-way is resumed by running it again.
    Rotate(rotate::RotateArgs),
    /// Delete a profile's stored keys and its mark in the config file. The key itself stays
    /// valid in IAM: deactivate it there if it is no longer needed.
    Remove(remove::RemoveArgs),
}

/// Runs one `keys` command; returns the exit code.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Error> {
    match command {
        Command::Add(args) => add::run(&args, global),
        Command::List(args) => list::run(&args, global),
        Command::Remove(args) => remove::run(&args, global),
        Command::Rotate(args) => rotate::run(&args, global),
    }
}

fn print(report: &impl Report, global: &GlobalArgs) -> Result<(), Error> {
    output::print(report, global.output).map_err(Error::Output)
}

/// Removes `keys` from the config file's `profile`, in one edit.
fn clear(set: &ProfileSet, profile: &str, keys: &[&str]) -> Result<bool, Error> {
    crate::session::update_file(set.snapshot(FileKind::Config), false, |doc| {
        for key in keys {
            doc.remove_key(profile, key);
        }
        Ok(())
    })
}

/// Stores `keys` at `location` and reads them back; the key file's path for `File`.
fn store(
    location: Location,
    profiles: &Profiles,
    name: &str,
    keys: &Keys,
) -> Result<Option<String>, Error> {
    match location {
        Location::Keychain => {
            Keychain::open()?.set(name, keys)?;
            Ok(None)
        }
        Location::File => {
            let file = stored::key_file(&profiles.paths.config);
            let passphrase = stored::passphrase(&file, !file.exists())?;
            file.set(name, keys, &passphrase)?;
            if file.get(name, &passphrase)?.as_ref() != Some(keys) {
                return Err(Error::Conflict(format!(
                    "the key file {} does not read back what was written; the credentials file is unchanged",
                    file.path().display()
                )));
            }
            Ok(Some(file.path().display().to_string()))
        }
    }
}

/// Saves `keys` as `profile`'s: at `stored` (read back, and the config's mark and key id set),
/// else as the credentials file's two key lines; `also` is set in the profile's config section
/// in the same edit (a rotation's mark). The key file's path for `Location::File`.
fn save_keys(
    profiles: &Profiles,
    profile: &str,
    stored: Option<Location>,
    keys: &Keys,
    also: Option<(&str, &str)>,
) -> Result<Option<String>, Error> {
    let key_file = match stored {
        Some(location) => store(location, profiles, profile, keys)?,
        None => {
            crate::session::update_file(
                profiles.set.snapshot(FileKind::Credentials),
                false,
                |doc| {
                    doc.try_set(profile, "aws_access_key_id", &keys.access_key_id)?;
                    doc.try_set(profile, "aws_secret_access_key", &keys.secret_access_key)?;
                    Ok(())
                },
            )?;
            None
        }
    };
    crate::session::update_file(profiles.set.snapshot(FileKind::Config), false, |doc| {
        if let Some(location) = stored {
            doc.try_set(profile, STORE_KEY, location.marker())?;
            doc.try_set(profile, KEY_ID_KEY, &keys.access_key_id)?;
        }
        if let Some((key, value)) = also {
            doc.try_set(profile, key, value)?;
        }
        Ok(())
    })?;
    Ok(key_file)
}
