//! The long-term access key of an IAM user, as stored.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// An access key id and its secret. The secret is wiped from memory when dropped and shown as
/// `<redacted>` by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    /// `AKIA…`: not secret (it is in CloudTrail and in error messages of AWS).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
}

impl Keys {
    /// Keys from an id and a secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let keys = Keys::new("AKIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG");
        let shown = format!("{keys:?}");
        assert!(shown.contains("AKIAEXAMPLE"), "{shown}");
        assert!(!shown.contains("wJalr"), "{shown}");
    }
}
