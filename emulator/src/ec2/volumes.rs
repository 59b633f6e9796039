//! CreateVolume, DescribeVolumes and DeleteVolume: EBS volumes restored from the account's
//! snapshots (and the ones RunInstances attaches).

use std::collections::BTreeMap;

use super::describe::{after, max_results};
use super::filter::{all_match, check, tag_values};
use super::input::{
    allow, allow_tagged, check_ids, check_kinds, dry_run, fingerprint, idempotent_mismatch,
    not_found, required, tag_specs, tags_for,
};
use super::render_drill::{volume, volume_members};
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::faults::FaultState;
use crate::ops::paging::page;
use crate::ops::Ctx;
use crate::world::ec2::{is_managed, EbsSnapshot};
use crate::world::machines::{Volume, VolumePhase};
use crate::world::model::ACCOUNT;

const VOLUME_TYPES: &[&str] = &["standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"];
const VOLUME_FILTERS: &[&str] = &[
    "status",
    "volume-id",
    "snapshot-id",
    "availability-zone",
    "volume-type",
    "size",
    "attachment.instance-id",
    "attachment.device",
    "attachment.status",
    "attachment.delete-on-termination",
];

type Error = Ec2Error;

fn volume_not_found(ids: &[String]) -> Error {
    not_found("InvalidVolume.NotFound", "volume", ids)
}

/// The zones of a region here: `REGIONa` to `REGIONc`.
fn check_zone(region: &str, zone: &str) -> Result<(), Error> {
    match zone.strip_prefix(region) {
        Some("a" | "b" | "c") => Ok(()),
        _ => Err(Ec2Error::client(
            "InvalidZone.NotFound",
            format!("The zone '{zone}' does not exist."),
        )),
    }
}

/// `(iops, throughput)` of a new volume: gp3's baseline, gp2's 3 per GiB, io1/io2's request.
fn performance(
    kind: &str,
    size: i64,
    params: &Params,
) -> Result<(Option<i64>, Option<i64>), Error> {
    let iops = params.int("Iops")?;
    match kind {
        "gp3" => Ok((
            Some(iops.unwrap_or(3000)),
            Some(params.int("Throughput")?.unwrap_or(125)),
        )),
        "gp2" => Ok((Some((size * 3).clamp(100, 16_000)), None)),
        "io1" | "io2" => iops
            .map(|i| (Some(i), None))
            .ok_or_else(|| Ec2Error::missing("Iops")),
        _ => Ok((None, None)),
    }
}

/// The snapshot a volume is made of, if any (unknown: `InvalidSnapshot.NotFound`).
fn snapshot_of(ctx: &Ctx<'_>, params: &Params) -> Result<Option<EbsSnapshot>, Error> {
    let Some(id) = params.get("SnapshotId").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    check_ids(&[id.to_string()], "snap", "InvalidSnapshotID.Malformed")?;
    ctx.world
        .region(ctx.region)
        .and_then(|rs| rs.ebs_snapshots.get(id))
        .cloned()
        .map(Some)
        .ok_or_else(|| Ec2Error::snapshot_not_found(&[id.to_string()]))
}

fn size_of(params: &Params, snap: Option<&EbsSnapshot>) -> Result<i64, Error> {
    match (params.int("Size")?, snap) {
        (Some(n), Some(s)) if n < s.size_gib => Err(Ec2Error::invalid_value(format!(
            "Volume of {n}GiB is too small; minimum is {}GiB.",
            s.size_gib
        ))),
        (Some(n), _) if !(1..=16_384).contains(&n) => Err(Ec2Error::invalid_value(format!(
            "Volume of {n}GiB is out of range (1 to 16384)."
        ))),
        (Some(n), _) => Ok(n),
        (None, Some(s)) => Ok(s.size_gib),
        (None, None) => Err(Ec2Error::missing("size/snapshot")),
    }
}

/// The volume an earlier request with this token made, if it still answers for it.
fn earlier(ctx: &Ctx<'_>, token: &str) -> Option<Volume> {
    ctx.world.region(ctx.region).and_then(|rs| {
        rs.volumes
            .values()
            .find(|v| v.client_token.as_deref() == Some(token) && v.token_live(ctx.now))
            .cloned()
    })
}

