//! [`ProfileSet`]: the config and credentials files together, as the SDKs resolve a profile's settings.

use crate::document::{Document, FileKind, Section};
use crate::error::Error;
use crate::paths::Paths;
use crate::snapshot::Snapshot;

/// Both files of one environment. A key in a profile of the credentials file overrides the same key of the same
/// profile in the config file; other keys of both are kept (botocore and the Rust SDK merge per key alike).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSet {
    config: Snapshot,
    credentials: Snapshot,
}

impl ProfileSet {
    /// Reads both files with [`Snapshot::read`]; a missing file counts as empty, a malformed one is an error naming
    /// its line.
    pub fn load(paths: &Paths) -> Result<ProfileSet, Error> {
        Ok(ProfileSet {
            config: Snapshot::read(&paths.config, FileKind::Config)?,
            credentials: Snapshot::read(&paths.credentials, FileKind::Credentials)?,
        })
    }

    /// The effective value of `key` in `profile`: the credentials file's, else the config file's.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.credentials()
            .get(profile, key)
            .or_else(|| self.config().get(profile, key))
    }

    /// A key of an `[sso-session NAME]` or `[services NAME]` section (config file only).
    pub fn get_in(&self, section: Section<'_>, key: &str) -> Option<&str> {
        match section {
            Section::Profile(profile) => self.get(profile, key),
            Section::SsoSession(_) | Section::Services(_) => self.config().get_in(section, key),
        }
    }

    /// Every profile of either file: the config file's in order, then those only in the credentials file.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names = self.config().profile_names();
        let known: std::collections::HashSet<String> = names.iter().cloned().collect();
        names.extend(
            self.credentials()
                .profile_names()
                .into_iter()
                .filter(|name| !known.contains(name)),
        );
        names
    }

    /// Whether either file defines `profile`.
    pub fn has_profile(&self, profile: &str) -> bool {
        self.config().has_profile(profile) || self.credentials().has_profile(profile)
    }

    /// The config file.
    pub fn config(&self) -> &Document {
        self.config.document()
    }

    /// The credentials file.
    pub fn credentials(&self) -> &Document {
        self.credentials.document()
    }

    /// One file as read, the baseline to pass to [`crate::update`] when editing it.
    pub fn snapshot(&self, kind: FileKind) -> &Snapshot {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }
}
