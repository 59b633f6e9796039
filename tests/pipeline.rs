//! The pipeline end to end: the real handler and SDK client, over HTTP, against the in-process
//! emulator, rounds driven to completion as the state machine would.

mod common;

use common::{config, target, Harness, WORLD};
use lightsail_emulator::Faults;
use lightsail_export::error::TargetErrorKind;
use lightsail_export::model::Phase;
use lightsail_export::report::Status;
use lightsail_export::Config;
use serde_json::json;

#[tokio::test]
async fn an_instance_is_copied_then_exported_to_an_ami() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let outputs = h.run(json!({})).await;
    let first = &outputs[0];
    assert_eq!(first.status, Status::InProgress);
    assert_eq!(target(first, "web-1").phase, Phase::Copying);
    // The copy is tagged as the function's own right after it is made.
    assert_eq!(
        target(first, "web-1").actions,
        ["CopySnapshot", "TagResource"]
    );

    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    assert_eq!(last.next_check_seconds, 0);
    let web = target(last, "web-1");
    assert_eq!(web.phase, Phase::Exported);
    assert_eq!(web.auto_snapshot_date.as_deref(), Some("2026-11-21"));
    assert_eq!(
        web.snapshot_name.as_deref(),
        Some("web-1-export-2026-11-21")
    );
    let record = web.export_record.as_ref().expect("export record");
    assert_eq!(record.state, "Succeeded");
    assert!(record.name.starts_with("ExportSnapshotRecord-"));
    assert!(record
        .created_at
        .as_deref()
        .is_some_and(|t| t.starts_with("2026-11-22T") && t.ends_with('Z')));
    let destination = record.destination.as_ref().expect("destination");
    assert!(destination.id.starts_with("ami-"), "{destination:?}");
    assert_eq!(destination.service, "Aws::EC2::Image");
    assert_eq!(h.applied("CopySnapshot"), 1);
    assert_eq!(h.applied("ExportSnapshot"), 1);

    // Any number of further rounds change nothing.
    let again = h.invoke(serde_json::to_value(last).unwrap()).await.unwrap();
    assert_eq!(again.status, Status::Succeeded);
    assert_eq!(
        h.writes("CopySnapshot").len() + h.writes("ExportSnapshot").len(),
        2
    );
}

#[tokio::test]
async fn a_disk_copy_completes_and_exports_to_an_ebs_snapshot() {
    let h = Harness::new(WORLD, config(&["data-disk"])).await;
    let outputs = h.run(json!({})).await;
    let disk = target(outputs.last().unwrap(), "data-disk");
    assert_eq!(disk.phase, Phase::Exported);
    assert_eq!(
        disk.resource_type,
        Some(lightsail_export::model::ResourceType::Disk)
    );
    let destination = disk
        .export_record
        .as_ref()
        .and_then(|r| r.destination.as_ref())
        .unwrap();
    assert!(destination.id.starts_with("snap-"), "{destination:?}");
    // The copy became `completed` (a disk snapshot is never `available`), and that was enough.
    assert_eq!(h.applied("ExportSnapshot"), 1);
}

#[tokio::test]
async fn the_newest_automatic_snapshot_in_progress_is_passed_over_and_the_run_stays_on_its_date() {
    let h = Harness::new(WORLD, config(&["shop.example.com"])).await;
    let outputs = h.run(json!({})).await;
    // The 2026-11-22 snapshot completes after 600 s, during the run: the run stays on 2026-11-21.
    for output in &outputs {
        assert_eq!(
            target(output, "shop.example.com")
                .auto_snapshot_date
                .as_deref(),
            Some("2026-11-21")
        );
    }
    let shop = target(outputs.last().unwrap(), "shop.example.com");
    assert_eq!(shop.phase, Phase::Exported);
    // A dotted resource name gives a sanitised snapshot name.
    assert_eq!(
        shop.snapshot_name.as_deref(),
        Some("shop-example-com-export-2026-11-21")
    );
    assert_eq!(h.applied("CopySnapshot"), 1);

    // A new run (no previous output) takes the snapshot that has completed since.
    let next = h.invoke(json!({})).await.unwrap();
    assert_eq!(
        target(&next, "shop.example.com")
            .auto_snapshot_date
            .as_deref(),
        Some("2026-11-22")
    );
}

