use super::*;
use crate::model::time::test_util::day;

pub(crate) fn record(state: RecordState, created_at: f64) -> ExportRecord {
    let created = Timestamp::from_epoch_seconds(created_at);
    ExportRecord {
        name: format!("ExportSnapshotRecord-{created_at}"),
        created_at: Some(created),
        ..ExportRecord::test("web-1-export-2026-11-21", state)
    }
}

/// A first look with `MAX_EXPORT_ATTEMPTS` 3.
fn look(first_round: bool, dry_run: bool) -> FirstLook {
    FirstLook {
        first_round,
        dry_run,
        max_attempts: 3,
    }
}

#[test]
fn decision_table() {
    use Decision::*;
    use RecordState::{Failed as F, Started as S, Succeeded as OK};
    use SnapshotState::*;
    let pending = Pending;
    let ready = Ready;
    let missing = Missing;
    let error = Error;
    let unknown = Other("unknown".into());
    let queued = RecordState::Other("Queued".into());
    // (records, copy, max attempts) -> decision
    let table: Vec<(Vec<RecordState>, Option<&SnapshotState>, u32, Decision)> = vec![
        (vec![], None, 3, LookAtCopy),
        (vec![], Some(&missing), 3, Copy),
        (vec![], Some(&pending), 3, WaitForCopy),
        (vec![], Some(&unknown), 3, WaitForCopy),
        (vec![], Some(&ready), 3, Export { attempt: 1 }),
        (vec![], Some(&error), 3, CopyFailed),
        (vec![S], None, 3, WaitForExport),
        (vec![queued.clone()], Some(&ready), 3, WaitForExport),
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
            .map(|(i, s)| record(s.clone(), i as f64))
            .collect();
        let refs: Vec<&ExportRecord> = records.iter().collect();
        assert_eq!(
            next_step(&refs, copy, max),
            expected,
            "{states:?} {copy:?} max {max}"
        );
    }
}

#[test]
fn the_first_round_copies_without_looking_unless_dry() {
    let failed = record(RecordState::Failed, 1.0);
    assert_eq!(first_decision(&[], look(true, false)), Decision::Copy);
    assert_eq!(first_decision(&[], look(true, true)), Decision::LookAtCopy);
    assert_eq!(
        first_decision(&[], look(false, false)),
        Decision::LookAtCopy
    );
    assert_eq!(
        first_decision(&[&failed], look(true, false)),
        Decision::LookAtCopy
    );
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
        shown_record(&refs).map(|r| r.state.clone()),
        Some(RecordState::Succeeded)
    );
    let failed = [
        record(RecordState::Failed, 1.0),
        record(RecordState::Failed, 5.0),
    ];
    let refs: Vec<&ExportRecord> = failed.iter().collect();
    assert_eq!(
        shown_record(&refs).and_then(|r| r.created_at),
        Some(Timestamp::from_epoch_seconds(5.0))
    );
    assert_eq!(shown_record(&[]), None);
}

pub(crate) fn autos(entries: &[(&str, &str)]) -> Vec<AutoSnapshot> {
    entries
        .iter()
        .map(|(date, status)| AutoSnapshot {
            date: day(date),
            status: AutoSnapshotStatus::parse(status),
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
    assert_eq!(choose_auto_snapshot(&list, None), Ok(day("2026-11-20")));
    assert_eq!(
        choose_auto_snapshot(&list, Some(day("2026-11-19"))),
        Ok(day("2026-11-19"))
    );
    assert!(choose_auto_snapshot(&list, Some(day("2026-11-18")))
        .unwrap_err()
        .contains("Failed"));
    assert!(choose_auto_snapshot(&list, Some(day("2026-11-21")))
        .unwrap_err()
        .contains("InProgress"));
    assert!(choose_auto_snapshot(&list, Some(day("2026-11-01"))).is_err());
    assert!(choose_auto_snapshot(&[], None)
        .unwrap_err()
        .contains("no automatic snapshots"));
    let none_ok = autos(&[("2026-11-21", "InProgress"), ("2026-11-20", "Failed")]);
    assert!(choose_auto_snapshot(&none_ok, None)
        .unwrap_err()
        .contains("restorable"));
    assert_eq!(being_taken(&list).map(|a| a.date), Some(day("2026-11-21")));
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
fn today() {
    let list = autos(&[("2026-11-22", "InProgress"), ("2026-11-21", "Success")]);
    let now = Timestamp::from_unix(1_795_328_400); // 2026-11-22T06:20:00Z
    let today = auto_snapshot_today(&list, day("2026-11-21"), now, Some("06:00")).unwrap();
    assert_eq!(
        (today.date.to_string().as_str(), today.status.as_str()),
        ("2026-11-22", "InProgress")
    );
    assert_eq!(today.time_of_day.as_deref(), Some("06:00"));
    let earlier = autos(&[("2026-11-21", "Success")]);
    let today = auto_snapshot_today(&earlier, day("2026-11-21"), now, None).unwrap();
    assert_eq!(today.status, "NotYetTaken");
    assert_eq!(
        auto_snapshot_today(&list, day("2026-11-22"), now, None),
        None
    );
}
