//! Session durations and the refresh margin: validated locally, before any AWS call.

use super::Error;

/// Shortest session GetSessionToken grants.
pub const MIN_SECONDS: u64 = 900;
/// Longest session GetSessionToken grants an IAM user (36 h).
pub const MAX_SECONDS: u64 = 129_600;
/// AWS's own default (12 h), also what aws-mfa, awsume and granted use.
pub const DEFAULT_SECONDS: u64 = 43_200;
/// Longest session for the root user; AWS silently caps longer requests to this.
pub const ROOT_MAX_SECONDS: u64 = 3_600;
/// Default refresh margin: botocore refreshes (advisory) 15 min before expiry, so a session is
/// renewed when less than this remains rather than handed out and refused.
pub const DEFAULT_MARGIN_SECONDS: u64 = 900;

/// The lengths one kind of session may have.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max: u64,
    /// How people say the range (`15 min to 36 h`).
    pub human: &'static str,
}

/// GetSessionToken's sessions.
pub const MFA_SESSION: Bounds = Bounds {
    max: MAX_SECONDS,
    human: "15 min to 36 h",
};

/// Checks a requested duration against `bounds`; `origin` names where it came from (flag or
/// profile key).
pub fn validate(seconds: u64, origin: &str, bounds: Bounds) -> Result<u64, Error> {
    if (MIN_SECONDS..=bounds.max).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(Error::InvalidDuration {
            origin: origin.to_owned(),
            reason: format!(
                "{seconds} is outside {MIN_SECONDS}..={} seconds ({})",
                bounds.max, bounds.human
            ),
        })
    }
}

/// Parses and checks a duration written in a profile (`duration_seconds`).
pub fn parse(text: &str, origin: &str, bounds: Bounds) -> Result<u64, Error> {
    let seconds = text
        .trim()
        .parse::<u64>()
        .map_err(|_| Error::InvalidDuration {
            origin: origin.to_owned(),
            reason: "not a whole number of seconds".to_owned(),
        })?;
    validate(seconds, origin, bounds)
}

/// Renders a span of seconds for people: `11h 59m`, `4m 10s`, `35s`.
pub fn human(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    let (hours, minutes, secs) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {secs:02}s")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive() {
        assert!(validate(899, "--duration", MFA_SESSION).is_err());
        assert_eq!(validate(900, "--duration", MFA_SESSION).ok(), Some(900));
        assert_eq!(
            validate(129_600, "--duration", MFA_SESSION).ok(),
            Some(129_600)
        );
        assert!(validate(129_601, "--duration", MFA_SESSION).is_err());
    }

    #[test]
    fn parse_rejects_non_numbers_and_names_the_origin() {
        let err = parse("12h", "duration_seconds of profile work", MFA_SESSION)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duration_seconds of profile work"), "{err}");
        assert_eq!(parse(" 3600 ", "x", MFA_SESSION).ok(), Some(3600));
    }

    #[test]
    fn human_spans() {
        assert_eq!(human(43_140), "11h 59m");
        assert_eq!(human(250), "4m 10s");
        assert_eq!(human(-35), "35s");
    }
}
