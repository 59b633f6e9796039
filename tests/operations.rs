//! What operators need after the first night: tags on every copy, retention, cross-region
//! copies, backfill, preflight checks. Against the in-process emulator, through the real SDK.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{client, config, target, Harness, WORLD};
use lightsail_emulator::{CopyDuringAutoSnapshot, Emulator, Scenario, Switches};
use lightsail_export::error::TargetErrorKind;
use lightsail_export::lightsail::{Lightsail, SdkLightsail};
use lightsail_export::model::copy_tag::{AUTO_SNAPSHOT_DATE as DATE_TAG, SOURCE as SOURCE_TAG};
use lightsail_export::model::Phase;
use lightsail_export::model::ResourceType;
use lightsail_export::model::MANAGED_TAG;
use lightsail_export::report::Status;
use lightsail_export::{App, Config};
use serde_json::json;

async fn snapshot_tags(h: &Harness, name: &str) -> Option<HashMap<String, String>> {
    let copy = h
        .app
        .lightsail()
        .get_snapshot(name, ResourceType::Instance)
        .await
        .unwrap();
    (copy.state != lightsail_export::model::SnapshotState::Missing).then(|| {
        copy.tags
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect()
    })
}

#[tokio::test]
async fn every_copy_the_function_makes_is_tagged() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    h.invoke(json!({})).await.unwrap();
    let tags = snapshot_tags(&h, "web-1-export-2026-11-21")
        .await
        .expect("the copy exists");
    assert_eq!(tags.get(MANAGED_TAG).map(String::as_str), Some("true"));
    assert_eq!(tags.get(SOURCE_TAG).map(String::as_str), Some("web-1"));
    assert_eq!(tags.get(DATE_TAG).map(String::as_str), Some("2026-11-21"));
}

#[tokio::test]
async fn a_copy_found_untagged_is_tagged_then() {
    let world = format!("{WORLD}snapshots:\n  - {{ name: web-1-export-2026-11-21, source: web-1, state: available }}\n");
    let h = Harness::new(&world, config(&["web-1"])).await;
    assert!(snapshot_tags(&h, "web-1-export-2026-11-21")
        .await
        .unwrap()
        .is_empty());
    let output = h.invoke(json!({})).await.unwrap();
    assert_eq!(
        target(&output, "web-1").actions,
        ["TagResource", "ExportSnapshot"]
    );
    let tags = snapshot_tags(&h, "web-1-export-2026-11-21").await.unwrap();
    assert_eq!(tags.get(MANAGED_TAG).map(String::as_str), Some("true"));
}

