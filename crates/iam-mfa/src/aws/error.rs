//! AWS SDK errors, classified once for every command: [`classify`] turns an SDK error into an
//! [`AwsError`] whose message says what to do, and [`AwsErrorKind::exit_code`] is the one table
//! from the classification to the exit code, so the same refusal ends every command alike.

use crate::ui::exit::Code;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

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
    /// HTTP 403 without an AWS error code: the endpoint refused the request without saying why.
    Refused,
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

impl AwsErrorKind {
    /// The exit code of a failed AWS call, for every command family: 5 when AWS refused the
    /// caller (code, serial, key, signature, expired credentials, permissions, a bare HTTP 403),
    /// 1 otherwise (throttling, network, server, a skewed clock, anything unexpected).
    pub fn exit_code(self) -> Code {
        match self {
            AwsErrorKind::CodeRejected
            | AwsErrorKind::SerialRejected
            | AwsErrorKind::InvalidKey
            | AwsErrorKind::BadSignature
            | AwsErrorKind::ExpiredToken
            | AwsErrorKind::AccessDenied
            | AwsErrorKind::Refused => Code::Denied,
            AwsErrorKind::ClockSkew
            | AwsErrorKind::Throttled
            | AwsErrorKind::Invalid
            | AwsErrorKind::Network
            | AwsErrorKind::Timeout
            | AwsErrorKind::Server
            | AwsErrorKind::Construction
            | AwsErrorKind::Other => Code::Failure,
        }
    }
}

/// A failed AWS call: the operation, the classification and AWS's own words (never secrets).
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed: {}", self.advice())]
pub struct AwsError {
    /// `service:Operation`.
    pub operation: &'static str,
    /// The classification.
    pub kind: AwsErrorKind,
    /// AWS's error code (`AccessDenied`, `NoSuchEntity`, …) when the response carried one.
    pub code: Option<String>,
    /// AWS's error code and message, or the transport error.
    pub detail: String,
}

