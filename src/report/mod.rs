//! The output contract: what each round reports (the Lambda result, and so the Step Functions
//! execution output), the run's status, and the round's metrics (`metrics`). The member names
//! are a contract: the state machine, dashboards and outside checks read them.

use serde::{Deserialize, Serialize};

mod assemble;
pub(crate) mod cost;
pub(crate) mod drill;
pub(crate) mod fan_out;
pub mod kept;
pub(crate) mod merge;
pub(crate) mod metrics;

pub use assemble::{output, Reach, Regions};

use std::collections::BTreeMap;

use crate::error::TargetError;
use crate::model::{
    Action, ArtifactKind, AutoSnapshotToday, Destination, Ec2Action, Ec2Artifact, ExportRecord,
    Phase, ResourceType, Timestamp,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    InProgress,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: usize,
    pub exported: usize,
    pub in_progress: usize,
    pub failed: usize,
    /// Tonight's restore drills by state. Absent when none ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_tests: Option<drill::DrillCounts>,
}

/// The export record of a target's copy, as GetExportSnapshotRecords shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRecordReport {
    pub name: String,
    pub arn: Option<String>,
    pub state: String,
    /// RFC 3339, UTC.
    pub created_at: Option<String>,
    pub destination: Option<Destination>,
    /// The destination as EC2 describes it, once the export succeeded and it was looked up.
    #[serde(default)]
    pub ec2: Option<Ec2Report>,
}

/// An export's AMI (and its snapshots) or EBS snapshot, as EC2 describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2Report {
    /// EC2's own state: `available` / `pending`… (AMI), `completed` / `pending`… (snapshot).
    pub state: String,
    /// The AMI's EBS snapshots, or the disk's one.
    pub snapshot_ids: Vec<String>,
    #[serde(rename = "sizeGiB")]
    pub size_gib: i64,
}

