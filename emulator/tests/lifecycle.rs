//! Reads, copies, exports and their state transitions through the real SDK client.

mod common;

use aws_sdk_lightsail::types::{
    AutoSnapshotStatus, DiskSnapshotState, InstanceSnapshotState, RecordState,
};
use common::*;

#[tokio::test]
async fn reads_instances_disks_and_auto_snapshots() {
    let emu = emulator().await;
    let c = client(&emu);
    let inst = c
        .get_instance()
        .instance_name("web-1")
        .send()
        .await
        .unwrap()
        .instance
        .unwrap();
    assert_eq!(inst.blueprint_id(), Some("ubuntu_22_04"));
    assert_eq!(
        inst.location()
            .and_then(|l| l.region_name())
            .map(|r| r.as_str()),
        Some("us-east-1")
    );
    let tags: Vec<(&str, Option<&str>)> = inst
        .tags()
        .iter()
        .map(|t| (t.key().unwrap(), t.value()))
        .collect();
    // tagValueWhenKeyOnly's default: a key-only tag has no value member at all.
    assert_eq!(tags, vec![("export", Some("nightly")), ("team", None)]);
    assert!(inst
        .arn()
        .unwrap()
        .starts_with("arn:aws:lightsail:us-east-1:123456789012:Instance/"));

    let disk = c
        .get_disk()
        .disk_name("data-disk")
        .send()
        .await
        .unwrap()
        .disk
        .unwrap();
    assert_eq!(disk.size_in_gb(), Some(64));
    assert_eq!(disk.attached_to(), Some("web-1"));
    assert_eq!(disk.tags().len(), 1);

    let autos = c
        .get_auto_snapshots()
        .resource_name("web-1")
        .send()
        .await
        .unwrap();
    let list: Vec<(&str, &AutoSnapshotStatus)> = autos
        .auto_snapshots()
        .iter()
        .map(|a| (a.date().unwrap(), a.status().unwrap()))
        .collect();
    assert_eq!(list[0], ("2026-11-21", &AutoSnapshotStatus::Success));
    assert_eq!(list.len(), 3);
    // us-east-1's default slot is 06:00; the CLI example's createdAt falls 17 minutes later.
    let created = autos.auto_snapshots()[0].created_at().unwrap().secs();
    assert_eq!(created, 1_795_327_200 - 86_400 + 17 * 60);
    let busy = |c: aws_sdk_lightsail::Client| async move {
        c.get_auto_snapshots()
            .resource_name("busy-1")
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        busy(c.clone()).await.auto_snapshots()[0].status(),
        Some(&AutoSnapshotStatus::InProgress)
    );
    // The in-progress automatic snapshot completes 900 s after the scenario start.
    emu.advance(900.0);
    let autos = busy(c.clone()).await;
    assert_eq!(
        autos.auto_snapshots()[0].status(),
        Some(&AutoSnapshotStatus::Success)
    );

    let disk_autos = c
        .get_auto_snapshots()
        .resource_name("data-disk")
        .send()
        .await
        .unwrap();
    assert_eq!(disk_autos.resource_type().map(|t| t.as_str()), Some("Disk"));

    let err = c
        .get_instance()
        .instance_name("nope")
        .send()
        .await
        .unwrap_err();
    // On purpose: under the default envelope the SDK resolves the body's `code`, so a client
    // matching `NotFoundException` (or `is_not_found_exception()`) would miss this.
    assert_eq!(code(&err), "DoesNotExist");
    assert!(!err.as_service_error().unwrap().is_not_found_exception());
    assert_eq!(kind(&err), "NotFoundException/DoesNotExist");
}

#[tokio::test]
async fn copy_then_export_instance_moves_through_states() {
    let emu = emulator().await;
    let c = client(&emu);
    let out = c
        .copy_snapshot()
        .source_resource_name("web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("web-1-export-2026-11-21")
        .send()
        .await
        .unwrap();
    let op = &out.operations()[0];
    assert_eq!(op.operation_type().unwrap().as_str(), "CopySnapshot");
    assert_eq!(op.resource_name(), Some("web-1-export-2026-11-21"));

    let snap = |c: aws_sdk_lightsail::Client| async move {
        c.get_instance_snapshot()
            .instance_snapshot_name("web-1-export-2026-11-21")
            .send()
            .await
            .unwrap()
            .instance_snapshot
            .unwrap()
    };
    let s = snap(c.clone()).await;
    assert_eq!(s.state(), Some(&InstanceSnapshotState::Pending));
    assert_eq!(s.from_instance_name(), Some("web-1"));
    assert_eq!(s.is_from_auto_snapshot(), Some(true));

    // Exporting a pending snapshot is refused.
    let err = c
        .export_snapshot()
        .source_snapshot_name("web-1-export-2026-11-21")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "OperationFailureException/OperationFailure");

    emu.advance(599.0);
    assert_eq!(
        snap(c.clone()).await.state(),
        Some(&InstanceSnapshotState::Pending)
    );
    emu.advance(1.0);
    assert_eq!(
        snap(c.clone()).await.state(),
        Some(&InstanceSnapshotState::Available)
    );
    let op_status = c
        .get_operation()
        .operation_id(op.id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        op_status.operation().unwrap().status().unwrap().as_str(),
        "Succeeded"
    );

    c.export_snapshot()
        .source_snapshot_name("web-1-export-2026-11-21")
        .send()
        .await
        .unwrap();
    let record = find_record(&c, "web-1-export-2026-11-21").await.unwrap();
    assert_eq!(record.state(), Some(&RecordState::Started));
    // destinationInfo's default: present already while Started.
    let started_id = record
        .destination_info()
        .and_then(|d| d.id())
        .map(str::to_string);
    assert!(started_id.is_some());
    emu.advance(1800.0);
    let record = find_record(&c, "web-1-export-2026-11-21").await.unwrap();
    assert_eq!(record.state(), Some(&RecordState::Succeeded));
    let dest = record.destination_info().unwrap();
    assert_eq!(dest.service(), Some("Aws::EC2::Image"));
    let id = dest.id().unwrap();
    assert!(id.starts_with("ami-") && id.len() == 21, "{id}");
    assert_eq!(Some(id), started_id.as_deref());
    assert_eq!(
        record.source_info().unwrap().from_resource_name(),
        Some("web-1")
    );
}

