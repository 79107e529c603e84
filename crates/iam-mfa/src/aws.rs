//! Building the AWS SDK configuration and clients from the global flags and the standard
//! environment. aws-config itself honours `AWS_PROFILE`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_<SERVICE>` and `endpoint_url`/`[services]` in the profile; the flags
//! below take precedence over all of them.

use crate::ui::output::OutputFormat;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use std::time::Duration;

/// Region used when neither a flag, the environment nor the profile names one. IAM is global
/// and STS answers everywhere, so the tool keeps working for users who never set a region.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Attempts per request (first try included) for throttling and transient errors.
const MAX_ATTEMPTS: u32 = 5;

/// The help heading of the flags shared by every command.
pub const GLOBAL_HEADING: &str = "Global options";

/// Flags shared by every command; they mirror the AWS CLI's.
#[derive(clap::Args, Clone, Debug, Default)]
#[command(next_help_heading = GLOBAL_HEADING)]
pub struct GlobalArgs {
    /// Named profile to use (default: `AWS_PROFILE`, then `default`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS request to this endpoint (default: `AWS_ENDPOINT_URL[_<SERVICE>]`).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format: text or json; `policy check` also prints sarif, `audit` csv and sarif
    /// (each command's --help lists its own).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Log what happens (never secrets) to stderr.
    #[arg(long, global = true)]
    pub debug: bool,
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

/// Loads the SDK configuration: standard sources, then the overrides in `options`, adaptive
/// retries with exponential backoff (throttling included), and a fallback region.
pub async fn sdk_config(options: &ClientOptions) -> SdkConfig {
    let retry = RetryConfig::adaptive()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(200));
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
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
    if config.region().is_some() {
        return config;
    }
    config
        .into_builder()
        .region(Region::from_static(FALLBACK_REGION))
        .build()
}

/// An IAM client for `config`.
pub fn iam_client(config: &SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(config)
}

/// An STS client for `config`.
pub fn sts_client(config: &SdkConfig) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(config)
}

/// A single-threaded tokio runtime, built only by commands that actually call AWS, so the
/// fast paths (a cached `process`, `status`, `env --unset`) never start one.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
