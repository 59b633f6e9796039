//! What serde cannot check in a scenario: times, dates, states, references. The first problem
//! found is the error, in the order below.

use super::{ec2, Scenario};
use crate::timefmt;
use crate::Error;

fn bad(message: String) -> Result<(), Error> {
    Err(Error::Scenario(message))
}

pub fn validate(s: &Scenario) -> Result<(), Error> {
    if let Some(now) = &s.now {
        now.epoch()?;
    }
    if s.page_size == Some(0) {
        return bad("pageSize must be at least 1".into());
    }
    s.switches
        .validate()
        .map_err(|e| Error::Scenario(format!("switches: {e}")))?;
    times_of_day(s)?;
    auto_snapshots(s)?;
    snapshots(s)?;
    export_records(s)?;
    ec2::validate(s)?;
    for t in s.instances.iter().filter_map(|i| i.created_at.as_ref()) {
        t.epoch()?;
    }
    for t in s.disks.iter().filter_map(|d| d.created_at.as_ref()) {
        t.epoch()?;
    }
    Ok(())
}

fn times_of_day(s: &Scenario) -> Result<(), Error> {
    let times = s
        .instances
        .iter()
        .map(|i| (&i.name, &i.snapshot_time_of_day))
        .chain(s.disks.iter().map(|d| (&d.name, &d.snapshot_time_of_day)));
    for (name, time) in times {
        if let Some(t) = time.as_deref().filter(|t| !timefmt::is_time_of_day(t)) {
            return bad(format!(
                "{name}: snapshotTimeOfDay {t:?} does not match ^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$"
            ));
        }
    }
    Ok(())
}

fn auto_snapshots(s: &Scenario) -> Result<(), Error> {
    let autos = s
        .instances
        .iter()
        .flat_map(|i| &i.auto_snapshots)
        .chain(s.disks.iter().flat_map(|d| &d.auto_snapshots));
    for a in autos {
        if timefmt::parse_date(&a.date).is_none() {
            return bad(format!(
                "automatic snapshot date {:?} is not YYYY-MM-DD",
                a.date
            ));
        }
        if !["Success", "Failed", "InProgress", "NotFound"].contains(&a.status.as_str()) {
            return bad(format!("unknown automatic snapshot status {:?}", a.status));
        }
    }
    Ok(())
}

fn snapshots(s: &Scenario) -> Result<(), Error> {
    for snap in &s.snapshots {
        if !["pending", "available", "completed", "error"].contains(&snap.state.as_str()) {
            return bad(format!(
                "snapshot {}: unknown state {:?}",
                snap.name, snap.state
            ));
        }
        let known = s.instances.iter().any(|i| i.name == snap.source)
            || s.disks.iter().any(|d| d.name == snap.source);
        if !known {
            return bad(format!(
                "snapshot {}: unknown source {:?}",
                snap.name, snap.source
            ));
        }
        if let Some(t) = &snap.created_at {
            t.epoch()?;
        }
    }
    Ok(())
}

fn export_records(s: &Scenario) -> Result<(), Error> {
    for r in &s.export_records {
        if !["Started", "Succeeded", "Failed"].contains(&r.state.as_str()) {
            return bad(format!(
                "export record of {}: unknown state {:?}",
                r.source_name, r.state
            ));
        }
        if !["InstanceSnapshot", "DiskSnapshot"].contains(&r.source_type.as_str()) {
            return bad(format!(
                "export record of {}: unknown sourceType {:?}",
                r.source_name, r.source_type
            ));
        }
        if let Some(t) = &r.created_at {
            t.epoch()?;
        }
    }
    Ok(())
}
