//! `sts:GetSessionToken`, and turning any STS/IAM failure into a message that says what to do.

use super::cache::Session;
use super::code::MfaCode;
use aws_config::SdkConfig;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
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
    /// The endpoint could not be reached.
    Network,
    /// The endpoint accepted the connection but did not answer in time, even after retrying.
    Timeout,
    /// The endpoint failed on its side (HTTP 5xx), or answered with something that is not an AWS
    /// response; usually transient.
    Server,
    /// The request could not be built or sent from the configuration (credentials, endpoint,
    /// region).
    Construction,
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
            AwsErrorKind::Timeout => format!(
                "network timeout: the endpoint did not answer in time, even after retrying; check the \
                 network, proxy, region and any AWS_ENDPOINT_URL / --endpoint-url ({detail})"
            ),
            AwsErrorKind::Server => format!(
                "the endpoint returned an error or an unparseable response: a server-side problem, \
                 usually transient; try again in a minute, and check any AWS_ENDPOINT_URL / \
                 --endpoint-url ({detail})"
            ),
            AwsErrorKind::Construction => format!(
                "the request could not be built or sent; check the credentials, the region and any \
                 endpoint_url, AWS_ENDPOINT_URL or --endpoint-url ({detail})"
            ),
            AwsErrorKind::Other => detail.clone(),
        }
    }
}

/// Classifies an SDK error from any operation. The detail never includes the request (its
/// body holds the MFA code) nor the response body: only codes, statuses and AWS's message.
pub fn classify<E>(operation: &'static str, err: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (kind, detail) = match err {
        SdkError::TimeoutError(_) => (AwsErrorKind::Timeout, context(err)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (AwsErrorKind::Timeout, context(err))
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            (AwsErrorKind::Network, context(err))
        }
        // Among these: an endpoint the SDK cannot apply (its message holds the whole request, MFA
        // code included, and is withheld) and credentials that cannot sign.
        SdkError::DispatchFailure(_) => (AwsErrorKind::Construction, context(err)),
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let error = service.err();
            match error.code() {
                Some(code) => {
                    let message = error.message().unwrap_or_default();
                    let kind = match kind_of(code, message) {
                        AwsErrorKind::Other if status >= 500 => AwsErrorKind::Server,
                        kind => kind,
                    };
                    (kind, format!("{code}: {message}"))
                }
                None if status >= 500 => (
                    AwsErrorKind::Server,
                    format!("HTTP {status} with no AWS error code in the body, after retrying"),
                ),
                None => (
                    AwsErrorKind::Server,
                    format!("HTTP {status} with a body that is not an AWS response"),
                ),
            }
        }
        SdkError::ResponseError(response) => (
            AwsErrorKind::Server,
            format!(
                "HTTP {} with a body that is not a valid AWS response",
                response.raw().status().as_u16()
            ),
        ),
        SdkError::ConstructionFailure(_) => (AwsErrorKind::Construction, context(err)),
        _ => (AwsErrorKind::Other, "unexpected SDK error".to_owned()),
    };
    AwsError {
        operation,
        kind,
        detail,
    }
}

/// The SDK's description of a transport error: the messages of the error and its causes (not
/// their `Debug`), withheld if they would show the request (the SDK puts the request's `Debug`,
/// body included, into some messages).
fn context(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text = format!("{text}: {inner}");
        cause = inner.source();
    }
    if ["SdkBody", "TokenCode", "AuthenticationCode", "Request {"]
        .iter()
        .any(|marker| text.contains(marker))
    {
        "details withheld: the SDK's message would show the request".to_owned()
    } else {
        text
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
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "SlowDown" => {
            AwsErrorKind::Throttled
        }
        "ServiceUnavailable" | "InternalFailure" | "InternalError" | "ServiceFailure" => {
            AwsErrorKind::Server
        }
        "ValidationError" | "InvalidParameterValue" | "MissingParameter" => AwsErrorKind::Invalid,
        _ => AwsErrorKind::Other,
    }
}

/// Calls GetSessionToken with the long-term credentials in `config`. Credentials that are
/// empty, cannot go into a header, or are already expired are refused: a misbehaving endpoint
/// must not make the tool hand out (or cache) a session that cannot work.
pub async fn get_session_token(
    config: &SdkConfig,
    serial: &str,
    code: &MfaCode,
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
        .map_err(|err| with_endpoint(classify(operation, &err), config))?;
    let unusable = |what: String| AwsError {
        operation,
        kind: AwsErrorKind::Other,
        detail: format!("the endpoint returned unusable credentials: {what}; nothing was cached"),
    };
    let credentials = output
        .credentials()
        .ok_or_else(|| unusable("the response has no credentials".to_owned()))?;
    for (field, value) in [
        ("AccessKeyId", credentials.access_key_id()),
        ("SecretAccessKey", credentials.secret_access_key()),
        ("SessionToken", credentials.session_token()),
    ] {
        crate::aws::check_credential_text(value)
            .map_err(|reason| unusable(format!("{field}: {reason}")))?;
    }
    let expiration = OffsetDateTime::from_unix_timestamp(credentials.expiration().secs())
        .map_err(|_| unusable("the Expiration is out of range".to_owned()))?;
    if expiration <= OffsetDateTime::now_utc() {
        return Err(unusable(format!(
            "they expired at {} (check the clock, and any AWS_ENDPOINT_URL)",
            super::cache::rfc3339(expiration)
        )));
    }
    Ok(Session {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
        expiration,
    })
}

/// Names the endpoint override in network and server errors, where it is the likely culprit.
fn with_endpoint(mut err: AwsError, config: &SdkConfig) -> AwsError {
    let network = matches!(
        err.kind,
        AwsErrorKind::Network | AwsErrorKind::Timeout | AwsErrorKind::Server
    );
    if let (true, Some(url)) = (network, config.endpoint_url()) {
        err.detail = format!("{}; endpoint {url}", err.detail);
    }
    err
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
    fn transport_details_that_would_show_the_request_are_withheld() {
        let leaky = std::io::Error::other("to request `Request { body: TokenCode=975310 }`");
        assert!(!context(&leaky).contains("975310"));
        let plain = std::io::Error::other("connection refused");
        assert_eq!(context(&plain), "connection refused");
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
