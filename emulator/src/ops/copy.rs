//! CopySnapshot: an automatic snapshot (by date or the latest restorable one) or a manual
//! snapshot, copied into the region the request is sent to.

use serde_json::{json, Value};

use super::input::{opt_bool, opt_str, req_str, resource_name, REGIONS};
use super::Ctx;
use crate::protocol::ApiError;
use crate::switches::CopyDuringAutoSnapshot;
use crate::timefmt;
use crate::world::model::{OperationRecord, Snapshot};
use crate::world::render;

pub fn copy_snapshot(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let target = resource_name(input, "targetSnapshotName")?;
    let source_region = req_str(input, "sourceRegion")?;
    if !REGIONS.contains(&source_region) {
        return Err(ApiError::invalid(format!(
            "sourceRegion {source_region:?} is not a valid region"
        )));
    }
    let source_snapshot = opt_str(input, "sourceSnapshotName")?.filter(|s| !s.is_empty());
    let source_resource = opt_str(input, "sourceResourceName")?.filter(|s| !s.is_empty());
    let restore_date = opt_str(input, "restoreDate")?.filter(|s| !s.is_empty());
    let use_latest = opt_bool(input, "useLatestRestorableAutoSnapshot")?.unwrap_or(false);

    check_source(source_snapshot, source_resource, restore_date, use_latest)?;
    let name_taken = ctx
        .world
        .region(ctx.region)
        .is_some_and(|rs| rs.name_taken(target, &ctx.world.switches));
    if name_taken {
        return Err(ApiError::name_in_use(target));
    }

    let (now, copy_seconds) = (ctx.now, ctx.world.durations.copy_seconds);
    let region = ctx.region.to_string();
    let mut snap = match (source_snapshot, source_resource) {
        (Some(name), _) => copy_of_manual(ctx, source_region, name, target)?,
        (_, Some(name)) => copy_of_auto(ctx, source_region, name, restore_date, target)?,
        _ => return Err(ApiError::service()),
    };
    snap.fails = ctx.faults.copy_fails(&snap.from_resource, target)
        || source_snapshot.is_some_and(|s| ctx.faults.copy_fails(s, target));
    // As the AWS CLI's example shows real Lightsail writing it: SOURCE_REGION:SOURCE_NAME.
    let details = format!(
        "{source_region}:{}",
        source_snapshot.unwrap_or(&snap.from_resource)
    );
    let op = ctx.world.add_operation(OperationRecord {
        id: String::new(),
        region: region.clone(),
        resource_name: target.to_string(),
        resource_type: snap.kind.snapshot_type().to_string(),
        operation_type: "CopySnapshot".into(),
        details,
        created_at: now,
        // The operation ends with the copy: GetOperation tracks it.
        done_at: now + copy_seconds,
        fails: snap.fails,
    });
    ctx.world
        .region_mut(&region)
        .snapshots
        .insert(target.to_string(), snap);
    Ok(json!({ "operations": [render::operation(&op, now)] }))
}

/// The combinations of source parameters the API reference allows, and a `restoreDate` that is
/// a date.
fn check_source(
    source_snapshot: Option<&str>,
    source_resource: Option<&str>,
    restore_date: Option<&str>,
    use_latest: bool,
) -> Result<(), ApiError> {
    match (source_snapshot, source_resource) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "Specify either sourceSnapshotName (a manual snapshot) or sourceResourceName (an automatic snapshot), not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "Specify sourceSnapshotName to copy a manual snapshot or sourceResourceName to copy an automatic snapshot",
            ))
        }
        (Some(_), None) if restore_date.is_some() || use_latest => {
            return Err(ApiError::invalid(
                "restoreDate and useLatestRestorableAutoSnapshot apply only to automatic snapshots (sourceResourceName)",
            ))
        }
        (None, Some(_)) if restore_date.is_some() && use_latest => {
            return Err(ApiError::invalid(
                "restoreDate and useLatestRestorableAutoSnapshot are mutually exclusive",
            ))
        }
        (None, Some(_)) if restore_date.is_none() && !use_latest => {
            return Err(ApiError::invalid(
                "Copying an automatic snapshot requires restoreDate or useLatestRestorableAutoSnapshot",
            ))
        }
        _ => {}
    }
    if let Some(date) = restore_date {
        if timefmt::parse_date(date).is_none() {
            return Err(ApiError::invalid(format!(
                "restoreDate {date:?} must be a date in YYYY-MM-DD format"
            )));
        }
    }
    Ok(())
}

