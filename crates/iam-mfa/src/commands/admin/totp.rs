//! TOTP (RFC 6238) for virtual MFA devices: HMAC-SHA1, 6 digits, 30-second steps, the
//! parameters IAM uses. With the seed of a device it just created, `enroll` checks the two
//! codes locally before `EnableMFADevice`, so a typo gets a clear "try again" (and it is
//! checked even where the endpoint, like moto, accepts any code).

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::fmt;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Digits per code.
const DIGITS: u8 = 6;
/// Seconds per step.
const STEP: u64 = 30;
/// Steps of clock drift tolerated either side of now (5 minutes).
const DRIFT_STEPS: u64 = 10;
/// The issuer AWS's own QR codes show.
const ISSUER: &str = "Amazon Web Services";

/// The seed of a virtual MFA device. Never printed by `Debug`.
pub struct Seed {
    totp: Totp,
    base32: String,
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<hidden>)")
    }
}

/// What two codes typed by a person say about a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The codes are consecutive codes of the seed near now.
    Consecutive,
    /// A code is not 6 digits.
    Malformed,
    /// The same code twice: the second must come from the next 30-second step.
    Repeated,
    /// The codes are not two consecutive codes of this seed near now.
    NoMatch,
}

impl Seed {
    /// The seed from its base32 text (as `CreateVirtualMFADevice` returns it); `None` if it is
    /// not base32 or shorter than RFC 4226's 128 bits.
    pub fn from_base32(text: &str) -> Option<Seed> {
        let base32 = text.trim().trim_end_matches('=').to_ascii_uppercase();
        let bytes = Secret::try_from_base32(&base32).ok()?;
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_step_duration(STEP)
            .with_secret(bytes.as_bytes().to_vec())
            .build()
            .ok()?;
        Some(Seed { totp, base32 })
    }

    /// The seed as base32 text, for `--secret-file` and manual entry in an authenticator app.
    pub fn base32(&self) -> &str {
        &self.base32
    }

    /// The code for Unix time `seconds`.
    pub fn code_at(&self, seconds: u64) -> String {
        self.totp.generate(seconds).to_string()
    }

    /// Checks that `first` and `second` are the codes of two consecutive steps within
    /// [`DRIFT_STEPS`] of Unix time `now`.
    pub fn check_consecutive(&self, first: &str, second: &str, now: u64) -> Check {
        let well_formed = |code: &str| {
            code.len() == usize::from(DIGITS) && code.bytes().all(|b| b.is_ascii_digit())
        };
        if !well_formed(first) || !well_formed(second) {
            return Check::Malformed;
        }
        if first == second {
            return Check::Repeated;
        }
        let origin = now / STEP;
        let window = origin.saturating_sub(DRIFT_STEPS)..=origin + DRIFT_STEPS;
        let found = window.into_iter().any(|step| {
            self.code_at(step * STEP) == first && self.code_at((step + 1) * STEP) == second
        });
        if found {
            Check::Consecutive
        } else {
            Check::NoMatch
        }
    }

    /// The seed in groups of four characters, easier to type into an app by hand.
    pub fn base32_grouped(&self) -> String {
        let chars: Vec<char> = self.base32.chars().collect();
        chars
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` URI an authenticator app scans: `user@account` under AWS's issuer name.
    /// SHA-1, 6 digits and 30 seconds are the URI format's defaults, so they are left out (a
    /// shorter URI makes a smaller QR code).
    pub fn otpauth_uri(&self, user: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(ISSUER, NON_ALPHANUMERIC);
        let label = utf8_percent_encode(&format!("{user}@{account}"), NON_ALPHANUMERIC).to_string();
        format!(
            "otpauth://totp/{issuer}:{label}?secret={}&issuer={issuer}",
            self.base32
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let seed = Seed::from_base32(RFC_SEED).unwrap();
        // Appendix B gives 8 digits; 6-digit codes are their last six (RFC 4226 truncation).
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(seed.code_at(time), code[2..], "T = {time}");
        }
    }

    #[test]
    fn consecutive_codes_are_recognised_with_drift() {
        let seed = Seed::from_base32(RFC_SEED).unwrap();
        let now = 1_234_567_890;
        let (a, b) = (seed.code_at(now), seed.code_at(now + STEP));
        assert_eq!(seed.check_consecutive(&a, &b, now), Check::Consecutive);
        assert_eq!(
            seed.check_consecutive(&a, &b, now + 4 * 60),
            Check::Consecutive,
            "clock 4 min ahead"
        );
        assert_eq!(
            seed.check_consecutive(&a, &b, now + 3600),
            Check::NoMatch,
            "an hour off"
        );
        assert_eq!(
            seed.check_consecutive(&b, &a, now),
            Check::NoMatch,
            "wrong order"
        );
        assert_eq!(seed.check_consecutive(&a, &a, now), Check::Repeated);
        assert_eq!(seed.check_consecutive("12345", &b, now), Check::Malformed);
        assert_eq!(seed.check_consecutive(&a, "12a456", now), Check::Malformed);
    }

    #[test]
    fn seeds_are_parsed_leniently_and_never_debug_printed() {
        let seed = Seed::from_base32(&format!(" {}== ", RFC_SEED.to_lowercase())).unwrap();
        assert_eq!(seed.base32(), RFC_SEED);
        assert_eq!(&seed.base32_grouped()[..14], "GEZD GNBV GY3T");
        assert_eq!(format!("{seed:?}"), "Seed(<hidden>)");
        assert!(Seed::from_base32("not base32!").is_none());
        assert!(
            Seed::from_base32("GEZDGNBV").is_none(),
            "40 bits is too short"
        );
    }

    #[test]
    fn otpauth_uri_names_user_account_and_issuer() {
        let seed = Seed::from_base32(RFC_SEED).unwrap();
        let uri = seed.otpauth_uri("alice", "123456789012");
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/Amazon%20Web%20Services:alice%40123456789012?secret={RFC_SEED}&issuer=Amazon%20Web%20Services"
            )
        );
    }
}
