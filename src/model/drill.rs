//! The restore drill's world: the EC2 instance booted from an export's AMI (or the volume made
//! from its EBS snapshot), the isolated network it boots in, and what a finished drill leaves on
//! the export (its result tag). Plain data, no I/O: the EC2 adapter produces these.

use serde::{Deserialize, Serialize};

use super::{Tags, Timestamp};

/// The tags of what a drill makes, and of its result on the export, beside `MANAGED_TAG`.
pub mod drill_tag {
    /// On a drill's instance and volumes: the AMI or EBS snapshot it restores. What finds a
    /// drill again from the world alone, and what the IAM policy's deletes are conditioned on.
    pub const OF: &str = "lightsail-export:restore-test-of";
    /// On a drill's instance and volumes: RFC 3339, when the drill started (its timeout counts
    /// from it).
    pub const STARTED: &str = "lightsail-export:restore-test-started";
    /// On the export's AMI or EBS snapshot: the last drill's result
    /// (`2026-12-04T05:31:09Z PASSED boot=84 type=t3.micro started=2026-12-04T05:29:45Z`).
    pub const RESULT: &str = "lightsail-export:restore-test";
    /// On the export's AMI or EBS snapshot: why the last drill FAILED (absent when it passed).
    pub const REASON: &str = "lightsail-export:restore-test-reason";
}

/// The security group drills boot in: one per VPC, made by the function, with no rule either way.
pub const ISOLATED_GROUP_NAME: &str = "lightsail-export-restore-test";

/// Where a drill boots: a subnet (the default one of the default VPC unless
/// `RESTORE_TEST_SUBNET_ID` names one), its VPC and zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub availability_zone: String,
}

/// One rule of a security group, as EC2 describes it (and as it is revoked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// `-1` for every protocol.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
    pub group_ids: Vec<String>,
    pub prefix_list_ids: Vec<String>,
}

/// A security group and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub tags: Tags,
}

/// An instance's two status checks, as DescribeInstanceStatus shows them (`ok`, `impaired`,
/// `initializing`, `insufficient-data`, `not-applicable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChecks {
    pub system: String,
    pub instance: String,
}

/// A drill's instance, as DescribeInstances (and DescribeInstanceStatus) show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillInstance {
    pub id: String,
    pub image_id: String,
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    pub state: String,
    pub instance_type: String,
    pub launch_time: Option<Timestamp>,
    pub public_ip: Option<String>,
    pub tags: Tags,
    /// `None` until DescribeInstanceStatus was asked, or when it did not list the instance.
    pub checks: Option<StatusChecks>,
}

/// A drill's volume, as DescribeVolumes shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillVolume {
    pub id: String,
    pub snapshot_id: Option<String>,
    /// `creating`, `available`, `in-use`, `deleting`, `deleted`, `error`.
    pub state: String,
    pub size_gib: i64,
    pub created_at: Option<Timestamp>,
    pub tags: Tags,
}

impl DrillInstance {
    pub fn tag(&self, key: &str) -> Option<&str> {
        super::tag(&self.tags, key)
    }

    /// Gone, or on its way: nothing more to terminate.
    pub fn ending(&self) -> bool {
        matches!(self.state.as_str(), "shutting-down" | "terminated")
    }
}

impl DrillVolume {
    pub fn tag(&self, key: &str) -> Option<&str> {
        super::tag(&self.tags, key)
    }

    /// Gone, or on its way: nothing more to delete.
    pub fn ending(&self) -> bool {
        matches!(self.state.as_str(), "deleting" | "deleted")
    }
}

/// Every drill resource of the region, listed once per round (by the tag [`drill_tag::OF`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrillWorld {
    pub instances: Vec<DrillInstance>,
    pub volumes: Vec<DrillVolume>,
}

