//! Terminal-facing helpers shared by every command: exit codes, logging, output formats, prompts.

pub mod exit;
pub mod findings;
pub mod log;
pub mod output;
pub mod qr;
pub mod sarif;
pub mod style;
pub mod table;
pub mod tty;
