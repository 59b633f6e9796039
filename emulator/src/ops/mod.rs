//! Lightsail operations: input checks, then reads or writes of the world.

mod copy;
mod export;
mod input;
pub(crate) mod paging;
mod read;
mod write;

use serde_json::Value;

use crate::faults::FaultState;
use crate::protocol::ApiError;
use crate::world::World;

/// Everything an operation may look at or change.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub faults: &'a mut FaultState,
    /// The region the request was sent to.
    pub region: &'a str,
    pub now: f64,
}

/// The operations the emulator implements (reads and writes).
pub const OPERATIONS: &[&str] = &[
    "GetInstances",
    "GetInstance",
    "GetDisks",
    "GetDisk",
    "GetAutoSnapshots",
    "CopySnapshot",
    "GetInstanceSnapshots",
    "GetInstanceSnapshot",
    "GetDiskSnapshots",
    "GetDiskSnapshot",
    "DeleteInstanceSnapshot",
    "DeleteDiskSnapshot",
    "ExportSnapshot",
    "GetExportSnapshotRecords",
    "GetOperation",
    "GetOperations",
    "TagResource",
    "UntagResource",
];

/// Operations that change the world (logged in the write log, subject to drop-after-write).
pub fn is_write(operation: &str) -> bool {
    matches!(
        operation,
        "CopySnapshot"
            | "ExportSnapshot"
            | "DeleteInstanceSnapshot"
            | "DeleteDiskSnapshot"
            | "TagResource"
            | "UntagResource"
    )
}

/// The write log's `target` and `source` of a write request, read leniently from its input.
pub fn write_target(operation: &str, input: &Value) -> (String, Option<String>) {
    let s = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
    let target = match operation {
        "CopySnapshot" => s("targetSnapshotName"),
        "ExportSnapshot" => s("sourceSnapshotName"),
        "DeleteInstanceSnapshot" => s("instanceSnapshotName"),
        "DeleteDiskSnapshot" => s("diskSnapshotName"),
        _ => s("resourceName"),
    };
    let source = match operation {
        "CopySnapshot" => s("sourceResourceName").or_else(|| s("sourceSnapshotName")),
        _ => None,
    };
    (target.unwrap_or_default(), source)
}

/// Runs one operation. `None` when the operation is not one the emulator knows.
pub fn dispatch(
    ctx: &mut Ctx<'_>,
    operation: &str,
    input: &Value,
) -> Option<Result<Value, ApiError>> {
    if !input.is_object() {
        return Some(Err(ApiError::serialization(
            "Start of structure or map found where not expected.",
        )));
    }
    let result = match operation {
        "GetInstances" => read::get_instances(ctx, input),
        "GetInstance" => read::get_instance(ctx, input),
        "GetDisks" => read::get_disks(ctx, input),
        "GetDisk" => read::get_disk(ctx, input),
        "GetAutoSnapshots" => read::get_auto_snapshots(ctx, input),
        "GetInstanceSnapshots" => {
            read::get_snapshots(ctx, input, crate::world::model::Kind::Instance)
        }
        "GetDiskSnapshots" => read::get_snapshots(ctx, input, crate::world::model::Kind::Disk),
        "GetInstanceSnapshot" => {
            read::get_snapshot(ctx, input, crate::world::model::Kind::Instance)
        }
        "GetDiskSnapshot" => read::get_snapshot(ctx, input, crate::world::model::Kind::Disk),
        "GetExportSnapshotRecords" => read::get_export_snapshot_records(ctx, input),
        "GetOperation" => read::get_operation(ctx, input),
        "GetOperations" => read::get_operations(ctx, input),
        "CopySnapshot" => copy::copy_snapshot(ctx, input),
        "ExportSnapshot" => export::export_snapshot(ctx, input),
        "DeleteInstanceSnapshot" => {
            write::delete_snapshot(ctx, input, crate::world::model::Kind::Instance)
        }
        "DeleteDiskSnapshot" => write::delete_snapshot(ctx, input, crate::world::model::Kind::Disk),
        "TagResource" => write::tag_resource(ctx, input),
        "UntagResource" => write::untag_resource(ctx, input),
        _ => return None,
    };
    Some(result)
}
