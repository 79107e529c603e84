//! `exec`: run a command with the session in its environment. Stale credential variables are
//! cleared first; the child's exit code is passed through (128 + N when killed by signal N).

use super::Error;
use super::environment::{STALE, region_vars, session_vars};
use super::obtain::{SessionArgs, obtain};
use crate::aws::GlobalArgs;
use std::ffi::OsString;
use std::process::Command;

#[derive(clap::Args, Debug)]
pub struct ExecArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<OsString>,
}

pub fn run(args: ExecArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let obtained = obtain(&args.session, global)?;
    let mut words = args.command.into_iter();
    let program = words.next().unwrap_or_default();
    let mut command = Command::new(&program);
    command.args(words);
    for name in STALE {
        command.env_remove(name);
    }
    command.envs(session_vars(&obtained.record.session));
    command.envs(region_vars(&obtained.region));
    let status = command.status().map_err(|source| Error::Spawn {
        program: program.to_string_lossy().into_owned(),
        source,
    })?;
    Ok(exit_code(status))
}

/// The shell convention for a child's status.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return u8::try_from(128 + signal).unwrap_or(1);
    }
    1
}
