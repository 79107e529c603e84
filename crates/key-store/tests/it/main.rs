//! key-store's integration tests: the encrypted file for real, and the Secret Service for real
//! (a private D-Bus session with GNOME Keyring, started by the test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests and their helpers fail loudly

mod file;
mod keychain;
