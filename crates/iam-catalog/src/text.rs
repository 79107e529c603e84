//! The embedded texts' one check before parsing: their length is the one the generator recorded,
//! so a data file replaced without regenerating the manifest is an error, not a silent mix.

use crate::CatalogError;

/// `text` if it is `expected_len` bytes long.
pub(crate) fn checked(
    what: &'static str,
    text: &'static str,
    expected_len: usize,
) -> Result<&'static str, CatalogError> {
    if text.len() == expected_len {
        Ok(text)
    } else {
        Err(CatalogError::Length {
            what,
            expected: expected_len,
            actual: text.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_of_the_recorded_length_passes() {
        assert_eq!(checked("test", "a\tb\n", 4).unwrap(), "a\tb\n");
    }

    #[test]
    fn another_length_is_an_error() {
        let err = checked("test", "abc", 4).unwrap_err();
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
}
