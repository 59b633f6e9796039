//! What a refused CopySnapshot means: another resource holds the name, the snapshot is gone, or
//! Lightsail will not copy while an automatic snapshot is being taken, which is a wait bounded by
//! `MAX_AUTO_SNAPSHOT_WAIT`. Pure functions, tested by table.

use crate::error::ApiError;
use crate::error::{TargetError, TargetErrorKind};
use crate::model::time::human_duration;
use crate::model::AutoSnapshot;
use crate::model::{Date, Timestamp};
use std::time::Duration;

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

/// The target's error for a refused copy that is not a wait.
pub fn refusal_error(verdict: CopyRefused, copy_name: &str, error: ApiError) -> TargetError {
    match verdict {
        CopyRefused::NameTaken => TargetError::new(
            TargetErrorKind::CopyNameConflict,
            format!(
                "CopySnapshot: {error}; no snapshot `{copy_name}` exists, so another resource of the region (an instance, a disk, a static IP…) holds the name: Lightsail names are unique per region across resource types. Rename it, or change SNAPSHOT_NAME_FORMAT"
            ),
        ),
        CopyRefused::NoSnapshot => TargetError::new(
            TargetErrorKind::NoRestorableSnapshot,
            format!("CopySnapshot: {error}"),
        ),
        CopyRefused::Wait | CopyRefused::Retry | CopyRefused::Fail => {
            error.for_target("CopySnapshot")
        }
    }
}

/// A wait on an automatic snapshot: since when (to the second), and whether it has lasted
/// longer than `max`. It starts at the first round that saw it.
pub fn wait_on_auto_snapshot(
    since: Option<Timestamp>,
    now: Timestamp,
    max: Duration,
) -> (Timestamp, bool) {
    let since = since.unwrap_or(now.whole_seconds());
    (since, now.since(since) > max)
}

/// What a refused copy the target waits on means this round: the wait's start (for
/// `waitingSince`) and the target's error, transient until `max` has passed.
pub struct Wait<'a> {
    pub resource: &'a str,
    pub date: Date,
    pub error: &'a ApiError,
    pub taking: Option<&'a AutoSnapshot>,
    pub since: Option<Timestamp>,
    pub now: Timestamp,
    pub max: Duration,
}

impl Wait<'_> {
    pub fn verdict(&self) -> (Timestamp, TargetError) {
        let (since, exceeded) = wait_on_auto_snapshot(self.since, self.now, self.max);
        let since_text = since.rfc3339();
        let why = match self.taking {
            Some(taking) => format!(
                "while its automatic snapshot of {} is being taken",
                taking.date
            ),
            None => "(an automatic snapshot may be being taken)".to_string(),
        };
        let (date, error, max) = (self.date, self.error, human_duration(self.max));
        if exceeded {
            let waited = human_duration(self.now.since(since));
            return (
                since,
                TargetError::new(
                    TargetErrorKind::AutoSnapshotWaitExceeded,
                    format!(
                        "Lightsail refused to copy the automatic snapshot of `{}` of {date} for {waited} since {since_text} {why}: more than MAX_AUTO_SNAPSHOT_WAIT ({max}); last refusal: {error}",
                        self.resource
                    ),
                ),
            );
        }
        let message = format!(
            "waiting since {since_text}: Lightsail refused to copy the automatic snapshot of {date} {why} ({error}); the next round tries again, for at most {max} in all"
        );
        (
            since,
            TargetError::new(TargetErrorKind::AutoSnapshotInProgress, message),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let taken = refusal_error(NameTaken, "c", ApiError::NameInUse("m".into()));
        assert_eq!(taken.kind, TargetErrorKind::CopyNameConflict);
        let none = refusal_error(NoSnapshot, "c", ApiError::NotFound("m".into()));
        assert_eq!(none.kind, TargetErrorKind::NoRestorableSnapshot);
    }

    #[test]
    fn waits_are_bounded_from_the_first_round_that_saw_them() {
        let at = Timestamp::from_epoch_seconds;
        let secs = Duration::from_secs;
        assert_eq!(
            wait_on_auto_snapshot(None, at(1000.5), secs(60)),
            (at(1000.0), false)
        );
        assert_eq!(
            wait_on_auto_snapshot(Some(at(1000.0)), at(1060.0), secs(60)),
            (at(1000.0), false)
        );
        assert_eq!(
            wait_on_auto_snapshot(Some(at(1000.0)), at(1061.0), secs(60)),
            (at(1000.0), true)
        );
        assert_eq!(
            wait_on_auto_snapshot(Some(at(1000.0)), at(1000.0), secs(0)),
            (at(1000.0), false)
        );
        let refused = ApiError::Other {
            code: "OperationFailureException".into(),
            message: "m".into(),
        };
        let taking = AutoSnapshot {
            date: Date::parse("2026-11-22").unwrap(),
            status: crate::model::AutoSnapshotStatus::InProgress,
        };
        let wait = Wait {
            resource: "shop",
            date: Date::parse("2026-11-21").unwrap(),
            error: &refused,
            taking: Some(&taking),
            since: Some(at(1_795_328_400.0)),
            now: at(1_795_328_400.0 + 600.0),
            max: secs(3600),
        };
        let (since, error) = wait.verdict();
        assert_eq!(since.rfc3339(), "2026-11-22T06:20:00Z");
        assert_eq!(error.kind, TargetErrorKind::AutoSnapshotInProgress);
        assert!(
            error.message.contains("2026-11-22 is being taken"),
            "{}",
            error.message
        );
        let (_, error) = Wait {
            now: at(1_795_328_400.0 + 3700.0),
            ..wait
        }
        .verdict();
        assert_eq!(error.kind, TargetErrorKind::AutoSnapshotWaitExceeded);
        assert!(
            error.message.contains("`shop` of 2026-11-21") && error.message.contains("1h01m"),
            "{}",
            error.message
        );
    }
}