#[tokio::test]
async fn hundreds_of_unrelated_records_over_many_pages_are_read_once_per_round() {
    let world = WORLD.replace("unrelatedExportRecords: 30", "unrelatedExportRecords: 600");
    let h = Harness::new(&world, config(&["web-1", "data-disk"])).await;
    let before = h.calls("GetExportSnapshotRecords");
    let round = h.invoke(json!({})).await.unwrap();
    let pages = h.calls("GetExportSnapshotRecords") - before;
    // 25 per page in WORLD, unless the guess matrix sets the `pageSize` switch.
    let page_size = h.emulator.page_size() as u64;
    assert_eq!(
        pages,
        600u64.div_ceil(page_size),
        "every page once per round, never per target"
    );
    assert_eq!(round.status, Status::InProgress);
    let outputs = h.run(serde_json::to_value(&round).unwrap()).await;
    assert_eq!(outputs.last().unwrap().status, Status::Succeeded);
}

#[tokio::test]
async fn a_copy_left_pending_or_available_by_an_earlier_run_is_not_copied_again() {
    let world = format!(
        "{WORLD}snapshots:\n  - {{ name: web-1-export-2026-11-21, source: web-1, state: pending }}\n  - {{ name: data-disk-export-2026-11-21, source: data-disk, state: completed }}\n"
    );
    let h = Harness::new(&world, config(&["web-1", "data-disk"])).await;
    let first = h.invoke(json!({})).await.unwrap();
    assert_eq!(target(&first, "web-1").phase, Phase::Copying);
    // The earlier run's copy is adopted (tagged as the function's own), not copied again.
    assert_eq!(target(&first, "web-1").actions, ["TagResource"]);
    assert_eq!(
        target(&first, "data-disk").actions,
        ["TagResource", "ExportSnapshot"]
    );
    let outputs = h.run(serde_json::to_value(&first).unwrap()).await;
    assert_eq!(outputs.last().unwrap().status, Status::Succeeded);
    // The first round sends CopySnapshot without looking (a copy rarely exists yet): the name
    // is taken, so it is refused, and the existing copy is used.
    assert_eq!(h.applied("CopySnapshot"), 0, "no second copy");
    assert_eq!(h.applied("ExportSnapshot"), 2);
}

#[tokio::test]
async fn a_failed_export_is_retried_then_given_up_on() {
    let h = Harness::new(
        WORLD,
        Config {
            max_export_attempts: 2,
            ..config(&["web-1"])
        },
    )
    .await;
    h.set_faults(Faults {
        fail_exports_for: vec!["web-1".into()],
        ..Faults::default()
    });
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Failed);
    let web = target(last, "web-1");
    assert_eq!(web.phase, Phase::Failed);
    assert_eq!(
        web.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::ExportFailed)
    );
    assert_eq!(
        web.export_record.as_ref().map(|r| r.state.as_str()),
        Some("Failed")
    );
    assert_eq!(
        h.applied("ExportSnapshot"),
        2,
        "exactly MAX_EXPORT_ATTEMPTS exports"
    );
    assert_eq!(h.applied("CopySnapshot"), 1);
}

#[tokio::test]
async fn a_failed_export_is_retried_and_then_succeeds() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let mut faults = Faults::default();
    faults.fail_first_exports.insert("web-1".into(), 1);
    h.set_faults(faults);
    let outputs = h.run(json!({})).await;
    let web = target(outputs.last().unwrap(), "web-1");
    assert_eq!(web.phase, Phase::Exported);
    assert_eq!(
        web.export_record.as_ref().map(|r| r.state.as_str()),
        Some("Succeeded")
    );
    assert_eq!(h.applied("ExportSnapshot"), 2);
}

