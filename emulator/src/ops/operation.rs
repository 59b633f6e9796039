//! The Lightsail operations the emulator serves: parsed once from `X-Amz-Target`, then asked
//! whether they write, what they write to, and run.

use serde_json::Value;

use super::{copy, export, read, write, Ctx};
use crate::named::operation_enum;
use crate::protocol::{ApiError, TARGET_PREFIX};
use crate::world::model::Kind;

operation_enum!(
    /// A Lightsail operation the emulator implements (anything else is
    /// `UnknownOperationException`, answered by [`Operation::from_target`]).
    // `GetOperation` is Lightsail's name for it, so it ends with the enum's.
    #[allow(clippy::enum_variant_names)]
    Operation {
        GetInstances,
        GetInstance,
        GetDisks,
        GetDisk,
        GetAutoSnapshots,
        CopySnapshot,
        GetInstanceSnapshots,
        GetInstanceSnapshot,
        GetDiskSnapshots,
        GetDiskSnapshot,
        DeleteInstanceSnapshot,
        DeleteDiskSnapshot,
        ExportSnapshot,
        GetExportSnapshotRecords,
        GetOperation,
        GetOperations,
        TagResource,
        UntagResource,
    }
);

impl Operation {
    /// The operation an `X-Amz-Target` header (`Lightsail_20161128.GetInstances`) names.
    pub fn from_target(target: Option<&str>) -> Result<Operation, ApiError> {
        let Some(name) = target.and_then(|t| t.strip_prefix(TARGET_PREFIX)) else {
            let what = target.map_or("missing".to_string(), |t| format!("{t:?}"));
            return Err(ApiError::unknown_operation(format!(
                "The X-Amz-Target header is {what}"
            )));
        };
        Operation::from_name(name)
            .ok_or_else(|| ApiError::unknown_operation(format!("Unknown operation {name}")))
    }

    /// Whether it changes the world (logged in the write log, subject to drop-after-write).
    pub fn is_write(self) -> bool {
        use Operation::*;
        matches!(
            self,
            CopySnapshot
                | ExportSnapshot
                | DeleteInstanceSnapshot
                | DeleteDiskSnapshot
                | TagResource
                | UntagResource
        )
    }

    /// The write log's `target` and `source` of a request, read leniently from its input
    /// (empty for reads).
    pub fn write_target(self, input: &Value) -> (String, Option<String>) {
        use Operation::*;
        let s = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
        let target = match self {
            CopySnapshot => s("targetSnapshotName"),
            ExportSnapshot => s("sourceSnapshotName"),
            DeleteInstanceSnapshot => s("instanceSnapshotName"),
            DeleteDiskSnapshot => s("diskSnapshotName"),
            TagResource | UntagResource => s("resourceName"),
            _ => None,
        };
        let source = match self {
            CopySnapshot => s("sourceResourceName").or_else(|| s("sourceSnapshotName")),
            _ => None,
        };
        (target.unwrap_or_default(), source)
    }

    /// Runs the operation on `input` (a JSON object, else a serialization error).
    pub fn apply(self, ctx: &mut Ctx<'_>, input: &Value) -> Result<Value, ApiError> {
        use Operation::*;
        if !input.is_object() {
            return Err(ApiError::serialization(
                "Start of structure or map found where not expected.",
            ));
        }
        match self {
            GetInstances => read::get_instances(ctx, input),
            GetInstance => read::get_instance(ctx, input),
            GetDisks => read::get_disks(ctx, input),
            GetDisk => read::get_disk(ctx, input),
            GetAutoSnapshots => read::get_auto_snapshots(ctx, input),
            GetInstanceSnapshots => read::get_snapshots(ctx, input, Kind::Instance),
            GetDiskSnapshots => read::get_snapshots(ctx, input, Kind::Disk),
            GetInstanceSnapshot => read::get_snapshot(ctx, input, Kind::Instance),
            GetDiskSnapshot => read::get_snapshot(ctx, input, Kind::Disk),
            GetExportSnapshotRecords => read::get_export_snapshot_records(ctx, input),
            GetOperation => read::get_operation(ctx, input),
            GetOperations => read::get_operations(ctx, input),
            CopySnapshot => copy::copy_snapshot(ctx, input),
            ExportSnapshot => export::export_snapshot(ctx, input),
            DeleteInstanceSnapshot => write::delete_snapshot(ctx, input, Kind::Instance),
            DeleteDiskSnapshot => write::delete_snapshot(ctx, input, Kind::Disk),
            TagResource => write::tag_resource(ctx, input),
            UntagResource => write::untag_resource(ctx, input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_ones_are_refused_once() {
        assert_eq!(Operation::ALL.len(), 18);
        for op in Operation::ALL {
            let target = format!("{TARGET_PREFIX}{}", op.name());
            assert_eq!(Operation::from_target(Some(&target)), Ok(*op));
        }
        let unknown = Operation::from_target(Some("Lightsail_20161128.CreateInstances"));
        assert_eq!(
            unknown.map_err(|e| (e.kind, e.message)),
            Err((
                "UnknownOperationException",
                "Unknown operation CreateInstances".to_string()
            ))
        );
        let missing = Operation::from_target(None).map_err(|e| e.message);
        assert_eq!(missing, Err("The X-Amz-Target header is missing".into()));
        let other = Operation::from_target(Some("Other.GetInstances")).map_err(|e| e.message);
        assert_eq!(
            other,
            Err("The X-Amz-Target header is \"Other.GetInstances\"".into())
        );
    }

    #[test]
    fn writes_name_their_targets() {
        let writes: Vec<&str> = Operation::ALL
            .iter()
            .filter(|op| op.is_write())
            .map(|op| op.name())
            .collect();
        assert_eq!(
            writes,
            [
                "CopySnapshot",
                "DeleteInstanceSnapshot",
                "DeleteDiskSnapshot",
                "ExportSnapshot",
                "TagResource",
                "UntagResource"
            ]
        );
        let copy = serde_json::json!({"targetSnapshotName": "t", "sourceSnapshotName": "s"});
        assert_eq!(
            Operation::CopySnapshot.write_target(&copy),
            ("t".into(), Some("s".into()))
        );
        let tag = serde_json::json!({"resourceName": "web-1"});
        assert_eq!(
            Operation::UntagResource.write_target(&tag),
            ("web-1".into(), None)
        );
    }
}
