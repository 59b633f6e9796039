//! JSON of the world's things, shaped exactly as botocore's Lightsail model (2016-11-28) says:
//! the member names and types of Instance, Disk, InstanceSnapshot, DiskSnapshot,
//! AutoSnapshotDetails, ExportSnapshotRecord, Operation, ResourceLocation, Tag, AddOn.

use serde_json::{json, Map, Value};

use super::model::*;
use super::World;
use crate::switches::{AddOnWhenDisabled, DestinationInfo, Switches, TagValueWhenKeyOnly};

pub struct Hardware {
    pub cpus: i64,
    pub ram_gb: f64,
    pub disk_gb: i64,
    pub transfer_gb: i64,
}

/// The hardware of a bundle id (the `_3_0` family's published sizes; unknown ids get small's).
pub fn bundle_hardware(bundle_id: &str) -> Hardware {
    let size = bundle_id.split('_').next().unwrap_or("small");
    let (cpus, ram_gb, disk_gb, transfer_gb) = match size {
        "nano" => (2, 0.5, 20, 1024),
        "micro" => (2, 1.0, 40, 2048),
        "small" => (2, 2.0, 60, 3072),
        "medium" => (2, 4.0, 80, 4096),
        "large" => (2, 8.0, 160, 5120),
        "xlarge" => (4, 16.0, 320, 6144),
        "2xlarge" => (8, 32.0, 640, 7168),
        _ => (2, 2.0, 60, 3072),
    };
    Hardware {
        cpus,
        ram_gb,
        disk_gb,
        transfer_gb,
    }
}

/// An instance's or disk's location: a zone of the region.
pub fn location(region: &str) -> Value {
    json!({ "availabilityZone": format!("{region}a"), "regionName": region })
}

/// The location of what has no zone (snapshots, export records, their operations), as every
/// AWS CLI example of them shows it.
pub fn regional(region: &str) -> Value {
    json!({ "availabilityZone": "all", "regionName": region })
}

pub fn tags(tags: &Tags, sw: &Switches) -> Value {
    let omit_empty = sw.tag_value_when_key_only == TagValueWhenKeyOnly::Absent;
    Value::Array(
        tags.iter()
            .map(|(k, v)| {
                if v.is_empty() && omit_empty {
                    json!({ "key": k })
                } else {
                    json!({ "key": k, "value": v })
                }
            })
            .collect(),
    )
}

/// The `addOns` member, or `None` when it is left out.
fn add_ons(enabled: bool, time_of_day: &str, sw: &Switches) -> Option<Value> {
    let add_on = |status: &str| json!([{ "name": "AutoSnapshot", "status": status, "snapshotTimeOfDay": time_of_day }]);
    match (enabled, sw.add_on_when_disabled) {
        (true, _) => Some(add_on("Enabled")),
        (false, AddOnWhenDisabled::Absent) => None,
        (false, AddOnWhenDisabled::Empty) => Some(json!([])),
        (false, AddOnWhenDisabled::Disabled) => Some(add_on("Disabled")),
    }
}

fn blueprint_name(id: &str) -> String {
    let base = id.split('_').next().unwrap_or(id);
    let mut chars = base.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => id.to_string(),
    }
}

fn username(blueprint_id: &str) -> &'static str {
    if blueprint_id.starts_with("ubuntu") {
        "ubuntu"
    } else if blueprint_id.starts_with("debian") {
        "admin"
    } else if blueprint_id.starts_with("amazon") || blueprint_id.starts_with("centos") {
        "ec2-user"
    } else if blueprint_id.starts_with("windows") {
        "Administrator"
    } else {
        "bitnami"
    }
}

pub fn disk(d: &Disk, sw: &Switches) -> Value {
    let attached = d.attached_to.is_some();
    let mut v = json!({
        "name": d.name,
        "arn": arn(&d.region, "Disk", &d.uuid),
        "supportCode": format!("{ACCOUNT}/{}", d.support_id),
        "createdAt": d.created_at,
        "location": location(&d.region),
        "resourceType": "Disk",
        "tags": tags(&d.tags, sw),
        "sizeInGb": d.size_in_gb,
        "isSystemDisk": false,
        "iops": 100,
        "path": "/dev/xvdf",
        "state": if attached { "in-use" } else { "available" },
        "isAttached": attached,
        "attachmentState": if attached { "attached" } else { "detached" },
        "gbInUse": 0,
    });
    if let Value::Object(m) = &mut v {
        if let Some(to) = &d.attached_to {
            m.insert("attachedTo".into(), json!(to));
            m.insert("autoMountStatus".into(), json!("Mounted"));
        }
        if let Some(a) = add_ons(d.auto_snapshot_add_on, &d.snapshot_time_of_day, sw) {
            m.insert("addOns".into(), a);
        }
    }
    v
}

