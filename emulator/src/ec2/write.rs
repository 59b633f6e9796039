//! CreateTags, DeregisterImage and DeleteSnapshot. Each checks everything before it changes
//! anything, so a refused request leaves the world as it was.

use super::input::check_tag;
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::ops::Ctx;
use crate::scenario::ec2::is_id;
use crate::switches::DeregisteredImage;
use crate::world::ec2::is_managed;
use crate::world::model::Tags;
use crate::world::RegionState;

/// EC2's limit of tags per resource.
const MAX_TAGS: usize = 50;
const OK: &str = "<return>true</return>";

/// `DryRun=true`: the request was allowed, and is not carried out.
fn dry_run(params: &Params) -> Result<(), Ec2Error> {
    if params.bool("DryRun")? {
        Err(Ec2Error::dry_run())
    } else {
        Ok(())
    }
}

/// IAM as the deployed role has it (`ec2Policy.deleteRequiresManagedTag`): deleting needs the
/// managed tag on the resource itself.
pub(super) fn authorize(
    ctx: &Ctx<'_>,
    operation: &str,
    tags: &Tags,
    arn: impl FnOnce() -> String,
) -> Result<(), Ec2Error> {
    if ctx.world.ec2_policy.delete_requires_managed_tag && !is_managed(tags) {
        Err(Ec2Error::unauthorized(operation, &arn()))
    } else {
        Ok(())
    }
}

fn required<'a>(params: &'a Params, key: &str) -> Result<&'a str, Ec2Error> {
    params
        .get(key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Ec2Error::missing(key))
}

/// The AMI a registered snapshot is used by, if any.
pub(super) fn used_by(rs: &RegionState, snapshot: &str, except: Option<&str>) -> Option<String> {
    rs.images
        .values()
        .filter(|i| !i.deregistered && Some(i.id.as_str()) != except)
        .find(|i| i.devices.iter().any(|d| d.snapshot_id == snapshot))
        .map(|i| i.id.clone())
}

/// Checks that `id` names an AMI or EBS snapshot of the region (or another taggable
/// resource, see [`check_drill_resource`]).
fn check_resource(ctx: &Ctx<'_>, id: &str) -> Result<(), Ec2Error> {
    let rs = ctx.world.region(ctx.region);
    let image = |id: &str| {
        rs.and_then(|rs| rs.images.get(id))
            .filter(|i| !i.deregistered)
    };
    let snapshot = |id: &str| rs.and_then(|rs| rs.ebs_snapshots.get(id));
    if id.starts_with("ami-") {
        if !is_id(id, "ami") {
            return Err(Ec2Error::malformed("InvalidAMIID.Malformed", id, "ami"));
        }
        image(id)
            .map(|_| ())
            .ok_or_else(|| Ec2Error::image_not_found(&[id.to_string()]))
    } else if id.starts_with("snap-") {
        if !is_id(id, "snap") {
            return Err(Ec2Error::malformed(
                "InvalidSnapshotID.Malformed",
                id,
                "snap",
            ));
        }
        snapshot(id)
            .map(|_| ())
            .ok_or_else(|| Ec2Error::snapshot_not_found(&[id.to_string()]))
    } else {
        check_drill_resource(ctx, id)
    }
}

/// An instance, volume or security group of the region (a new instance is not found yet under
/// `newInstanceVisibility: delayed`; a gone one is not found).
fn check_drill_resource(ctx: &Ctx<'_>, id: &str) -> Result<(), Ec2Error> {
    use crate::world::machines::VolumePhase;
    let rs = ctx.world.region(ctx.region);
    let (prefix, malformed, missing, what) = match id.split_once('-').map(|(p, _)| p) {
        Some("i") => (
            "i",
            "InvalidInstanceID.Malformed",
            "InvalidInstanceID.NotFound",
            "instance ID",
        ),
        Some("vol") => (
            "vol",
            "InvalidVolumeID.Malformed",
            "InvalidVolume.NotFound",
            "volume",
        ),
        Some("sg") => (
            "sg",
            "InvalidGroupId.Malformed",
            "InvalidGroup.NotFound",
            "security group",
        ),
        _ => {
            return Err(Ec2Error::client(
                "InvalidID",
                format!("The ID '{id}' is not valid"),
            ))
        }
    };
    if !is_id(id, prefix) {
        return Err(Ec2Error::malformed(malformed, id, prefix));
    }
    let d = &ctx.world.durations;
    let found = rs.is_some_and(|rs| match prefix {
        "i" => rs
            .ec2_instances
            .get(id)
            .is_some_and(|i| super::instances::visible_by_id(ctx.world, i, ctx.now)),
        "vol" => rs
            .volumes
            .get(id)
            .is_some_and(|v| v.phase(ctx.now, d) != VolumePhase::Gone),
        _ => rs.security_groups.contains_key(id),
    });
    if found {
        Ok(())
    } else {
        Err(super::input::not_found(missing, what, &[id.to_string()]))
    }
}

/// The tags of whatever `id` names now.
fn current_tags(ctx: &Ctx<'_>, id: &str) -> Option<Tags> {
    let rs = ctx.world.region(ctx.region)?;
    let tags = rs
        .images
        .get(id)
        .map(|i| &i.tags)
        .or_else(|| rs.ebs_snapshots.get(id).map(|s| &s.tags))
        .or_else(|| rs.ec2_instances.get(id).map(|i| &i.tags))
        .or_else(|| rs.volumes.get(id).map(|v| &v.tags))
        .or_else(|| rs.security_groups.get(id).map(|g| &g.tags));
    tags.cloned()
}

