//! The restore drill's side of the in-memory EC2: a default subnet, security groups, AMIs'
//! launch details, and the instances and volumes drills make. Nothing moves by itself: a test
//! sets an instance's state and checks, or a volume's state, as the world would.

use std::collections::BTreeMap;

use super::FakeEc2;
use crate::error::ApiError;
use crate::model::drill::{
    DrillImage, DrillInstance, DrillVolume, DrillWorld, Launch, SecurityGroup, Subnet, VolumeLaunch,
};

#[derive(Debug)]
pub struct DrillSide {
    pub subnet: Option<Subnet>,
    pub groups: Vec<SecurityGroup>,
    pub images: BTreeMap<String, DrillImage>,
    pub world: DrillWorld,
    /// ClientToken -> the id it made.
    pub tokens: BTreeMap<String, String>,
    pub launches: Vec<Launch>,
    pub volume_launches: Vec<VolumeLaunch>,
    next_id: u32,
}

impl Default for DrillSide {
    fn default() -> Self {
        DrillSide {
            subnet: Some(Subnet {
                id: "subnet-0default".into(),
                vpc_id: "vpc-0default".into(),
                availability_zone: "us-east-1a".into(),
            }),
            groups: Vec::new(),
            images: BTreeMap::new(),
            world: DrillWorld::default(),
            tokens: BTreeMap::new(),
            launches: Vec::new(),
            volume_launches: Vec::new(),
            next_id: 0,
        }
    }
}

impl DrillSide {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:017x}", self.next_id)
    }

    pub fn instance_mut(&mut self, id: &str) -> Option<&mut DrillInstance> {
        self.world.instances.iter_mut().find(|i| i.id == id)
    }

    pub fn volume_mut(&mut self, id: &str) -> Option<&mut DrillVolume> {
        self.world.volumes.iter_mut().find(|v| v.id == id)
    }
}

fn tags(pairs: &[(String, String)]) -> crate::model::Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

impl FakeEc2 {
    pub(super) fn subnet(&self, subnet_id: Option<&str>) -> Result<Option<Subnet>, ApiError> {
        let world = self.call("DescribeSubnets", subnet_id.unwrap_or("default"))?;
        let subnet = world.drill.subnet.clone();
        Ok(subnet.filter(|s| subnet_id.is_none_or(|id| s.id == id)))
    }

    pub(super) fn group(&self, vpc: &str, name: &str) -> Result<Option<SecurityGroup>, ApiError> {
        let world = self.call("DescribeSecurityGroups", name)?;
        let groups = &world.drill.groups;
        Ok((groups.iter())
            .find(|g| g.vpc_id == vpc && g.name == name)
            .cloned())
    }

    pub(super) fn new_group(
        &self,
        vpc: &str,
        name: &str,
        pairs: &[(String, String)],
    ) -> Result<String, ApiError> {
        let mut world = self.call("CreateSecurityGroup", name)?;
        let id = world.drill.id("sg");
        // A new group allows every outbound connection, as EC2's do.
        let everywhere = crate::model::drill::Rule {
            protocol: "-1".into(),
            ipv4_ranges: vec!["0.0.0.0/0".into()],
            ..Default::default()
        };
        world.drill.groups.push(SecurityGroup {
            id: id.clone(),
            name: name.into(),
            vpc_id: vpc.into(),
            ingress: Vec::new(),
            egress: vec![everywhere],
            tags: tags(pairs),
        });
        Ok(id)
    }

    pub(super) fn revoke(&self, group: &SecurityGroup) -> Result<(), ApiError> {
        let mut world = self.call("RevokeSecurityGroupEgress", &group.id)?;
        let found = world.drill.groups.iter_mut().find(|g| g.id == group.id);
        let found = found.ok_or_else(|| ApiError::NotFound(format!("{} not found", group.id)))?;
        found.ingress.retain(|r| !group.ingress.contains(r));
        found.egress.retain(|r| !group.egress.contains(r));
        Ok(())
    }

    pub(super) fn image(&self, id: &str) -> Result<Option<DrillImage>, ApiError> {
        let world = self.call("DescribeImages", id)?;
        Ok(world.drill.images.get(id).cloned())
    }

    pub(super) fn run(&self, launch: &Launch) -> Result<String, ApiError> {
        let mut world = self.call("RunInstances", &launch.image_id)?;
        let side = &mut world.drill;
        if let Some(id) = side.tokens.get(&launch.client_token) {
            return Ok(id.clone());
        }
        let id = side.id("i");
        side.tokens.insert(launch.client_token.clone(), id.clone());
        side.launches.push(launch.clone());
        side.world.instances.push(DrillInstance {
            id: id.clone(),
            image_id: launch.image_id.clone(),
            state: "pending".into(),
            instance_type: launch.instance_type.clone(),
            launch_time: None,
            public_ip: None,
            tags: tags(&launch.tags),
            checks: None,
        });
        Ok(id)
    }

    pub(super) fn drills(&self) -> Result<DrillWorld, ApiError> {
        let world = self.call("DescribeInstances", "drills")?;
        Ok(world.drill.world.clone())
    }

    pub(super) fn end(&self, ids: &[String]) -> Result<(), ApiError> {
        let mut world = self.call("TerminateInstances", &ids.join(","))?;
        for id in ids {
            if let Some(instance) = world.drill.instance_mut(id) {
                instance.state = "shutting-down".into();
            }
        }
        Ok(())
    }

    pub(super) fn volume(&self, launch: &VolumeLaunch) -> Result<String, ApiError> {
        let mut world = self.call("CreateVolume", &launch.snapshot_id)?;
        let side = &mut world.drill;
        if let Some(id) = side.tokens.get(&launch.client_token) {
            return Ok(id.clone());
        }
        let id = side.id("vol");
        side.tokens.insert(launch.client_token.clone(), id.clone());
        side.volume_launches.push(launch.clone());
        side.world.volumes.push(DrillVolume {
            id: id.clone(),
            snapshot_id: Some(launch.snapshot_id.clone()),
            state: "creating".into(),
            size_gib: 8,
            created_at: None,
            tags: tags(&launch.tags),
        });
        Ok(id)
    }

    pub(super) fn remove_volume(&self, id: &str) -> Result<(), ApiError> {
        let mut world = self.call("DeleteVolume", id)?;
        if let Some(volume) = world.drill.volume_mut(id) {
            volume.state = "deleting".into();
        }
        Ok(())
    }
}