/// What a drill of an instance needs of its AMI, as DescribeImages shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillImage {
    pub id: String,
    /// The block devices' names: each is launched with `DeleteOnTermination`.
    pub devices: Vec<String>,
    /// `enaSupport`: whether the AMI may boot on an instance type that needs ENA.
    pub ena_support: Option<bool>,
}

/// A drill's RunInstances: the AMI booted once, isolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub image_id: String,
    pub instance_type: String,
    pub subnet_id: String,
    pub group_id: String,
    /// Each launched with `DeleteOnTermination=true`.
    pub devices: Vec<String>,
    /// On the instance and its volumes, at creation.
    pub tags: Vec<(String, String)>,
    pub client_token: String,
}

/// A drill's CreateVolume: the EBS snapshot restored once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeLaunch {
    pub snapshot_id: String,
    pub availability_zone: String,
    pub tags: Vec<(String, String)>,
    pub client_token: String,
}

/// A drill's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DrillState {
    Running,
    Passed,
    Failed,
}

impl DrillState {
    pub fn as_str(self) -> &'static str {
        match self {
            DrillState::Running => "RUNNING",
            DrillState::Passed => "PASSED",
            DrillState::Failed => "FAILED",
        }
    }
}

/// What a finished drill wrote on the export (the [`drill_tag::RESULT`] tag, read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillResult {
    pub finished_at: Timestamp,
    pub passed: bool,
    pub boot_seconds: Option<u64>,
    pub instance_type: Option<String>,
    pub started_at: Option<Timestamp>,
}

impl DrillResult {
    /// The tag's value: the finish time, the result, then `key=value` details.
    pub fn to_tag(&self) -> String {
        let mut text = format!(
            "{} {}",
            self.finished_at.rfc3339(),
            if self.passed { "PASSED" } else { "FAILED" }
        );
        if let Some(seconds) = self.boot_seconds {
            text.push_str(&format!(" boot={seconds}"));
        }
        if let Some(kind) = &self.instance_type {
            text.push_str(&format!(" type={kind}"));
        }
        if let Some(started) = self.started_at {
            text.push_str(&format!(" started={}", started.rfc3339()));
        }
        text
    }

    /// Reads a tag's value back; `None` when it is not one the function wrote (someone else's
    /// edit is ignored, as if no drill had run).
    pub fn parse(text: &str) -> Option<DrillResult> {
        let mut words = text.split_whitespace();
        let finished_at = Timestamp::parse_rfc3339(words.next()?).ok()?;
        let passed = match words.next()? {
            "PASSED" => true,
            "FAILED" => false,
            _ => return None,
        };
        let mut result = DrillResult {
            finished_at,
            passed,
            boot_seconds: None,
            instance_type: None,
            started_at: None,
        };
        for word in words {
            match word.split_once('=') {
                Some(("boot", seconds)) => result.boot_seconds = seconds.parse().ok(),
                Some(("type", kind)) => result.instance_type = Some(kind.to_string()),
                Some(("started", at)) => result.started_at = Timestamp::parse_rfc3339(at).ok(),
                _ => {}
            }
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::test_util::at;

    #[test]
    fn a_result_tag_reads_back_and_a_foreign_one_is_ignored() {
        let result = DrillResult {
            finished_at: at(1_796_000_000.0),
            passed: true,
            boot_seconds: Some(84),
            instance_type: Some("t3.micro".into()),
            started_at: Some(at(1_795_999_800.0)),
        };
        let text = result.to_tag();
        assert!(text.len() <= 256, "{text}");
        assert_eq!(DrillResult::parse(&text), Some(result));
        let failed = DrillResult {
            passed: false,
            boot_seconds: None,
            instance_type: None,
            started_at: None,
            finished_at: at(1_796_000_000.0),
        };
        assert_eq!(DrillResult::parse(&failed.to_tag()), Some(failed));
        for foreign in ["", "ok", "2026-12-04 PASSED", "2026-12-04T05:31:09Z MAYBE"] {
            assert_eq!(DrillResult::parse(foreign), None, "{foreign}");
        }
    }
}
