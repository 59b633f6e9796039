//! One target's next step: which automatic snapshot, and what its copy's export records and
//! state call for. Pure functions of what the round observed, tested by table.

use crate::error::{TargetError, TargetErrorKind};
use crate::model::AutoSnapshotToday;
use crate::model::{
    AutoSnapshot, AutoSnapshotStatus, ExportRecord, Phase, RecordState, SnapshotState,
};
use crate::model::{Date, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An export of the copy succeeded: done, even if the copy was deleted since.
    Exported,
    /// An export is running.
    WaitForExport,
    /// The records settle nothing: the copy's state is needed.
    LookAtCopy,
    /// No copy yet: CopySnapshot.
    Copy,
    /// The copy is `pending`.
    WaitForCopy,
    /// The copy is ready and no export is running or done: ExportSnapshot (`attempt` counts from 1).
    Export { attempt: u32 },
    /// Every allowed export attempt failed.
    GiveUp { attempts: u32 },
    /// The copy ended in `error`.
    CopyFailed,
}

impl Decision {
    /// The target's error when this decision ends it (`max_attempts`: `MAX_EXPORT_ATTEMPTS`).
    pub fn failure(&self, copy_name: &str, max_attempts: u32) -> Option<TargetError> {
        match self {
            Decision::GiveUp { attempts } => Some(TargetError::new(
                TargetErrorKind::ExportFailed,
                format!("{attempts} export(s) of `{copy_name}` failed; MAX_EXPORT_ATTEMPTS is {max_attempts}"),
            )),
            Decision::CopyFailed => Some(TargetError::new(
                TargetErrorKind::CopyFailed,
                format!("the copy `{copy_name}` ended in state error; delete it to try again"),
            )),
            _ => None,
        }
    }

    /// The phase a target is in once this decision is carried out.
    pub fn phase(&self) -> Phase {
        match self {
            Decision::Exported => Phase::Exported,
            Decision::WaitForExport | Decision::Export { .. } => Phase::Exporting,
            Decision::LookAtCopy | Decision::Copy | Decision::WaitForCopy => Phase::Copying,
            Decision::GiveUp { .. } | Decision::CopyFailed => Phase::Failed,
        }
    }
}

/// Which automatic snapshot a target's round is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateChoice {
    /// The date an earlier round of the run started on, or the one asked for (`restoreDate`).
    Given(Date),
    /// The newest restorable one, from the listing of automatic snapshots.
    Newest,
}

impl DateChoice {
    /// An earlier round's date first (the run stays on it), then the one asked for.
    pub fn of(pinned: Option<Date>, asked: Option<Date>) -> DateChoice {
        pinned
            .or(asked)
            .map_or(DateChoice::Newest, DateChoice::Given)
    }
}

/// The date of the newest restorable automatic snapshot, or the target's error.
pub fn newest_restorable(snapshots: &[AutoSnapshot]) -> Result<Date, TargetError> {
    choose_auto_snapshot(snapshots, None)
        .map_err(|reason| TargetError::new(TargetErrorKind::NoRestorableSnapshot, reason))
}

/// Whether the automatic snapshot of `date` is restorable now, else the target's error.
pub fn still_restorable(snapshots: &[AutoSnapshot], date: Date) -> Result<(), TargetError> {
    choose_auto_snapshot(snapshots, Some(date))
        .map(|_| ())
        .map_err(|reason| TargetError::new(TargetErrorKind::NoRestorableSnapshot, reason))
}

/// What the first decision of a target's round knows of the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstLook {
    /// No earlier round of the run started on the target's date.
    pub first_round: bool,
    pub dry_run: bool,
    pub max_attempts: u32,
}

/// Decides a target's next step from its copy's export records and, when those do not settle
/// it, the copy's state (`None` = not looked at yet).
pub fn next_step(
    records: &[&ExportRecord],
    copy: Option<&SnapshotState>,
    max_attempts: u32,
) -> Decision {
    if records.iter().any(|r| r.state == RecordState::Succeeded) {
        return Decision::Exported;
    }
    if records.iter().any(|r| r.state.is_running()) {
        return Decision::WaitForExport;
    }
    // Only failed exports are left: every one of them counts as an attempt.
    let attempts = u32::try_from(records.len()).unwrap_or(u32::MAX);
    if attempts >= max_attempts {
        return Decision::GiveUp { attempts };
    }
    match copy {
        None => Decision::LookAtCopy,
        Some(SnapshotState::Missing) => Decision::Copy,
        Some(SnapshotState::Pending) | Some(SnapshotState::Other(_)) => Decision::WaitForCopy,
        Some(SnapshotState::Ready) => Decision::Export {
            attempt: attempts + 1,
        },
        Some(SnapshotState::Error) => Decision::CopyFailed,
    }
}

