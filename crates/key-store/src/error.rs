//! Why keys could not be read or stored. No variant carries a secret.

use std::path::PathBuf;

/// A failure of a key store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No keychain service answers (no Secret Service on the session bus, no D-Bus session).
    #[error("no keychain is available here: {0}")]
    KeychainUnavailable(String),
    /// The keychain answered but refused access (locked, or the user declined the prompt).
    #[error("the keychain refused access: {0}")]
    KeychainRefused(String),
    /// Any other keychain failure.
    #[error("the keychain failed: {0}")]
    Keychain(String),
    /// A keychain entry of iam-mfa that does not hold keys as iam-mfa stores them.
    #[error("the keychain entry of profile `{profile}` is not one iam-mfa wrote")]
    BadEntry {
        /// The profile.
        profile: String,
    },
    /// The passphrase does not open the encrypted file.
    #[error("wrong passphrase for {}", path.display())]
    WrongPassphrase {
        /// The encrypted file.
        path: PathBuf,
    },
    /// The file is not an encrypted key file of iam-mfa (or is damaged).
    #[error("{} is not an iam-mfa key file: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading, writing, locking or replacing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// `read`, `write`, `lock`, `replace`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_owned();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}
