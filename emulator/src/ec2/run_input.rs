//! RunInstances' request: what it asks for, checked before anything in the world is looked at.

use super::input::{check_ids, check_kinds, fingerprint, required, tag_specs, tags_for};
use super::{Ec2Error, Params};
use crate::world::model::Tags;

/// What a RunInstances request asks for, checked before anything is looked up.
pub struct Launch {
    pub image_id: String,
    pub instance_type: String,
    pub shutdown: String,
    pub subnet: Option<String>,
    pub zone: Option<String>,
    pub groups: Vec<String>,
    /// `AssociatePublicIpAddress` of the network interface; `None` when none was given.
    pub public: Option<bool>,
    /// `(device name, delete on termination)` overriding the AMI's.
    pub overrides: Vec<(String, bool)>,
    pub instance_tags: Tags,
    pub volume_tags: Tags,
    pub token: Option<String>,
    pub fingerprint: String,
}

fn counts(params: &Params) -> Result<(), Ec2Error> {
    let min = params
        .int("MinCount")?
        .ok_or_else(|| Ec2Error::missing("MinCount"))?;
    let max = params
        .int("MaxCount")?
        .ok_or_else(|| Ec2Error::missing("MaxCount"))?;
    if min < 1 {
        return Err(Ec2Error::invalid_value(format!(
            "Value ({min}) for parameter minCount is invalid. Expected a positive integer."
        )));
    }
    if max < min {
        return Err(Ec2Error::invalid_value(format!(
            "Value ({max}) for parameter maxCount is invalid. Expected a value at least minCount ({min})."
        )));
    }
    if max > 1 {
        return Err(Ec2Error::invalid_value(
            "The emulator launches one instance per request: MinCount and MaxCount must be 1.",
        ));
    }
    Ok(())
}

fn network(params: &Params, launch: &mut Launch) -> Result<(), Ec2Error> {
    let interfaces = params.structs("NetworkInterface");
    launch.subnet = params.get("SubnetId").map(str::to_string);
    launch.groups = params.list("SecurityGroupId");
    if interfaces.is_empty() {
        return Ok(());
    }
    if launch.subnet.is_some() || !launch.groups.is_empty() {
        return Err(Ec2Error::client(
            "InvalidParameterCombination",
            "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request",
        ));
    }
    if interfaces.len() > 1 {
        return Err(Ec2Error::invalid_value(
            "The emulator attaches one network interface (DeviceIndex 0).",
        ));
    }
    let ni = Params::of(interfaces.into_iter().next().unwrap_or_default());
    if ni.int("DeviceIndex")?.unwrap_or(0) != 0 {
        return Err(Ec2Error::invalid_value(
            "The primary network interface must have DeviceIndex 0",
        ));
    }
    launch.subnet = ni.get("SubnetId").map(str::to_string);
    launch.groups = ni.list("SecurityGroupId");
    launch.public = Some(ni.bool("AssociatePublicIpAddress")?);
    Ok(())
}

pub fn parse(params: &Params) -> Result<Launch, Ec2Error> {
    let image_id = required(params, "ImageId")?.to_string();
    check_ids(
        std::slice::from_ref(&image_id),
        "ami",
        "InvalidAMIID.Malformed",
    )?;
    counts(params)?;
    let instance_type = params.get("InstanceType").unwrap_or("m1.small").to_string();
    let ok_type = instance_type.split_once('.').is_some_and(|(f, s)| {
        !f.is_empty()
            && !s.is_empty()
            && instance_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    });
    if !ok_type {
        return Err(Ec2Error::invalid_value(format!(
            "Invalid value '{instance_type}' for InstanceType."
        )));
    }
    let shutdown = params
        .get("InstanceInitiatedShutdownBehavior")
        .unwrap_or("stop");
    if !["stop", "terminate"].contains(&shutdown) {
        return Err(Ec2Error::invalid_value(format!(
            "Invalid value '{shutdown}' for InstanceInitiatedShutdownBehavior"
        )));
    }
    let specs = tag_specs(params)?;
    check_kinds(&specs, &["instance", "volume", "network-interface"])?;
    let mut overrides = Vec::new();
    for m in params.structs("BlockDeviceMapping") {
        let m = Params::of(m);
        let device = required(&m, "DeviceName")?.to_string();
        if m.get("Ebs.DeleteOnTermination").is_some() {
            overrides.push((device, m.bool("Ebs.DeleteOnTermination")?));
        }
    }
    let mut launch = Launch {
        image_id,
        instance_type,
        shutdown: shutdown.to_string(),
        subnet: None,
        zone: params.get("Placement.AvailabilityZone").map(str::to_string),
        groups: Vec::new(),
        public: None,
        overrides,
        instance_tags: tags_for(&specs, "instance"),
        volume_tags: tags_for(&specs, "volume"),
        token: params
            .get("ClientToken")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        fingerprint: fingerprint(params),
    };
    network(params, &mut launch)?;
    Ok(launch)
}
