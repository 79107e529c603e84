//! Questions to the person at the terminal, through one trait ([`Prompt`]): confirmations and
//! MFA codes. The admin commands ask through [`Console`]: answers come from the terminal, or
//! from standard input when there is no terminal (scripts, tests); messages go to the terminal,
//! else to stderr, so stdout stays clean for `--output json`. The session commands ask for an
//! MFA code on the bare [`Tty`] only.
//!
//! Ctrl-C while a question waits for its answer is [`Error::Interrupted`] rather than sudden
//! death, so the command can undo what it started (enrolment deletes the device it created);
//! at any other moment Ctrl-C ends the process as usual.

use super::tty::Tty;
use std::fs::File;
use std::io::{self, BufRead, BufReader, ErrorKind, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use super::exit::{Code, Failure};

/// A question could not be answered. Every variant is raised before the change it would
/// confirm, so nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The person answered no.
    #[error("not confirmed; nothing was changed")]
    Refused,
    /// A confirmation was needed and there is no terminal to ask on.
    #[error(
        "confirmation needs a terminal (answers on standard input are not taken); pass --yes to proceed without asking; nothing was changed"
    )]
    NoTerminal,
    /// A question needed an answer and neither a terminal nor standard input gave one: what
    /// was asked, and what to do instead.
    #[error("{0} needs an answer, but there is no terminal and standard input is closed; {1}")]
    NoAnswer(String, &'static str),
    /// Ctrl-C while a question waited for its answer.
    #[error("interrupted")]
    Interrupted,
    /// Reading from or writing to the terminal failed.
    #[error("terminal: {0}")]
    Terminal(#[source] std::io::Error),
}

/// 130 after Ctrl-C (as shells report a death by SIGINT), 1 when the terminal failed, else
/// usage (2): the command needs an answer it was not given.
impl Failure for Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted => INTERRUPTED,
            Error::Terminal(_) => Code::Failure.into(),
            _ => Code::Usage.into(),
        }
    }
}

/// Exit status after Ctrl-C, as shells report a death by SIGINT (128 + 2).
pub const INTERRUPTED: u8 = 130;

/// Where questions are asked and answered.
pub trait Prompt {
    /// Shows `message` (one or more lines) to the administrator. Never pass secrets other
    /// than the enrolment QR code and seed, which go only to a terminal.
    fn say(&mut self, message: &str) -> Result<(), Error>;
    /// Asks `question` and reads one line; `None` when no answer can come (end of input).
    fn ask(&mut self, question: &str) -> Result<Option<String>, Error>;
    /// Whether messages reach a terminal (where a QR code can be shown).
    fn is_terminal(&self) -> bool;
    /// Whether a change may be confirmed here: only by a person at a terminal, never by a
    /// `y` that standard input happens to carry (`yes | iam-mfa reset …`, a stray here-doc).
    fn can_confirm(&self) -> bool;
}

/// The bare controlling terminal, for the MFA-code prompt of the session commands: under
/// `credential_process` stdin belongs to the calling SDK, so only the terminal may answer, and
/// nothing reads ahead of the one line asked for (the next keystrokes belong to the command
/// `exec` becomes).
impl Prompt for Tty {
    fn say(&mut self, message: &str) -> Result<(), Error> {
        Tty::say(self, message).map_err(Error::Terminal)
    }

    fn ask(&mut self, question: &str) -> Result<Option<String>, Error> {
        match self.prompt(question) {
            Ok(line) => Ok(Some(line)),
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => Ok(None),
            Err(error) => Err(Error::Terminal(error)),
        }
    }

    fn is_terminal(&self) -> bool {
        true
    }

    fn can_confirm(&self) -> bool {
        true
    }
}

/// How often a waiting question looks for Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

/// The controlling terminal when there is one, else stdin and stderr.
pub struct Console {
    /// The terminal's output and (until the reader thread takes it) input.
    tty: Option<(File, Option<File>)>,
    /// Lines read by the reader thread (`None`: end of input).
    lines: Option<Receiver<io::Result<Option<String>>>>,
    interrupt: Option<Interrupt>,
}

/// SIGINT turned into a flag while a question waits, and the default action otherwise.
struct Interrupt {
    not_asking: Arc<AtomicBool>,
    interrupted: Arc<AtomicBool>,
}

impl Interrupt {
    fn install() -> io::Result<Interrupt> {
        let interrupt = Interrupt {
            not_asking: Arc::new(AtomicBool::new(true)),
            interrupted: Arc::new(AtomicBool::new(false)),
        };
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGINT;
            signal_hook::flag::register_conditional_default(
                SIGINT,
                Arc::clone(&interrupt.not_asking),
            )?;
            signal_hook::flag::register(SIGINT, Arc::clone(&interrupt.interrupted))?;
        }
        Ok(interrupt)
    }
}

impl Console {
    /// Opens the terminal (see [`Tty::open`]), or falls back to stdin/stderr.
    pub fn open() -> Console {
        let tty = Tty::open()
            .and_then(|tty| tty.handles())
            .ok()
            .map(|(input, output)| (output, Some(input)));
        Console {
            tty,
            lines: None,
            interrupt: None,
        }
    }