impl Ec2Report {
    pub fn of(artifact: &Ec2Artifact) -> Ec2Report {
        let snapshot_ids = match artifact.kind {
            ArtifactKind::Image => artifact.snapshot_ids.clone(),
            ArtifactKind::Snapshot => vec![artifact.id.clone()],
        };
        Ec2Report {
            state: artifact.state.clone(),
            snapshot_ids,
            size_gib: artifact.size_gib,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetReport {
    pub resource: String,
    /// The target's region, in a run over several regions (`REGIONS`, `regions`, `region:name`
    /// targets, the fan-out). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub resource_type: Option<ResourceType>,
    pub auto_snapshot_date: Option<String>,
    pub snapshot_name: Option<String>,
    pub phase: Phase,
    /// The Lightsail writes this invocation made for the target (in a dry run, would make).
    pub actions: Vec<String>,
    pub export_record: Option<ExportRecordReport>,
    pub error: Option<TargetError>,
    /// Copies retention deleted this round (in a dry run, would delete). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<String>,
    /// RFC 3339: when the target started waiting because Lightsail refused its copy while an
    /// automatic snapshot was being taken. Carried from round to round (the previous output comes
    /// back as input), so that the wait is bounded by `MAX_AUTO_SNAPSHOT_WAIT`. Absent when not
    /// waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
    /// RFC 3339: since when the target's calls fail transiently (`Retryable`), round after
    /// round. Carried like `waitingSince`, so that the retries are bounded by
    /// `MAX_RETRY_WINDOW`. Absent when the last round did not fail so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    /// The EC2 writes this invocation made for the target (in a dry run, would make):
    /// `CreateTags`, `DeregisterImage`, `DeleteSnapshot`. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ec2_actions: Vec<String>,
    /// The AMIs and EBS snapshots of older exports retired this round (in a dry run, that would
    /// be). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<String>,
    /// Why an older automatic snapshot than today's is exported: today's, as it was when the
    /// date was chosen. Absent when today's is the one exported, or the date was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_snapshot_today: Option<AutoSnapshotToday>,
    /// The target's exports the keep rules keep, newest first, with the rules that keep each
    /// (compact: `kept::compact`). Absent when no `EC2_KEEP_*` rule is set, or the exports
    /// were not looked at this round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<kept::KeptEntry>,
    /// The exports retired tonight, over the night's rounds (carried from round to round; in a
    /// dry run, those this round would retire). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_tonight: Vec<kept::KeptEntry>,
    /// Tonight's restore drill of the target's export. Absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test: Option<drill::RestoreTestReport>,
    /// The last restore drill of the target's exports, when none runs tonight. Absent when
    /// none was ever recorded (or drills are off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_restore_test: Option<drill::LastRestoreTest>,
    /// When the copy was made, for the metrics; not part of the output.
    #[serde(skip)]
    pub copy_created_at: Option<Timestamp>,
    /// When the running export started, for the metrics; not part of the output.
    #[serde(skip)]
    pub export_started_at: Option<Timestamp>,
}

impl ExportRecordReport {
    /// An export record, as the output shows it.
    pub fn of(record: &ExportRecord) -> ExportRecordReport {
        ExportRecordReport {
            name: record.name.clone(),
            arn: record.arn.clone(),
            state: record.state.as_str().to_string(),
            created_at: record.created_at.map(Timestamp::rfc3339),
            destination: record.destination.clone(),
            ec2: None,
        }
    }
}

impl TargetReport {
    /// Notes an EC2 write made (or, in a dry run, that would be made) for the target.
    pub fn acted_in_ec2(&mut self, action: Ec2Action) {
        self.ec2_actions.push(action.as_str().to_string());
    }

    /// Notes a Lightsail write made (or, in a dry run, that would be made) for the target.
    pub fn acted(&mut self, action: Action) {
        self.actions.push(action.as_str().to_string());
    }

    pub fn new(resource: impl Into<String>) -> TargetReport {
        TargetReport {
            resource: resource.into(),
            region: None,
            resource_type: None,
            auto_snapshot_date: None,
            snapshot_name: None,
            phase: Phase::Copying,
            actions: Vec::new(),
            export_record: None,
            error: None,
            deleted: Vec::new(),
            waiting_since: None,
            failing_since: None,
            ec2_actions: Vec::new(),
            retired: Vec::new(),
            kept: Vec::new(),
            retired_tonight: Vec::new(),
            auto_snapshot_today: None,
            restore_test: None,
            last_restore_test: None,
            copy_created_at: None,
            export_started_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub status: Status,
    pub next_check_seconds: u64,
    pub summary: Summary,
    pub targets: Vec<TargetReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The request's `restoreTest`: echoed so that every round of the run drills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test: Option<bool>,
    /// Cross-region runs: where the copies and exports are made (the function's region)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// …and where the resources and their automatic snapshots live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_region: Option<String>,
    /// What the function's copies and exports hold, and cost a month: in the final output of a
    /// run (status SUCCEEDED or FAILED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<cost::Cost>,
    /// A run over several regions: each region's summary (and, in the final output, cost).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub summary_by_region: BTreeMap<String, merge::RegionSummary>,
    /// A run over several regions: the regions that failed as a whole. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_errors: Vec<merge::RegionError>,
    /// A fan-out item's final output, and the fan-out's: the targets `targets` leaves out (those
    /// EXPORTED, and any beyond the first 100 others). See `merge::settle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_omitted: Option<usize>,
    /// The fan-out's: items that failed without reporting their targets. Absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_items: Option<usize>,
}

pub fn summarise(targets: &[TargetReport]) -> Summary {
    let count = |wanted: fn(Phase) -> bool| targets.iter().filter(|t| wanted(t.phase)).count();
    Summary {
        total: targets.len(),
        exported: count(|p| p == Phase::Exported),
        in_progress: count(Phase::in_progress),
        failed: count(|p| p == Phase::Failed),
        restore_tests: drill::DrillCounts::of(
            targets.iter().filter_map(|t| t.restore_test.as_ref()),
        ),
    }
}

/// SUCCEEDED when every target is EXPORTED; FAILED when none is in progress and one FAILED;
/// otherwise IN_PROGRESS. A restore drill counts as the targets do: one RUNNING keeps the run
/// IN_PROGRESS, one FAILED makes it FAILED (its target stays EXPORTED).
pub fn status(summary: &Summary) -> Status {
    let drills = summary.restore_tests.unwrap_or_default();
    if summary.in_progress > 0 || drills.running > 0 {
        Status::InProgress
    } else if summary.failed > 0 || drills.failed > 0 {
        Status::Failed
    } else if summary.exported == summary.total {
        Status::Succeeded
    } else {
        Status::InProgress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(phases: &[Phase]) -> Vec<TargetReport> {
        phases
            .iter()
            .enumerate()
            .map(|(i, phase)| TargetReport {
                phase: *phase,
                ..TargetReport::new(format!("r{i}"))
            })
            .collect()
    }

    #[test]
    fn status_table() {
        use Phase::*;
        let cases: &[(&[Phase], Status)] = &[
            (&[Exported], Status::Succeeded),
            (&[Exported, Exported], Status::Succeeded),
            (&[Exported, Copying], Status::InProgress),
            (&[Exporting], Status::InProgress),
            (&[Failed, Exporting], Status::InProgress),
            (&[Failed], Status::Failed),
            (&[Failed, Exported], Status::Failed),
            (&[], Status::Succeeded),
        ];
        for (phases, expected) in cases {
            let summary = summarise(&with(phases));
            assert_eq!(status(&summary), *expected, "{phases:?}");
        }
    }

    #[test]
    fn summary_counts() {
        use Phase::*;
        let summary = summarise(&with(&[Exported, Copying, Exporting, Failed]));
        assert_eq!(
            summary,
            Summary {
                total: 4,
                exported: 1,
                in_progress: 2,
                failed: 1,
                restore_tests: None,
            }
        );
    }

    #[test]
    fn output_field_names_follow_the_contract() {
        let output = Output {
            status: Status::InProgress,
            next_check_seconds: 300,
            summary: summarise(&with(&[Phase::Copying])),
            targets: with(&[Phase::Copying]),
            restore_date: None,
            dry_run: None,
            restore_test: None,
            region: None,
            source_region: None,
            cost: None,
            summary_by_region: BTreeMap::new(),
            region_errors: Vec::new(),
            targets_omitted: None,
            failed_items: None,
        };
        let json = serde_json::to_value(&output).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "status": "IN_PROGRESS", "nextCheckSeconds": 300,
                "summary": {"total": 1, "exported": 0, "inProgress": 1, "failed": 0},
                "targets": [{"resource": "r0", "resourceType": null, "autoSnapshotDate": null,
                             "snapshotName": null, "phase": "COPYING", "actions": [],
                             "exportRecord": null, "error": null}]
            })
        );
    }
}
