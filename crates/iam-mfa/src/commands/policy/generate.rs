//! `iam-mfa policy generate`: prints the force-MFA policy of [`doctor::force_mfa_policy`],
//! which `policy check` passes with no findings, or with `--trust` a role trust policy that
//! lets the named principals assume the role only with MFA ([`doctor::trust_policy`]).

use std::time::Duration;

use crate::ui::exit::Coded;
use anyhow::anyhow;
use mfa_doctor::{self as doctor, Intent, Options, TrustOptions};

/// Partitions whose IAM ARNs the policy can be written for.
const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// `policy generate` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub intent: Intent,
    /// Write a role trust policy instead: these principals (12-digit account ids, or IAM user,
    /// role or root ARNs; comma-separated or repeated) may assume the role only with MFA
    /// (`Bool`, so long-term access keys are refused). With --max-mfa-age, only with recent MFA.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ACCOUNT|ARN",
        conflicts_with_all = ["first_login_password_change", "cli_sessions", "exempt", "partition"]
    )]
    pub trust: Vec<String>,
    /// Also deny (outside self-service) when MFA was used longer ago than this: seconds or a
    /// duration such as `12h` (condition on aws:MultiFactorAuthAge). With --trust: allow
    /// assuming the role only within this long of MFA.
    #[arg(long, value_name = "DURATION", value_parser = parse_age)]
    pub max_mfa_age: Option<u64>,
    /// The partition of the ARNs.
    #[arg(long, default_value = "aws", value_parser = PARTITIONS)]
    pub partition: String,
}

/// Seconds (`3600`) or a humantime duration (`1h`, `90m`); at least one second.
fn parse_age(text: &str) -> Result<u64, String> {
    let seconds = match text.parse::<u64>() {
        Ok(seconds) => seconds,
        Err(_) => humantime::parse_duration(text)
            .map(|d: Duration| d.as_secs())
            .map_err(|e| format!("{e} (give seconds, or a duration such as 12h)"))?,
    };
    if seconds == 0 {
        return Err("must be at least one second".to_owned());
    }
    Ok(seconds)
}

/// Prints the policy as pretty JSON (the same for `--output text` and `json`).
pub fn run(args: &Args) -> Result<u8, Coded> {
    let policy = if args.trust.is_empty() {
        doctor::force_mfa_policy(&Options {
            intent: args.intent.clone(),
            max_mfa_age: args.max_mfa_age,
            partition: args.partition.clone(),
        })
    } else {
        doctor::trust_policy(&TrustOptions {
            principals: args.trust.clone(),
            max_mfa_age: args.max_mfa_age,
        })
        .map_err(|e| Coded::usage(anyhow!(e)))?
    };
    let text = crate::ui::output::to_json_line(&policy).map_err(Coded::failure)?;
    crate::ui::output::write_stdout(&text).map_err(Coded::failure)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_take_seconds_or_durations() {
        assert_eq!(parse_age("3600"), Ok(3600));
        assert_eq!(parse_age("12h"), Ok(43_200));
        assert!(parse_age("0").is_err());
        assert!(parse_age("soon").is_err());
    }
}
