//! Errors decoding the embedded data. They can only occur if the data files were corrupted
//! after generation; the crate's tests decode everything.

/// Why an embedded data set could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The embedded text is not the length the manifest records.
    #[error("the embedded {what} is {actual} bytes long, the manifest says {expected}")]
    Length {
        /// Which data set.
        what: &'static str,
        /// Length recorded by the generator.
        expected: usize,
        /// Length found.
        actual: usize,
    },
    /// A line of the embedded text does not follow the format.
    #[error("the embedded {what}, line {line}: {reason}")]
    Format {
        /// Which data set.
        what: &'static str,
        /// 1-based line number in the embedded text.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}
