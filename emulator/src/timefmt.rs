//! Calendar arithmetic for the few formats the emulator reads and writes (RFC 3339 instants in
//! scenarios, `YYYY-MM-DD` automatic-snapshot dates). Hand-written to avoid a date crate for so little.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
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
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
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
}
