//! An independent, straightforward implementation of the keep rules' semantics, and the
//! property test that holds `reasons` to it: each rule on its own, by grouping rather than by
//! one pass, with its own calendar arithmetic.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::model::time::test_util::day;

/// A rule's bucket, named: `2026-11-21`, `2026-W47`, `2026-11`, `2026`.
type BucketName = fn(Date) -> String;

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn ymd(date: Date) -> (i32, u32, u32) {
    let text = date.to_string();
    let part = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap();
    (part(0..4) as i32, part(5..7), part(8..10))
}

fn reference_within(span: Span, date: Date, now: Timestamp) -> bool {
    let (y, m, d) = ymd(now.date());
    let months = y as i64 * 12 + (m as i64 - 1) - span.years as i64 * 12 - span.months as i64;
    let (year, month) = (
        months.div_euclid(12) as i32,
        months.rem_euclid(12) as u32 + 1,
    );
    let shifted = format!(
        "{year:04}-{month:02}-{:02}",
        d.min(days_in_month(year, month))
    );
    let seconds_into_day = now.since(now.date().midnight()).as_secs_f64();
    let start =
        day(&shifted).midnight().epoch_seconds() + seconds_into_day - span.days as f64 * 86_400.0;
    date.midnight().epoch_seconds() >= start
}

fn reference(rules: &KeepRules, candidates: &[Candidate], now: Timestamp) -> Vec<BTreeSet<Reason>> {
    let mut out = vec![BTreeSet::new(); candidates.len()];
    // Newer: later date, then listed first; undated after every dated one.
    let rank = |i: usize| (std::cmp::Reverse(candidates[i].date), i);
    let mut newest_first: Vec<usize> = (0..candidates.len()).collect();
    newest_first.sort_by_key(|&i| rank(i));
    for &i in &newest_first {
        if candidates[i].tonight {
            out[i].insert(Reason::Tonight);
        }
    }
    if let Some(n) = rules.last {
        let mut order: Vec<usize> = newest_first.clone();
        order.sort_by_key(|&i| !candidates[i].tonight);
        for &i in order.iter().take(n as usize) {
            out[i].insert(Reason::Last);
        }
    }
    let rule_buckets: [(Reason, Option<u32>, BucketName); 4] = [
        (Reason::Daily, rules.daily, |d| d.to_string()),
        (Reason::Weekly, rules.weekly, |d| {
            let (y, w) = d.iso_week();
            format!("{y:04}-W{w:02}")
        }),
        (Reason::Monthly, rules.monthly, |d| {
            d.to_string()[..7].to_string()
        }),
        (Reason::Yearly, rules.yearly, |d| {
            d.to_string()[..4].to_string()
        }),
    ];
    for (reason, n, bucket) in rule_buckets {
        let Some(n) = n else { continue };
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in candidates.iter().enumerate() {
            if let Some(date) = c.date {
                groups.entry(bucket(date)).or_default().push(i);
            }
        }
        for (_, members) in groups.iter().rev().take(n as usize) {
            let newest = members.iter().copied().min_by_key(|&i| rank(i)).unwrap();
            out[newest].insert(reason);
        }
    }
    if let Some(span) = rules.within {
        for (i, c) in candidates.iter().enumerate() {
            if c.date.is_some_and(|d| reference_within(span, d, now)) {
                out[i].insert(Reason::Within);
            }
        }
    }
    out
}

fn arb_rules() -> impl Strategy<Value = KeepRules> {
    let count = || proptest::option::weighted(0.6, 0u32..12);
    let span = proptest::option::weighted(
        0.4,
        (0u32..3, 0u32..14, 0u32..40).prop_map(|(years, months, days)| Span {
            years,
            months,
            days,
        }),
    );
    (count(), count(), count(), count(), count(), span).prop_map(
        |(last, daily, weekly, monthly, yearly, within)| KeepRules {
            last,
            daily,
            weekly,
            monthly,
            yearly,
            within,
        },
    )
}

fn arb_candidates() -> impl Strategy<Value = Vec<Candidate>> {
    // Up to 60 exports over three years from 2023-12-20 (two leap days, weeks 53 of 2026 and
    // of 2020's neighbours), some undated, some of the same date, at most one tonight's.
    let one = (
        proptest::option::weighted(0.95, 0u32..1100),
        proptest::bool::weighted(0.05),
    );
    proptest::collection::vec(one, 0..60).prop_map(|raw| {
        let mut tonight_seen = false;
        raw.into_iter()
            .map(|(offset, tonight)| {
                let tonight = tonight && !tonight_seen;
                tonight_seen |= tonight;
                Candidate {
                    date: offset.and_then(|n| day("2023-12-20").days_later(n)),
                    tonight,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_rules_agree_with_a_straightforward_implementation(
        rules in arb_rules(),
        candidates in arb_candidates(),
        now_offset in 0u32..1200,
        seconds in 0u32..86_400,
    ) {
        let now = day("2023-12-20").days_later(now_offset).unwrap().midnight()
            + Duration::from_secs(u64::from(seconds));
        prop_assert_eq!(super::reasons(&rules, &candidates, now), reference(&rules, &candidates, now));
    }
}
