//! Helpers of the EC2 tests: a world with Lightsail exports and hand-made EC2 artifacts, and the
//! real `aws-sdk-ec2` client on an in-process emulator.
#![allow(dead_code)]

use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::{Credentials, Region};
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{Filter, Tag};
use aws_sdk_ec2::Client;
use lightsail_emulator::{Emulator, Scenario};

pub const MANAGED: &str = "lightsail-export:managed";
pub const GOLDEN_AMI: &str = "ami-0123456789abcdef0";
pub const GOLDEN_SNAP: &str = "snap-0123456789abcdef0";
pub const BACKUP_SNAP: &str = "snap-00000000000000001";

/// A manual clock; web-1 has two disks attached; artifacts of an earlier night (managed),
/// a user's own AMI and snapshot, and records whose artifacts are pending, failed or gone.
pub const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T06:00:00Z"
speed: 0
seed: 9
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5, ec2Seconds: 600 }
instances:
  - { name: web-1, bundleId: medium_3_0, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: win-1, blueprintId: windows_server_2022, bundleId: medium_win_3_0 }
  - { name: web-2 }
disks:
  - { name: data-disk, sizeInGb: 64, attachedTo: web-1 }
  - { name: logs-disk, sizeInGb: 32, attachedTo: web-1 }
  - { name: loose-disk, sizeInGb: 16 }
snapshots:
  - { name: web-1-snap, source: web-1, state: available }
  - { name: win-1-snap, source: win-1, state: available }
  - { name: web-2-snap, source: web-2, state: available }
  - { name: loose-disk-snap, source: loose-disk, state: completed }
  - { name: web-1-old, source: web-1, state: available, createdAt: "2026-11-20T06:30:00Z" }
exportRecords:
  - sourceName: web-1-old
    createdAt: "2026-11-20T07:00:00Z"
    ec2Tags: { "lightsail-export:managed": "true", "lightsail-export:source": "web-1-old" }
  - { sourceName: gone-snap, sourceType: DiskSnapshot, fromResource: gone-disk, ec2State: missing }
  - { sourceName: slow-snap, sourceType: DiskSnapshot, fromResource: slow-disk, ec2State: pending }
  - { sourceName: bad-snap, sourceType: DiskSnapshot, fromResource: bad-disk, ec2State: failed }
  - { sourceName: broken-snap, fromResource: broken-vm, state: Failed }
ec2Images:
  - imageId: ami-0123456789abcdef0
    name: my-golden-image
    tags: { team: ops }
    snapshots: [ { snapshotId: snap-0123456789abcdef0, sizeGiB: 8 } ]
  - name: managed-old-1
    tags: { "lightsail-export:managed": "true" }
    snapshots: [ { sizeGiB: 20, tags: { "lightsail-export:managed": "true" } } ]
  - { name: eu-image, region: eu-west-1 }
ec2Snapshots:
  - { snapshotId: snap-00000000000000001, sizeGiB: 10, description: "my backup" }
  - { sizeGiB: 5, tags: { "lightsail-export:managed": "true" } }
"#;

pub fn scenario() -> Scenario {
    Scenario::from_str(WORLD).expect("EC2 test scenario parses")
}

pub async fn emulator() -> Emulator {
    Emulator::start(scenario()).await.expect("emulator starts")
}

pub fn ec2_in(emu: &Emulator, region: &str) -> Client {
    let config = aws_sdk_ec2::Config::builder()
        .behavior_version_latest()
        .region(Region::new(region.to_string()))
        .endpoint_url(emu.url())
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

pub fn ec2(emu: &Emulator) -> Client {
    ec2_in(emu, "us-east-1")
}

/// The EC2 error code of an SDK error (`<none>` when there was no response).
pub fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> String {
    e.code().unwrap_or("<none>").to_string()
}

pub fn message<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> String {
    e.message().unwrap_or_default().to_string()
}

/// The HTTP status of an SDK error's response (0 when there was none).
pub fn status<E>(e: &SdkError<E, aws_sdk_ec2::config::http::HttpResponse>) -> u16 {
    e.raw_response().map_or(0, |r| r.status().as_u16())
}

pub fn filter(name: &str, values: &[&str]) -> Filter {
    let mut f = Filter::builder().name(name);
    for v in values {
        f = f.values(*v);
    }
    f.build()
}

pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// The ids of every AMI a DescribeImages with `filters` lists (one page).
pub async fn image_ids(c: &Client, filters: &[Filter]) -> Vec<String> {
    let out = c
        .describe_images()
        .set_filters(Some(filters.to_vec()))
        .send()
        .await
        .expect("DescribeImages");
    out.images()
        .iter()
        .filter_map(|i| i.image_id().map(str::to_string))
        .collect()
}

/// `(device name, volume size, delete on termination)` of each block device of an AMI.
pub fn devices(img: &aws_sdk_ec2::types::Image) -> Vec<(String, i32, bool)> {
    img.block_device_mappings()
        .iter()
        .filter_map(|m| {
            let ebs = m.ebs()?;
            Some((
                m.device_name()?.to_string(),
                ebs.volume_size()?,
                ebs.delete_on_termination()?,
            ))
        })
        .collect()
}

/// The snapshot ids of an AMI's block devices, root first.
pub fn snapshots_of(img: &aws_sdk_ec2::types::Image) -> Vec<String> {
    img.block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs().and_then(|e| e.snapshot_id()).map(str::to_string))
        .collect()
}

/// The state of one AMI, by id.
pub async fn image_state(c: &Client, id: &str) -> String {
    let out = c
        .describe_images()
        .image_ids(id)
        .send()
        .await
        .expect("DescribeImages by id");
    out.images()[0]
        .state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

/// The state of one EBS snapshot, by id.
pub async fn snapshot_state(c: &Client, id: &str) -> String {
    let out = c
        .describe_snapshots()
        .snapshot_ids(id)
        .send()
        .await
        .expect("DescribeSnapshots by id");
    out.snapshots()[0]
        .state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

/// The Lightsail export record of `snapshot`'s `destinationInfo.id` (after it is shown).
pub async fn destination_of(c: &aws_sdk_lightsail::Client, snapshot: &str) -> Option<String> {
    let mut token = None;
    loop {
        let page = c
            .get_export_snapshot_records()
            .set_page_token(token)
            .send()
            .await
            .expect("GetExportSnapshotRecords");
        for r in page.export_snapshot_records() {
            let of = r.source_info().and_then(|s| s.name()) == Some(snapshot);
            if let (true, Some(d)) = (of, r.destination_info()) {
                return d.id().map(str::to_string);
            }
        }
        token = Some(page.next_page_token()?.to_string());
    }
}

pub mod archive;
pub mod drill;
