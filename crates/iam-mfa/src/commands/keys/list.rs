//! `keys list`: where each profile's long-term keys live, read from the two AWS files alone
//! (the stores are not opened: no prompt, no passphrase).

use serde::Serialize;

use super::print;
use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::source::Profiles;
use crate::session::stored::{KEY_ID_KEY, Location, STORE_KEY};
use crate::ui::output::Report;

#[derive(clap::Args, Debug)]
pub struct ListArgs {}

/// One profile with long-term keys.
#[derive(Serialize)]
struct Entry {
    profile: String,
    /// `keychain`, `file`, `credentials_file`, or `invalid` (an unknown mark).
    store: String,
    access_key_id: Option<String>,
}

#[derive(Serialize)]
struct ListReport {
    profiles: Vec<Entry>,
}

impl Report for ListReport {
    fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if self.profiles.is_empty() {
            return "No profile has long-term keys.\n".to_owned();
        }
        for e in &self.profiles {
            let _ = writeln!(
                out,
                "{:<24} {:<18} {}",
                e.profile,
                e.store,
                e.access_key_id.as_deref().unwrap_or("-")
            );
        }
        out
    }
}

pub fn run(_args: &ListArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let profiles = Profiles::load()?;
    let set = &profiles.set;
    let mut names = set.profile_names();
    names.sort();
    let entries = names
        .into_iter()
        .filter_map(|profile| {
            let (store, id) = match set.get(&profile, STORE_KEY) {
                Some(mark) => {
                    let store = match Location::from_marker(&profile, mark) {
                        Ok(Location::Keychain) => "keychain",
                        Ok(Location::File) => "file",
                        Err(_) => "invalid",
                    };
                    (store, set.get(&profile, KEY_ID_KEY))
                }
                None => (
                    "credentials_file",
                    set.get(&profile, "aws_secret_access_key")
                        .and(set.get(&profile, "aws_access_key_id"))
                        .filter(|_| set.get(&profile, "aws_session_token").is_none())?
                        .into(),
                ),
            };
            Some(Entry {
                store: store.to_owned(),
                access_key_id: id.map(str::to_owned),
                profile,
            })
        })
        .collect();
    print(&ListReport { profiles: entries }, global)?;
    Ok(0)
}
