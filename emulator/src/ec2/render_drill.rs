//! The XML of subnets, security groups, instances, their status and volumes, each member named
//! by botocore's `locationName`.

use super::render::tag_set;
use super::xml::Xml;
use crate::scenario::Durations;
use crate::timefmt::format_iso_millis;
use crate::world::machines::{Ec2Instance, InstancePhase, Volume};
use crate::world::model::ACCOUNT;
use crate::world::net::{Peer, Rule, SecurityGroup, Subnet};

pub fn subnet(x: &mut Xml, s: &Subnet, region: &str) {
    x.open("item")
        .leaf("subnetId", &s.id)
        .leaf(
            "subnetArn",
            format!("arn:aws:ec2:{region}:{ACCOUNT}:subnet/{}", s.id),
        )
        .leaf("state", "available")
        .leaf("vpcId", &s.vpc_id)
        .leaf("ownerId", ACCOUNT)
        .leaf("cidrBlock", &s.cidr)
        .leaf("availableIpAddressCount", 4091)
        .leaf("availabilityZone", &s.zone)
        .leaf("defaultForAz", s.default_for_az)
        .leaf("mapPublicIpOnLaunch", s.map_public_ip)
        .leaf("assignIpv6AddressOnCreation", false);
    tag_set(x, &s.tags);
    x.close("item");
}

