//! EC2's network, as much as a restore drill needs: each region's default VPC with a default
//! subnet per zone (`REGIONa`, `b`, `c`) and its `default` security group, and the security
//! groups clients create. Ids of the default network are derived from the region's name, not
//! drawn from the world's generator, so making them never shifts any other seeded id.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::Tags;
use super::World;

/// The default VPC's block, and its subnets' third octets (/20 each), as AWS lays them out.
pub const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";
const ZONES: [(char, u8); 3] = [('a', 0), ('b', 16), ('c', 32)];

#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    pub id: String,
    pub cidr: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    pub cidr: String,
    /// The third octet its /20 starts at.
    pub base: u8,
    pub default_for_az: bool,
    pub map_public_ip: bool,
    pub tags: Tags,
}

/// What one rule allows traffic from (ingress) or to (egress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Ipv4(String),
    Ipv6(String),
    Group(String),
}

/// One rule with one peer, as EC2 keeps them (`sgr-…`); EC2 renders rules of the same
/// protocol and ports together as one IpPermission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    /// `-1` (every protocol), `tcp`, `udp`, `icmp` or a number.
    pub protocol: String,
    /// `None` for `-1`.
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub peer: Peer,
}

impl Rule {
    /// The same rule, whatever its id.
    pub fn same(&self, other: &Rule) -> bool {
        (&self.protocol, self.from_port, self.to_port, &self.peer)
            == (&other.protocol, other.from_port, other.to_port, &other.peer)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    pub id: String,
    pub region: String,
    pub name: String,
    pub description: String,
    pub vpc_id: String,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub tags: Tags,
}

impl SecurityGroup {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:123456789012:security-group/{}",
            self.region, self.id
        )
    }
}

/// A rule as tests and the admin API see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2RuleInfo {
    pub rule_id: String,
    pub protocol: String,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub cidr_ipv4: Option<String>,
    pub cidr_ipv6: Option<String>,
    pub group_id: Option<String>,
}

/// A security group as tests and the admin API see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2SecurityGroupInfo {
    pub group_id: String,
    pub region: String,
    pub name: String,
    pub vpc_id: String,
    pub ingress: Vec<Ec2RuleInfo>,
    pub egress: Vec<Ec2RuleInfo>,
    pub tags: BTreeMap<String, String>,
}

impl Rule {
    pub fn info(&self) -> Ec2RuleInfo {
        let (v4, v6, group) = match &self.peer {
            Peer::Ipv4(c) => (Some(c.clone()), None, None),
            Peer::Ipv6(c) => (None, Some(c.clone()), None),
            Peer::Group(g) => (None, None, Some(g.clone())),
        };
        Ec2RuleInfo {
            rule_id: self.id.clone(),
            protocol: self.protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            cidr_ipv4: v4,
            cidr_ipv6: v6,
            group_id: group,
        }
    }
}

impl SecurityGroup {
    pub fn info(&self) -> Ec2SecurityGroupInfo {
        Ec2SecurityGroupInfo {
            group_id: self.id.clone(),
            region: self.region.clone(),
            name: self.name.clone(),
            vpc_id: self.vpc_id.clone(),
            ingress: self.ingress.iter().map(Rule::info).collect(),
            egress: self.egress.iter().map(Rule::info).collect(),
            tags: self.tags.iter().cloned().collect(),
        }
    }
}

/// 17 lower-case hex digits derived from `seed` (FNV-1a), for the default network's ids.
pub fn stable_hex(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("0{h:016x}")
}

/// The rule every new security group gets: all traffic out to anywhere (VPC user guide).
pub fn allow_all_egress(id: String) -> Rule {
    Rule {
        id,
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: Peer::Ipv4("0.0.0.0/0".into()),
    }
}

impl World {
    /// Creates `region`'s default VPC, subnets and `default` group once (unless the scenario's
    /// `ec2Vpc.defaultVpc` is false).
    pub fn ensure_network(&mut self, region: &str) {
        if !self.default_vpc || self.region(region).is_some_and(|rs| !rs.vpcs.is_empty()) {
            return;
        }
        let vpc_id = format!("vpc-{}", stable_hex(&format!("vpc:{region}")));
        let group_id = format!("sg-{}", stable_hex(&format!("sg:{region}")));
        let rs = self.region_mut(region);
        for (zone, base) in ZONES {
            let zone = format!("{region}{zone}");
            let subnet = Subnet {
                id: format!("subnet-{}", stable_hex(&format!("subnet:{zone}"))),
                vpc_id: vpc_id.clone(),
                cidr: format!("172.31.{base}.0/20"),
                zone,
                base,
                default_for_az: true,
                map_public_ip: true,
                tags: Vec::new(),
            };
            rs.subnets.insert(subnet.id.clone(), subnet);
        }
        let rule = |n: &str| format!("sgr-{}", stable_hex(&format!("{n}:{region}")));
        let group = SecurityGroup {
            id: group_id.clone(),
            region: region.to_string(),
            name: "default".into(),
            description: "default VPC security group".into(),
            vpc_id: vpc_id.clone(),
            ingress: vec![Rule {
                id: rule("ingress"),
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                peer: Peer::Group(group_id.clone()),
            }],
            egress: vec![allow_all_egress(rule("egress"))],
            tags: Vec::new(),
        };
        rs.security_groups.insert(group_id, group);
        let vpc = Vpc {
            id: vpc_id.clone(),
            cidr: DEFAULT_VPC_CIDR.into(),
            is_default: true,
        };
        rs.vpcs.insert(vpc_id, vpc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_have_17_hex_digits_and_differ_by_seed() {
        let a = stable_hex("vpc:us-east-1");
        assert_eq!(a.len(), 17);
        assert_eq!(a, stable_hex("vpc:us-east-1"));
        assert_ne!(a, stable_hex("vpc:eu-west-1"));
    }
}
