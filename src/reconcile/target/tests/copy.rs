//! The copy: made at once, looked at, adopted, refused, waited on.

use super::*;

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
    let since = at(NOW - 3.0 * 3600.0 - 60.0);
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
