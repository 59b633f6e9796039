//! What the doctor's reads show of each behaviour the emulator has a switch for (emulator/
//! README.md, "Switches"): the switch's value this account shows, or why nothing read shows it.
//! One entry per switch of the emulator's catalog, in its order (a test holds both).

use serde_json::Value;

use crate::model::doctor::{AddOnShape, Facts, Guess, Read};
use crate::model::Timestamp;

/// Fewer records than this, in a sorted order, could be a shuffled listing by chance.
const ORDER_EVIDENCE: usize = 3;

fn named(switch: &'static str, value: &str, observed: String) -> Guess {
    Guess {
        switch,
        value: Some(Value::from(value)),
        observed,
    }
}

fn unknown(switch: &'static str, observed: impl Into<String>) -> Guess {
    Guess {
        switch,
        value: None,
        observed: observed.into(),
    }
}

/// A write, or waiting, would show it: the doctor only reads.
fn not_read_only(switch: &'static str, what: &str) -> Guess {
    unknown(switch, format!("not observable read-only: {what}"))
}

/// One guess per emulator switch, in the catalog's order.
pub fn guesses(facts: &Facts) -> Vec<Guess> {
    vec![
        error_envelope(facts),
        not_read_only("copyDuringAutoSnapshot", "only a CopySnapshot while an automatic snapshot is being taken shows it (a night's output: AutoSnapshotInProgress)"),
        not_read_only("autoSnapshotInProgress", "how long a snapshot stays InProgress shows only by watching GetAutoSnapshots during its window"),
        page_size(facts),
        export_record_order(facts),
        records_on_snapshot_delete(facts),
        not_read_only("snapshotNameScope", "only a CopySnapshot to a name another resource holds shows it"),
        destination_info(facts),
        add_on_when_disabled(facts),
        auto_snapshot_order(facts),
        tag_value_when_key_only(facts),
        not_read_only("deregisteredImage", "only a DescribeImages of an AMI deregistered moments ago shows it"),
        not_read_only("launchCapacity", "only a RunInstances shows whether capacity is refused first (a drill's output: the launch retried)"),
        not_read_only("instanceStatusWhileBooting", "only the status checks of an instance that is booting show it"),
        not_read_only("terminatedInstanceLookup", "only a DescribeInstances by id of an instance terminated moments ago shows it"),
        not_read_only("newInstanceVisibility", "only a DescribeInstances by id right after a RunInstances shows it"),
        not_read_only("archiveImageSnapshot", "only a ModifySnapshotTier of an AMI's snapshot shows it"),
        not_read_only("archivalDuration", "only watching an archival run shows how long it takes"),
    ]
}

fn error_envelope(facts: &Facts) -> Guess {
    const SWITCH: &str = "errorEnvelope";
    let shape = match &facts.error_probe {
        Read::Done(shape) => shape,
        Read::Failed(error) => {
            return unknown(
                SWITCH,
                format!(
                "the probe (GetInstance of a name that cannot exist) got no error answer: {error}"
            ),
            )
        }
        Read::NotRead => return unknown(SWITCH, "not probed"),
    };
    let show = |v: &Option<String>| {
        v.as_deref()
            .map_or("none".to_string(), |s| format!("`{s}`"))
    };
    let observed = format!(
        "GetInstance of a name that cannot exist: HTTP {}, X-Amzn-ErrorType {}, __type {}, code {}",
        shape.status.map_or("?".into(), |s| s.to_string()),
        show(&shape.header),
        show(&shape.type_name),
        show(&shape.code)
    );
    match (&shape.header, &shape.code) {
        (Some(_), _) => named(SWITCH, "header", observed),
        (None, Some(_)) => named(SWITCH, "code", observed),
        (None, None) => unknown(
            SWITCH,
            format!("{observed}: neither of the emulator's envelopes (please report it)"),
        ),
    }
}

