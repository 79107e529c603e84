//! `exec`: run a command with the session in its environment. Stale credential variables are
//! cleared first. On Unix iam-mfa replaces itself with the command (as aws-vault does), so
//! signals reach the command directly and its exit status is the shell's to see; elsewhere the
//! child runs under iam-mfa, which passes its exit code through.

use super::environment::{STALE, region_vars, session_vars};
use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::obtain::{SessionArgs, obtain};
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
    command.envs(session_vars(&obtained.session));
    command.envs(region_vars(&obtained.region));
    let spawn_error = |source| Error::Spawn {
        program: program.to_string_lossy().into_owned(),
        source,
    };
    replace_with(command).map_err(spawn_error)
}

/// Replaces this process with `command`: nothing of iam-mfa stays around to be killed while
/// the command keeps running. Returns only when the command cannot be started.
#[cfg(unix)]
fn replace_with(mut command: Command) -> Result<u8, std::io::Error> {
    Err(std::os::unix::process::CommandExt::exec(&mut command))
}

/// Runs `command` as a child and passes its exit code through. Ctrl-C reaches the child from
/// the console as well; iam-mfa only notes it and ends the child, so no child outlives it.
#[cfg(not(unix))]
fn replace_with(mut command: Command) -> Result<u8, std::io::Error> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut child = command.spawn()?;
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&signalled))?;
    }
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status
                .code()
                .map_or(1, |code| u8::try_from(code & 0xff).unwrap_or(1)));
        }
        if signalled.swap(false, Ordering::SeqCst) {
            // Fails only when the child has just ended, which the next `try_wait` reports.
            let _ = child.kill();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