fn system_disk(i: &Instance, hw: &Hardware) -> Value {
    json!({
        "name": format!("{}-system-disk", i.name),
        "createdAt": i.created_at,
        "location": location(&i.region),
        "resourceType": "Disk",
        "tags": [],
        "sizeInGb": hw.disk_gb,
        "isSystemDisk": true,
        "iops": 100,
        "path": "/dev/xvda",
        "state": "in-use",
        "attachedTo": i.name,
        "isAttached": true,
        "attachmentState": "attached",
        "gbInUse": 0,
    })
}

pub fn instance(w: &World, i: &Instance) -> Value {
    let hw = bundle_hardware(&i.bundle_id);
    let mut disks = vec![system_disk(i, &hw)];
    if let Some(rs) = w.region(&i.region) {
        disks.extend(
            rs.disks
                .values()
                .filter(|d| d.attached_to.as_deref() == Some(&i.name))
                .map(|d| disk(d, &w.switches)),
        );
    }
    let port = |from: i64, to: i64| {
        json!({
            "fromPort": from, "toPort": to, "protocol": "tcp", "accessFrom": "Anywhere (0.0.0.0/0 and ::/0)",
            "accessType": "Public", "commonName": "", "accessDirection": "inbound",
            "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": ["::/0"], "cidrListAliases": [],
        })
    };
    let mut v = json!({
        "name": i.name,
        "arn": arn(&i.region, "Instance", &i.uuid),
        "supportCode": format!("{ACCOUNT}/{}", i.support_id),
        "createdAt": i.created_at,
        "location": location(&i.region),
        "resourceType": "Instance",
        "tags": tags(&i.tags, &w.switches),
        "blueprintId": i.blueprint_id,
        "blueprintName": blueprint_name(&i.blueprint_id),
        "bundleId": i.bundle_id,
        "isStaticIp": false,
        "privateIpAddress": i.private_ip,
        "publicIpAddress": i.public_ip,
        "ipv6Addresses": [],
        "ipAddressType": "ipv4",
        "hardware": { "cpuCount": hw.cpus, "disks": disks, "ramSizeInGb": hw.ram_gb },
        "networking": {
            "monthlyTransfer": { "gbPerMonthAllocated": hw.transfer_gb },
            "ports": [port(22, 22), port(80, 80), port(443, 443)],
        },
        "state": { "code": 16, "name": "running" },
        "username": username(&i.blueprint_id),
        "sshKeyName": "LightsailDefaultKeyPair",
    });
    let add_on = add_ons(i.auto_snapshot_add_on, &i.snapshot_time_of_day, &w.switches);
    if let (Some(a), Value::Object(m)) = (add_on, &mut v) {
        m.insert("addOns".into(), a);
    }
    v
}

pub fn auto_snapshot(w: &World, a: &AutoSnapshot, attached: &[AttachedDisk], now: f64) -> Value {
    json!({
        "date": a.date,
        "createdAt": a.created_at,
        "status": w.auto_status(a, now),
        "fromAttachedDisks": attached.iter().map(|d| json!({ "path": d.path, "sizeInGb": d.size_in_gb })).collect::<Vec<_>>(),
    })
}

