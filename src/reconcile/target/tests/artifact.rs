//! After the export: the artifact verified and labelled, EXPORTED only once it is ready; older
//! exports' artifacts retired.

use super::*;
use crate::decide::keep::{KeepRules, Span};
use crate::model::artifact_tag::{
    COPY as COPY_TAG, DATE as DATE_TAG, EXPORT_RECORD as RECORD_TAG, RESOURCE as RESOURCE_TAG,
};
use crate::model::MANAGED_TAG;

/// web-1's copy of 2026-11-21 exported: its record Succeeded, its AMI `ami-<copy>`.
fn exported() -> FakeLightsail {
    let api = world();
    let mut copy = copy_of(COPY, "web-1", SnapshotState::Ready);
    copy.tags
        .push(("lightsail-export:managed".into(), Some("true".into())));
    api.world().snapshots.insert(COPY.into(), copy);
    api.world()
        .records
        .push(record(COPY, RecordState::Succeeded));
    api
}

fn destination() -> String {
    format!("ami-{COPY}")
}

#[tokio::test]
async fn exported_once_the_ami_is_available_and_labelled() {
    let api = exported();
    let ec2 = ec2_of(&api);
    let report = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, report.error.clone()),
        (Phase::Exported, None)
    );
    assert_eq!(report.ec2_actions, ["CreateTags"]);
    let shown = report.export_record.and_then(|r| r.ec2).expect("ec2");
    assert_eq!((shown.state.as_str(), shown.size_gib), ("available", 60));
    assert_eq!(shown.snapshot_ids, [format!("snap-of-{}", destination())]);
    for id in [destination(), format!("snap-of-{}", destination())] {
        let tagged = ec2.world().artifacts[&id].clone();
        assert_eq!(tagged.tag(MANAGED_TAG), Some("true"), "{id}");
        assert_eq!(tagged.tag(RESOURCE_TAG), Some("web-1"));
        assert_eq!(tagged.tag(DATE_TAG), Some("2026-11-21"));
        assert_eq!(tagged.tag(COPY_TAG), Some(COPY));
        assert_eq!(tagged.tag("Name"), Some(COPY));
        assert!(tagged
            .tag(RECORD_TAG)
            .is_some_and(|r| r.starts_with("ExportSnapshotRecord-")));
    }
    // Labelled already: nothing written again.
    let again = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!((again.phase, again.ec2_actions.len()), (Phase::Exported, 0));
}

#[tokio::test]
async fn a_pending_ami_keeps_the_target_exporting_and_says_why() {
    let api = exported();
    let ec2 = FakeEc2::default();
    add_ami(&ec2, ami(&destination(), "pending"));
    let report = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Exporting, Some(Kind::Ec2ArtifactPending))
    );
    assert_eq!(
        report.waiting_since.as_deref(),
        Some("2026-11-22T06:20:00Z")
    );
    assert_eq!(report.ec2_actions, ["CreateTags"], "labelled while pending");
    assert!(report.error.expect("error").message.contains("pending"));
    // Pending for longer than 6 hours: it never became available.
    let spec = TargetSpec {
        waiting_since: Some(at(NOW - 7.0 * 3600.0)),
        ..pinned("web-1")
    };
    let report = run_with(&api, &ec2, &plan("web-1"), &spec, None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::Ec2ArtifactFailed))
    );
}

#[tokio::test]
async fn a_missing_or_failed_ami_is_a_failed_target_after_ec2_had_time_to_show_it() {
    let api = exported();
    let empty = FakeEc2::default();
    let report = run_with(&api, &empty, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Exporting, Some(Kind::Ec2ArtifactPending))
    );
    let spec = TargetSpec {
        waiting_since: Some(at(NOW - 3600.0)),
        ..pinned("web-1")
    };
    let report = run_with(&api, &empty, &plan("web-1"), &spec, None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::Ec2ArtifactMissing))
    );

    let failed = FakeEc2::default();
    add_ami(&failed, ami(&destination(), "failed"));
    let report = run_with(&api, &failed, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Failed, Some(Kind::Ec2ArtifactFailed))
    );
}

#[tokio::test]
async fn a_failed_lookup_or_labelling_is_tried_again_next_round() {
    let api = exported();
    let ec2 = ec2_of(&api);
    ec2.fail("DescribeImages", ApiError::Throttled("slow".into()));
    let report = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Exporting, Some(Kind::Retryable))
    );
    ec2.fail("CreateTags", ApiError::Transient("lost".into()));
    let report = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, kind(&report)),
        (Phase::Exporting, Some(Kind::Retryable))
    );
    let report = run_with(&api, &ec2, &plan("web-1"), &pinned("web-1"), None).await;
    assert_eq!(
        (report.phase, report.ec2_actions.as_slice()),
        (Phase::Exported, &["CreateTags".to_string()][..])
    );
}

