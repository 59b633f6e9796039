//! The engine's decisions: pure functions of what a round observed. No I/O here, so every
//! case is a row in a table test.

use crate::api_error::ApiError;
use crate::report::{AutoSnapshotToday, Phase};

/// An automatic snapshot as GetAutoSnapshots lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSnapshot {
    pub date: String,
    /// `Success`, `Failed`, `InProgress`, `NotFound` (kept as text: only `Success` matters).
    pub status: String,
}

/// The state of a target's manual copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyState {
    Missing,
    /// `pending`: being copied.
    Pending,
    /// `available` (instance snapshot) or `completed` (disk snapshot).
    Ready,
    /// `error`: terminal.
    Error,
    /// Anything else (`unknown`…): wait and look again.
    Other(String),
}

impl CopyState {
    pub fn from_state(state: &str) -> CopyState {
        match state {
            "pending" => CopyState::Pending,
            "available" | "completed" => CopyState::Ready,
            "error" => CopyState::Error,
            other => CopyState::Other(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    Started,
    Succeeded,
    Failed,
}

/// An export record, reduced to what decisions and the report need.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRecord {
    pub name: String,
    pub arn: Option<String>,
    pub state: RecordState,
    pub state_text: String,
    /// Epoch seconds.
    pub created_at: Option<f64>,
    pub source_name: String,
    /// The instance or disk the exported snapshot was taken from.
    pub from_resource: Option<String>,
    /// When the exported snapshot (the copy) was made, epoch seconds.
    pub source_created_at: Option<f64>,
    pub destination: Option<(String, String)>,
}

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

/// Decides a target's next step from its copy's export records and, when those do not settle
/// it, the copy's state (`None` = not looked at yet).
pub fn decide(records: &[&ExportRecord], copy: Option<&CopyState>, max_attempts: u32) -> Decision {
    if records.iter().any(|r| r.state == RecordState::Succeeded) {
        return Decision::Exported;
    }
    if records.iter().any(|r| r.state == RecordState::Started) {
        return Decision::WaitForExport;
    }
    // Only failed exports are left: every one of them counts as an attempt.
    let attempts = u32::try_from(records.len()).unwrap_or(u32::MAX);
    if attempts >= max_attempts {
        return Decision::GiveUp { attempts };
    }
    match copy {
        None => Decision::LookAtCopy,
        Some(CopyState::Missing) => Decision::Copy,
        Some(CopyState::Pending) | Some(CopyState::Other(_)) => Decision::WaitForCopy,
        Some(CopyState::Ready) => Decision::Export {
            attempt: attempts + 1,
        },
        Some(CopyState::Error) => Decision::CopyFailed,
    }
}

/// The record to show for a target: the succeeded one, else the running one, else the newest.
pub fn shown_record<'a>(records: &[&'a ExportRecord]) -> Option<&'a ExportRecord> {
    let newest = |state: Option<RecordState>| {
        records
            .iter()
            .filter(|r| state.is_none_or(|s| r.state == s))
            .max_by(|a, b| {
                let (ta, tb) = (a.created_at.unwrap_or(0.0), b.created_at.unwrap_or(0.0));
                ta.total_cmp(&tb).then_with(|| a.name.cmp(&b.name))
            })
            .copied()
    };
    newest(Some(RecordState::Succeeded))
        .or_else(|| newest(Some(RecordState::Started)))
        .or_else(|| newest(None))
}

/// Which automatic snapshot to copy: the one of `restore_date`, which must be `Success`, or the
/// newest `Success` one (the newest entry is often still `InProgress`).
pub fn choose_auto_snapshot(
    snapshots: &[AutoSnapshot],
    restore_date: Option<&str>,
) -> Result<String, String> {
    match restore_date {
        Some(date) => match snapshots.iter().find(|s| s.date == date) {
            Some(s) if s.status == "Success" => Ok(date.to_string()),
            Some(s) => Err(format!(
                "the automatic snapshot of {date} is {}, not Success: it cannot be copied",
                s.status
            )),
            None => Err(format!("there is no automatic snapshot of {date}")),
        },
        None => snapshots
            .iter()
            .filter(|s| s.status == "Success")
            .map(|s| s.date.clone())
            .max()
            .ok_or_else(|| {
                if snapshots.is_empty() {
                    "there are no automatic snapshots (is the automatic snapshot add-on enabled?)"
                        .to_string()
                } else {
                    let states: Vec<String> = snapshots
                        .iter()
                        .map(|s| format!("{} {}", s.date, s.status))
                        .collect();
                    format!(
                        "no automatic snapshot is restorable yet ({})",
                        states.join(", ")
                    )
                }
            }),
    }
}

