//! EC2 instances and EBS volumes of restore drills. As everywhere else no state is stored: an
//! instance keeps when it was launched and when it was terminated, a volume when it was made,
//! released by its instance and deleted, and the state is computed from the clock and the
//! scenario's durations when asked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::Tags;
use crate::scenario::Durations;
use crate::timefmt::format_iso_millis;

/// How long an idempotency token is remembered after its instance terminated ("at least 24
/// hours", EC2 API reference, Ensuring idempotency).
pub const TOKEN_AFTER_TERMINATION: f64 = 86_400.0;

/// How an instance's status checks end (decided at launch, from the faults in force then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    Pass,
    /// `impairedFor`: `impaired` / `failed` once the checks are done.
    Impaired,
    /// `statusInitializingFor`: never leave `initializing`.
    Initializing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstancePhase {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    /// No longer visible at all (`InvalidInstanceID.NotFound`).
    Gone,
}

impl InstancePhase {
    /// EC2's state code and name.
    pub fn code(self) -> i64 {
        match self {
            InstancePhase::Pending => 0,
            InstancePhase::Running => 16,
            InstancePhase::ShuttingDown => 32,
            InstancePhase::Terminated | InstancePhase::Gone => 48,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            InstancePhase::Pending => "pending",
            InstancePhase::Running => "running",
            InstancePhase::ShuttingDown => "shutting-down",
            InstancePhase::Terminated | InstancePhase::Gone => "terminated",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ec2Instance {
    pub id: String,
    pub reservation_id: String,
    pub region: String,
    pub image_id: String,
    pub instance_type: String,
    pub zone: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub private_ip: String,
    pub public_ip: Option<String>,
    pub group_ids: Vec<String>,
    pub tags: Tags,
    pub launched_at: f64,
    pub client_token: Option<String>,
    /// The request's parameters, to tell a retry from another request with the same token.
    pub fingerprint: String,
    pub shutdown_behavior: String,
    pub root_device: String,
    pub windows: bool,
    /// `(device name, volume id)`, root first.
    pub devices: Vec<(String, String)>,
    pub terminated_at: Option<f64>,
    pub checks: Checks,
    /// The AMI id and the Lightsail names it was exported from (for the faults).
    pub names: Vec<String>,
}

impl Ec2Instance {
    pub fn running_since(&self, d: &Durations) -> f64 {
        self.launched_at + d.instance_pending_seconds
    }
    /// When it is `terminated` (after `shutting-down`), once TerminateInstances was called.
    pub fn terminated_by(&self, d: &Durations) -> Option<f64> {
        self.terminated_at.map(|t| t + d.shutting_down_seconds)
    }
    pub fn phase(&self, now: f64, d: &Durations) -> InstancePhase {
        match self.terminated_by(d) {
            Some(t) if now >= t + d.terminated_visible_seconds => InstancePhase::Gone,
            Some(t) if now >= t => InstancePhase::Terminated,
            Some(_) => InstancePhase::ShuttingDown,
            None if now < self.running_since(d) => InstancePhase::Pending,
            None => InstancePhase::Running,
        }
    }
    /// Whether its client token still answers for it.
    pub fn token_live(&self, now: f64, d: &Durations) -> bool {
        self.terminated_by(d)
            .is_none_or(|t| now < t + TOKEN_AFTER_TERMINATION)
    }
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:123456789012:instance/{}",
            self.region, self.id
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub instance_id: String,
    pub device: String,
    pub delete_on_termination: bool,
    pub attach_time: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumePhase {
    Creating,
    Available,
    InUse,
    Deleting,
    Gone,
}

impl VolumePhase {
    pub fn name(self) -> &'static str {
        match self {
            VolumePhase::Creating => "creating",
            VolumePhase::Available => "available",
            VolumePhase::InUse => "in-use",
            VolumePhase::Deleting => "deleting",
            VolumePhase::Gone => "deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub id: String,
    pub region: String,
    pub snapshot_id: Option<String>,
    pub size_gib: i64,
    pub zone: String,
    pub volume_type: String,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    pub created_at: f64,
    /// When a CreateVolume volume is `available`; `None`: never (`volumeStuckFor`).
    pub ready_at: Option<f64>,
    pub tags: Tags,
    /// A volume RunInstances made, attached from the launch on.
    pub attachment: Option<Attachment>,
    /// When its instance's termination ends (the volume is detached, or deleted, then).
    pub released_at: Option<f64>,
    /// When it starts `deleting` (DeleteVolume, or its instance's termination).
    pub deleted_at: Option<f64>,
    pub client_token: Option<String>,
    pub fingerprint: String,
}

impl Volume {
    pub fn phase(&self, now: f64, d: &Durations) -> VolumePhase {
        match self.released_at {
            Some(r) if now < r => return VolumePhase::InUse,
            None if self.attachment.is_some() => return VolumePhase::InUse,
            _ => {}
        }
        if let Some(del) = self.deleted_at {
            return if now < del + d.volume_deleting_seconds {
                VolumePhase::Deleting
            } else {
                VolumePhase::Gone
            };
        }
        match self.ready_at {
            _ if self.attachment.is_some() => VolumePhase::Available,
            Some(t) if now >= t => VolumePhase::Available,
            _ => VolumePhase::Creating,
        }
    }
    /// The instance it is attached to now, if any.
    pub fn attached_to(&self, now: f64, d: &Durations) -> Option<&Attachment> {
        match self.phase(now, d) {
            VolumePhase::InUse => self.attachment.as_ref(),
            _ => None,
        }
    }
    /// Whether its client token still answers for it (24 hours after it was deleted).
    pub fn token_live(&self, now: f64) -> bool {
        self.deleted_at
            .is_none_or(|t| now < t + TOKEN_AFTER_TERMINATION)
    }
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:123456789012:volume/{}",
            self.region, self.id
        )
    }
}

/// An instance as tests and the admin API see it (state as of the time asked).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2InstanceInfo {
    pub instance_id: String,
    pub region: String,
    pub image_id: String,
    /// `pending`, `running`, `shutting-down` or `terminated`.
    pub state: String,
    pub instance_type: String,
    pub subnet_id: String,
    pub public_ip: Option<String>,
    pub security_group_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub launch_time: String,
    pub volume_ids: Vec<String>,
}

/// A volume as tests and the admin API see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2VolumeInfo {
    pub volume_id: String,
    pub region: String,
    pub snapshot_id: Option<String>,
    /// `creating`, `available`, `in-use` or `deleting`.
    pub state: String,
    pub size_gib: i64,
    pub tags: BTreeMap<String, String>,
    /// The instance it is attached to now.
    pub attached_to: Option<String>,
}

impl Ec2Instance {
    pub fn info(&self, now: f64, d: &Durations) -> Ec2InstanceInfo {
        Ec2InstanceInfo {
            instance_id: self.id.clone(),
            region: self.region.clone(),
            image_id: self.image_id.clone(),
            state: self.phase(now, d).name().into(),
            instance_type: self.instance_type.clone(),
            subnet_id: self.subnet_id.clone(),
            public_ip: self.public_ip.clone(),
            security_group_ids: self.group_ids.clone(),
            tags: self.tags.iter().cloned().collect(),
            launch_time: format_iso_millis(self.launched_at),
            volume_ids: self.devices.iter().map(|(_, v)| v.clone()).collect(),
        }
    }
}

impl Volume {
    pub fn info(&self, now: f64, d: &Durations) -> Ec2VolumeInfo {
        Ec2VolumeInfo {
            volume_id: self.id.clone(),
            region: self.region.clone(),
            snapshot_id: self.snapshot_id.clone(),
            state: self.phase(now, d).name().into(),
            size_gib: self.size_gib,
            tags: self.tags.iter().cloned().collect(),
            attached_to: self.attached_to(now, d).map(|a| a.instance_id.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> Ec2Instance {
        Ec2Instance {
            id: "i-1".into(),
            reservation_id: "r-1".into(),
            region: "us-east-1".into(),
            image_id: "ami-1".into(),
            instance_type: "t3.micro".into(),
            zone: "us-east-1a".into(),
            subnet_id: "subnet-1".into(),
            vpc_id: "vpc-1".into(),
            private_ip: "172.31.0.5".into(),
            public_ip: None,
            group_ids: Vec::new(),
            tags: Vec::new(),
            launched_at: 0.0,
            client_token: None,
            fingerprint: String::new(),
            shutdown_behavior: "stop".into(),
            root_device: "/dev/xvda".into(),
            windows: false,
            devices: Vec::new(),
            terminated_at: None,
            checks: Checks::Pass,
            names: Vec::new(),
        }
    }

    #[test]
    fn an_instance_goes_pending_running_shutting_down_terminated_gone() {
        let d = Durations::default();
        let mut i = instance();
        assert_eq!(i.phase(29.0, &d), InstancePhase::Pending);
        assert_eq!(i.phase(30.0, &d), InstancePhase::Running);
        i.terminated_at = Some(100.0);
        assert_eq!(i.phase(159.0, &d), InstancePhase::ShuttingDown);
        assert_eq!(i.phase(160.0, &d).code(), 48);
        assert_eq!(i.phase(3759.0, &d), InstancePhase::Terminated);
        assert_eq!(i.phase(3760.0, &d), InstancePhase::Gone);
        assert!(i.token_live(160.0 + 86_399.0, &d));
        assert!(!i.token_live(160.0 + 86_400.0, &d));
    }

    #[test]
    fn volumes_are_created_released_and_deleted() {
        let d = Durations::default();
        let mut v = Volume {
            id: "vol-1".into(),
            region: "r".into(),
            snapshot_id: None,
            size_gib: 8,
            zone: "ra".into(),
            volume_type: "gp2".into(),
            iops: None,
            throughput: None,
            created_at: 0.0,
            ready_at: Some(60.0),
            tags: Vec::new(),
            attachment: None,
            released_at: None,
            deleted_at: None,
            client_token: None,
            fingerprint: String::new(),
        };
        assert_eq!(v.phase(59.0, &d), VolumePhase::Creating);
        assert_eq!(v.phase(60.0, &d), VolumePhase::Available);
        v.deleted_at = Some(100.0);
        assert_eq!(v.phase(109.0, &d), VolumePhase::Deleting);
        assert_eq!(v.phase(110.0, &d), VolumePhase::Gone);
        v.deleted_at = None;
        v.ready_at = None;
        assert_eq!(v.phase(1e9, &d), VolumePhase::Creating, "stuck");
        v.attachment = Some(Attachment {
            instance_id: "i-1".into(),
            device: "/dev/xvda".into(),
            delete_on_termination: false,
            attach_time: 0.0,
        });
        assert_eq!(v.phase(5.0, &d), VolumePhase::InUse);
        v.released_at = Some(200.0);
        assert_eq!(
            v.attached_to(199.0, &d).map(|a| a.device.as_str()),
            Some("/dev/xvda")
        );
        assert_eq!(v.phase(200.0, &d), VolumePhase::Available);
        v.deleted_at = Some(200.0);
        assert_eq!(v.phase(200.0, &d), VolumePhase::Deleting);
    }
}
