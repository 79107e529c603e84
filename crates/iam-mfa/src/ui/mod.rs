//! Terminal-facing helpers shared by every command: exit codes, logging, output formats and the
//! one [`output::Report`] trait, questions ([`prompt`]), progress bars, tables, styles, QR codes,
//! findings and SARIF.

pub mod exit;
pub mod findings;
pub mod log;
pub mod output;
pub mod progress;
pub mod prompt;
pub mod qr;
pub mod sarif;
pub mod style;
pub mod table;
pub mod tty;