#[tokio::test]
async fn disk_copy_completes_and_exports_to_an_ebs_snapshot() {
    let emu = emulator().await;
    let c = client(&emu);
    c.copy_snapshot()
        .source_resource_name("data-disk")
        .source_region("us-east-1".into())
        .use_latest_restorable_auto_snapshot(true)
        .target_snapshot_name("data-disk-copy")
        .send()
        .await
        .unwrap();
    emu.advance(600.0);
    let s = c
        .get_disk_snapshot()
        .disk_snapshot_name("data-disk-copy")
        .send()
        .await
        .unwrap()
        .disk_snapshot
        .unwrap();
    assert_eq!(s.state(), Some(&DiskSnapshotState::Completed));
    assert_eq!(s.from_disk_name(), Some("data-disk"));
    assert_eq!(s.size_in_gb(), Some(64));
    c.export_snapshot()
        .source_snapshot_name("data-disk-copy")
        .send()
        .await
        .unwrap();
    emu.advance(1800.0);
    let record = find_record(&c, "data-disk-copy").await.unwrap();
    let dest = record.destination_info().unwrap();
    assert_eq!(dest.service(), Some("Aws::EC2::Snapshot"));
    assert!(dest.id().unwrap().starts_with("snap-"));
}

#[tokio::test]
async fn failed_copies_and_exports_on_demand() {
    let emu = emulator().await;
    let c = client(&emu);
    let mut faults = emu.faults();
    faults.fail_copies_for = vec!["data-disk".into()];
    faults.fail_first_exports.insert("web-1".into(), 1);
    emu.set_faults(faults);
    for (res, name) in [("data-disk", "d-copy"), ("web-1", "w-copy")] {
        c.copy_snapshot()
            .source_resource_name(res)
            .source_region("us-east-1".into())
            .use_latest_restorable_auto_snapshot(true)
            .target_snapshot_name(name)
            .send()
            .await
            .unwrap();
    }
    emu.advance(600.0);
    let d = c
        .get_disk_snapshot()
        .disk_snapshot_name("d-copy")
        .send()
        .await
        .unwrap()
        .disk_snapshot
        .unwrap();
    assert_eq!(d.state(), Some(&DiskSnapshotState::Error));
    c.export_snapshot()
        .source_snapshot_name("w-copy")
        .send()
        .await
        .unwrap();
    emu.advance(1800.0);
    c.export_snapshot()
        .source_snapshot_name("w-copy")
        .send()
        .await
        .unwrap();
    emu.advance(1800.0);
    let states: Vec<RecordState> = all_records(&c)
        .await
        .into_iter()
        .filter(|r| r.source_info().and_then(|s| s.name()) == Some("w-copy"))
        .filter_map(|r| r.state().cloned())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(
        states.contains(&RecordState::Failed) && states.contains(&RecordState::Succeeded),
        "{states:?}"
    );
}

#[tokio::test]
async fn regions_are_routed_by_the_signature_and_copies_cross_regions() {
    let emu = emulator().await;
    let us = client(&emu);
    let eu = client_in(&emu, "eu-west-1");
    let eu_names: Vec<String> = eu
        .get_instances()
        .send()
        .await
        .unwrap()
        .instances()
        .iter()
        .map(|i| i.name().unwrap().to_string())
        .collect();
    assert_eq!(eu_names, vec!["eu-web-1"]);
    assert_eq!(
        kind(
            &us.get_instance()
                .instance_name("eu-web-1")
                .send()
                .await
                .unwrap_err()
        ),
        "NotFoundException/DoesNotExist"
    );

    // Wrong sourceRegion: the source lives in eu-west-1.
    let err = us
        .copy_snapshot()
        .source_resource_name("eu-web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("eu-copy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "NotFoundException/DoesNotExist");

    // Sent to us-east-1 from eu-west-1: the copy lands in us-east-1.
    us.copy_snapshot()
        .source_resource_name("eu-web-1")
        .source_region("eu-west-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("eu-copy")
        .send()
        .await
        .unwrap();
    let s = us
        .get_instance_snapshot()
        .instance_snapshot_name("eu-copy")
        .send()
        .await
        .unwrap()
        .instance_snapshot
        .unwrap();
    assert_eq!(
        s.location().unwrap().region_name().unwrap().as_str(),
        "us-east-1"
    );
    assert_eq!(s.from_instance_name(), Some("eu-web-1"));
    assert!(eu
        .get_instance_snapshot()
        .instance_snapshot_name("eu-copy")
        .send()
        .await
        .is_err());
    assert_eq!(emu.writes()[1].region, "us-east-1");
}

async fn find_record(
    c: &aws_sdk_lightsail::Client,
    snapshot: &str,
) -> Option<aws_sdk_lightsail::types::ExportSnapshotRecord> {
    all_records(c)
        .await
        .into_iter()
        .find(|r| r.source_info().and_then(|s| s.name()) == Some(snapshot))
}
