//! A year of nightly exports as the rules keep them, in the output's compact form
//! (`report::kept`): what `kept` holds under `EC2_KEEP=365` and under a schedule, and its size.

use lightsail_export::decide::keep::{reasons, Candidate, KeepRules};
use lightsail_export::model::{Date, Timestamp};
use lightsail_export::report::kept::{compact, KeptEntry};

fn day(text: &str) -> Date {
    Date::parse(text).expect("a date")
}

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
    let reasons = reasons(&rules, &candidates, now);
    let entries = candidates
        .iter()
        .zip(reasons)
        .enumerate()
        .filter(|(_, (_, r))| !r.is_empty())
        .map(|(n, (c, reasons))| {
            let rules = reasons.into_iter().collect();
            KeptEntry::one(c.date, format!("ami-{n:017x}"), rules, None)
        });
    compact(entries.collect())
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
