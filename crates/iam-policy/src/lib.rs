//! The IAM policy language: parse, compile, evaluate and explain identity policies.
#![forbid(unsafe_code)]
