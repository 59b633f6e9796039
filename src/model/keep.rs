//! The keep rules' values: the rules a configuration sets ([`KeepRules`], with a calendar
//! [`Span`] for `within`), what the rules see of an export ([`Candidate`]) and why one is kept
//! ([`Reason`]). What the rules decide is `decide::keep`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Date, Timestamp};

/// Why an export is kept, as the output's `kept[].rules` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// Tonight's export: never retired, whatever the rules.
    Tonight,
    Last,
    Daily,
    Weekly,
    Monthly,
    Yearly,
    Within,
    /// No rule keeps it, but it is still being made: never retired while pending.
    Pending,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Tonight => "tonight",
            Reason::Last => "last",
            Reason::Daily => "daily",
            Reason::Weekly => "weekly",
            Reason::Monthly => "monthly",
            Reason::Yearly => "yearly",
            Reason::Within => "within",
            Reason::Pending => "pending",
        }
    }
}

/// A length of calendar time (`14d`, `2w`, `6m`, `1y6m`): years and months are calendar ones,
/// clamped to the end of a shorter month; a week is 7 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub years: u32,
    pub months: u32,
    pub days: u32,
}

impl Span {
    pub const fn days(days: u32) -> Span {
        Span {
            years: 0,
            months: 0,
            days,
        }
    }

    /// `<number><unit>…` with units `d`, `w`, `m`, `y` (`90d`, `6m`, `1y6m`), more than zero and
    /// at most 100 years in all. Hours are refused: exports are one a night, counted by date.
    pub fn parse(text: &str) -> Result<Span, String> {
        let expected = "expected a number and a unit (d, w, m or y), such as 14d, 6m or 1y6m";
        let mut span = Span::default();
        let mut digits = String::new();
        let text = text.trim();
        let mut seen = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            match c {
                'd' | 'w' | 'm' | 'y' => {}
                'h' => {
                    return Err(format!(
                        "hours are not counted (exports are one a night): {expected}"
                    ))
                }
                _ => return Err(format!("unknown unit `{c}`: {expected}")),
            }
            if seen.contains(c) {
                return Err(format!("`{c}` twice: {expected}"));
            }
            seen.push(c);
            let n: u32 = digits.parse().map_err(|_| expected.to_string())?;
            digits.clear();
            // Bounded below (100 years in all); capped here so that the sums cannot overflow.
            let n = n.min(1_000_000);
            match c {
                'd' => span.days += n,
                'w' => span.days += n * 7,
                'm' => span.months = n,
                _ => span.years = n,
            }
        }
        if !digits.is_empty() || text.is_empty() {
            return Err(expected.to_string());
        }
        let days = u64::from(span.years) * 366 + u64::from(span.months) * 31 + u64::from(span.days);
        match days {
            0 => Err("a span of zero keeps nothing: expected more than zero".to_string()),
            d if d > 36_600 => Err("more than 100 years".to_string()),
            _ => Ok(span),
        }
    }

    /// The instant this span before `now`: `now` less the years and months on the calendar,
    /// then less the days. `None` before the calendar's start (everything is within).
    pub fn before(self, now: Timestamp) -> Option<Timestamp> {
        let today = now.date();
        let time_of_day = now.since(today.midnight());
        let shifted = today.months_earlier(self.years, self.months)?;
        let at = shifted.midnight() + time_of_day;
        let days = Duration::from_secs(u64::from(self.days) * 86_400);
        (at.since(Timestamp::UNIX_EPOCH) >= days).then(|| at - days)
    }

    /// Whether an export of `date` is younger than this span at `now` (its date's midnight is
    /// not before the span's start): `EC2_KEEP_DAYS=3` keeps 2026-11-19 at 2026-11-22T00:00Z,
    /// not at 00:01.
    pub fn keeps(self, date: Date, now: Timestamp) -> bool {
        self.before(now)
            .is_none_or(|start| date.midnight() >= start)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut any = false;
        for (n, unit) in [(self.years, 'y'), (self.months, 'm'), (self.days, 'd')] {
            if n > 0 {
                write!(f, "{n}{unit}")?;
                any = true;
            }
        }
        if !any {
            f.write_str("0d")?;
        }
        Ok(())
    }
}

/// One set of keep rules (`EC2_KEEP_*`, `COPIES_KEEP_*`). None set: nothing is retired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepRules {
    pub last: Option<u32>,
    pub daily: Option<u32>,
    pub weekly: Option<u32>,
    pub monthly: Option<u32>,
    pub yearly: Option<u32>,
    pub within: Option<Span>,
}

impl KeepRules {
    /// Whether any rule is set (none: the function retires nothing).
    pub fn enabled(&self) -> bool {
        *self != KeepRules::default()
    }

    /// `last 7, daily 7, weekly 5, within 14d`: the rules set, for messages.
    pub fn describe(&self) -> String {
        let counts = [
            ("last", self.last),
            ("daily", self.daily),
            ("weekly", self.weekly),
            ("monthly", self.monthly),
            ("yearly", self.yearly),
        ];
        let mut parts: Vec<String> = counts
            .iter()
            .filter_map(|(name, n)| n.map(|n| format!("{name} {n}")))
            .collect();
        if let Some(span) = self.within {
            parts.push(format!("within {span}"));
        }
        if parts.is_empty() {
            "none (everything is kept)".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// One export (or copy) as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The date of the automatic snapshot it holds; `None` when its tag is no date (kept only
    /// by `last`, counted as the oldest).
    pub date: Option<Date>,
    /// Tonight's: always kept, and first in `last`'s count.
    pub tonight: bool,
}