/// A target EXPORTED last round stays EXPORTED even when no record of its copy is listed any
/// more: Lightsail may forget an export record once its snapshot is deleted (retention), and
/// exporting again would make a second AMI.
pub fn stays_exported(records: &[&ExportRecord], previous: Option<Phase>, pinned: bool) -> bool {
    records.is_empty() && pinned && previous == Some(Phase::Exported)
}

/// What a refused CopySnapshot means, once the copy was looked for and is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyRefused {
    /// The name belongs to another resource of the region (instance, static IP, …).
    NameTaken,
    /// Lightsail refuses copies while an automatic snapshot is being taken: wait, bounded.
    Wait,
    /// The automatic snapshot to copy does not exist.
    NoSnapshot,
    /// Throttling, 5xx: the next round tries again.
    Retry,
    /// Anything else fails the target.
    Fail,
}

/// Classifies a CopySnapshot refusal. `auto_in_progress`: whether GetAutoSnapshots showed an
/// automatic snapshot of the resource being taken. Whether Lightsail refuses a copy then, and
/// with which exception, is undocumented (docs/evidence.md): an `OperationFailureException` or
/// an error we cannot place is a wait; so is invalid input while a snapshot is being taken,
/// since the function's own request was checked before it was sent.
pub fn copy_refused(error: &ApiError, auto_in_progress: bool) -> CopyRefused {
    match error {
        ApiError::NameInUse(_) => CopyRefused::NameTaken,
        ApiError::Throttled(_) | ApiError::Transient(_) => CopyRefused::Retry,
        ApiError::NotFound(_) => CopyRefused::NoSnapshot,
        ApiError::Other { .. } => CopyRefused::Wait,
        ApiError::InvalidInput(_) if auto_in_progress => CopyRefused::Wait,
        ApiError::InvalidInput(_) | ApiError::AccessDenied(_) => CopyRefused::Fail,
    }
}

/// A wait on an automatic snapshot: since when (epoch seconds), and whether it has lasted
/// longer than `max` seconds. It starts at the first round that saw it.
pub fn wait_on_auto_snapshot(since: Option<i64>, now: f64, max: u64) -> (i64, bool) {
    let since = since.unwrap_or(now.floor() as i64);
    let waited = now - since as f64;
    (since, waited > max as f64)
}

