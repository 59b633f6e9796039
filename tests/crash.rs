//! Crashes: the function stops dead at every possible write (a Lambda timeout, an out-of-memory
//! kill, a lost host), its output is lost, and a new round starts, from the last good output (a
//! Step Functions retry of the same task) or from scratch (the next schedule). Every case must
//! converge on one copy and one successful export per target.
//!
//! Two ways of crashing: exactly, at the k-th write ([`CrashSwitch`]: the k-th write never leaves,
//! or leaves and is applied but its answer is never acted on); and bluntly, the handler's future
//! dropped after a timeout while requests are in flight (the emulator adds latency to every call),
//! so the cut falls anywhere, mid-request included.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{ClientOptions, CrashPoint, CrashSwitch, Harness};
use lightsail_export::model::Phase;
use lightsail_export::report::{Output, Status};
use lightsail_export::Config;
use serde_json::{json, Value};

const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
pageSize: 25
seed: 21
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - { name: web-1, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: shop.example.com, blueprintId: wordpress, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
disks:
  - { name: data-disk, sizeInGb: 64, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
unrelatedExportRecords: 30
"#;

const TARGETS: &[&str] = &["web-1", "shop.example.com", "data-disk"];

fn config() -> Config {
    Config {
        targets: TARGETS.iter().map(|t| t.to_string()).collect(),
        ..Config::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resume {
    /// The crashed round's own event again (Step Functions retries the task).
    SameEvent,
    /// `{}`: a new execution, nothing carried over.
    FromScratch,
}

/// Runs to the end; the round during which `crash` fires is discarded and resumed as `resume`.
/// Returns the writes Lightsail had received when the crash happened.
async fn run_with_crash(crash: CrashPoint, resume: Resume) -> (usize, Output, Harness) {
    let switch = Arc::new(CrashSwitch::default());
    let options = ClientOptions {
        crash: Some(switch.clone()),
        ..ClientOptions::default()
    };
    // One target at a time, so that the k-th write is the last one sent before the crash.
    let h = Harness::with_options(
        WORLD,
        Config {
            concurrency: 1,
            ..config()
        },
        &options,
    )
    .await;
    switch.arm(crash);
    let mut event = json!({});
    let mut at_crash = None;
    for _ in 0..common::MAX_ROUNDS {
        let result = h.invoke(event.clone()).await;
        if switch.crashed() {
            // The function died: its result, whatever it is, never reaches anyone.
            at_crash = Some(h.emulator.writes().len());
            switch.disarm();
            if resume == Resume::FromScratch {
                event = json!({});
            }
            continue;
        }
        let output = result.expect("round succeeds");
        h.emulator.advance(output.next_check_seconds as f64);
        event = serde_json::to_value(&output).unwrap();
        if output.status != Status::InProgress {
            let writes = at_crash.expect("the crash point was reached");
            return (writes, output, h);
        }
    }
    panic!("{crash:?} {resume:?}: no final status");
}

/// The writes of a run without crashes: every crash point lies between two of them.
async fn writes_without_crash() -> usize {
    let h = Harness::with_options(WORLD, config(), &ClientOptions::default()).await;
    let outputs = h.run(json!({})).await;
    assert_eq!(outputs.last().unwrap().status, Status::Succeeded);
    h.emulator.writes().len()
}

#[tokio::test]
async fn a_crash_before_or_after_every_write_then_a_new_round_converges_without_duplicates() {
    let writes = writes_without_crash().await;
    // Per target: CopySnapshot, TagResource, ExportSnapshot, and EC2's CreateTags.
    assert_eq!(writes, 4 * TARGETS.len());
    let mut crashes = 0;
    for k in 1..=writes {
        for point in [CrashPoint::BeforeWrite(k), CrashPoint::AfterWrite(k)] {
            for resume in [Resume::SameEvent, Resume::FromScratch] {
                let (at_crash, last, h) = run_with_crash(point, resume).await;
                crashes += 1;
                let expected = match point {
                    CrashPoint::BeforeWrite(k) => k - 1,
                    CrashPoint::AfterWrite(k) => k,
                };
                assert_eq!(
                    at_crash, expected,
                    "{point:?}: the world holds exactly the writes before the crash"
                );
                assert_eq!(
                    last.status,
                    Status::Succeeded,
                    "{point:?} {resume:?}: {last:#?}"
                );
                assert!(last.targets.iter().all(|t| t.phase == Phase::Exported));
                let copies = h.applied_per_target("CopySnapshot");
                let exports = h.applied_per_target("ExportSnapshot");
                assert_eq!(copies.len(), TARGETS.len(), "{point:?} {resume:?}");
                assert!(
                    copies.values().all(|n| *n == 1),
                    "{point:?} {resume:?}: {copies:?}"
                );
                assert_eq!(exports.len(), TARGETS.len(), "{point:?} {resume:?}");
                assert!(
                    exports.values().all(|n| *n == 1),
                    "{point:?} {resume:?}: {exports:?}"
                );
                h.assert_never_twice(3).await;
                // The copy a crash left untagged is tagged by a later round.
                let tagged = h.applied_per_target("TagResource");
                assert_eq!(
                    tagged.len(),
                    TARGETS.len(),
                    "{point:?} {resume:?}: {tagged:?}"
                );
            }
        }
    }
    println!(
        "FIGURES crash points: {writes} writes x 2 (before/after) x 2 resumes = {crashes} crashes, 0 duplicates"
    );
}

/// How long the first round and the first exporting round take on this machine, every call
/// taking 8 ms (about 120 ms and 70 ms on the 2-core CI machine).
async fn round_durations() -> (Duration, Duration) {
    let h = Harness::with_options(WORLD, config(), &ClientOptions::default()).await;
    h.set_faults(lightsail_emulator::Faults {
        latency_ms: 8,
        ..Default::default()
    });
    let start = h.emulator.now();
    let mut event = json!({});
    let mut first = None;
    loop {
        let exporting = h.emulator.now() >= start + 600.0;
        let began = std::time::Instant::now();
        let output = h.invoke(event.clone()).await.expect("round succeeds");
        let took = began.elapsed();
        match (first, exporting) {
            (None, _) => first = Some(took),
            (Some(first), true) => return (first, took),
            _ => {}
        }
        h.emulator.advance(output.next_check_seconds as f64);
        event = serde_json::to_value(&output).unwrap();
    }
}

/// The blunt crash: the handler's future is dropped after a while (a Lambda timeout), wherever it
/// is, while every call takes 8 ms: at 24 points spread over the first round and over the first
/// exporting round, as long as those take on this machine. The next round comes after the
/// requests already sent landed, as a Step Functions retry does (seconds later).
#[tokio::test]
async fn a_round_cut_short_at_any_moment_converges_without_duplicates() {
    let (first_round, export_round) = round_durations().await;
    let mut cuts = 0;
    let mut cut_mid_write = 0;
    for point in 1..=24u32 {
        for resume in [Resume::SameEvent, Resume::FromScratch] {
            let h = Harness::with_options(WORLD, config(), &ClientOptions::default()).await;
            h.set_faults(lightsail_emulator::Faults {
                latency_ms: 8,
                ..Default::default()
            });
            let mut event: Value = json!({});
            let mut last = None;
            // Cut the first round (copies) and the first round that exports (the copies are
            // ready 600 s after the start).
            let start = h.emulator.now();
            let (mut cut_first, mut cut_export) = (true, true);
            for _ in 0..common::MAX_ROUNDS {
                let exporting = h.emulator.now() >= start + 600.0;
                let cut_this = cut_first || (exporting && cut_export);
                if cut_this {
                    let whole = if exporting { export_round } else { first_round };
                    if exporting {
                        cut_export = false;
                    }
                    cut_first = false;
                    let before = h.emulator.writes().len();
                    let cut =
                        tokio::time::timeout(whole * point / 24, h.invoke(event.clone())).await;
                    if let Ok(result) = cut {
                        let output = result.expect("round succeeds");
                        h.emulator.advance(output.next_check_seconds as f64);
                        event = serde_json::to_value(&output).unwrap();
                        continue;
                    }
                    cuts += 1;
                    // Let requests already sent land (the emulator finishes them).
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if h.emulator.writes().len() > before {
                        cut_mid_write += 1;
                    }
                    if resume == Resume::FromScratch {
                        event = json!({});
                    }
                    continue;
                }
                let output = h.invoke(event.clone()).await.expect("round succeeds");
                h.emulator.advance(output.next_check_seconds as f64);
                event = serde_json::to_value(&output).unwrap();
                if output.status != Status::InProgress {
                    last = Some(output);
                    break;
                }
            }
            let last = last.expect("a final status");
            assert_eq!(
                last.status,
                Status::Succeeded,
                "cut at {point}/24 {resume:?}: {last:#?}"
            );
            let copies = h.applied_per_target("CopySnapshot");
            let exports = h.applied_per_target("ExportSnapshot");
            assert!(copies.values().all(|n| *n == 1), "{point}/24: {copies:?}");
            assert_eq!(exports.len(), TARGETS.len());
            assert!(exports.values().all(|n| *n == 1), "{point}/24: {exports:?}");
            h.assert_never_twice(3).await;
        }
    }
    assert!(cut_mid_write > 0, "some cuts fell after a write was sent");
    println!(
        "FIGURES rounds cut short: {cuts} cuts ({cut_mid_write} after a write was sent) over rounds of {} and {} ms, 0 duplicates",
        first_round.as_millis(),
        export_round.as_millis()
    );
}
