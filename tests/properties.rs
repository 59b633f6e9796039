//! Property: whatever happens — transient faults, crashes at any write, events delivered twice or
//! late, two rounds at once, the clock jumping — the function never makes a second copy of a
//! (resource, date), never a successful export of a copy twice, never more exports of a copy than
//! `MAX_EXPORT_ATTEMPTS`, and converges once the faults stop.
//!
//! Random schedules are drawn by proptest from a fixed seed, so every run tries the same cases;
//! the emulator's faults are seeded by the schedule, each case runs on a single-threaded runtime,
//! one target at a time, with unjittered SDK backoffs, so a case replays the same calls in the same
//! order. `PROPTEST_CASES` overrides the number of cases.
//!
//! Two rounds at once ("pair") run with ExportSnapshot throttled: the code cannot keep two
//! concurrent rounds from both exporting a ready copy (see tests/concurrent.rs); the deployment
//! does (reserved concurrency 1). Everything else — copies, tags, reads — runs concurrently.

mod common;

use std::sync::Arc;

use common::{static_retry, ClientOptions, CrashPoint, CrashSwitch, Harness};
use lightsail_emulator::Faults;
use lightsail_export::error::TargetErrorKind;
use lightsail_export::model::Phase;
use lightsail_export::report::Status;
use lightsail_export::Config;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
pageSize: 25
seed: 9
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    blueprintId: ubuntu_22_04
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: InProgress, completesAfterSeconds: 1500 }
  - { name: app.example.com, blueprintId: wordpress, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
disks:
  - { name: data-disk, sizeInGb: 64, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
unrelatedExportRecords: 30
"#;

const TARGETS: [&str; 3] = ["web-1", "app.example.com", "data-disk"];

/// Transient faults of one round.
#[derive(Debug, Clone)]
struct Transient {
    seed: u64,
    throttle: f64,
    server: f64,
    drop: f64,
    drop_after_write: f64,
    /// The operations the rates apply to (empty: all).
    operations: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Input {
    /// The last good output (the normal loop).
    Latest,
    /// An output this many rounds older than the last good one, or `{}` before the first (an
    /// event delivered again, late).
    Stale(usize),
    /// `{}`: a new execution.
    Scratch,
}

#[derive(Debug, Clone)]
enum Step {
    Round {
        faults: Option<Transient>,
        crash: Option<CrashPoint>,
        input: Input,
    },
    /// Two rounds at once on the last good output.
    Pair {
        faults: Option<Transient>,
    },
    Advance(u32),
}

#[derive(Debug, Clone)]
struct Case {
    max_attempts: u32,
    /// Targets whose every export fails.
    failing: Vec<&'static str>,
    steps: Vec<Step>,
}

fn transient() -> impl Strategy<Value = Transient> {
    (
        any::<u64>(),
        prop::sample::select(vec![0.0, 0.3, 0.6]),
        prop::sample::select(vec![0.0, 0.1, 0.3, 1.0]),
        prop::sample::select(vec![0.0, 0.1]),
        prop::sample::select(vec![0.0, 0.5, 1.0]),
        prop::sample::select(vec![
            vec![],
            vec!["GetInstanceSnapshot", "GetDiskSnapshot"],
            vec!["CopySnapshot", "TagResource", "ExportSnapshot"],
            vec!["GetExportSnapshotRecords"],
            vec!["GetInstance", "GetDisk", "GetAutoSnapshots"],
        ]),
    )
        .prop_map(
            |(seed, throttle, server, drop, drop_after_write, operations)| Transient {
                seed,
                throttle,
                server,
                drop,
                drop_after_write,
                operations: operations.into_iter().map(str::to_string).collect(),
            },
        )
}

fn step() -> impl Strategy<Value = Step> {
    let crash = prop_oneof![
        3 => Just(None),
        1 => (1..=4usize).prop_map(|k| Some(CrashPoint::BeforeWrite(k))),
        1 => (1..=4usize).prop_map(|k| Some(CrashPoint::AfterWrite(k))),
    ];
    let input = prop_oneof![
        4 => Just(Input::Latest),
        1 => (1..=3usize).prop_map(Input::Stale),
        1 => Just(Input::Scratch),
    ];
    prop_oneof![
        6 => (prop::option::weighted(0.6, transient()), crash, input)
            .prop_map(|(faults, crash, input)| Step::Round { faults, crash, input }),
        1 => prop::option::weighted(0.6, transient()).prop_map(|faults| Step::Pair { faults }),
        3 => prop::sample::select(vec![0u32, 60, 300, 600, 1800, 3600]).prop_map(Step::Advance),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        1..=3u32,
        prop::collection::vec(prop::bool::weighted(0.2), 3),
        prop::collection::vec(step(), 1..=14),
    )
        .prop_map(|(max_attempts, failing, steps)| Case {
            max_attempts,
            failing: TARGETS
                .iter()
                .zip(failing)
                .filter(|(_, f)| *f)
                .map(|(t, _)| *t)
                .collect(),
            steps,
        })
}

fn faults(case: &Case, transient: Option<&Transient>) -> Faults {
    let mut faults = Faults {
        fail_exports_for: case.failing.iter().map(|t| t.to_string()).collect(),
        ..Faults::default()
    };
    if let Some(t) = transient {
        faults.seed = t.seed;
        faults.throttle_rate = t.throttle;
        faults.server_error_rate = t.server;
        faults.drop_connection_rate = t.drop;
        faults.drop_after_write_rate = t.drop_after_write;
        faults.operations = t.operations.clone();
    }
    faults
}

/// What a case did, for the figures.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    rounds: usize,
    crashes: usize,
    pairs: usize,
    redelivered: usize,
    faulted_rounds: usize,
    faults: usize,
    copies: usize,
    exports: usize,
}

async fn run_case(case: &Case) -> (Tally, Vec<String>) {
    let switch = Arc::new(CrashSwitch::default());
    let stats = Arc::new(common::CallStats::default());
    let options = ClientOptions {
        retry: Some(static_retry()),
        crash: Some(switch.clone()),
        stats: Some(stats.clone()),
        ..ClientOptions::default()
    };
    let config = Config {
        targets: TARGETS.iter().map(|t| t.to_string()).collect(),
        max_export_attempts: case.max_attempts,
        concurrency: 1,
        ..Config::default()
    };
    let h = Harness::with_options(WORLD, config, &options).await;
    let mut tally = Tally::default();
    let mut good: Vec<Value> = Vec::new();
    let latest = |good: &Vec<Value>| good.last().cloned().unwrap_or_else(|| json!({}));

    for step in &case.steps {
        match step {
            Step::Advance(seconds) => h.emulator.advance(f64::from(*seconds)),
            Step::Round {
                faults: transient,
                crash,
                input,
            } => {
                h.set_faults(faults(case, transient.as_ref()));
                tally.faulted_rounds += usize::from(transient.is_some());
                let event = match input {
                    Input::Latest => latest(&good),
                    Input::Stale(back) => {
                        tally.redelivered += 1;
                        good.len()
                            .checked_sub(1 + back)
                            .map_or_else(|| json!({}), |i| good[i].clone())
                    }
                    Input::Scratch => json!({}),
                };
                if let Some(point) = crash {
                    switch.arm(*point);
                }
                let result = h.invoke(event).await;
                tally.rounds += 1;
                if switch.crashed() {
                    tally.crashes += 1;
                } else {
                    match result {
                        Ok(output) => {
                            check_failures(&output, case);
                            good.push(serde_json::to_value(&output).unwrap());
                        }
                        Err(error) => assert_eq!(error.error_type(), "Retryable", "{error}"),
                    }
                }
                switch.disarm();
            }
            Step::Pair { faults: transient } => {
                let mut f = faults(case, transient.as_ref());
                // ExportSnapshot is refused (throttled, so never applied) while two rounds run.
                f.operations = vec!["ExportSnapshot".into()];
                f.throttle_rate = 1.0;
                f.server_error_rate = 0.0;
                f.drop_connection_rate = 0.0;
                f.drop_after_write_rate = 0.0;
                h.set_faults(f);
                let event = latest(&good);
                let (a, b) = tokio::join!(h.invoke(event.clone()), h.invoke(event));
                tally.pairs += 1;
                tally.rounds += 2;
                for result in [a, b] {
                    match result {
                        Ok(output) => {
                            check_failures(&output, case);
                            good.push(serde_json::to_value(&output).unwrap());
                        }
                        Err(error) => assert_eq!(error.error_type(), "Retryable", "{error}"),
                    }
                }
            }
        }
        check_invariants(&h, case).await;
    }

    // The faults stop (failing exports stay: they are the world's, not transient).
    h.set_faults(faults(case, None));
    let run = h.run_retrying(latest(&good), 30).await;
    tally.rounds += run.invocations;
    let last = run.last();
    assert_ne!(last.status, Status::InProgress);
    for name in TARGETS {
        let t = last.targets.iter().find(|t| t.resource == name).unwrap();
        let copy = t.snapshot_name.clone().expect("a copy name");
        let exports = h
            .applied_per_target("ExportSnapshot")
            .get(&copy)
            .copied()
            .unwrap_or(0);
        if case.failing.contains(&name) {
            assert_eq!(t.phase, Phase::Failed, "{name}: {t:#?}");
            assert_eq!(
                t.error.as_ref().map(|e| e.kind),
                Some(TargetErrorKind::ExportFailed),
                "{name}: {t:#?}"
            );
            assert_eq!(exports, case.max_attempts as usize, "{name}");
        } else {
            assert_eq!(t.phase, Phase::Exported, "{name}: {t:#?}");
        }
    }
    let duplicates = check_invariants(&h, case).await;
    tally.copies = duplicates.copies;
    tally.exports = duplicates.exports;
    tally.faults = stats.faults();
    let log: Vec<String> = h
        .emulator
        .writes()
        .iter()
        .map(|w| format!("{} {} {} {:?}", w.operation, w.target, w.applied, w.error))
        .collect();
    (tally, log)
}

/// Never lost: a transient fault never makes a target FAILED (a FAILED status ends the run for
/// the night); only the exports that keep failing do.
fn check_failures(output: &lightsail_export::Output, case: &Case) {
    for t in output.targets.iter().filter(|t| t.phase == Phase::Failed) {
        assert!(
            case.failing.contains(&t.resource.as_str())
                && t.error.as_ref().map(|e| e.kind) == Some(TargetErrorKind::ExportFailed),
            "{} FAILED: {:?}",
            t.resource,
            t.error
        );
    }
}

async fn check_invariants(h: &Harness, case: &Case) -> common::Duplicates {
    let duplicates = h.assert_never_twice(case.max_attempts).await;
    // One copy per (resource, date): copy names are per resource and date, and each one is
    // copied from the resource its name says.
    for write in h.writes("CopySnapshot").iter().filter(|w| w.applied) {
        let source = write.source.as_deref().unwrap_or_default();
        assert!(
            write
                .target
                .starts_with(&lightsail_export::input::names::sanitise(source)),
            "{write:?}"
        );
    }
    duplicates
}

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]))
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn never_twice_and_converges_under_any_schedule() {
    let total = std::sync::Mutex::new((0usize, Tally::default()));
    runner(96)
        .run(&case(), |case| {
            let (tally, _) = block_on(run_case(&case));
            let mut t = total.lock().unwrap();
            t.0 += 1;
            let s = &mut t.1;
            s.rounds += tally.rounds;
            s.crashes += tally.crashes;
            s.pairs += tally.pairs;
            s.redelivered += tally.redelivered;
            s.faulted_rounds += tally.faulted_rounds;
            s.faults += tally.faults;
            s.copies += tally.copies;
            s.exports += tally.exports;
            Ok(())
        })
        .unwrap();
    let (cases, s) = *total.lock().unwrap();
    println!(
        "FIGURES properties: {cases} schedules, {} rounds ({} with transient faults, {} faults \
         injected), {} crashes, {} concurrent pairs, {} late redeliveries, {} copies and {} \
         exports made, 0 duplicates",
        s.rounds,
        s.faulted_rounds,
        s.faults,
        s.crashes,
        s.pairs,
        s.redelivered,
        s.copies,
        s.exports
    );
}

/// The same schedule replays the same writes: the property test is deterministic.
#[test]
fn a_schedule_replays_identically() {
    let mut runner = runner(1);
    let tree = case().new_tree(&mut runner).unwrap();
    let case = tree.current();
    let (_, first) = block_on(run_case(&case));
    let (_, second) = block_on(run_case(&case));
    assert_eq!(first, second, "{case:#?}");
}
