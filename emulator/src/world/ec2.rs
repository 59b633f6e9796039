//! EC2's side of the world: the AMIs and EBS snapshots that Lightsail exports leave behind, and
//! hand-made ones from the scenario. As everywhere else, no state is stored: an artifact keeps
//! when it appeared, when it stops being `pending` and how it ends, and the state is computed
//! from the clock when asked.

use serde::Serialize;

use super::model::{Tags, ACCOUNT};
use super::tiering::{phase_of, Archival, TierPhase};
use crate::faults::Faults;
use crate::timefmt;

/// The tag that marks an artifact as the function's own; the deployed role may deregister or
/// delete only what carries it with the value `true`.
pub const MANAGED_TAG: &str = "lightsail-export:managed";

/// How an artifact ends once its pending time is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    Failed,
    /// Never leaves `pending` (the `ec2StuckFor` fault).
    Stuck,
}

impl Outcome {
    /// How the artifacts of an export of `snapshot` (of `resource`) end under `faults`
    /// (`ec2StuckFor`, then `ec2FailFor`).
    pub fn of(faults: &Faults, resource: &str, snapshot: &str) -> Outcome {
        let named = |list: &[String]| list.iter().any(|n| n == resource || n == snapshot);
        if named(&faults.ec2_stuck_for) {
            Outcome::Stuck
        } else if named(&faults.ec2_fail_for) {
            Outcome::Failed
        } else {
            Outcome::Ready
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub created_at: f64,
    /// When it leaves `pending` (unless stuck).
    pub ready_at: f64,
    pub outcome: Outcome,
}

impl Timing {
    /// `None` while pending, else whether it ended well.
    pub fn done(&self, now: f64) -> Option<bool> {
        match self.outcome {
            Outcome::Stuck => None,
            _ if now < self.ready_at => None,
            Outcome::Ready => Some(true),
            Outcome::Failed => Some(false),
        }
    }

    /// `NN%`, growing linearly while pending; a failed one stays where it stopped.
    pub fn progress(&self, now: f64) -> String {
        if self.done(now) == Some(true) {
            return "100%".into();
        }
        let span = self.ready_at - self.created_at;
        let pct = if span > 0.0 {
            ((now.min(self.ready_at) - self.created_at) / span * 100.0).clamp(0.0, 99.0)
        } else {
            0.0
        };
        format!("{}%", pct.floor() as i64)
    }
}

/// One block device of an AMI: an EBS snapshot at a device name.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub name: String,
    pub snapshot_id: String,
    pub size_gib: i64,
    pub delete_on_termination: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub id: String,
    pub region: String,
    pub name: String,
    pub description: String,
    pub timing: Timing,
    /// From a Windows blueprint: platform `windows` and root device `/dev/sda1`.
    pub windows: bool,
    /// The root device first.
    pub devices: Vec<Device>,
    pub tags: Tags,
    /// Deregistered: what DescribeImages shows of it is the `deregisteredImage` switch's.
    pub deregistered: bool,
    /// The Lightsail snapshot it was exported from (`None` for a hand-made one).
    pub source: Option<String>,
    /// The Lightsail resource that snapshot was taken of (`None` for a hand-made one).
    pub resource: Option<String>,
}

impl Image {
    pub fn root_device(&self) -> &'static str {
        if self.windows {
            "/dev/sda1"
        } else {
            "/dev/xvda"
        }
    }
    pub fn state_at(&self, now: f64) -> &'static str {
        if self.deregistered {
            return "deregistered";
        }
        match self.timing.done(now) {
            None => "pending",
            Some(true) => "available",
            Some(false) => "failed",
        }
    }
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}::image/{}", self.region, self.id)
    }
    /// The names faults may name it by: its id, and the Lightsail snapshot and resource.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![self.id.clone()];
        names.extend(self.source.iter().chain(&self.resource).cloned());
        names
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EbsSnapshot {
    pub id: String,
    pub region: String,
    pub description: String,
    pub size_gib: i64,
    pub timing: Timing,
    pub tags: Tags,
    /// The AMI it was made for, if any (only for the admin view: use is by block device).
    pub image: Option<String>,
    /// The Lightsail snapshot it was exported from (`None` for a hand-made one).
    pub source: Option<String>,
    /// The Lightsail resource that snapshot was taken of (`None` for a hand-made one).
    pub resource: Option<String>,
    /// Its archival (ModifySnapshotTier), if one was started; `None`: standard tier.
    pub archival: Option<Archival>,
}

