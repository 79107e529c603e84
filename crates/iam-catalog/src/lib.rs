//! The AWS action catalog and AWS-managed policies as embedded data.
#![forbid(unsafe_code)]
