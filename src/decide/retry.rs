//! How long a target, or a region of a run over several regions, may keep failing transiently
//! (a call that times out, is throttled, or cannot reach its endpoint, round after round) before
//! it is reported failed: `MAX_RETRY_WINDOW`, counted from the first round that failed, which the
//! output carries (`failingSince`) as it carries `waitingSince`. Without this bound such a target
//! keeps its night in progress until the state machine's timeout, and a TIMED_OUT execution has
//! no output at all. Pure functions, tested by table.

use std::time::Duration;

use crate::error::{RegionError, TargetError, TargetErrorKind};
use crate::input::plan::Plan;
use crate::model::time::human_duration;
use crate::model::Timestamp;

/// The window of one run: when the failing started, and how long it may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// `failingSince` of the previous output, if it had one.
    pub carried: Option<Timestamp>,
    pub now: Timestamp,
    /// `MAX_RETRY_WINDOW`.
    pub max: Duration,
}

/// Where a failure stands against its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Still within the window: the next round tries again.
    Within { since: Timestamp },
    /// Failing for longer than the window: reported failed.
    Exceeded {
        since: Timestamp,
        failed_for: Duration,
    },
}

impl Window {
    /// The window of a round of `plan`, going on from `carried` (the previous `failingSince`).
    pub fn new(carried: Option<Timestamp>, plan: &Plan) -> Window {
        Window {
            carried,
            now: plan.now,
            max: plan.max_retry_window,
        }
    }

    /// Where a failure seen now stands: it started with the first round that failed.
    pub fn standing(self) -> Standing {
        let since = self.carried.filter(|s| *s <= self.now).unwrap_or(self.now);
        let failed_for = self.now.since(since);
        match failed_for > self.max {
            true => Standing::Exceeded { since, failed_for },
            false => Standing::Within { since },
        }
    }

    /// The message of a failure past the window: how long, since when, and the last error (which
    /// names the call).
    pub fn exceeded_message(self, since: Timestamp, failed_for: Duration, last: &str) -> String {
        format!(
            "kept failing for {} since {since}, more than MAX_RETRY_WINDOW ({}); last error: {last}",
            human_duration(failed_for),
            human_duration(self.max)
        )
    }
}

/// A target's error after the bound, and its `failingSince`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    pub error: Option<TargetError>,
    /// Absent once the target's round ended without a transient failure.
    pub failing_since: Option<Timestamp>,
}

/// Bounds a target's transient failure (`Retryable`) by the window: within it, the target stays
/// in progress and its `failingSince` goes on; past it, the target FAILS `RetryWindowExceeded`.
/// Any other outcome (no error, or one with its own bound or none) ends the failing.
pub fn bound_target(error: Option<TargetError>, window: Window) -> Bounded {
    match error {
        Some(error) if error.kind == TargetErrorKind::Retryable => match window.standing() {
            Standing::Within { since } => Bounded {
                error: Some(error),
                failing_since: Some(since),
            },
            Standing::Exceeded { since, failed_for } => Bounded {
                error: Some(TargetError::new(
                    TargetErrorKind::RetryWindowExceeded,
                    window.exceeded_message(since, failed_for, &error.message),
                )),
                failing_since: Some(since),
            },
        },
        other => Bounded {
            error: other,
            failing_since: None,
        },
    }
}

/// A region's transient failure after the bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionBound {
    /// Within the window: listed in `regionErrors` as `Retryable` (with `failingSince`) and
    /// tried again next round; the run stays in progress.
    Retrying(RegionError),
    /// Past it: listed as `RetryWindowExceeded`, a region error like any other.
    Failed(RegionError),
}

