//! The flags shared by every command (they mirror the AWS CLI's), and `--page-size` of the
//! commands that list. Parsed here; `aws` turns them into SDK configuration.

use crate::ui::output::OutputFormat;

/// The help heading of the flags shared by every command.
pub const GLOBAL_HEADING: &str = "Global options";

/// Flags shared by every command; they mirror the AWS CLI's.
#[derive(clap::Args, Clone, Debug, Default)]
#[command(next_help_heading = GLOBAL_HEADING)]
pub struct GlobalArgs {
    /// Named profile to use (default: `AWS_PROFILE`, then `default`).
    #[arg(long, global = true, value_name = "NAME", value_parser = crate::names::parse_profile_name)]
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

/// `--page-size`, for the commands that list.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Listing {
    /// Items per page (`MaxItems`) of each IAM list call (default: the service's, 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub page_size: Option<i32>,
}
