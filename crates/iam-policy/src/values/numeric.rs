//! `Numeric*` values: integers or decimals (R25).

/// Parses an integer or decimal such as `3600`, `-1` or `3600.5`.
pub(crate) fn parse(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let valid = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if valid { t.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    #[test]
    fn integers_and_decimals() {
        assert_eq!(super::parse("3600"), Some(3600.0));
        assert_eq!(super::parse("3600.5"), Some(3600.5));
        assert_eq!(super::parse("-2"), Some(-2.0));
        assert_eq!(super::parse("1e3"), None);
        assert_eq!(super::parse("abc"), None);
        assert_eq!(super::parse("."), None);
        assert_eq!(super::parse("NaN"), None);
    }
}
