//! `iam-mfa policy …`: offline work on identity policies with the `iam-policy` engine.

pub mod simulate;
pub mod sources;

use clap::Subcommand;

use crate::aws::GlobalArgs;
use crate::ui::exit::{Code, Failure};

/// The `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate requests against identity policies offline, as IAM would decide them.
    ///
    /// One request from flags prints the decision and the deciding statements (`--explain`
    /// adds a per-statement trace); `--requests FILE|-` evaluates JSON Lines, one result line per
    /// request, in input order. Exit code 0 when every request was evaluated, 1 when some line
    /// could not be (its result line carries an "error"), 2 for bad flags or policies.
    Simulate(simulate::Args),
}

/// Runs a `policy` subcommand.
pub fn run(command: Command, global: &GlobalArgs) -> Result<u8, Error> {
    match command {
        Command::Simulate(args) => simulate::run(&args, global),
    }
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Error {
    code: Code,
    inner: anyhow::Error,
}

impl Error {
    /// Bad input: flags, files, policies (exit code 2).
    pub fn usage(inner: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Usage,
            inner: inner.into(),
        }
    }

    /// Anything else (exit code 1).
    pub fn failure(inner: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Failure,
            inner: inner.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.inner)
    }
}

impl Failure for Error {
    fn exit_code(&self) -> u8 {
        self.code.into()
    }
}