/// The rules of one direction as EC2 renders them: one IpPermission per protocol and ports.
pub fn permissions(x: &mut Xml, tag: &str, rules: &[Rule]) {
    x.open(tag);
    let mut keys: Vec<(&str, Option<i64>, Option<i64>)> = Vec::new();
    for r in rules {
        let key = (r.protocol.as_str(), r.from_port, r.to_port);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for (protocol, from, to) in keys {
        let same: Vec<&Rule> = rules
            .iter()
            .filter(|r| (r.protocol.as_str(), r.from_port, r.to_port) == (protocol, from, to))
            .collect();
        permission(x, protocol, from, to, &same);
    }
    x.close(tag);
}

fn permission(x: &mut Xml, protocol: &str, from: Option<i64>, to: Option<i64>, rules: &[&Rule]) {
    x.open("item").leaf("ipProtocol", protocol);
    if let (Some(f), Some(t)) = (from, to) {
        x.leaf("fromPort", f).leaf("toPort", t);
    }
    x.open("groups");
    for r in rules {
        if let Peer::Group(g) = &r.peer {
            x.open("item")
                .leaf("userId", ACCOUNT)
                .leaf("groupId", g)
                .close("item");
        }
    }
    x.close("groups").open("ipRanges");
    for r in rules {
        if let Peer::Ipv4(c) = &r.peer {
            x.open("item").leaf("cidrIp", c).close("item");
        }
    }
    x.close("ipRanges").open("ipv6Ranges");
    for r in rules {
        if let Peer::Ipv6(c) = &r.peer {
            x.open("item").leaf("cidrIpv6", c).close("item");
        }
    }
    x.close("ipv6Ranges")
        .open("prefixListIds")
        .close("prefixListIds")
        .close("item");
}

pub fn security_group(x: &mut Xml, g: &SecurityGroup) {
    x.open("item")
        .leaf("ownerId", ACCOUNT)
        .leaf("groupId", &g.id)
        .leaf("groupName", &g.name)
        .leaf("groupDescription", &g.description);
    permissions(x, "ipPermissions", &g.ingress);
    permissions(x, "ipPermissionsEgress", &g.egress);
    x.leaf("vpcId", &g.vpc_id).leaf("securityGroupArn", g.arn());
    tag_set(x, &g.tags);
    x.close("item");
}

/// A revoked rule, as RevokeSecurityGroup* list them.
pub fn revoked(x: &mut Xml, group: &str, egress: bool, r: &Rule) {
    x.open("item")
        .leaf("securityGroupRuleId", &r.id)
        .leaf("groupId", group)
        .leaf("isEgress", egress)
        .leaf("ipProtocol", &r.protocol);
    x.leaf("fromPort", r.from_port.unwrap_or(-1))
        .leaf("toPort", r.to_port.unwrap_or(-1));
    match &r.peer {
        Peer::Ipv4(c) => x.leaf("cidrIpv4", c),
        Peer::Ipv6(c) => x.leaf("cidrIpv6", c),
        Peer::Group(g) => x.leaf("referencedGroupId", g),
    };
    x.close("item");
}

pub fn state(x: &mut Xml, tag: &str, phase: InstancePhase) {
    x.open(tag)
        .leaf("code", phase.code())
        .leaf("name", phase.name())
        .close(tag);
}

/// One instance of a reservation (RunInstances, DescribeInstances).
pub fn instance(x: &mut Xml, i: &Ec2Instance, volumes: &[&Volume], now: f64, d: &Durations) {
    let phase = i.phase(now, d);
    let gone = matches!(phase, InstancePhase::Terminated | InstancePhase::Gone);
    x.open("item")
        .leaf("instanceId", &i.id)
        .leaf("imageId", &i.image_id);
    state(x, "instanceState", phase);
    let dns = if gone {
        String::new()
    } else {
        format!("ip-{}.ec2.internal", i.private_ip.replace('.', "-"))
    };
    x.leaf("privateDnsName", &dns)
        .leaf("dnsName", "")
        .leaf("reason", reason(i, phase))
        .leaf("amiLaunchIndex", 0)
        .leaf("instanceType", &i.instance_type)
        .leaf("launchTime", format_iso_millis(i.launched_at))
        .open("placement")
        .leaf("availabilityZone", &i.zone)
        .leaf("groupName", "")
        .leaf("tenancy", "default")
        .close("placement");
    if i.windows {
        x.leaf("platform", "windows");
    }
    x.open("monitoring")
        .leaf("state", "disabled")
        .close("monitoring");
    if !gone {
        x.leaf("subnetId", &i.subnet_id)
            .leaf("vpcId", &i.vpc_id)
            .leaf("privateIpAddress", &i.private_ip);
        if let Some(ip) = &i.public_ip {
            x.leaf("ipAddress", ip);
        }
    }
    instance_tail(x, i, volumes, gone, now, d);
}

fn reason(i: &Ec2Instance, phase: InstancePhase) -> String {
    match (phase, i.terminated_at) {
        (InstancePhase::Pending | InstancePhase::Running, _) | (_, None) => String::new(),
        (_, Some(t)) => format!("User initiated ({})", format_gmt(t)),
    }
}

/// `2026-11-22 06:40:00 GMT`, as EC2 writes the time in a state transition reason.
fn format_gmt(t: f64) -> String {
    let iso = format_iso_millis(t);
    format!(
        "{} {} GMT",
        iso.get(..10).unwrap_or_default(),
        iso.get(11..19).unwrap_or_default()
    )
}

fn instance_tail(
    x: &mut Xml,
    i: &Ec2Instance,
    volumes: &[&Volume],
    gone: bool,
    now: f64,
    d: &Durations,
) {
    x.leaf("sourceDestCheck", true).open("groupSet");
    for g in &i.group_ids {
        x.open("item").leaf("groupId", g).close("item");
    }
    x.close("groupSet");
    if gone {
        x.open("stateReason")
            .leaf("code", "Client.UserInitiatedShutdown")
            .leaf(
                "message",
                "Client.UserInitiatedShutdown: User initiated shutdown",
            )
            .close("stateReason");
    }
    x.leaf("architecture", "x86_64")
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", &i.root_device)
        .open("blockDeviceMapping");
    for v in volumes {
        if let Some(a) = v.attached_to(now, d) {
            x.open("item")
                .leaf("deviceName", &a.device)
                .open("ebs")
                .leaf("volumeId", &v.id)
                .leaf("status", "attached")
                .leaf("attachTime", format_iso_millis(a.attach_time))
                .leaf("deleteOnTermination", a.delete_on_termination)
                .close("ebs")
                .close("item");
        }
    }
    x.close("blockDeviceMapping")
        .leaf("virtualizationType", "hvm");
    if let Some(t) = &i.client_token {
        x.leaf("clientToken", t);
    }
    tag_set(x, &i.tags);
    x.leaf("hypervisor", "xen")
        .leaf("ebsOptimized", false)
        .leaf("enaSupport", true);
    let (details, usage) = if i.windows {
        ("Windows", "RunInstances:0002")
    } else {
        ("Linux/UNIX", "RunInstances")
    };
    x.leaf("platformDetails", details)
        .leaf("usageOperation", usage)
        .close("item");
}

/// An instance's two status checks: `(summary status, reachability detail status)`.
pub fn checks(x: &mut Xml, tag: &str, summary: &str, detail: Option<(&str, Option<f64>)>) {
    x.open(tag).leaf("status", summary).open("details");
    if let Some((status, since)) = detail {
        x.open("item")
            .leaf("name", "reachability")
            .leaf("status", status);
        if let Some(t) = since {
            x.leaf("impairedSince", format_iso_millis(t));
        }
        x.close("item");
    }
    x.close("details").close(tag);
}

pub fn volume(x: &mut Xml, v: &Volume, now: f64, d: &Durations) {
    x.open("item");
    volume_members(x, v, now, d);
    x.close("item");
}

/// A volume's members (CreateVolume answers them bare, DescribeVolumes as items).
pub fn volume_members(x: &mut Xml, v: &Volume, now: f64, d: &Durations) {
    x.leaf("volumeId", &v.id)
        .leaf("size", v.size_gib)
        .leaf("snapshotId", v.snapshot_id.as_deref().unwrap_or_default())
        .leaf("availabilityZone", &v.zone)
        .leaf("status", v.phase(now, d).name())
        .leaf("createTime", format_iso_millis(v.created_at))
        .open("attachmentSet");
    if let Some(a) = v.attached_to(now, d) {
        x.open("item")
            .leaf("volumeId", &v.id)
            .leaf("instanceId", &a.instance_id)
            .leaf("device", &a.device)
            .leaf("status", "attached")
            .leaf("attachTime", format_iso_millis(a.attach_time))
            .leaf("deleteOnTermination", a.delete_on_termination)
            .close("item");
    }
    x.close("attachmentSet");
    tag_set(x, &v.tags);
    x.leaf("volumeType", &v.volume_type);
    if let Some(iops) = v.iops {
        x.leaf("iops", iops);
    }
    if let Some(t) = v.throughput {
        x.leaf("throughput", t);
    }
    x.leaf("encrypted", false).leaf("multiAttachEnabled", false);
}
