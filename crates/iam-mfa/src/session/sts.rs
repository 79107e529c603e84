//! `sts:GetSessionToken`, and turning any STS/IAM failure into a message that says what to do.

use super::cache::Session;
use super::code::Code;
use aws_config::SdkConfig;
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use time::OffsetDateTime;

/// What went wrong in an AWS call, classified so the message can say what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// The MFA code was wrong, expired, or already used.
    CodeRejected,
    /// AWS could not match the code to the serial (wrong serial, or a device that is not enabled).
    SerialRejected,
    /// The long-term access key id is unknown, deleted or inactive.
    InvalidKey,
    /// The secret key does not match the access key, or the clock is off.
    BadSignature,
    /// The request's time is too far from AWS's: the local clock is off.
    ClockSkew,
    /// The credentials used have expired.
    ExpiredToken,
    /// The caller lacks permission.
    AccessDenied,
    /// Still throttled after the retries.
    Throttled,
    /// AWS refused a parameter.
    Invalid,
    /// The endpoint could not be reached or did not answer in time.
    Network,
    /// Anything else.
    Other,
}

/// A failed AWS call: the operation, the classification and AWS's own words (never secrets).
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed: {}", self.advice())]
pub struct AwsError {
    /// `service:Operation`.
    pub operation: &'static str,
    /// The classification.
    pub kind: AwsErrorKind,
    /// AWS's error code and message, or the transport error.
    pub detail: String,
}

impl AwsError {
    /// The message: what happened and what to do.
    pub fn advice(&self) -> String {
        let detail = &self.detail;
        match self.kind {
            AwsErrorKind::CodeRejected => format!(
                "the MFA code was rejected: it is wrong, expired, or was already used (AWS accepts each code once). \
                 Wait for the next code and try again ({detail})"
            ),
            AwsErrorKind::SerialRejected => format!(
                "AWS could not validate the code for this MFA serial: check that mfa_serial / --serial is the ARN \
                 of an enabled device of this user (arn:PARTITION:iam::ACCOUNT:mfa/NAME) ({detail})"
            ),
            AwsErrorKind::InvalidKey => format!(
                "the long-term access key is not valid: it was deleted, deactivated or mistyped; check \
                 aws_access_key_id of the profile or create a new key ({detail})"
            ),
            AwsErrorKind::BadSignature => format!(
                "the request signature does not match: the secret access key is wrong, or the clock is off \
                 ({detail})"
            ),
            AwsErrorKind::ClockSkew => format!(
                "the local clock differs too much from AWS's; synchronise it (e.g. `timedatectl set-ntp true`, \
                 or restart WSL/Docker) ({detail})"
            ),
            AwsErrorKind::ExpiredToken => format!(
                "the credentials used have expired; the source profile must hold long-term keys, not a session \
                 ({detail})"
            ),
            AwsErrorKind::AccessDenied => format!(
                "access denied: the user's policies do not allow this call; ask an administrator ({detail})"
            ),
            AwsErrorKind::Throttled => {
                format!(
                    "AWS throttled the requests even after retrying; wait a minute and try again ({detail})"
                )
            }
            AwsErrorKind::Invalid => format!("AWS rejected the request ({detail})"),
            AwsErrorKind::Network => format!(
                "could not reach AWS; check the network, proxy, region and any AWS_ENDPOINT_URL ({detail})"
            ),
            AwsErrorKind::Other => detail.clone(),
        }
    }
}

/// Classifies an SDK error from any operation.
pub fn classify<E, R>(operation: &'static str, err: &SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (kind, detail) = match err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            (AwsErrorKind::Network, DisplayErrorContext(err).to_string())
        }
        SdkError::ServiceError(service) => {
            let service = service.err();
            let code = service.code().unwrap_or("Unknown");
            let message = service.message().unwrap_or_default();
            (kind_of(code, message), format!("{code}: {message}"))
        }
        _ => (AwsErrorKind::Other, DisplayErrorContext(err).to_string()),
    };
    AwsError {
        operation,
        kind,
        detail,
    }
}

/// Maps an AWS error code and message to a kind.
fn kind_of(code: &str, message: &str) -> AwsErrorKind {
    let lower = message.to_ascii_lowercase();
    match code {
        _ if lower.contains("invalid mfa one time pass code") => AwsErrorKind::CodeRejected,
        _ if lower.contains("unable to validate mfa")
            || lower.contains("mfa device") && code == "AccessDenied" =>
        {
            AwsErrorKind::SerialRejected
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" => AwsErrorKind::InvalidKey,
        "SignatureDoesNotMatch" if lower.contains("signature expired") => AwsErrorKind::ClockSkew,
        "SignatureDoesNotMatch" | "IncompleteSignature" => AwsErrorKind::BadSignature,
        "RequestExpired" | "RequestTimeTooSkewed" => AwsErrorKind::ClockSkew,
        "ExpiredToken" | "ExpiredTokenException" => AwsErrorKind::ExpiredToken,
        "AccessDenied" | "AccessDeniedException" => AwsErrorKind::AccessDenied,
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => AwsErrorKind::Throttled,
        "ValidationError" | "InvalidParameterValue" | "MissingParameter" => AwsErrorKind::Invalid,
        _ => AwsErrorKind::Other,
    }
}

/// Calls GetSessionToken with the long-term credentials in `config`.
pub async fn get_session_token(
    config: &SdkConfig,
    serial: &str,
    code: &Code,
    duration: u64,
) -> Result<Session, AwsError> {
    let operation = "sts:GetSessionToken";
    let output = crate::aws::sts_client(config)
        .get_session_token()
        .serial_number(serial)
        .token_code(code.as_str())
        .duration_seconds(i32::try_from(duration).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|err| classify(operation, &err))?;
    let malformed = |what: &str| AwsError {
        operation,
        kind: AwsErrorKind::Other,
        detail: format!("the response has no {what}"),
    };
    let credentials = output
        .credentials()
        .ok_or_else(|| malformed("credentials"))?;
    let expiration = OffsetDateTime::from_unix_timestamp(credentials.expiration().secs())
        .map_err(|_| malformed("valid expiration"))?;
    Ok(Session {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_mfa_failures_apart() {
        let reused = "MultiFactorAuthentication failed with invalid MFA one time pass code.";
        assert_eq!(kind_of("AccessDenied", reused), AwsErrorKind::CodeRejected);
        let serial = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
        assert_eq!(
            kind_of("AccessDenied", serial),
            AwsErrorKind::SerialRejected
        );
        assert_eq!(
            kind_of("AccessDenied", "User is not authorized"),
            AwsErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of("InvalidClientTokenId", "x"),
            AwsErrorKind::InvalidKey
        );
        assert_eq!(
            kind_of("SignatureDoesNotMatch", "Signature expired: 2020"),
            AwsErrorKind::ClockSkew
        );
        assert_eq!(
            kind_of("Throttling", "Rate exceeded"),
            AwsErrorKind::Throttled
        );
    }

    #[test]
    fn advice_says_what_to_do() {
        let err = AwsError {
            operation: "sts:GetSessionToken",
            kind: AwsErrorKind::CodeRejected,
            detail: "AccessDenied: invalid".to_owned(),
        };
        let text = err.to_string();
        assert!(text.starts_with("sts:GetSessionToken failed"), "{text}");
        assert!(
            text.contains("already used") && text.contains("next code"),
            "{text}"
        );
    }
}
