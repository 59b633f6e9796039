//! DescribeSubnets, DescribeSecurityGroups, CreateSecurityGroup and
//! RevokeSecurityGroupEgress / RevokeSecurityGroupIngress.

use super::filter::{all_match, check, tag_values};
use super::input::{
    allow, allow_tagged, check_ids, check_kinds, dry_run, not_found, required, tag_specs, tags_for,
};
use super::render_drill::{revoked, security_group, subnet};
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::ops::Ctx;
use crate::world::ec2::is_managed;
use crate::world::net::{allow_all_egress, Peer, Rule, SecurityGroup};
use crate::world::RegionState;

const SUBNET_FILTERS: &[&str] = &[
    "subnet-id",
    "vpc-id",
    "availability-zone",
    "default-for-az",
    "state",
    "cidr-block",
];
const GROUP_FILTERS: &[&str] = &[
    "group-name",
    "group-id",
    "vpc-id",
    "description",
    "owner-id",
];

fn empty<'a>() -> &'a RegionState {
    static EMPTY: std::sync::OnceLock<RegionState> = std::sync::OnceLock::new();
    EMPTY.get_or_init(RegionState::default)
}

pub fn describe_subnets(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("SubnetId");
    check_ids(&ids, "subnet", "InvalidSubnetID.Malformed")?;
    let filters = params.filters()?;
    check(&filters, SUBNET_FILTERS)?;
    let rs = ctx.world.region(ctx.region).unwrap_or_else(empty);
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !rs.subnets.contains_key(*id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(not_found("InvalidSubnetID.NotFound", "subnet ID", &missing));
    }
    let mut x = Xml::new();
    x.open("subnetSet");
    for s in rs.subnets.values() {
        let values = |name: &str| match name {
            "subnet-id" => Some(vec![s.id.clone()]),
            "vpc-id" => Some(vec![s.vpc_id.clone()]),
            "availability-zone" => Some(vec![s.zone.clone()]),
            "default-for-az" => Some(vec![s.default_for_az.to_string()]),
            "state" => Some(vec!["available".into()]),
            "cidr-block" => Some(vec![s.cidr.clone()]),
            other => tag_values(&s.tags, other),
        };
        if (ids.is_empty() || ids.contains(&s.id)) && all_match(&filters, values) {
            subnet(&mut x, s, ctx.region);
        }
    }
    x.close("subnetSet");
    Ok(x.finish())
}

/// The group a request names by `GroupId` (or, in the default VPC, `GroupName`).
fn find_group<'a>(rs: &'a RegionState, params: &Params) -> Result<&'a SecurityGroup, Ec2Error> {
    if let Some(id) = params.get("GroupId").filter(|v| !v.is_empty()) {
        check_ids(&[id.to_string()], "sg", "InvalidGroupId.Malformed")?;
        return rs
            .security_groups
            .get(id)
            .ok_or_else(|| not_found("InvalidGroup.NotFound", "security group", &[id.into()]));
    }
    let name = required(params, "GroupId")?;
    rs.security_groups
        .values()
        .find(|g| g.name == name)
        .ok_or_else(|| not_found("InvalidGroup.NotFound", "security group", &[name.into()]))
}

pub fn describe_security_groups(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("GroupId");
    check_ids(&ids, "sg", "InvalidGroupId.Malformed")?;
    let names = params.list("GroupName");
    let filters = params.filters()?;
    check(&filters, GROUP_FILTERS)?;
    let rs = ctx.world.region(ctx.region).unwrap_or_else(empty);
    let groups = &rs.security_groups;
    let mut missing: Vec<String> = ids
        .iter()
        .filter(|id| !groups.contains_key(*id))
        .cloned()
        .collect();
    missing.extend(
        names
            .iter()
            .filter(|n| !groups.values().any(|g| &g.name == *n))
            .cloned(),
    );
    if !missing.is_empty() {
        return Err(not_found(
            "InvalidGroup.NotFound",
            "security group",
            &missing,
        ));
    }
    let mut x = Xml::new();
    x.open("securityGroupInfo");
    for g in groups.values() {
        let values = |name: &str| match name {
            "group-name" => Some(vec![g.name.clone()]),
            "group-id" => Some(vec![g.id.clone()]),
            "vpc-id" => Some(vec![g.vpc_id.clone()]),
            "description" => Some(vec![g.description.clone()]),
            "owner-id" => Some(vec![crate::world::model::ACCOUNT.into()]),
            other => tag_values(&g.tags, other),
        };
        let named =
            (ids.is_empty() && names.is_empty()) || ids.contains(&g.id) || names.contains(&g.name);
        if named && all_match(&filters, values) {
            security_group(&mut x, g);
        }
    }
    x.close("securityGroupInfo");
    Ok(x.finish())
}

/// The VPC a new group goes into: the one named, else the default VPC.
fn vpc_of(rs: &RegionState, params: &Params) -> Result<String, Ec2Error> {
    match params.get("VpcId").filter(|v| !v.is_empty()) {
        Some(id) if rs.vpcs.contains_key(id) => Ok(id.to_string()),
        Some(id) => Err(not_found("InvalidVpcID.NotFound", "vpc ID", &[id.into()])),
        None => rs
            .vpcs
            .values()
            .find(|v| v.is_default)
            .map(|v| v.id.clone())
            .ok_or_else(|| Ec2Error::client("VPCIdNotSpecified", "No default VPC for this user")),
    }
}

