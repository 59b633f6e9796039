//! Every branch of one target's round, through the in-memory fake adapter: what it calls, and
//! what it reports.

use std::collections::HashMap;

use super::TargetRound;
use crate::error::TargetErrorKind as Kind;
use crate::input::config::Config;
use crate::input::plan::{Plan, TargetSpec};
use crate::input::request::Request;
use crate::lightsail::fake::{FakeLightsail, FakeWorld};
use crate::model::{
    ApiError, AutoSnapshot, AutoSnapshotStatus, ExportRecord, ManualSnapshot, Phase, RecordState,
    Resource, ResourceType, SnapshotState,
};
use crate::report::TargetReport;

const NOW: f64 = 1_795_328_400.0; // 2026-11-22T06:20:00Z
const COPY: &str = "web-1-export-2026-11-21";

fn instance(name: &str, blueprint: &str) -> Resource {
    Resource {
        name: name.into(),
        resource_type: ResourceType::Instance,
        blueprint_id: blueprint.into(),
        blueprint_name: String::new(),
        tags: Vec::new(),
        auto_snapshots_enabled: Some(true),
        snapshot_time_of_day: Some("06:00".into()),
    }
}

fn disk(name: &str) -> Resource {
    Resource {
        resource_type: ResourceType::Disk,
        ..instance(name, "")
    }
}

fn autos(entries: &[(&str, AutoSnapshotStatus)]) -> Vec<AutoSnapshot> {
    entries
        .iter()
        .map(|(date, status)| AutoSnapshot {
            date: date.to_string(),
            status: status.clone(),
        })
        .collect()
}

/// web-1 (instance), data-disk, and their automatic snapshots (today's being taken for web-1).
fn world() -> FakeLightsail {
    let mut w = FakeWorld {
        now: NOW,
        resources: vec![instance("web-1", "ubuntu_22_04"), disk("data-disk")],
        ..FakeWorld::default()
    };
    use AutoSnapshotStatus::*;
    w.autos.insert(
        "web-1".into(),
        autos(&[
            ("2026-11-20", Success),
            ("2026-11-21", Success),
            ("2026-11-22", InProgress),
        ]),
    );
    w.autos
        .insert("data-disk".into(), autos(&[("2026-11-21", Success)]));
    FakeLightsail::new(w)
}

fn copy_of(name: &str, from: &str, state: SnapshotState) -> ManualSnapshot {
    ManualSnapshot {
        state,
        from_resource: Some(from.into()),
        from_auto_snapshot: Some(true),
        ..ManualSnapshot::missing(name, ResourceType::Instance)
    }
}

fn record(source: &str, state: RecordState) -> ExportRecord {
    ExportRecord {
        name: format!("ExportSnapshotRecord-{source}-{state:?}"),
        arn: None,
        state,
        created_at: Some(NOW - 600.0),
        source_name: source.into(),
        from_resource: None,
        source_created_at: None,
        destination: None,
    }
}

fn plan(target: &str) -> Plan {
    let request = Request {
        targets: Some(vec![target.into()]),
        ..Request::default()
    };
    let mut plan = Plan::new(&Config::default(), request).expect("plan");
    plan.now = NOW;
    plan
}

/// A target of a later round: pinned on 2026-11-21, known to be an instance.
fn pinned(name: &str) -> TargetSpec {
    TargetSpec {
        pinned_date: Some("2026-11-21".into()),
        resource_type: Some(ResourceType::Instance),
        previous_phase: Some(Phase::Copying),
        ..TargetSpec::named(name)
    }
}

/// Runs the target's round against the fake, as `reconcile` would.
async fn run(
    api: &FakeLightsail,
    plan: &Plan,
    spec: &TargetSpec,
    known: Option<&Resource>,
) -> TargetReport {
    let (records, snapshots) = {
        let w = api.world();
        (
            w.records.clone(),
            w.snapshots.values().cloned().collect::<Vec<_>>(),
        )
    };
    let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
    for r in &records {
        by_source.entry(r.source_name.as_str()).or_default().push(r);
    }
    let target = TargetRound {
        api,
        plan,
        spec,
        known,
        records: &by_source,
        snapshots: Some(&snapshots),
        conflict: false,
    };
    target.run().await
}

