//! "What do we have?": each target's latest copy and export, for humans (`cargo local status`).

use serde::Serialize;

use crate::decide::retention;
use crate::model::{ExportRecord, ManualSnapshot, RecordState, ResourceType, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub resource: String,
    pub resource_type: Option<ResourceType>,
    /// The newest copy the function made of the resource (tagged as its own).
    pub copy: Option<String>,
    pub copy_state: Option<String>,
    pub copy_age_seconds: Option<f64>,
    /// The newest export of any snapshot of the resource.
    pub export_source: Option<String>,
    pub export_state: Option<String>,
    /// The AMI or EBS snapshot id, once the export succeeded.
    pub destination: Option<String>,
    pub export_age_seconds: Option<f64>,
}

/// One row per target from the region's copies and export records, at `now`.
pub fn rows(
    targets: &[(String, Option<ResourceType>)],
    copies: &[ManualSnapshot],
    records: &[ExportRecord],
    now: Timestamp,
) -> Vec<Row> {
    let age = |t: Option<Timestamp>| t.map(|t| now.since(t).as_secs_f64());
    targets
        .iter()
        .map(|(resource, resource_type)| {
            let copy = retention::newest_managed_copy(resource, copies);
            let record = records
                .iter()
                .filter(|r| r.from_resource.as_deref() == Some(resource.as_str()))
                .max_by(|a, b| a.created_at.cmp(&b.created_at));
            Row {
                resource: resource.clone(),
                resource_type: resource_type.or(copy.map(|c| c.resource_type)),
                copy: copy.map(|c| c.name.clone()),
                copy_state: copy.map(|c| c.state.as_str(c.resource_type).to_string()),
                copy_age_seconds: copy.and_then(|c| age(c.created_at)),
                export_source: record.map(|r| r.source_name.clone()),
                export_state: record.map(|r| r.state.as_str().to_string()),
                destination: record
                    .filter(|r| r.state == RecordState::Succeeded)
                    .and_then(|r| r.destination.as_ref().map(|d| d.id.clone())),
                export_age_seconds: record.and_then(|r| age(r.created_at)),
            }
        })
        .collect()
}

/// `3d4h`, `2h05m`, `42s`.
pub fn human_age(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    match s {
        s if s >= 86_400 => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// The rows as an aligned text table.
pub fn table(rows: &[Row]) -> String {
    let dash = || "-".to_string();
    let mut lines = vec![format!(
        "{:<24} {:<8} {:<40} {:<10} {:>7}  {:<9} {:<22} {:>7}",
        "RESOURCE", "TYPE", "LATEST COPY", "STATE", "AGE", "EXPORT", "EC2 ID", "AGE"
    )];
    for row in rows {
        lines.push(format!(
            "{:<24} {:<8} {:<40} {:<10} {:>7}  {:<9} {:<22} {:>7}",
            row.resource,
            row.resource_type.map_or_else(dash, |t| format!("{t:?}")),
            row.copy.clone().unwrap_or_else(dash),
            row.copy_state.clone().unwrap_or_else(dash),
            row.copy_age_seconds.map_or_else(dash, human_age),
            row.export_state.clone().unwrap_or_else(dash),
            row.destination.clone().unwrap_or_else(dash),
            row.export_age_seconds.map_or_else(dash, human_age),
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Destination, SnapshotState};

    fn copy(name: &str, date: &str, created: f64) -> ManualSnapshot {
        ManualSnapshot {
            name: name.into(),
            resource_type: ResourceType::Instance,
            state: SnapshotState::Ready,
            from_resource: Some("web-1".into()),
            tags: retention::copy_tags("web-1", crate::model::time::test_util::day(date))
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
            created_at: Some(Timestamp::from_epoch_seconds(created)),
            from_auto_snapshot: Some(true),
            size_gib: None,
        }
    }

    #[test]
    fn rows_show_the_latest_copy_and_export() {
        let copies = vec![
            copy("web-1-export-2026-11-20", "2026-11-20", 100.0),
            copy("web-1-export-2026-11-21", "2026-11-21", 200.0),
        ];
        let records = vec![ExportRecord {
            name: "ExportSnapshotRecord-1".into(),
            arn: None,
            state: RecordState::Succeeded,
            created_at: Some(Timestamp::from_epoch_seconds(300.0)),
            source_name: "web-1-export-2026-11-21".into(),
            from_resource: Some("web-1".into()),
            source_created_at: Some(Timestamp::from_epoch_seconds(200.0)),
            destination: Some(Destination {
                id: "ami-0abc".into(),
                service: "Aws::EC2::Image".into(),
            }),
        }];
        let targets = vec![
            ("web-1".to_string(), None),
            ("other".to_string(), Some(ResourceType::Disk)),
        ];
        let rows = rows(
            &targets,
            &copies,
            &records,
            Timestamp::from_epoch_seconds(3_900.0),
        );
        assert_eq!(rows[0].copy.as_deref(), Some("web-1-export-2026-11-21"));
        assert_eq!(rows[0].copy_state.as_deref(), Some("available"));
        assert_eq!(rows[0].destination.as_deref(), Some("ami-0abc"));
        assert_eq!(rows[0].export_age_seconds, Some(3_600.0));
        assert_eq!(rows[1].copy, None);
        assert_eq!(rows[1].resource_type, Some(ResourceType::Disk));
        let text = table(&rows);
        assert!(
            text.contains("ami-0abc") && text.contains("1h00m"),
            "{text}"
        );
    }

    #[test]
    fn ages() {
        assert_eq!(human_age(42.0), "42s");
        assert_eq!(human_age(125.0), "2m05s");
        assert_eq!(human_age(7_500.0), "2h05m");
        assert_eq!(human_age(273_600.0), "3d4h");
    }
}
