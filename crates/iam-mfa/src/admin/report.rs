//! How a command's result is printed: stable snake_case JSON, or text for people.

use super::error::Error;
use crate::ui::output::{OutputFormat, to_json_line};
use serde::Serialize;
use std::io::Write;

/// A command result that can be shown as text; JSON comes from `Serialize`.
pub trait Report: Serialize {
    /// The human-readable form, ending with a newline.
    fn text(&self) -> String;
}

/// Prints `report` to stdout in `format`.
pub fn print<R: Report>(report: &R, format: OutputFormat) -> Result<(), Error> {
    let text = match format {
        OutputFormat::Json => to_json_line(report)?,
        // CSV and SARIF are refused up front (`OutputFormat::ensure`).
        OutputFormat::Text | OutputFormat::Csv | OutputFormat::Sarif => report.text(),
    };
    write_stdout(&text)
}

/// Writes `text` to stdout; a failed write (closed stdout, a closed pipe) is an error, not a
/// panic.
pub fn write_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(Error::Output)
}
