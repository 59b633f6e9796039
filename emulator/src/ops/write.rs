//! DeleteInstanceSnapshot / DeleteDiskSnapshot, TagResource / UntagResource.

use serde_json::{json, Value};

use super::input::{opt_array, opt_str, req_str};
use super::Ctx;
use crate::protocol::ApiError;
use crate::switches::ExportRecordsOnSnapshotDelete;
use crate::world::ec2::is_managed;
use crate::world::model::{arn, Kind, OperationRecord, Tags};

/// The prefix of the function's tag keys, the only ones the template lets it set.
const TAG_PREFIX: &str = "lightsail-export:";
use crate::world::render;

/// An operation that completes at once (deletes and tag changes are synchronous).
fn done(
    ctx: &mut Ctx<'_>,
    name: &str,
    resource_type: &str,
    operation_type: &str,
    details: String,
) -> Value {
    let op = ctx.world.add_operation(OperationRecord {
        id: String::new(),
        region: ctx.region.to_string(),
        resource_name: name.to_string(),
        resource_type: resource_type.to_string(),
        operation_type: operation_type.to_string(),
        details,
        created_at: ctx.now,
        done_at: ctx.now,
        fails: false,
    });
    json!({ "operations": [render::operation(&op, ctx.now)] })
}

pub fn delete_snapshot(ctx: &mut Ctx<'_>, input: &Value, kind: Kind) -> Result<Value, ApiError> {
    let (member, operation_type) = match kind {
        Kind::Instance => ("instanceSnapshotName", "DeleteInstanceSnapshot"),
        Kind::Disk => ("diskSnapshotName", "DeleteDiskSnapshot"),
    };
    let name = req_str(input, member)?;
    let now = ctx.now;
    let template = ctx.world.lightsail_policy.template;
    let rs = ctx.world.region_mut(ctx.region);
    let snap = rs
        .snapshots
        .get(name)
        .filter(|s| s.kind == kind)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "The {} does not exist: {name}",
                kind.snapshot_type()
            ))
        })?;
    if template && !is_managed(&snap.tags) {
        // The template's Allow is conditioned on aws:ResourceTag/lightsail-export:managed.
        return Err(ApiError::access_denied(operation_type, &snap.arn()));
    }
    if snap.state_at(now) == "pending" {
        return Err(ApiError::operation_failure(format!(
            "The snapshot {name} cannot be deleted while it is pending"
        )));
    }
    let removed = rs.snapshots.remove(name);
    let drop_records = ctx.world.switches.export_records_on_snapshot_delete
        == ExportRecordsOnSnapshotDelete::Removed;
    if let (Some(snap), true) = (removed, drop_records) {
        ctx.world.remove_records_of(&snap);
    }
    Ok(done(
        ctx,
        name,
        kind.snapshot_type(),
        operation_type,
        String::new(),
    ))
}

/// The tags of the named instance, disk or snapshot of the request's region, with its type and ARN.
fn tags_of<'a>(
    ctx: &'a mut Ctx<'_>,
    name: &str,
) -> Result<(&'a mut Tags, &'static str, String), ApiError> {
    let region = ctx.region.to_string();
    let rs = ctx.world.region_mut(&region);
    if let Some(i) = rs.instances.get_mut(name) {
        return Ok((&mut i.tags, "Instance", arn(&region, "Instance", &i.uuid)));
    }
    if let Some(d) = rs.disks.get_mut(name) {
        return Ok((&mut d.tags, "Disk", arn(&region, "Disk", &d.uuid)));
    }
    if let Some(s) = rs.snapshots.get_mut(name) {
        let a = s.arn();
        return Ok((&mut s.tags, s.kind.snapshot_type(), a));
    }
    Err(ApiError::not_found(format!(
        "The Resource does not exist: {name}"
    )))
}

fn check_arn(input: &Value, actual: &str) -> Result<(), ApiError> {
    match opt_str(input, "resourceArn")? {
        Some(a) if !a.is_empty() && a != actual => Err(ApiError::invalid(format!(
            "resourceArn {a} does not match the resource named by resourceName"
        ))),
        _ => Ok(()),
    }
}

pub fn tag_resource(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = req_str(input, "resourceName")?;
    let list = opt_array(input, "tags")?.ok_or_else(|| ApiError::invalid("tags is required"))?;
    let mut new = Vec::new();
    for t in list {
        let key = t.get("key").and_then(Value::as_str).unwrap_or_default();
        let value = t.get("value").and_then(Value::as_str).unwrap_or_default();
        if key.is_empty() || key.len() > 128 || value.len() > 256 || key.starts_with("aws:") {
            return Err(ApiError::invalid(format!(
                "Tag key {key:?} is invalid: keys are 1 to 128 characters, values at most 256, and the aws: prefix is reserved"
            )));
        }
        new.push((key.to_string(), value.to_string()));
    }
    let template = ctx.world.lightsail_policy.template;
    let (tags, resource_type, arn) = tags_of(ctx, name)?;
    check_arn(input, &arn)?;
    let own_keys = new.iter().all(|(k, _)| k.starts_with(TAG_PREFIX));
    if template && (!resource_type.ends_with("Snapshot") || !own_keys) {
        // The template allows TagResource on snapshot ARNs, with its own keys only.
        return Err(ApiError::access_denied("TagResource", &arn));
    }
    for (k, v) in new {
        match tags.iter_mut().find(|(tk, _)| *tk == k) {
            Some(existing) => existing.1 = v,
            None => tags.push((k, v)),
        }
    }
    Ok(done(ctx, name, resource_type, "TagResource", String::new()))
}

pub fn untag_resource(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = req_str(input, "resourceName")?;
    let keys =
        opt_array(input, "tagKeys")?.ok_or_else(|| ApiError::invalid("tagKeys is required"))?;
    let keys: Vec<String> = keys
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let template = ctx.world.lightsail_policy.template;
    let (tags, resource_type, arn) = tags_of(ctx, name)?;
    check_arn(input, &arn)?;
    if template {
        // The template grants no UntagResource.
        return Err(ApiError::access_denied("UntagResource", &arn));
    }
    tags.retain(|(k, _)| !keys.contains(k));
    Ok(done(
        ctx,
        name,
        resource_type,
        "UntagResource",
        String::new(),
    ))
}
