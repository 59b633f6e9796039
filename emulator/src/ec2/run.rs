//! RunInstances: one instance from an available AMI of the world, in a subnet of the default VPC
//! (or the one named), with one EBS volume per block device of the AMI.

use super::input::{allow, check_ids, dry_run, idempotent_mismatch, not_found};
use super::render_drill::instance;
use super::run_input::{parse, Launch};
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::faults::LaunchRefusal;
use crate::ops::Ctx;
use crate::switches::{DeregisteredImage, LaunchCapacity};
use crate::world::ec2::{is_managed, Image};
use crate::world::machines::{Attachment, Checks, Ec2Instance, Volume};
use crate::world::model::ACCOUNT;
use crate::world::net::Subnet;
use crate::world::RegionState;

/// The subnet a launch goes into: the one named, else the default subnet of the zone asked
/// for (zone a when none is).
fn subnet_of(rs: &RegionState, launch: &Launch, region: &str) -> Result<Subnet, Ec2Error> {
    if let Some(id) = &launch.subnet {
        check_ids(
            std::slice::from_ref(id),
            "subnet",
            "InvalidSubnetID.Malformed",
        )?;
        return rs.subnets.get(id).cloned().ok_or_else(|| {
            not_found(
                "InvalidSubnetID.NotFound",
                "subnet ID",
                std::slice::from_ref(id),
            )
        });
    }
    let zone = launch.zone.clone().unwrap_or_else(|| format!("{region}a"));
    rs.subnets
        .values()
        .find(|s| s.default_for_az && s.zone == zone)
        .cloned()
        .ok_or_else(|| Ec2Error::client("VPCIdNotSpecified", "No default VPC for this user"))
}

