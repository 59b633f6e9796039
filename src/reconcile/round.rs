//! One round of the engine: the listings every target shares (export records, and resources or
//! snapshots when needed), then every target's part, concurrently, then the output.
//!
//! Nothing is remembered between invocations but what the previous output carries (each target's
//! automatic-snapshot date). The copy's name is derived from the resource and that date, so the
//! world itself records how far each target got, and any number of rounds converge on one copy
//! and one successful export per (resource, date).

use futures_util::stream::{self, StreamExt};
use tracing::Instrument;

use super::deadline::Deadline;
use super::target::TargetRound;
use crate::decide::round::{self, Regions};
use crate::error::Error;
use crate::input::plan::Plan;
use crate::lightsail::Lightsail;
use crate::model::{ExportRecord, ManualSnapshot, Resource};
use crate::report::{Output, TargetReport};

/// What every target of a round shares, listed once.
struct Listings {
    records: Vec<ExportRecord>,
    resources: Vec<Resource>,
    /// The region's manual snapshots, when retention needs them and they could be listed.
    snapshots: Option<Vec<ManualSnapshot>>,
}

/// The round's listings, at once: the export records always (GetExportSnapshotRecords has no
/// filter), the resources to select by tag or resolve many names, the snapshots for retention.
async fn listings<L: Lightsail>(api: &L, plan: &Plan) -> Result<Listings, Error> {
    let listing = async {
        match round::lists_resources(plan) {
            true => Some(api.list_resources().await),
            false => None,
        }
    };
    let snapshots = async {
        match plan.retention.enabled() {
            true => Some(api.list_snapshots().await),
            false => None,
        }
    };
    let (records, listed, snapshots) = tokio::join!(api.list_export_records(), listing, snapshots);
    let records = records.map_err(|e| round::invocation_error("listing export records", e))?;
    // Retention is housekeeping: a failed listing skips it this round, and never stops exports.
    let snapshots = match snapshots {
        Some(Ok(snapshots)) => Some(snapshots),
        Some(Err(error)) => {
            tracing::warn!(%error, "could not list snapshots: no retention this round");
            None
        }
        None => None,
    };
    if let (Some(Err(error)), None) = (&listed, &plan.tag) {
        tracing::warn!(%error, "could not list instances and disks: looking targets up one by one");
    }
    let resources = round::listed_resources(listed, plan)?;
    Ok(Listings {
        records,
        resources,
        snapshots,
    })
}

/// Runs one round over every target of the plan.
pub async fn reconcile<L: Lightsail>(
    api: &L,
    plan: &Plan,
    deadline: Deadline,
) -> Result<Output, Error> {
    let Listings {
        records,
        resources,
        snapshots,
    } = listings(api, plan).await?;
    let targets = round::select_targets(plan, &resources, api.source_region())?;
    let known = round::known_resources(&resources);
    let conflicting = round::conflicting(&targets);
    let by_source = round::records_by_source(&records);

    let rounds = targets.iter().map(|spec| {
        let target = TargetRound {
            api,
            plan,
            spec,
            known: known.get(&spec.name),
            records: &by_source,
            snapshots: snapshots.as_deref(),
            conflict: conflicting.contains(&spec.name),
        };
        let span =
            tracing::info_span!("target", resource = %spec.name, snapshot = tracing::field::Empty);
        async move {
            if deadline.near() {
                tracing::warn!("Lambda deadline near: target left for the next round");
                return (target.deferred(), true);
            }
            (target.run().await, false)
        }
        .instrument(span)
    });
    let results: Vec<(TargetReport, bool)> = stream::iter(rounds)
        .buffered(plan.concurrency.max(1))
        .collect()
        .await;
    let deferred = results.iter().any(|(_, deferred)| *deferred);
    let reports: Vec<TargetReport> = results.into_iter().map(|(report, _)| report).collect();
    let regions = Regions {
        region: api.region(),
        source_region: api.source_region().to_string(),
    };
    let output = round::output(plan, reports, deferred, regions);
    let s = &output.summary;
    tracing::info!(
        status = ?output.status,
        total = s.total,
        exported = s.exported,
        in_progress = s.in_progress,
        failed = s.failed,
        "round done"
    );
    Ok(output)
}