/// Bounds a region's transient failure (`message`: the failed listing and its error).
pub fn bound_region(region: &str, message: &str, window: Window) -> RegionBound {
    let error = |error_type: &str, message: String, since: Timestamp| RegionError {
        failing_since: Some(since.rfc3339()),
        ..RegionError::new(region, error_type, message)
    };
    match window.standing() {
        Standing::Within { since } => {
            RegionBound::Retrying(error("Retryable", message.to_string(), since))
        }
        Standing::Exceeded { since, failed_for } => RegionBound::Failed(error(
            "RetryWindowExceeded",
            window.exceeded_message(since, failed_for, message),
            since,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::test_util::at;

    const NOW: f64 = 1_795_328_400.0; // 2026-11-22T06:20:00Z
    const HOUR: f64 = 3600.0;

    fn window(carried: Option<f64>) -> Window {
        Window {
            carried: carried.map(at),
            now: at(NOW),
            max: Duration::from_secs(2 * 3600),
        }
    }

    fn error(kind: TargetErrorKind) -> Option<TargetError> {
        Some(TargetError::new(
            kind,
            "GetAutoSnapshots: transient failure: dispatch failure",
        ))
    }

    /// (error, carried failingSince, error kind after, failingSince after)
    type Case = (
        Option<TargetError>,
        Option<f64>,
        Option<TargetErrorKind>,
        Option<f64>,
    );

    #[test]
    fn a_transient_failure_is_bounded_by_the_window() {
        use TargetErrorKind::*;
        let cases: [Case; 9] = [
            // The first round that fails starts the window.
            (error(Retryable), None, Some(Retryable), Some(NOW)),
            (
                error(Retryable),
                Some(NOW - HOUR),
                Some(Retryable),
                Some(NOW - HOUR),
            ),
            // Exactly the window is still within it.
            (
                error(Retryable),
                Some(NOW - 2.0 * HOUR),
                Some(Retryable),
                Some(NOW - 2.0 * HOUR),
            ),
            (
                error(Retryable),
                Some(NOW - 2.0 * HOUR - 1.0),
                Some(RetryWindowExceeded),
                Some(NOW - 2.0 * HOUR - 1.0),
            ),
            // A carried time in the future (a clock that moved back) starts afresh.
            (
                error(Retryable),
                Some(NOW + HOUR),
                Some(Retryable),
                Some(NOW),
            ),
            // A round without a transient failure ends the failing.
            (None, Some(NOW - 3.0 * HOUR), None, None),
            (
                error(AccessDenied),
                Some(NOW - 3.0 * HOUR),
                Some(AccessDenied),
                None,
            ),
            // Waits with bounds of their own are not counted here.
            (
                error(AutoSnapshotInProgress),
                Some(NOW - 3.0 * HOUR),
                Some(AutoSnapshotInProgress),
                None,
            ),
            (
                error(Ec2ArtifactPending),
                None,
                Some(Ec2ArtifactPending),
                None,
            ),
        ];
        for (error, carried, kind, since) in cases {
            let bounded = bound_target(error.clone(), window(carried));
            assert_eq!(
                (
                    bounded.error.as_ref().map(|e| e.kind),
                    bounded.failing_since
                ),
                (kind, since.map(at)),
                "{error:?} since {carried:?}"
            );
        }
    }

    #[test]
    fn a_region_failing_transiently_is_retried_within_the_window_then_failed() {
        let message = "listing export records: transient failure: dispatch failure";
        match bound_region("us-west-2", message, window(None)) {
            RegionBound::Retrying(error) => {
                assert_eq!(
                    (error.error_type.as_str(), error.failing_since.as_deref()),
                    ("Retryable", Some("2026-11-22T06:20:00Z"))
                );
                assert!(error.is_retried());
            }
            other => panic!("{other:?}"),
        }
        match bound_region("us-west-2", message, window(Some(NOW - 3.0 * HOUR))) {
            RegionBound::Failed(error) => {
                assert_eq!(error.error_type, "RetryWindowExceeded");
                assert!(!error.is_retried());
                assert_eq!(error.failing_since.as_deref(), Some("2026-11-22T03:20:00Z"));
                assert!(error.message.ends_with(message), "{}", error.message);
                assert!(error.message.starts_with("kept failing for 3h since"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn past_the_window_the_message_names_the_call_and_the_last_error() {
        let bounded = bound_target(
            error(TargetErrorKind::Retryable),
            window(Some(NOW - 2.5 * HOUR)),
        );
        let error = bounded.error.unwrap();
        assert!(!error.kind.is_transient());
        assert_eq!(
            error.message,
            "kept failing for 2h30m since 2026-11-22T03:50:00Z, more than MAX_RETRY_WINDOW (2h); \
             last error: GetAutoSnapshots: transient failure: dispatch failure"
        );
    }
}
