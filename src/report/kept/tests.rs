use std::collections::BTreeSet;

use super::*;
use crate::decide::artifact::KeptExport;
use crate::decide::keep::{self, Candidate, KeepRules};
use crate::model::time::test_util::day;
use crate::model::Timestamp;

/// A year of nightly exports (to 2026-12-01, tonight's the last) as the rules keep them, in
/// the output's form.
fn year_under(rules: KeepRules) -> Vec<KeptEntry> {
    let last = day("2026-12-01");
    let candidates: Vec<Candidate> = (0..365)
        .map(|n| Candidate {
            date: last.days_earlier(n),
            tonight: n == 0,
        })
        .collect();
    let now = Timestamp::parse_rfc3339("2026-12-01T07:00:00Z").unwrap();
    let reasons = keep::reasons(&rules, &candidates, now);
    let exports = candidates
        .iter()
        .zip(reasons)
        .enumerate()
        .filter(|(_, (_, r))| !r.is_empty())
        .map(|(n, (c, reasons))| KeptExport {
            copy: format!("web-1-export-{n}"),
            date: c.date,
            id: Some(format!("ami-{n:017x}")),
            reasons,
            tier: None,
        });
    compact(exports.filter_map(|e| KeptEntry::of(&e)).collect())
}

fn bytes(entries: &[KeptEntry]) -> usize {
    serde_json::to_string(entries).unwrap().len()
}

#[test]
fn a_year_under_keep_365_is_two_entries() {
    let kept = year_under(KeepRules {
        last: Some(365),
        ..KeepRules::default()
    });
    let json = serde_json::to_value(&kept).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"date": "2026-12-01", "id": "ami-00000000000000000", "rules": ["tonight", "last"]},
            {"date": "2026-11-30", "oldest": "2025-12-02", "count": 364, "rules": ["last"]},
        ])
    );
}

#[test]
fn a_schedule_names_its_singles_and_runs() {
    let kept = year_under(KeepRules {
        daily: Some(7),
        weekly: Some(5),
        monthly: Some(12),
        yearly: Some(7),
        ..KeepRules::default()
    });
    let total: u32 = kept.iter().map(KeptEntry::exports).sum();
    assert_eq!(total, 21);
    let shape: Vec<(Option<&str>, u32, Vec<&str>)> = kept
        .iter()
        .map(|e| {
            let rules = e.rules.iter().map(|r| r.as_str()).collect();
            (e.date.as_deref(), e.exports(), rules)
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                Some("2026-12-01"),
                1,
                vec!["tonight", "daily", "weekly", "monthly", "yearly"]
            ),
            (Some("2026-11-30"), 1, vec!["daily", "monthly"]),
            (Some("2026-11-29"), 1, vec!["daily", "weekly"]),
            (Some("2026-11-28"), 4, vec!["daily"]),
            (Some("2026-11-22"), 3, vec!["weekly"]),
            (Some("2026-10-31"), 10, vec!["monthly"]),
            (Some("2025-12-31"), 1, vec!["yearly"]),
        ]
    );
    assert!(bytes(&kept) < 800, "{} bytes", bytes(&kept));
}

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
