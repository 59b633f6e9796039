//! Two rounds at the same time for the same targets (a duplicated event, a Step Functions retry
//! while the first attempt still runs): never a second copy, since Lightsail refuses a second
//! snapshot of the same name and the refusal is read as "already copied". Exports have no such
//! guard: two rounds that both see "copy ready, no export record" both export. That race is shown
//! here and closed by the deployment (README, "Never twice").

mod common;

use common::{config, target, ClientOptions, Harness, WORLD};
use lightsail_emulator::Faults;
use lightsail_export::model::Phase;
use lightsail_export::report::{Output, Status};
use serde_json::json;

const TARGETS: &[&str] = &["web-1", "data-disk"];

async fn both(h: &Harness, event: serde_json::Value) -> (Output, Output) {
    let (a, b) = tokio::join!(h.invoke(event.clone()), h.invoke(event));
    (a.expect("round A"), b.expect("round B"))
}

#[tokio::test]
async fn two_rounds_at_once_make_one_copy_per_target() {
    let mut pairs = 0;
    for latency_ms in [0, 3, 10] {
        let h = Harness::with_options(WORLD, config(TARGETS), &ClientOptions::default()).await;
        h.set_faults(Faults {
            latency_ms,
            ..Faults::default()
        });
        let (a, b) = both(&h, json!({})).await;
        pairs += 1;
        for name in TARGETS {
            let (ta, tb) = (target(&a, name), target(&b, name));
            assert_eq!((ta.phase, tb.phase), (Phase::Copying, Phase::Copying));
            // The loser's CopySnapshot was refused on the name and read as "already copied".
            assert_eq!((&ta.error, &tb.error), (&None, &None), "{name}");
            let copied = [ta, tb]
                .iter()
                .filter(|t| t.actions.iter().any(|a| a == "CopySnapshot"))
                .count();
            assert_eq!(copied, 1, "{name}: exactly one round made the copy");
        }
        assert_eq!(h.applied("CopySnapshot"), TARGETS.len());
        // Both rounds sent CopySnapshot (neither looked first): one was refused on the name.
        assert_eq!(h.writes("CopySnapshot").len(), 2 * TARGETS.len());

        // More pairs while the copies are pending: still nothing twice.
        let mut event = serde_json::to_value(&a).unwrap();
        for _ in 0..2 {
            h.emulator.advance(200.0);
            let (a, _) = both(&h, event).await;
            pairs += 1;
            event = serde_json::to_value(&a).unwrap();
        }
        assert_eq!(h.applied("CopySnapshot"), TARGETS.len());
        let run = h.run_retrying(event, 20).await;
        assert_eq!(run.last().status, Status::Succeeded);
        h.assert_never_twice(3).await;
    }
    println!("FIGURES concurrent rounds: {pairs} pairs in the copy phase, 0 duplicate copies");
}

/// The race that remains: both rounds list the export records (none), both see the copy ready,
/// both send ExportSnapshot, and Lightsail starts two exports. Reserved concurrency 1 on the
/// function and one Step Functions execution per night (named by date) keep two rounds from
/// running at once; this test pins the reason they are needed.
#[tokio::test]
async fn two_rounds_at_once_on_a_ready_copy_both_export_which_the_deployment_prevents() {
    let h = Harness::with_options(WORLD, config(&["web-1"]), &ClientOptions::default()).await;
    let first = h.invoke(json!({})).await.unwrap();
    h.emulator.advance(600.0);
    h.set_faults(Faults {
        latency_ms: 10,
        ..Faults::default()
    });
    let (a, b) = both(&h, serde_json::to_value(&first).unwrap()).await;
    assert_eq!(target(&a, "web-1").actions, ["ExportSnapshot"]);
    assert_eq!(target(&b, "web-1").actions, ["ExportSnapshot"]);
    assert_eq!(
        h.applied("ExportSnapshot"),
        2,
        "two concurrent rounds both export: the deployment must never run two at once"
    );
    // One round at a time afterwards: no third export.
    h.set_faults(Faults::default());
    let run = h.run_retrying(serde_json::to_value(&a).unwrap(), 20).await;
    assert_eq!(run.last().status, Status::Succeeded);
    assert_eq!(h.applied("ExportSnapshot"), 2);
}

/// What closes that race in the deployment: the function never runs twice at once.
#[test]
fn the_deployment_runs_one_round_at_a_time() {
    let template = include_str!("../template.yaml");
    let function = template
        .split("\n  ReconcileFunction:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n  ReconcileFunctionLogGroup:").next())
        .expect("the function's resource in template.yaml");
    // The loop (the default Workflow) runs one round at a time; the fan-out runs one round per
    // running batch, MaxConcurrency at most, and gives each target to exactly one batch
    // (tests/regions.rs), so no two rounds ever work on one target there either.
    assert!(
        function.contains(
            "\n      ReservedConcurrentExecutions: !If [FanOut, !Ref MaxConcurrency, 1]\n"
        ),
        "ReconcileFunction must have ReservedConcurrentExecutions 1 unless the fan-out is chosen"
    );
    let fan_out = template
        .split("\n  FanOut: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("the FanOut condition in template.yaml");
    assert!(
        fan_out.contains("!Equals [!Ref Workflow, fan-out]"),
        "FanOut is true only when the fan-out is chosen: {fan_out}"
    );
    // A second invocation is throttled, and the state machine retries it rather than failing.
    let machine = include_str!("../statemachine/nightly-export.asl.json");
    assert!(machine.contains("\"Lambda.TooManyRequestsException\""));
}
