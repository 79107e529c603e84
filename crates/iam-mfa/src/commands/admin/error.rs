//! Errors of the admin commands: their own (a device that is not the user's, bad input, an
//! output file, a failed enrolment), and those of the layers below, which keep their exit codes.

use crate::iam;
use crate::ui::exit::{Code, Failure};
use crate::ui::prompt;

/// An admin command failed. Every variant raised before the first mutating call means that
/// nothing was changed; the messages say so where it matters to the administrator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or changing the account failed (AWS refused, a user or group does not exist, …).
    #[error(transparent)]
    Iam(#[from] iam::Error),
    /// A question to the administrator went unanswered, or was answered no.
    #[error(transparent)]
    Prompt(#[from] prompt::Error),
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
    /// Writing an output file failed.
    #[error(transparent)]
    File(#[from] aws_profiles::Error),
    /// Enrolment failed part-way; the device it created was removed (or could not be).
    #[error("{cause}; {cleanup}")]
    Enrollment { cause: Box<Error>, cleanup: String },
    /// Writing the result to standard output failed (closed, full, or a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),
}

impl Error {
    /// The AWS error code (`NoSuchEntity`, `EntityAlreadyExists`, …) when this is an AWS error.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Iam(error) => error.aws_code(),
            Error::Enrollment { cause, .. } => cause.aws_code(),
            _ => None,
        }
    }
}

impl Failure for Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Iam(error) => error.exit_code(),
            Error::Prompt(error) => error.exit_code(),
            Error::NotUsersDevice { .. } | Error::Usage(_) => Code::Usage.into(),
            Error::Enrollment { cause, .. } => cause.exit_code(),
            Error::File(_) | Error::Output(_) => Code::Failure.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{AwsError, AwsErrorKind};

    #[test]
    fn exit_codes_separate_bad_input_denials_interrupts_and_failures() {
        let usage = u8::from(Code::Usage);
        assert_eq!(Error::Usage("x".into()).exit_code(), usage);
        assert_eq!(Error::from(prompt::Error::Refused).exit_code(), usage);
        assert_eq!(Error::from(prompt::Error::NoTerminal).exit_code(), usage);
        assert_eq!(
            Error::from(iam::Error::NoSuchUser("a".into())).exit_code(),
            usage
        );
        let denied = Error::from(iam::Error::Aws(AwsError {
            operation: "iam:ListUsers",
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            detail: "AccessDenied: no".into(),
        }));
        let wrapped = Error::Enrollment {
            cause: Box::new(denied),
            cleanup: "removed".into(),
        };
        assert_eq!(wrapped.exit_code(), u8::from(Code::Denied));
        assert_eq!(wrapped.aws_code(), Some("AccessDenied"));
        let interrupted = Error::Enrollment {
            cause: Box::new(prompt::Error::Interrupted.into()),
            cleanup: "removed".into(),
        };
        assert_eq!(interrupted.exit_code(), prompt::INTERRUPTED);
    }
}
