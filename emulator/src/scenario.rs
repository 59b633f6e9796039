//! The scenario file: the world the emulator starts from (JSON or YAML, camelCase).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod ec2;
mod validate;

use crate::faults::Faults;
use crate::switches::Switches;
use crate::timefmt;
use crate::Error;
use ec2::{Ec2ImageSpec, Ec2Policy, Ec2SnapshotSpec, Ec2VpcSpec};

const DEMO: &str = include_str!("../scenarios/demo.yaml");
const TWO_REGIONS: &str = include_str!("../scenarios/two-regions.yaml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Scenario {
    /// Default region of resources; requests are routed by their SigV4 credential-scope region.
    pub region: String,
    /// Simulated clock start; `None` = the real time when loaded.
    pub now: Option<Instant>,
    /// Simulated seconds per real second; 0 = the clock moves only when advanced.
    pub speed: f64,
    /// Page size of every paged Get* operation, unless `switches.pageSize` is set (default 20).
    pub page_size: Option<usize>,
    /// Seeds ids, record order and generated data.
    pub seed: u64,
    pub durations: Durations,
    pub instances: Vec<InstanceSpec>,
    pub disks: Vec<DiskSpec>,
    pub snapshots: Vec<SnapshotSpec>,
    pub export_records: Vec<ExportRecordSpec>,
    pub unrelated_export_records: usize,
    /// The same, in other regions: region -> how many (for worlds over several regions).
    pub unrelated_export_records_by_region: std::collections::BTreeMap<String, usize>,
    /// Names only: a static IP's name takes its place in the region's name space.
    pub static_ips: Vec<StaticIpSpec>,
    /// Hand-made AMIs (a user's own, or managed ones of earlier nights) with their snapshots.
    pub ec2_images: Vec<Ec2ImageSpec>,
    /// Hand-made EBS snapshots that belong to no AMI.
    pub ec2_snapshots: Vec<Ec2SnapshotSpec>,
    pub ec2_policy: Ec2Policy,
    /// The account's network: a default VPC in every region unless `defaultVpc: false`.
    pub ec2_vpc: Ec2VpcSpec,
    pub faults: Faults,
    pub switches: Switches,
    /// Lightsail takes an automatic snapshot of every resource whose add-on is on, every day at
    /// its `snapshotTimeOfDay`, from the day after the newest one the scenario lists: `InProgress`
    /// for `durations.autoSnapshotSeconds`, then `Success`; the newest seven are kept. Off by
    /// default (the scenario's list is then all there is), so that a night can be replayed.
    pub daily_auto_snapshots: bool,
    /// Whether the account already has Lightsail's service-linked role
    /// (`AWSServiceRoleForLightsail`, IAM GetRole). Lightsail creates it at the first export to
    /// EC2 (developer guide, "Using service-linked roles for Amazon Lightsail"), and so does the
    /// emulator's ExportSnapshot. Off by default: an account that never exported.
    pub service_linked_role: bool,
    /// What the deployed role may do in Lightsail (the template's conditions).
    pub lightsail_policy: LightsailPolicy,
}

/// What the deployed role may do in Lightsail, as the template's policy says (docs/evidence.md,
/// "Lightsail IAM"): with `template`, DeleteInstanceSnapshot / DeleteDiskSnapshot of a snapshot
/// not tagged `lightsail-export:managed=true`, TagResource of anything but a snapshot or with a
/// key outside `lightsail-export:`, and any UntagResource get AccessDeniedException before
/// anything is applied. Off by default: the emulator's other callers (the AWS CLI, the
/// conformance run) act as an account's administrator; the function's tests turn it on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LightsailPolicy {
    pub template: bool,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            region: "us-east-1".into(),
            now: None,
            speed: 1.0,
            page_size: None,
            seed: 1,
            durations: Durations::default(),
            instances: Vec::new(),
            disks: Vec::new(),
            snapshots: Vec::new(),
            export_records: Vec::new(),
            unrelated_export_records: 0,
            unrelated_export_records_by_region: Default::default(),
            static_ips: Vec::new(),
            ec2_images: Vec::new(),
            ec2_snapshots: Vec::new(),
            ec2_policy: Ec2Policy::default(),
            ec2_vpc: Ec2VpcSpec::default(),
            faults: Faults::default(),
            switches: Switches::default(),
            daily_auto_snapshots: false,
            service_linked_role: false,
            lightsail_policy: LightsailPolicy::default(),
        }
    }
}

/// An instant written as RFC 3339 text or epoch seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Instant {
    Epoch(f64),
    Text(String),
}

