//! The EBS snapshot archive tier through the real `aws-sdk-ec2` client: ModifySnapshotTier on
//! the clock (archival-in-progress, then the archive tier), DescribeSnapshotTierStatus and
//! DescribeSnapshots' `storageTier`, each refusal AWS documents, both values of the two
//! archive switches and the concurrent-archives quota (the faults: ec2_archive_faults.rs).

mod ec2_support;

use aws_sdk_ec2::types::{StorageTier, TargetStorageTier};
use ec2_support::archive::*;
use ec2_support::{code, ec2, filter, status, MANAGED};
use lightsail_emulator::{ArchivalDuration, ArchiveImageSnapshot, Ec2Policy, Emulator, Scenario};

#[tokio::test]
async fn an_archival_is_in_progress_on_the_clock_then_in_the_archive_tier() {
    let (emu, c) = world().await;
    let out = c
        .modify_snapshot_tier()
        .snapshot_id(LOOSE)
        .storage_tier(TargetStorageTier::Archive)
        .send()
        .await
        .expect("ModifySnapshotTier");
    assert_eq!(out.snapshot_id(), Some(LOOSE));
    let started = out.tiering_start_time().expect("tieringStartTime").secs() as f64;
    assert_eq!(started, emu.now().floor());
    let in_progress = (
        "standard".to_string(),
        Some("archival-in-progress".to_string()),
        Some(0),
    );
    assert_eq!(tier(&c, LOOSE).await, in_progress);
    assert_eq!(storage_tier(&c, LOOSE).await, Some(StorageTier::Standard));
    emu.advance(DAY_AND_A_QUARTER / 2.0);
    assert_eq!(tier(&c, LOOSE).await.2, Some(50));
    // "You can continue to use the snapshot while the archive is in process."
    assert_eq!(volume_of(&c, LOOSE).await, Ok(()));
    assert_eq!(
        archive(&c, LOOSE).await.map_err(|e| e.0),
        Err("IncorrectState".into())
    );
    emu.advance(DAY_AND_A_QUARTER / 2.0);
    let done = (
        "archive".to_string(),
        Some("archival-completed".to_string()),
        Some(100),
    );
    assert_eq!(tier(&c, LOOSE).await, done);
    assert_eq!(storage_tier(&c, LOOSE).await, Some(StorageTier::Archive));
    let listed = c
        .describe_snapshots()
        .filters(filter("storage-tier", &["archive"]))
        .send()
        .await
        .expect("storage-tier filter");
    let ids: Vec<&str> = listed
        .snapshots()
        .iter()
        .filter_map(|s| s.snapshot_id())
        .collect();
    assert_eq!(ids, [LOOSE, ARCHIVED]);
    assert_eq!(volume_of(&c, LOOSE).await, Err("IncorrectState".into()));
    let again = archive(&c, LOOSE).await.unwrap_err();
    assert_eq!(again.0, "IncorrectState", "{again:?}");
    let info = emu
        .ec2_snapshots()
        .into_iter()
        .find(|s| s.snapshot_id == LOOSE)
        .unwrap();
    assert_eq!(
        (info.storage_tier.as_str(), info.tiering_status.as_deref()),
        ("archive", Some("archival-completed"))
    );
    c.delete_snapshot()
        .snapshot_id(LOOSE)
        .send()
        .await
        .expect("an archived snapshot may be deleted");
    let logged: Vec<(String, String, bool)> = emu
        .writes()
        .into_iter()
        .map(|w| (w.operation, w.target, w.applied))
        .filter(|(op, _, _)| op == "ModifySnapshotTier")
        .collect();
    assert_eq!(
        logged,
        [
            ("ModifySnapshotTier".to_string(), LOOSE.to_string(), true),
            ("ModifySnapshotTier".to_string(), LOOSE.to_string(), false),
            ("ModifySnapshotTier".to_string(), LOOSE.to_string(), false),
        ]
    );
}

