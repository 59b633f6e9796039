//! Faults injected by the emulator, through the real SDK client and the real handler: throttling,
//! 5xx, latency, dropped connections and responses lost after the write was applied. Every run
//! must end with every target EXPORTED, one applied CopySnapshot and one applied ExportSnapshot per
//! target, in a bounded number of rounds. The emulator's write log is the witness.
//!
//! The figures printed here (`--nocapture`) are the ones docs/reliability.md reports.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{config, target, CallStats, ClientOptions, Harness, WORLD};
use lightsail_emulator::Faults;
use lightsail_export::error::TargetErrorKind;
use lightsail_export::model::Phase;
use lightsail_export::report::Status;
use lightsail_export::Config;
use serde_json::json;

const TARGETS: &[&str] = &["web-1", "data-disk", "shop.example.com"];

/// A fault-free run takes 9 rounds (copy 600 s, export 1,800 s, a round every 300 s); faults may
/// add rounds, never this many.
const ROUND_BOUND: usize = 20;

fn stats_options() -> (ClientOptions, Arc<CallStats>) {
    let stats = Arc::new(CallStats::default());
    let options = ClientOptions {
        stats: Some(stats.clone()),
        ..ClientOptions::default()
    };
    (options, stats)
}

/// Runs `targets` to the end under `faults` and checks the witness: one copy and one export per
/// target, every target EXPORTED, at most `ROUND_BOUND` invocations.
async fn converge_under(faults: Faults, targets: &[&str]) -> Figures {
    let (options, stats) = stats_options();
    let h = Harness::with_options(WORLD, config(targets), &options).await;
    h.set_faults(faults.clone());
    let started = Instant::now();
    let run = h.run_retrying(json!({}), ROUND_BOUND).await;
    let last = run.last();
    assert_eq!(last.status, Status::Succeeded, "{faults:?}: {last:#?}");
    for name in targets {
        assert_eq!(target(last, name).phase, Phase::Exported, "{name}");
    }
    let copies = h.applied_per_target("CopySnapshot");
    let exports = h.applied_per_target("ExportSnapshot");
    assert_eq!(copies.len(), targets.len(), "{copies:?}");
    assert_eq!(exports.len(), targets.len(), "{exports:?}");
    assert!(copies.values().all(|n| *n == 1), "{copies:?}");
    assert!(exports.values().all(|n| *n == 1), "{exports:?}");
    let duplicates = h.assert_never_twice(3).await;
    assert_eq!(duplicates.successful_exports, targets.len());
    let target_retries = run
        .outputs
        .iter()
        .flat_map(|o| &o.targets)
        .filter(|t| t.error.as_ref().map(|e| e.kind) == Some(TargetErrorKind::Retryable))
        .count();
    Figures {
        invocations: run.invocations,
        retried: run.retried,
        target_retries,
        attempts: stats.get()[0],
        faults: stats.faults(),
        writes: h.emulator.writes().len(),
        millis: started.elapsed().as_millis(),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    invocations: usize,
    retried: usize,
    target_retries: usize,
    attempts: usize,
    faults: usize,
    writes: usize,
    millis: u128,
}

impl std::ops::AddAssign for Figures {
    fn add_assign(&mut self, o: Figures) {
        self.invocations += o.invocations;
        self.retried += o.retried;
        self.target_retries += o.target_retries;
        self.attempts += o.attempts;
        self.faults += o.faults;
        self.writes += o.writes;
        self.millis += o.millis;
    }
}

fn report(what: &str, seeds: usize, total: Figures, max_invocations: usize) {
    println!(
        "FIGURES {what}: {seeds} seeds, {} invocations (max {max_invocations} per run, {} retried \
         Retryable), {} per-target Retryable, {} attempts, {} faults injected, {} writes received, \
         0 duplicates, {} ms",
        total.invocations,
        total.retried,
        total.target_retries,
        total.attempts,
        total.faults,
        total.writes,
        total.millis
    );
}

#[tokio::test]
async fn thirty_percent_throttling_ten_percent_5xx_and_latency_converge_without_duplicates() {
    let (mut total, mut max) = (Figures::default(), 0);
    let seeds = 1..=12u64;
    for seed in seeds.clone() {
        let figures = converge_under(
            Faults {
                seed,
                throttle_rate: 0.3,
                server_error_rate: 0.1,
                latency_ms: 5,
                ..Faults::default()
            },
            TARGETS,
        )
        .await;
        max = max.max(figures.invocations);
        total += figures;
    }
    assert!(total.faults > 100, "faults were injected: {total:?}");
    report("throttle 30% + 5xx 10% + 5 ms", seeds.count(), total, max);
}

#[tokio::test]
async fn dropped_connections_converge_without_duplicates() {
    let (mut total, mut max) = (Figures::default(), 0);
    let seeds = 1..=8u64;
    for seed in seeds.clone() {
        let figures = converge_under(
            Faults {
                seed,
                drop_connection_rate: 0.2,
                throttle_rate: 0.1,
                ..Faults::default()
            },
            TARGETS,
        )
        .await;
        max = max.max(figures.invocations);
        total += figures;
    }
    report("drop 20% + throttle 10%", seeds.count(), total, max);
}

#[tokio::test]
async fn responses_lost_after_the_write_converge_without_duplicates() {
    let (mut total, mut max) = (Figures::default(), 0);
    let seeds = 1..=8u64;
    for seed in seeds.clone() {
        let figures = converge_under(
            Faults {
                seed,
                drop_after_write_rate: 0.5,
                drop_connection_rate: 0.05,
                throttle_rate: 0.2,
                server_error_rate: 0.05,
                ..Faults::default()
            },
            TARGETS,
        )
        .await;
        max = max.max(figures.invocations);
        total += figures;
    }
    report(
        "drop-after-write 50% + drop 5% + throttle 20% + 5xx 5%",
        seeds.count(),
        total,
        max,
    );
}

/// Every CopySnapshot is applied and its response lost: the round finds the copy and never sends
/// a second one.
#[tokio::test]
async fn a_copy_whose_response_was_lost_is_found_and_not_repeated() {
    // (shop.example.com waits for its automatic snapshot in progress before copying: not here.)
    const TARGETS: &[&str] = &["web-1", "data-disk"];
    let h = Harness::with_options(WORLD, config(TARGETS), &ClientOptions::default()).await;
    h.set_faults(Faults {
        drop_after_write_rate: 1.0,
        operations: vec!["CopySnapshot".into()],
        ..Faults::default()
    });
    let first = h.invoke(json!({})).await.unwrap();
    for name in TARGETS {
        let t = target(&first, name);
        assert_eq!(t.phase, Phase::Copying, "{name}");
        assert_eq!(
            t.error, None,
            "{name}: the copy was found, nothing to report"
        );
    }
    let run = h
        .run_retrying(serde_json::to_value(&first).unwrap(), ROUND_BOUND)
        .await;
    assert_eq!(run.last().status, Status::Succeeded);
    let sent = h.writes("CopySnapshot");
    assert_eq!(
        sent.len(),
        TARGETS.len(),
        "one CopySnapshot sent per target"
    );
    assert!(sent
        .iter()
        .all(|w| w.applied && w.error.as_deref() == Some("DroppedConnection")));
    h.assert_never_twice(3).await;
}

/// Every ExportSnapshot is applied and its response lost: the target waits (`Retryable`, still
/// EXPORTING), and the next round sees the export record instead of exporting again.
#[tokio::test]
async fn an_export_whose_response_was_lost_is_seen_next_round_and_not_repeated() {
    let h = Harness::with_options(WORLD, config(TARGETS), &ClientOptions::default()).await;
    h.set_faults(Faults {
        drop_after_write_rate: 1.0,
        operations: vec!["ExportSnapshot".into()],
        ..Faults::default()
    });
    let run = h.run_retrying(json!({}), ROUND_BOUND).await;
    let exporting_round = run
        .outputs
        .iter()
        .find(|o| o.targets.iter().any(|t| t.phase == Phase::Exporting))
        .expect("an exporting round");
    for t in exporting_round
        .targets
        .iter()
        .filter(|t| t.phase == Phase::Exporting)
    {
        let error = t.error.as_ref().expect("the lost response is reported");
        assert_eq!(error.kind, TargetErrorKind::Retryable);
        assert!(
            error.message.contains("may not have been applied"),
            "{error:?}"
        );
    }
    assert_eq!(run.last().status, Status::Succeeded);
    let sent = h.writes("ExportSnapshot");
    assert_eq!(
        sent.len(),
        TARGETS.len(),
        "one ExportSnapshot sent per target"
    );
    assert!(sent.iter().all(|w| w.applied));
    h.assert_never_twice(3).await;
}

/// A write that is throttled is retried in place (the throttle proves it was not applied); one
/// that fails with 5xx is not re-sent by this round.
#[tokio::test]
async fn only_throttled_writes_are_resent_in_the_same_round() {
    let h = Harness::with_options(WORLD, config(&["web-1"]), &ClientOptions::default()).await;
    h.set_faults(Faults {
        server_error_rate: 1.0,
        operations: vec!["CopySnapshot".into()],
        ..Faults::default()
    });
    let first = h.invoke(json!({})).await.unwrap();
    assert_eq!(h.writes("CopySnapshot").len(), 1, "5xx: not re-sent");
    assert_eq!(
        target(&first, "web-1").error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::Retryable)
    );
    h.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["CopySnapshot".into()],
        ..Faults::default()
    });
    let second = h
        .invoke(serde_json::to_value(&first).unwrap())
        .await
        .unwrap();
    assert_eq!(
        h.writes("CopySnapshot").len(),
        1 + lightsail_export::lightsail::WRITE_ATTEMPTS as usize,
        "throttled: WRITE_ATTEMPTS sends"
    );
    assert_eq!(
        target(&second, "web-1").error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::Retryable)
    );
    h.set_faults(Faults::default());
    let run = h
        .run_retrying(serde_json::to_value(&second).unwrap(), ROUND_BOUND)
        .await;
    assert_eq!(run.last().status, Status::Succeeded);
    assert_eq!(h.applied("CopySnapshot"), 1);
    assert_eq!(h.applied("ExportSnapshot"), 1);
}

