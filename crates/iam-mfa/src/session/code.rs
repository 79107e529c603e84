//! Where the MFA code comes from, in order: `--code`, the profile's `mfa_process` (run with the
//! terminal attached), an interactive prompt on the controlling terminal; else a clear failure.

use super::Error;
use crate::ui::prompt::{self, Prompt};
use crate::ui::tty::Tty;
use std::process::{Command, Stdio};

/// Set in the environment of `mfa_process`, so an iam-mfa started from it (directly or through
/// an AWS CLI/SDK `credential_process`) refuses to recurse instead of deadlocking on the lock.
pub const ACTIVE_MARKER: &str = "IAM_MFA_ACTIVE";

/// How many times the prompt asks again after a malformed or rejected code.
pub const PROMPT_ATTEMPTS: usize = 3;

/// A syntactically valid MFA code: exactly six ASCII digits.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaCode(String);

impl MfaCode {
    /// Checks `text` (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<MfaCode, Error> {
        let text = text.trim();
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(MfaCode(text.to_owned()))
        } else {
            let reason = if text.bytes().all(|b| b.is_ascii_digit()) {
                format!("it has {} digits", text.len())
            } else {
                "it is not all digits".to_owned()
            };
            Err(Error::InvalidCode(format!(
                "an MFA code is exactly 6 digits, but {reason}"
            )))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaCode(******)")
    }
}

/// Which source gave the code (a prompted code can be asked for again when AWS rejects it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Process,
    Prompt,
}

/// The configured code sources.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sources<'a> {
    /// `--code`, already validated.
    pub flag: Option<&'a MfaCode>,
    /// The profile's `mfa_process` command line.
    pub process: Option<&'a str>,
}

/// Gets a code from the first available source; `retry_reason` is shown above a repeated prompt.
pub fn obtain(
    sources: Sources<'_>,
    serial: &str,
    retry_reason: Option<&str>,
) -> Result<(MfaCode, Origin), Error> {
    if retry_reason.is_none() {
        if let Some(code) = sources.flag {
            return Ok((code.clone(), Origin::Flag));
        }
        if let Some(command) = sources.process {
            return run_process(command).map(|code| (code, Origin::Process));
        }
    }
    let mut tty = Tty::open().map_err(|_| Error::NoCode {
        serial: serial.to_owned(),
    })?;
    prompt(&mut tty, serial, retry_reason).map(|code| (code, Origin::Prompt))
}

/// Asks until a well-formed code is typed (at most [`PROMPT_ATTEMPTS`] times).
fn prompt(
    terminal: &mut dyn Prompt,
    serial: &str,
    retry_reason: Option<&str>,
) -> Result<MfaCode, Error> {
    let failed = |err: prompt::Error| match err {
        prompt::Error::Terminal(err) => Error::Terminal(err.to_string()),
        other => Error::Terminal(other.to_string()),
    };
    if let Some(reason) = retry_reason {
        terminal.say(reason).map_err(failed)?;
    }
    let mut last = None;
    for _ in 0..PROMPT_ATTEMPTS {
        let line = terminal
            .ask(&format!("MFA code for {serial}: "))
            .map_err(failed)?
            .ok_or_else(|| Error::Terminal("terminal closed".to_owned()))?;
        match MfaCode::parse(&line) {
            Ok(code) => return Ok(code),
            Err(err) => {
                terminal.say(&err.to_string()).map_err(failed)?;
                last = Some(err);
            }
        }
    }
    Err(last.unwrap_or_else(|| Error::InvalidCode("no code entered".to_owned())))
}

/// Runs `mfa_process` through the platform shell, with the terminal (when there is one) as its
/// stdin and stderr so "touch your key" prompts are seen, and takes the first 6-digit group of
/// its stdout.
fn run_process(command_line: &str) -> Result<MfaCode, Error> {
    let failed = |reason: String| Error::MfaProcess(reason);
    let mut command = shell(command_line);
    command.env(ACTIVE_MARKER, "1").stdout(Stdio::piped());
    match Tty::open().and_then(|tty| tty.handles()) {
        Ok((input, output)) => command.stdin(input).stderr(output),
        Err(_) => command.stdin(Stdio::null()).stderr(Stdio::inherit()),
    };
    let output = command
        .output()
        .map_err(|err| failed(format!("cannot run it: {err}")))?;
    if !output.status.success() {
        return Err(failed(format!("it exited with {}", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    first_code(&text)
        .map(|digits| MfaCode(digits.to_owned()))
        .ok_or_else(|| failed("its output contains no 6-digit code".to_owned()))
}

/// The first run of exactly six digits in `text`.
pub fn first_code(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
}

#[cfg(unix)]
fn shell(command_line: &str) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(command_line);
    command
}

#[cfg(windows)]
fn shell(command_line: &str) -> Command {
    let mut command = Command::new("cmd.exe");
    command.arg("/C").arg(command_line);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(
            MfaCode::parse(" 123456\n")
                .map(|c| c.as_str().to_owned())
                .ok(),
            Some("123456".to_owned())
        );
        let short = MfaCode::parse("12345").unwrap_err().to_string();
        assert!(short.contains("5 digits"), "{short}");
        let letters = MfaCode::parse("12a456").unwrap_err().to_string();
        assert!(letters.contains("not all digits"), "{letters}");
        assert!(MfaCode::parse("1234567").is_err());
    }

    #[test]
    fn debug_hides_the_code() {
        let code = MfaCode::parse("123456").unwrap();
        assert!(!format!("{code:?}").contains("123456"));
    }

    #[test]
    fn first_code_skips_other_numbers() {
        assert_eq!(first_code("Touch key (2 tries)\n123456\n"), Some("123456"));
        assert_eq!(first_code("otp: 1234567 then 654321"), Some("654321"));
        assert_eq!(first_code("no code"), None);
    }

    #[cfg(unix)]
    #[test]
    fn mfa_process_output_is_parsed_and_failures_reported() {
        let code = run_process("echo 'code: 987654'").unwrap();
        assert_eq!(code.as_str(), "987654");
        let none = run_process("echo nothing").unwrap_err().to_string();
        assert!(none.contains("no 6-digit code"), "{none}");
        let failed = run_process("exit 3").unwrap_err().to_string();
        assert!(failed.contains("exit status: 3"), "{failed}");
    }
}
