//! The EBS snapshot archive tier: ModifySnapshotTier (archive a snapshot) and
//! DescribeSnapshotTierStatus, with the refusals AWS documents, and the refusal of using an
//! archived snapshot. Sources: emulator/README.md, "Archive tier".

use super::describe::{after, max_results};
use super::filter::{all_match, check, tag_values};
use super::render::{tag_set, NO_VOLUME};
use super::write::{authorize, used_by};
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::faults::FaultState;
use crate::ops::paging::page;
use crate::ops::Ctx;
use crate::scenario::ec2::is_id;
use crate::switches::ArchiveImageSnapshot;
use crate::timefmt::format_iso_millis;
use crate::world::ec2::EbsSnapshot;
use crate::world::model::ACCOUNT;
use crate::world::tiering::{Archival, TierPhase};

/// EBS user guide, Quotas: "Concurrent in-progress snapshot archives per account: 25"
/// (awsdocs/amazon-ec2-user-guide doc_source/snapshot-archive.md), counted here per region.
pub const CONCURRENT_ARCHIVES: usize = 25;

/// The filters DescribeSnapshotTierStatus takes (botocore's model documents these three).
const TIER_FILTERS: &[&str] = &["snapshot-id", "volume-id", "last-tiering-operation"];

fn incorrect_state(message: String) -> Ec2Error {
    Ec2Error::client("IncorrectState", message)
}

/// The snapshot a request names by `SnapshotId`: missing, malformed and unknown ids refused.
fn named_snapshot(ctx: &Ctx<'_>, params: &Params) -> Result<EbsSnapshot, Ec2Error> {
    let id = params
        .get("SnapshotId")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Ec2Error::missing("SnapshotId"))?;
    if !is_id(id, "snap") {
        return Err(Ec2Error::malformed(
            "InvalidSnapshotID.Malformed",
            id,
            "snap",
        ));
    }
    ctx.world
        .region(ctx.region)
        .and_then(|rs| rs.ebs_snapshots.get(id))
        .cloned()
        .ok_or_else(|| Ec2Error::snapshot_not_found(&[id.to_string()]))
}

/// What EC2 itself refuses to archive: a snapshot not `completed`, one a registered AMI uses,
/// one already archived or being archived, and one over the concurrent-archives quota.
fn check_archivable(ctx: &Ctx<'_>, snap: &EbsSnapshot) -> Result<(), Ec2Error> {
    let now = ctx.now;
    let state = snap.state_at(now);
    if state != "completed" {
        return Err(incorrect_state(format!(
            "Snapshot is in invalid state - {state}"
        )));
    }
    let Some(rs) = ctx.world.region(ctx.region) else {
        return Ok(());
    };
    if let Some(ami) = used_by(rs, &snap.id, None) {
        let id = &snap.id;
        return Err(match ctx.world.switches.archive_image_snapshot {
            ArchiveImageSnapshot::InUse => Ec2Error::client(
                "InvalidSnapshot.InUse",
                format!("The snapshot {id} is currently in use by {ami}"),
            ),
            ArchiveImageSnapshot::IncorrectState => incorrect_state(format!(
                "The snapshot {id} is associated with {ami} and cannot be archived"
            )),
        });
    }
    match snap.tier_at(now) {
        TierPhase::Archiving => {
            return Err(incorrect_state(format!(
                "The snapshot {} is already being archived",
                snap.id
            )))
        }
        TierPhase::Archived => {
            return Err(incorrect_state(format!(
                "The snapshot {} is already in the archive tier",
                snap.id
            )))
        }
        TierPhase::Standard | TierPhase::ArchiveFailed => {}
    }
    let archiving = rs
        .ebs_snapshots
        .values()
        .filter(|s| s.tier_at(now) == TierPhase::Archiving)
        .count();
    if archiving >= CONCURRENT_ARCHIVES {
        return Err(Ec2Error::client(
            "ConcurrentSnapshotLimitExceeded",
            format!("You have reached the limit of {CONCURRENT_ARCHIVES} concurrent snapshot archives. Wait until the archives in progress complete, and then try again."),
        ));
    }
    Ok(())
}

