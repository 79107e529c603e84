//! The two STS calls: `sts:GetSessionToken` (the MFA session from long-term keys and a code) and
//! `sts:AssumeRole` (a role session from an MFA session or a previous role's).

use super::cache::Session;
use super::code::MfaCode;
use crate::aws::{AwsError, AwsErrorKind, StsEndpoints, classify};
use aws_config::SdkConfig;
use time::OffsetDateTime;

/// Calls GetSessionToken with the long-term credentials in `config`.
pub async fn get_session_token(
    config: &SdkConfig,
    endpoints: StsEndpoints,
    serial: &str,
    code: &MfaCode,
    duration: u64,
) -> Result<Session, AwsError> {
    let operation = "sts:GetSessionToken";
    let output = endpoints
        .client(config)
        .get_session_token()
        .serial_number(serial)
        .token_code(code.as_str())
        .duration_seconds(i32::try_from(duration).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|err| with_endpoint(classify(operation, &err), config))?;
    session_of(operation, output.credentials())
}

/// Calls AssumeRole with `config`'s credentials (an MFA session, or the previous role's).
pub async fn assume_role(
    config: &SdkConfig,
    endpoints: StsEndpoints,
    request: &AssumeRequest<'_>,
) -> Result<Session, AwsError> {
    let operation = "sts:AssumeRole";
    let output = endpoints
        .client(config)
        .assume_role()
        .role_arn(request.role_arn)
        .role_session_name(request.session_name)
        .set_external_id(request.external_id.map(str::to_owned))
        .duration_seconds(i32::try_from(request.duration).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|err| with_endpoint(classify(operation, &err), config))?;
    session_of(operation, output.credentials())
}

/// The parameters of one AssumeRole.
#[derive(Clone, Copy, Debug)]
pub struct AssumeRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration: u64,
}

/// The session in an STS answer. Credentials that are empty, cannot go into a header, or are
/// already expired are refused: a misbehaving endpoint must not make the tool hand out (or
/// cache) a session that cannot work.
fn session_of(
    operation: &'static str,
    credentials: Option<&aws_sdk_sts::types::Credentials>,
) -> Result<Session, AwsError> {
    let unusable = |what: String| AwsError {
        operation,
        kind: AwsErrorKind::Other,
        code: None,
        detail: format!("the endpoint returned unusable credentials: {what}; nothing was cached"),
    };
    let credentials =
        credentials.ok_or_else(|| unusable("the response has no credentials".to_owned()))?;
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
        AwsErrorKind::Network
            | AwsErrorKind::Timeout
            | AwsErrorKind::Server
            | AwsErrorKind::Refused
    );
    if let (true, Some(url)) = (network, config.endpoint_url()) {
        err.detail = format!("{}; endpoint {url}", err.detail);
    }
    err
}
