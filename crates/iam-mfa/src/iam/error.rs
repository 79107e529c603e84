//! Errors of reading and changing the IAM account, and the exit codes they end the process with.

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
    /// An AWS call failed.
    #[error("{operation}: {message}")]
    Aws {
        operation: &'static str,
        code: Option<String>,
        message: String,
    },
    /// The service sent something the tool cannot use.
    #[error("{operation}: unexpected response: {what}")]
    Response {
        operation: &'static str,
        what: String,
    },
    /// Getting the MFA session for the admin profile failed.
    #[error("MFA session for the admin commands: {0}")]
    Session(#[from] crate::session::Error),
    /// Starting the async runtime failed.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl Error {
    /// The AWS error code (`NoSuchEntity`, `EntityAlreadyExists`, …) when this is an AWS error.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Aws { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Builds a mapper from an SDK error of `operation` (e.g. `"iam:ListMFADevices"`). Errors
    /// without an AWS error code (timeouts, unreachable or failing endpoints, requests the SDK
    /// could not build) get the session commands' classified advice, which never shows the
    /// request or response body.
    pub fn aws<E>(operation: &'static str) -> impl FnOnce(SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        move |error| match error.code() {
            Some(code) => Error::Aws {
                operation,
                code: Some(code.to_owned()),
                message: describe(code, &error),
            },
            None => Error::Aws {
                operation,
                code: None,
                message: crate::session::classify(operation, &error).advice(),
            },
        }
    }
}

/// AWS's own message, else the error code and HTTP status: never the SDK's `Debug` dump of the
/// error, request or response (which may run to kilobytes of HTML, or carry request bodies).
fn describe<E>(code: &str, error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(message) = error.message().filter(|message| !message.is_empty()) {
        return message.to_owned();
    }
    match error.raw_response() {
        Some(response) => format!("{code} (HTTP {})", response.status().as_u16()),
        None => code.to_owned(),
    }
}

/// AWS error codes that mean "you may not", whatever the call.
const DENIED: [&str; 4] = [
    "AccessDenied",
    "AccessDeniedException",
    "InvalidClientTokenId",
    "ExpiredToken",
];

impl Error {
    /// The exit code class of this error.
    pub fn code(&self) -> Code {
        match self {
            Error::NoSuchUser(_) | Error::NoSuchGroup(_) => Code::Usage,
            _ if self.aws_code().is_some_and(|code| DENIED.contains(&code)) => Code::Denied,
            _ => Code::Failure,
        }
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

    #[test]
    fn exit_codes_separate_bad_input_denials_and_failures() {
        assert_eq!(Error::NoSuchUser("a".into()).code(), Code::Usage);
        let denied = Error::Aws {
            operation: "iam:ListUsers",
            code: Some("AccessDenied".into()),
            message: "no".into(),
        };
        assert_eq!(denied.code(), Code::Denied);
        assert_eq!(denied.aws_code(), Some("AccessDenied"));
    }
}
