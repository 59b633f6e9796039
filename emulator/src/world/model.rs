//! The things Lightsail holds. Anything that changes over time stores when it started and when
//! it ends, never a current state: the state is computed from the clock when asked.

pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Instance,
    Disk,
}

impl Kind {
    pub fn snapshot_type(self) -> &'static str {
        match self {
            Kind::Instance => "InstanceSnapshot",
            Kind::Disk => "DiskSnapshot",
        }
    }
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::Instance => "Instance",
            Kind::Disk => "Disk",
        }
    }
    /// The state a finished snapshot of this kind reports.
    pub fn done_state(self) -> &'static str {
        match self {
            Kind::Instance => "available",
            Kind::Disk => "completed",
        }
    }
}

pub type Tags = Vec<(String, String)>;

/// A disk attached to an instance when its snapshot was taken. An export turns each one into
/// one more EBS snapshot of the AMI.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedDisk {
    pub name: String,
    /// `/dev/xvdf`, `/dev/xvdg`, … in the order of the disks' names.
    pub path: String,
    pub size_in_gb: i64,
}

#[derive(Debug, Clone)]
pub struct AutoSnapshot {
    pub date: String,
    pub created_at: f64,
    pub status: String,
    /// For `InProgress`: the simulated time it becomes `Success`, when the scenario says;
    /// otherwise the `autoSnapshotInProgress` switch decides (`World::auto_status`).
    pub success_at: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub name: String,
    pub uuid: String,
    pub support_id: String,
    pub region: String,
    pub created_at: f64,
    pub blueprint_id: String,
    pub bundle_id: String,
    pub tags: Tags,
    pub auto_snapshot_add_on: bool,
    /// `HH:MM` UTC, the add-on's snapshotTimeOfDay.
    pub snapshot_time_of_day: String,
    pub auto_snapshots: Vec<AutoSnapshot>,
    pub private_ip: String,
    pub public_ip: String,
}

#[derive(Debug, Clone)]
pub struct Disk {
    pub name: String,
    pub uuid: String,
    pub support_id: String,
    pub region: String,
    pub created_at: f64,
    pub size_in_gb: i64,
    pub attached_to: Option<String>,
    pub tags: Tags,
    pub auto_snapshot_add_on: bool,
    /// `HH:MM` UTC, the add-on's snapshotTimeOfDay.
    pub snapshot_time_of_day: String,
    pub auto_snapshots: Vec<AutoSnapshot>,
}

/// A manual snapshot (instance or disk).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub kind: Kind,
    pub name: String,
    pub uuid: String,
    pub support_id: String,
    pub region: String,
    pub created_at: f64,
    /// When it leaves `pending`.
    pub ready_at: f64,
    /// Whether it then ends in `error` instead of available/completed.
    pub fails: bool,
    pub from_resource: String,
    pub from_resource_arn: String,
    pub from_blueprint_id: Option<String>,
    pub from_bundle_id: Option<String>,
    pub size_in_gb: i64,
    /// Instance snapshots: the disks attached to the instance when it was taken.
    pub attached_disks: Vec<AttachedDisk>,
    pub is_from_auto_snapshot: bool,
    pub tags: Tags,
}

impl Snapshot {
    pub fn arn(&self) -> String {
        arn(&self.region, self.kind.snapshot_type(), &self.uuid)
    }
    pub fn state_at(&self, now: f64) -> &'static str {
        if now < self.ready_at {
            "pending"
        } else if self.fails {
            "error"
        } else {
            self.kind.done_state()
        }
    }
    pub fn progress_at(&self, now: f64) -> String {
        let span = self.ready_at - self.created_at;
        if now >= self.ready_at || span <= 0.0 {
            return "100%".into();
        }
        let pct = ((now - self.created_at) / span * 100.0).clamp(0.0, 99.0);
        format!("{}%", pct.floor() as i64)
    }
}

/// What an export record says about its source, captured when the export started.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub kind: Kind,
    pub name: String,
    pub arn: String,
    pub created_at: f64,
    pub from_resource: String,
    pub from_resource_arn: String,
    pub from_blueprint_id: Option<String>,
    pub from_bundle_id: Option<String>,
    pub size_in_gb: i64,
    pub attached_disks: Vec<AttachedDisk>,
    /// Made up by the scenario for a snapshot the world never held: matched by name, not ARN.
    pub made_up: bool,
}

#[derive(Debug, Clone)]
pub struct ExportRecord {
    /// Creation order, and the tie-break of the ordered listings.
    pub seq: u64,
    /// The sort key of the shuffled listing, kept so switching orders back and forth is stable.
    pub shuffle: u64,
    pub uuid: String,
    pub region: String,
    pub created_at: f64,
    pub done_at: f64,
    pub fails: bool,
    pub source: SourceInfo,
    /// The EC2 id it gets once it succeeds (ami-… or snap-…).
    pub destination_id: String,
}

impl ExportRecord {
    /// Whether this record is of `snap` (deleting `snap` may delete it).
    pub fn is_of(&self, snap: &Snapshot) -> bool {
        self.source.arn == snap.arn() || (self.source.made_up && self.source.name == snap.name)
    }
    pub fn name(&self) -> String {
        format!("ExportSnapshotRecord-{}", self.uuid)
    }
    pub fn state_at(&self, now: f64) -> &'static str {
        if now < self.done_at {
            "Started"
        } else if self.fails {
            "Failed"
        } else {
            "Succeeded"
        }
    }
}

/// One of Lightsail's `Operation` objects: what a write answers and GetOperation shows. Named
/// apart from `ops::Operation`, the API operation a request calls.
#[derive(Debug, Clone)]
pub struct OperationRecord {
    pub id: String,
    pub region: String,
    pub resource_name: String,
    pub resource_type: String,
    pub operation_type: String,
    pub details: String,
    pub created_at: f64,
    pub done_at: f64,
    pub fails: bool,
}

impl OperationRecord {
    pub fn status_at(&self, now: f64) -> &'static str {
        if now < self.done_at {
            "Started"
        } else if self.fails {
            "Failed"
        } else {
            "Succeeded"
        }
    }
}

pub fn arn(region: &str, resource_type: &str, uuid: &str) -> String {
    format!("arn:aws:lightsail:{region}:{ACCOUNT}:{resource_type}/{uuid}")
}