/// `3h05m`, `40m`, `15s`: a wait, for messages.
pub fn human_duration(seconds: u64) -> String {
    match seconds {
        s if s >= 3600 && s % 3600 / 60 > 0 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s if s >= 3600 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The UTC date of an epoch time, `YYYY-MM-DD`.
pub fn utc_date(epoch: f64) -> String {
    let days = (epoch / 86_400.0).floor() as i64;
    // Civil from days (Howard Hinnant's algorithm), so no calendar crate is needed.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Today's automatic snapshot, when the one chosen is older: why an older one is exported.
pub fn auto_snapshot_today(
    snapshots: &[AutoSnapshot],
    chosen: &str,
    now: f64,
    time_of_day: Option<&str>,
) -> Option<AutoSnapshotToday> {
    let today = utc_date(now);
    if chosen >= today.as_str() {
        return None;
    }
    let status = snapshots
        .iter()
        .find(|s| s.date == today)
        .map_or_else(|| "NotYetTaken".to_string(), |s| s.status.clone());
    Some(AutoSnapshotToday {
        date: today,
        status,
        time_of_day: time_of_day.map(str::to_string),
    })
}

/// Snapshots of cPanel & WHM, Django and Ghost instances cannot be exported to EC2.
pub fn exportable_blueprint(blueprint_id: &str, blueprint_name: &str) -> bool {
    let text = format!("{blueprint_id} {blueprint_name}").to_ascii_lowercase();
    !["cpanel", "django", "ghost"]
        .iter()
        .any(|b| text.contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: RecordState, created_at: f64) -> ExportRecord {
        ExportRecord {
            name: format!("ExportSnapshotRecord-{created_at}"),
            arn: None,
            state,
            state_text: format!("{state:?}"),
            created_at: Some(created_at),
            source_name: "web-1-export-2026-11-21".into(),
            from_resource: None,
            source_created_at: None,
            destination: None,
        }
    }

    #[test]
    fn decision_table() {
        use CopyState::*;
        use Decision::*;
        use RecordState::{Failed as F, Started as S, Succeeded as OK};
        let pending = Pending;
        let ready = Ready;
        let missing = Missing;
        let error = Error;
        let unknown = Other("unknown".into());
        // (records, copy, max attempts) -> decision
        let table: Vec<(Vec<RecordState>, Option<&CopyState>, u32, Decision)> = vec![
            (vec![], None, 3, LookAtCopy),
            (vec![], Some(&missing), 3, Copy),
            (vec![], Some(&pending), 3, WaitForCopy),
            (vec![], Some(&unknown), 3, WaitForCopy),
            (vec![], Some(&ready), 3, Export { attempt: 1 }),
            (vec![], Some(&error), 3, CopyFailed),
            (vec![S], None, 3, WaitForExport),
            (vec![OK], None, 3, Exported),
            (vec![OK], Some(&missing), 3, Exported),
            (vec![F, OK], None, 1, Exported),
            (vec![F, S], None, 2, WaitForExport),
            (vec![F], None, 3, LookAtCopy),
            (vec![F], Some(&ready), 3, Export { attempt: 2 }),
            (vec![F, F], Some(&ready), 3, Export { attempt: 3 }),
            (vec![F, F, F], Some(&ready), 3, GiveUp { attempts: 3 }),
            (vec![F, F, F], None, 3, GiveUp { attempts: 3 }),
            (vec![F], Some(&ready), 1, GiveUp { attempts: 1 }),
            (vec![F], Some(&missing), 3, Copy),
            (vec![F], Some(&pending), 3, WaitForCopy),
        ];
        for (states, copy, max, expected) in table {
            let records: Vec<ExportRecord> = states
                .iter()
                .enumerate()
                .map(|(i, s)| record(*s, i as f64))
                .collect();
            let refs: Vec<&ExportRecord> = records.iter().collect();
            assert_eq!(
                decide(&refs, copy, max),
                expected,
                "{states:?} {copy:?} max {max}"
            );
        }
    }

    #[test]
    fn phases() {
        assert_eq!(Decision::Exported.phase(), Phase::Exported);
        assert_eq!(Decision::Export { attempt: 1 }.phase(), Phase::Exporting);
        assert_eq!(Decision::WaitForExport.phase(), Phase::Exporting);
        assert_eq!(Decision::Copy.phase(), Phase::Copying);
        assert_eq!(Decision::WaitForCopy.phase(), Phase::Copying);
        assert_eq!(Decision::GiveUp { attempts: 3 }.phase(), Phase::Failed);
        assert_eq!(Decision::CopyFailed.phase(), Phase::Failed);
    }

    #[test]
    fn shown_record_prefers_success_then_running_then_newest() {
        let records = [
            record(RecordState::Failed, 1.0),
            record(RecordState::Succeeded, 2.0),
            record(RecordState::Failed, 3.0),
        ];
        let refs: Vec<&ExportRecord> = records.iter().collect();
        assert_eq!(
            shown_record(&refs).map(|r| r.state),
            Some(RecordState::Succeeded)
        );
        let failed = [
            record(RecordState::Failed, 1.0),
            record(RecordState::Failed, 5.0),
        ];
        let refs: Vec<&ExportRecord> = failed.iter().collect();
        assert_eq!(shown_record(&refs).and_then(|r| r.created_at), Some(5.0));
        assert_eq!(shown_record(&[]), None);
    }

    fn autos(entries: &[(&str, &str)]) -> Vec<AutoSnapshot> {
        entries
            .iter()
            .map(|(date, status)| AutoSnapshot {
                date: date.to_string(),
                status: status.to_string(),
            })
            .collect()
    }

    #[test]
    fn automatic_snapshot_choice() {
        let list = autos(&[
            ("2026-11-19", "Success"),
            ("2026-11-21", "InProgress"),
            ("2026-11-20", "Success"),
            ("2026-11-18", "Failed"),
        ]);
        assert_eq!(choose_auto_snapshot(&list, None), Ok("2026-11-20".into()));
        assert_eq!(
            choose_auto_snapshot(&list, Some("2026-11-19")),
            Ok("2026-11-19".into())
        );
        assert!(choose_auto_snapshot(&list, Some("2026-11-18"))
            .unwrap_err()
            .contains("Failed"));
        assert!(choose_auto_snapshot(&list, Some("2026-11-21"))
            .unwrap_err()
            .contains("InProgress"));
        assert!(choose_auto_snapshot(&list, Some("2026-11-01")).is_err());
        assert!(choose_auto_snapshot(&[], None)
            .unwrap_err()
            .contains("no automatic snapshots"));
        let none_ok = autos(&[("2026-11-21", "InProgress"), ("2026-11-20", "Failed")]);
        assert!(choose_auto_snapshot(&none_ok, None)
            .unwrap_err()
            .contains("restorable"));
    }

    #[test]
    fn copy_refusals() {
        use CopyRefused::*;
        let other = |code: &str| ApiError::Other {
            code: code.into(),
            message: "m".into(),
        };
        let cases: Vec<(ApiError, bool, CopyRefused)> = vec![
            (ApiError::NameInUse("m".into()), false, NameTaken),
            (ApiError::NameInUse("m".into()), true, NameTaken),
            (other("OperationFailureException"), true, Wait),
            (other("OperationFailureException"), false, Wait),
            (other("SomethingNew"), false, Wait),
            (ApiError::InvalidInput("m".into()), true, Wait),
            (ApiError::InvalidInput("m".into()), false, Fail),
            (ApiError::AccessDenied("m".into()), true, Fail),
            (ApiError::NotFound("m".into()), true, NoSnapshot),
            (ApiError::Throttled("m".into()), true, Retry),
            (ApiError::Transient("m".into()), false, Retry),
        ];
        for (error, in_progress, expected) in cases {
            assert_eq!(
                copy_refused(&error, in_progress),
                expected,
                "{error:?} {in_progress}"
            );
        }
    }

    #[test]
    fn waits_are_bounded_from_the_first_round_that_saw_them() {
        assert_eq!(wait_on_auto_snapshot(None, 1000.5, 60), (1000, false));
        assert_eq!(wait_on_auto_snapshot(Some(1000), 1060.0, 60), (1000, false));
        assert_eq!(wait_on_auto_snapshot(Some(1000), 1061.0, 60), (1000, true));
        assert_eq!(wait_on_auto_snapshot(Some(1000), 1000.0, 0), (1000, false));
        assert_eq!(human_duration(10_800), "3h");
        assert_eq!(human_duration(11_100), "3h05m");
        assert_eq!(human_duration(2_400), "40m");
        assert_eq!(human_duration(15), "15s");
    }

    #[test]
    fn exported_stays_exported_when_the_record_is_forgotten() {
        let succeeded = record(RecordState::Succeeded, 1.0);
        assert!(stays_exported(&[], Some(Phase::Exported), true));
        assert!(!stays_exported(&[&succeeded], Some(Phase::Exported), true));
        assert!(!stays_exported(&[], Some(Phase::Exporting), true));
        assert!(!stays_exported(&[], Some(Phase::Exported), false));
        assert!(!stays_exported(&[], None, true));
    }

    #[test]
    fn utc_dates_and_today() {
        assert_eq!(utc_date(0.0), "1970-01-01");
        assert_eq!(utc_date(1_795_328_400.0), "2026-11-22");
        assert_eq!(utc_date(951_782_400.0), "2000-02-29");
        assert_eq!(utc_date(1_795_391_999.0), "2026-11-22");
        let list = autos(&[("2026-11-22", "InProgress"), ("2026-11-21", "Success")]);
        let now = 1_795_328_400.0; // 2026-11-22T06:20:00Z
        let today = auto_snapshot_today(&list, "2026-11-21", now, Some("06:00")).unwrap();
        assert_eq!(
            (today.date.as_str(), today.status.as_str()),
            ("2026-11-22", "InProgress")
        );
        assert_eq!(today.time_of_day.as_deref(), Some("06:00"));
        let earlier = autos(&[("2026-11-21", "Success")]);
        let today = auto_snapshot_today(&earlier, "2026-11-21", now, None).unwrap();
        assert_eq!(today.status, "NotYetTaken");
        assert_eq!(auto_snapshot_today(&list, "2026-11-22", now, None), None);
    }

    #[test]
    fn blueprints() {
        for (id, name, ok) in [
            ("ubuntu_22_04", "Ubuntu", true),
            ("wordpress", "WordPress", true),
            ("ghost_5", "Ghost", false),
            ("django_4_2", "Django", false),
            ("cpanel_whm_linux", "cPanel & WHM for Linux", false),
            ("custom", "cPanel & WHM", false),
        ] {
            assert_eq!(exportable_blueprint(id, name), ok, "{id}");
        }
    }
}
