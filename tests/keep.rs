//! Keep rules against the emulator, night after night: a schedule keeps what it names, lists why
//! in `kept`, retires the rest (`retiredTonight`), and moves a disk's export that only the weekly
//! rule keeps to the archive tier, never an instance's AMI-backed snapshots. Run by the guess
//! matrix under every switch (`archivalDuration`, `archiveImageSnapshot` among them).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{target, Harness};
use lightsail_export::decide::keep::{KeepRules, Span};
use lightsail_export::model::TagFilter;
use lightsail_export::report::{Output, Status};
use lightsail_export::Config;
use serde_json::json;

/// 07:00 UTC, an hour after the 06:00 window; a new automatic snapshot every day.
const NIGHTS: &str = r#"
region: us-east-1
now: "2026-11-22T07:00:00Z"
speed: 0
seed: 5
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
"#;

/// Daily 3, weekly 3, archive what only the weekly rule keeps once 7 days old.
pub fn schedule() -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        ec2_keep: KeepRules {
            daily: Some(3),
            weekly: Some(3),
            ..KeepRules::default()
        },
        archive_after: Some(Span::days(7)),
        ..Config::default()
    }
}

async fn nights(h: &Harness, count: usize) -> Vec<Output> {
    let mut started = h.emulator.now();
    let mut outputs = Vec::new();
    for n in 0..count {
        if n > 0 {
            h.next_night(&mut started);
        }
        outputs.push(h.run_retrying(json!({}), 80).await.last().clone());
    }
    outputs
}

/// The function's snapshots left, per resource: export date -> (snapshot id, storage tier).
fn snapshots(h: &Harness) -> BTreeMap<String, BTreeMap<String, (String, String)>> {
    let mut all: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
    for s in h.emulator.ec2_snapshots() {
        if s.tags.get("lightsail-export:managed").map(String::as_str) != Some("true") {
            continue;
        }
        let tag = |k: &str| s.tags.get(k).cloned().unwrap_or_default();
        all.entry(tag("lightsail-export:resource"))
            .or_default()
            .insert(
                tag("lightsail-export:date"),
                (s.snapshot_id, s.storage_tier),
            );
    }
    all
}

#[tokio::test]
async fn a_schedule_keeps_what_it_names_and_archives_a_disks_weekly_export() {
    let h = Harness::new(NIGHTS, schedule()).await;
    // Exports of 2026-11-22 to 2026-12-09 (a Wednesday), the last at 2026-12-10T07:00.
    let outputs = nights(&h, 18).await;
    for output in &outputs {
        assert_eq!(output.status, Status::Succeeded, "{output:#?}");
    }
    // Daily 3: 12-07 to 12-09. Weekly 3: 12-09 (W50), 12-06 (W49), 11-29 (W48).
    let kept: BTreeSet<&str> = [
        "2026-11-29",
        "2026-12-06",
        "2026-12-07",
        "2026-12-08",
        "2026-12-09",
    ]
    .into();
    let left = snapshots(&h);
    for resource in ["web-1", "data-disk"] {
        let dates: BTreeSet<&str> = left[resource].keys().map(String::as_str).collect();
        assert_eq!(dates, kept, "{resource}");
    }
    // The disk's 11-29 export, kept by the weekly rule alone and more than 7 days old since the
    // night of 12-05, is archived (by the last night under either archival duration); 12-06's,
    // weekly-only but 4 days old, is not yet; the instance's snapshots never are.
    let (disk_weekly, tier) = &left["data-disk"]["2026-11-29"];
    assert_eq!(tier, "archive");
    assert!(left["web-1"].values().all(|(_, tier)| tier == "standard"));
    let disk_ids: BTreeSet<String> = h
        .writes("DeleteSnapshot")
        .into_iter()
        .map(|w| w.target)
        .chain(left["data-disk"].values().map(|(id, _)| id.clone()))
        .collect();
    for write in h.writes("ModifySnapshotTier") {
        assert!(disk_ids.contains(&write.target), "{write:?}: not a disk's");
    }
    // Asked once per snapshot, however many nights it stayed in progress.
    for (snapshot, n) in h.applied_per_target("ModifySnapshotTier") {
        assert_eq!(n, 1, "{snapshot} archived {n} times");
    }

    let last = outputs.last().expect("nights");
    let disk = serde_json::to_value(target(last, "data-disk")).expect("json");
    assert_eq!(
        disk["kept"].as_array().map(Vec::len),
        Some(4),
        "tonight's, a run of two dailies, two weeklies in two tiers: {disk:#}"
    );
    assert_eq!(disk["kept"][0]["date"], "2026-12-09");
    assert_eq!(
        disk["kept"][0]["rules"],
        json!(["tonight", "daily", "weekly"])
    );
    assert_eq!(disk["kept"][1]["count"], 2);
    assert_eq!(disk["kept"][2]["date"], "2026-12-06");
    assert_eq!(disk["kept"][2].get("tier"), None);
    assert_eq!(
        disk["kept"][3],
        json!({"date": "2026-11-29", "id": disk_weekly, "rules": ["weekly"], "tier": "archive"})
    );
    // The night of 12-08 retired 12-05's export (out of the daily three, not its week's
    // newest); the last night retired nothing.
    assert!(target(last, "web-1").retired_tonight.is_empty());
    let web = target(&outputs[16], "web-1");
    let dates: Vec<Option<&str>> = web
        .retired_tonight
        .iter()
        .map(|e| e.date.as_deref())
        .collect();
    assert_eq!(dates, [Some("2026-12-05")]);
    let cost = last.cost.as_ref().expect("cost");
    assert_eq!(cost.ec2_archive_gib, 64);
    assert_eq!(
        cost.ec2_standard_gib + cost.ec2_archive_gib,
        cost.ec2_snapshot_gib
    );
}