/// The tags of whatever `id` names in `rs`, to change them.
fn tags_mut<'a>(rs: &'a mut RegionState, id: &str) -> Option<&'a mut Tags> {
    if let Some(i) = rs.images.get_mut(id) {
        return Some(&mut i.tags);
    }
    if let Some(s) = rs.ebs_snapshots.get_mut(id) {
        return Some(&mut s.tags);
    }
    if let Some(i) = rs.ec2_instances.get_mut(id) {
        return Some(&mut i.tags);
    }
    if let Some(v) = rs.volumes.get_mut(id) {
        return Some(&mut v.tags);
    }
    rs.security_groups.get_mut(id).map(|g| &mut g.tags)
}

fn merge(tags: &mut Tags, new: &[(String, String)]) {
    for (k, v) in new {
        match tags.iter_mut().find(|(tk, _)| tk == k) {
            Some(existing) => existing.1 = v.clone(),
            None => tags.push((k.clone(), v.clone())),
        }
    }
}

pub fn create_tags(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("ResourceId");
    if ids.is_empty() {
        return Err(Ec2Error::missing("ResourceId"));
    }
    let new = params.tags()?;
    if new.is_empty() {
        return Err(Ec2Error::missing("Tag"));
    }
    for (k, v) in &new {
        check_tag(k, v)?;
    }
    for id in &ids {
        check_resource(ctx, id)?;
        let current = current_tags(ctx, id);
        let mut merged = current.unwrap_or_default();
        merge(&mut merged, &new);
        if merged.len() > MAX_TAGS {
            return Err(Ec2Error::client(
                "TagLimitExceeded",
                format!("The maximum number of Tags for the resource {id} has been reached."),
            ));
        }
    }
    dry_run(params)?;
    let rs = ctx.world.region_mut(ctx.region);
    for id in &ids {
        if let Some(tags) = tags_mut(rs, id) {
            merge(tags, &new);
        }
    }
    Ok(OK.into())
}

pub fn deregister_image(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let id = required(params, "ImageId")?.to_string();
    if !is_id(&id, "ami") {
        return Err(Ec2Error::malformed("InvalidAMIID.Malformed", &id, "ami"));
    }
    let gone = || Ec2Error::image_not_found(std::slice::from_ref(&id));
    let img = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.images.get(&id))
        .cloned()
        .ok_or_else(gone)?;
    if img.deregistered {
        // Eventually unknown; before that, moto's (and EC2's error list's) "no longer available".
        return Err(match ctx.world.switches.deregistered_image {
            DeregisteredImage::NotFound => gone(),
            _ => Ec2Error::client(
                "InvalidAMIID.Unavailable",
                format!("The image id '[{id}]' is no longer available"),
            ),
        });
    }
    authorize(ctx, "DeregisterImage", &img.tags, || img.arn())?;
    let delete_snapshots = params.bool("DeleteAssociatedSnapshots")?;
    dry_run(params)?;
    let needs_tag = ctx.world.ec2_policy.delete_requires_managed_tag;
    let rs = ctx.world.region_mut(ctx.region);
    if let Some(i) = rs.images.get_mut(&id) {
        i.deregistered = true;
    }
    let mut x = Xml::new();
    x.leaf("return", true);
    if delete_snapshots {
        x.open("deleteSnapshotResultSet");
        for d in &img.devices {
            let code = match rs.ebs_snapshots.get(&d.snapshot_id) {
                None => "client-error",
                Some(_) if used_by(rs, &d.snapshot_id, Some(&id)).is_some() => "skipped",
                Some(s) if needs_tag && !is_managed(&s.tags) => "missing-permissions",
                Some(_) => {
                    rs.ebs_snapshots.remove(&d.snapshot_id);
                    "success"
                }
            };
            x.open("item")
                .leaf("snapshotId", &d.snapshot_id)
                .leaf("returnCode", code)
                .close("item");
        }
        x.close("deleteSnapshotResultSet");
    }
    Ok(x.finish())
}

pub fn delete_snapshot(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let id = required(params, "SnapshotId")?.to_string();
    if !is_id(&id, "snap") {
        return Err(Ec2Error::malformed(
            "InvalidSnapshotID.Malformed",
            &id,
            "snap",
        ));
    }
    let rs = ctx.world.region(ctx.region);
    let snap = rs
        .and_then(|rs| rs.ebs_snapshots.get(&id))
        .cloned()
        .ok_or_else(|| Ec2Error::snapshot_not_found(std::slice::from_ref(&id)))?;
    // IAM decides before EC2 looks at what uses the snapshot.
    authorize(ctx, "DeleteSnapshot", &snap.tags, || snap.arn())?;
    if let Some(ami) = rs.and_then(|rs| used_by(rs, &id, None)) {
        return Err(Ec2Error::client(
            "InvalidSnapshot.InUse",
            format!("The snapshot {id} is currently in use by {ami}"),
        ));
    }
    dry_run(params)?;
    ctx.world.region_mut(ctx.region).ebs_snapshots.remove(&id);
    Ok(OK.into())
}
