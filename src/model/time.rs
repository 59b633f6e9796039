//! Time as the domain has it: an instant ([`Timestamp`], on Lightsail's clock; epoch seconds on
//! the wire, RFC 3339 in the contract), a calendar date ([`Date`], `YYYY-MM-DD`, UTC: the date of
//! an automatic snapshot, `restoreDate`), and `std::time::Duration` for lengths of time. The
//! calendar arithmetic is the `time` crate's; serde writes the contract's strings.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// An instant, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(OffsetDateTime::UNIX_EPOCH);

    /// An instant written as a `time` literal (tests: `Timestamp::at(datetime!(…))`).
    pub const fn at(instant: OffsetDateTime) -> Timestamp {
        Timestamp(instant)
    }

    /// Epoch seconds as the APIs give them (fractions kept); out of range clamps to the epoch.
    pub fn from_epoch_seconds(seconds: f64) -> Timestamp {
        let nanos = (seconds * 1e9).round();
        if !nanos.is_finite() {
            return Timestamp::UNIX_EPOCH;
        }
        OffsetDateTime::from_unix_timestamp_nanos(nanos as i128)
            .map_or(Timestamp::UNIX_EPOCH, Timestamp)
    }

    /// Whole epoch seconds; out of range clamps to the epoch.
    pub fn from_unix(seconds: i64) -> Timestamp {
        OffsetDateTime::from_unix_timestamp(seconds).map_or(Timestamp::UNIX_EPOCH, Timestamp)
    }

    /// The system clock.
    pub fn now_utc() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// Epoch seconds, fractions included (metrics' ages).
    pub fn epoch_seconds(self) -> f64 {
        self.0.unix_timestamp_nanos() as f64 / 1e9
    }

    /// The instant, to the whole second below it.
    pub fn whole_seconds(self) -> Timestamp {
        Timestamp::from_unix(self.0.unix_timestamp())
    }

    /// `2026-11-22T06:20:00Z`: UTC, whole seconds, as the contract writes times.
    pub fn rfc3339(self) -> String {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        self.whole_seconds()
            .0
            .format(&format)
            .unwrap_or_else(|_| self.0.unix_timestamp().to_string())
    }

    /// An RFC 3339 time, as the contract writes them (any offset is read).
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|t| Timestamp(t.to_offset(UtcOffset::UTC)))
            .map_err(|_| format!("`{text}` is not an RFC 3339 time such as 2026-11-22T06:20:00Z"))
    }

    /// The UTC date of the instant.
    pub fn date(self) -> Date {
        Date(self.0.date())
    }

    /// How long after `earlier` this is; zero when it is not after.
    pub fn since(self, earlier: Timestamp) -> Duration {
        (self.0 - earlier.0).try_into().unwrap_or(Duration::ZERO)
    }
}

impl Default for Timestamp {
    /// The epoch: a time nobody means.
    fn default() -> Timestamp {
        Timestamp::UNIX_EPOCH
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, length: Duration) -> Timestamp {
        Timestamp(
            self.0
                .checked_add(length.try_into().unwrap_or(time::Duration::MAX))
                .unwrap_or(self.0),
        )
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, length: Duration) -> Timestamp {
        Timestamp(
            self.0
                .checked_sub(length.try_into().unwrap_or(time::Duration::MAX))
                .unwrap_or(self.0),
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// A calendar date, `YYYY-MM-DD` (UTC), from 2000 on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    /// `YYYY-MM-DD`, a real calendar date.
    pub fn parse(text: &str) -> Result<Date, String> {
        let format = format_description!("[year]-[month]-[day]");
        let bad = || format!("restoreDate `{text}` is not a date in the form YYYY-MM-DD");
        if text.len() != 10 || !text.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad());
        }
        match time::Date::parse(text, &format) {
            Ok(date) if date.year() >= 2000 => Ok(Date(date)),
            _ => Err(bad()),
        }
    }

    /// 00:00 UTC of the date.
    pub fn midnight(self) -> Timestamp {
        Timestamp(self.0.midnight().assume_utc())
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        u8::from(self.0.month())
    }

