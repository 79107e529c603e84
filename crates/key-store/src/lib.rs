//! Where iam-mfa keeps an IAM user's long-term access keys instead of `~/.aws/credentials`:
//! the operating system's keychain ([`Keychain`]: the macOS Keychain, the Windows Credential
//! Manager, the Secret Service on Linux), or, where none runs (servers, WSL, CI), a file
//! encrypted with a passphrase ([`EncryptedFile`], age's scrypt recipient).
//!
//! Both hold [`Keys`] by profile name. Secrets are wiped from memory when dropped, never
//! printed by `Debug`, and never part of an error.

#![forbid(unsafe_code)]

mod error;
mod file;
mod keychain;
mod keys;

pub use age::secrecy::{ExposeSecret, SecretString};
pub use error::Error;
pub use file::EncryptedFile;
pub use keychain::Keychain;
pub use keys::Keys;
pub use zeroize::Zeroizing;
