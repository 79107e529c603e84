//! Typed condition values, one module per family. Policy values are parsed once when the policy
//! is parsed; request values are parsed when compared, and a request value that does not parse
//! makes the comparison false (AWS's silent non-match).

pub(crate) mod binary;
pub(crate) mod date;
pub(crate) mod ip;
pub(crate) mod numeric;

/// Parses a Bool request or policy value (`true`/`false`, any case, R7).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
