//! The XML of an AMI and of an EBS snapshot, in the member order of the EC2 API reference's
//! examples, each member named by botocore's `locationName`.

use super::xml::Xml;
use crate::timefmt::format_iso_millis;
use crate::world::ec2::{EbsSnapshot, Image};
use crate::world::model::{Tags, ACCOUNT};

/// The VolumeId EC2 shows for snapshots that were copied or imported, not taken of a volume.
pub const NO_VOLUME: &str = "vol-ffffffff";

pub fn tag_set(x: &mut Xml, tags: &Tags) {
    x.open("tagSet");
    for (k, v) in tags {
        x.open("item").leaf("key", k).leaf("value", v).close("item");
    }
    x.close("tagSet");
}

pub fn image(x: &mut Xml, img: &Image, now: f64) {
    let state = img.state_at(now);
    x.open("item")
        .leaf("imageId", &img.id)
        .leaf("imageLocation", format!("{ACCOUNT}/{}", img.name))
        .leaf("imageState", state)
        .leaf("imageOwnerId", ACCOUNT)
        .leaf("creationDate", format_iso_millis(img.timing.created_at))
        .leaf("isPublic", false)
        .leaf("architecture", "x86_64")
        .leaf("imageType", "machine");
    if img.windows {
        x.leaf("platform", "windows");
    }
    x.leaf("name", &img.name);
    if !img.description.is_empty() {
        x.leaf("description", &img.description);
    }
    x.leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", img.root_device())
        .open("blockDeviceMapping");
    for d in &img.devices {
        x.open("item")
            .leaf("deviceName", &d.name)
            .open("ebs")
            .leaf("snapshotId", &d.snapshot_id)
            .leaf("volumeSize", d.size_gib)
            .leaf("deleteOnTermination", d.delete_on_termination)
            .leaf("volumeType", "gp2")
            .leaf("encrypted", false)
            .close("ebs")
            .close("item");
    }
    x.close("blockDeviceMapping")
        .leaf("virtualizationType", "hvm");
    tag_set(x, &img.tags);
    x.leaf("hypervisor", "xen");
    if state == "failed" {
        // A guess at the reason's text; EC2 documents only that failed AMIs carry one.
        x.open("stateReason")
            .leaf("code", "Server.InternalError")
            .leaf("message", "The Lightsail export could not create the image")
            .close("stateReason");
    }
    let (details, usage) = if img.windows {
        ("Windows", "RunInstances:0002")
    } else {
        ("Linux/UNIX", "RunInstances")
    };
    x.leaf("platformDetails", details)
        .leaf("usageOperation", usage)
        .close("item");
}

pub fn snapshot(x: &mut Xml, s: &EbsSnapshot, now: f64) {
    let state = s.state_at(now);
    x.open("item")
        .leaf("snapshotId", &s.id)
        .leaf("volumeId", NO_VOLUME)
        .leaf("status", state);
    if state == "error" {
        x.leaf(
            "statusMessage",
            "The Lightsail export could not create the snapshot",
        );
    }
    x.leaf("startTime", format_iso_millis(s.timing.created_at))
        .leaf("progress", s.timing.progress(now))
        .leaf("ownerId", ACCOUNT)
        .leaf("volumeSize", s.size_gib)
        .leaf("description", &s.description)
        .leaf("encrypted", false);
    tag_set(x, &s.tags);
    x.leaf("storageTier", s.tier_at(now).storage_tier())
        .close("item");
}