pub fn snapshot(s: &Snapshot, now: f64, sw: &Switches) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    m.insert("arn".into(), json!(s.arn()));
    m.insert(
        "supportCode".into(),
        json!(format!("{ACCOUNT}/{}", s.support_id)),
    );
    m.insert("createdAt".into(), json!(s.created_at));
    m.insert("location".into(), regional(&s.region));
    m.insert("resourceType".into(), json!(s.kind.snapshot_type()));
    m.insert("tags".into(), tags(&s.tags, sw));
    m.insert("state".into(), json!(s.state_at(now)));
    // The model: "populated only for disk snapshots, and is null for instance snapshots".
    if s.kind == Kind::Disk {
        m.insert("progress".into(), json!(s.progress_at(now)));
    }
    m.insert("sizeInGb".into(), json!(s.size_in_gb));
    m.insert("isFromAutoSnapshot".into(), json!(s.is_from_auto_snapshot));
    match s.kind {
        Kind::Instance => {
            let attached: Vec<Value> = s
                .attached_disks
                .iter()
                .map(|d| json!({ "name": d.name, "path": d.path, "sizeInGb": d.size_in_gb, "isSystemDisk": false }))
                .collect();
            m.insert("fromAttachedDisks".into(), Value::Array(attached));
            m.insert("fromInstanceName".into(), json!(s.from_resource));
            m.insert("fromInstanceArn".into(), json!(s.from_resource_arn));
            if let Some(b) = &s.from_blueprint_id {
                m.insert("fromBlueprintId".into(), json!(b));
            }
            if let Some(b) = &s.from_bundle_id {
                m.insert("fromBundleId".into(), json!(b));
            }
        }
        Kind::Disk => {
            m.insert("fromDiskName".into(), json!(s.from_resource));
            m.insert("fromDiskArn".into(), json!(s.from_resource_arn));
        }
    }
    Value::Object(m)
}

pub fn export_record(r: &ExportRecord, now: f64, sw: &Switches) -> Value {
    let src = &r.source;
    let mut info = json!({
        "resourceType": src.kind.snapshot_type(),
        "createdAt": src.created_at,
        "name": src.name,
        "arn": src.arn,
        "fromResourceName": src.from_resource,
        "fromResourceArn": src.from_resource_arn,
    });
    if let Value::Object(m) = &mut info {
        match src.kind {
            Kind::Instance => {
                let system = json!({
                    "name": format!("{}-system-disk", src.from_resource),
                    "path": "/dev/xvda",
                    "sizeInGb": src.size_in_gb,
                    "isSystemDisk": true,
                });
                let attached = src.attached_disks.iter().map(|d| {
                    json!({ "name": d.name, "path": d.path, "sizeInGb": d.size_in_gb, "isSystemDisk": false })
                });
                let disk_info: Vec<Value> = std::iter::once(system).chain(attached).collect();
                m.insert(
                    "instanceSnapshotInfo".into(),
                    json!({
                        "fromBundleId": src.from_bundle_id.as_deref().unwrap_or("small_3_0"),
                        "fromBlueprintId": src.from_blueprint_id.as_deref().unwrap_or("ubuntu_22_04"),
                        "fromDiskInfo": disk_info,
                    }),
                );
            }
            Kind::Disk => {
                m.insert(
                    "diskSnapshotInfo".into(),
                    json!({ "sizeInGb": src.size_in_gb }),
                );
            }
        }
    }
    let state = r.state_at(now);
    let mut v = json!({
        "name": r.name(),
        "arn": arn(&r.region, "ExportSnapshotRecord", &r.uuid),
        "createdAt": r.created_at,
        "location": regional(&r.region),
        "resourceType": "ExportSnapshotRecord",
        "state": state,
        "sourceInfo": info,
    });
    let destination = match state {
        "Succeeded" => true,
        "Started" => sw.destination_info == DestinationInfo::WhileStarted,
        _ => false,
    };
    if let (true, Value::Object(m)) = (destination, &mut v) {
        let service = match src.kind {
            Kind::Instance => "Aws::EC2::Image",
            Kind::Disk => "Aws::EC2::Snapshot",
        };
        m.insert(
            "destinationInfo".into(),
            json!({ "id": r.destination_id, "service": service }),
        );
    }
    v
}

pub fn operation(o: &OperationRecord, now: f64) -> Value {
    let status = o.status_at(now);
    let mut v = json!({
        "id": o.id,
        "resourceName": o.resource_name,
        "resourceType": o.resource_type,
        "createdAt": o.created_at,
        "location": regional(&o.region),
        "isTerminal": status != "Started",
        "operationDetails": o.details,
        "operationType": o.operation_type,
        "status": status,
        "statusChangedAt": if status == "Started" { o.created_at } else { o.done_at },
    });
    if let (true, Value::Object(m)) = (status == "Failed", &mut v) {
        m.insert("errorCode".into(), json!("InternalError"));
        m.insert(
            "errorDetails".into(),
            json!(format!(
                "{} of {} failed",
                o.operation_type, o.resource_name
            )),
        );
    }
    v
}
