//! Errors decoding the embedded data. They can only occur if the data files were corrupted
//! after generation; the crate's tests decode everything.

/// Why an embedded data set could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The zlib stream is damaged.
    #[error("cannot inflate the embedded {what}: {source}")]
    Inflate {
        /// Which data set.
        what: &'static str,
        /// The decompressor's error.
        source: std::io::Error,
    },
    /// The inflated data is not the length the manifest records.
    #[error("the embedded {what} inflates to {actual} bytes, the manifest says {expected}")]
    Length {
        /// Which data set.
        what: &'static str,
        /// Length recorded by the generator.
        expected: usize,
        /// Length found.
        actual: usize,
    },
    /// A line of the inflated text does not follow the format.
    #[error("the embedded {what}, line {line}: {reason}")]
    Format {
        /// Which data set.
        what: &'static str,
        /// 1-based line number in the inflated text.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}
