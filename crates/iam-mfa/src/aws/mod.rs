//! Building the AWS SDK configuration and clients from the global flags and the standard
//! environment. aws-config itself honours `AWS_PROFILE`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_<SERVICE>` and `endpoint_url`/`[services]` in the profile; the flags
//! below take precedence over all of them. [`error`] classifies the SDK's errors and maps them
//! to exit codes, for every layer above.

pub mod error;

use crate::args::GlobalArgs;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{error::CredentialsError, future};
use aws_sdk_sts::config::http::HttpRequest;
use aws_sdk_sts::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use std::time::Duration;

pub use error::{AwsError, AwsErrorKind, classify};

/// Region used when neither a flag, the environment nor the profile names one. IAM is global
/// and STS answers everywhere, so the tool keeps working for users who never set a region.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Time limits and retries of the AWS requests of one kind of command. Each request (one API
/// call, its retries and backoff included) ends within `operation`, answered or not.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Establishing the TCP (and TLS) connection.
    pub connect: Duration,
    /// From sending the request to the response headers.
    pub read: Duration,
    /// One attempt, the whole response body included (catches an endpoint trickling bytes).
    pub attempt: Duration,
    /// The whole request: every attempt and the backoff between them.
    pub operation: Duration,
    /// Attempts per request, the first included, for throttling, 5xx and timeouts.
    pub attempts: u32,
    /// Adaptive retries (a client-side rate limiter on top of backoff) for commands that send
    /// many requests; the session commands send one to three and use standard retries.
    pub adaptive: bool,
    /// Backoff before the first retry; it doubles (with jitter) up to `max_backoff`.
    pub initial_backoff: Duration,
    /// Longest backoff between two attempts.
    pub max_backoff: Duration,
}

/// The session commands (`process`, `login`, `exec`, `env`, `setup`). `process` sends at most
/// three requests (GetCallerIdentity and ListMFADevices when no serial is configured, then
/// GetSessionToken), so its network part ends within 3 × 15 s = 45 s, inside the 60 s the Go
/// SDKs allow a `credential_process`. Four throttled attempts back off at most 0.5 + 1 + 2 s, so
/// a throttled request ends with AWS's own Throttling error well before the 15 s.
pub const SESSION: Budget = Budget {
    connect: Duration::from_secs(3),
    read: Duration::from_secs(5),
    attempt: Duration::from_secs(10),
    operation: Duration::from_secs(15),
    attempts: 4,
    adaptive: false,
    initial_backoff: Duration::from_millis(500),
    max_backoff: Duration::from_secs(2),
};

/// The admin, audit and account-check commands: IAM reads can be slow on large accounts and
/// these commands send many requests, so each request gets 60 s and adaptive retries.
pub const ADMIN: Budget = Budget {
    connect: Duration::from_secs(3),
    read: Duration::from_secs(20),
    attempt: Duration::from_secs(30),
    operation: Duration::from_secs(60),
    attempts: 5,
    adaptive: true,
    initial_backoff: Duration::from_millis(200),
    max_backoff: Duration::from_secs(20),
};

impl Budget {
    fn retry_config(&self) -> RetryConfig {
        let retry = if self.adaptive {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        retry
            .with_max_attempts(self.attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .read_timeout(self.read)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// What to build an SDK configuration from.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Profile for region, endpoint and (unless `credentials` is set) credentials.
    pub profile: Option<String>,
    /// Region override.
    pub region: Option<String>,
    /// Endpoint override for every service.
    pub endpoint_url: Option<String>,
    /// Credentials to use instead of the default chain (long-term keys or an MFA session).
    pub credentials: Option<Credentials>,
}

impl ClientOptions {
    /// Options from the global flags, with the default credential chain.
    pub fn from_args(args: &GlobalArgs) -> ClientOptions {
        ClientOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.endpoint_url.clone(),
            credentials: None,
        }
    }

    /// The same options, signing with `credentials`.
    pub fn with_credentials(mut self, credentials: Credentials) -> ClientOptions {
        self.credentials = Some(credentials);
        self
    }
}

/// The SDK configuration of the session commands ([`SESSION`] budget).
pub async fn sdk_config(options: &ClientOptions) -> SdkConfig {
    sdk_config_within(options, &SESSION).await
}

/// Loads the SDK configuration: standard sources, then the overrides in `options`, the timeouts
/// and retries of `budget` (exponential backoff, throttling included), and a fallback region.
pub async fn sdk_config_within(options: &ClientOptions, budget: &Budget) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(budget.retry_config())
        .timeout_config(budget.timeout_config());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(credentials) = &options.credentials {
        loader = loader.credentials_provider(credentials.clone());
    }
    let config = loader.load().await;
    let checked = config
        .credentials_provider()
        .map(|provider| SharedCredentialsProvider::new(Checked(provider)));
    let has_region = config.region().is_some();
    let mut builder = config.into_builder();
    builder.set_credentials_provider(checked);
    if !has_region {
        builder.set_region(Region::from_static(FALLBACK_REGION));
    }
    builder.build()
}

/// Credentials from any provider, refused with an error when a field cannot go into an HTTP
/// header: the SDK would panic while signing (a control character in a key, say).
#[derive(Debug)]
struct Checked(SharedCredentialsProvider);

impl ProvideCredentials for Checked {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials = self.0.provide_credentials().await?;
            let fields = [
                ("aws_access_key_id", Some(credentials.access_key_id())),
                (
                    "aws_secret_access_key",
                    Some(credentials.secret_access_key()),
                ),
                ("aws_session_token", credentials.session_token()),
            ];
            for (key, value) in fields {
                if let Some(Err(reason)) = value.map(check_credential_text) {
                    return Err(CredentialsError::invalid_configuration(format!(
                        "the {key} of the credentials is unusable: {reason} (value not shown)"
                    )));
                }
            }
            Ok(credentials)
        })
    }
}

