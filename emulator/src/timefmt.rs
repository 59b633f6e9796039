//! The few time formats the emulator reads and writes: RFC 3339 instants in scenarios,
//! `YYYY-MM-DD` automatic-snapshot dates, `HH:MM` times of day and EC2's millisecond times.
//! The fields are read here, as leniently as scenarios have always been read; the calendar
//! (which dates exist, day numbers, the date of an instant) is the `time` crate's.

use time::{Date, Month, OffsetDateTime};

/// Days since 1970-01-01 of a date.
fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day() - OffsetDateTime::UNIX_EPOCH.date().to_julian_day())
}

/// The date of a day number, saturating at the ends of the crate's range (year ±9999), which
/// no scenario can write.
fn date_of(days: i64) -> Date {
    let julian = days + i64::from(OffsetDateTime::UNIX_EPOCH.date().to_julian_day());
    let julian = i32::try_from(julian).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX });
    Date::from_julian_day(julian).unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// The day number of `y-m-d`, if that date exists.
fn calendar_day(y: i64, m: u32, d: u32) -> Option<i64> {
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?);
    date.ok().map(day_number)
}

/// Parses `YYYY-MM-DD` into its day number, checking the day exists.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    calendar_day(y, m, d)
}

/// Parses an RFC 3339 instant (`2026-11-22T06:00:00Z`, fractional seconds and offsets allowed)
/// into epoch seconds.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.trim();
    let days = parse_date(s.get(0..10)?)?;
    let sep = s.as_bytes().get(10)?;
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let rest = s.get(11..)?;
    let (clock, offset) = split_offset(rest)?;
    let mut parts = clock.splitn(3, ':');
    let h: u32 = parts.next()?.parse().ok()?;
    let mi: u32 = parts.next()?.parse().ok()?;
    let sec: f64 = parts.next().unwrap_or("0").parse().ok()?;
    if h > 23 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    Some(days as f64 * 86_400.0 + f64::from(h * 3600 + mi * 60) + sec - offset)
}

/// Splits `HH:MM:SS[.fff](Z|±HH:MM)` into the clock part and the offset in seconds.
fn split_offset(rest: &str) -> Option<(&str, f64)> {
    if let Some(clock) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix('z')) {
        return Some((clock, 0.0));
    }
    let pos = rest.rfind(['+', '-'])?;
    let (clock, off) = rest.split_at(pos);
    let sign = if off.starts_with('-') { -1.0 } else { 1.0 };
    let (oh, om) = off.get(1..)?.split_once(':')?;
    let oh: f64 = oh.parse().ok()?;
    let om: f64 = om.parse().ok()?;
    Some((clock, sign * (oh * 3600.0 + om * 60.0)))
}

/// The model's TimeOfDay pattern `^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$`.
pub fn is_time_of_day(s: &str) -> bool {
    seconds_of_day(s).is_some()
}

/// Seconds after midnight of an `HH:MM` matching the model's TimeOfDay pattern.
pub fn seconds_of_day(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
    {
        return None;
    }
    let h: u32 = s.get(0..2)?.parse().ok()?;
    let m: u32 = s.get(3..5)?.parse().ok()?;
    (h <= 23 && m <= 59).then(|| f64::from(h * 3600 + m * 60))
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(days: i64) -> String {
    let date = date_of(days);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// ISO 8601 with milliseconds in UTC (`2026-11-22T06:40:00.000Z`), as EC2 writes its times.
pub fn format_iso_millis(epoch: f64) -> String {
    let ms = (epoch * 1000.0).round() as i64;
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}.{millis:03}Z",
        format_date(days),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_rfc3339("2026-11-22T06:00:00Z").unwrap();
        assert_eq!(t, 1_795_327_200.0);
        assert_eq!(parse_rfc3339("2026-11-22T08:00:00+02:00"), Some(t));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(seconds_of_day("06:00"), Some(21_600.0));
        assert_eq!(seconds_of_day("23:59"), Some(86_340.0));
        assert_eq!(format_iso_millis(t + 2400.5), "2026-11-22T06:40:00.500Z");
        assert_eq!(parse_rfc3339(&format_iso_millis(t)), Some(t));
        for bad in ["24:00", "6:00", "06:60", "06-00", "06:00Z", "+6:00"] {
            assert!(!is_time_of_day(bad), "{bad}");
        }
    }

    #[test]
    fn the_calendar_is_the_crates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-11-00"), None);
        assert_eq!(parse_date("2026-11-22T"), None);
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(format_date(20_414), "2025-11-22");
        assert_eq!(
            parse_rfc3339(" 2026-11-22t06:00:00.25-01:30 "),
            Some(1_795_327_200.25 + 5400.0)
        );
        assert_eq!(parse_rfc3339("2026-11-22T06:00Z"), Some(1_795_327_200.0));
        assert_eq!(format_iso_millis(-0.001), "1969-12-31T23:59:59.999Z");
    }
}
