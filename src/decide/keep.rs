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

pub use crate::model::keep::{Candidate, KeepRules, Reason, Span};
use crate::model::{Date, Timestamp};

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
mod reference;
#[cfg(test)]
mod tests;
