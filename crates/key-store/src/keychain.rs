//! The operating system's keychain, through the keyring ecosystem's native stores: the Secret
//! Service on Linux (GNOME Keyring, KWallet), the Keychain on macOS, the Credential Manager on
//! Windows. One entry per profile, service `iam-mfa`, holding the keys as JSON.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

use crate::{Error, Keys};

/// The service name of iam-mfa's entries.
const SERVICE: &str = "iam-mfa";

/// The platform keychain, opened.
pub struct Keychain {
    store: Arc<CredentialStore>,
}

impl Keychain {
    /// Opens the platform's keychain; on Linux this connects to the Secret Service on the
    /// session bus, and fails when there is none.
    pub fn open() -> Result<Self, Error> {
        native_store()
            .map(|store| Self { store })
            .map_err(|e| Error::KeychainUnavailable(describe(&e)))
    }

    /// The keys stored for `profile`, if any.
    pub fn get(&self, profile: &str) -> Result<Option<Keys>, Error> {
        let password = match self.entry(profile)?.get_password() {
            Ok(password) => Zeroizing::new(password),
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(failure(e, profile)),
        };
        serde_json::from_str(&password)
            .map(Some)
            .map_err(|_| Error::BadEntry {
                profile: profile.to_owned(),
            })
    }

    /// Stores `keys` for `profile`, replacing what was there, and reads them back: a keychain
    /// that accepted the write but returns something else is an error.
    pub fn set(&self, profile: &str, keys: &Keys) -> Result<(), Error> {
        let json = Zeroizing::new(
            serde_json::to_string(keys).map_err(|e| Error::Keychain(e.to_string()))?,
        );
        self.entry(profile)?
            .set_password(&json)
            .map_err(|e| failure(e, profile))?;
        match self.get(profile)? {
            Some(stored) if stored == *keys => Ok(()),
            _ => Err(Error::Keychain(format!(
                "the entry of profile `{profile}` does not read back as written"
            ))),
        }
    }

    /// Deletes the entry of `profile`; whether there was one.
    pub fn remove(&self, profile: &str) -> Result<bool, Error> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(failure(e, profile)),
        }
    }

    fn entry(&self, profile: &str) -> Result<Entry, Error> {
        Entry::new_in_store(&self.store, SERVICE, profile).map_err(|e| failure(e, profile))
    }
}

#[cfg(target_os = "linux")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore(
        "no keychain is supported on this operating system".to_owned(),
    ))
}

/// A keyring error as one of ours, without the bytes some variants carry (a secret, maybe).
fn failure(error: keyring_core::Error, profile: &str) -> Error {
    match error {
        keyring_core::Error::NoStorageAccess(_) => Error::KeychainRefused(describe(&error)),
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            Error::BadEntry {
                profile: profile.to_owned(),
            }
        }
        other => Error::Keychain(describe(&other)),
    }
}

/// The text of an error that carries no secret (not `BadEncoding` or `BadDataFormat`).
fn describe(error: &keyring_core::Error) -> String {
    match error {
        keyring_core::Error::PlatformFailure(e) | keyring_core::Error::NoStorageAccess(e) => {
            e.to_string()
        }
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            "an entry is not in the expected format".to_owned()
        }
        other => other.to_string(),
    }
}