#[tokio::test]
async fn what_ec2_refuses_to_archive() {
    let (emu, c) = world().await;
    assert_eq!(archive(&c, PENDING).await.unwrap_err().0, "IncorrectState");
    assert_eq!(archive(&c, ARCHIVED).await.unwrap_err().0, "IncorrectState");
    assert_eq!(
        archive(&c, "snap-00000000000000099").await.unwrap_err().0,
        "InvalidSnapshot.NotFound"
    );
    assert_eq!(
        archive(&c, "snap-1").await.unwrap_err().0,
        "InvalidSnapshotID.Malformed"
    );
    // The deployed role archives only managed snapshots (as it deletes them).
    assert_eq!(
        archive(&c, USERS).await.unwrap_err().0,
        "UnauthorizedOperation"
    );
    // A snapshot a registered AMI uses: refused under both values of archiveImageSnapshot.
    let (code, text) = archive(&c, IMAGE_SNAP).await.unwrap_err();
    assert_eq!(code, "InvalidSnapshot.InUse");
    assert_eq!(
        text,
        format!("The snapshot {IMAGE_SNAP} is currently in use by {IMAGE}")
    );
    let mut sw = emu.switches();
    sw.archive_image_snapshot = ArchiveImageSnapshot::IncorrectState;
    emu.set_switches(sw);
    assert_eq!(
        archive(&c, IMAGE_SNAP).await.unwrap_err().0,
        "IncorrectState"
    );
    c.deregister_image()
        .image_id(IMAGE)
        .send()
        .await
        .expect("DeregisterImage");
    assert_eq!(archive(&c, IMAGE_SNAP).await, Ok(IMAGE_SNAP.to_string()));
    let standard = c
        .modify_snapshot_tier()
        .snapshot_id(LOOSE)
        .storage_tier(TargetStorageTier::from("standard"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&standard), "InvalidParameterValue");
    let dry = c
        .modify_snapshot_tier()
        .snapshot_id(LOOSE)
        .storage_tier(TargetStorageTier::Archive)
        .dry_run(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code_of(&dry), status(&dry)),
        ("DryRunOperation".to_string(), 412)
    );
    assert_eq!(tier(&c, LOOSE).await.1, None, "a dry run archives nothing");
    emu.set_ec2_policy(Ec2Policy {
        delete_requires_managed_tag: false,
        ..Ec2Policy::default()
    });
    assert_eq!(archive(&c, USERS).await, Ok(USERS.to_string()));
}

fn code_of<E: aws_sdk_ec2::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_ec2::error::SdkError<E, R>,
) -> String {
    code(e)
}

#[tokio::test]
async fn at_most_25_archivals_run_at_once() {
    let mut yaml = String::from("now: \"2026-11-22T06:00:00Z\"\nspeed: 0\nec2Snapshots:\n");
    for i in 1..=26 {
        yaml.push_str(&format!(
            "  - {{ snapshotId: snap-{i:017x}, sizeGiB: 1, tags: {{ \"{MANAGED}\": \"true\" }} }}\n"
        ));
    }
    let emu = Emulator::start(Scenario::from_str(&yaml).unwrap())
        .await
        .unwrap();
    let c = ec2(&emu);
    for i in 1..=25 {
        archive(&c, &format!("snap-{i:017x}"))
            .await
            .expect("within the quota");
    }
    let last = format!("snap-{:017x}", 26);
    assert_eq!(
        archive(&c, &last).await.unwrap_err().0,
        "ConcurrentSnapshotLimitExceeded"
    );
    emu.advance(DAY_AND_A_QUARTER);
    assert_eq!(
        archive(&c, &last).await,
        Ok(last.clone()),
        "the others are done"
    );
}

#[tokio::test]
async fn under_an_hour_an_archival_takes_the_cli_examples_time() {
    let (emu, c) = world().await;
    let mut sw = emu.switches();
    assert_eq!(sw.archival_duration, ArchivalDuration::MoreThanADay);
    sw.archival_duration = ArchivalDuration::UnderAnHour;
    emu.set_switches(sw);
    archive(&c, LOOSE).await.unwrap();
    emu.advance(2_918.0);
    assert_eq!(tier(&c, LOOSE).await.0, "standard");
    emu.advance(1.0);
    assert_eq!(tier(&c, LOOSE).await.0, "archive");
}