/// The security groups a launch uses (the VPC's `default` one when none is named).
fn groups_of(rs: &RegionState, launch: &Launch, subnet: &Subnet) -> Result<Vec<String>, Ec2Error> {
    check_ids(&launch.groups, "sg", "InvalidGroupId.Malformed")?;
    if launch.groups.is_empty() {
        let default = rs
            .security_groups
            .values()
            .find(|g| g.vpc_id == subnet.vpc_id && g.name == "default");
        return Ok(default.map(|g| vec![g.id.clone()]).unwrap_or_default());
    }
    for id in &launch.groups {
        match rs.security_groups.get(id) {
            None => {
                return Err(not_found(
                    "InvalidGroup.NotFound",
                    "security group",
                    std::slice::from_ref(id),
                ))
            }
            Some(g) if g.vpc_id != subnet.vpc_id => {
                return Err(Ec2Error::client(
                    "InvalidParameter",
                    format!(
                        "Security group {id} and subnet {} belong to different networks.",
                        subnet.id
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(launch.groups.clone())
}

/// The AMI, if it can be launched: unknown and deregistered ones are NotFound / Unavailable
/// (the `deregisteredImage` switch), pending and failed ones Unavailable (hashicorp/packer#12162:
/// "AMI 'ami-…' is pending, and cannot be run").
fn image_of(ctx: &Ctx<'_>, id: &str) -> Result<Image, Ec2Error> {
    let img = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.images.get(id))
        .cloned()
        .ok_or_else(|| Ec2Error::image_not_found(&[id.to_string()]))?;
    if img.deregistered && ctx.world.switches.deregistered_image == DeregisteredImage::NotFound {
        return Err(Ec2Error::image_not_found(&[id.to_string()]));
    }
    Ok(img)
}

fn check_image_state(img: &Image, now: f64) -> Result<(), Ec2Error> {
    match img.state_at(now) {
        "available" => Ok(()),
        "deregistered" => Err(Ec2Error::client(
            "InvalidAMIID.Unavailable",
            format!("The image id '[{}]' is no longer available", img.id),
        )),
        state => Err(Ec2Error::client(
            "InvalidAMIID.Unavailable",
            format!("AMI '{}' is {state}, and cannot be run", img.id),
        )),
    }
}

/// The deployed role: instance and volume tags, the AMI's and every group's managed tag.
fn authorize(
    ctx: &Ctx<'_>,
    launch: &Launch,
    img: &Image,
    groups: &[String],
) -> Result<(), Ec2Error> {
    let op = "RunInstances";
    let region = ctx.region;
    allow(ctx, op, is_managed(&img.tags), &img.arn())?;
    let any = |kind: &str| format!("arn:aws:ec2:{region}:{ACCOUNT}:{kind}/*");
    allow(ctx, op, is_managed(&launch.instance_tags), &any("instance"))?;
    allow(ctx, op, is_managed(&launch.volume_tags), &any("volume"))?;
    let rs = ctx.world.region(region);
    for g in groups
        .iter()
        .filter_map(|id| rs.and_then(|rs| rs.security_groups.get(id)))
    {
        allow(ctx, op, is_managed(&g.tags), &g.arn())?;
    }
    Ok(())
}

/// `launchRefusedFor`, then the `launchCapacity` switch.
fn refuse(ctx: &mut Ctx<'_>, launch: &Launch, img: &Image, zone: &str) -> Result<(), Ec2Error> {
    let names = img.names();
    let t = &launch.instance_type;
    let fault = ctx
        .faults
        .faults
        .launch_refused_for
        .iter()
        .find(|(n, _)| names.contains(n));
    let capacity = || {
        Ec2Error::new(500, "InsufficientInstanceCapacity", format!(
            "We currently do not have sufficient {t} capacity in the Availability Zone you requested ({zone}). Our system will be working on provisioning additional capacity. You can currently get {t} capacity by not specifying an Availability Zone in your request or choosing another Availability Zone."
        ))
    };
    match fault.map(|(_, r)| *r) {
        Some(LaunchRefusal::Capacity) => return Err(capacity()),
        Some(LaunchRefusal::Unsupported) => return Err(Ec2Error::client("Unsupported", format!(
            "Your requested instance type ({t}) is not supported in your requested Availability Zone ({zone}). Please retry your request by not specifying an Availability Zone or choosing another one."
        ))),
        Some(LaunchRefusal::Ena) => return Err(Ec2Error::client("InvalidParameterCombination", format!(
            "Enhanced networking with the Elastic Network Adapter (ENA) is required for the '{t}' instance type. Ensure that you are using an AMI that is enabled for ENA."
        ))),
        None => {}
    }
    let key = (ctx.region.to_string(), zone.to_string(), t.clone());
    if ctx.world.switches.launch_capacity == LaunchCapacity::RefusedOnce
        && ctx.world.capacity_refused.insert(key)
    {
        return Err(capacity());
    }
    Ok(())
}

fn reservation(ctx: &Ctx<'_>, i: &Ec2Instance) -> String {
    let rs = ctx.world.region(ctx.region);
    let volumes: Vec<&Volume> = i
        .devices
        .iter()
        .filter_map(|(_, v)| rs.and_then(|rs| rs.volumes.get(v)))
        .collect();
    let mut x = Xml::new();
    x.leaf("reservationId", &i.reservation_id)
        .leaf("ownerId", ACCOUNT)
        .open("groupSet")
        .close("groupSet")
        .open("instancesSet");
    instance(&mut x, i, &volumes, ctx.now, &ctx.world.durations);
    x.close("instancesSet");
    x.finish()
}

/// The instance an earlier request with this token launched, if it still answers for it.
fn earlier(ctx: &Ctx<'_>, token: &str) -> Option<Ec2Instance> {
    let d = &ctx.world.durations;
    ctx.world.region(ctx.region).and_then(|rs| {
        rs.ec2_instances
            .values()
            .find(|i| i.client_token.as_deref() == Some(token) && i.token_live(ctx.now, d))
            .cloned()
    })
}

/// Runs it: the members of the Reservation, and the instance's id.
pub fn run_instances(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<(String, Option<String>), Ec2Error> {
    let launch = parse(params)?;
    if let Some(prior) = launch.token.as_deref().and_then(|t| earlier(ctx, t)) {
        if prior.fingerprint != launch.fingerprint {
            return Err(idempotent_mismatch());
        }
        return Ok((reservation(ctx, &prior), Some(prior.id)));
    }
    let img = image_of(ctx, &launch.image_id)?;
    let empty = RegionState::default();
    let rs = ctx.world.region(ctx.region).unwrap_or(&empty);
    let subnet = subnet_of(rs, &launch, ctx.region)?;
    let groups = groups_of(rs, &launch, &subnet)?;
    authorize(ctx, &launch, &img, &groups)?;
    check_image_state(&img, ctx.now)?;
    dry_run(params)?;
    refuse(ctx, &launch, &img, &subnet.zone)?;
    let i = launch_one(ctx, launch, &img, &subnet, groups);
    Ok((reservation(ctx, &i), Some(i.id)))
}

/// How the status checks of an instance of `img` end, from the faults in force now.
fn checks_for(ctx: &Ctx<'_>, names: &[String]) -> Checks {
    let f = &ctx.faults.faults;
    if crate::faults::FaultState::names_any(&f.impaired_for, names) {
        Checks::Impaired
    } else if crate::faults::FaultState::names_any(&f.status_initializing_for, names) {
        Checks::Initializing
    } else {
        Checks::Pass
    }
}

/// One attached volume per block device of the AMI: `(device name, volume id)`.
fn volumes_for(
    ctx: &mut Ctx<'_>,
    launch: &Launch,
    img: &Image,
    zone: &str,
    id: &str,
) -> Vec<(String, String)> {
    let now = ctx.now;
    let mut devices = Vec::new();
    for d in &img.devices {
        let dot = launch
            .overrides
            .iter()
            .find(|(n, _)| *n == d.name)
            .map_or(d.delete_on_termination, |(_, v)| *v);
        let vol = Volume {
            id: format!("vol-{}", ctx.world.hex17()),
            region: ctx.region.to_string(),
            snapshot_id: Some(d.snapshot_id.clone()),
            size_gib: d.size_gib,
            zone: zone.to_string(),
            volume_type: "gp2".into(),
            iops: Some((d.size_gib * 3).clamp(100, 16_000)),
            throughput: None,
            created_at: now,
            ready_at: Some(now),
            tags: launch.volume_tags.clone(),
            attachment: Some(Attachment {
                instance_id: id.to_string(),
                device: d.name.clone(),
                delete_on_termination: dot,
                attach_time: now,
            }),
            released_at: None,
            deleted_at: None,
            client_token: None,
            fingerprint: String::new(),
        };
        devices.push((d.name.clone(), vol.id.clone()));
        ctx.world
            .region_mut(ctx.region)
            .volumes
            .insert(vol.id.clone(), vol);
    }
    devices
}

fn launch_one(
    ctx: &mut Ctx<'_>,
    launch: Launch,
    img: &Image,
    subnet: &Subnet,
    groups: Vec<String>,
) -> Ec2Instance {
    let now = ctx.now;
    let id = format!("i-{}", ctx.world.hex17());
    let devices = volumes_for(ctx, &launch, img, &subnet.zone, &id);
    let public = launch.public.unwrap_or(subnet.map_public_ip);
    let w = &mut *ctx.world;
    let private_ip = format!("172.31.{}.{}", subnet.base + w.byte(0..16), w.byte(4..255));
    let public_ip = public.then(|| {
        format!(
            "54.{}.{}.{}",
            w.byte(1..255),
            w.byte(1..255),
            w.byte(1..255)
        )
    });
    let names = img.names();
    let i = Ec2Instance {
        reservation_id: format!("r-{}", w.hex17()),
        id,
        region: ctx.region.to_string(),
        image_id: img.id.clone(),
        instance_type: launch.instance_type,
        zone: subnet.zone.clone(),
        subnet_id: subnet.id.clone(),
        vpc_id: subnet.vpc_id.clone(),
        private_ip,
        public_ip,
        group_ids: groups,
        tags: launch.instance_tags,
        launched_at: now,
        client_token: launch.token,
        fingerprint: launch.fingerprint,
        shutdown_behavior: launch.shutdown,
        root_device: img.root_device().to_string(),
        windows: img.windows,
        devices,
        terminated_at: None,
        checks: checks_for(ctx, &names),
        names,
    };
    ctx.world
        .region_mut(ctx.region)
        .ec2_instances
        .insert(i.id.clone(), i.clone());
    i
}