pub fn create_security_group(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let name = required(params, "GroupName")?.to_string();
    let description = required(params, "GroupDescription")?.to_string();
    if name == "default" || name.starts_with("sg-") || name.chars().count() > 255 {
        return Err(Ec2Error::invalid_value(format!(
            "Invalid security group name '{name}'"
        )));
    }
    let specs = tag_specs(params)?;
    check_kinds(&specs, &["security-group"])?;
    let tags = tags_for(&specs, "security-group");
    let rs = ctx.world.region(ctx.region).unwrap_or_else(empty);
    let vpc_id = vpc_of(rs, params)?;
    if rs
        .security_groups
        .values()
        .any(|g| g.vpc_id == vpc_id && g.name == name)
    {
        return Err(Ec2Error::client(
            "InvalidGroup.Duplicate",
            format!("The security group '{name}' already exists for VPC '{vpc_id}'"),
        ));
    }
    let arn = format!("arn:aws:ec2:{}:123456789012:security-group/*", ctx.region);
    allow(ctx, "CreateSecurityGroup", is_managed(&tags), &arn)?;
    dry_run(params)?;
    let id = format!("sg-{}", ctx.world.hex17());
    let egress = vec![allow_all_egress(format!("sgr-{}", ctx.world.hex17()))];
    let group = SecurityGroup {
        id: id.clone(),
        region: ctx.region.to_string(),
        name,
        description,
        vpc_id,
        ingress: Vec::new(),
        egress,
        tags,
    };
    let mut x = Xml::new();
    x.leaf("groupId", &id);
    super::render::tag_set(&mut x, &group.tags);
    x.leaf("securityGroupArn", group.arn());
    let rs = ctx.world.region_mut(ctx.region);
    rs.security_groups.insert(id, group);
    Ok(x.finish())
}

/// The one-peer rules an `IpPermissions.N` list asks for.
fn asked_rules(params: &Params) -> Result<Vec<Rule>, Ec2Error> {
    let mut rules = Vec::new();
    for members in params.structs("IpPermissions") {
        let p = Params::of(members);
        let protocol = match required(&p, "IpProtocol")?.to_ascii_lowercase().as_str() {
            "6" => "tcp".to_string(),
            "17" => "udp".to_string(),
            "1" => "icmp".to_string(),
            "all" => "-1".to_string(),
            other => other.to_string(),
        };
        let ports = if protocol == "-1" {
            (None, None)
        } else {
            (p.int("FromPort")?, p.int("ToPort")?)
        };
        let mut peers = Vec::new();
        let sub = |list: &str, key: &str| -> Vec<String> {
            p.structs(list)
                .into_iter()
                .filter_map(|m| m.get(key).cloned())
                .collect()
        };
        peers.extend(sub("IpRanges", "CidrIp").into_iter().map(Peer::Ipv4));
        peers.extend(sub("Ipv6Ranges", "CidrIpv6").into_iter().map(Peer::Ipv6));
        peers.extend(sub("Groups", "GroupId").into_iter().map(Peer::Group));
        for peer in peers {
            rules.push(Rule {
                id: String::new(),
                protocol: protocol.clone(),
                from_port: ports.0,
                to_port: ports.1,
                peer,
            });
        }
    }
    Ok(rules)
}

pub fn revoke_egress(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    revoke(ctx, params, true)
}

pub fn revoke_ingress(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    revoke(ctx, params, false)
}

fn revoke(ctx: &mut Ctx<'_>, params: &Params, egress: bool) -> Result<String, Ec2Error> {
    let operation = if egress {
        "RevokeSecurityGroupEgress"
    } else {
        "RevokeSecurityGroupIngress"
    };
    let rs = ctx.world.region(ctx.region).unwrap_or_else(empty);
    let group = find_group(rs, params)?.clone();
    let default_vpc = rs.vpcs.get(&group.vpc_id).is_some_and(|v| v.is_default);
    let rules = if egress {
        &group.egress
    } else {
        &group.ingress
    };
    let by_id = params.list("SecurityGroupRuleId");
    if let Some(bad) = by_id.iter().find(|id| !rules.iter().any(|r| &r.id == *id)) {
        return Err(Ec2Error::client(
            "InvalidSecurityGroupRuleId.NotFound",
            format!("The security group rule ID '{bad}' does not exist"),
        ));
    }
    let asked = asked_rules(params)?;
    let (known, unknown): (Vec<Rule>, Vec<Rule>) = asked
        .into_iter()
        .partition(|a| rules.iter().any(|r| r.same(a)));
    // API reference, RevokeSecurityGroupIngress: in a default VPC an unknown rule is no error
    // (the output lists it); in any other VPC it is InvalidPermission.NotFound.
    if !unknown.is_empty() && !default_vpc {
        return Err(Ec2Error::client(
            "InvalidPermission.NotFound",
            "The specified rule does not exist in this security group.",
        ));
    }
    allow_tagged(ctx, operation, &group.tags, &group.arn())?;
    dry_run(params)?;
    let gone: Vec<Rule> = rules
        .iter()
        .filter(|r| by_id.contains(&r.id) || known.iter().any(|k| r.same(k)))
        .cloned()
        .collect();
    if let Some(g) = ctx
        .world
        .region_mut(ctx.region)
        .security_groups
        .get_mut(&group.id)
    {
        let list = if egress {
            &mut g.egress
        } else {
            &mut g.ingress
        };
        list.retain(|r| !gone.iter().any(|x| x.id == r.id));
    }
    let mut x = Xml::new();
    x.leaf("return", true);
    if !unknown.is_empty() {
        super::render_drill::permissions(&mut x, "unknownIpPermissionSet", &unknown);
    }
    x.open("revokedSecurityGroupRuleSet");
    for r in &gone {
        revoked(&mut x, &group.id, egress, r);
    }
    x.close("revokedSecurityGroupRuleSet");
    Ok(x.finish())
}
