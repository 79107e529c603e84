//! `Date*` values: W3C ISO 8601 profiles or epoch seconds, normalised to nanoseconds since the
//! epoch so that both formats compare correctly against each other (R24).

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub(crate) type Instant = i128;

/// Parses `1700000000`, `2024`, `2024-05`, `2024-05-01`, `2024-05-01T10:00Z`,
/// `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.123+09:00` (a missing offset means UTC).
pub(crate) fn parse(text: &str) -> Option<Instant> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() != 4 {
        return t.parse::<i64>().ok().map(|s| i128::from(s) * 1_000_000_000);
    }
    if let Some(rest) = t.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return rest
            .parse::<i64>()
            .ok()
            .map(|s| -i128::from(s) * 1_000_000_000);
    }
    parse_iso(t)
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_iso(t: &str) -> Option<Instant> {
    let (date_part, time_part) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut fields = date_part.split('-');
    let year = i32::try_from(num(fields.next()?, 4)?).ok()?;
    let month = fields.next().map(|m| num(m, 2)).unwrap_or(Some(1))?;
    let day = fields.next().map(|d| num(d, 2)).unwrap_or(Some(1))?;
    if fields.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(
        year,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let (time, offset) = match time_part {
        None => (Time::MIDNIGHT, UtcOffset::UTC),
        Some(tm) => parse_time(tm)?,
    };
    let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
    Some(at.unix_timestamp_nanos())
}

fn parse_time(tm: &str) -> Option<(Time, UtcOffset)> {
    let (clock, offset) = if let Some(c) = tm.strip_suffix(['Z', 'z']) {
        (c, UtcOffset::UTC)
    } else if let Some(pos) = tm.rfind(['+', '-']) {
        let (c, off) = tm.split_at(pos);
        let sign: i8 = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off.get(1..)?.split_once(':')?;
        let h = i8::try_from(num(h, 2)?).ok()?;
        let m = i8::try_from(num(m, 2)?).ok()?;
        (c, UtcOffset::from_hms(sign * h, sign * m, 0).ok()?)
    } else {
        (tm, UtcOffset::UTC)
    };
    let mut parts = clock.split(':');
    let hour = u8::try_from(num(parts.next()?, 2)?).ok()?;
    let minute = u8::try_from(num(parts.next()?, 2)?).ok()?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = match sec.split_once('.') {
                Some((w, f)) => (w, Some(f)),
                None => (sec, None),
            };
            let nanos = match frac {
                None => 0,
                Some(f)
                    if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    f.parse::<u32>().ok()? * 10u32.pow(9 - u32::try_from(f.len()).ok()?)
                }
                Some(_) => return None,
            };
            (u8::try_from(num(whole, 2)?).ok()?, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some((
        Time::from_hms_nano(hour, minute, second, nanos).ok()?,
        offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse;

    const S: i128 = 1_000_000_000;

    #[test]
    fn epoch_and_iso_agree() {
        assert_eq!(parse("1700000000"), Some(1_700_000_000 * S));
        assert_eq!(parse("2023-11-14T22:13:20Z"), Some(1_700_000_000 * S));
        assert_eq!(parse("2023-11-15T07:13:20+09:00"), Some(1_700_000_000 * S));
        assert_eq!(parse("2023-11-14T22:13Z"), Some(1_699_999_980 * S));
        assert_eq!(parse("2023-11-14"), Some(1_699_920_000 * S));
        assert_eq!(parse("2023"), Some(1_672_531_200 * S));
        assert_eq!(parse("2023-11"), Some(1_698_796_800 * S));
        assert_eq!(
            parse("2023-11-14T22:13:20.5Z"),
            Some(1_700_000_000 * S + S / 2)
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2023-13-01",
            "2023-02-30",
            "2023-11-14T25:00Z",
            "2023-1-1",
            "12:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
