//! Where policies come from on the command line: `--policy NAME=FILE` (or a bare `FILE`, named
//! by its stem) and `--managed NAME|ARN` (an embedded AWS-managed policy).

use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use iam_policy::PolicySet;

/// The policy flags shared by the `policy` subcommands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// An identity policy file: `NAME=FILE`, or `FILE` (named by its file stem). Repeatable.
    #[arg(long = "policy", value_name = "[NAME=]FILE")]
    pub policies: Vec<String>,
    /// An AWS-managed policy, embedded (no AWS call): name (`PowerUserAccess`), path and name
    /// (`job-function/ViewOnlyAccess`) or ARN. Repeatable.
    #[arg(long = "managed", value_name = "NAME|ARN")]
    pub managed: Vec<String>,
}

/// One policy to load: its name in statement labels and where its text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// A file on disk.
    File { name: String, path: PathBuf },
    /// An embedded AWS-managed policy.
    Managed {
        name: String,
        document: &'static str,
    },
}

/// A `[NAME=]FILE` argument of `flag`: the name (the file stem when not given) and the path.
pub fn named_file(flag: &str, spec: &str) -> anyhow::Result<(String, PathBuf)> {
    match spec.split_once('=') {
        Some((name, path)) if !name.is_empty() => Ok((name.to_owned(), PathBuf::from(path))),
        _ => {
            let path = PathBuf::from(spec);
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| {
                    anyhow!("{flag} {spec}: cannot name a policy after this path; use NAME=FILE")
                })?
                .to_owned();
            Ok((stem, path))
        }
    }
}

impl PolicyArgs {
    /// The sources in command-line order (files, then managed policies).
    pub fn sources(&self) -> anyhow::Result<Vec<PolicySource>> {
        let mut out = Vec::new();
        for spec in &self.policies {
            let (name, path) = named_file("--policy", spec)?;
            out.push(PolicySource::File { name, path });
        }
        for wanted in &self.managed {
            let policy = iam_catalog::managed_policy(wanted).ok_or_else(|| {
                anyhow!(
                    "--managed {wanted}: no such AWS-managed policy in the embedded set ({})",
                    iam_catalog::managed_source()
                )
            })?;
            out.push(PolicySource::Managed {
                name: policy.name.to_owned(),
                document: policy.document,
            });
        }
        Ok(out)
    }

    /// Loads every source into one policy set; an error names the file, line and column.
    pub fn load(&self) -> anyhow::Result<PolicySet> {
        let mut set = PolicySet::new();
        for source in self.sources()? {
            add(&mut set, &source)?;
        }
        Ok(set)
    }

    /// Whether no policy was given.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty() && self.managed.is_empty()
    }
}

/// Parses one source into `set`.
pub fn add(set: &mut PolicySet, source: &PolicySource) -> anyhow::Result<()> {
    match source {
        PolicySource::File { name, path } => {
            let text = crate::policy_file::read(path)?;
            set.add_document(name, &text)
                .map_err(|e| anyhow!("{}: {e}", path.display()))
        }
        PolicySource::Managed { name, document } => set
            .add_document(name, document)
            .with_context(|| format!("embedded managed policy {name}")),
    }
}
