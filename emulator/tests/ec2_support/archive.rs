//! Helpers of the archive-tier tests: a world with a managed AMI, loose snapshots (managed,
//! a user's, pending, already archived), and ModifySnapshotTier / DescribeSnapshotTierStatus.

use aws_sdk_ec2::types::{StorageTier, TargetStorageTier};
use aws_sdk_ec2::Client;
use lightsail_emulator::{Emulator, Scenario};

use super::{code, ec2, filter, message, MANAGED};

pub const IMAGE: &str = "ami-0000000000000000a";
pub const IMAGE_SNAP: &str = "snap-0000000000000000a";
pub const LOOSE: &str = "snap-00000000000000001";
pub const USERS: &str = "snap-00000000000000002";
pub const PENDING: &str = "snap-00000000000000003";
pub const ARCHIVED: &str = "snap-00000000000000004";
pub const DAY_AND_A_QUARTER: f64 = 30.0 * 3600.0;

pub const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T06:00:00Z"
speed: 0
seed: 3
ec2Images:
  - imageId: ami-0000000000000000a
    name: managed-image
    tags: { "lightsail-export:managed": "true" }
    snapshots: [ { snapshotId: snap-0000000000000000a, sizeGiB: 8, tags: { "lightsail-export:managed": "true" } } ]
ec2Snapshots:
  - { snapshotId: snap-00000000000000001, sizeGiB: 10, tags: { "lightsail-export:managed": "true" } }
  - { snapshotId: snap-00000000000000002, sizeGiB: 10, description: "my backup" }
  - { snapshotId: snap-00000000000000003, sizeGiB: 10, state: pending, tags: { "lightsail-export:managed": "true" } }
  - { snapshotId: snap-00000000000000004, sizeGiB: 10, storageTier: archive, tags: { "lightsail-export:managed": "true" } }
"#;

pub async fn world() -> (Emulator, Client) {
    let emu = Emulator::start(Scenario::from_str(WORLD).expect("scenario"))
        .await
        .expect("emulator");
    let c = ec2(&emu);
    (emu, c)
}

pub async fn archive(c: &Client, id: &str) -> Result<String, (String, String)> {
    c.modify_snapshot_tier()
        .snapshot_id(id)
        .storage_tier(TargetStorageTier::Archive)
        .send()
        .await
        .map(|o| o.snapshot_id().unwrap_or_default().to_string())
        .map_err(|e| (code(&e), message(&e)))
}

/// `(storageTier, lastTieringOperationStatus, lastTieringProgress)` of one snapshot.
pub async fn tier(c: &Client, id: &str) -> (String, Option<String>, Option<i32>) {
    let out = c
        .describe_snapshot_tier_status()
        .filters(filter("snapshot-id", &[id]))
        .send()
        .await
        .expect("DescribeSnapshotTierStatus");
    let s = &out.snapshot_tier_statuses()[0];
    (
        s.storage_tier()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        s.last_tiering_operation_status()
            .map(|t| t.as_str().to_string()),
        s.last_tiering_progress(),
    )
}

pub async fn storage_tier(c: &Client, id: &str) -> Option<StorageTier> {
    let out = c
        .describe_snapshots()
        .snapshot_ids(id)
        .send()
        .await
        .expect("DescribeSnapshots");
    out.snapshots()[0].storage_tier().cloned()
}

pub async fn volume_of(c: &Client, id: &str) -> Result<(), String> {
    let spec = aws_sdk_ec2::types::TagSpecification::builder()
        .resource_type(aws_sdk_ec2::types::ResourceType::Volume)
        .tags(super::tag(MANAGED, "true"))
        .build();
    c.create_volume()
        .snapshot_id(id)
        .availability_zone("us-east-1a")
        .tag_specifications(spec)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}