/// data-disk's copy of 2026-11-21 exported: its record Succeeded, its EBS snapshot `snapshot`.
fn disk_exported(snapshot: &str) -> FakeLightsail {
    let api = world();
    let copy = "data-disk-export-2026-11-21";
    let mut disk_copy = copy_of(copy, "data-disk", SnapshotState::Ready);
    disk_copy.resource_type = ResourceType::Disk;
    api.world().snapshots.insert(copy.into(), disk_copy);
    let mut rec = record(copy, RecordState::Succeeded);
    rec.destination = Some(Destination {
        id: snapshot.into(),
        service: "Aws::EC2::Snapshot".into(),
    });
    api.world().records.push(rec);
    api
}

#[tokio::test]
async fn a_disk_export_is_its_ebs_snapshot() {
    let api = disk_exported("snap-0disk");
    let ec2 = FakeEc2::default();
    ec2.add(Ec2Artifact {
        kind: ArtifactKind::Snapshot,
        id: "snap-0disk".into(),
        state: "completed".into(),
        snapshot_ids: Vec::new(),
        size_gib: 64,
        tags: Vec::new(),
        storage_tier: None,
    });
    let spec = TargetSpec {
        resource_type: Some(ResourceType::Disk),
        ..pinned("data-disk")
    };
    let report = run_with(&api, &ec2, &plan("data-disk"), &spec, None).await;
    assert_eq!(report.phase, Phase::Exported);
    let shown = report.export_record.and_then(|r| r.ec2).expect("ec2");
    assert_eq!(
        (shown.snapshot_ids, shown.size_gib),
        (vec!["snap-0disk".to_string()], 64)
    );
    assert_eq!(
        ec2.world().artifacts["snap-0disk"].tag(MANAGED_TAG),
        Some("true")
    );
}

/// An older export of web-1, labelled by an earlier night.
fn older(ec2: &FakeEc2, date: &str, n: usize) {
    let copy = format!("web-1-export-{date}");
    let tags: Vec<(String, Option<String>)> = [
        (MANAGED_TAG, "true"),
        (RESOURCE_TAG, "web-1"),
        (DATE_TAG, date),
        (COPY_TAG, copy.as_str()),
        (RECORD_TAG, "ExportSnapshotRecord-old"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), Some(v.to_string())))
    .collect();
    let mut image = ami(&format!("ami-old{n}"), "available");
    image.tags = tags.clone();
    add_ami(ec2, image);
    let snapshot = format!("snap-of-ami-old{n}");
    ec2.world()
        .artifacts
        .get_mut(&snapshot)
        .expect("snapshot")
        .tags = tags;
}

#[tokio::test]
async fn older_exports_are_retired_ami_first_and_a_dry_run_only_lists_them() {
    let mut keep_two = plan("web-1");
    keep_two.ec2_keep = KeepRules {
        last: Some(2),
        ..KeepRules::default()
    };
    let setup = || {
        let api = exported();
        let ec2 = ec2_of(&api);
        older(&ec2, "2026-11-19", 1);
        older(&ec2, "2026-11-20", 2);
        (api, ec2)
    };
    let (api, ec2) = setup();
    let report = run_with(&api, &ec2, &keep_two, &pinned("web-1"), None).await;
    assert_eq!(report.phase, Phase::Exported);
    assert_eq!(report.retired, ["ami-old1", "snap-of-ami-old1"]);
    let ops = ec2.operations();
    let deregister = ops
        .iter()
        .position(|o| *o == "DeregisterImage")
        .expect("deregistered");
    let delete = ops
        .iter()
        .position(|o| *o == "DeleteSnapshot")
        .expect("deleted");
    assert!(deregister < delete, "the AMI before its snapshots: {ops:?}");
    assert!(
        ec2.world().artifacts.contains_key("ami-old2"),
        "within EC2_KEEP"
    );

    let (api, ec2) = setup();
    let mut dry = keep_two.clone();
    dry.dry_run = true;
    let report = run_with(&api, &ec2, &dry, &pinned("web-1"), None).await;
    assert_eq!(report.retired, ["ami-old1", "snap-of-ami-old1"]);
    assert!(
        ec2.world().artifacts.contains_key("ami-old1"),
        "a dry run retires nothing"
    );

    // A deregistration that fails leaves the snapshots for the next round.
    let (api, ec2) = setup();
    ec2.fail("DeregisterImage", ApiError::Transient("lost".into()));
    let report = run_with(&api, &ec2, &keep_two, &pinned("web-1"), None).await;
    assert!(report.retired.is_empty(), "{:?}", report.retired);
    let report = run_with(&api, &ec2, &keep_two, &pinned("web-1"), None).await;
    assert_eq!(report.retired, ["ami-old1", "snap-of-ami-old1"]);
}

