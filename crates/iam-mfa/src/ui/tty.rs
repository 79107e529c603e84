//! The controlling terminal, opened directly so prompts work under `credential_process`, where
//! stdin, stdout and stderr belong to the calling SDK rather than the user.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};

#[cfg(unix)]
const INPUT: &str = "/dev/tty";
#[cfg(unix)]
const OUTPUT: &str = "/dev/tty";
#[cfg(windows)]
const INPUT: &str = "CONIN$";
#[cfg(windows)]
const OUTPUT: &str = "CONOUT$";

/// Set (to anything) to keep iam-mfa off the terminal.
pub const NO_TTY: &str = "IAM_MFA_NO_TTY";

/// A handle on the user's terminal.
pub struct Tty {
    input: BufReader<File>,
    output: File,
}

impl Tty {
    /// Opens the controlling terminal; fails when the process has none (CI, IDE, cron) or when
    /// `IAM_MFA_NO_TTY` is set (never prompt: fail fast instead, e.g. in scripts and tests).
    pub fn open() -> io::Result<Tty> {
        if std::env::var_os(NO_TTY).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("terminal disabled by {NO_TTY}"),
            ));
        }
        let input = OpenOptions::new().read(true).open(INPUT)?;
        let output = OpenOptions::new().write(true).open(OUTPUT)?;
        Ok(Tty {
            input: BufReader::new(input),
            output,
        })
    }

    /// Writes `message` (no newline added) and reads one line, without its line ending.
    pub fn prompt(&mut self, message: &str) -> io::Result<String> {
        self.output.write_all(message.as_bytes())?;
        self.output.flush()?;
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "terminal closed",
            ));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }

    /// Writes one line to the terminal.
    pub fn say(&mut self, message: &str) -> io::Result<()> {
        writeln!(self.output, "{message}")
    }

    /// Clones of the terminal handles, to attach a child process (`mfa_process`) to the terminal.
    pub fn handles(&self) -> io::Result<(File, File)> {
        Ok((self.input.get_ref().try_clone()?, self.output.try_clone()?))
    }
}

/// Tells the user something: on the terminal when there is one (so it is seen even under
/// `credential_process`), else on stderr. Never pass secrets.
pub fn notice(message: &str) {
    let shown = Tty::open().and_then(|mut tty| tty.say(message));
    if shown.is_err() {
        super::exit::to_stderr(&format!("iam-mfa: {message}"));
    }
}
