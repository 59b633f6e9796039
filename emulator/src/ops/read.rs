//! The read operations.

use serde_json::{json, Map, Value};

use super::input::req_str;
use super::paging::{cursor, page, page_desc};
use super::Ctx;
use crate::protocol::ApiError;
use crate::switches::AutoSnapshotOrder;
use crate::world::model::Kind;
use crate::world::{render, RegionState, Resource};

fn listing(key: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(items));
    if let Some(t) = next {
        m.insert("nextPageToken".into(), Value::String(t));
    }
    Value::Object(m)
}

fn empty() -> RegionState {
    RegionState::default()
}

pub fn get_instances(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let after = cursor::<String>(input)?;
    let none = empty();
    let rs = ctx.world.region(ctx.region).unwrap_or(&none);
    let (items, next) = page(&rs.instances, after.as_ref(), ctx.world.page_size(), |_| {
        true
    });
    let items = items
        .into_iter()
        .map(|i| render::instance(ctx.world, i))
        .collect();
    Ok(listing("instances", items, next))
}

pub fn get_instance(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = req_str(input, "instanceName")?;
    let inst = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.instances.get(name))
        .ok_or_else(|| ApiError::not_found(format!("The Instance does not exist: {name}")))?;
    Ok(json!({ "instance": render::instance(ctx.world, inst) }))
}

pub fn get_disks(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let after = cursor::<String>(input)?;
    let none = empty();
    let rs = ctx.world.region(ctx.region).unwrap_or(&none);
    let (items, next) = page(&rs.disks, after.as_ref(), ctx.world.page_size(), |_| true);
    let sw = &ctx.world.switches;
    Ok(listing(
        "disks",
        items.into_iter().map(|d| render::disk(d, sw)).collect(),
        next,
    ))
}

pub fn get_disk(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = req_str(input, "diskName")?;
    let disk = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.disks.get(name))
        .ok_or_else(|| ApiError::not_found(format!("The Disk does not exist: {name}")))?;
    Ok(json!({ "disk": render::disk(disk, &ctx.world.switches) }))
}

pub fn get_auto_snapshots(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = req_str(input, "resourceName")?;
    let rs = ctx.world.region(ctx.region);
    let (kind, resource, attached) = if let Some(i) = rs.and_then(|rs| rs.instances.get(name)) {
        // An instance's automatic snapshots include the disks attached to it.
        let attached = ctx.world.attached_disks(ctx.region, name);
        (Kind::Instance, Resource::Instance(i.clone()), attached)
    } else if let Some(d) = rs.and_then(|rs| rs.disks.get(name)) {
        (Kind::Disk, Resource::Disk(d.clone()), Vec::new())
    } else {
        return Err(ApiError::not_found(format!(
            "The Resource does not exist: {name}"
        )));
    };
    // Kept newest first; the switch only decides how they are listed.
    let autos = ctx.world.autos_of(&resource, ctx.now);
    let mut list: Vec<Value> = autos
        .iter()
        .map(|a| render::auto_snapshot(ctx.world, a, &attached, ctx.now))
        .collect();
    if ctx.world.switches.auto_snapshot_order == AutoSnapshotOrder::OldestFirst {
        list.reverse();
    }
    Ok(json!({ "resourceName": name, "resourceType": kind.resource_type(), "autoSnapshots": list }))
}

pub fn get_snapshots(ctx: &mut Ctx<'_>, input: &Value, kind: Kind) -> Result<Value, ApiError> {
    let after = cursor::<String>(input)?;
    let none = empty();
    let rs = ctx.world.region(ctx.region).unwrap_or(&none);
    let (items, next) = page(&rs.snapshots, after.as_ref(), ctx.world.page_size(), |s| {
        s.kind == kind
    });
    let sw = &ctx.world.switches;
    let key = match kind {
        Kind::Instance => "instanceSnapshots",
        Kind::Disk => "diskSnapshots",
    };
    Ok(listing(
        key,
        items
            .into_iter()
            .map(|s| render::snapshot(s, ctx.now, sw))
            .collect(),
        next,
    ))
}

pub fn get_snapshot(ctx: &mut Ctx<'_>, input: &Value, kind: Kind) -> Result<Value, ApiError> {
    let (member, key) = match kind {
        Kind::Instance => ("instanceSnapshotName", "instanceSnapshot"),
        Kind::Disk => ("diskSnapshotName", "diskSnapshot"),
    };
    let name = req_str(input, member)?;
    let snap = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.snapshots.get(name))
        .filter(|s| s.kind == kind)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "The {} does not exist: {name}",
                kind.snapshot_type()
            ))
        })?;
    Ok(json!({ key: render::snapshot(snap, ctx.now, &ctx.world.switches) }))
}

pub fn get_export_snapshot_records(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let after = cursor::<u64>(input)?;
    let none = empty();
    let rs = ctx.world.region(ctx.region).unwrap_or(&none);
    let (items, next) = page(&rs.records, after.as_ref(), ctx.world.page_size(), |_| true);
    let items = items
        .into_iter()
        .map(|r| render::export_record(r, ctx.now, &ctx.world.switches))
        .collect();
    Ok(listing("exportSnapshotRecords", items, next))
}

pub fn get_operation(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let id = req_str(input, "operationId")?;
    let op = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.operations.values().find(|o| o.id == id))
        .ok_or_else(|| ApiError::not_found(format!("The Operation does not exist: {id}")))?;
    Ok(json!({ "operation": render::operation(op, ctx.now) }))
}

pub fn get_operations(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let before = cursor::<u64>(input)?;
    let none = empty();
    let rs = ctx.world.region(ctx.region).unwrap_or(&none);
    let (items, next) = page_desc(&rs.operations, before.as_ref(), ctx.world.page_size());
    let items = items
        .into_iter()
        .map(|o| render::operation(o, ctx.now))
        .collect();
    Ok(listing("operations", items, next))
}
