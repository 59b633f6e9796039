//! Dates and times as the contract writes them: `YYYY-MM-DD` dates (automatic snapshots,
//! `restoreDate`) and RFC 3339 UTC times (the output), from and to epoch seconds.

use aws_smithy_types::date_time::{DateTime, Format};

/// `YYYY-MM-DD`, a real calendar date.
pub fn validate_date(text: &str) -> Result<(), String> {
    let bad = || format!("restoreDate `{text}` is not a date in the form YYYY-MM-DD");
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Result<u32, String> {
        let part = &text[range];
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days || year < 2000 {
        return Err(bad());
    }
    Ok(())
}

/// An RFC 3339 time (as the output writes them) to epoch seconds.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    DateTime::from_str(text, Format::DateTime)
        .map(|t| t.secs())
        .map_err(|_| format!("`{text}` is not an RFC 3339 time such as 2026-11-22T06:20:00Z"))
}

/// Epoch seconds to RFC 3339, UTC, whole seconds.
pub fn rfc3339(epoch: f64) -> Option<String> {
    DateTime::from_secs(epoch.floor() as i64)
        .fmt(Format::DateTime)
        .ok()
}

/// The UTC date of an epoch time, `YYYY-MM-DD`.
pub fn utc_date(epoch: f64) -> String {
    let days = (epoch / 86_400.0).floor() as i64;
    // Civil from days (Howard Hinnant's algorithm), so no calendar crate is needed.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The epoch seconds of a `YYYY-MM-DD` date at 00:00 UTC.
pub fn date_epoch(date: &str) -> Option<f64> {
    validate_date(date).ok()?;
    let (y, m, d): (i64, i64, i64) = (
        date[0..4].parse().ok()?,
        date[5..7].parse().ok()?,
        date[8..10].parse().ok()?,
    );
    // Days from civil (Howard Hinnant's algorithm), the inverse of `utc_date`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) as f64 * 86_400.0)
}

/// `3h05m`, `40m`, `15s`: a duration, for messages.
pub fn human_duration(seconds: u64) -> String {
    match seconds {
        s if s >= 3600 && s % 3600 / 60 > 0 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s if s >= 3600 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2026-11-20", "2024-02-29", "2000-01-01"] {
            assert!(validate_date(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2026-02-29",
            "2026-11-31",
            "26-11-20",
            "2026/11/20",
            "2026-1-20",
            "",
            "2026-11-2a",
            "+026-11-20",
        ] {
            assert!(validate_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(utc_date(0.0), "1970-01-01");
        assert_eq!(utc_date(1_795_328_400.0), "2026-11-22");
        assert_eq!(utc_date(951_782_400.0), "2000-02-29");
        assert_eq!(utc_date(1_795_391_999.0), "2026-11-22");
        assert_eq!(
            rfc3339(1_795_328_400.7).as_deref(),
            Some("2026-11-22T06:20:00Z")
        );
        assert_eq!(parse_rfc3339("2026-11-22T06:20:00Z"), Ok(1_795_328_400));
        assert!(parse_rfc3339("yesterday").is_err());
        for date in ["2000-01-01", "2000-02-29", "2026-11-22", "2024-12-31"] {
            let epoch = date_epoch(date).unwrap();
            assert_eq!(utc_date(epoch), date);
            assert!(utc_date(epoch - 1.0).as_str() < date);
        }
        assert_eq!(date_epoch("2026-11-22"), Some(1_795_305_600.0));
        assert_eq!(date_epoch("2026-13-01"), None);
        assert_eq!(human_duration(10_800), "3h");
        assert_eq!(human_duration(11_100), "3h05m");
        assert_eq!(human_duration(2_400), "40m");
        assert_eq!(human_duration(15), "15s");
    }
}
