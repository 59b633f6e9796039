//! The switches of the EBS snapshot archive tier (ModifySnapshotTier): what AWS's documentation
//! leaves open about archiving the function's EBS snapshots.

use serde::{Deserialize, Serialize};

use super::{choice, SwitchInfo};

switch_enum!(
    /// The error ModifySnapshotTier answers for a snapshot a registered AMI uses.
    ArchiveImageSnapshot { InUse = "inUse", IncorrectState = "incorrectState" }
);
switch_enum!(
    /// How long an archival stays `archival-in-progress` on the clock.
    ArchivalDuration { MoreThanADay = "moreThanADay", UnderAnHour = "underAnHour" }
);

impl ArchivalDuration {
    /// Simulated seconds from ModifySnapshotTier to `archival-completed`.
    pub fn seconds(self) -> f64 {
        match self {
            // Longer than a day, so the next night's round still sees it in progress.
            ArchivalDuration::MoreThanADay => 30.0 * 3600.0,
            // The AWS CLI example: started 16:44:37.574, completed 17:33:16.147.
            ArchivalDuration::UnderAnHour => 2_919.0,
        }
    }
}

pub const ARCHIVE_IMAGE_SNAPSHOT: SwitchInfo = choice(
    "archiveImageSnapshot",
    ArchiveImageSnapshot::VALUES,
    "EBS user guide, Considerations and limitations (awsdocs/amazon-ec2-user-guide doc_source/snapshot-archive.md): \"You can't archive a snapshot of the root device volume of a registered AMI\" and \"You can't archive snapshots that are associated with an Amazon EBS-backed AMI\"; today's Archive an Amazon EBS snapshot (https://docs.aws.amazon.com/ebs/latest/userguide/archive-snapshot.html): \"If the snapshot is associated with one or more AMIs, then you must first disable those associated AMIs before you can archive the snapshot\". So it is refused under both values; the error code is documented nowhere (guess). `inUse`: InvalidSnapshot.InUse \"The snapshot snap-… is currently in use by ami-…\" (EC2's words when DeleteSnapshot is refused for the same reason); `incorrectState`: IncorrectState, the code EC2 gives a snapshot in the wrong state.",
);
pub const ARCHIVAL_DURATION: SwitchInfo = choice(
    "archivalDuration",
    ArchivalDuration::VALUES,
    "Guess. AWS documents no archival time: only restores (\"It can take up to 72 hours to restore an archived snapshot\", https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-archive-considerations.html). The AWS CLI example describe-snapshot-tier-status.rst archives one snapshot in 48 min 39 s. `moreThanADay`: 30 h, so the next night's round still finds it archival-in-progress (storageTier standard); `underAnHour`: 2,919 s, the example's.",
);
