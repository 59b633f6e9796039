//! Robust to every guess: a night of the pipeline under each value of each emulator switch (the
//! behaviours of real Lightsail that public evidence leaves open, emulator/README.md "Switches").
//! Under every value, every target ends with exactly one copy and one successful export, or a
//! clear FAILED; a new run the same night (the hourly schedule) writes nothing more.
//!
//! `./scripts/test.sh` also runs the pipeline-level test binaries once per non-default switch
//! value (`LIGHTSAIL_EMULATOR_SWITCHES`); this file flips each switch itself as well, so a plain
//! `cargo test` covers the matrix.

mod common;

use std::collections::BTreeMap;

use common::{target, Harness};
use lightsail_emulator::{
    AutoSnapshotInProgress, CopyDuringAutoSnapshot, ErrorEnvelope, SnapshotNameScope, Switches,
    CATALOG,
};
use lightsail_export::error::TargetErrorKind;
use lightsail_export::model::Phase;
use lightsail_export::model::TagFilter;
use lightsail_export::report::{Output, Status};
use lightsail_export::Config;
use serde_json::{json, Value};

/// 06:20 UTC, during us-east-1's 06:00 automatic-snapshot window. Every resource carries the
/// key-only tag `backup`. `shop.example.com`'s automatic snapshot of today is being taken, for as
/// long as `autoSnapshotInProgress` says; a static IP holds the name `clash`'s copy would take;
/// `off` has its automatic snapshots turned off; web-1 has yesterday's copy, exported.
const NIGHT: &str = r#"
region: us-east-1
now: "2026-11-22T06:20:00Z"
seed: 11
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
staticIps:
  - { name: clash-export-2026-11-21 }
instances:
  - name: web-1
    tags: { backup: "" }
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: Success }
  - name: shop.example.com
    blueprintId: wordpress
    tags: { backup: "" }
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: InProgress }
  - name: clash
    tags: { backup: "" }
    autoSnapshots:
      - { date: "2026-11-21", status: Success }
  - name: off
    tags: { backup: "" }
    autoSnapshotAddOn: false
    autoSnapshots:
      - { date: "2026-11-21", status: Success }
