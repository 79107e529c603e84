//! Output format selection (`--output`) and helpers to print data safely.

use serde::Serialize;

/// `--output`: human text or stable snake_case JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// Serializes `value` as pretty JSON followed by a newline.
pub fn to_json_line<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value).map(|mut text| {
        text.push('\n');
        text
    })
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
