//! The Lambda deadline, as the runtime gives it: no new target is started when it is near.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// No new target is started with less than this left before the Lambda deadline.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(10);
/// A deadline further away than this is not a real Lambda deadline (15 minutes at most).
const LONGEST_RUN: Duration = Duration::from_secs(16 * 60);

/// When the invocation must be finished, if known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Option<SystemTime>);

impl Deadline {
    pub fn unknown() -> Deadline {
        Deadline(None)
    }

    pub fn at(time: SystemTime) -> Deadline {
        Deadline(Some(time))
    }

    /// From the runtime's `Lambda-Runtime-Deadline-Ms`. An implausible value (in the past, or
    /// more than 15 minutes away, as `cargo lambda watch` sends a duration) means "unknown".
    pub fn from_epoch_millis(millis: u64) -> Deadline {
        let deadline = UNIX_EPOCH + Duration::from_millis(millis);
        let now = SystemTime::now();
        match deadline.duration_since(now) {
            Ok(left) if left <= LONGEST_RUN => Deadline(Some(deadline)),
            _ => Deadline(None),
        }
    }

    /// Whether it is too late to start work on another target.
    pub fn near(&self) -> bool {
        match self.0 {
            None => false,
            Some(deadline) => deadline
                .duration_since(SystemTime::now())
                .map_or(true, |left| left < DEADLINE_MARGIN),
        }
    }
}