#[tokio::test]
async fn kept_lists_why_and_retired_tonight_carries_over_the_nights_rounds() {
    let mut keep_two = plan("web-1");
    keep_two.ec2_keep = KeepRules {
        last: Some(2),
        ..KeepRules::default()
    };
    let api = exported();
    let ec2 = ec2_of(&api);
    older(&ec2, "2026-11-19", 1);
    older(&ec2, "2026-11-20", 2);
    let report = run_with(&api, &ec2, &keep_two, &pinned("web-1"), None).await;
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["kept"],
        serde_json::json!([
            {"date": "2026-11-21", "id": destination(), "rules": ["tonight", "last"]},
            {"date": "2026-11-20", "id": "ami-old2", "rules": ["last"]},
        ])
    );
    assert_eq!(
        json["retiredTonight"],
        serde_json::json!([{"date": "2026-11-19", "id": "ami-old1"}])
    );
    // The next round retires nothing more, and still lists what the night retired.
    let spec = TargetSpec {
        previous_retired: report.retired_tonight.clone(),
        ..pinned("web-1")
    };
    let next = run_with(&api, &ec2, &keep_two, &spec, None).await;
    assert!(next.retired.is_empty());
    assert_eq!(next.retired_tonight, report.retired_tonight);
    // A dry run lists what it would retire, afresh each round.
    let mut dry = keep_two.clone();
    dry.dry_run = true;
    older(&ec2, "2026-11-18", 3);
    let would = run_with(&api, &ec2, &dry, &spec, None).await;
    let ids: Vec<_> = would.retired_tonight.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, [Some("ami-old3".to_string())]);
}

/// An older export of data-disk: its EBS snapshot, labelled by an earlier night.
fn older_disk(ec2: &FakeEc2, date: &str, id: &str, tier: &str) {
    let copy = format!("data-disk-export-{date}");
    ec2.add(Ec2Artifact {
        kind: ArtifactKind::Snapshot,
        id: id.into(),
        state: "completed".into(),
        snapshot_ids: Vec::new(),
        size_gib: 64,
        tags: [
            (MANAGED_TAG, "true"),
            (RESOURCE_TAG, "data-disk"),
            (DATE_TAG, date),
            (COPY_TAG, copy.as_str()),
            (RECORD_TAG, "ExportSnapshotRecord-old"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect(),
        storage_tier: Some(tier.into()),
    });
}

#[tokio::test]
async fn what_only_the_long_rules_keep_moves_to_the_archive_tier_once_old_enough() {
    let api = disk_exported("snap-tonight");
    let ec2 = FakeEc2::default();
    // Tonight's snapshot, not labelled yet when the round listed EC2 (the round labels it).
    ec2.add(Ec2Artifact {
        kind: ArtifactKind::Snapshot,
        id: "snap-tonight".into(),
        state: "completed".into(),
        snapshot_ids: Vec::new(),
        size_gib: 64,
        tags: Vec::new(),
        storage_tier: Some("standard".into()),
    });
    older_disk(&ec2, "2026-11-15", "snap-w46", "standard");
    older_disk(&ec2, "2026-10-31", "snap-oct", "standard");
    older_disk(&ec2, "2026-09-30", "snap-sep", "standard");
    older_disk(&ec2, "2026-08-30", "snap-aug", "archive");
    let mut schedule = plan("data-disk");
    schedule.ec2_keep = KeepRules {
        weekly: Some(2),
        monthly: Some(4),
        ..KeepRules::default()
    };
    // 30 days before 2026-11-22T06:20 is 10-23: September's and August's are older.
    schedule.archive_after = Some(Span::days(30));
    let spec = TargetSpec {
        resource_type: Some(ResourceType::Disk),
        ..pinned("data-disk")
    };
    ec2.world().archival_in_progress.push("snap-oct".into());
    let report = run_with(&api, &ec2, &schedule, &spec, None).await;
    assert_eq!(report.phase, Phase::Exported);
    assert!(report.retired.is_empty(), "{:?}", report.retired);
    let modified: Vec<String> = ec2
        .world()
        .script
        .calls()
        .into_iter()
        .filter(|(op, _)| *op == "ModifySnapshotTier")
        .map(|(_, about)| about)
        .collect();
    assert_eq!(
        modified,
        ["snap-sep"],
        "only what the monthly rule alone keeps, old enough"
    );
    let tiers: Vec<(Option<String>, Option<String>)> = report
        .kept
        .iter()
        .map(|e| (e.id.clone(), e.tier.clone()))
        .collect();
    assert_eq!(
        tiers,
        [
            (Some("snap-tonight".into()), None),
            (Some("snap-w46".into()), None),
            (Some("snap-oct".into()), None),
            (Some("snap-sep".into()), Some("archival".into())),
            (Some("snap-aug".into()), Some("archive".into())),
        ]
    );
    assert!(report
        .ec2_actions
        .contains(&"ModifySnapshotTier".to_string()));
}
