//! Output format selection (`--output`), the one way a command prints its result ([`Report`]:
//! text and JSON from the same data) and helpers to print data safely.

use serde::Serialize;
use std::io::Write;

/// `--output`: human text or stable snake_case JSON for every command; CSV and SARIF for the
/// commands that report findings (`policy check`, `audit`), checked by [`OutputFormat::ensure`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Text for people.
    #[default]
    Text,
    /// JSON with stable snake_case field names.
    Json,
    /// Comma-separated values, one row per item.
    Csv,
    /// SARIF 2.1.0 for code-scanning pipelines.
    Sarif,
}

impl OutputFormat {
    /// The name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Sarif => "sarif",
        }
    }

    /// `Ok` when `command` can print this format: every command prints text and JSON; the
    /// others only where listed in `extra`.
    pub fn ensure(self, command: &str, extra: &[OutputFormat]) -> Result<(), String> {
        if matches!(self, Self::Text | Self::Json) || extra.contains(&self) {
            return Ok(());
        }
        Err(format!(
            "`{command}` cannot print --output {}; it prints {}",
            self.name(),
            ["text", "json"]
                .into_iter()
                .chain(extra.iter().map(|f| f.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Serializes `value` as pretty JSON followed by a newline.
pub fn to_json_line<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value).map(|mut text| {
        text.push('\n');
        text
    })
}

/// A command result, the one way every command prints: JSON comes from `Serialize` (stable
/// snake_case names), text from [`Report::text`], so both show the same data; the commands that
/// report findings add CSV or SARIF.
pub trait Report: Serialize {
    /// The human-readable form, ending with a newline.
    fn text(&self) -> String;

    /// The CSV form, one row per item, for the reports that have one (`audit`).
    fn csv(&self) -> Option<std::io::Result<String>> {
        None
    }

    /// The SARIF 2.1.0 log, for the reports that have one (`policy check`, `audit`).
    fn sarif(&self) -> Option<serde_json::Value> {
        None
    }
}

/// `report` in `format`. A format the report lacks was refused up front
/// ([`OutputFormat::ensure`]); should one get here, it is shown as text.
pub fn render<R: Report>(report: &R, format: OutputFormat) -> std::io::Result<String> {
    Ok(match format {
        OutputFormat::Json => to_json_line(report)?,
        OutputFormat::Csv => match report.csv() {
            Some(csv) => csv?,
            None => report.text(),
        },
        OutputFormat::Sarif => match report.sarif() {
            Some(log) => to_json_line(&log)?,
            None => report.text(),
        },
        OutputFormat::Text => report.text(),
    })
}

/// Prints `report` to stdout in `format`.
pub fn print<R: Report>(report: &R, format: OutputFormat) -> std::io::Result<()> {
    write_stdout(&render(report, format)?)
}

/// Writes `text` to stdout; a failed write (closed stdout, a closed pipe) is an error, not a
/// panic.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Shows only the last four characters of an identifier such as an access key id, for logs.
pub fn redact(value: &str) -> String {
    let tail: String = value
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_keeps_last_four() {
        assert_eq!(redact("AKIAABCDEFGH1234"), "****1234");
        assert_eq!(redact("ab"), "****ab");
    }
}