    /// The reader thread's lines, starting it on first use. One thread reads every answer, so
    /// no line is lost to a second reader's buffer.
    fn lines(&mut self) -> &Receiver<io::Result<Option<String>>> {
        let input = self.tty.as_mut().and_then(|(_, input)| input.take());
        self.lines.get_or_insert_with(|| {
            let (sender, receiver) = channel();
            std::thread::spawn(move || {
                let mut reader: Box<dyn BufRead> = match input {
                    Some(tty) => Box::new(BufReader::new(tty)),
                    None => Box::new(io::stdin().lock()),
                };
                loop {
                    let mut line = String::new();
                    let read = reader.read_line(&mut line).map(|n| (n > 0).then_some(line));
                    let done = !matches!(read, Ok(Some(_)));
                    if sender.send(read).is_err() || done {
                        return;
                    }
                }
            });
            receiver
        })
    }

    /// Waits for the next line, returning early with [`Error::Interrupted`] on Ctrl-C.
    fn next_line(&mut self) -> Result<Option<String>, Error> {
        if self.interrupt.is_none() {
            self.interrupt = Some(Interrupt::install().map_err(Error::Terminal)?);
        }
        let flags = self
            .interrupt
            .as_ref()
            .map(|i| (Arc::clone(&i.not_asking), Arc::clone(&i.interrupted)));
        let Some((not_asking, interrupted)) = flags else {
            return Ok(None);
        };
        interrupted.store(false, Ordering::SeqCst);
        not_asking.store(false, Ordering::SeqCst);
        let answer = loop {
            let received = self.lines().recv_timeout(POLL);
            // Ctrl-C wins over whatever the same moment brought (a closing terminal sends EOF).
            if interrupted.swap(false, Ordering::SeqCst) {
                break Err(Error::Interrupted);
            }
            match received {
                Ok(Ok(line)) => break Ok(line),
                Ok(Err(error)) => break Err(Error::Terminal(error)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break Ok(None),
            }
        };
        not_asking.store(true, Ordering::SeqCst);
        answer
    }
}

impl Prompt for Console {
    fn say(&mut self, message: &str) -> Result<(), Error> {
        match &mut self.tty {
            Some((output, _)) => writeln!(output, "{message}").map_err(Error::Terminal),
            None => {
                crate::ui::exit::to_stderr(message);
                Ok(())
            }
        }
    }

    fn ask(&mut self, question: &str) -> Result<Option<String>, Error> {
        let shown = match &mut self.tty {
            Some((output, _)) => output
                .write_all(question.as_bytes())
                .and_then(|()| output.flush()),
            // A question nobody can see is still asked: the answer may come on standard input.
            None => {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr
                    .write_all(question.as_bytes())
                    .and_then(|()| stderr.flush());
                Ok(())
            }
        };
        shown.map_err(Error::Terminal)?;
        match self.next_line() {
            Ok(line) => Ok(line.map(|line| line.trim().to_owned())),
            Err(Error::Terminal(error)) if error.kind() == ErrorKind::UnexpectedEof => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn is_terminal(&self) -> bool {
        self.tty.is_some()
    }

    fn can_confirm(&self) -> bool {
        self.tty.is_some()
    }
}

/// Asks "`question` [y/N]"; anything but yes is [`Error::Refused`], no answer at all is
/// [`Error::NoAnswer`], no terminal [`Error::NoTerminal`] (pass `--yes`).
pub fn confirm(prompt: &mut dyn Prompt, question: &str) -> Result<(), Error> {
    if !prompt.can_confirm() {
        return Err(Error::NoTerminal);
    }
    match prompt.ask(&format!("{question} [y/N] "))? {
        Some(answer) if matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes") => Ok(()),
        Some(_) => Err(Error::Refused),
        None => Err(Error::NoAnswer(
            "confirmation".into(),
            "pass --yes to proceed without asking; nothing was changed",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Answers(Vec<Option<&'static str>>);

    impl Prompt for Answers {
        fn say(&mut self, _: &str) -> Result<(), Error> {
            Ok(())
        }
        fn ask(&mut self, _: &str) -> Result<Option<String>, Error> {
            Ok(self.0.remove(0).map(str::to_owned))
        }
        fn is_terminal(&self) -> bool {
            false
        }
        fn can_confirm(&self) -> bool {
            true
        }
    }

    /// Standard input carrying a `y`, no terminal.
    struct Piped;

    impl Prompt for Piped {
        fn say(&mut self, _: &str) -> Result<(), Error> {
            Ok(())
        }
        fn ask(&mut self, _: &str) -> Result<Option<String>, Error> {
            Ok(Some("y".to_owned()))
        }
        fn is_terminal(&self) -> bool {
            false
        }
        fn can_confirm(&self) -> bool {
            false
        }
    }

    #[test]
    fn only_yes_confirms() {
        for yes in ["y", "Y", "yes", "YES"] {
            assert!(confirm(&mut Answers(vec![Some(yes)]), "go?").is_ok());
        }
        for no in ["", "n", "no", "sure"] {
            assert!(matches!(
                confirm(&mut Answers(vec![Some(no)]), "go?"),
                Err(Error::Refused)
            ));
        }
        assert!(matches!(
            confirm(&mut Answers(vec![None]), "go?"),
            Err(Error::NoAnswer(..))
        ));
        assert!(matches!(confirm(&mut Piped, "go?"), Err(Error::NoTerminal)));
    }
}
