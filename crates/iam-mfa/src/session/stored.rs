//! Where a source profile's long-term keys live when they are off `~/.aws/credentials`: the OS
//! keychain or the passphrase-encrypted key file (`key-store`). The config file marks such a
//! profile with `x_iam_mfa_keychain` (`true`: the keychain; `file`: the key file) and keeps its
//! access key id, which is not secret, as `x_iam_mfa_access_key_id`, so a cache hit (keyed by
//! the key id) never opens the store; only a cache miss reads it, once.

use std::path::PathBuf;

use key_store::{EncryptedFile, Keychain, Keys, SecretString};

use super::Error;
use crate::ui::tty::NO_TTY;

/// Config key marking a profile whose keys are stored; its value is a [`Location`]. The profile
/// chain counts such a profile as one with a key pair.
pub const STORE_KEY: &str = aws_profiles::STORED_KEYS;
/// Config key holding the stored profile's access key id.
pub const KEY_ID_KEY: &str = "x_iam_mfa_access_key_id";
/// The key file's path, instead of `iam-mfa/keys.age` beside the config file.
pub const KEY_FILE_VAR: &str = "IAM_MFA_KEY_FILE";
/// A file to read the key file's passphrase from (its first line), e.g. `/dev/fd/3`: for
/// scripts and CI, where no one types it.
pub const PASSPHRASE_FILE_VAR: &str = "IAM_MFA_PASSPHRASE_FILE";

/// Where a profile's keys are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service).
    Keychain,
    /// The passphrase-encrypted key file.
    File,
}

impl Location {
    /// The value of [`STORE_KEY`] for this location.
    pub fn marker(self) -> &'static str {
        match self {
            Location::Keychain => "true",
            Location::File => "file",
        }
    }

    /// Reads a [`STORE_KEY`] value.
    pub fn from_marker(profile: &str, value: &str) -> Result<Location, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Location::Keychain),
            "file" => Ok(Location::File),
            other => Err(Error::NotASource {
                profile: profile.to_owned(),
                reason: format!(
                    "its {STORE_KEY} is `{other}`; it must be `true` (the OS keychain) or `file` (the encrypted key file)"
                ),
            }),
        }
    }
}

/// The encrypted key file: `IAM_MFA_KEY_FILE`, else `iam-mfa/keys.age` beside the config file.
pub fn key_file(config: &std::path::Path) -> EncryptedFile {
    let path = std::env::var_os(KEY_FILE_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            config
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("iam-mfa")
                .join("keys.age")
        });
    EncryptedFile::new(path)
}

/// The key file's passphrase: the first line of `IAM_MFA_PASSPHRASE_FILE` when set, else typed
/// on the terminal without echo (twice when `confirm`, for a new file).
pub fn passphrase(file: &EncryptedFile, confirm: bool) -> Result<SecretString, Error> {
    if let Some(path) = std::env::var_os(PASSPHRASE_FILE_VAR).filter(|v| !v.is_empty()) {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Passphrase(format!(
                "cannot read {PASSPHRASE_FILE_VAR} ({}): {e}",
                PathBuf::from(&path).display()
            ))
        })?;
        let line = text.lines().next().unwrap_or("").to_owned();
        return non_empty(line);
    }
    if std::env::var_os(NO_TTY).is_some() {
        return Err(Error::Passphrase(format!(
            "the key file {} needs its passphrase: set {PASSPHRASE_FILE_VAR}, or run on a terminal",
            file.path().display()
        )));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| {
            Error::Passphrase(format!(
                "the key file {} needs its passphrase and there is no terminal to ask on ({e}): set {PASSPHRASE_FILE_VAR}",
                file.path().display()
            ))
        })
    };
    let first = ask(&format!("Passphrase for {}: ", file.path().display()))?;
    if confirm && ask("Again, to confirm: ")? != first {
        return Err(Error::Passphrase("the two passphrases differ".to_owned()));
    }
    non_empty(first)
}

fn non_empty(text: String) -> Result<SecretString, Error> {
    if text.is_empty() {
        Err(Error::Passphrase("the passphrase is empty".to_owned()))
    } else {
        Ok(SecretString::from(text))
    }
}

/// The keys of `profile` at `location`; an error when there are none.
pub fn read(location: Location, config: &std::path::Path, profile: &str) -> Result<Keys, Error> {
    let missing = |place: String| Error::NoStoredKeys {
        profile: profile.to_owned(),
        place,
    };
    match location {
        Location::Keychain => Keychain::open()?
            .get(profile)?
            .ok_or_else(|| missing("the OS keychain".to_owned())),
        Location::File => {
            let file = key_file(config);
            let place = || file.path().display().to_string();
            if !file.exists() {
                return Err(missing(place()));
            }
            let passphrase = passphrase(&file, false)?;
            file.get(profile, &passphrase)?
                .ok_or_else(|| missing(place()))
        }
    }
}
