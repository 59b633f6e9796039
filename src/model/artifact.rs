//! What an export leaves in EC2: an AMI backed by one EBS snapshot per disk (an instance's
//! export), or one EBS snapshot (a disk's).

use super::Tags;

/// An AMI or an EBS snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    Image,
    Snapshot,
}

impl ArtifactKind {
    /// What an export destination id names: `ami-…` an image, anything else a snapshot.
    pub fn of_id(id: &str) -> ArtifactKind {
        match id.starts_with("ami-") {
            true => ArtifactKind::Image,
            false => ArtifactKind::Snapshot,
        }
    }
}

/// An AMI (with the EBS snapshots of its block devices) or an EBS snapshot, as EC2 describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ec2Artifact {
    pub kind: ArtifactKind,
    pub id: String,
    /// As EC2 writes it: `pending`, `available`, `failed`… for an AMI; `pending`, `completed`,
    /// `error`… for a snapshot.
    pub state: String,
    /// An AMI's EBS snapshots; empty for a snapshot.
    pub snapshot_ids: Vec<String>,
    /// The volume size of a snapshot; the sum over an AMI's block devices.
    pub size_gib: i64,
    pub tags: Tags,
    /// A snapshot's `StorageTier` as EC2 writes it: `standard`, or `archive` once archived
    /// (`ModifySnapshotTier`); `None` for an AMI, or when EC2 did not say.
    pub storage_tier: Option<String>,
}

impl Ec2Artifact {
    pub fn tag(&self, key: &str) -> Option<&str> {
        super::tag(&self.tags, key)
    }
}

/// The EC2 writes a round makes for a target (the output's `ec2Actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ec2Action {
    CreateTags,
    DeregisterImage,
    DeleteSnapshot,
    /// The archive tier's.
    ModifySnapshotTier,
    // The restore drill's.
    CreateSecurityGroup,
    RevokeSecurityGroupRules,
    RunInstances,
    TerminateInstances,
    CreateVolume,
    DeleteVolume,
}

impl Ec2Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Ec2Action::CreateTags => "CreateTags",
            Ec2Action::DeregisterImage => "DeregisterImage",
            Ec2Action::DeleteSnapshot => "DeleteSnapshot",
            Ec2Action::ModifySnapshotTier => "ModifySnapshotTier",
            Ec2Action::CreateSecurityGroup => "CreateSecurityGroup",
            Ec2Action::RevokeSecurityGroupRules => "RevokeSecurityGroupRules",
            Ec2Action::RunInstances => "RunInstances",
            Ec2Action::TerminateInstances => "TerminateInstances",
            Ec2Action::CreateVolume => "CreateVolume",
            Ec2Action::DeleteVolume => "DeleteVolume",
        }
    }
}
