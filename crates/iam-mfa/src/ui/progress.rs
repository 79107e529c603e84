//! A progress bar on stderr that appears only when stderr is a terminal and the work takes
//! more than a moment, so quick runs, pipes and CI logs stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work may run before the bar appears.
const DELAY: Duration = Duration::from_millis(400);

/// One phase of work: a spinner until its length is known, then a bar.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Starts a phase, as a spinner.
    pub fn start(message: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message);
        if std::io::stderr().is_terminal() {
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                if !shown.is_finished() {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Progress { bar }
    }

    /// The phase has `len` steps: show a bar.
    pub fn set_length(&self, len: usize) {
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
        {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_length(u64::try_from(len).unwrap_or(u64::MAX));
    }

    /// One step done.
    pub fn tick(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
