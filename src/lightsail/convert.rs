//! SDK types to domain values. Members Lightsail may omit become `None` or empty, never a panic.

use aws_sdk_lightsail::types as sdk;

use crate::model::{
    AutoSnapshot, AutoSnapshotStatus, Destination, ExportRecord, ManualSnapshot, RecordState,
    Resource, ResourceType, SnapshotState, Tags,
};
use crate::model::{Date, Timestamp};

fn tags(tags: &[sdk::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().map(str::to_string))))
        .collect()
}

/// Whether the automatic-snapshot add-on is on, and its time of day. A resource that never
/// had it lists no add-on at all (or an empty list); one being turned off lists it as
/// `Disabled`, `Disabling`, `Terminating`…: all of those are off. `Enabling` is on (its
/// snapshots are about to be taken). Sources: docs/evidence.md, "AutoSnapshot add-on shape".
fn auto_snapshot_add_on(add_ons: &[sdk::AddOn]) -> (Option<bool>, Option<String>) {
    let add_on = add_ons.iter().find(|a| {
        a.name()
            .is_some_and(|n| n.eq_ignore_ascii_case("AutoSnapshot"))
    });
    let enabled = add_on.is_some_and(|a| {
        a.status().is_some_and(|s| {
            s.eq_ignore_ascii_case("Enabled") || s.eq_ignore_ascii_case("Enabling")
        })
    });
    let time = add_on
        .and_then(|a| a.snapshot_time_of_day())
        .map(str::to_string);
    (Some(enabled), time)
}

pub fn instance(i: &sdk::Instance) -> Resource {
    let (enabled, time) = auto_snapshot_add_on(i.add_ons());
    Resource {
        name: i.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Instance,
        blueprint_id: i.blueprint_id().unwrap_or_default().to_string(),
        blueprint_name: i.blueprint_name().unwrap_or_default().to_string(),
        tags: tags(i.tags()),
        auto_snapshots_enabled: enabled,
        snapshot_time_of_day: time,
        ram_mib: i
            .hardware()
            .and_then(|h| h.ram_size_in_gb())
            .map(|gb| (f64::from(gb) * 1024.0).round() as u32),
    }
}

pub fn disk(d: &sdk::Disk) -> Resource {
    let (enabled, time) = auto_snapshot_add_on(d.add_ons());
    Resource {
        name: d.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Disk,
        blueprint_id: String::new(),
        blueprint_name: String::new(),
        tags: tags(d.tags()),
        auto_snapshots_enabled: enabled,
        snapshot_time_of_day: time,
        ram_mib: None,
    }
}

pub fn auto_snapshot(s: &sdk::AutoSnapshotDetails) -> Option<AutoSnapshot> {
    Some(AutoSnapshot {
        // A date that is no `YYYY-MM-DD` names no snapshot a copy could ask for: left out.
        date: Date::parse(s.date()?).ok()?,
        status: AutoSnapshotStatus::parse(s.status().map(|st| st.as_str()).unwrap_or("")),
    })
}

pub fn instance_snapshot(s: &sdk::InstanceSnapshot) -> ManualSnapshot {
    ManualSnapshot {
        name: s.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Instance,
        state: SnapshotState::parse(s.state().map(|st| st.as_str()).unwrap_or("")),
        from_resource: s.from_instance_name().map(str::to_string),
        tags: tags(s.tags()),
        created_at: s
            .created_at()
            .map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64())),
        from_auto_snapshot: s.is_from_auto_snapshot(),
        size_gib: s.size_in_gb().map(i64::from),
    }
}

pub fn disk_snapshot(s: &sdk::DiskSnapshot) -> ManualSnapshot {
    ManualSnapshot {
        name: s.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Disk,
        state: SnapshotState::parse(s.state().map(|st| st.as_str()).unwrap_or("")),
        from_resource: s.from_disk_name().map(str::to_string),
        tags: tags(s.tags()),
        created_at: s
            .created_at()
            .map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64())),
        from_auto_snapshot: s.is_from_auto_snapshot(),
        size_gib: s.size_in_gb().map(i64::from),
    }
}

/// A record without a name or a source cannot be matched to anything: it is left out.
pub fn export_record(r: &sdk::ExportSnapshotRecord) -> Option<ExportRecord> {
    let source = r.source_info()?;
    Some(ExportRecord {
        name: r.name()?.to_string(),
        arn: r.arn().map(str::to_string),
        state: RecordState::parse(r.state().map(|s| s.as_str()).unwrap_or("")),
        created_at: r
            .created_at()
            .map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64())),
        source_name: source.name()?.to_string(),
        from_resource: source.from_resource_name().map(str::to_string),
        source_created_at: source
            .created_at()
            .map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64())),
        destination: r.destination_info().and_then(|d| {
            Some(Destination {
                id: d.id()?.to_string(),
                service: d.service().unwrap_or_default().to_string(),
            })
        }),
    })
}
