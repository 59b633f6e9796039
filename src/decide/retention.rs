//! Which copies the function made, and which of them may go.
//!
//! Every copy the function makes is tagged, and only tagged copies are ever deleted: never a
//! user's snapshot, never a copy whose export is still running, never a copy still needed for an
//! export that has not succeeded. Pure functions, tested by table.

use std::collections::HashMap;

use super::keep::{self, Candidate};
use crate::input::plan::Retention;
use crate::model::{
    copy_tag, Date, ExportRecord, ManualSnapshot, RecordState, SnapshotState, Timestamp,
    MANAGED_TAG,
};

/// The tags put on a copy of `resource`'s automatic snapshot of `date`.
pub fn copy_tags(resource: &str, date: Date) -> Vec<(String, String)> {
    vec![
        (MANAGED_TAG.to_string(), "true".to_string()),
        (copy_tag::SOURCE.to_string(), resource.to_string()),
        (copy_tag::AUTO_SNAPSHOT_DATE.to_string(), date.to_string()),
    ]
}

/// Whether the function made this copy of `resource` (its tags say so).
pub fn is_managed_copy_of(copy: &ManualSnapshot, resource: &str) -> bool {
    copy.tag(MANAGED_TAG) == Some("true")
        && copy.tag(copy_tag::SOURCE) == Some(resource)
        && copy
            .from_resource
            .as_deref()
            .is_none_or(|from| from == resource)
}

/// The automatic-snapshot date a copy holds (`None`: its tag is no date).
fn date_of(copy: &ManualSnapshot) -> Option<Date> {
    copy.tag(copy_tag::AUTO_SNAPSHOT_DATE)
        .and_then(|d| Date::parse(d).ok())
}

/// Orders copies by the automatic-snapshot date they hold, then by creation time.
fn newer(a: &ManualSnapshot, b: &ManualSnapshot) -> std::cmp::Ordering {
    // A date tag that is no date sorts as the oldest.
    let date = date_of;
    date(a)
        .cmp(&date(b))
        .then_with(|| a.created_at.cmp(&b.created_at))
}

/// The newest copy the function made of `resource`.
pub fn newest_managed_copy<'a>(
    resource: &str,
    copies: &'a [ManualSnapshot],
) -> Option<&'a ManualSnapshot> {
    copies
        .iter()
        .filter(|c| is_managed_copy_of(c, resource))
        .max_by(|a, b| newer(a, b))
}

