//! Colour for text reports: on when stdout is a terminal and `NO_COLOR` is unset
//! (<https://no-color.org>), never in JSON, CSV or SARIF.

use std::io::IsTerminal;

use mfa_doctor::Severity;

/// Whether text written to stdout may carry ANSI colours.
pub fn colour_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// `text` in the colour of `severity` (bold red for critical and high, yellow for medium,
/// cyan for low and info), or unchanged when `colour` is off.
pub fn severity(text: &str, severity: Severity, colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let code = match severity {
        Severity::Critical | Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low | Severity::Info => "36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `text` in bold, or unchanged when `colour` is off.
pub fn bold(text: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[1m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_only_added_when_asked() {
        assert_eq!(severity("HIGH", Severity::High, false), "HIGH");
        assert_eq!(
            severity("HIGH", Severity::High, true),
            "\x1b[1;31mHIGH\x1b[0m"
        );
        assert_eq!(bold("x", false), "x");
        assert_eq!(bold("x", true), "\x1b[1mx\x1b[0m");
    }
}
