//! [`ProfileSet`]: the config and credentials files together, as the SDKs resolve a profile's settings.

use crate::document::{Document, FileKind, Section};
use crate::error::Error;
use crate::paths::Paths;
use crate::store::read_document;

/// Both files of one environment. A key in a profile of the credentials file overrides the same key of the same
/// profile in the config file; other keys of both are kept (botocore and the Rust SDK merge per key alike).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSet {
    config: Document,
    credentials: Document,
}

impl ProfileSet {
    /// Reads both files; a missing file counts as empty, a malformed one is an error naming its line.
    pub fn load(paths: &Paths) -> Result<ProfileSet, Error> {
        Ok(ProfileSet {
            config: read_document(&paths.config, FileKind::Config)?,
            credentials: read_document(&paths.credentials, FileKind::Credentials)?,
        })
    }

    /// Combines two already parsed documents.
    pub fn from_documents(config: Document, credentials: Document) -> ProfileSet {
        ProfileSet {
            config,
            credentials,
        }
    }

    /// The effective value of `key` in `profile`: the credentials file's, else the config file's.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.credentials
            .get(profile, key)
            .or_else(|| self.config.get(profile, key))
    }

    /// A key of an `[sso-session NAME]` or `[services NAME]` section (config file only).
    pub fn get_in(&self, section: Section<'_>, key: &str) -> Option<&str> {
        match section {
            Section::Profile(profile) => self.get(profile, key),
            Section::SsoSession(_) | Section::Services(_) => self.config.get_in(section, key),
        }
    }

    /// Every profile of either file: the config file's in order, then those only in the credentials file.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names = self.config.profile_names();
        for name in self.credentials.profile_names() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Whether either file defines `profile`.
    pub fn has_profile(&self, profile: &str) -> bool {
        self.config.has_profile(profile) || self.credentials.has_profile(profile)
    }

    /// The config file.
    pub fn config(&self) -> &Document {
        &self.config
    }

    /// The credentials file.
    pub fn credentials(&self) -> &Document {
        &self.credentials
    }
}