fn kind(report: &TargetReport) -> Option<Kind> {
    report.error.as_ref().map(|e| e.kind)
}

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
    backfill.restore_date = Some("2026-11-21".into());
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
async fn the_first_round_copies_the_latest_restorable_snapshot_at_once_and_tags_it() {
    let api = world();
    let known = instance("web-1", "ubuntu_22_04");
    let report = run(
        &api,
        &plan("web-1"),
        &TargetSpec::named("web-1"),
        Some(&known),
    )
    .await;
    assert_eq!(report.auto_snapshot_date.as_deref(), Some("2026-11-21"));
    assert_eq!(report.actions, ["CopySnapshot", "TagResource"]);
    assert_eq!((report.phase, report.error.clone()), (Phase::Copying, None));
    assert_eq!(
        api.operations(),
        ["GetAutoSnapshots", "CopySnapshot", "TagResource"]
    );
    let today = report.auto_snapshot_today.expect("today's snapshot");
    assert_eq!(
        (today.status.as_str(), today.time_of_day.as_deref()),
        ("InProgress", Some("06:00"))
    );
    assert_eq!(
        api.world().snapshots[COPY].tag("lightsail-export:managed"),
        Some("true")
    );

    // Tagging that fails costs nothing: the copy is made, a later round tags it.
    let api = world();
    api.fail("TagResource", ApiError::Transient("lost".into()));
    let report = run(
        &api,
        &plan("web-1"),
        &TargetSpec::named("web-1"),
        Some(&known),
    )
    .await;
    assert_eq!(
        (report.actions.as_slice(), report.error.clone()),
        (&["CopySnapshot".to_string()][..], None)
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
async fn a_later_round_looks_at_the_copy_and_takes_the_step_its_state_calls_for() {
    let cases = [
        (SnapshotState::Pending, Phase::Copying, vec![], None),
        (
            SnapshotState::Ready,
            Phase::Exporting,
            vec!["ExportSnapshot"],
            None,
        ),
        (
            SnapshotState::Error,
            Phase::Failed,
            vec![],
            Some(Kind::CopyFailed),
        ),
        (
            SnapshotState::Other("unknown".into()),
            Phase::Copying,
            vec![],
            None,
        ),
    ];
    for (state, phase, actions, error) in cases {
        let api = world();
        let mut copy = copy_of(COPY, "web-1", state.clone());
        copy.tags
            .push(("lightsail-export:managed".into(), Some("true".into())));
        api.world().snapshots.insert(COPY.into(), copy);
        let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
        assert_eq!((report.phase, kind(&report)), (phase, error), "{state:?}");
        assert_eq!(report.actions, actions, "{state:?}");
    }
    // Missing: copied (after the instance is looked at again: its blueprint may have changed).
    let api = world();
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(report.actions, ["CopySnapshot", "TagResource"]);
    assert_eq!(
        api.operations(),
        [
            "GetSnapshot",
            "GetInstance",
            "GetDisk",
            "GetAutoSnapshots",
            "CopySnapshot",
            "TagResource"
        ]
    );
}

#[tokio::test]
async fn a_copy_found_is_adopted_when_it_is_the_functions_and_refused_when_it_is_another_resources()
{
    let api = world();
    api.world()
        .snapshots
        .insert(COPY.into(), copy_of(COPY, "web-1", SnapshotState::Pending));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(report.actions, ["TagResource"], "untagged: tagged now");

    let api = world();
    let users = ManualSnapshot {
        from_auto_snapshot: Some(false),
        ..copy_of(COPY, "web-1", SnapshotState::Ready)
    };
    api.world().snapshots.insert(COPY.into(), users);
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        report.actions,
        ["ExportSnapshot"],
        "a user's snapshot is never tagged"
    );

    let api = world();
    api.world()
        .snapshots
        .insert(COPY.into(), copy_of(COPY, "web-2", SnapshotState::Ready));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(kind(&report), Some(Kind::CopyNameConflict));
}

#[tokio::test]
async fn a_refused_copy_means_what_the_error_and_the_copy_say() {
    let failure = || ApiError::Other {
        code: "OperationFailureException".into(),
        message: "busy".into(),
    };
    let cases: Vec<(ApiError, Phase, Option<Kind>)> = vec![
        (
            ApiError::NameInUse("taken".into()),
            Phase::Failed,
            Some(Kind::CopyNameConflict),
        ),
        (
            failure(),
            Phase::Copying,
            Some(Kind::AutoSnapshotInProgress),
        ),
        // Invalid input while today's snapshot is being taken: a refusal, not bad input.
        (
            ApiError::InvalidInput("not now".into()),
            Phase::Copying,
            Some(Kind::AutoSnapshotInProgress),
        ),
        (
            ApiError::NotFound("gone".into()),
            Phase::Failed,
            Some(Kind::NoRestorableSnapshot),
        ),
        (
            ApiError::Throttled("slow".into()),
            Phase::Copying,
            Some(Kind::Retryable),
        ),
        (
            ApiError::Transient("5xx".into()),
            Phase::Copying,
            Some(Kind::Retryable),
        ),
        (
            ApiError::AccessDenied("no".into()),
            Phase::Failed,
            Some(Kind::AccessDenied),
        ),
    ];
    for (error, phase, expected) in cases {
        let api = world();
        api.fail("CopySnapshot", error.clone());
        let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
        assert_eq!(
            (report.phase, kind(&report)),
            (phase, expected),
            "{error:?}"
        );
        let waits = expected == Some(Kind::AutoSnapshotInProgress);
        assert_eq!(report.waiting_since.is_some(), waits, "{error:?}");
    }
    // Invalid input with no snapshot being taken is bad input.
    let api = world();
    api.world().autos.insert(
        "web-1".into(),
        autos(&[("2026-11-21", AutoSnapshotStatus::Success)]),
    );
    api.fail("CopySnapshot", ApiError::InvalidInput("bad".into()));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(kind(&report), Some(Kind::InvalidInput));
}

#[tokio::test]
async fn a_wait_is_bounded_from_the_first_round_that_saw_it() {
    let api = world();
    api.fail(
        "CopySnapshot",
        ApiError::Other {
            code: "OperationFailureException".into(),
            message: "busy".into(),
        },
    );
    let since = (NOW - 3.0 * 3600.0 - 60.0) as i64;
    let spec = TargetSpec {
        waiting_since: Some(since),
        ..pinned("web-1")
    };
    let report = run(&api, &plan("web-1"), &spec, None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::AutoSnapshotWaitExceeded))
    );
    let message = report.error.expect("error").message;
    assert!(
        message.contains("`web-1` of 2026-11-21") && message.contains("3h01m"),
        "{message}"
    );
}

