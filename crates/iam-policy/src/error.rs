//! Errors of this crate.

use thiserror::Error;

/// A policy that cannot be parsed, with the 1-based line and column where it went wrong
/// (0 when the position is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.render())]
pub struct ParseError {
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column, or 0.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    pub(crate) fn from_json(err: serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let text = err.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        Self {
            line,
            column,
            message,
        }
    }

    pub(crate) fn without_position(message: String) -> Self {
        Self {
            line: 0,
            column: 0,
            message,
        }
    }

    fn render(&self) -> String {
        if self.line == 0 {
            self.message.clone()
        } else {
            format!(
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}
