//! The starting points of the tests' resources and export records (tests only): each test
//! changes what it is about with struct-update syntax, so the defaults live here once.

use super::{ExportRecord, RecordState, Resource, ResourceType};

impl Resource {
    /// A resource with its automatic snapshots on, no tags, no blueprint and no time of day.
    pub fn test(name: &str, resource_type: ResourceType) -> Resource {
        Resource {
            name: name.into(),
            resource_type,
            blueprint_id: String::new(),
            blueprint_name: String::new(),
            tags: Vec::new(),
            auto_snapshots_enabled: Some(true),
            snapshot_time_of_day: None,
            ram_mib: None,
        }
    }
}

impl ExportRecord {
    /// An export record of the snapshot `source`, named after it, with no time and no
    /// destination.
    pub fn test(source: &str, state: RecordState) -> ExportRecord {
        ExportRecord {
            name: format!("ExportSnapshotRecord-{source}"),
            arn: None,
            state,
            created_at: None,
            source_name: source.into(),
            from_resource: None,
            source_created_at: None,
            destination: None,
        }
    }
}
