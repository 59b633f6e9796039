//! Keep rules: which of a target's exports (or Lightsail copies) a schedule keeps, and why.
//!
//! The rules are restic's `forget` policy, counted by the date of the automatic snapshot an
//! export holds (UTC days): `last` keeps the newest N; `daily`, `weekly`, `monthly`, `yearly`
//! keep the newest export of each of the last N days / ISO weeks / months / years that have one
//! (a night with no export does not use up a day); `within` keeps every export whose date is
//! younger than a span of days, weeks, months and years. An export is kept when any rule keeps
//! it, and each rule that does is named in its reasons. Where ours differ from restic's
//! (`within` counts back from now, tonight's export counts first in `last`, no hourly rule) is
//! written in docs/configuration.md, "Keep rules". Pure functions, tested by table and against
//! an independent implementation (`tests.rs`).

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::{Date, Timestamp};

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

/// A calendar bucket of a time rule: days, ISO weeks, months, years.
type Bucket = fn(Date) -> (i32, u32);

fn day(date: Date) -> (i32, u32) {
    (date.year(), u32::from(date.ordinal()))
}

fn iso_week(date: Date) -> (i32, u32) {
    let (year, week) = date.iso_week();
    (year, u32::from(week))
}

fn month(date: Date) -> (i32, u32) {
    (date.year(), u32::from(date.month()))
}

fn year(date: Date) -> (i32, u32) {
    (date.year(), 0)
}

/// Why each of `candidates` is kept (empty: retire it), in their order. `candidates` may come
/// in any order; among exports of one date, the one listed first is the newer (the caller's
/// tie-break: tonight's first, then by name).
pub fn reasons(
    rules: &KeepRules,
    candidates: &[Candidate],
    now: Timestamp,
) -> Vec<BTreeSet<Reason>> {
    let mut kept = vec![BTreeSet::new(); candidates.len()];
    // Newest first by date (stable: ties keep the caller's order); undated last.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[b].date.cmp(&candidates[a].date));
    for (i, candidate) in candidates.iter().enumerate() {
        if candidate.tonight {
            kept[i].insert(Reason::Tonight);
        }
    }
    if let Some(n) = rules.last {
        let tonight = order.iter().filter(|&&i| candidates[i].tonight);
        let others = order.iter().filter(|&&i| !candidates[i].tonight);
        for &i in tonight.chain(others).take(n as usize) {
            kept[i].insert(Reason::Last);
        }
    }
    let buckets: [(Reason, Option<u32>, Bucket); 4] = [
        (Reason::Daily, rules.daily, day),
        (Reason::Weekly, rules.weekly, iso_week),
        (Reason::Monthly, rules.monthly, month),
        (Reason::Yearly, rules.yearly, year),
    ];
    for (reason, count, bucket) in buckets {
        let Some(mut left) = count else { continue };
        let mut previous = None;
        for &i in &order {
            let Some(date) = candidates[i].date else {
                continue;
            };
            if left == 0 {
                break;
            }
            // Sorted by date: the first of each bucket is its newest.
            if previous != Some(bucket(date)) {
                previous = Some(bucket(date));
                kept[i].insert(reason);
                left -= 1;
            }
        }
    }
    if let Some(span) = rules.within {
        for (i, candidate) in candidates.iter().enumerate() {
            if candidate.date.is_some_and(|date| span.keeps(date, now)) {
                kept[i].insert(Reason::Within);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests;
