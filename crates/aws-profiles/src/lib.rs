//! The AWS shared config and credentials files: parse as the SDKs do, edit losslessly, replace atomically.
#![forbid(unsafe_code)]
