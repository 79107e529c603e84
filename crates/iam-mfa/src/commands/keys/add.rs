//! `keys add`: store a profile's keys, verify them by reading them back, mark the profile in
//! the config file, and only then (`--from-credentials`) remove the key lines from the
//! credentials file. Killed at any point, the keys are still in one place at least, and running
//! it again finishes the move.

use key_store::{Keychain, Keys};

use serde::Serialize;

use super::{print, save_keys};
use crate::args::GlobalArgs;
use crate::session::source::{Profiles, profile_name};
use crate::session::stored::Location;
use crate::session::{Error, update_file};
use crate::ui::output::Report;
use crate::ui::tty::{NO_TTY, Tty, notice};
use aws_profiles::FileKind;

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The profile whose keys to store [default: --profile, AWS_PROFILE, `default`].
    #[arg(value_name = "PROFILE")]
    profile: Option<String>,
    /// Move the keys out of the credentials file's [PROFILE] (its two key lines are removed once
    /// the store holds them; every other byte of the file stays) instead of typing them.
    #[arg(long)]
    from_credentials: bool,
    /// Where to store them [default: the OS keychain when one answers, else the key file].
    #[arg(long, value_enum, value_name = "STORE")]
    store: Option<Location>,
}

#[derive(Serialize)]
struct AddReport {
    profile: String,
    store: Location,
    /// The key file, for `store: file`.
    key_file: Option<String>,
    access_key_id: String,
    removed_from_credentials: bool,
}

impl Report for AddReport {
    fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let place = match &self.key_file {
            Some(path) => format!("the key file {path}"),
            None => "the OS keychain".to_owned(),
        };
        let _ = writeln!(
            out,
            "Stored the keys of profile `{}` ({}) in {place}.",
            self.profile, self.access_key_id
        );
        if self.removed_from_credentials {
            let _ = writeln!(out, "Removed them from the credentials file.");
        }
        out
    }
}

pub fn run(args: &AddArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let name = profile_name(args.profile.as_deref(), global.profile.as_deref());
    let profiles = Profiles::load()?;
    let keys = if args.from_credentials {
        from_credentials(&profiles, &name)?
    } else {
        typed(&name)?
    };
    for value in [&keys.access_key_id, &*keys.secret_access_key] {
        crate::aws::check_credential_text(value).map_err(|reason| {
            Error::Conflict(format!(
                "the access key is unusable: {reason} (value not shown)"
            ))
        })?;
    }
    let location = match args.store {
        Some(location) => location,
        None => match Keychain::open() {
            Ok(_) => Location::Keychain,
            Err(e) => {
                notice(&format!(
                    "{e}; storing the keys in the encrypted key file instead"
                ));
                Location::File
            }
        },
    };
    let key_file = save_keys(&profiles, &name, Some(location), &keys, None)?;
    let removed = args.from_credentials && remove_from_credentials(&profiles, &name)?;
    print(
        &AddReport {
            profile: name,
            store: location,
            key_file,
            access_key_id: keys.access_key_id.clone(),
            removed_from_credentials: removed,
        },
        global,
    )?;
    Ok(0)
}

/// The keys of the credentials file's `[profile]`.
fn from_credentials(profiles: &Profiles, name: &str) -> Result<Keys, Error> {
    let doc = profiles.set.snapshot(FileKind::Credentials).document();
    match (
        doc.get(name, "aws_access_key_id"),
        doc.get(name, "aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Keys::new(id, secret)),
        _ => Err(Error::Conflict(format!(
            "{} has no aws_access_key_id and aws_secret_access_key in [{name}]; type the keys instead (`iam-mfa keys add {name}`)",
            profiles.paths.credentials.display()
        ))),
    }
}

/// The keys typed on the terminal, the secret without echo.
fn typed(name: &str) -> Result<Keys, Error> {
    let no_terminal = |e: std::io::Error| {
        Error::Terminal(format!(
            "typing the keys needs a terminal ({e}); move them from the credentials file with --from-credentials"
        ))
    };
    if std::env::var_os(NO_TTY).is_some() {
        return Err(no_terminal(std::io::Error::other(format!(
            "{NO_TTY} is set"
        ))));
    }
    let id = Tty::open()
        .and_then(|mut tty| tty.prompt(&format!("Access key id for profile `{name}`: ")))
        .map_err(no_terminal)?;
    let secret =
        rpassword::prompt_password("Secret access key (not shown): ").map_err(no_terminal)?;
    Ok(Keys::new(id.trim(), secret.trim()))
}

/// Removes the two key lines of `[name]` from the credentials file (every copy of the section);
/// whether anything was removed.
fn remove_from_credentials(profiles: &Profiles, name: &str) -> Result<bool, Error> {
    let baseline = profiles.set.snapshot(FileKind::Credentials);
    update_file(baseline, false, |doc| {
        doc.remove_key(name, "aws_access_key_id");
        doc.remove_key(name, "aws_secret_access_key");
        Ok(())
    })
}