#[tokio::test]
async fn a_copy_that_exists_after_a_failed_call_is_carried_on_from() {
    let api = world();
    // The response was lost, but the copy was made: the call fails on the name next time.
    api.world()
        .snapshots
        .insert(COPY.into(), copy_of(COPY, "web-1", SnapshotState::Pending));
    api.fail("GetSnapshot", ApiError::Transient("lost".into()));
    let report = run(&api, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        kind(&report),
        Some(Kind::Retryable),
        "the copy could not be looked at"
    );

    let api = world();
    let known = instance("web-1", "ubuntu_22_04");
    let mut copy = copy_of(COPY, "web-1", SnapshotState::Ready);
    copy.tags
        .push(("lightsail-export:managed".into(), Some("true".into())));
    api.world().snapshots.insert(COPY.into(), copy);
    let report = run(
        &api,
        &plan("web-1"),
        &TargetSpec::named("web-1"),
        Some(&known),
    )
    .await;
    assert_eq!(
        report.actions,
        ["ExportSnapshot"],
        "first round: copy refused on the name, then exported"
    );
    assert_eq!(
        api.operations(),
        [
            "GetAutoSnapshots",
            "CopySnapshot",
            "GetSnapshot",
            "ExportSnapshot"
        ]
    );
}

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
    for (k, v) in crate::decide::retention::copy_tags("web-1", "2026-11-20") {
        old.tags.push((k, Some(v)));
    }
    let mut current = copy_of(COPY, "web-1", SnapshotState::Ready);
    for (k, v) in crate::decide::retention::copy_tags("web-1", "2026-11-21") {
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
