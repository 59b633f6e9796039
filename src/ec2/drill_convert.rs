//! The restore drill's SDK types to domain values, and a rule back to the SDK's form (to revoke
//! it as it was described).

use aws_sdk_ec2::types as sdk;

use crate::model::drill::{
    DrillImage, DrillInstance, DrillVolume, Rule, SecurityGroup, StatusChecks, Subnet,
};
use crate::model::{Tags, Timestamp};

fn tags(tags: &[sdk::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().map(str::to_string))))
        .collect()
}

fn time(at: Option<&aws_smithy_types::DateTime>) -> Option<Timestamp> {
    at.map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64()))
}

pub fn subnet(s: &sdk::Subnet) -> Subnet {
    Subnet {
        id: s.subnet_id().unwrap_or_default().to_string(),
        vpc_id: s.vpc_id().unwrap_or_default().to_string(),
        availability_zone: s.availability_zone().unwrap_or_default().to_string(),
    }
}

fn rule(p: &sdk::IpPermission) -> Rule {
    Rule {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: (p.ip_ranges().iter())
            .filter_map(|r| r.cidr_ip().map(str::to_string))
            .collect(),
        ipv6_ranges: (p.ipv6_ranges().iter())
            .filter_map(|r| r.cidr_ipv6().map(str::to_string))
            .collect(),
        group_ids: (p.user_id_group_pairs().iter())
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        prefix_list_ids: (p.prefix_list_ids().iter())
            .filter_map(|l| l.prefix_list_id().map(str::to_string))
            .collect(),
    }
}

/// A rule as RevokeSecurityGroup{Ingress,Egress} takes it.
pub fn permission(r: &Rule) -> sdk::IpPermission {
    let v4 = (r.ipv4_ranges.iter()).map(|c| sdk::IpRange::builder().cidr_ip(c).build());
    let v6 = (r.ipv6_ranges.iter()).map(|c| sdk::Ipv6Range::builder().cidr_ipv6(c).build());
    let groups = (r.group_ids.iter()).map(|g| sdk::UserIdGroupPair::builder().group_id(g).build());
    let lists =
        (r.prefix_list_ids.iter()).map(|l| sdk::PrefixListId::builder().prefix_list_id(l).build());
    sdk::IpPermission::builder()
        .ip_protocol(&r.protocol)
        .set_from_port(r.from_port)
        .set_to_port(r.to_port)
        .set_ip_ranges(Some(v4.collect()))
        .set_ipv6_ranges(Some(v6.collect()))
        .set_user_id_group_pairs(Some(groups.collect()))
        .set_prefix_list_ids(Some(lists.collect()))
        .build()
}

pub fn group(g: &sdk::SecurityGroup) -> SecurityGroup {
    SecurityGroup {
        id: g.group_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
        ingress: g.ip_permissions().iter().map(rule).collect(),
        egress: g.ip_permissions_egress().iter().map(rule).collect(),
        tags: tags(g.tags()),
    }
}

pub fn image(i: &sdk::Image) -> DrillImage {
    DrillImage {
        id: i.image_id().unwrap_or_default().to_string(),
        devices: (i.block_device_mappings().iter())
            .filter(|m| m.ebs().is_some())
            .filter_map(|m| m.device_name().map(str::to_string))
            .collect(),
        ena_support: i.ena_support(),
    }
}

pub fn instance(i: &sdk::Instance) -> DrillInstance {
    DrillInstance {
        id: i.instance_id().unwrap_or_default().to_string(),
        image_id: i.image_id().unwrap_or_default().to_string(),
        state: (i.state().and_then(|s| s.name()))
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        instance_type: (i.instance_type())
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        launch_time: time(i.launch_time()),
        public_ip: i.public_ip_address().map(str::to_string),
        tags: tags(i.tags()),
        checks: None,
    }
}

pub fn checks(s: &sdk::InstanceStatus) -> StatusChecks {
    let of = |summary: Option<&sdk::InstanceStatusSummary>| {
        (summary.and_then(|s| s.status()))
            .map(|st| st.as_str().to_string())
            .unwrap_or_else(|| "insufficient-data".to_string())
    };
    StatusChecks {
        system: of(s.system_status()),
        instance: of(s.instance_status()),
    }
}

pub fn volume(v: &sdk::Volume) -> DrillVolume {
    DrillVolume {
        id: v.volume_id().unwrap_or_default().to_string(),
        snapshot_id: v.snapshot_id().map(str::to_string),
        state: (v.state())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        size_gib: v.size().map(i64::from).unwrap_or(0),
        created_at: time(v.create_time()),
        tags: tags(v.tags()),
    }
}