// ---------------------------------------------------------------------------------------------
// The SDK retry configuration, measured. Ignored by default (about a minute, real backoffs);
// run with `cargo test --test faults -- --ignored --nocapture retry_configurations`.

fn variant(
    mode: &str,
    attempts: u32,
    initial_ms: u64,
) -> aws_sdk_lightsail::config::retry::RetryConfig {
    use aws_sdk_lightsail::config::retry::RetryConfig;
    let base = if mode == "adaptive" {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    base.with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(initial_ms))
        .with_max_backoff(Duration::from_secs(5))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: about five minutes; see docs/reliability.md"]
async fn retry_configurations() {
    let targets: Vec<String> = (0..6).map(|i| format!("vm-{i}")).collect();
    let mut world = String::from(
        "region: us-east-1\nnow: \"2026-11-22T05:00:00Z\"\npageSize: 25\nseed: 3\n\
         durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }\n\
         unrelatedExportRecords: 60\ninstances:\n",
    );
    for name in &targets {
        world.push_str(&format!(
            "  - {{ name: {name}, blueprintId: ubuntu_22_04, autoSnapshots: [ {{ date: \"2026-11-21\", status: Success }} ] }}\n"
        ));
    }
    // A run is stopped after this long (a Lambda round has 300 s; a run 9 rounds at least).
    const CAP: Duration = Duration::from_secs(120);
    println!(
        "| mode | attempts | initial backoff | retry quota | runs | rounds to SUCCEEDED (mean / max) | Retryable invocations | per-target Retryable | attempts sent | wall time per round (mean) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (mode, attempts, initial, isolated, seeds) in [
        ("standard", 3, 200, true, 6),
        ("standard", 5, 200, true, 6),
        ("standard", 8, 200, true, 6),
        ("standard", 5, 50, true, 6),
        ("standard", 5, 200, false, 6),
        ("adaptive", 5, 200, true, 1),
    ] {
        let (mut rounds, mut max, mut retried, mut target_retries, mut sent, mut millis) =
            (0usize, 0usize, 0usize, 0usize, 0usize, 0u128);
        let mut capped = 0;
        for seed in 1..=seeds {
            let stats = Arc::new(CallStats::default());
            let options = ClientOptions {
                retry: Some(variant(mode, attempts, initial)),
                stats: Some(stats.clone()),
                isolated_quota: isolated,
                ..ClientOptions::default()
            };
            let h = Harness::with_options(
                &world,
                Config {
                    targets: targets.clone(),
                    ..Config::default()
                },
                &options,
            )
            .await;
            h.set_faults(Faults {
                seed,
                throttle_rate: 0.3,
                server_error_rate: 0.1,
                latency_ms: 20,
                ..Faults::default()
            });
            let started = Instant::now();
            let mut event = json!({});
            let mut done = false;
            let mut invocations = 0;
            while started.elapsed() < CAP && invocations < 60 {
                invocations += 1;
                match tokio::time::timeout(
                    CAP.saturating_sub(started.elapsed()),
                    h.invoke(event.clone()),
                )
                .await
                {
                    Err(_) => break,
                    Ok(Err(error)) => {
                        assert_eq!(error.error_type(), "Retryable", "{error}");
                        retried += 1;
                        h.emulator.advance(5.0);
                    }
                    Ok(Ok(output)) => {
                        target_retries += output
                            .targets
                            .iter()
                            .filter(|t| {
                                t.error.as_ref().map(|e| e.kind) == Some(TargetErrorKind::Retryable)
                            })
                            .count();
                        h.emulator.advance(output.next_check_seconds as f64);
                        event = serde_json::to_value(&output).unwrap();
                        if output.status != Status::InProgress {
                            assert_eq!(output.status, Status::Succeeded);
                            done = true;
                            break;
                        }
                    }
                }
            }
            millis += started.elapsed().as_millis();
            h.assert_never_twice(3).await;
            capped += usize::from(!done);
            rounds += invocations;
            max = max.max(invocations);
            sent += stats.get()[0];
        }
        let quota = if isolated {
            "own"
        } else {
            "shared by the runs"
        };
        let outcome = if capped > 0 {
            format!(
                "{capped} of {seeds} runs not done after {} s ({rounds} rounds)",
                CAP.as_secs()
            )
        } else {
            format!("{:.1} / {max}", rounds as f64 / seeds as f64)
        };
        println!(
            "| {mode} | {attempts} | {initial} ms | {quota} | {seeds} | {outcome} | {retried} | {target_retries} | {sent} | {} ms |",
            millis / rounds.max(1) as u128
        );
    }
}

/// A copy made by a round that then died, and a new round whose CopySnapshot is refused on the
/// name while the copy cannot be looked at (GetInstanceSnapshot fails, 5xx after retries): the
/// outcome is unknown, so the target must stay in progress, not FAIL the night's run.
#[tokio::test]
async fn a_refused_copy_that_cannot_be_looked_at_is_retried_not_failed() {
    let switch = Arc::new(common::CrashSwitch::default());
    let options = ClientOptions {
        crash: Some(switch.clone()),
        ..ClientOptions::default()
    };
    let h = Harness::with_options(WORLD, config(&["web-1"]), &options).await;
    switch.arm(common::CrashPoint::AfterWrite(1));
    let _ = h.invoke(json!({})).await;
    assert!(switch.crashed());
    switch.disarm();
    assert_eq!(h.applied("CopySnapshot"), 1);

    h.set_faults(Faults {
        server_error_rate: 1.0,
        operations: vec!["GetInstanceSnapshot".into()],
        ..Faults::default()
    });
    let output = h.invoke(json!({})).await.unwrap();
    let web = target(&output, "web-1");
    assert_eq!(web.phase, Phase::Copying, "{web:#?}");
    assert_eq!(
        web.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::Retryable),
        "{web:#?}"
    );
    assert_eq!(output.status, Status::InProgress);

    h.set_faults(Faults::default());
    let run = h
        .run_retrying(serde_json::to_value(&output).unwrap(), ROUND_BOUND)
        .await;
    assert_eq!(run.last().status, Status::Succeeded);
    assert_eq!(h.applied("CopySnapshot"), 1);
    assert_eq!(h.applied("ExportSnapshot"), 1);
}