    /// The day of the year, 1 to 366.
    pub fn ordinal(self) -> u16 {
        self.0.ordinal()
    }

    /// The ISO 8601 week: (week-numbering year, week 1 to 53). 2026-12-31 is in 2026-W53,
    /// 2027-01-01 too.
    pub fn iso_week(self) -> (i32, u8) {
        let (year, week, _) = self.0.to_iso_week_date();
        (year, week)
    }

    /// The same day `years` years and `months` months earlier, clamped to the end of a shorter
    /// month (2024-02-29 less a year is 2023-02-28; 2026-03-31 less a month is 2026-02-28), or
    /// `None` before year 1.
    pub fn months_earlier(self, years: u32, months: u32) -> Option<Date> {
        let total = i64::from(self.0.year()) * 12 + i64::from(self.month())
            - 1
            - i64::from(years) * 12
            - i64::from(months);
        let year = i32::try_from(total.div_euclid(12)).ok()?;
        let month = time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
        let day = self.0.day().min(time::util::days_in_month(month, year));
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .filter(|_| year >= 1)
            .map(Date)
    }

    /// The date `days` days earlier, or `None` out of the calendar's range.
    pub fn days_earlier(self, days: u32) -> Option<Date> {
        self.0
            .checked_sub(time::Duration::days(i64::from(days)))
            .map(Date)
    }

    /// The date `days` days later, or `None` out of the calendar's range.
    pub fn days_later(self, days: u32) -> Option<Date> {
        self.0
            .checked_add(time::Duration::days(i64::from(days)))
            .map(Date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(text: &str) -> Result<Date, String> {
        Date::parse(text)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `3h05m`, `40m`, `15s`: a length of time, for messages.
pub fn human_duration(length: Duration) -> String {
    match length.as_secs() {
        s if s >= 3600 && s % 3600 / 60 > 0 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s if s >= 3600 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Test shorthands: a date written `YYYY-MM-DD`, an instant in epoch seconds.
#[cfg(test)]
pub mod test_util {
    use super::{Date, Timestamp};

    pub fn day(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    pub fn at(seconds: f64) -> Timestamp {
        Timestamp::from_epoch_seconds(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2026-11-20", "2024-02-29", "2000-01-01"] {
            assert_eq!(Date::parse(ok).map(|d| d.to_string()), Ok(ok.to_string()));
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
            "1999-12-31",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        let date = Date::parse("2026-11-22").unwrap();
        assert_eq!(date.midnight(), Timestamp::from_unix(1_795_305_600));
        assert!(Date::parse("2026-11-21").unwrap() < date);
    }

    #[test]
    fn times() {
        let at = |s: f64| Timestamp::from_epoch_seconds(s);
        assert_eq!(at(0.0).date().to_string(), "1970-01-01");
        assert_eq!(at(1_795_328_400.0).date().to_string(), "2026-11-22");
        assert_eq!(at(951_782_400.0).date().to_string(), "2000-02-29");
        assert_eq!(at(1_795_391_999.0).date().to_string(), "2026-11-22");
        assert_eq!(at(1_795_328_400.7).rfc3339(), "2026-11-22T06:20:00Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-22T06:20:00Z"),
            Ok(Timestamp::from_unix(1_795_328_400))
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-22T07:20:00+01:00"),
            Ok(Timestamp::from_unix(1_795_328_400))
        );
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
        assert_eq!(at(100.0).since(at(40.5)), Duration::from_secs_f64(59.5));
        assert_eq!(at(40.0).since(at(100.0)), Duration::ZERO);
        assert_eq!(at(40.0) + Duration::from_secs(60), at(100.0));
        assert_eq!(at(f64::NAN), Timestamp::UNIX_EPOCH);
        let json = serde_json::to_string(&at(1_795_328_400.2)).unwrap();
        assert_eq!(json, "\"2026-11-22T06:20:00Z\"");
        assert_eq!(human_duration(Duration::from_secs(10_800)), "3h");
        assert_eq!(human_duration(Duration::from_secs(11_100)), "3h05m");
        assert_eq!(human_duration(Duration::from_secs(2_400)), "40m");
        assert_eq!(human_duration(Duration::from_secs(15)), "15s");
    }
}
