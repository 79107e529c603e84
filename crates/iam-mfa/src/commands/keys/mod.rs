//! `keys`: long-term access keys off `~/.aws/credentials`, in the OS keychain or the
//! passphrase-encrypted key file (`crate::session::stored`). `add` stores a profile's keys
//! (typed, or moved out of the credentials file), `list` says where each profile's keys live,
//! `remove` deletes stored keys. Session commands then read the store on a cache miss only.

mod add;
mod list;
mod remove;

use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::stored::{KEY_ID_KEY, STORE_KEY};
use crate::ui::output::{self, Report};
use aws_profiles::{FileKind, ProfileSet};

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
    }
}

fn print(report: &impl Report, global: &GlobalArgs) -> Result<(), Error> {
    output::print(report, global.output).map_err(Error::Output)
}

/// Sets (`Some`) or removes (`None`) the store mark of `profile` in the config file.
fn mark(set: &ProfileSet, profile: &str, mark: Option<(&str, &str)>) -> Result<bool, Error> {
    let baseline = set.snapshot(FileKind::Config);
    crate::session::update_file(baseline, false, |doc| {
        match mark {
            Some((location, key_id)) => {
                doc.try_set(profile, STORE_KEY, location)?;
                doc.try_set(profile, KEY_ID_KEY, key_id)?;
            }
            None => {
                doc.remove_key(profile, STORE_KEY);
                doc.remove_key(profile, KEY_ID_KEY);
            }
        }
        Ok(())
    })
}
