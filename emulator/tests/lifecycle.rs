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
    assert_eq!(tags, vec![("export", Some("nightly")), ("team", Some(""))]);
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
    assert_eq!(list[0], ("2026-11-22", &AutoSnapshotStatus::InProgress));
    assert_eq!(list.len(), 4);
    // The in-progress automatic snapshot completes 900 s after the scenario start.
    emu.advance(900.0);
    let autos = c
        .get_auto_snapshots()
        .resource_name("web-1")
        .send()
        .await
        .unwrap();
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
    assert_eq!(code(&err), "NotFoundException");
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
    assert_eq!(code(&err), "OperationFailureException");

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
    assert!(record.destination_info().is_none());
    emu.advance(1800.0);
    let record = find_record(&c, "web-1-export-2026-11-21").await.unwrap();
    assert_eq!(record.state(), Some(&RecordState::Succeeded));
    let dest = record.destination_info().unwrap();
    assert_eq!(dest.service(), Some("Aws::EC2::Image"));
    let id = dest.id().unwrap();
    assert!(id.starts_with("ami-") && id.len() == 21, "{id}");
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
async fn export_records_page_consistently_in_a_shuffled_order() {
    let emu = emulator().await;
    let c = client(&emu);
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = c
            .get_export_snapshot_records()
            .set_page_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.export_snapshot_records().len() <= 3);
        names.extend(
            out.export_snapshot_records()
                .iter()
                .map(|r| r.name().unwrap().to_string()),
        );
        token = out.next_page_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names.len(), 10);
    assert_eq!(pages, 4);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 10, "no duplicates across pages");
    // Same world, same order: paging again gives the same sequence.
    let again: Vec<String> = all_records(&c)
        .await
        .iter()
        .map(|r| r.name().unwrap().to_string())
        .collect();
    assert_eq!(again, names);

    let err = c
        .get_export_snapshot_records()
        .page_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidInputException");
}

#[tokio::test]
async fn get_instances_and_operations_page() {
    let emu = emulator().await;
    let c = client(&emu);
    let first = c.get_instances().send().await.unwrap();
    assert_eq!(first.instances().len(), 3);
    let token = first.next_page_token().unwrap().to_string();
    let mut all: Vec<String> = first
        .instances()
        .iter()
        .map(|i| i.name().unwrap().to_string())
        .collect();
    let mut next = Some(token);
    while let Some(t) = next {
        let page = c.get_instances().page_token(t).send().await.unwrap();
        all.extend(
            page.instances()
                .iter()
                .map(|i| i.name().unwrap().to_string()),
        );
        next = page.next_page_token().map(str::to_string);
    }
    // us-east-1 only: eu-web-1 lives in eu-west-1.
    assert_eq!(all.len(), 7);
    assert!(!all.contains(&"eu-web-1".to_string()));

    for i in 0..4 {
        c.tag_resource()
            .resource_name("web-2")
            .tags(tag("k", &i.to_string()))
            .send()
            .await
            .unwrap();
    }
    let ops = c.get_operations().send().await.unwrap();
    assert_eq!(ops.operations().len(), 3);
    let rest = c
        .get_operations()
        .page_token(ops.next_page_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.operations().len(), 1);
    assert!(rest.next_page_token().is_none());
}

#[tokio::test]
async fn tags_on_instances_disks_and_snapshots() {
    let emu = emulator().await;
    let c = client(&emu);
    c.tag_resource()
        .resource_name("data-disk")
        .tags(tag("owner", "ops"))
        .send()
        .await
        .unwrap();
    let disk = c
        .get_disk()
        .disk_name("data-disk")
        .send()
        .await
        .unwrap()
        .disk
        .unwrap();
    assert!(disk
        .tags()
        .iter()
        .any(|t| t.key() == Some("owner") && t.value() == Some("ops")));
    c.untag_resource()
        .resource_name("data-disk")
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    let disk = c
        .get_disk()
        .disk_name("data-disk")
        .send()
        .await
        .unwrap()
        .disk
        .unwrap();
    assert!(!disk.tags().iter().any(|t| t.key() == Some("owner")));

    c.tag_resource()
        .resource_name("blog-1-manual")
        .tags(tag("keep", "yes"))
        .send()
        .await
        .unwrap();
    let s = c
        .get_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap();
    assert_eq!(s.instance_snapshot().unwrap().tags()[0].key(), Some("keep"));

    c.tag_resource()
        .resource_name("shop.example.com")
        .tags(tag("export", "nightly"))
        .send()
        .await
        .unwrap();
    let err = c
        .tag_resource()
        .resource_name("ghost")
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotFoundException");
}

#[tokio::test]
async fn delete_snapshots() {
    let emu = emulator().await;
    let c = client(&emu);
    c.delete_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap();
    let err = c
        .get_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotFoundException");
    let err = c
        .delete_disk_snapshot()
        .disk_snapshot_name("app-1-manual")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "NotFoundException",
        "a disk delete does not find an instance snapshot"
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
        code(
            &us.get_instance()
                .instance_name("eu-web-1")
                .send()
                .await
                .unwrap_err()
        ),
        "NotFoundException"
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
    assert_eq!(code(&err), "NotFoundException");

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

fn tag(k: &str, v: &str) -> aws_sdk_lightsail::types::Tag {
    aws_sdk_lightsail::types::Tag::builder()
        .key(k)
        .value(v)
        .build()
}

async fn all_records(
    c: &aws_sdk_lightsail::Client,
) -> Vec<aws_sdk_lightsail::types::ExportSnapshotRecord> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = c
            .get_export_snapshot_records()
            .set_page_token(token)
            .send()
            .await
            .unwrap();
        out.extend(page.export_snapshot_records().iter().cloned());
        token = page.next_page_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
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