#[tokio::test]
async fn no_restorable_snapshot_means_no_copy() {
    let h = Harness::new(WORLD, config(&["broken"])).await;
    let output = h.invoke(json!({})).await.unwrap();
    let broken = target(&output, "broken");
    assert_eq!(broken.phase, Phase::Failed);
    assert_eq!(
        broken.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::NoRestorableSnapshot)
    );
    assert_eq!(output.status, Status::Failed);
    assert!(h.writes("CopySnapshot").is_empty());
}

#[tokio::test]
async fn a_good_target_is_exported_beside_a_missing_one_and_a_ghost_one() {
    let h = Harness::new(WORLD, config(&["nope", "web-1", "blog", "bad name!"])).await;
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Failed);
    assert_eq!(last.summary.exported, 1);
    assert_eq!(last.summary.failed, 3);
    assert_eq!(target(last, "web-1").phase, Phase::Exported);
    let kind = |name: &str| target(last, name).error.as_ref().map(|e| e.kind);
    assert_eq!(kind("nope"), Some(TargetErrorKind::ResourceNotFound));
    assert_eq!(kind("blog"), Some(TargetErrorKind::NotExportable));
    assert_eq!(
        kind("bad name!"),
        Some(TargetErrorKind::InvalidResourceName)
    );
    // The Ghost instance is refused before any useless copy is made.
    assert!(h
        .writes("CopySnapshot")
        .iter()
        .all(|w| w.source.as_deref() == Some("web-1")));
    // Outputs keep the order of the targets given.
    let order: Vec<_> = last.targets.iter().map(|t| t.resource.as_str()).collect();
    assert_eq!(order, ["nope", "web-1", "blog", "bad name!"]);
}

#[tokio::test]
async fn a_name_that_is_both_an_instance_and_a_disk_is_refused() {
    let h = Harness::new(WORLD, config(&["twin"])).await;
    let output = h.invoke(json!({})).await.unwrap();
    assert_eq!(
        target(&output, "twin").error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::AmbiguousResource)
    );
    assert!(h.writes("CopySnapshot").is_empty());
}

#[tokio::test]
async fn targets_are_selected_by_tag() {
    let h = Harness::new(WORLD, Config::default()).await;
    let output = h
        .invoke(json!({"targetTag": "export=nightly"}))
        .await
        .unwrap();
    let mut names: Vec<_> = output.targets.iter().map(|t| t.resource.as_str()).collect();
    names.sort();
    assert_eq!(names, ["blog", "data-disk", "shop.example.com", "web-1"]);
    // The listing already told which are instances and disks: no GetInstance/GetDisk calls.
    assert_eq!(h.calls("GetInstance") + h.calls("GetDisk"), 0);
    let none = h
        .invoke(json!({"targetTag": "export=weekly"}))
        .await
        .unwrap_err();
    assert_eq!(none.error_type(), "NoTargets");
}

#[tokio::test]
async fn a_dry_run_makes_no_writes_and_lists_the_ones_it_would_make() {
    let h = Harness::new(WORLD, config(&["web-1", "data-disk"])).await;
    let output = h.invoke(json!({"dryRun": true})).await.unwrap();
    assert_eq!(output.dry_run, Some(true));
    assert_eq!(
        target(&output, "web-1").actions,
        ["CopySnapshot", "TagResource"]
    );
    assert_eq!(
        target(&output, "data-disk").actions,
        ["CopySnapshot", "TagResource"]
    );
    assert!(h.emulator.writes().is_empty(), "{:?}", h.emulator.writes());
}

