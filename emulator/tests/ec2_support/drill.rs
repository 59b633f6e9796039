//! Helpers of the restore-drill tests: a world with managed and unmanaged AMIs and snapshots,
//! and the requests a drill sends.

use aws_sdk_ec2::types::{
    InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange, ResourceType,
    TagSpecification,
};
use aws_sdk_ec2::Client;
use lightsail_emulator::{Emulator, Scenario, Switches};

use super::{tag, MANAGED};

pub const DRILL_AMI: &str = "ami-0000000000000000a";
pub const DRILL_ROOT_SNAP: &str = "snap-0000000000000000a";
pub const USERS_AMI: &str = "ami-0000000000000000b";
pub const PENDING_AMI: &str = "ami-0000000000000000c";
pub const MANAGED_SNAP: &str = "snap-0000000000000001a";
pub const USERS_SNAP: &str = "snap-0000000000000001b";
pub const PENDING_SNAP: &str = "snap-0000000000000001c";

pub const DRILL_WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T06:00:00Z"
speed: 0
seed: 5
instances:
  - { name: web-1, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
snapshots:
  - { name: web-1-old, source: web-1, state: available, createdAt: "2026-11-20T06:30:00Z" }
exportRecords:
  - sourceName: web-1-old
    createdAt: "2026-11-20T07:00:00Z"
    ec2Tags: { "lightsail-export:managed": "true" }
ec2Images:
  - imageId: ami-0000000000000000a
    name: drill-image
    tags: { "lightsail-export:managed": "true" }
    snapshots:
      - { snapshotId: snap-0000000000000000a, sizeGiB: 8, tags: { "lightsail-export:managed": "true" } }
      - { snapshotId: snap-0000000000000000b, sizeGiB: 20, tags: { "lightsail-export:managed": "true" } }
  - { imageId: ami-0000000000000000b, name: users-image, snapshots: [ { snapshotId: snap-0000000000000000c, sizeGiB: 8 } ] }
  - imageId: ami-0000000000000000c
    name: pending-image
    state: pending
    tags: { "lightsail-export:managed": "true" }
    snapshots: [ { snapshotId: snap-0000000000000000d, sizeGiB: 8 } ]
ec2Snapshots:
  - { snapshotId: snap-0000000000000001a, sizeGiB: 10, tags: { "lightsail-export:managed": "true" } }
  - { snapshotId: snap-0000000000000001b, sizeGiB: 10 }
  - { snapshotId: snap-0000000000000001c, sizeGiB: 10, state: pending, tags: { "lightsail-export:managed": "true" } }
"#;

pub fn drill_scenario() -> Scenario {
    Scenario::from_str(DRILL_WORLD).expect("drill scenario parses")
}

/// The drill world under the switches given (merged over the hostile defaults).
pub async fn drill_emulator(switches: serde_json::Value) -> Emulator {
    let emu = Emulator::start(drill_scenario())
        .await
        .expect("emulator starts");
    let mut sw = Switches::default();
    sw.merge(switches).expect("switches");
    emu.set_switches(sw);
    emu
}

/// The mild switches: capacity available, instances visible at once.
pub fn mild() -> serde_json::Value {
    serde_json::json!({"launchCapacity": "available", "newInstanceVisibility": "immediate"})
}

pub fn managed_spec(kind: ResourceType) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .tags(tag(MANAGED, "true"))
        .build()
}

/// The drill's own (managed) security group, made once.
pub async fn drill_group(c: &Client) -> String {
    let found = c
        .describe_security_groups()
        .filters(super::filter("group-name", &["drill"]))
        .send()
        .await
        .expect("DescribeSecurityGroups");
    if let Some(id) = found.security_groups().first().and_then(|g| g.group_id()) {
        return id.to_string();
    }
    let out = c
        .create_security_group()
        .group_name("drill")
        .description("drill")
        .tag_specifications(managed_spec(ResourceType::SecurityGroup))
        .send()
        .await
        .expect("CreateSecurityGroup");
    out.group_id().unwrap_or_default().to_string()
}

/// A drill's RunInstances of `ami`: t3.micro, no public IP, tagged instance and volumes, in
/// the managed group `sg`.
pub fn launch_in(
    c: &Client,
    ami: &str,
    token: &str,
    sg: &str,
) -> aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder {
    c.run_instances()
        .image_id(ami)
        .instance_type(InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .client_token(token)
        .network_interfaces(
            InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .associate_public_ip_address(false)
                .delete_on_termination(true)
                .groups(sg)
                .build(),
        )
        .tag_specifications(managed_spec(ResourceType::Instance))
        .tag_specifications(managed_spec(ResourceType::Volume))
}

/// Launches `ami` in the drill's group and returns the instance id.
pub async fn launched(c: &Client, ami: &str, token: &str) -> String {
    let sg = drill_group(c).await;
    let out = launch_in(c, ami, token, &sg)
        .send()
        .await
        .expect("RunInstances");
    out.instances()[0]
        .instance_id()
        .unwrap_or_default()
        .to_string()
}

pub async fn instance_state(c: &Client, id: &str) -> String {
    let out = c
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .expect("DescribeInstances");
    let i = &out.reservations()[0].instances()[0];
    i.state()
        .and_then(|s| s.name())
        .map(|n| n.as_str().to_string())
        .unwrap_or_default()
}

/// `(instance status, system status, reachability detail)` of a running instance.
pub async fn checks(c: &Client, id: &str) -> (String, String, String) {
    let out = c
        .describe_instance_status()
        .instance_ids(id)
        .send()
        .await
        .expect("DescribeInstanceStatus");
    let s = &out.instance_statuses()[0];
    let summary = |x: Option<&aws_sdk_ec2::types::InstanceStatusSummary>| {
        let x = x.expect("summary");
        (
            x.status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            x.details()
                .first()
                .and_then(|d| d.status())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        )
    };
    let (instance, detail) = summary(s.instance_status());
    let (system, _) = summary(s.system_status());
    (instance, system, detail)
}

pub async fn volume_state(c: &Client, id: &str) -> String {
    match c.describe_volumes().volume_ids(id).send().await {
        Ok(out) => out.volumes()[0]
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        Err(e) => super::code(&e),
    }
}

pub fn all_egress() -> IpPermission {
    IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build()
}