disks:
  - name: data-disk
    sizeInGb: 64
    tags: { backup: "" }
    autoSnapshots:
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: Success }
snapshots:
  - { name: web-1-export-2026-11-21, source: web-1, state: available, createdAt: "2026-11-21T07:00:00Z", tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-21" } }
exportRecords:
  - { sourceName: web-1-export-2026-11-21, fromResource: web-1, state: Succeeded, createdAt: "2026-11-21T07:15:00Z" }
unrelatedExportRecords: 130
"#;

/// A round every 5 minutes, for up to 20 hours.
const MAX_ROUNDS: usize = 240;

/// `MAX_AUTO_SNAPSHOT_WAIT` of these nights: between `minutes` and `hours`, so that a refused
/// copy ends exported under one and FAILED under the other.
const MAX_WAIT: u64 = 5_400;

fn config() -> Config {
    Config {
        target_tag: TagFilter::parse("backup").ok(),
        delete_copy_after_export: true,
        max_auto_snapshot_wait: std::time::Duration::from_secs(MAX_WAIT),
        ..Config::default()
    }
}

async fn night(switches: &Switches) -> (Harness, Vec<Output>) {
    let h = Harness::new(NIGHT, config()).await;
    h.emulator.set_switches(switches.clone());
    let mut outputs = Vec::new();
    let mut event = json!({});
    for _ in 0..MAX_ROUNDS {
        let output = h.invoke(event).await.expect("round succeeds");
        let done = output.status != Status::InProgress;
        h.emulator.advance(output.next_check_seconds as f64);
        event = serde_json::to_value(&output).expect("output serialises");
        outputs.push(output);
        if done {
            return (h, outputs);
        }
    }
    panic!("{switches:?}: no final status after {MAX_ROUNDS} rounds");
}

/// Applied writes of `operation` per target name.
fn applied(h: &Harness, operation: &str) -> BTreeMap<String, usize> {
    h.applied_per_target(operation)
}

fn kind(output: &Output, resource: &str) -> Option<TargetErrorKind> {
    target(output, resource).error.as_ref().map(|e| e.kind)
}

fn check_night(switches: &Switches, h: &Harness, outputs: &[Output]) {
    let label = format!("{switches:?}");
    let last = outputs.last().expect("a round");
    // Never twice, whatever Lightsail does.
    for (name, n) in applied(h, "CopySnapshot") {
        assert_eq!(n, 1, "{label}: {n} copies named {name}");
    }
    for (name, n) in applied(h, "ExportSnapshot") {
        assert_eq!(n, 1, "{label}: {n} exports of {name}");
    }
    // Plain resources, whatever the switches: exported, from today's automatic snapshot.
    for (resource, id) in [("web-1", "ami-"), ("data-disk", "snap-")] {
        let t = target(last, resource);
        assert_eq!(t.phase, Phase::Exported, "{label}: {t:#?}");
        assert_eq!(
            t.auto_snapshot_date.as_deref(),
            Some("2026-11-22"),
            "{label}"
        );
        let record = t.export_record.as_ref().expect("export record");
        assert_eq!(record.state, "Succeeded", "{label}");
        let destination = record.destination.as_ref().expect("destination");
        assert!(destination.id.starts_with(id), "{label}: {destination:?}");
    }
    // Yesterday's copy of web-1 went once tonight's was exported; tonight's stays as the proof.
    assert_eq!(
        applied(h, "DeleteInstanceSnapshot")
            .into_keys()
            .collect::<Vec<_>>(),
        ["web-1-export-2026-11-21"],
        "{label}"
    );
    // Automatic snapshots off: refused before anything is copied.
    assert_eq!(target(last, "off").phase, Phase::Failed, "{label}");
    assert_eq!(
        kind(last, "off"),
        Some(TargetErrorKind::AutoSnapshotsDisabled),
        "{label}"
    );

    // A copy name held by a static IP: refused when names are unique across resource types.
    let clash = target(last, "clash");
    match switches.snapshot_name_scope {
        SnapshotNameScope::Snapshots => assert_eq!(clash.phase, Phase::Exported, "{label}"),
        SnapshotNameScope::Region => {
            assert_eq!(clash.phase, Phase::Failed, "{label}: {clash:#?}");
            // Only Lightsail's `code` says "name": the header form says "invalid input".
            let expected = match switches.error_envelope {
                ErrorEnvelope::Code => TargetErrorKind::CopyNameConflict,
                ErrorEnvelope::Header => TargetErrorKind::InvalidInput,
            };
            assert_eq!(kind(last, "clash"), Some(expected), "{label}");
            let message = &clash.error.as_ref().expect("error").message;
            assert!(
                message.contains("clash-export-2026-11-21"),
                "{label}: {message}"
            );
        }
    }

    // The newest automatic snapshot being taken: the latest restorable one is copied at once,
    // or, where Lightsail refuses that, after a bounded wait.
    let shop = target(last, "shop.example.com");
    let first = target(&outputs[0], "shop.example.com");
    let today = first
        .auto_snapshot_today
        .as_ref()
        .expect("today's snapshot");
    assert_eq!(today.status, "InProgress", "{label}");
    assert_eq!(today.time_of_day.as_deref(), Some("06:00"), "{label}");
    for output in outputs {
        let date = target(output, "shop.example.com")
            .auto_snapshot_date
            .clone();
        assert_eq!(
            date.as_deref(),
            Some("2026-11-21"),
            "{label}: the run stays on its date"
        );
    }
    let refused = switches.copy_during_auto_snapshot != CopyDuringAutoSnapshot::Allowed;
    let too_long = switches
        .auto_snapshot_in_progress
        .seconds()
        .is_none_or(|s| s > MAX_WAIT as f64);
    if !refused {
        assert_eq!(first.actions, ["CopySnapshot", "TagResource"], "{label}");
    } else {
        assert_eq!(
            kind(&outputs[0], "shop.example.com"),
            Some(TargetErrorKind::AutoSnapshotInProgress),
            "{label}"
        );
        assert!(first.waiting_since.is_some(), "{label}");
    }
    if refused && too_long {
        assert_eq!(shop.phase, Phase::Failed, "{label}: {shop:#?}");
        assert_eq!(
            kind(last, "shop.example.com"),
            Some(TargetErrorKind::AutoSnapshotWaitExceeded),
            "{label}"
        );
        let message = &shop.error.as_ref().expect("error").message;
        assert!(
            message.contains("shop.example.com") && message.contains("2026-11-21"),
            "{label}: the message names the snapshot: {message}"
        );
    } else {
        assert_eq!(shop.phase, Phase::Exported, "{label}: {shop:#?}");
        assert!(shop.waiting_since.is_none(), "{label}");
    }
    assert_eq!(last.status, Status::Failed, "{label}: `off` failed");
}

/// A new run the same night, as an hourly schedule starts them: nothing is copied or exported
/// again for what is done (even if Lightsail forgot the records of the deleted copies).
async fn check_rerun(switches: &Switches, h: &Harness, last: &Output) {
    let label = format!("{switches:?}");
    let before = (applied(h, "CopySnapshot"), applied(h, "ExportSnapshot"));
    let again = h.invoke(json!({})).await.expect("round succeeds");
    let next = h
        .invoke(serde_json::to_value(last).expect("output"))
        .await
        .expect("round succeeds");
    for output in [&again, &next] {
        for resource in ["web-1", "data-disk"] {
            assert_eq!(target(output, resource).phase, Phase::Exported, "{label}");
        }
    }
    let after = (applied(h, "CopySnapshot"), applied(h, "ExportSnapshot"));
    for name in ["web-1-export-2026-11-22", "data-disk-export-2026-11-22"] {
        assert_eq!(
            before.0.get(name),
            after.0.get(name),
            "{label}: {name} copied again"
        );
        assert_eq!(
            before.1.get(name),
            after.1.get(name),
            "{label}: {name} exported again"
        );
    }
}

/// The switches of the environment (`LIGHTSAIL_EMULATOR_SWITCHES`, else the defaults) with one
/// switch set to `value`.
fn flipped(base: &Switches, name: &str, value: &Value) -> Switches {
    let mut switches = base.clone();
    switches
        .merge(json!({ name: value }))
        .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
    switches
}

#[tokio::test]
async fn every_value_of_every_switch_converges_on_one_copy_and_export_or_a_clear_failure() {
    let base = Harness::new(NIGHT, config()).await.emulator.switches();
    if std::env::var_os(lightsail_emulator::SWITCHES_VAR).is_some() {
        // One cell of the test matrix (scripts/test.sh): the night under that cell's switches.
        let (h, outputs) = night(&base).await;
        check_night(&base, &h, &outputs);
        check_rerun(&base, &h, outputs.last().expect("a round")).await;
        return;
    }
    let mut nights = 0;
    for info in CATALOG {
        let values = info.to_json()["values"].clone();
        for value in values.as_array().expect("values") {
            let switches = flipped(&base, info.name, value);
            let (h, outputs) = night(&switches).await;
            check_night(&switches, &h, &outputs);
            check_rerun(&switches, &h, outputs.last().expect("a round")).await;
            nights += 1;
        }
    }
    println!("FIGURES guesses: {nights} nights, one per switch value, all converged");
}

#[tokio::test]
async fn a_refused_copy_waits_then_copies_the_pinned_date_when_the_snapshot_is_taken() {
    let base = Harness::new(NIGHT, config()).await.emulator.switches();
    let switches = Switches {
        copy_during_auto_snapshot: CopyDuringAutoSnapshot::OperationFailure,
        auto_snapshot_in_progress: AutoSnapshotInProgress::Minutes,
        ..base
    };
    let (h, outputs) = night(&switches).await;
    let refused: Vec<&Output> = outputs
        .iter()
        .filter(|o| kind(o, "shop.example.com") == Some(TargetErrorKind::AutoSnapshotInProgress))
        .collect();
    // 1,200 s of automatic snapshot at a round every 300 s: refused in the first rounds only.
    assert!((3..=5).contains(&refused.len()), "{}", refused.len());
    let since: Vec<&str> = refused
        .iter()
        .filter_map(|o| target(o, "shop.example.com").waiting_since.as_deref())
        .collect();
    assert!(
        since.iter().all(|s| *s == "2026-11-22T06:20:00Z"),
        "{since:?}"
    );
    let message = &target(refused[0], "shop.example.com")
        .error
        .as_ref()
        .expect("error")
        .message;
    assert!(message.contains("2026-11-22 is being taken"), "{message}");
    assert_eq!(
        refused[0].status,
        Status::InProgress,
        "waiting is not failing"
    );
    let last = outputs.last().expect("a round");
    assert_eq!(target(last, "shop.example.com").phase, Phase::Exported);
    assert_eq!(
        applied(&h, "CopySnapshot").get("shop-example-com-export-2026-11-21"),
        Some(&1)
    );
}
