//! The archive tier of EBS snapshots (ModifySnapshotTier). As everywhere else, nothing changes
//! state: an archival keeps when it started, when it ends and how, and the phase is computed
//! from the clock when asked.
//!
//! EBS user guide, "Archive an Amazon EBS snapshot": "You can continue to use the snapshot while
//! the archive is in process. As soon as the snapshot tiering status reaches the
//! archival-complete state, you can no longer use the snapshot."
//! (https://docs.aws.amazon.com/ebs/latest/userguide/archive-snapshot.html)

/// One archival of a snapshot, as decided when ModifySnapshotTier was accepted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Archival {
    pub started_at: f64,
    /// When it ends: archived, or `archival-failed` for the `archivalFailsFor` fault.
    pub done_at: f64,
    pub fails: bool,
}

/// Where a snapshot is in the archive tier at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierPhase {
    /// In the standard tier, never archived.
    Standard,
    /// Being archived: still in the standard tier, and still usable.
    Archiving,
    /// In the archive tier: it must be restored before a volume or an AMI can use it.
    Archived,
    /// The archival failed: it stays in the standard tier.
    ArchiveFailed,
}

impl TierPhase {
    /// The `storageTier` of DescribeSnapshots and DescribeSnapshotTierStatus.
    pub fn storage_tier(self) -> &'static str {
        match self {
            TierPhase::Archived => "archive",
            _ => "standard",
        }
    }

    /// `lastTieringOperationStatus` (botocore's TieringOperationStatus), if it was ever tiered.
    pub fn operation_status(self) -> Option<&'static str> {
        match self {
            TierPhase::Standard => None,
            TierPhase::Archiving => Some("archival-in-progress"),
            TierPhase::Archived => Some("archival-completed"),
            TierPhase::ArchiveFailed => Some("archival-failed"),
        }
    }
}

impl Archival {
    /// An archival of a snapshot already in the archive tier when the scenario starts.
    pub fn done_before(at: f64) -> Archival {
        Archival {
            started_at: at,
            done_at: at,
            fails: false,
        }
    }

    pub fn phase(&self, now: f64) -> TierPhase {
        match (now < self.done_at, self.fails) {
            (true, _) => TierPhase::Archiving,
            (false, false) => TierPhase::Archived,
            (false, true) => TierPhase::ArchiveFailed,
        }
    }

    /// `lastTieringProgress`, a percentage growing linearly; a failed one stays where it stopped.
    pub fn progress(&self, now: f64) -> i64 {
        if self.phase(now) == TierPhase::Archived {
            return 100;
        }
        let span = self.done_at - self.started_at;
        if span <= 0.0 {
            return 0;
        }
        let pct = (now.min(self.done_at) - self.started_at) / span * 100.0;
        pct.clamp(0.0, 99.0).floor() as i64
    }
}

/// The phase of a snapshot with `archival` (`None`: never archived) at `now`.
pub fn phase_of(archival: Option<&Archival>, now: f64) -> TierPhase {
    archival.map_or(TierPhase::Standard, |a| a.phase(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archival_is_in_progress_then_archived_or_failed() {
        let a = Archival {
            started_at: 100.0,
            done_at: 200.0,
            fails: false,
        };
        assert_eq!(phase_of(None, 0.0), TierPhase::Standard);
        assert_eq!(TierPhase::Standard.operation_status(), None);
        assert_eq!(
            (a.phase(150.0), a.progress(150.0)),
            (TierPhase::Archiving, 50)
        );
        assert_eq!(a.phase(150.0).storage_tier(), "standard");
        assert_eq!(
            (a.phase(200.0), a.progress(200.0)),
            (TierPhase::Archived, 100)
        );
        assert_eq!(a.phase(200.0).storage_tier(), "archive");
        let failed = Archival { fails: true, ..a };
        assert_eq!(failed.phase(1e9), TierPhase::ArchiveFailed);
        assert_eq!(failed.progress(1e9), 99);
        assert_eq!(failed.phase(1e9).storage_tier(), "standard");
        assert_eq!(
            failed.phase(1e9).operation_status(),
            Some("archival-failed")
        );
        let before = Archival::done_before(5.0);
        assert_eq!(
            (before.phase(5.0), before.progress(5.0)),
            (TierPhase::Archived, 100)
        );
    }
}