impl AwsError {
    /// The exit code (see [`AwsErrorKind::exit_code`]).
    pub fn exit_code(&self) -> Code {
        self.kind.exit_code()
    }

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
            AwsErrorKind::Refused => format!(
                "the endpoint refused the request without an AWS error code: the credentials are not valid \
                 there or not allowed; check the profile's keys and any AWS_ENDPOINT_URL / --endpoint-url \
                 ({detail})"
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
    let unclassified = |kind, detail| (kind, None, detail);
    let (kind, code, detail) = match err {
        SdkError::TimeoutError(_) => unclassified(AwsErrorKind::Timeout, context(err)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            unclassified(AwsErrorKind::Timeout, context(err))
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            unclassified(AwsErrorKind::Network, context(err))
        }
        // Among these: an endpoint the SDK cannot apply (its message holds the whole request, MFA
        // code included, and is withheld) and credentials that cannot sign.
        SdkError::DispatchFailure(_) => unclassified(AwsErrorKind::Construction, context(err)),
        SdkError::ServiceError(service) => {
            let error = service.err();
            let parsed = error
                .code()
                .filter(|code| plausible_code(code))
                .map(|code| {
                    (
                        code.to_owned(),
                        error.message().unwrap_or_default().to_owned(),
                    )
                });
            response(service.raw(), parsed)
        }
        SdkError::ResponseError(failure) => response(failure.raw(), None),
        SdkError::ConstructionFailure(_) => unclassified(AwsErrorKind::Construction, context(err)),
        _ => unclassified(AwsErrorKind::Other, "unexpected SDK error".to_owned()),
    };
    AwsError {
        operation,
        kind,
        code,
        detail,
    }
}

/// Classifies an error response from the code and message the SDK parsed, else those found in
/// the body (moto and some proxies wrap them in a way the SDK does not read), else its status.
fn response(
    raw: &HttpResponse,
    parsed: Option<(String, String)>,
) -> (AwsErrorKind, Option<String>, String) {
    let status = raw.status().as_u16();
    match parsed.or_else(|| raw.body().bytes().and_then(code_in_body)) {
        Some((code, message)) => {
            let kind = match kind_of(&code, &message) {
                AwsErrorKind::Other if status >= 500 => AwsErrorKind::Server,
                kind => kind,
            };
            let detail = if message.is_empty() {
                format!("{code} (HTTP {status})")
            } else {
                format!("{code}: {message}")
            };
            (kind, Some(code), detail)
        }
        None if status >= 500 => (
            AwsErrorKind::Server,
            None,
            format!("HTTP {status} with no AWS error code in the body, after retrying"),
        ),
        None if status == 403 => (
            AwsErrorKind::Refused,
            None,
            "HTTP 403 with a body that is not an AWS response".to_owned(),
        ),
        None => (
            AwsErrorKind::Server,
            None,
            format!("HTTP {status} with a body that is not an AWS response"),
        ),
    }
}

/// Whether `code` can be an AWS error code: a short word (the SDK says `Unknown` or nothing when
/// it found none).
fn plausible_code(code: &str) -> bool {
    code != "Unknown"
        && (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
}

/// The `<Code>` and `<Message>` of an XML error body, wherever they are nested. The code must
/// look like one and the message is dropped unless it is short, single-line text that does not
/// show a request: anything else in the body stays unseen.
fn code_in_body(body: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(body).ok()?;
    let element = |name: &str| {
        let (_, rest) = text.split_once(&format!("<{name}>"))?;
        let (value, _) = rest.split_once(&format!("</{name}>"))?;
        Some(value.trim())
    };
    let code = element("Code").filter(|code| plausible_code(code))?;
    let message = element("Message")
        .filter(|message| message.len() <= 512 && !message.contains(['<', '\n', '\r']))
        .filter(|message| !message.bytes().any(|b| b.is_ascii_control()))
        .filter(|message| !shows_request(message))
        .unwrap_or_default();
    Some((code.to_owned(), message.to_owned()))
}

/// Whether an SDK message would show the request (the SDK puts the request's `Debug`, body
/// and so the MFA code included, into some messages).
fn shows_request(text: &str) -> bool {
    ["SdkBody", "TokenCode", "AuthenticationCode", "Request {"]
        .iter()
        .any(|marker| text.contains(marker))
}

/// The SDK's description of a transport error: the messages of the error and its causes (not
/// their `Debug`), withheld if they would show the request.
fn context(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text = format!("{text}: {inner}");
        cause = inner.source();
    }
    if shows_request(&text) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    /// What `classify` makes of a service error with this status, parsed code and body.
    fn service(status: u16, code: Option<&str>, body: &str) -> AwsError {
        let mut meta = ErrorMetadata::builder().message("AWS says no");
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body.to_owned()));
        let err = SdkError::service_error(GetCallerIdentityError::generic(meta.build()), raw);
        classify("sts:GetCallerIdentity", &err)
    }

    #[test]
    fn the_table_maps_every_refusal_to_5_and_the_rest_to_1() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "ExpiredToken",
            "ExpiredTokenException",
        ] {
            let err = service(403, Some(code), "");
            assert_eq!(err.exit_code(), Code::Denied, "{code}: {err}");
            assert_eq!(err.code.as_deref(), Some(code));
        }
        let bare = service(403, None, "<html>Forbidden</html>");
        assert_eq!(bare.kind, AwsErrorKind::Refused);
        assert_eq!(bare.exit_code(), Code::Denied, "{bare}");
        assert_eq!(bare.code, None);

        let throttled = service(400, Some("Throttling"), "");
        assert_eq!(throttled.exit_code(), Code::Failure, "{throttled}");
        for status in [500, 503] {
            let server = service(status, None, "");
            assert_eq!(server.kind, AwsErrorKind::Server);
            assert_eq!(server.exit_code(), Code::Failure, "{server}");
        }
        for kind in [AwsErrorKind::Network, AwsErrorKind::Timeout] {
            assert_eq!(kind.exit_code(), Code::Failure, "{kind:?}");
        }
    }

    #[test]
    fn a_code_the_sdk_could_not_parse_is_read_from_the_body() {
        // What moto answers with its auth on: the error one level deeper than the SDK looks.
        let moto = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>\
                    <Code>InvalidClientTokenId</Code><Message>The security token included in the \
                    request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
        let err = service(403, None, moto);
        assert_eq!(err.kind, AwsErrorKind::InvalidKey);
        assert_eq!(err.code.as_deref(), Some("InvalidClientTokenId"));
        assert_eq!(err.exit_code(), Code::Denied);
        let text = err.to_string();
        assert!(
            text.starts_with("sts:GetCallerIdentity failed: the long-term access key is not valid")
                && text.ends_with(
                    "(InvalidClientTokenId: The security token included in the request is invalid.)"
                ),
            "{text}"
        );
        let unknown = service(403, Some("Unknown"), moto);
        assert_eq!(unknown.code.as_deref(), Some("InvalidClientTokenId"));

        let leaky = "<Error><Code>AccessDenied</Code><Message>TokenCode=975310</Message></Error>";
        let err = service(403, None, leaky);
        assert_eq!(err.kind, AwsErrorKind::AccessDenied);
        assert!(!err.to_string().contains("975310"), "{err}");
        let junk = service(403, None, "<Code>not a code</Code>");
        assert_eq!(junk.kind, AwsErrorKind::Refused);
    }

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
            code: Some("AccessDenied".to_owned()),
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
