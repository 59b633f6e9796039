//! "Now", as the Lightsail the function talks to sees it: the system clock in Lambda; the
//! emulator's simulated clock in tests and the local runner, so that waits bounded in time
//! (`MAX_AUTO_SNAPSHOT_WAIT`) run on the same clock as the world they wait on.

use std::sync::Arc;

use crate::model::Timestamp;

/// A source of "now".
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Timestamp::now_utc))
    }

    /// A clock read from `now`, in epoch seconds (for example an emulator's simulated clock).
    pub fn from_fn(now: impl Fn() -> f64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(move || Timestamp::from_epoch_seconds(now())))
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock(now = {})", self.now())
    }
}