/// The first decision of a round, before the copy is looked at. A target's first round with no
/// export record almost never has a copy yet, so CopySnapshot is sent without looking first; if
/// the copy does exist, the call fails on the name and the copy is looked at then. Saves a read
/// per target per night. A dry run looks, since it must not send anything.
pub fn first_decision(records: &[&ExportRecord], look: FirstLook) -> Decision {
    match next_step(records, None, look.max_attempts) {
        Decision::LookAtCopy if look.first_round && records.is_empty() && !look.dry_run => {
            Decision::Copy
        }
        decision => decision,
    }
}

/// A target EXPORTED last round stays EXPORTED even when no record of its copy is listed any
/// more: Lightsail may forget an export record once its snapshot is deleted, and exporting again
/// would make a second AMI.
pub fn stays_exported(records: &[&ExportRecord], previous: Option<Phase>, pinned: bool) -> bool {
    records.is_empty() && pinned && previous == Some(Phase::Exported)
}

/// The record to show for a target: the succeeded one, else the running one, else the newest.
pub fn shown_record<'a>(records: &[&'a ExportRecord]) -> Option<&'a ExportRecord> {
    let newest = |wanted: fn(&RecordState) -> bool| {
        records
            .iter()
            .filter(|r| wanted(&r.state))
            .max_by(|a, b| {
                a.created_at
                    .cmp(&b.created_at)
                    .then_with(|| a.name.cmp(&b.name))
            })
            .copied()
    };
    newest(|s| *s == RecordState::Succeeded)
        .or_else(|| newest(RecordState::is_running))
        .or_else(|| newest(|_| true))
}

/// Which automatic snapshot to copy: the one of `restore_date`, which must be `Success`, or the
/// newest `Success` one (the newest entry is often still `InProgress`).
pub fn choose_auto_snapshot(
    snapshots: &[AutoSnapshot],
    restore_date: Option<Date>,
) -> Result<Date, String> {
    let restorable = |s: &&AutoSnapshot| s.status == AutoSnapshotStatus::Success;
    match restore_date {
        Some(date) => match snapshots.iter().find(|s| s.date == date) {
            Some(s) if restorable(&s) => Ok(date),
            Some(s) => Err(format!(
                "the automatic snapshot of {date} is {}, not Success: it cannot be copied",
                s.status.as_str()
            )),
            None => Err(format!("there is no automatic snapshot of {date}")),
        },
        None => snapshots
            .iter()
            .filter(restorable)
            .map(|s| s.date)
            .max()
            .ok_or_else(|| {
                if snapshots.is_empty() {
                    "there are no automatic snapshots (is the automatic snapshot add-on enabled?)"
                        .to_string()
                } else {
                    let states: Vec<String> = snapshots
                        .iter()
                        .map(|s| format!("{} {}", s.date, s.status.as_str()))
                        .collect();
                    format!(
                        "no automatic snapshot is restorable yet ({})",
                        states.join(", ")
                    )
                }
            }),
    }
}

/// The automatic snapshot being taken now, if any.
pub fn being_taken(snapshots: &[AutoSnapshot]) -> Option<&AutoSnapshot> {
    snapshots
        .iter()
        .find(|a| a.status == AutoSnapshotStatus::InProgress)
}

/// Today's automatic snapshot, when the one chosen is older: why an older one is exported.
pub fn auto_snapshot_today(
    snapshots: &[AutoSnapshot],
    chosen: Date,
    now: Timestamp,
    time_of_day: Option<&str>,
) -> Option<AutoSnapshotToday> {
    let today = now.date();
    if chosen >= today {
        return None;
    }
    let status = snapshots.iter().find(|s| s.date == today).map_or_else(
        || "NotYetTaken".to_string(),
        |s| s.status.as_str().to_string(),
    );
    Some(AutoSnapshotToday {
        date: today,
        status,
        time_of_day: time_of_day.map(str::to_string),
    })
}

#[cfg(test)]
mod tests;
