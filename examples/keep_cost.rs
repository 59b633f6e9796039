//! What a keep schedule keeps, and costs, once it has run long enough (BENCHMARKS.md, "Keep rules:
//! what a schedule keeps, and costs"): a deterministic model, no AWS, no emulator. One resource
//! of 80 GiB exported every night for 1 year and for 7 years; each night the crate's own
//! `decide::keep::reasons` is applied to the exports still kept plus tonight's, and what it no
//! longer keeps is retired for good (a retired export never comes back), so the set at the end is
//! the steady state. With `EC2_ARCHIVE_AFTER`, a disk's EBS snapshot kept only by the weekly,
//! monthly or yearly rules, older than the span and not the newest, moves to the archive tier,
//! as `decide::artifact::plan_exports` decides (an instance's AMI-backed snapshots never do).
//!
//!     cargo run --release --example keep_cost
//!
//! Every export is counted as a full 80 GiB snapshot, as the output's `cost` counts volume sizes:
//! an upper bound in the standard tier (EBS snapshots are incremental), the real bill in the
//! archive tier (an archived snapshot is converted to a full one).

use std::collections::BTreeSet;
use std::time::Duration;

use lightsail_export::decide::keep::{self, Candidate, KeepRules, Reason, Span};
use lightsail_export::model::Date;
use lightsail_export::report::kept::{compact, KeptEntry};

/// The resource's size: every export counted as a full snapshot of it.
const GIB: i64 = 80;
/// USD per GiB-month, the defaults of `report::cost::Prices` (not public): EBS snapshots in the
/// standard tier, and `ARCHIVE_PRICE` (docs/evidence.md §17, §18).
const STANDARD_PRICE: f64 = 0.05;
const ARCHIVE_PRICE: f64 = 0.0125;
/// The archive tier's minimum period: deleting earlier bills the remaining days.
const ARCHIVE_MINIMUM_DAYS: usize = 90;
/// The first night, and the hour (UTC) of each night's round.
const FIRST_YEAR: i32 = 2026;
const MONTH_DAY: &str = "03-15";
const ROUND_HOUR: u64 = 6;
/// Step Functions' state payload, and a target's report today (docs/decisions.md, "The 256 KiB
/// state payload").
const PAYLOAD: usize = 256 * 1024;
const REPORT: usize = 870;

/// One export still kept.
struct Export {
    date: Date,
    reasons: BTreeSet<Reason>,
    /// The night it moved to the archive tier.
    archived: Option<usize>,
}

/// One case: a set of rules, and `EC2_ARCHIVE_AFTER` for a disk's export.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    rules: KeepRules,
    archive_after: Option<Span>,
}

/// A run's end, and what happened on the way.
struct Run {
    nights: usize,
    kept: Vec<Export>,
    /// The fewest and most exports kept after a night, over the run's last 365 nights.
    range: (usize, usize),
    /// Exports moved to the archive tier, and those of them retired within the 90-day minimum.
    archived: usize,
    early_deletes: usize,
}

fn cases() -> [Case; 3] {
    let schedule = KeepRules {
        daily: Some(7),
        weekly: Some(5),
        monthly: Some(12),
        yearly: Some(7),
        ..KeepRules::default()
    };
    [
        Case {
            name: "(a) `EC2_KEEP=365` (last 365)",
            rules: KeepRules {
                last: Some(365),
                ..KeepRules::default()
            },
            archive_after: None,
        },
        Case {
            name: "(b) daily 7, weekly 5, monthly 12, yearly 7",
            rules: schedule,
            archive_after: None,
        },
        Case {
            name: "(c) as (b), `EC2_ARCHIVE_AFTER=90d`, a disk",
            rules: schedule,
            archive_after: Some(Span::days(90)),
        },
    ]
}

fn date(text: &str) -> Date {
    Date::parse(text).expect("a date")
}

/// Whether `plan_exports` would archive this kept export (`index` 0 is the newest).
fn archivable(case: &Case, index: usize, export: &Export, now_date: Date) -> bool {
    let now = now_date.midnight() + Duration::from_secs(ROUND_HOUR * 3600);
    case.archive_after.is_some_and(|after| {
        index > 0
            && export
                .reasons
                .iter()
                .all(|r| matches!(r, Reason::Weekly | Reason::Monthly | Reason::Yearly))
            && !after.keeps(export.date, now)
    })
}

