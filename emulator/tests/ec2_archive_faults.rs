//! The archive tier's faults (`archivalFailsFor`, and the generic ones on ModifySnapshotTier)
//! and DescribeSnapshotTierStatus' listing, filters and pages, through the real `aws-sdk-ec2`.

mod ec2_support;

use aws_sdk_ec2::types::{StorageTier, TieringOperationStatus};
use ec2_support::archive::*;
use ec2_support::{code, filter};
use lightsail_emulator::Faults;

#[tokio::test]
async fn faults_make_archivals_fail_or_refuse_them() {
    let (emu, c) = world().await;
    emu.set_faults(Faults {
        archival_fails_for: vec![LOOSE.to_string()],
        ..Faults::default()
    });
    archive(&c, LOOSE).await.expect("accepted, then fails");
    emu.advance(DAY_AND_A_QUARTER);
    let failed = c
        .describe_snapshot_tier_status()
        .filters(filter("last-tiering-operation", &["archival-failed"]))
        .send()
        .await
        .unwrap();
    let s = &failed.snapshot_tier_statuses()[0];
    assert_eq!(s.snapshot_id(), Some(LOOSE));
    assert_eq!(s.storage_tier(), Some(&StorageTier::Standard));
    assert_eq!(
        s.last_tiering_operation_status(),
        Some(&TieringOperationStatus::ArchivalFailed)
    );
    assert!(s.last_tiering_operation_status_detail().is_some());
    assert_eq!(
        volume_of(&c, LOOSE).await,
        Ok(()),
        "a failed archival leaves it usable"
    );
    emu.set_faults(Faults {
        access_denied_for: vec!["ModifySnapshotTier".into()],
        ..Faults::default()
    });
    assert_eq!(
        archive(&c, LOOSE).await.unwrap_err().0,
        "UnauthorizedOperation"
    );
    emu.set_faults(Faults {
        server_error_rate: 1.0,
        operations: vec!["ModifySnapshotTier".into()],
        ..Faults::default()
    });
    assert_eq!(archive(&c, LOOSE).await.unwrap_err().0, "InternalError");
    emu.set_faults(Faults::default());
    assert_eq!(
        archive(&c, LOOSE).await,
        Ok(LOOSE.to_string()),
        "a failed one may be archived again"
    );
}

#[tokio::test]
async fn tier_status_lists_every_snapshot_with_filters_and_pages() {
    let (emu, c) = world().await;
    let all = c.describe_snapshot_tier_status().send().await.unwrap();
    let ids: Vec<&str> = all
        .snapshot_tier_statuses()
        .iter()
        .filter_map(|s| s.snapshot_id())
        .collect();
    assert_eq!(ids, [LOOSE, USERS, PENDING, ARCHIVED, IMAGE_SNAP]);
    let never = &all.snapshot_tier_statuses()[0];
    assert_eq!(never.storage_tier(), Some(&StorageTier::Standard));
    assert_eq!(
        (
            never.last_tiering_operation_status(),
            never.last_tiering_start_time()
        ),
        (None, None)
    );
    let archived = &all.snapshot_tier_statuses()[3];
    assert_eq!(
        archived.last_tiering_operation_status(),
        Some(&TieringOperationStatus::ArchivalCompleted)
    );
    assert!(archived.archival_complete_time().is_some());
    assert_eq!(archived.owner_id(), Some("123456789012"));
    let first = c
        .describe_snapshot_tier_status()
        .max_results(5)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (first.snapshot_tier_statuses().len(), first.next_token()),
        (5, None)
    );
    let unknown = c
        .describe_snapshot_tier_status()
        .filters(filter("storage-tier", &["archive"]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "InvalidParameterValue");
    archive(&c, LOOSE).await.unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .describe_snapshot_tier_status()
            .filters(filter("last-tiering-operation", &["archival-*"]))
            .max_results(5)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        seen.extend(
            page.snapshot_tier_statuses()
                .iter()
                .filter_map(|s| s.snapshot_id().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, [LOOSE, ARCHIVED]);
    drop(emu);
}
