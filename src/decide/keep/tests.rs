use std::collections::BTreeSet;

use super::*;
use crate::model::time::test_util::day;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("an instant")
}

/// Nightly exports of `dates` (newest last is fine: the rules sort), none tonight's.
fn nights(dates: &[&str]) -> Vec<Candidate> {
    dates
        .iter()
        .map(|d| Candidate {
            date: Some(day(d)),
            tonight: false,
        })
        .collect()
}

/// The dates `rules` keep among `dates`, newest first, with the reasons of each.
fn kept(rules: KeepRules, dates: &[&str], now: &str) -> Vec<(String, Vec<&'static str>)> {
    let candidates = nights(dates);
    let reasons = super::reasons(&rules, &candidates, at(now));
    let mut out: Vec<(String, Vec<&'static str>)> = candidates
        .iter()
        .zip(reasons)
        .filter(|(_, r)| !r.is_empty())
        .map(|(c, r)| {
            let date = c.date.map(|d| d.to_string()).unwrap_or_default();
            (date, r.iter().map(|r| r.as_str()).collect())
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

fn every_day(from: &str, days: u32) -> Vec<String> {
    (0..days)
        .filter_map(|n| day(from).days_later(n))
        .map(|d| d.to_string())
        .collect()
}

fn rules() -> KeepRules {
    KeepRules::default()
}

#[test]
fn iso_week_53_is_a_week_of_its_own() {
    // 2026 has an ISO week 53 (Thursday 2026-01-01): 2026-12-28 to 2027-01-03.
    assert_eq!(day("2026-12-31").iso_week(), (2026, 53));
    assert_eq!(day("2027-01-03").iso_week(), (2026, 53));
    assert_eq!(day("2027-01-04").iso_week(), (2027, 1));
    let dates = every_day("2026-12-20", 18); // to 2027-01-06
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    let now = "2027-01-06T07:00:00Z";
    let weekly = KeepRules {
        weekly: Some(3),
        ..rules()
    };
    assert_eq!(
        kept(weekly, &dates, now),
        [
            ("2027-01-06".into(), vec!["weekly"]),
            ("2027-01-03".into(), vec!["weekly"]),
            ("2026-12-27".into(), vec!["weekly"]),
        ]
    );
    let monthly_yearly = KeepRules {
        monthly: Some(2),
        yearly: Some(5),
        ..rules()
    };
    assert_eq!(
        kept(monthly_yearly, &dates, now),
        [
            ("2027-01-06".into(), vec!["monthly", "yearly"]),
            ("2026-12-31".into(), vec!["monthly", "yearly"]),
        ]
    );
}

#[test]
fn leap_days_count_and_within_clamps_to_the_month_end() {
    let dates = ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"];
    let daily = KeepRules {
        daily: Some(3),
        ..rules()
    };
    assert_eq!(
        kept(daily, &dates, "2024-03-01T07:00:00Z"),
        [
            ("2024-03-01".into(), vec!["daily"]),
            ("2024-02-29".into(), vec!["daily"]),
            ("2024-02-28".into(), vec!["daily"]),
        ]
    );
    // A year before 2025-02-28T06:00 is 2024-02-28T06:00: the 29th is within, the 28th not.
    let year = KeepRules {
        within: Some(Span::parse("1y").unwrap()),
        ..rules()
    };
    assert_eq!(
        kept(year, &dates, "2025-02-28T06:00:00Z"),
        [
            ("2024-03-01".into(), vec!["within"]),
            ("2024-02-29".into(), vec!["within"]),
        ]
    );
    // A month before 2024-03-31T06:00 is 2024-02-29T06:00 (clamped): the 29th is not within.
    let month = KeepRules {
        within: Some(Span::parse("1m").unwrap()),
        ..rules()
    };
    assert_eq!(
        kept(month, &dates, "2024-03-31T06:00:00Z"),
        [("2024-03-01".into(), vec!["within"])]
    );
    // A year before the leap day is 2023-02-28.
    assert_eq!(
        day("2024-02-29").months_earlier(1, 0),
        Some(day("2023-02-28"))
    );
    assert_eq!(
        day("2026-03-31").months_earlier(0, 1),
        Some(day("2026-02-28"))
    );
    assert_eq!(
        day("2026-01-15").months_earlier(0, 13),
        Some(day("2024-12-15"))
    );
}

#[test]
fn missing_nights_do_not_use_up_a_rule() {
    // Nights missed between: the last 3 days *that have one*, the last 2 weeks that have one.
    let dates = ["2026-11-01", "2026-11-02", "2026-11-05", "2026-11-20"];
    let daily_weekly = KeepRules {
        daily: Some(3),
        weekly: Some(2),
        ..rules()
    };
    assert_eq!(
        kept(daily_weekly, &dates, "2026-11-20T07:00:00Z"),
        [
            ("2026-11-20".into(), vec!["daily", "weekly"]), // 2026-W47
            ("2026-11-05".into(), vec!["daily", "weekly"]), // 2026-W45 (W46 had none)
            ("2026-11-02".into(), vec!["daily"]),
        ]
    );
}

#[test]
fn a_backfill_older_than_everything_is_tonights_and_first_in_last() {
    let mut candidates = nights(&["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"]);
    candidates.push(Candidate {
        date: Some(day("2026-10-01")),
        tonight: true,
    });
    let rules = KeepRules {
        last: Some(3),
        daily: Some(2),
        ..rules()
    };
    let reasons = super::reasons(&rules, &candidates, at("2026-11-22T07:00:00Z"));
    let names = |set: &BTreeSet<Reason>| set.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    let got: Vec<Vec<&str>> = reasons.iter().map(names).collect();
    assert_eq!(
        got,
        [
            vec![],
            vec![],
            vec!["last", "daily"],
            vec!["last", "daily"],
            vec!["tonight", "last"],
        ]
    );
}

#[test]
fn two_exports_of_one_date_count_once_the_first_listed_newer() {
    let candidates = nights(&["2026-11-21", "2026-11-21", "2026-11-20"]);
    let names = |rules: KeepRules| -> Vec<bool> {
        super::reasons(&rules, &candidates, at("2026-11-22T07:00:00Z"))
            .iter()
            .map(|r| !r.is_empty())
            .collect()
    };
    let daily = KeepRules {
        daily: Some(2),
        ..rules()
    };
    assert_eq!(names(daily), [true, false, true]);
    let last = KeepRules {
        last: Some(2),
        ..rules()
    };
    assert_eq!(names(last), [true, true, false]);
}

#[test]
fn an_undated_export_is_the_oldest_kept_only_by_last() {
    let mut candidates = nights(&["2026-11-21"]);
    candidates.push(Candidate {
        date: None,
        tonight: false,
    });
    let all = KeepRules {
        daily: Some(9),
        weekly: Some(9),
        monthly: Some(9),
        yearly: Some(9),
        within: Some(Span::parse("100y").unwrap()),
        ..rules()
    };
    let now = at("2026-11-22T07:00:00Z");
    assert!(super::reasons(&all, &candidates, now)[1].is_empty());
    let last = KeepRules {
        last: Some(2),
        ..all
    };
    assert_eq!(
        super::reasons(&last, &candidates, now)[1],
        BTreeSet::from([Reason::Last])
    );
}

#[test]
fn a_typical_schedule_keeps_21_of_a_year() {
    let dates = every_day("2025-12-01", 366);
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    let schedule = KeepRules {
        daily: Some(7),
        weekly: Some(5),
        monthly: Some(12),
        yearly: Some(7),
        ..rules()
    };
    let got = kept(schedule, &dates, "2026-12-01T07:00:00Z");
    // 2026-12-01 is a Tuesday (2026-W49 began on Monday the 30th). Daily: 11-25 to 12-01.
    // Weekly: 12-01 (W49), Sunday 11-29 (W48), 11-22, 11-15, 11-08. Monthly: 12-01, 11-30,
    // then each month's last day to 2026-01-31 (12 months). Yearly: 12-01, and 2025-12-31.
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("2026-12-01", vec!["daily", "weekly", "monthly", "yearly"]),
        ("2026-11-30", vec!["daily", "monthly"]),
        ("2026-11-29", vec!["daily", "weekly"]),
        ("2026-11-28", vec!["daily"]),
        ("2026-11-27", vec!["daily"]),
        ("2026-11-26", vec!["daily"]),
        ("2026-11-25", vec!["daily"]),
        ("2026-11-22", vec!["weekly"]),
        ("2026-11-15", vec!["weekly"]),
        ("2026-11-08", vec!["weekly"]),
        ("2026-10-31", vec!["monthly"]),
        ("2026-09-30", vec!["monthly"]),
        ("2026-08-31", vec!["monthly"]),
        ("2026-07-31", vec!["monthly"]),
        ("2026-06-30", vec!["monthly"]),
        ("2026-05-31", vec!["monthly"]),
        ("2026-04-30", vec!["monthly"]),
        ("2026-03-31", vec!["monthly"]),
        ("2026-02-28", vec!["monthly"]),
        ("2026-01-31", vec!["monthly"]),
        ("2025-12-31", vec!["yearly"]),
    ];
    let expected: Vec<(String, Vec<&str>)> = expected
        .into_iter()
        .map(|(d, r)| (d.to_string(), r))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn the_old_settings_are_rules() {
    // EC2_KEEP=3 is last 3; EC2_KEEP_DAYS=3 is within 3d, from now (2026-11-22T06:20).
    let dates = [
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
    ];
    let now = "2026-11-22T06:20:00Z";
    let within = KeepRules {
        within: Some(Span::days(3)),
        ..rules()
    };
    let got: Vec<String> = kept(within, &dates, now).into_iter().map(|k| k.0).collect();
    assert_eq!(got, ["2026-11-21", "2026-11-20"]);
    assert!(Span::days(3).keeps(day("2026-11-19"), at("2026-11-22T00:00:00Z")));
    assert!(!Span::days(3).keeps(day("2026-11-19"), at("2026-11-22T00:00:01Z")));
}

#[test]
fn spans_parse_or_say_why_not() {
    let ok = [
        ("14d", Span::days(14)),
        ("2w", Span::days(14)),
        (
            " 6m ",
            Span {
                years: 0,
                months: 6,
                days: 0,
            },
        ),
        (
            "1y6m14d",
            Span {
                years: 1,
                months: 6,
                days: 14,
            },
        ),
        ("1w1d", Span::days(8)),
    ];
    for (text, span) in ok {
        assert_eq!(Span::parse(text), Ok(span), "{text}");
    }
    assert_eq!(
        Span::parse("1y6m14d").map(|s| s.to_string()),
        Ok("1y6m14d".into())
    );
    for (bad, why) in [
        ("", "expected a number"),
        ("14", "expected a number"),
        ("d", "expected a number"),
        ("14x", "unknown unit `x`"),
        ("-1d", "unknown unit `-`"),
        ("1d2d", "`d` twice"),
        ("3h", "hours are not counted"),
        ("0d", "zero"),
        ("101y", "100 years"),
        ("99999999999d", "expected a number"),
    ] {
        let error = Span::parse(bad).expect_err(bad);
        assert!(error.contains(why), "{bad}: {error}");
    }
}

#[test]
fn no_rule_is_none_and_rules_describe_themselves() {
    assert!(!rules().enabled());
    let schedule = KeepRules {
        daily: Some(7),
        within: Some(Span::days(14)),
        ..rules()
    };
    assert!(schedule.enabled());
    assert_eq!(schedule.describe(), "daily 7, within 14d");
}
