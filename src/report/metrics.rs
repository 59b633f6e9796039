//! CloudWatch Embedded Metric Format: one log line per round that CloudWatch turns into metrics,
//! with nothing but serde_json on the hot path.

use serde_json::{json, Value};

use super::Output;
use crate::model::{Phase, Timestamp};

/// The metrics of one round, as an EMF document, at `now`.
pub fn emf(output: &Output, namespace: &str, now: Timestamp) -> Value {
    let age = |since: Option<Timestamp>| since.map(|t| now.since(t).as_secs_f64());
    let in_progress = output.targets.iter().filter(|t| t.phase.in_progress());
    let oldest_copy = in_progress
        .clone()
        .filter(|t| t.phase == Phase::Copying)
        .filter_map(|t| age(t.copy_created_at))
        .fold(0.0_f64, f64::max);
    let oldest_export = in_progress
        .filter(|t| t.phase == Phase::Exporting)
        .filter_map(|t| age(t.export_started_at))
        .fold(0.0_f64, f64::max);
    let mut names = vec![
        ("ExportsSucceeded", "Count"),
        ("ExportsFailed", "Count"),
        ("ExportsInProgress", "Count"),
        ("CopiesDeleted", "Count"),
        ("Ec2ArtifactsRetired", "Count"),
        ("OldestCopyAgeSeconds", "Seconds"),
        ("OldestExportAgeSeconds", "Seconds"),
    ];
    if output.cost.is_some() {
        names.extend([
            ("Ec2SnapshotGiB", "Gigabytes"),
            ("LightsailCopyGiB", "Gigabytes"),
        ]);
    }
    // Tonight's drills, once, in the run's final round (a FAILED one is reported by every
    // round after it ends; counting it once keeps the alarm's sum honest).
    let drills =
        (output.summary.restore_tests).filter(|_| output.status != super::Status::InProgress);
    let boot = (output.targets.iter())
        .filter_map(|t| t.restore_test.as_ref()?.boot_seconds)
        .max();
    if drills.is_some() {
        names.extend([
            ("RestoreTestsPassed", "Count"),
            ("RestoreTestsFailed", "Count"),
        ]);
        if boot.is_some() {
            names.push(("RestoreTestBootSeconds", "Seconds"));
        }
    }
    let metrics: Vec<Value> = names
        .iter()
        .map(|(n, u)| json!({"Name": n, "Unit": u}))
        .collect();
    let mut doc = json!({
        "_aws": {
            "Timestamp": (now.epoch_seconds() * 1000.0) as u64,
            "CloudWatchMetrics": [{"Namespace": namespace, "Dimensions": [[]], "Metrics": metrics}]
        },
        "ExportsSucceeded": output.summary.exported,
        "ExportsFailed": output.summary.failed,
        "ExportsInProgress": output.summary.in_progress,
        "CopiesDeleted": output.targets.iter().map(|t| t.deleted.len()).sum::<usize>(),
        "Ec2ArtifactsRetired": output.targets.iter().map(|t| t.retired.len()).sum::<usize>(),
        "OldestCopyAgeSeconds": oldest_copy.round(),
        "OldestExportAgeSeconds": oldest_export.round(),
        "status": output.status,
    });
    if let (Some(cost), Value::Object(members)) = (&output.cost, &mut doc) {
        members.insert("Ec2SnapshotGiB".into(), json!(cost.ec2_snapshot_gib));
        members.insert("LightsailCopyGiB".into(), json!(cost.lightsail_copy_gib));
    }
    if let (Some(drills), Value::Object(members)) = (drills, &mut doc) {
        members.insert("RestoreTestsPassed".into(), json!(drills.passed));
        members.insert("RestoreTestsFailed".into(), json!(drills.failed));
        if let Some(boot) = boot {
            members.insert("RestoreTestBootSeconds".into(), json!(boot));
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{status, summarise, TargetReport};

    #[test]
    fn an_emf_document_declares_every_metric_it_carries() {
        let mut copying = TargetReport::new("a");
        copying.copy_created_at = Some(Timestamp::from_epoch_seconds(1_000.0));
        let mut exporting = TargetReport::new("b");
        exporting.phase = Phase::Exporting;
        exporting.export_started_at = Some(Timestamp::from_epoch_seconds(400.0));
        let mut done = TargetReport::new("c");
        done.phase = Phase::Exported;
        done.deleted = vec!["c-export-2026-11-20".into()];
        done.retired = vec!["ami-1".into(), "snap-1".into()];
        let targets = vec![copying, exporting, done];
        let summary = summarise(&targets);
        let output = Output {
            status: status(&summary),
            next_check_seconds: 300,
            summary,
            targets,
            restore_date: None,
            dry_run: None,
            restore_test: None,
            region: None,
            source_region: None,
            cost: None,
            summary_by_region: Default::default(),
            region_errors: Vec::new(),
            targets_omitted: None,
            failed_items: None,
        };
        let doc = emf(
            &output,
            "LightsailExport",
            Timestamp::from_epoch_seconds(1_600.0),
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_600_000);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "LightsailExport"
        );
        for metric in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
        {
            let name = metric["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "{name} has no value");
        }
        assert_eq!(doc["ExportsSucceeded"], 1);
        assert_eq!(doc["ExportsInProgress"], 2);
        assert_eq!(doc["CopiesDeleted"], 1);
        assert_eq!(doc["Ec2ArtifactsRetired"], 2);
        assert!(
            doc.get("Ec2SnapshotGiB").is_none(),
            "no cost: no storage metrics"
        );
        assert!(
            doc.get("RestoreTestsFailed").is_none(),
            "no drill: no drill metrics"
        );
        assert_eq!(doc["OldestCopyAgeSeconds"], 600.0);
        assert_eq!(doc["OldestExportAgeSeconds"], 1_200.0);
    }

    #[test]
    fn the_final_round_counts_tonight_s_drills_once() {
        use crate::model::drill::DrillState;
        use crate::report::drill::RestoreTestReport;
        let drill = |state, boot| RestoreTestReport {
            state,
            step: None,
            started_at: None,
            finished_at: None,
            boot_seconds: boot,
            instance_type: None,
            reason: None,
            id: None,
            artifact: "ami-1".into(),
            estimated_usd: None,
        };
        let mut targets = vec![TargetReport::new("a"), TargetReport::new("b")];
        for (target, (state, boot)) in targets
            .iter_mut()
            .zip([(DrillState::Passed, Some(84)), (DrillState::Failed, None)])
        {
            target.phase = Phase::Exported;
            target.restore_test = Some(drill(state, boot));
        }
        let summary = summarise(&targets);
        let mut output = Output {
            status: status(&summary),
            next_check_seconds: 0,
            summary,
            targets,
            restore_date: None,
            dry_run: None,
            restore_test: None,
            region: None,
            source_region: None,
            cost: None,
            summary_by_region: Default::default(),
            region_errors: Vec::new(),
            targets_omitted: None,
            failed_items: None,
        };
        assert_eq!(output.status, crate::report::Status::Failed);
        let doc = emf(
            &output,
            "LightsailExport",
            Timestamp::from_epoch_seconds(0.0),
        );
        assert_eq!(
            (
                &doc["RestoreTestsPassed"],
                &doc["RestoreTestsFailed"],
                &doc["RestoreTestBootSeconds"]
            ),
            (&json!(1), &json!(1), &json!(84))
        );
        output.status = crate::report::Status::InProgress;
        let doc = emf(
            &output,
            "LightsailExport",
            Timestamp::from_epoch_seconds(0.0),
        );
        assert!(doc.get("RestoreTestsFailed").is_none());
    }
}