/// Checks the region and endpoint given by flag (`args`) or environment before anything else
/// runs, so a typo is a usage error (exit 2), never a request the SDK cannot build (whose error
/// would show the request, MFA code included) nor a panic.
pub fn check_args(args: &GlobalArgs) -> Result<(), String> {
    let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let regions = [
        ("--region", args.region.clone()),
        ("AWS_REGION", env("AWS_REGION")),
        ("AWS_DEFAULT_REGION", env("AWS_DEFAULT_REGION")),
    ];
    for (origin, region) in regions {
        if let Some(region) = region {
            check_region(&region).map_err(|reason| format!("{origin}: {reason}"))?;
        }
    }
    let endpoints = [
        ("--endpoint-url", args.endpoint_url.clone()),
        ("AWS_ENDPOINT_URL", env("AWS_ENDPOINT_URL")),
        ("AWS_ENDPOINT_URL_STS", env("AWS_ENDPOINT_URL_STS")),
        ("AWS_ENDPOINT_URL_IAM", env("AWS_ENDPOINT_URL_IAM")),
    ];
    for (origin, url) in endpoints {
        if let Some(url) = url {
            check_endpoint_url(&url).map_err(|reason| format!("{origin}: {reason}"))?;
        }
    }
    Ok(())
}

/// Checks a region name: lowercase letters, digits and inner `-` (`us-east-1`), as AWS names them.
pub fn check_region(region: &str) -> Result<(), String> {
    let valid = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not an AWS region name (lowercase letters, digits and `-`, e.g. us-east-1)",
            region.escape_debug()
        ))
    }
}

/// Checks an endpoint URL the way the SDK will apply it (so applying it cannot fail later), and
/// that it is `http://` or `https://` with a host and no query.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let reason = match rest {
        _ if url.is_empty() => "the URL is empty".to_owned(),
        None => "it must start with https:// or http://".to_owned(),
        Some(rest) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host_and_port = authority.rsplit('@').next().unwrap_or_default();
            let host = match host_and_port.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                None => host_and_port.split(':').next().unwrap_or_default(),
            };
            let mut request = HttpRequest::empty();
            match request.uri_mut().set_endpoint(url) {
                Err(err) => format!("it is not a valid URL ({err})"),
                Ok(()) if host.is_empty() => "it has no host name".to_owned(),
                Ok(()) if url.contains(['?', '#']) => {
                    "an endpoint URL cannot have a query or fragment".to_owned()
                }
                Ok(()) => return Ok(()),
            }
        }
    };
    Err(format!(
        "invalid endpoint URL `{}`: {reason}",
        url.escape_debug()
    ))
}

/// Checks that a credential read from a file can go into an HTTP header: not empty, and only
/// printable ASCII without spaces (what AWS keys, secrets and tokens are made of). The error
/// names what is wrong, never the value.
pub fn check_credential_text(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        Err("it is empty")
    } else if value.bytes().any(|b| b.is_ascii_control()) {
        Err("it contains a control character")
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        Err("it contains a space or a non-ASCII character")
    } else {
        Ok(())
    }
}

/// An IAM client for `config`.
pub fn iam_client(config: &SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(config)
}

/// An STS client for `config`.
pub fn sts_client(config: &SdkConfig) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(config)
}

