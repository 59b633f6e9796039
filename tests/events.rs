//! Every sample event of `events/` through the real handler and SDK client against the in-process
//! emulator: each is a form the function is sent in production (template.yaml), and each one
//! does what the README says it does.

mod common;

use common::{config, target, Harness, WORLD};
use lightsail_export::model::Phase;
use lightsail_export::report::Status;
use lightsail_export::Config;
use serde_json::{json, Value};

/// The sample events this file tests, by file name. A new file in `events/` must be added here.
const EVENTS: &[&str] = &[
    "scheduled-event.json",
    "scheduler-input.json",
    "stepfunctions-start.json",
    "previous-output.json",
    "dry-run.json",
    "backfill.json",
    "bad-input.json",
    "fanout-start.json",
    "fanout-batch.json",
];

fn event(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn acted(actions: &[String], action: &str) -> bool {
    actions.iter().any(|a| a == action)
}

#[test]
fn every_sample_event_is_tested() {
    let dir = format!("{}/events", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    found.sort();
    let mut tested: Vec<String> = EVENTS.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(found, tested, "events/ and the tests of tests/events.rs");
}

#[tokio::test]
async fn a_rule_scheduled_event_runs_the_environment_targets_to_the_end() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let outputs = h.run(event("scheduled-event.json")).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    let web = target(last, "web-1");
    assert_eq!(web.phase, Phase::Exported);
    let destination = web
        .export_record
        .as_ref()
        .and_then(|r| r.destination.as_ref())
        .expect("an AMI");
    assert!(destination.id.starts_with("ami-"), "{destination:?}");
}

#[tokio::test]
async fn a_scheduler_input_names_targets_as_one_comma_separated_string() {
    // The environment names something else: the input's targets win.
    let h = Harness::new(WORLD, config(&["shop.example.com"])).await;
    let output = h.invoke(event("scheduler-input.json")).await.unwrap();
    let names: Vec<&str> = output.targets.iter().map(|t| t.resource.as_str()).collect();
    assert_eq!(names, ["web-1", "data-disk"]);
    assert_eq!(output.status, Status::InProgress);
    for name in ["web-1", "data-disk"] {
        assert!(
            acted(&target(&output, name).actions, "CopySnapshot"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_step_functions_start_input_selects_by_tag() {
    let h = Harness::new(WORLD, Config::default()).await;
    let output = h.invoke(event("stepfunctions-start.json")).await.unwrap();
    let mut names: Vec<&str> = output.targets.iter().map(|t| t.resource.as_str()).collect();
    names.sort();
    // Every instance and disk tagged export=nightly in WORLD, the Ghost one included (and refused).
    assert_eq!(names, ["blog", "data-disk", "shop.example.com", "web-1"]);
    assert_eq!(target(&output, "blog").phase, Phase::Failed);
    assert_eq!(target(&output, "web-1").phase, Phase::Copying);
    assert_eq!(output.status, Status::InProgress);
}

#[tokio::test]
async fn a_previous_output_keeps_each_target_on_its_date_until_the_end() {
    // WORLD's newest restorable snapshot of web-1 is 2026-11-21: the run started on 2026-11-20
    // stays there.
    let h = Harness::new(WORLD, Config::default()).await;
    let outputs = h.run(event("previous-output.json")).await;
    for output in &outputs {
        assert_eq!(
            target(output, "web-1").auto_snapshot_date.as_deref(),
            Some("2026-11-20")
        );
        assert_eq!(
            target(output, "data-disk").auto_snapshot_date.as_deref(),
            Some("2026-11-21")
        );
    }
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    assert_eq!(
        target(last, "web-1").snapshot_name.as_deref(),
        Some("web-1-export-2026-11-20")
    );
    assert_eq!(h.applied("ExportSnapshot"), 2);
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_says_so() {
    let h = Harness::new(WORLD, Config::default()).await;
    let output = h.invoke(event("dry-run.json")).await.unwrap();
    assert_eq!(output.dry_run, Some(true));
    assert_eq!(output.status, Status::InProgress);
    for name in ["web-1", "data-disk"] {
        assert!(
            acted(&target(&output, name).actions, "CopySnapshot"),
            "{name}"
        );
    }
    for operation in common::WRITES {
        assert!(h.writes(operation).is_empty(), "{operation} was sent");
    }
    // The loop's next round (the output fed back) is still a dry run.
    let again = h
        .invoke(serde_json::to_value(&output).unwrap())
        .await
        .unwrap();
    assert_eq!(again.dry_run, Some(true));
    for operation in common::WRITES {
        assert!(h.writes(operation).is_empty(), "{operation} was sent");
    }
}

#[tokio::test]
async fn a_backfill_exports_the_automatic_snapshot_of_that_day() {
    let h = Harness::new(WORLD, Config::default()).await;
    let outputs = h.run(event("backfill.json")).await;
    for output in &outputs {
        assert_eq!(output.restore_date.as_deref(), Some("2026-11-20"));
    }
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    let web = target(last, "web-1");
    assert_eq!(web.auto_snapshot_date.as_deref(), Some("2026-11-20"));
    assert_eq!(
        web.snapshot_name.as_deref(),
        Some("web-1-export-2026-11-20")
    );
    assert_eq!(h.applied("CopySnapshot"), 1);
}

#[tokio::test]
async fn a_bad_input_fails_with_invalid_input_before_any_call() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let error = h.invoke(event("bad-input.json")).await.unwrap_err();
    assert_eq!(error.error_type(), "InvalidInput");
    assert!(error.to_string().contains("target"), "{error}");
    assert!(h.emulator.call_counts().values().all(|n| *n == 0));
}

/// The emulator's shipped world over two regions: web-1 in us-east-1; eu-web-1 and eu-disk in
/// eu-west-1; all three tagged export=nightly.
const TWO_REGIONS: &str = include_str!("../emulator/scenarios/two-regions.yaml");

#[tokio::test]
async fn the_fan_out_start_lists_every_region_s_targets_once() {
    let h = Harness::new(TWO_REGIONS, Config::default()).await;
    let mut start = event("fanout-start.json");
    // What the Plan state's States.JsonMerge adds to the execution's input.
    start["fanOut"] = json!(true);
    let listing = match h.respond(start).await.unwrap() {
        lightsail_export::Response::FanOut(listing) => listing,
        other => panic!("a listing, got {other:?}"),
    };
    let items: Vec<(&str, &str)> = (listing.items.iter())
        .map(|i| (i.region.as_str(), i.resource.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("us-east-1", "web-1"),
            ("eu-west-1", "eu-web-1"),
            ("eu-west-1", "eu-disk")
        ]
    );
    assert!(
        h.writes("CopySnapshot").is_empty(),
        "the listing reconciles nothing"
    );
}

#[tokio::test]
async fn a_fan_out_batch_runs_to_its_settled_output() {
    let h = Harness::new(TWO_REGIONS, Config::default()).await;
    let mut state = event("fanout-batch.json");
    let mut last = None;
    for _ in 0..common::MAX_ROUNDS {
        let output = h.invoke(json!({ "fanOutItem": state })).await.unwrap();
        h.emulator.advance(output.next_check_seconds as f64);
        state = serde_json::to_value(&output).unwrap();
        if output.status != Status::InProgress {
            last = Some(output);
            break;
        }
        assert!(
            output.targets.iter().all(|t| t.region.is_some()),
            "{output:#?}"
        );
    }
    let last = last.expect("the batch ends");
    assert_eq!(last.status, Status::Succeeded, "{last:#?}");
    assert!(
        last.targets.is_empty(),
        "settled: no EXPORTED target listed"
    );
    assert_eq!(last.targets_omitted, Some(2));
    assert_eq!(last.summary_by_region["eu-west-1"].summary.exported, 1);
    assert_eq!(last.summary_by_region["us-east-1"].summary.exported, 1);
    let copies = h.writes("CopySnapshot");
    let regions: Vec<&str> = copies.iter().map(|w| w.region.as_str()).collect();
    assert_eq!(copies.len(), 2);
    assert!(regions.contains(&"eu-west-1") && regions.contains(&"us-east-1"));
}
