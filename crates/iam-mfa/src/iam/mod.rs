//! Reading and changing the IAM account, for every command that does: the clients (signed with
//! an MFA session when the profile names a device), paging and lists, policy documents, the
//! password policy, MFA devices, a user's or group's policies, and the AWS error type.

pub mod client;
pub mod devices;
pub mod documents;
pub mod error;
pub mod lists;
pub mod paging;
pub mod password_policy;
pub mod principal;

pub use error::Error;