pub fn modify_snapshot_tier(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let snap = named_snapshot(ctx, params)?;
    match params.get("StorageTier") {
        Some("archive") => {}
        other => {
            return Err(Ec2Error::invalid_value(format!(
                "Value ({}) for parameter StorageTier is invalid. Valid values: archive",
                other.unwrap_or_default()
            )))
        }
    }
    authorize(ctx, "ModifySnapshotTier", &snap.tags, || snap.arn())?;
    check_archivable(ctx, &snap)?;
    super::input::dry_run(params)?;
    let now = ctx.now;
    let archival = Archival {
        started_at: now,
        done_at: now + ctx.world.switches.archival_duration.seconds(),
        fails: FaultState::names_any(&ctx.faults.faults.archival_fails_for, &snap.names()),
    };
    let rs = ctx.world.region_mut(ctx.region);
    if let Some(s) = rs.ebs_snapshots.get_mut(&snap.id) {
        s.archival = Some(archival);
    }
    let mut x = Xml::new();
    x.leaf("snapshotId", &snap.id)
        .leaf("tieringStartTime", format_iso_millis(now));
    Ok(x.finish())
}

/// The values of a snapshot a DescribeSnapshotTierStatus filter compares with.
fn tier_values(s: &EbsSnapshot, name: &str, now: f64) -> Option<Vec<String>> {
    let one = |v: &str| Some(vec![v.to_string()]);
    match name {
        "snapshot-id" => one(&s.id),
        "volume-id" => one(NO_VOLUME),
        "last-tiering-operation" => Some(
            s.tier_at(now)
                .operation_status()
                .map(str::to_string)
                .into_iter()
                .collect(),
        ),
        other => tag_values(&s.tags, other),
    }
}

fn tier_status(x: &mut Xml, s: &EbsSnapshot, now: f64) {
    let phase = s.tier_at(now);
    x.open("item")
        .leaf("snapshotId", &s.id)
        .leaf("volumeId", NO_VOLUME)
        .leaf("status", s.state_at(now))
        .leaf("ownerId", ACCOUNT);
    tag_set(x, &s.tags);
    x.leaf("storageTier", phase.storage_tier());
    if let (Some(a), Some(status)) = (&s.archival, phase.operation_status()) {
        x.leaf("lastTieringStartTime", format_iso_millis(a.started_at))
            .leaf("lastTieringProgress", a.progress(now))
            .leaf("lastTieringOperationStatus", status);
        match phase {
            // A made-up message: EC2 documents only that the member describes the status.
            TierPhase::ArchiveFailed => {
                x.leaf(
                    "lastTieringOperationStatusDetail",
                    "The snapshot could not be archived",
                );
            }
            TierPhase::Archived => {
                x.leaf("archivalCompleteTime", format_iso_millis(a.done_at));
            }
            TierPhase::Standard | TierPhase::Archiving => {}
        }
    }
    x.close("item");
}

pub fn describe_snapshot_tier_status(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<String, Ec2Error> {
    let filters = params.filters()?;
    check(&filters, TIER_FILTERS)?;
    let size = max_results(params)?;
    let after = after(params)?;
    let none = Default::default();
    let snapshots = ctx
        .world
        .region(ctx.region)
        .map_or(&none, |rs| &rs.ebs_snapshots);
    let now = ctx.now;
    let keep = |s: &EbsSnapshot| all_match(&filters, |name| tier_values(s, name, now));
    let size = size.unwrap_or(snapshots.len()).max(1);
    let (items, next) = page(snapshots, after.as_ref(), size, keep);
    let mut x = Xml::new();
    x.open("snapshotTierStatusSet");
    for s in items {
        tier_status(&mut x, s, now);
    }
    x.close("snapshotTierStatusSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}

/// Refuses to use an archived snapshot (a volume of it): "Before you can use an archived
/// snapshot, you must first restore it to the standard tier" (EBS user guide, Restore an
/// archived snapshot). The code and message are a guess.
pub fn check_usable(s: &EbsSnapshot, now: f64) -> Result<(), Ec2Error> {
    if s.tier_at(now) == TierPhase::Archived {
        return Err(incorrect_state(format!(
            "The snapshot {} is in the archive storage tier. Restore it to the standard tier before you use it.",
            s.id
        )));
    }
    Ok(())
}