fn page_size(facts: &Facts) -> Guess {
    const SWITCH: &str = "pageSize";
    let seen: Vec<String> = facts
        .pages
        .iter()
        .map(|p| {
            format!(
                "{} {}{}",
                p.operation,
                p.items,
                if p.more { " (more)" } else { "" }
            )
        })
        .collect();
    let full: Vec<usize> = facts
        .pages
        .iter()
        .filter(|p| p.more)
        .map(|p| p.items)
        .collect();
    let observed = format!(
        "first pages: {}",
        if seen.is_empty() {
            "none read".into()
        } else {
            seen.join(", ")
        }
    );
    match full.first() {
        None => unknown(SWITCH, format!("{observed}: no listing had a second page, so the page size does not show")),
        Some(size) if full.iter().all(|s| s == size) => Guess {
            switch: SWITCH,
            value: Some(Value::from(*size)),
            observed,
        },
        Some(_) => unknown(SWITCH, format!("{observed}: the operations page differently (the emulator's switch is one size for all; please report it)")),
    }
}

/// Whether `times` run newest first (`Some(true)`), oldest first (`Some(false)`), or neither.
fn order(times: &[Timestamp]) -> Option<bool> {
    let newest_first = times.windows(2).all(|w| w[0] >= w[1]);
    let oldest_first = times.windows(2).all(|w| w[0] <= w[1]);
    match (newest_first, oldest_first) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn export_record_order(facts: &Facts) -> Guess {
    const SWITCH: &str = "exportRecordOrder";
    let Read::Done(records) = &facts.records else {
        return unknown(SWITCH, "the export records could not be read");
    };
    let times: Vec<Timestamp> = records.iter().filter_map(|r| r.created_at).collect();
    let mut distinct = times.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < ORDER_EVIDENCE {
        return unknown(
            SWITCH,
            format!(
                "{} export record(s) with {} distinct createdAt: too few to show an order",
                records.len(),
                distinct.len()
            ),
        );
    }
    let observed = format!(
        "{} export records, by createdAt across every page",
        times.len()
    );
    match order(&times) {
        Some(true) => named(SWITCH, "newestFirst", format!("{observed}: newest first")),
        Some(false) => named(SWITCH, "oldestFirst", format!("{observed}: oldest first")),
        None => named(
            SWITCH,
            "shuffled",
            format!("{observed}: in no order of createdAt"),
        ),
    }
}

fn records_on_snapshot_delete(facts: &Facts) -> Guess {
    const SWITCH: &str = "exportRecordsOnSnapshotDelete";
    let (Read::Done(records), Read::Done(snapshots)) = (&facts.records, &facts.manual_snapshots)
    else {
        return unknown(
            SWITCH,
            "the export records or the manual snapshots could not be read",
        );
    };
    let orphans: Vec<&str> = records
        .iter()
        .map(|r| r.source_name.as_str())
        .filter(|name| !snapshots.iter().any(|s| s == name))
        .collect();
    match orphans.first() {
        Some(first) => named(SWITCH, "kept", format!("{} export record(s) of snapshots that no longer exist (e.g. `{first}`)", orphans.len())),
        None => unknown(SWITCH, "every export record's snapshot still exists: nothing here shows whether records outlive their snapshot (consistent with `removed`, and with none ever deleted)"),
    }
}

fn destination_info(facts: &Facts) -> Guess {
    const SWITCH: &str = "destinationInfo";
    let Read::Done(records) = &facts.records else {
        return unknown(SWITCH, "the export records could not be read");
    };
    let started: Vec<_> = records.iter().filter(|r| r.state == "Started").collect();
    if started.is_empty() {
        return unknown(
            SWITCH,
            "no export is Started now: run the doctor again while a night's export is under way",
        );
    }
    let with = started.iter().filter(|r| r.has_destination_info).count();
    let observed = format!(
        "{with} of {} Started record(s) have destinationInfo",
        started.len()
    );
    match with {
        0 => named(SWITCH, "onceSucceeded", observed),
        n if n == started.len() => named(SWITCH, "whileStarted", observed),
        _ => unknown(
            SWITCH,
            format!("{observed}: some do, some do not (please report it)"),
        ),
    }
}

fn add_on_when_disabled(facts: &Facts) -> Guess {
    const SWITCH: &str = "addOnWhenDisabled";
    let Read::Done(seen) = &facts.resources else {
        return unknown(SWITCH, "the instances and disks could not be listed");
    };
    let mut shapes: Vec<(&'static str, &str)> = Vec::new();
    for s in seen {
        let shape = match &s.add_on {
            AddOnShape::NoKey | AddOnShape::Others => "absent",
            AddOnShape::EmptyList => "empty",
            AddOnShape::Status(status) if status != "Enabled" && status != "Enabling" => "disabled",
            AddOnShape::Status(_) => continue,
        };
        shapes.push((shape, &s.resource.name));
    }
    let Some((first, _)) = shapes.first().copied() else {
        return unknown(SWITCH, "every instance and disk has automatic snapshots on");
    };
    let described: Vec<String> = shapes
        .iter()
        .map(|(shape, name)| format!("`{name}` {shape}"))
        .collect();
    let observed = format!("resources with the add-on off: {}", described.join(", "));
    if shapes.iter().all(|(shape, _)| *shape == first) {
        named(SWITCH, first, observed)
    } else {
        unknown(SWITCH, format!("{observed}: more than one shape (perhaps never enabled vs turned off; please report it)"))
    }
}

fn auto_snapshot_order(facts: &Facts) -> Guess {
    const SWITCH: &str = "autoSnapshotOrder";
    let mut seen: Option<(bool, String)> = None;
    for (name, read) in &facts.auto_snapshots {
        let Read::Done(snapshots) = read else {
            continue;
        };
        let dates: Vec<Timestamp> = snapshots.iter().map(|s| s.date.midnight()).collect();
        if dates.len() < 2 {
            continue;
        }
        let Some(newest_first) = order(&dates) else {
            return unknown(
                SWITCH,
                format!(
                    "`{name}`'s automatic snapshots are in no order of date (please report it)"
                ),
            );
        };
        match &seen {
            Some((earlier, other)) if *earlier != newest_first => {
                return unknown(SWITCH, format!("`{other}` and `{name}` list their automatic snapshots in opposite orders (please report it)"));
            }
            _ => seen = Some((newest_first, name.clone())),
        }
    }
    match seen {
        Some((true, name)) => named(SWITCH, "newestFirst", format!("GetAutoSnapshots of `{name}` (and any other target with two or more): newest first")),
        Some((false, name)) => named(SWITCH, "oldestFirst", format!("GetAutoSnapshots of `{name}` (and any other target with two or more): oldest first")),
        None => unknown(SWITCH, "no target has two automatic snapshots yet"),
    }
}

fn tag_value_when_key_only(facts: &Facts) -> Guess {
    const SWITCH: &str = "tagValueWhenKeyOnly";
    let Read::Done(seen) = &facts.resources else {
        return unknown(SWITCH, "the instances and disks could not be listed");
    };
    let mut absent = Vec::new();
    let mut empty = Vec::new();
    for s in seen {
        for (key, value) in &s.resource.tags {
            let place = match value.as_deref() {
                None => &mut absent,
                Some("") => &mut empty,
                Some(_) => continue,
            };
            place.push(format!("`{}` on `{}`", key, s.resource.name));
        }
    }
    match (absent.is_empty(), empty.is_empty()) {
        (true, true) => unknown(SWITCH, "no instance or disk has a tag without a value"),
        (false, true) => named(
            SWITCH,
            "absent",
            format!("tags listed with no value key: {}", absent.join(", ")),
        ),
        (true, false) => named(
            SWITCH,
            "empty",
            format!("tags listed with value \"\": {}", empty.join(", ")),
        ),
        (false, false) => unknown(
            SWITCH,
            format!(
                "some tags have no value key ({}), some an empty one ({}) (please report it)",
                absent.join(", "),
                empty.join(", ")
            ),
        ),
    }
}
