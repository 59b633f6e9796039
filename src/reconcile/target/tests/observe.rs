//! A target's name, resource and automatic snapshot, before anything is copied.

use super::*;

#[tokio::test]
async fn names_and_resources_are_checked_before_any_write() {
    let api = world();
    let report = run(&api, &plan("web/1"), &TargetSpec::named("web/1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::InvalidResourceName))
    );
    assert!(api.operations().is_empty());

    let conflict = TargetRound {
        api: &api,
        ec2: &FakeEc2::default(),
        artifacts: None,
        plan: &plan("a.b"),
        spec: &TargetSpec::named("a.b"),
        known: None,
        records: &HashMap::new(),
        snapshots: None,
        conflict: true,
    };
    assert_eq!(kind(&conflict.run().await), Some(Kind::CopyNameConflict));

    let report = run(&api, &plan("nope"), &TargetSpec::named("nope"), None).await;
    assert_eq!(kind(&report), Some(Kind::ResourceNotFound));
    assert_eq!(api.operations(), ["GetInstance", "GetDisk"]);

    api.world().resources.push(disk("web-1"));
    let report = run(&api, &plan("web-1"), &TargetSpec::named("web-1"), None).await;
    assert_eq!(kind(&report), Some(Kind::AmbiguousResource));

    let ghost = instance("blog", "ghost_5");
    let report = run(
        &api,
        &plan("blog"),
        &TargetSpec::named("blog"),
        Some(&ghost),
    )
    .await;
    assert_eq!(kind(&report), Some(Kind::NotExportable));

    let off = Resource {
        auto_snapshots_enabled: Some(false),
        ..disk("data-disk")
    };
    let report = run(
        &api,
        &plan("data-disk"),
        &TargetSpec::named("data-disk"),
        Some(&off),
    )
    .await;
    assert_eq!(kind(&report), Some(Kind::AutoSnapshotsDisabled));
    let mut backfill = plan("data-disk");
    backfill.restore_date = Some(day("2026-11-21"));
    let report = run(&api, &backfill, &TargetSpec::named("data-disk"), Some(&off)).await;
    assert_eq!(
        report.actions,
        ["CopySnapshot", "TagResource"],
        "a backfill may still copy"
    );
}

#[tokio::test]
async fn a_failed_lookup_is_transient_and_leaves_the_target_in_progress() {
    let api = world();
    api.fail("GetInstance", ApiError::Throttled("slow down".into()));
    let report = run(&api, &plan("web-1"), &TargetSpec::named("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Copying, Some(Kind::Retryable))
    );
    api.fail("GetAutoSnapshots", ApiError::AccessDenied("no".into()));
    let known = instance("web-1", "ubuntu_22_04");
    let report = run(
        &api,
        &plan("web-1"),
        &TargetSpec::named("web-1"),
        Some(&known),
    )
    .await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::AccessDenied))
    );
}

#[tokio::test]
async fn no_restorable_snapshot_or_a_bad_copy_name_fails_before_copying() {
    let api = world();
    api.world().autos.insert(
        "web-1".into(),
        autos(&[("2026-11-22", AutoSnapshotStatus::InProgress)]),
    );
    let report = run(&api, &plan("web-1"), &TargetSpec::named("web-1"), None).await;
    assert_eq!(kind(&report), Some(Kind::NoRestorableSnapshot));
    let mut odd = plan("web-1");
    odd.name_format = "{resource}.{date}".into();
    let report = run(&world(), &odd, &pinned("web-1"), None).await;
    assert_eq!(kind(&report), Some(Kind::InvalidSnapshotName));
}

#[tokio::test]
async fn a_deferred_target_reports_what_the_previous_round_said() {
    let api = world();
    let spec = TargetSpec {
        previous_phase: Some(Phase::Exporting),
        ..pinned("web-1")
    };
    let plan = plan("web-1");
    let target = TargetRound {
        api: &api,
        ec2: &FakeEc2::default(),
        artifacts: None,
        plan: &plan,
        spec: &spec,
        known: None,
        records: &HashMap::new(),
        snapshots: None,
        conflict: false,
    };
    let report = target.deferred();
    assert_eq!(
        (report.phase, report.auto_snapshot_date.as_deref()),
        (Phase::Exporting, Some("2026-11-21"))
    );
    assert!(api.operations().is_empty());
}
