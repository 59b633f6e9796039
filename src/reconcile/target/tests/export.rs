//! The export: started, waited on, retried, given up on, done; and a dry run.

use super::*;

#[tokio::test]
async fn exports_are_started_waited_on_retried_and_given_up_on() {
    let ready = || {
        let api = world();
        let mut copy = copy_of(COPY, "web-1", SnapshotState::Ready);
        copy.tags
            .push(("lightsail-export:managed".into(), Some("true".into())));
        api.world().snapshots.insert(COPY.into(), copy);
        api
    };
    let api = ready();
    api.fail("ExportSnapshot", ApiError::Transient("timeout".into()));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Exporting, Some(Kind::Retryable))
    );
    assert!(report
        .error
        .expect("error")
        .message
        .contains("may not have been applied"));

    let api = ready();
    api.world().records.push(record(COPY, RecordState::Started));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!((report.phase, report.actions.len()), (Phase::Exporting, 0));
    assert_eq!(
        report.export_record.map(|r| r.state).as_deref(),
        Some("Started")
    );

    let api = ready();
    api.world().records.push(record(COPY, RecordState::Failed));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        report.actions,
        ["ExportSnapshot"],
        "a failed export is tried again"
    );

    let api = ready();
    for _ in 0..3 {
        api.world().records.push(record(COPY, RecordState::Failed));
    }
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::ExportFailed))
    );
}

#[tokio::test]
async fn an_exported_target_is_done_and_its_older_copies_go() {
    let api = world();
    let mut old = copy_of("web-1-export-2026-11-20", "web-1", SnapshotState::Ready);
    for (k, v) in crate::decide::retention::copy_tags("web-1", day("2026-11-20")) {
        old.tags.push((k, Some(v)));
    }
    let mut current = copy_of(COPY, "web-1", SnapshotState::Ready);
    for (k, v) in crate::decide::retention::copy_tags("web-1", day("2026-11-21")) {
        current.tags.push((k, Some(v)));
    }
    {
        let mut w = api.world();
        w.snapshots.insert(old.name.clone(), old);
        w.snapshots.insert(COPY.into(), current);
        w.records
            .push(record("web-1-export-2026-11-20", RecordState::Succeeded));
        w.records.push(record(COPY, RecordState::Succeeded));
    }
    let mut with_retention = plan("web-1");
    with_retention.retention.delete_after_export = true;
    let report = run(&api, &with_retention, &pinned("web-1"), None).await;
    assert_eq!(report.phase, Phase::Exported);
    assert_eq!(report.deleted, ["web-1-export-2026-11-20"]);
    assert_eq!(report.actions, ["DeleteInstanceSnapshot"]);
    api.fail("DeleteSnapshot", ApiError::Throttled("slow".into()));

    // EXPORTED last round, and Lightsail forgot the record since: still EXPORTED.
    let api = world();
    let spec = TargetSpec {
        previous_phase: Some(Phase::Exported),
        ..pinned("web-1")
    };
    let report = run(&api, &plan("web-1"), &spec, None).await;
    assert_eq!((report.phase, report.actions.len()), (Phase::Exported, 0));
}

#[tokio::test]
async fn a_dry_run_says_which_writes_it_would_make_and_makes_none() {
    let api = world();
    let mut dry = plan("web-1");
    dry.dry_run = true;
    let known = instance("web-1", "ubuntu_22_04");
    let report = run(&api, &dry, &TargetSpec::named("web-1"), Some(&known)).await;
    assert_eq!(report.actions, ["CopySnapshot", "TagResource"]);
    let mut copy = copy_of(COPY, "web-1", SnapshotState::Ready);
    copy.tags
        .push(("lightsail-export:managed".into(), Some("true".into())));
    api.world().snapshots.insert(COPY.into(), copy);
    let report = run(&api, &dry, &pinned("web-1"), None).await;
    assert_eq!(report.actions, ["ExportSnapshot"]);
    let writes = [
        "CopySnapshot",
        "TagResource",
        "ExportSnapshot",
        "DeleteSnapshot",
    ];
    assert!(
        api.operations().iter().all(|op| !writes.contains(op)),
        "{:?}",
        api.operations()
    );
}