pub fn create_volume(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<(String, Option<String>), Error> {
    let zone = required(params, "AvailabilityZone")?.to_string();
    check_zone(ctx.region, &zone)?;
    let kind = params.get("VolumeType").unwrap_or("gp2").to_string();
    if !VOLUME_TYPES.contains(&kind.as_str()) {
        return Err(Ec2Error::invalid_value(format!(
            "Invalid value '{kind}' for VolumeType"
        )));
    }
    let specs = tag_specs(params)?;
    check_kinds(&specs, &["volume"])?;
    let tags = tags_for(&specs, "volume");
    let token = params
        .get("ClientToken")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let print = fingerprint(params);
    if let Some(prior) = token.as_deref().and_then(|t| earlier(ctx, t)) {
        if prior.fingerprint != print {
            return Err(idempotent_mismatch());
        }
        return Ok((members(ctx, &prior), Some(prior.id)));
    }
    let snap = snapshot_of(ctx, params)?;
    let size = size_of(params, snap.as_ref())?;
    let (iops, throughput) = performance(&kind, size, params)?;
    let any = format!("arn:aws:ec2:{}:{ACCOUNT}:volume/*", ctx.region);
    allow(ctx, "CreateVolume", is_managed(&tags), &any)?;
    if let Some(s) = &snap {
        allow_tagged(ctx, "CreateVolume", &s.tags, &s.arn())?;
        let state = s.state_at(ctx.now);
        if state != "completed" {
            return Err(Ec2Error::client(
                "IncorrectState",
                format!("Snapshot is in invalid state - {state}"),
            ));
        }
        super::tier::check_usable(s, ctx.now)?;
    }
    dry_run(params)?;
    let names = snap.as_ref().map(EbsSnapshot::names).unwrap_or_default();
    let stuck = FaultState::names_any(&ctx.faults.faults.volume_stuck_for, &names);
    let now = ctx.now;
    let v = Volume {
        id: format!("vol-{}", ctx.world.hex17()),
        region: ctx.region.to_string(),
        snapshot_id: snap.map(|s| s.id),
        size_gib: size,
        zone,
        volume_type: kind,
        iops,
        throughput,
        created_at: now,
        ready_at: (!stuck).then_some(now + ctx.world.durations.volume_creating_seconds),
        tags,
        attachment: None,
        released_at: None,
        deleted_at: None,
        client_token: token,
        fingerprint: print,
    };
    let body = members(ctx, &v);
    let id = v.id.clone();
    ctx.world
        .region_mut(ctx.region)
        .volumes
        .insert(id.clone(), v);
    Ok((body, Some(id)))
}

fn members(ctx: &Ctx<'_>, v: &Volume) -> String {
    let mut x = Xml::new();
    volume_members(&mut x, v, ctx.now, &ctx.world.durations);
    x.finish()
}

fn volume_values(
    v: &Volume,
    name: &str,
    phase: VolumePhase,
    now: f64,
    ctx: &Ctx<'_>,
) -> Option<Vec<String>> {
    let one = |s: &str| Some(vec![s.to_string()]);
    let a = v.attached_to(now, &ctx.world.durations);
    match name {
        "status" => one(phase.name()),
        "volume-id" => one(&v.id),
        "snapshot-id" => one(v.snapshot_id.as_deref().unwrap_or_default()),
        "availability-zone" => one(&v.zone),
        "volume-type" => one(&v.volume_type),
        "size" => one(&v.size_gib.to_string()),
        "attachment.instance-id" => Some(a.iter().map(|a| a.instance_id.clone()).collect()),
        "attachment.device" => Some(a.iter().map(|a| a.device.clone()).collect()),
        "attachment.status" => Some(a.iter().map(|_| "attached".to_string()).collect()),
        "attachment.delete-on-termination" => Some(
            a.iter()
                .map(|a| a.delete_on_termination.to_string())
                .collect(),
        ),
        other => tag_values(&v.tags, other),
    }
}

pub fn describe_volumes(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Error> {
    let ids = params.list("VolumeId");
    check_ids(&ids, "vol", "InvalidVolumeID.Malformed")?;
    let size = max_results(params)?;
    if size.is_some() && !ids.is_empty() {
        return Err(Ec2Error::client(
            "InvalidParameterCombination",
            "The parameter volumeSet cannot be used with the parameter maxResults",
        ));
    }
    let filters = params.filters()?;
    check(&filters, VOLUME_FILTERS)?;
    let after = after(params)?;
    let (now, d) = (ctx.now, &ctx.world.durations);
    let none = BTreeMap::new();
    let all = ctx.world.region(ctx.region).map_or(&none, |rs| &rs.volumes);
    let live = |v: &Volume| v.phase(now, d) != VolumePhase::Gone;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !all.get(*id).is_some_and(live))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(volume_not_found(&missing));
    }
    let keep = |v: &Volume| {
        let phase = v.phase(now, d);
        live(v)
            && (ids.is_empty() || ids.contains(&v.id))
            && all_match(&filters, |n| volume_values(v, n, phase, now, ctx))
    };
    let (items, next) = page(all, after.as_ref(), size.unwrap_or(all.len()).max(1), keep);
    let mut x = Xml::new();
    x.open("volumeSet");
    for v in items {
        volume(&mut x, v, now, d);
    }
    x.close("volumeSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}

pub fn delete_volume(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Error> {
    let id = required(params, "VolumeId")?.to_string();
    check_ids(
        std::slice::from_ref(&id),
        "vol",
        "InvalidVolumeID.Malformed",
    )?;
    let (now, d) = (ctx.now, ctx.world.durations.clone());
    let v = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.volumes.get(&id))
        .filter(|v| !matches!(v.phase(now, &d), VolumePhase::Gone | VolumePhase::Deleting))
        .cloned()
        .ok_or_else(|| volume_not_found(std::slice::from_ref(&id)))?;
    allow_tagged(ctx, "DeleteVolume", &v.tags, &v.arn())?;
    match (v.phase(now, &d), v.attached_to(now, &d)) {
        (VolumePhase::InUse, Some(a)) => {
            return Err(Ec2Error::client(
                "VolumeInUse",
                format!("Volume {id} is currently attached to {}", a.instance_id),
            ))
        }
        (VolumePhase::Creating, _) => {
            return Err(Ec2Error::client(
                "IncorrectState",
                format!("The volume '{id}' is 'creating'"),
            ))
        }
        _ => {}
    }
    dry_run(params)?;
    if let Some(v) = ctx.world.region_mut(ctx.region).volumes.get_mut(&id) {
        v.deleted_at = Some(now);
    }
    Ok("<return>true</return>".into())
}