impl EbsSnapshot {
    pub fn state_at(&self, now: f64) -> &'static str {
        match self.timing.done(now) {
            None => "pending",
            Some(true) => "completed",
            Some(false) => "error",
        }
    }
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}::snapshot/{}", self.region, self.id)
    }
    /// Where it is in the archive tier at `now`.
    pub fn tier_at(&self, now: f64) -> TierPhase {
        phase_of(self.archival.as_ref(), now)
    }
    /// The names faults may name it by: its id, and the Lightsail snapshot and resource.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![self.id.clone()];
        names.extend(self.source.iter().chain(&self.resource).cloned());
        names
    }
}

/// Whether `tags` carry the managed tag with the value `true` (IAM's StringEquals is exact).
pub fn is_managed(tags: &Tags) -> bool {
    tags.iter().any(|(k, v)| k == MANAGED_TAG && v == "true")
}

/// An AMI as tests and the admin API see it (plain data, state computed at the time asked).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2ImageInfo {
    pub image_id: String,
    pub region: String,
    pub name: String,
    /// `pending`, `available`, `failed` or `deregistered`.
    pub state: String,
    pub created_at: String,
    pub snapshot_ids: Vec<String>,
    pub tags: std::collections::BTreeMap<String, String>,
    pub source: Option<String>,
    pub owner_id: String,
}

/// An EBS snapshot as tests and the admin API see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2SnapshotInfo {
    pub snapshot_id: String,
    pub region: String,
    /// `pending`, `completed` or `error`.
    pub state: String,
    pub size_gib: i64,
    pub description: String,
    pub start_time: String,
    pub image_id: Option<String>,
    pub tags: std::collections::BTreeMap<String, String>,
    pub source: Option<String>,
    pub owner_id: String,
    /// `standard` or `archive` (DescribeSnapshots' `storageTier`).
    pub storage_tier: String,
    /// The last archival's `lastTieringOperationStatus`, if one was started.
    pub tiering_status: Option<String>,
}

impl Image {
    pub fn info(&self, now: f64) -> Ec2ImageInfo {
        Ec2ImageInfo {
            image_id: self.id.clone(),
            region: self.region.clone(),
            name: self.name.clone(),
            state: self.state_at(now).into(),
            created_at: timefmt::format_iso_millis(self.timing.created_at),
            snapshot_ids: self.devices.iter().map(|d| d.snapshot_id.clone()).collect(),
            tags: self.tags.iter().cloned().collect(),
            source: self.source.clone(),
            owner_id: ACCOUNT.into(),
        }
    }
}

impl EbsSnapshot {
    pub fn info(&self, now: f64) -> Ec2SnapshotInfo {
        Ec2SnapshotInfo {
            snapshot_id: self.id.clone(),
            region: self.region.clone(),
            state: self.state_at(now).into(),
            size_gib: self.size_gib,
            description: self.description.clone(),
            start_time: timefmt::format_iso_millis(self.timing.created_at),
            image_id: self.image.clone(),
            tags: self.tags.iter().cloned().collect(),
            source: self.source.clone(),
            owner_id: ACCOUNT.into(),
            storage_tier: self.tier_at(now).storage_tier().into(),
            tiering_status: self.tier_at(now).operation_status().map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing() {
        let t = Timing {
            created_at: 0.0,
            ready_at: 100.0,
            outcome: Outcome::Ready,
        };
        assert_eq!((t.done(50.0), t.progress(50.0)), (None, "50%".into()));
        assert_eq!(
            (t.done(100.0), t.progress(100.0)),
            (Some(true), "100%".into())
        );
        let stuck = Timing {
            outcome: Outcome::Stuck,
            ..t.clone()
        };
        assert_eq!((stuck.done(1e9), stuck.progress(1e9)), (None, "99%".into()));
        let failed = Timing {
            outcome: Outcome::Failed,
            ..t
        };
        assert_eq!(failed.done(100.0), Some(false));
    }
}
