//! The shared words of the domain: what Lightsail holds, as every stage of a round sees it.
//! Plain data, no I/O: the adapter (`lightsail`) produces these, `decide` reasons on them.

mod artifact;
pub mod doctor;
pub mod drill;
#[cfg(test)]
mod fixtures;
pub mod keep;
mod listing;
mod tags;
pub mod time;

use serde::{Deserialize, Serialize};

pub use artifact::{ArtifactKind, Ec2Action, Ec2Artifact};
pub use listing::Listing;
pub use tags::{artifact_tag, copy_tag, tag, TagFilter, Tags, MANAGED_TAG, TAG_PREFIX};
pub use time::{Date, Timestamp};

/// An instance or a block-storage disk: what can be snapshotted and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceType {
    Instance,
    Disk,
}

impl ResourceType {
    /// `instance` / `disk`, as `{type}` in `SNAPSHOT_NAME_FORMAT`.
    pub fn lowercase(self) -> &'static str {
        match self {
            ResourceType::Instance => "instance",
            ResourceType::Disk => "disk",
        }
    }
}

/// Where a target is in the pipeline (the output's `phase`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Phase {
    #[default]
    Copying,
    Exporting,
    Exported,
    Failed,
}

impl Phase {
    pub fn in_progress(self) -> bool {
        matches!(self, Phase::Copying | Phase::Exporting)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Copying => "COPYING",
            Phase::Exporting => "EXPORTING",
            Phase::Exported => "EXPORTED",
            Phase::Failed => "FAILED",
        }
    }
}

/// An instance or a disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub resource_type: ResourceType,
    pub blueprint_id: String,
    pub blueprint_name: String,
    pub tags: Tags,
    /// Whether the automatic-snapshot add-on is on (`None` when Lightsail did not say).
    pub auto_snapshots_enabled: Option<bool>,
    /// The add-on's `snapshotTimeOfDay` (`HH:00`, UTC): automatic snapshots start then and up to
    /// 45 minutes after.
    pub snapshot_time_of_day: Option<String>,
    /// An instance's memory (its bundle's `ramSizeInGb`, in MiB): what a restore drill's EC2
    /// instance type is chosen by. `None` for a disk, or when Lightsail did not say.
    pub ram_mib: Option<u32>,
}

/// An automatic snapshot's status, as GetAutoSnapshots lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoSnapshotStatus {
    /// The only restorable status.
    Success,
    Failed,
    InProgress,
    NotFound,
    /// A status this code does not know: never restorable.
    Other(String),
}

impl AutoSnapshotStatus {
    pub fn parse(text: &str) -> AutoSnapshotStatus {
        match text {
            "Success" => AutoSnapshotStatus::Success,
            "Failed" => AutoSnapshotStatus::Failed,
            "InProgress" => AutoSnapshotStatus::InProgress,
            "NotFound" => AutoSnapshotStatus::NotFound,
            other => AutoSnapshotStatus::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AutoSnapshotStatus::Success => "Success",
            AutoSnapshotStatus::Failed => "Failed",
            AutoSnapshotStatus::InProgress => "InProgress",
            AutoSnapshotStatus::NotFound => "NotFound",
            AutoSnapshotStatus::Other(text) => text,
        }
    }
}

/// An automatic snapshot, as GetAutoSnapshots lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSnapshot {
    /// The `restoreDate` that copies it.
    pub date: Date,
    pub status: AutoSnapshotStatus,
}

/// Today's (UTC) automatic snapshot of a target, when it is not the one exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoSnapshotToday {
    pub date: Date,
    /// As GetAutoSnapshots lists it (`InProgress`, `Failed`, …), or `NotYetTaken` when it lists
    /// nothing for today.
    pub status: String,
    /// The add-on's `snapshotTimeOfDay` (`HH:00`, UTC): Lightsail starts the snapshot then, or up
    /// to 45 minutes after. `null` when Lightsail did not say.
    pub time_of_day: Option<String>,
}

/// The state of a manual snapshot (a copy), or `Missing` when there is none of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotState {
    Missing,
    /// `pending`: being copied.
    Pending,
    /// `available` (instance snapshot) or `completed` (disk snapshot).
    Ready,
    /// `error`: terminal.
    Error,
    /// Anything else (`unknown`…): wait and look again.
    Other(String),
}

impl SnapshotState {
    pub fn parse(state: &str) -> SnapshotState {
        match state {
            "pending" => SnapshotState::Pending,
            "available" | "completed" => SnapshotState::Ready,
            "error" => SnapshotState::Error,
            other => SnapshotState::Other(other.to_string()),
        }
    }

    /// As Lightsail writes it for a snapshot of `resource_type`.
    pub fn as_str(&self, resource_type: ResourceType) -> &str {
        match (self, resource_type) {
            (SnapshotState::Missing, _) => "missing",
            (SnapshotState::Pending, _) => "pending",
            (SnapshotState::Ready, ResourceType::Instance) => "available",
            (SnapshotState::Ready, ResourceType::Disk) => "completed",
            (SnapshotState::Error, _) => "error",
            (SnapshotState::Other(state), _) => state,
        }
    }
}

