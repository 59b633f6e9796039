use std::collections::BTreeSet;

use super::*;
use crate::model::time::test_util::day;

#[test]
fn runs_keep_their_ends_and_tonight_stands_alone() {
    let one = |date: &str, id: &str, rules: &[Reason]| {
        KeptEntry::one(Some(day(date)), id.into(), rules.to_vec(), None)
    };
    let kept = compact(vec![
        one("2026-11-20", "snap-3", &[Reason::Daily]),
        one("2026-11-22", "snap-5", &[Reason::Tonight, Reason::Daily]),
        one("2026-11-21", "snap-4", &[Reason::Daily]),
        one("2026-11-19", "snap-2", &[Reason::Daily]),
    ]);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].id.as_deref(), Some("snap-5"));
    assert_eq!(
        (
            kept[1].date.as_deref(),
            kept[1].oldest.as_deref(),
            kept[1].count,
            &kept[1].id
        ),
        (Some("2026-11-21"), Some("2026-11-19"), Some(3), &None)
    );
    // A different tier breaks a run.
    let mut archived = one("2026-11-18", "snap-1", &[Reason::Daily]);
    archived.tier = Some("archive".into());
    let mut more = kept.clone();
    more.push(archived);
    assert_eq!(compact(more).len(), 3);
}

#[test]
fn beyond_the_cap_the_oldest_are_one_run_of_their_rules() {
    let rules = [Reason::Daily, Reason::Weekly];
    let entries: Vec<KeptEntry> = (0..40)
        .map(|n| {
            let date = day("2026-01-01").days_later(n).unwrap();
            // Alternating rules: no two neighbours merge.
            KeptEntry::one(
                Some(date),
                format!("snap-{n}"),
                vec![rules[n as usize % 2]],
                None,
            )
        })
        .collect();
    let kept = compact(entries);
    assert_eq!(kept.len(), MAX_ENTRIES);
    let tail = kept.last().unwrap();
    assert_eq!(tail.count, Some(40 - (MAX_ENTRIES as u32 - 1)));
    assert_eq!(tail.oldest.as_deref(), Some("2026-01-01"));
    assert_eq!(
        tail.rules.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(rules)
    );
    // Merged again (the next round adds to what the last one carried): the same.
    assert_eq!(compact(kept.clone()), kept);
}