impl Instant {
    pub fn epoch(&self) -> Result<f64, Error> {
        match self {
            Instant::Epoch(e) => Ok(*e),
            Instant::Text(t) => timefmt::parse_rfc3339(t)
                .ok_or_else(|| Error::Scenario(format!("not an RFC 3339 time: {t:?}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Durations {
    pub copy_seconds: f64,
    pub export_seconds: f64,
    pub operation_seconds: f64,
    /// How long an export's AMI / EBS snapshots stay `pending` after the export record succeeds.
    pub ec2_seconds: f64,
    /// With `dailyAutoSnapshots`: how long each day's automatic snapshot is `InProgress`.
    pub auto_snapshot_seconds: f64,
    /// How long a launched EC2 instance is `pending` before it is `running`.
    pub instance_pending_seconds: f64,
    /// How long a terminated instance is `shutting-down` before it is `terminated`.
    pub shutting_down_seconds: f64,
    /// How long a `terminated` instance stays visible ("about an hour", EC2 docs).
    pub terminated_visible_seconds: f64,
    /// How long a running instance's status checks are `initializing` before `ok`.
    pub status_check_seconds: f64,
    /// How long a CreateVolume volume is `creating` before it is `available`.
    pub volume_creating_seconds: f64,
    /// How long a deleted volume is `deleting` before it is gone.
    pub volume_deleting_seconds: f64,
}

impl Default for Durations {
    fn default() -> Durations {
        Durations {
            copy_seconds: 600.0,
            export_seconds: 1800.0,
            operation_seconds: 5.0,
            ec2_seconds: 600.0,
            auto_snapshot_seconds: 1200.0,
            instance_pending_seconds: 30.0,
            shutting_down_seconds: 60.0,
            terminated_visible_seconds: 3600.0,
            status_check_seconds: 180.0,
            volume_creating_seconds: 60.0,
            volume_deleting_seconds: 10.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceSpec {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default = "default_blueprint")]
    pub blueprint_id: String,
    #[serde(default = "default_bundle")]
    pub bundle_id: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub auto_snapshot_add_on: bool,
    /// `HH:00` UTC; default: the region's default from the developer guide.
    #[serde(default)]
    pub snapshot_time_of_day: Option<String>,
    #[serde(default)]
    pub auto_snapshots: Vec<AutoSnapshotSpec>,
    #[serde(default)]
    pub created_at: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskSpec {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default = "default_disk_size")]
    pub size_in_gb: i64,
    #[serde(default)]
    pub attached_to: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub auto_snapshot_add_on: bool,
    /// `HH:00` UTC; default: the region's default from the developer guide.
    #[serde(default)]
    pub snapshot_time_of_day: Option<String>,
    #[serde(default)]
    pub auto_snapshots: Vec<AutoSnapshotSpec>,
    #[serde(default)]
    pub created_at: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticIpSpec {
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoSnapshotSpec {
    pub date: String,
    #[serde(default = "default_auto_status")]
    pub status: String,
    /// For `InProgress`: becomes `Success` this long after the scenario start.
    #[serde(default)]
    pub completes_after_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSpec {
    pub name: String,
    /// The instance or disk it was taken from; its kind decides the snapshot's type.
    pub source: String,
    #[serde(default)]
    pub region: Option<String>,
    /// `pending`, `available`/`completed`, or `error`.
    #[serde(default = "default_snapshot_state")]
    pub state: String,
    #[serde(default)]
    pub created_at: Option<Instant>,
    /// For `pending`: reaches its final state this long after the scenario start (default copySeconds).
    #[serde(default)]
    pub completes_after_seconds: Option<f64>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub is_from_auto_snapshot: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRecordSpec {
    pub source_name: String,
    /// `InstanceSnapshot` or `DiskSnapshot`.
    #[serde(default = "default_source_type")]
    pub source_type: String,
    #[serde(default)]
    pub from_resource: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// `Started`, `Succeeded` or `Failed`.
    #[serde(default = "default_record_state")]
    pub state: String,
    #[serde(default)]
    pub created_at: Option<Instant>,
    /// For `Started`: ends `Succeeded` this long after the scenario start (default exportSeconds).
    #[serde(default)]
    pub completes_after_seconds: Option<f64>,
    /// Tags already on its AMI / EBS snapshots (planted by an earlier run).
    #[serde(default)]
    pub ec2_tags: BTreeMap<String, String>,
    /// Its EC2 artifact: `available` (default once Succeeded), `pending` (until ec2Seconds after
    /// the start), `failed`, or `missing` (deleted by someone). A Failed record has none.
    #[serde(default)]
    pub ec2_state: Option<String>,
}

fn yes() -> bool {
    true
}
fn default_blueprint() -> String {
    "ubuntu_22_04".into()
}
fn default_bundle() -> String {
    "small_3_0".into()
}
fn default_disk_size() -> i64 {
    32
}
fn default_auto_status() -> String {
    "Success".into()
}
fn default_snapshot_state() -> String {
    "available".into()
}
fn default_source_type() -> String {
    "InstanceSnapshot".into()
}
fn default_record_state() -> String {
    "Succeeded".into()
}

impl Scenario {
    /// The shipped demo world (`emulator/scenarios/demo.yaml`).
    pub fn demo() -> Scenario {
        // The file is compiled in and covered by a test, so failing to parse it is a build defect.
        Scenario::from_str(DEMO).unwrap_or_else(|e| panic!("scenarios/demo.yaml is invalid: {e}"))
    }

    /// Parses a scenario written in JSON or YAML (YAML is a superset of JSON, but JSON is tried
    /// first for its clearer error messages).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Scenario, Error> {
        let scenario: Scenario = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| Error::Scenario(e.to_string()))?
        } else {
            yaml_serde::from_str(text).map_err(|e| Error::Scenario(e.to_string()))?
        };
        validate::validate(&scenario)?;
        Ok(scenario)
    }

    pub fn from_file(path: &Path) -> Result<Scenario, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Scenario(format!("{}: {e}", path.display())))?;
        Scenario::from_str(&text).map_err(|e| Error::Scenario(format!("{}: {e}", path.display())))
    }

    /// `demo` (or another shipped scenario's name, e.g. `two-regions`) or a path to a file.
    pub fn named_or_file(arg: &str) -> Result<Scenario, Error> {
        match arg {
            "demo" => Scenario::from_str(DEMO),
            "two-regions" => Scenario::from_str(TWO_REGIONS),
            path => Scenario::from_file(Path::new(path)),
        }
    }
}