/// The copy this run works on, and whether its export succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Current<'a> {
    Exported(&'a str),
    NotExported(&'a str),
}

/// The copies of `resource` to delete this round, oldest first.
///
/// `copies` are the snapshots of the function's region; `records` its export records by source
/// name. A copy no keep rule keeps (`COPIES_KEEP_*`, counted by the date it holds) goes, as does
/// one whose export succeeded under `DELETE_COPY_AFTER_EXPORT`.
pub fn to_delete<'a>(
    resource: &str,
    copies: &'a [ManualSnapshot],
    records: &HashMap<&str, Vec<&ExportRecord>>,
    current: Current<'_>,
    policy: Retention,
    now: Timestamp,
) -> Vec<&'a ManualSnapshot> {
    let (current, exported) = match current {
        Current::Exported(name) => (name, true),
        Current::NotExported(name) => (name, false),
    };
    let empty = Vec::new();
    let state_of = |name: &str| records.get(name).unwrap_or(&empty);
    let succeeded = |name: &str| {
        state_of(name)
            .iter()
            .any(|r| r.state == RecordState::Succeeded)
    };
    let running = |name: &str| state_of(name).iter().any(|r| r.state.is_running());

    let mut managed: Vec<&ManualSnapshot> = copies
        .iter()
        .filter(|c| is_managed_copy_of(c, resource))
        .filter(|c| c.state != SnapshotState::Pending && c.state != SnapshotState::Missing)
        .collect();
    managed.sort_by(|a, b| newer(b, a));

    // The copy of the newest successful export stays, whatever the policy: it is the proof that
    // tonight's export happened. Lightsail may forget an export record once its snapshot is
    // deleted (undocumented; the emulator's `exportRecordsOnSnapshotDelete` switch), and a round
    // that finds neither record nor copy would copy and export again.
    let exported_copy = |c: &ManualSnapshot| succeeded(&c.name) || (c.name == current && exported);
    let proof = managed
        .iter()
        .find(|c| exported_copy(c))
        .map(|c| c.name.clone());

    // The rules see the copies newest first, none of them tonight's: `COPIES_KEEP_LAST=N` (and
    // `KEEP_COPIES=N`) keeps the newest N, as it always did.
    let candidates: Vec<Candidate> = managed
        .iter()
        .map(|c| Candidate {
            date: date_of(c),
            tonight: false,
        })
        .collect();
    let kept = keep::reasons(&policy.keep, &candidates, now);

    let mut chosen: Vec<&ManualSnapshot> = Vec::new();
    for (index, copy) in managed.iter().enumerate() {
        if running(&copy.name) || proof.as_deref() == Some(copy.name.as_str()) {
            continue;
        }
        // The current copy goes only once its export succeeded: it is still needed before.
        if copy.name == current && !exported {
            continue;
        }
        let beyond_keep = policy.keep.enabled() && kept[index].is_empty();
        let done_with = policy.delete_after_export && succeeded(&copy.name);
        if beyond_keep || done_with {
            chosen.push(copy);
        }
    }
    chosen.reverse();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::keep::KeepRules;
    use crate::model::ResourceType;

    fn copy(name: &str, date: &str, tagged: bool, state: SnapshotState) -> ManualSnapshot {
        let tags = if tagged {
            copy_tags("web-1", crate::model::time::test_util::day(date))
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect()
        } else {
            Vec::new()
        };
        ManualSnapshot {
            name: name.to_string(),
            resource_type: ResourceType::Instance,
            state,
            from_resource: Some("web-1".into()),
            tags,
            created_at: None,
            from_auto_snapshot: Some(true),
            size_gib: None,
        }
    }

    fn record(source: &str, state: RecordState) -> ExportRecord {
        ExportRecord::test(source, state)
    }

    fn last(n: u32) -> KeepRules {
        KeepRules {
            last: Some(n),
            ..KeepRules::default()
        }
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-22T07:00:00Z").unwrap()
    }

    fn names(copies: Vec<&ManualSnapshot>) -> Vec<&str> {
        copies.iter().map(|c| c.name.as_str()).collect()
    }

    // longer than 80 lines because it is one table of policies and what each deletes.
    #[test]
    fn retention_table() {
        use SnapshotState::Ready;
        let copies = vec![
            copy("web-1-export-2026-11-18", "2026-11-18", true, Ready),
            copy("web-1-export-2026-11-19", "2026-11-19", true, Ready),
            copy("web-1-export-2026-11-20", "2026-11-20", true, Ready),
            copy("web-1-export-2026-11-21", "2026-11-21", true, Ready),
            copy("web-1-before-upgrade", "2026-11-30", false, Ready),
        ];
        let recs = [
            record("web-1-export-2026-11-18", RecordState::Succeeded),
            record("web-1-export-2026-11-19", RecordState::Started),
            record("web-1-export-2026-11-20", RecordState::Succeeded),
            record("web-1-export-2026-11-21", RecordState::Succeeded),
            record("web-1-before-upgrade", RecordState::Succeeded),
        ];
        let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
        for r in &recs {
            by_source.entry(r.source_name.as_str()).or_default().push(r);
        }
        let current = "web-1-export-2026-11-21";
        let cases: Vec<(Retention, bool, Vec<&str>)> = vec![
            (Retention::default(), true, vec![]),
            // Delete after export: every exported copy but the newest (the proof of the newest
            // export), never the running one, never the user's.
            (
                Retention {
                    delete_after_export: true,
                    keep: KeepRules::default(),
                },
                true,
                vec!["web-1-export-2026-11-18", "web-1-export-2026-11-20"],
            ),
            // …and the current one stays while its export runs (11-21's record here says
            // Succeeded, so it is still the newest exported copy).
            (
                Retention {
                    delete_after_export: true,
                    keep: KeepRules::default(),
                },
                false,
                vec!["web-1-export-2026-11-18", "web-1-export-2026-11-20"],
            ),
            // Keep 2: the two newest stay; the 11-19 copy is exporting and stays too.
            (
                Retention {
                    delete_after_export: false,
                    keep: last(2),
                },
                true,
                vec!["web-1-export-2026-11-18"],
            ),
            (
                Retention {
                    delete_after_export: false,
                    keep: last(1),
                },
                true,
                vec!["web-1-export-2026-11-18", "web-1-export-2026-11-20"],
            ),
            (
                Retention {
                    delete_after_export: false,
                    keep: last(10),
                },
                true,
                vec![],
            ),
            // Daily 2 and weekly 1 (2026-W47 runs from the 16th to the 22nd): the 20th and
            // 21st by date; the 18th goes, the exporting 19th stays.
            (
                Retention {
                    delete_after_export: false,
                    keep: KeepRules {
                        daily: Some(2),
                        weekly: Some(1),
                        ..KeepRules::default()
                    },
                },
                true,
                vec!["web-1-export-2026-11-18"],
            ),
        ];
        for (policy, exported, expected) in cases {
            let current_of = match exported {
                true => Current::Exported(current),
                false => Current::NotExported(current),
            };
            let got = to_delete("web-1", &copies, &by_source, current_of, policy, now());
            assert_eq!(names(got), expected, "{policy:?} exported={exported}");
        }
    }

    #[test]
    fn the_copy_of_the_newest_successful_export_is_always_kept() {
        use SnapshotState::Ready;
        let copies = vec![
            copy("web-1-export-2026-11-19", "2026-11-19", true, Ready),
            copy("web-1-export-2026-11-20", "2026-11-20", true, Ready),
            copy("web-1-export-2026-11-21", "2026-11-21", true, Ready),
        ];
        let recs = [
            record("web-1-export-2026-11-19", RecordState::Succeeded),
            record("web-1-export-2026-11-20", RecordState::Succeeded),
        ];
        let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
        for r in &recs {
            by_source.entry(r.source_name.as_str()).or_default().push(r);
        }
        let policy = Retention {
            delete_after_export: true,
            keep: KeepRules::default(),
        };
        let current = "web-1-export-2026-11-21";
        // Tonight's copy is not exported yet: yesterday's is the proof, and stays.
        let got = to_delete(
            "web-1",
            &copies,
            &by_source,
            Current::NotExported(current),
            policy,
            now(),
        );
        assert_eq!(names(got), ["web-1-export-2026-11-19"]);
        // Once it is, it becomes the proof, and yesterday's goes.
        let got = to_delete(
            "web-1",
            &copies,
            &by_source,
            Current::Exported(current),
            policy,
            now(),
        );
        assert_eq!(
            names(got),
            ["web-1-export-2026-11-19", "web-1-export-2026-11-20"]
        );
        // A first night: the only copy is the proof.
        let only = &copies[2..];
        assert!(to_delete(
            "web-1",
            only,
            &HashMap::new(),
            Current::Exported(current),
            policy,
            now(),
        )
        .is_empty());
    }

    #[test]
    fn pending_and_foreign_copies_are_never_chosen() {
        let mut other = copy(
            "web-2-export-2026-11-18",
            "2026-11-18",
            true,
            SnapshotState::Ready,
        );
        other.from_resource = Some("web-2".into());
        let copies = vec![
            copy(
                "web-1-export-2026-11-17",
                "2026-11-17",
                true,
                SnapshotState::Pending,
            ),
            other,
            copy(
                "web-1-export-2026-11-16",
                "2026-11-16",
                false,
                SnapshotState::Ready,
            ),
        ];
        let policy = Retention {
            delete_after_export: true,
            keep: last(0),
        };
        assert!(to_delete(
            "web-1",
            &copies,
            &HashMap::new(),
            Current::Exported("x"),
            policy,
            now(),
        )
        .is_empty());
    }
}