#[tokio::test]
async fn a_backfill_exports_the_requested_date_and_refuses_one_without_success() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let outputs = h.run(json!({"restoreDate": "2026-11-20"})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.restore_date.as_deref(), Some("2026-11-20"));
    assert_eq!(
        target(last, "web-1").snapshot_name.as_deref(),
        Some("web-1-export-2026-11-20")
    );
    assert_eq!(last.status, Status::Succeeded);

    let output = h
        .invoke(json!({"targets": ["web-1", "shop.example.com"], "restoreDate": "2026-11-19"}))
        .await
        .unwrap();
    for name in ["web-1", "shop.example.com"] {
        assert_eq!(
            target(&output, name).error.as_ref().map(|e| e.kind),
            Some(TargetErrorKind::NoRestorableSnapshot)
        );
    }
    assert_eq!(
        h.applied("CopySnapshot"),
        1,
        "only the 2026-11-20 copy was ever made"
    );
}

#[tokio::test]
async fn an_eventbridge_scheduled_event_uses_the_environment() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    let event = serde_json::from_str(include_str!("../events/scheduled-event.json")).unwrap();
    let output = h.invoke(event).await.unwrap();
    assert_eq!(output.targets.len(), 1);
    assert_eq!(
        target(&output, "web-1").actions,
        ["CopySnapshot", "TagResource"]
    );
}

#[tokio::test]
async fn bad_input_fails_the_invocation_with_invalid_input_and_no_calls() {
    let h = Harness::new(WORLD, config(&["web-1"])).await;
    for event in [
        json!({"targets": 5}),
        json!({"restoreDate": "2026-02-30"}),
        json!(["web-1"]),
        json!({"dryrun": true}),
    ] {
        let error = h.invoke(event.clone()).await.unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput", "{event}");
    }
    assert!(h.emulator.call_counts().values().all(|n| *n == 0));
    let no_targets = Harness::new(WORLD, Config::default()).await;
    assert_eq!(
        no_targets.invoke(json!({})).await.unwrap_err().error_type(),
        "NoTargets"
    );
}

#[tokio::test]
async fn a_near_deadline_starts_no_new_work() {
    let h = Harness::new(WORLD, config(&["web-1", "data-disk"])).await;
    let near = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    let deadline = lightsail_export::Deadline::at(near);
    let plan = lightsail_export::input::plan::Plan::new(
        &config(&["web-1", "data-disk"]),
        Default::default(),
        lightsail_export::lightsail::Lightsail::now(h.app.lightsail()),
    )
    .unwrap();
    let output = lightsail_export::reconcile(h.app.lightsail(), h.app.ec2(), &plan, deadline)
        .await
        .unwrap();
    assert_eq!(output.status, Status::InProgress);
    assert_eq!(output.next_check_seconds, 1);
    assert!(output
        .targets
        .iter()
        .all(|t| t.actions.is_empty() && t.error.is_none()));
    assert!(h.emulator.writes().is_empty());
    // The next round, with time, resumes.
    let output = h
        .invoke(serde_json::to_value(&output).unwrap())
        .await
        .unwrap();
    assert_eq!(
        target(&output, "web-1").actions,
        ["CopySnapshot", "TagResource"]
    );
}

#[tokio::test]
async fn throttling_and_server_errors_still_converge_without_duplicates() {
    let h = Harness::new(WORLD, config(&["web-1", "data-disk", "shop.example.com"])).await;
    h.set_faults(Faults {
        seed: 11,
        throttle_rate: 0.3,
        server_error_rate: 0.1,
        ..Faults::default()
    });
    // As the state machine runs it: a round that fails `Retryable` (a listing throttled through
    // all its retries) is retried.
    let outputs = h.run_retrying(json!({}), 60).await.outputs;
    assert_eq!(
        outputs.last().unwrap().status,
        Status::Succeeded,
        "{:#?}",
        outputs.last()
    );
    assert_eq!(h.applied("CopySnapshot"), 3);
    assert_eq!(h.applied("ExportSnapshot"), 3);
}