/// One night: tonight's export joins those still kept, the rules run, the rest retire.
fn night(case: &Case, kept: Vec<Export>, today: Date, index: usize, run: &mut Run) -> Vec<Export> {
    let mut all = Vec::with_capacity(kept.len() + 1);
    all.push(Export {
        date: today,
        reasons: BTreeSet::new(),
        archived: None,
    });
    all.extend(kept);
    let candidates: Vec<Candidate> = all
        .iter()
        .enumerate()
        .map(|(i, e)| Candidate {
            date: Some(e.date),
            tonight: i == 0,
        })
        .collect();
    let now = today.midnight() + Duration::from_secs(ROUND_HOUR * 3600);
    let reasons = keep::reasons(&case.rules, &candidates, now);
    let mut next = Vec::with_capacity(all.len());
    for (mut export, why) in all.into_iter().zip(reasons) {
        if why.is_empty() {
            if export
                .archived
                .is_some_and(|on| index - on < ARCHIVE_MINIMUM_DAYS)
            {
                run.early_deletes += 1;
            }
            continue;
        }
        export.reasons = why;
        if export.archived.is_none() && archivable(case, next.len(), &export, today) {
            export.archived = Some(index);
            run.archived += 1;
        }
        next.push(export);
    }
    next
}

/// `years` of nights from the first, the same date `years` later excluded.
fn simulate(case: &Case, years: i32) -> Run {
    let first = date(&format!("{FIRST_YEAR}-{MONTH_DAY}"));
    let end = date(&format!("{}-{MONTH_DAY}", FIRST_YEAR + years));
    let mut run = Run {
        nights: 0,
        kept: Vec::new(),
        range: (usize::MAX, 0),
        archived: 0,
        early_deletes: 0,
    };
    let mut today = first;
    let mut kept = Vec::new();
    let mut sizes = Vec::new();
    while today < end {
        kept = night(case, kept, today, run.nights, &mut run);
        sizes.push(kept.len());
        run.nights += 1;
        today = today.days_later(1).expect("a date");
    }
    for &size in sizes.iter().rev().take(365) {
        run.range = (run.range.0.min(size), run.range.1.max(size));
    }
    run.kept = kept;
    run
}

/// GiB in the standard tier, in the archive tier, and USD a month.
fn cost(kept: &[Export]) -> (i64, i64, f64) {
    let archive = kept.iter().filter(|e| e.archived.is_some()).count() as i64 * GIB;
    let standard = kept.len() as i64 * GIB - archive;
    let usd = standard as f64 * STANDARD_PRICE + archive as f64 * ARCHIVE_PRICE;
    (standard, archive, (usd * 100.0).round() / 100.0)
}

/// The target's compact `kept` listing (AMIs for an instance, EBS snapshots for a disk), and
/// its size in bytes as JSON.
fn listing(kept: &[Export], disk: bool) -> (usize, usize) {
    let entries: Vec<KeptEntry> = kept
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = if disk {
                format!("snap-{:017x}", 0x0a1b_2c3d_4e5f_6000_u64 + i as u64)
            } else {
                format!("ami-{:017x}", 0x0a1b_2c3d_4e5f_6000_u64 + i as u64)
            };
            let tier = e.archived.map(|_| "archive".to_string());
            KeptEntry::one(Some(e.date), id, e.reasons.iter().copied().collect(), tier)
        })
        .collect();
    let compacted = compact(entries);
    let json = serde_json::to_string(&compacted).expect("JSON");
    (compacted.len(), json.len())
}

fn main() {
    println!(
        "One resource of {GIB} GiB, exported every night from {FIRST_YEAR}-{MONTH_DAY} (rounds at \
         {ROUND_HOUR:02}:00 UTC); every export counted as a full {GIB} GiB snapshot at \
         ${STANDARD_PRICE} (standard) and ${ARCHIVE_PRICE} (archive) per GiB-month.\n"
    );
    println!("| rules | run | nights | exports kept | GiB standard | GiB archive | USD/month |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let mut runs = Vec::new();
    for case in cases() {
        for years in [1, 7] {
            let run = simulate(&case, years);
            let (standard, archive, usd) = cost(&run.kept);
            println!(
                "| {} | {years} y | {} | {} | {standard} | {archive} | {usd:.2} |",
                case.name,
                run.nights,
                run.kept.len()
            );
            runs.push((case, years, run));
        }
    }
    println!(
        "\nA target's compact `kept` listing at the run's end (JSON), and the targets the loop"
    );
    println!("carries in {PAYLOAD} bytes at {REPORT} bytes of report + the listing each:\n");
    println!("| rules | run | entries | bytes | targets in 256 KiB |");
    println!("|---|---|---:|---:|---:|");
    for (case, years, run) in &runs {
        let (entries, bytes) = listing(&run.kept, case.archive_after.is_some());
        let carried = PAYLOAD / (REPORT + bytes);
        println!(
            "| {} | {years} y | {entries} | {bytes} | {carried} |",
            case.name
        );
    }
    println!();
    for (case, years, run) in &runs {
        println!(
            "- {} over {years} y: {} to {} kept after each of the last 365 nights; {} moved to \
             the archive tier, {} of them retired within {ARCHIVE_MINIMUM_DAYS} days of it.",
            case.name, run.range.0, run.range.1, run.archived, run.early_deletes,
        );
    }
}
