//! How a command's result is printed: stable snake_case JSON, or text for people.

use super::error::Error;
use crate::ui::output::{OutputFormat, to_json_line};
use serde::Serialize;

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
    print!("{text}");
    Ok(())
}
