//! `iam-mfa policy generate`: prints the force-MFA policy of [`doctor::force_mfa_policy`],
//! which `policy check` passes with no findings.

use std::time::Duration;

use crate::ui::exit::Coded;
use mfa_doctor::{self as doctor, Intent, Options};

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
    /// Also deny (outside self-service) when MFA was used longer ago than this: seconds or a
    /// duration such as `12h` (condition on aws:MultiFactorAuthAge).
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
    let policy = doctor::force_mfa_policy(&Options {
        intent: args.intent.clone(),
        max_mfa_age: args.max_mfa_age,
        partition: args.partition.clone(),
    });
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