/// Yesterday's copies of web-1 and data-disk, exported.
const YESTERDAY: &str = r#"snapshots:
  - { name: web-1-export-2026-11-20, source: web-1, state: available, createdAt: "2026-11-21T05:00:00Z", tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-20" } }
  - { name: data-disk-export-2026-11-20, source: data-disk, state: completed, createdAt: "2026-11-21T05:00:00Z", tags: { "lightsail-export:managed": "true", "lightsail-export:source": data-disk, "lightsail-export:auto-snapshot-date": "2026-11-20" } }
exportRecords:
  - { sourceName: web-1-export-2026-11-20, fromResource: web-1, state: Succeeded, createdAt: "2026-11-21T05:30:00Z" }
  - { sourceName: data-disk-export-2026-11-20, sourceType: DiskSnapshot, fromResource: data-disk, state: Succeeded, createdAt: "2026-11-21T05:30:00Z" }
"#;

#[tokio::test]
async fn delete_copy_after_export_removes_each_copy_once_a_newer_one_is_exported() {
    let cfg = Config {
        delete_copy_after_export: true,
        ..config(&["web-1", "data-disk"])
    };
    let world = format!("{WORLD}{YESTERDAY}");
    let h = Harness::new(&world, cfg).await;
    let outputs = h.run(json!({})).await;
    // Nothing is deleted while tonight's exports run: yesterday's copies are the proof of the
    // newest exports until then.
    for output in &outputs[..outputs.len() - 1] {
        assert!(
            output.targets.iter().all(|t| t.deleted.is_empty()),
            "{output:#?}"
        );
    }
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    assert_eq!(target(last, "web-1").deleted, ["web-1-export-2026-11-20"]);
    assert!(target(last, "web-1")
        .actions
        .contains(&"DeleteInstanceSnapshot".to_string()));
    assert_eq!(
        target(last, "data-disk").deleted,
        ["data-disk-export-2026-11-20"]
    );
    assert!(
        snapshot_tags(&h, "web-1-export-2026-11-20").await.is_none(),
        "deleted"
    );
    // Tonight's copy stays: if Lightsail forgot its export record once it is deleted, a new run
    // tonight would find neither and export again.
    assert!(snapshot_tags(&h, "web-1-export-2026-11-21").await.is_some());
    assert_eq!(h.applied("DeleteInstanceSnapshot"), 1);
    assert_eq!(h.applied("DeleteDiskSnapshot"), 1);
    // The export stays done, and further rounds delete nothing more.
    let again = h.invoke(serde_json::to_value(last).unwrap()).await.unwrap();
    assert_eq!(target(&again, "web-1").phase, Phase::Exported);
    assert!(target(&again, "web-1").deleted.is_empty());
}

const OLD_COPIES: &str = r#"snapshots:
  - { name: web-1-export-2026-11-17, source: web-1, state: available, tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-17" } }
  - { name: web-1-export-2026-11-18, source: web-1, state: available, tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-18" } }
  - { name: web-1-export-2026-11-19, source: web-1, state: available, tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-19" } }
  - { name: web-1-export-2026-11-20, source: web-1, state: available, tags: { "lightsail-export:managed": "true", "lightsail-export:source": web-1, "lightsail-export:auto-snapshot-date": "2026-11-20" } }
  - { name: web-1-export-2026-11-16, source: web-1, state: available }
  - { name: web-1-keep-forever, source: web-1, state: available, tags: { owner: me } }
exportRecords:
  - { sourceName: web-1-export-2026-11-17, fromResource: web-1, state: Started, completesAfterSeconds: 1000000000 }
  - { sourceName: web-1-export-2026-11-18, fromResource: web-1, state: Succeeded }
  - { sourceName: web-1-export-2026-11-19, fromResource: web-1, state: Succeeded }
  - { sourceName: web-1-export-2026-11-20, fromResource: web-1, state: Succeeded }
  - { sourceName: web-1-keep-forever, fromResource: web-1, state: Succeeded }
"#;

#[tokio::test]
async fn keep_copies_keeps_the_newest_and_never_touches_a_running_export_or_a_users_snapshot() {
    let world = format!("{WORLD}{OLD_COPIES}");
    let h = Harness::new(
        &world,
        Config {
            copies_keep: lightsail_export::decide::keep::KeepRules {
                last: Some(2),
                ..Default::default()
            },
            ..config(&["web-1"])
        },
    )
    .await;
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    // Kept: 11-21 (tonight's) and 11-20. Deleted: 11-19 and 11-18. Kept although old: 11-17
    // (its export is running), 11-16 and web-1-keep-forever (not tagged: not the function's).
    let mut deleted: Vec<&str> = outputs
        .iter()
        .flat_map(|o| target(o, "web-1").deleted.iter().map(String::as_str))
        .collect();
    deleted.sort();
    assert_eq!(
        deleted,
        ["web-1-export-2026-11-18", "web-1-export-2026-11-19"]
    );
    for kept in [
        "web-1-export-2026-11-21",
        "web-1-export-2026-11-20",
        "web-1-export-2026-11-17",
        "web-1-export-2026-11-16",
        "web-1-keep-forever",
    ] {
        assert!(
            snapshot_tags(&h, kept).await.is_some(),
            "{kept} must remain"
        );
    }
    let deletes: Vec<String> = h
        .writes("DeleteInstanceSnapshot")
        .into_iter()
        .map(|w| w.target)
        .collect();
    assert_eq!(deletes.len(), 2, "{deletes:?}");
}

#[tokio::test]
async fn a_dry_run_lists_what_retention_would_delete_and_deletes_nothing() {
    let world = format!("{WORLD}{OLD_COPIES}  - {{ sourceName: web-1-export-2026-11-21, fromResource: web-1, state: Succeeded }}\n")
        .replace("  - { name: web-1-keep-forever", "  - { name: web-1-export-2026-11-21, source: web-1, state: available, tags: { \"lightsail-export:managed\": \"true\", \"lightsail-export:source\": web-1, \"lightsail-export:auto-snapshot-date\": \"2026-11-21\" } }\n  - { name: web-1-keep-forever");
    let h = Harness::new(
        &world,
        Config {
            copies_keep: lightsail_export::decide::keep::KeepRules {
                last: Some(2),
                ..Default::default()
            },
            ..config(&["web-1"])
        },
    )
    .await;
    let output = h.invoke(json!({"dryRun": true})).await.unwrap();
    assert_eq!(target(&output, "web-1").phase, Phase::Exported);
    assert_eq!(
        target(&output, "web-1").deleted,
        ["web-1-export-2026-11-18", "web-1-export-2026-11-19"]
    );
    assert!(h.emulator.writes().is_empty());
}

#[tokio::test]
async fn cross_region_copies_from_the_source_region_into_the_functions_region() {
    let world = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
instances:
  - name: eu-web
    region: eu-west-1
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
"#;
    let mut scenario = Scenario::from_str(world).unwrap();
    scenario.speed = 0.0;
    let emulator = Emulator::start(scenario).await.unwrap();
    let url = emulator.url();
    let home = client(&url, "us-east-1");
    let source = client(&url, "eu-west-1");
    let api =
        SdkLightsail::new(home, source, "eu-west-1").with_write_backoff(Duration::from_millis(5));
    let h = Harness {
        emulator,
        app: App::from_adapters(
            api,
            common::ec2_client(&url, "us-east-1"),
            Ok(config(&["eu-web"])),
            Default::default(),
        ),
    };
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded, "{last:#?}");
    assert_eq!(last.region.as_deref(), Some("us-east-1"));
    assert_eq!(last.source_region.as_deref(), Some("eu-west-1"));
    let copy = h.writes("CopySnapshot");
    assert_eq!(copy.len(), 1);
    assert_eq!(
        copy[0].region, "us-east-1",
        "the copy is made in the function's region"
    );
    assert!(h
        .emulator
        .writes()
        .iter()
        .filter(|w| w.operation == "ExportSnapshot")
        .all(|w| w.region == "us-east-1"));
    assert!(target(last, "eu-web")
        .export_record
        .as_ref()
        .unwrap()
        .arn
        .as_deref()
        .unwrap()
        .contains(":us-east-1:"));
}

#[tokio::test]
async fn a_wrong_source_region_is_a_clear_per_target_error() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let api = SdkLightsail::new(
        client(&h.emulator.url(), "us-east-1"),
        client(&h.emulator.url(), "ap-south-1"),
        "ap-south-1",
    );
    let output = lightsail_export::reconcile(
        &api,
        h.app.ec2(),
        &lightsail_export::input::plan::Plan::new(
            &config(&["web-1"]),
            Default::default(),
            lightsail_export::lightsail::Lightsail::now(&api),
        )
        .unwrap(),
        lightsail_export::Deadline::unknown(),
    )
    .await
    .unwrap();
    let error = target(&output, "web-1").error.clone().unwrap();
    assert_eq!(error.kind, TargetErrorKind::ResourceNotFound);
    assert!(error.message.contains("ap-south-1"), "{}", error.message);
}

#[tokio::test]
async fn preflight_flags_a_resource_whose_automatic_snapshots_are_off() {
    let world = WORLD
        .replace(
            "  - name: twin\n    blueprintId: ubuntu_22_04\n",
            "  - name: twin\n    blueprintId: ubuntu_22_04\n    autoSnapshotAddOn: false\n",
        )
        .replace(
            "  - name: twin\n    sizeInGb: 8\n",
            "  - name: twin-disk\n    sizeInGb: 8\n",
        );
    let h = Harness::new(&world, config(&["twin", "web-1"])).await;
    let output = h.invoke(json!({})).await.unwrap();
    let twin = target(&output, "twin");
    assert_eq!(twin.phase, Phase::Failed);
    assert_eq!(
        twin.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::AutoSnapshotsDisabled)
    );
    assert_eq!(target(&output, "web-1").phase, Phase::Copying);
    assert!(h
        .writes("CopySnapshot")
        .iter()
        .all(|w| w.source.as_deref() == Some("web-1")));
    // A backfill of a snapshot taken before the add-on was turned off is still allowed.
    let backfill = h
        .invoke(json!({"targets": ["twin"], "restoreDate": "2026-11-21"}))
        .await
        .unwrap();
    assert_eq!(
        target(&backfill, "twin").phase,
        Phase::Copying,
        "{backfill:#?}"
    );
}

#[tokio::test]
async fn the_latest_restorable_snapshot_is_copied_at_once_while_a_newer_one_is_taken() {
    let h = Harness::new(WORLD, config(&["shop.example.com"])).await;
    h.emulator.set_switches(Switches {
        copy_during_auto_snapshot: CopyDuringAutoSnapshot::Allowed,
        ..h.emulator.switches()
    });
    let first = h.invoke(json!({})).await.unwrap();
    let shop = target(&first, "shop.example.com");
    assert_eq!(shop.phase, Phase::Copying);
    assert_eq!(shop.error, None);
    assert_eq!(shop.actions, ["CopySnapshot", "TagResource"]);
    assert_eq!(
        shop.snapshot_name.as_deref(),
        Some("shop-example-com-export-2026-11-21")
    );
    // The output says why yesterday's is exported: today's is still being taken.
    let today = shop.auto_snapshot_today.as_ref().expect("today's snapshot");
    assert_eq!(
        (today.date.to_string().as_str(), today.status.as_str()),
        ("2026-11-22", "InProgress")
    );
}

#[tokio::test]
async fn a_copy_refused_while_an_automatic_snapshot_is_taken_waits_on_its_date() {
    let h = Harness::new(WORLD, config(&["shop.example.com"])).await;
    h.emulator.set_switches(Switches {
        copy_during_auto_snapshot: CopyDuringAutoSnapshot::OperationFailure,
        ..h.emulator.switches()
    });
    let first = h.invoke(json!({})).await.unwrap();
    let shop = target(&first, "shop.example.com");
    assert_eq!(shop.phase, Phase::Copying);
    assert_eq!(
        shop.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::AutoSnapshotInProgress)
    );
    assert_eq!(shop.waiting_since.as_deref(), Some("2026-11-22T05:00:00Z"));
    assert_eq!(first.status, Status::InProgress, "waiting is not failing");
    assert_eq!(h.applied("CopySnapshot"), 0, "tried, refused");
    // Once it is taken (600 s), the run copies the date it started on.
    h.emulator.advance(600.0);
    let next = h
        .invoke(serde_json::to_value(&first).unwrap())
        .await
        .unwrap();
    let shop = target(&next, "shop.example.com");
    assert_eq!(shop.actions, ["CopySnapshot", "TagResource"]);
    assert_eq!(shop.waiting_since, None);
    assert_eq!(
        shop.snapshot_name.as_deref(),
        Some("shop-example-com-export-2026-11-21")
    );
}