/// A manual instance or disk snapshot: the function's copies, and anyone else's.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualSnapshot {
    pub name: String,
    pub resource_type: ResourceType,
    pub state: SnapshotState,
    /// The instance or disk it was taken from.
    pub from_resource: Option<String>,
    pub tags: Tags,
    pub created_at: Option<Timestamp>,
    /// `isFromAutoSnapshot`: every copy the function makes is; a user's own snapshot is not.
    pub from_auto_snapshot: Option<bool>,
    /// `sizeInGb`, what Lightsail bills the copy's storage on.
    pub size_gib: Option<i64>,
}

impl ManualSnapshot {
    /// No snapshot of that name.
    pub fn missing(name: &str, resource_type: ResourceType) -> ManualSnapshot {
        ManualSnapshot {
            name: name.to_string(),
            resource_type,
            state: SnapshotState::Missing,
            from_resource: None,
            tags: Vec::new(),
            created_at: None,
            from_auto_snapshot: None,
            size_gib: None,
        }
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        tag(&self.tags, key)
    }
}

/// An export record's state. Anything but `Succeeded` and `Failed` counts as running: the
/// function never starts a second export over something it does not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordState {
    Started,
    Succeeded,
    Failed,
    Other(String),
}

impl RecordState {
    pub fn parse(text: &str) -> RecordState {
        match text {
            "Started" => RecordState::Started,
            "Succeeded" => RecordState::Succeeded,
            "Failed" => RecordState::Failed,
            other => RecordState::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            RecordState::Started => "Started",
            RecordState::Succeeded => "Succeeded",
            RecordState::Failed => "Failed",
            RecordState::Other(text) => text,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self, RecordState::Started | RecordState::Other(_))
    }
}

/// Where an export went: an AMI (`Aws::EC2::Image`) or an EBS snapshot (`Aws::EC2::Snapshot`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: String,
    pub service: String,
}

/// An export record, reduced to what decisions and the report need.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRecord {
    pub name: String,
    pub arn: Option<String>,
    pub state: RecordState,
    pub created_at: Option<Timestamp>,
    /// The exported snapshot (`sourceInfo.name`): how a record is matched to a copy.
    pub source_name: String,
    /// The instance or disk the exported snapshot was taken from.
    pub from_resource: Option<String>,
    /// When the exported snapshot (the copy) was made.
    pub source_created_at: Option<Timestamp>,
    pub destination: Option<Destination>,
}

/// The Lightsail writes a round makes for a target (the output's `actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    CopySnapshot,
    TagResource,
    ExportSnapshot,
    DeleteInstanceSnapshot,
    DeleteDiskSnapshot,
}

impl Action {
    /// Every Lightsail write the function makes.
    pub const ALL: [Action; 5] = [
        Action::CopySnapshot,
        Action::TagResource,
        Action::ExportSnapshot,
        Action::DeleteInstanceSnapshot,
        Action::DeleteDiskSnapshot,
    ];

    /// The operation's name, as the output and IAM write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CopySnapshot => "CopySnapshot",
            Action::TagResource => "TagResource",
            Action::ExportSnapshot => "ExportSnapshot",
            Action::DeleteInstanceSnapshot => "DeleteInstanceSnapshot",
            Action::DeleteDiskSnapshot => "DeleteDiskSnapshot",
        }
    }

    /// The deletion of a snapshot of `resource_type`.
    pub fn delete(resource_type: ResourceType) -> Action {
        match resource_type {
            ResourceType::Instance => Action::DeleteInstanceSnapshot,
            ResourceType::Disk => Action::DeleteDiskSnapshot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_and_print_back() {
        for text in ["Success", "Failed", "InProgress", "NotFound", "Later"] {
            assert_eq!(AutoSnapshotStatus::parse(text).as_str(), text);
        }
        for text in ["Started", "Succeeded", "Failed", "Queued"] {
            assert_eq!(RecordState::parse(text).as_str(), text);
        }
        assert!(RecordState::parse("Queued").is_running());
        assert!(!RecordState::Failed.is_running());
        assert_eq!(SnapshotState::parse("completed"), SnapshotState::Ready);
        assert_eq!(SnapshotState::Ready.as_str(ResourceType::Disk), "completed");
        assert_eq!(
            SnapshotState::Ready.as_str(ResourceType::Instance),
            "available"
        );
        assert_eq!(
            SnapshotState::parse("unknown").as_str(ResourceType::Disk),
            "unknown"
        );
    }

    #[test]
    fn actions_are_the_operation_names() {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "CopySnapshot",
                "TagResource",
                "ExportSnapshot",
                "DeleteInstanceSnapshot",
                "DeleteDiskSnapshot"
            ]
        );
        assert_eq!(
            Action::delete(ResourceType::Disk),
            Action::DeleteDiskSnapshot
        );
    }
}