/// `sts_regional_endpoints` (or `AWS_STS_REGIONAL_ENDPOINTS`): which STS endpoint the session
/// commands call. `regional` is the default of the AWS SDK for Rust and the CLI v2; `legacy`
/// (the CLI v1's default) sends the requests of the regions STS first served globally to
/// `sts.amazonaws.com`, for networks that allow only that host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StsEndpoints {
    #[default]
    Regional,
    Legacy,
}

impl StsEndpoints {
    /// Reads a setting's value (case-insensitive, as botocore does).
    pub fn parse(value: &str) -> Result<StsEndpoints, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "regional" => Ok(StsEndpoints::Regional),
            "legacy" => Ok(StsEndpoints::Legacy),
            _ => Err(format!(
                "`{}` is neither `regional` nor `legacy`",
                value.escape_debug()
            )),
        }
    }

    /// Whether a request in `region` goes to the global endpoint: only with `legacy`, only for
    /// the regions botocore's legacy table lists, and never over a configured endpoint URL.
    pub fn global(self, region: Option<&str>, endpoint_configured: bool) -> bool {
        const LEGACY_GLOBAL_REGIONS: [&str; 16] = [
            "ap-northeast-1",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "aws-global",
            "ca-central-1",
            "eu-central-1",
            "eu-north-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ];
        self == StsEndpoints::Legacy
            && !endpoint_configured
            && region.is_some_and(|region| LEGACY_GLOBAL_REGIONS.contains(&region))
    }

    /// An STS client for `config` that honours this setting.
    pub fn client(self, config: &SdkConfig) -> aws_sdk_sts::Client {
        let configured = config.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_STS").is_some_and(|url| !url.is_empty());
        if !self.global(config.region().map(Region::as_ref), configured) {
            return sts_client(config);
        }
        let global = aws_sdk_sts::config::Builder::from(config)
            .endpoint_url("https://sts.amazonaws.com")
            .region(Region::from_static("us-east-1"))
            .build();
        aws_sdk_sts::Client::from_conf(global)
    }
}

/// A single-threaded tokio runtime, built only by commands that actually call AWS, so the
/// fast paths (a cached `process`, `status`, `env --unset`) never start one.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_sts_endpoints_send_the_old_regions_to_the_global_endpoint() {
        let legacy = StsEndpoints::parse(" Legacy ").unwrap();
        assert!(legacy.global(Some("eu-west-1"), false));
        assert!(
            !legacy.global(Some("eu-west-1"), true),
            "a configured endpoint wins"
        );
        assert!(
            !legacy.global(Some("ap-east-1"), false),
            "newer regions stay regional"
        );
        assert!(!legacy.global(None, false));
        let regional = StsEndpoints::parse("regional").unwrap();
        assert!(!regional.global(Some("us-east-1"), false));
        assert_eq!(StsEndpoints::default(), regional);
        assert!(
            StsEndpoints::parse("global")
                .unwrap_err()
                .contains("neither")
        );
    }

    #[test]
    fn regions_are_aws_names() {
        for good in ["us-east-1", "us-gov-west-1", "eu-isoe-west-1", "cn-north-1"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "us east 1",
            "US-EAST-1",
            "us_east_1",
            "-us",
            "us-",
            "us-east-1\n",
        ] {
            let err = check_region(bad).unwrap_err();
            assert!(err.contains("not an AWS region name"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn endpoint_urls_must_be_http_with_a_host() {
        for good in [
            "http://127.0.0.1:5000",
            "https://sts.us-east-1.amazonaws.com",
            "http://[::1]:8080/",
            "https://proxy.example/aws",
        ] {
            assert!(check_endpoint_url(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "not a url",
            "ftp://x",
            "http://[::1",
            "http://",
            "http://:80",
            "http:///path",
            "http://host?x=1",
            "http://ho st",
        ] {
            let err = check_endpoint_url(bad).unwrap_err();
            assert!(err.contains("invalid endpoint URL"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn credential_text_is_printable_ascii_and_never_echoed() {
        assert!(check_credential_text("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(check_credential_text("wJalrXUtnFEMI/K7MDENG+bPxRfiCY=").is_ok());
        assert_eq!(check_credential_text(""), Err("it is empty"));
        let reason = check_credential_text("AKIA\u{1}SECRET").unwrap_err();
        assert!(reason.contains("control character") && !reason.contains("SECRET"));
        assert!(check_credential_text("AKIA SECRET").is_err());
        assert!(check_credential_text("AKIAé").is_err());
    }
}
