//! Retirement and archiving under a schedule keep every guarantee of `EC2_KEEP`'s: a crash at
//! any write of a night, throttling and 5xx all converge on the same end state: the same
//! exports kept, each archival asked once, a user's artifacts untouched.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{ClientOptions, CrashPoint, CrashSwitch, Harness};
use lightsail_emulator::Faults;
use lightsail_export::decide::keep::{KeepRules, Span};
use lightsail_export::model::TagFilter;
use lightsail_export::report::Status;
use lightsail_export::Config;
use serde_json::json;

/// Nights from 2026-11-22 (a Sunday, the end of ISO week 47); the user owns a snapshot.
const NIGHTS: &str = r#"
region: us-east-1
now: "2026-11-22T07:00:00Z"
speed: 0
seed: 7
dailyAutoSnapshots: true
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5, ec2Seconds: 600 }
instances:
  - name: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 64
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
ec2Snapshots:
  - { snapshotId: snap-0000000000000000b, sizeGiB: 10, description: my backup }
"#;

/// Daily 1, weekly 2, archive after a day. Night 2 (11-23, ISO week 48) leaves 11-22 kept by
/// the weekly rule alone, and asks for its archival; night 3 (11-24) retires 11-23's export.
fn config() -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        concurrency: 1,
        ec2_keep: KeepRules {
            daily: Some(1),
            weekly: Some(2),
            ..KeepRules::default()
        },
        archive_after: Some(Span::days(1)),
        ..Config::default()
    }
}

/// What a run leaves: per resource, the dates of the function's snapshots; the archivals asked
/// per snapshot; whether the user's snapshot is still there.
type EndState = (BTreeMap<String, Vec<String>>, Vec<usize>, bool);

fn end_state(h: &Harness) -> EndState {
    let mut dates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut users = false;
    for s in h.emulator.ec2_snapshots() {
        users |= s.snapshot_id == "snap-0000000000000000b";
        if s.tags.get("lightsail-export:managed").map(String::as_str) == Some("true") {
            let tag = |k: &str| s.tags.get(k).cloned().unwrap_or_default();
            dates
                .entry(tag("lightsail-export:resource"))
                .or_default()
                .push(tag("lightsail-export:date"));
        }
    }
    dates.values_mut().for_each(|d| d.sort());
    let archived = h
        .applied_per_target("ModifySnapshotTier")
        .into_values()
        .collect();
    (dates, archived, users)
}

/// Three nights, the crash switch armed at `point` during night `crash_night` (1-based).
async fn three_nights(crash: Option<(usize, CrashPoint)>) -> Harness {
    let switch = Arc::new(CrashSwitch::default());
    let options = ClientOptions {
        crash: crash.map(|_| switch.clone()),
        ..ClientOptions::default()
    };
    let h = Harness::with_options(NIGHTS, config(), &options).await;
    let mut started = h.emulator.now();
    for night in 1..=3 {
        if night > 1 {
            h.next_night(&mut started);
        }
        let armed = crash
            .filter(|(n, _)| *n == night)
            .map(|(_, point)| (switch.as_ref(), point));
        let output = h.night_crashing_at(armed).await;
        assert_eq!(output.status, Status::Succeeded, "night {night}, {crash:?}");
    }
    h
}

#[tokio::test]
async fn a_crash_at_every_write_of_a_schedules_nights_converges_on_the_same_end_state() {
    let clean = three_nights(None).await;
    let expected = end_state(&clean);
    let kept: Vec<String> = ["2026-11-22", "2026-11-24"].map(String::from).to_vec();
    assert_eq!(expected.0["web-1"], kept, "the weekly 11-22 and tonight's");
    assert_eq!(expected.0["data-disk"], kept);
    assert_eq!(expected.1, [1], "the disk's 11-22 archived, once");
    assert!(expected.2, "the user's snapshot stays");
    // Each write of nights 2 and 3, crashed before and after.
    let mut crashes = 0;
    for night in 2..=3 {
        let from = 86_400.0 * (night - 1) as f64;
        let start = clean.emulator.writes().first().map_or(0.0, |w| w.at);
        let writes = clean
            .emulator
            .writes()
            .iter()
            .filter(|w| w.at >= start + from - 3_600.0 && w.at < start + from + 82_800.0)
            .count();
        assert!(writes > 0, "night {night} writes");
        for k in 1..=writes {
            for point in [CrashPoint::BeforeWrite(k), CrashPoint::AfterWrite(k)] {
                let h = three_nights(Some((night, point))).await;
                assert_eq!(end_state(&h), expected, "night {night}, {point:?}");
                crashes += 1;
            }
        }
    }
    println!("FIGURES keep crashes: {crashes} crash points, one end state");
}

#[tokio::test]
async fn a_schedule_under_throttling_and_5xx_loses_nothing() {
    let expected = end_state(&three_nights(None).await);
    for seed in 1..=3 {
        let h = Harness::new(NIGHTS, config()).await;
        h.set_faults(Faults {
            seed,
            throttle_rate: 0.3,
            server_error_rate: 0.15,
            operations: [
                "DescribeImages",
                "DescribeSnapshots",
                "DescribeSnapshotTierStatus",
                "ModifySnapshotTier",
                "CreateTags",
                "DeregisterImage",
                "DeleteSnapshot",
            ]
            .map(String::from)
            .to_vec(),
            ..Faults::default()
        });
        let mut started = h.emulator.now();
        let mut last = json!({});
        for night in 1..=3 {
            if night > 1 {
                h.next_night(&mut started);
                last = json!({});
            }
            last = serde_json::to_value(h.run_retrying(last, 80).await.last()).expect("output");
        }
        // What a failed call left for later is done by the rounds that follow.
        for _ in 0..5 {
            last = serde_json::to_value(h.invoke(last).await.expect("round")).expect("output");
        }
        assert_eq!(end_state(&h), expected, "seed {seed}");
    }
}
