//! `BinaryEquals` values: base64, compared as decoded bytes (R27).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Decodes standard base64 (with padding).
pub(crate) fn parse(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_and_rejects() {
        assert_eq!(
            super::parse("QmluYXJ5VmFsdWU=").as_deref(),
            Some(&b"BinaryValue"[..])
        );
        assert_eq!(super::parse("not base64!"), None);
    }
}