/// Why a source is not found, pointing at the region it does live in if `sourceRegion` is wrong.
fn not_found(
    ctx: &Ctx<'_>,
    what: &str,
    name: &str,
    source_region: &str,
    elsewhere: impl Fn(&crate::world::RegionState) -> bool,
) -> ApiError {
    let other = ctx
        .world
        .regions
        .iter()
        .find(|(r, rs)| r.as_str() != source_region && elsewhere(rs));
    match other {
        Some((r, _)) => ApiError::not_found(format!(
            "The {what} {name} does not exist in sourceRegion {source_region} (it is in {r})"
        )),
        None => ApiError::not_found(format!("The {what} does not exist: {name}")),
    }
}

fn copy_of_manual(
    ctx: &mut Ctx<'_>,
    source_region: &str,
    name: &str,
    target: &str,
) -> Result<Snapshot, ApiError> {
    let src = ctx
        .world
        .region(source_region)
        .and_then(|rs| rs.snapshots.get(name))
        .cloned();
    let Some(src) = src else {
        return Err(not_found(ctx, "Snapshot", name, source_region, |rs| {
            rs.snapshots.contains_key(name)
        }));
    };
    let state = src.state_at(ctx.now);
    if state != src.kind.done_state() {
        return Err(ApiError::operation_failure(format!(
            "The snapshot {name} cannot be copied while it is {state}"
        )));
    }
    let region = ctx.region.to_string();
    let (now, ready) = (ctx.now, ctx.now + ctx.world.durations.copy_seconds);
    Ok(ctx.world.copy_of(&src, target, &region, now, ready))
}

fn copy_of_auto(
    ctx: &mut Ctx<'_>,
    source_region: &str,
    name: &str,
    restore_date: Option<&str>,
    target: &str,
) -> Result<Snapshot, ApiError> {
    let Some(resource) = ctx.world.resource_in(source_region, name) else {
        return Err(not_found(ctx, "Resource", name, source_region, |rs| {
            rs.instances.contains_key(name) || rs.disks.contains_key(name)
        }));
    };
    let now = ctx.now;
    let autos = ctx.world.autos_of(&resource, now);
    let busy = autos
        .iter()
        .any(|a| ctx.world.auto_status(a, now) == "InProgress");
    if busy {
        let message = format!(
            "You can't copy an automatic snapshot of {name} while an automatic snapshot of it is being created."
        );
        match ctx.world.switches.copy_during_auto_snapshot {
            CopyDuringAutoSnapshot::InvalidInput => return Err(ApiError::invalid(message)),
            CopyDuringAutoSnapshot::OperationFailure => {
                return Err(ApiError::operation_failure(message))
            }
            CopyDuringAutoSnapshot::Allowed => {}
        }
    }
    // Only validated: a copy does not record which automatic snapshot it came from.
    let _chosen = match restore_date {
        Some(date) => {
            let auto = autos.iter().find(|a| a.date == date).ok_or_else(|| {
                ApiError::not_found(format!(
                    "No automatic snapshot of {name} exists for restoreDate {date}"
                ))
            })?;
            let status = ctx.world.auto_status(auto, now);
            if status != "Success" {
                return Err(ApiError::invalid(format!(
                    "The automatic snapshot of {name} for restoreDate {date} is not restorable (status {status})"
                )));
            }
            auto
        }
        None => autos
            .iter()
            .filter(|a| ctx.world.auto_status(a, now) == "Success")
            .max_by(|a, b| a.date.cmp(&b.date))
            .ok_or_else(|| {
                ApiError::not_found(format!("No restorable automatic snapshot of {name} exists"))
            })?,
    };
    let region = ctx.region.to_string();
    let ready = now + ctx.world.durations.copy_seconds;
    let mut snap = ctx
        .world
        .new_snapshot(&resource, target, &region, now, ready);
    snap.is_from_auto_snapshot = true;
    Ok(snap)
}
