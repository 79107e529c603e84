//! Errors of reading and changing the IAM account, and the exit codes they end the process with.

use crate::aws::{AwsError, classify};
use crate::ui::exit::{Code, Failure};
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

/// A call to IAM or STS failed, or its answer was unusable. Raised before a command's first
/// mutating call, it means nothing was changed; the messages say so where it matters.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named IAM user does not exist.
    #[error("IAM user {0} does not exist; nothing was changed")]
    NoSuchUser(String),
    /// The named IAM group does not exist.
    #[error("IAM group {0} does not exist; nothing was changed")]
    NoSuchGroup(String),
    /// The named IAM role does not exist.
    #[error("IAM role {0} does not exist; nothing was changed")]
    NoSuchRole(String),
    /// An AWS call failed, classified as for every command ([`crate::aws::classify`]).
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The service sent something the tool cannot use.
    #[error("{operation}: unexpected response: {what}")]
    Response {
        operation: &'static str,
        what: String,
    },
    /// Getting the MFA session for the admin profile failed. Not a `source`: the message holds
    /// it already, and a report that prints the causes would repeat it.
    #[error("MFA session for the admin commands: {0}")]
    Session(crate::session::Error),
    /// Starting the async runtime failed.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl Error {
    /// The AWS error code (`NoSuchEntity`, `EntityAlreadyExists`, …) when this is an AWS error.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Aws(error) => error.code.as_deref(),
            _ => None,
        }
    }

    /// Builds a mapper from an SDK error of `operation` (e.g. `"iam:ListMFADevices"`) to the
    /// classified error, whose message never shows the request or response body.
    pub fn aws<E>(operation: &'static str) -> impl FnOnce(SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        move |error| Error::Aws(classify(operation, &error))
    }

    /// The exit code class of this error; an AWS error's comes from the one table
    /// ([`crate::aws::AwsErrorKind::exit_code`]).
    pub fn code(&self) -> Code {
        match self {
            Error::NoSuchUser(_) | Error::NoSuchGroup(_) | Error::NoSuchRole(_) => Code::Usage,
            Error::Aws(error) => error.exit_code(),
            _ => Code::Failure,
        }
    }
}

impl From<crate::session::Error> for Error {
    fn from(error: crate::session::Error) -> Error {
        Error::Session(error)
    }
}

impl Failure for Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Session(error) => error.exit_code(),
            other => other.code().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsErrorKind;

    #[test]
    fn exit_codes_separate_bad_input_denials_and_failures() {
        assert_eq!(Error::NoSuchUser("a".into()).code(), Code::Usage);
        let denied = Error::Aws(AwsError {
            operation: "iam:ListUsers",
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            detail: "AccessDenied: no".into(),
        });
        assert_eq!(denied.code(), Code::Denied);
        assert_eq!(denied.aws_code(), Some("AccessDenied"));
        assert_eq!(
            denied.to_string(),
            "iam:ListUsers failed: access denied: the user's policies do not allow this call; \
             ask an administrator (AccessDenied: no)"
        );
    }
}
