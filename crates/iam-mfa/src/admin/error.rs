//! Errors of the admin commands and the exit codes they end the process with.

use crate::ui::exit::{Code, Failure};
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

/// An admin command failed. Every variant raised before the first mutating call means that
/// nothing was changed; the messages say so where it matters to the administrator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named IAM user does not exist.
    #[error("IAM user {0} does not exist; nothing was changed")]
    NoSuchUser(String),
    /// The named IAM group does not exist.
    #[error("IAM group {0} does not exist; nothing was changed")]
    NoSuchGroup(String),
    /// A serial given for a user is assigned to someone else, or to nobody.
    #[error("MFA device {serial} is not {user}'s ({holder}); nothing was changed")]
    NotUsersDevice {
        serial: String,
        user: String,
        holder: String,
    },
    /// Bad combination of arguments or unusable input.
    #[error("{0}")]
    Usage(String),
    /// The administrator answered no.
    #[error("not confirmed; nothing was changed")]
    Refused,
    /// A confirmation was needed and there is no terminal to ask on.
    #[error(
        "confirmation needs a terminal (answers on standard input are not taken); pass --yes to proceed without asking; nothing was changed"
    )]
    NoTerminal,
    /// A question needed an answer and neither a terminal nor standard input gave one.
    #[error("{0} needs an answer, but there is no terminal and standard input is closed; {1}")]
    NoAnswer(String, &'static str),
    /// Ctrl-C while a question waited for its answer.
    #[error("interrupted")]
    Interrupted,
    /// Reading from or writing to the terminal failed.
    #[error("terminal: {0}")]
    Terminal(#[source] std::io::Error),
    /// Writing an output file failed.
    #[error(transparent)]
    File(#[from] aws_profiles::Error),
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
    /// Enrolment failed part-way; the device it created was removed (or could not be).
    #[error("{cause}; {cleanup}")]
    Enrollment { cause: Box<Error>, cleanup: String },
    /// Getting the MFA session for the admin profile failed.
    #[error("MFA session for the admin commands: {0}")]
    Session(#[from] crate::session::Error),
    /// Starting the async runtime failed.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Serializing the JSON output failed.
    #[error("cannot write JSON output: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing the result to standard output failed (closed, full, or a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),
}

impl Error {
    /// The AWS error code (`NoSuchEntity`, `EntityAlreadyExists`, …) when this is an AWS error.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Aws { code, .. } => code.as_deref(),
            Error::Enrollment { cause, .. } => cause.aws_code(),
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
            Error::NoSuchUser(_)
            | Error::NoSuchGroup(_)
            | Error::NotUsersDevice { .. }
            | Error::Usage(_)
            | Error::Refused
            | Error::NoTerminal
            | Error::NoAnswer(..) => Code::Usage,
            Error::Enrollment { cause, .. } => cause.code(),
            _ if self.aws_code().is_some_and(|code| DENIED.contains(&code)) => Code::Denied,
            _ => Code::Failure,
        }
    }
}

/// Exit status after Ctrl-C, as shells report a death by SIGINT (128 + 2).
const INTERRUPTED: u8 = 130;

impl Failure for Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Session(error) => error.exit_code(),
            Error::Interrupted => INTERRUPTED,
            Error::Enrollment { cause, .. } if matches!(**cause, Error::Interrupted) => INTERRUPTED,
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
        assert_eq!(Error::Refused.code(), Code::Usage);
        assert_eq!(Error::NoTerminal.code(), Code::Usage);
        let denied = Error::Aws {
            operation: "iam:ListUsers",
            code: Some("AccessDenied".into()),
            message: "no".into(),
        };
        assert_eq!(denied.code(), Code::Denied);
        let wrapped = Error::Enrollment {
            cause: Box::new(denied),
            cleanup: "removed".into(),
        };
        assert_eq!(wrapped.exit_code(), u8::from(Code::Denied));
        assert_eq!(wrapped.aws_code(), Some("AccessDenied"));
    }
}
