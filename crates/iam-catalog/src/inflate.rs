//! Inflating an embedded zlib stream into text.

use std::io::Read;

use flate2::read::ZlibDecoder;

use crate::CatalogError;

/// Inflates `bytes` (zlib, checksum verified) and checks the result is `expected_len` bytes of UTF-8.
pub(crate) fn inflate(
    what: &'static str,
    bytes: &[u8],
    expected_len: usize,
) -> Result<String, CatalogError> {
    let mut text = String::with_capacity(expected_len);
    ZlibDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|source| CatalogError::Inflate { what, source })?;
    if text.len() != expected_len {
        return Err(CatalogError::Length {
            what,
            expected: expected_len,
            actual: text.len(),
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    fn deflate(text: &str) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn round_trips() {
        assert_eq!(inflate("test", &deflate("a\tb\n"), 4).unwrap(), "a\tb\n");
    }

    #[test]
    fn wrong_length_is_an_error() {
        let err = inflate("test", &deflate("abc"), 4).unwrap_err();
        assert!(
            matches!(
                err,
                CatalogError::Length {
                    expected: 4,
                    actual: 3,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn damaged_stream_is_an_error() {
        let mut bytes = deflate("hello hello hello");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff; // breaks the adler32 checksum
        let err = inflate("test", &bytes, 17).unwrap_err();
        assert!(matches!(err, CatalogError::Inflate { .. }), "{err}");
    }
}
