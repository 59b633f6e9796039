//! ExportSnapshot: a manual snapshot that is available/completed becomes an export record.

use serde_json::{json, Value};

use super::input::resource_name;
use super::Ctx;
use crate::protocol::ApiError;
use crate::world::ec2::{Outcome, Timing};
use crate::world::model::{Kind, OperationRecord};
use crate::world::{render, World};

/// Blueprints whose snapshots Lightsail refuses to export (by blueprint id prefix).
const UNEXPORTABLE: &[(&str, &str)] = &[
    ("cpanel", "cPanel & WHM"),
    ("django", "Django"),
    ("ghost", "Ghost"),
];

pub fn export_snapshot(ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
    let name = resource_name(input, "sourceSnapshotName")?;
    let snap = ctx
        .world
        .region(ctx.region)
        .and_then(|rs| rs.snapshots.get(name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("The Snapshot does not exist: {name}")))?;
    let state = snap.state_at(ctx.now);
    if state != snap.kind.done_state() {
        return Err(ApiError::operation_failure(format!(
            "The snapshot {name} cannot be exported while it is {state}"
        )));
    }
    if snap.kind == Kind::Instance {
        let blueprint = snap.from_blueprint_id.as_deref().unwrap_or_default();
        if let Some((_, label)) = UNEXPORTABLE.iter().find(|(p, _)| blueprint.starts_with(p)) {
            return Err(ApiError::invalid(format!(
                "Snapshots of instances created from the {label} blueprint ({blueprint}) cannot be exported to Amazon EC2"
            )));
        }
    }
    let now = ctx.now;
    let region = ctx.region.to_string();
    let fails = ctx.faults.export_fails(&snap.from_resource, name);
    let done_at = now + ctx.world.durations.export_seconds;
    let mut record = ctx
        .world
        .new_record(World::source_of(&snap), &region, now, done_at);
    record.fails = fails;
    if !fails {
        // A failed export leaves nothing in EC2; a successful one its AMI / EBS snapshot,
        // pending for ec2Seconds after the record succeeds.
        let timing = Timing {
            created_at: now,
            ready_at: done_at + ctx.world.durations.ec2_seconds,
            outcome: Outcome::of(&ctx.faults.faults, &snap.from_resource, name),
        };
        ctx.world.add_export_artifacts(&record, timing, &Vec::new());
    }
    let record_name = record.name();
    ctx.world.insert_record(record);
    // Lightsail creates its service-linked role at the first export to EC2.
    ctx.world.service_linked_role = true;
    let op = ctx.world.add_operation(OperationRecord {
        id: String::new(),
        region,
        resource_name: name.to_string(),
        resource_type: snap.kind.snapshot_type().to_string(),
        operation_type: "ExportSnapshot".into(),
        details: record_name,
        created_at: now,
        // The operation covers starting the export; the record tracks the export itself.
        done_at: now + ctx.world.durations.operation_seconds,
        fails: false,
    });
    Ok(json!({ "operations": [render::operation(&op, now)] }))
}
