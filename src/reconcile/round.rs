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
use super::drill::Drills;
use super::target::TargetRound;
use crate::decide::fleet;
use crate::ec2::Ec2;
use crate::error::Error;
use crate::input::plan::{Plan, TargetSpec};
use crate::lightsail::Lightsail;
use crate::model::drill::{DrillState, DrillWorld};
use crate::model::{Ec2Artifact, ExportRecord, Listing, ManualSnapshot, Resource};
use crate::report::cost::{self, Cost};
use crate::report::merge::Echo;
use crate::report::{self, Output, Reach, Regions, Status, TargetReport};

/// What every target of a round shares, listed once.
struct Listings {
    records: Vec<ExportRecord>,
    resources: Vec<Resource>,
    /// The region's manual snapshots, when retention needs them and they could be listed.
    snapshots: Option<Vec<ManualSnapshot>>,
    /// The function's AMIs and EBS snapshots, when retirement or drills need them and they
    /// could be listed.
    artifacts: Option<Vec<Ec2Artifact>>,
    /// The restore drills' instances and volumes, when drills are on (or one runs) and they
    /// could be listed.
    drills: Option<DrillWorld>,
}

/// A listing for housekeeping: its failure skips the housekeeping this round, never the exports.
fn housekeeping<T>(listed: Listing<T>, what: &str) -> Option<Vec<T>> {
    match listed {
        Listing::Listed(items) => Some(items),
        Listing::Failed(error) => {
            tracing::warn!(%error, "could not list {what}: none retired this round");
            None
        }
        Listing::NotAsked => None,
    }
}

/// The round's listings, at once: the export records always (GetExportSnapshotRecords has no
/// filter), the resources to select by tag or resolve many names, the snapshots for retention.
async fn listings<L: Lightsail, E: Ec2>(api: &L, ec2: &E, plan: &Plan) -> Result<Listings, Error> {
    let listing = async {
        match fleet::lists_resources(plan) {
            true => Listing::from(api.list_resources().await),
            false => Listing::NotAsked,
        }
    };
    let snapshots = async {
        match plan.retention.enabled() {
            true => Listing::from(api.list_snapshots().await),
            false => Listing::NotAsked,
        }
    };
    let drilling = drills_on(plan);
    let artifacts = async {
        match plan.ec2_keep.enabled() || drilling {
            true => Listing::from(ec2.list_managed().await),
            false => Listing::NotAsked,
        }
    };
    let drills = async {
        match drilling {
            true => Some(ec2.list_drills().await),
            false => None,
        }
    };
    let (records, listed, snapshots, artifacts, drills) = tokio::join!(
        api.list_export_records(),
        listing,
        snapshots,
        artifacts,
        drills
    );
    let records = records.map_err(|e| e.for_invocation("listing export records"))?;
    let snapshots = housekeeping(snapshots, "the Lightsail snapshots");
    let artifacts = housekeeping(artifacts, "the EC2 images and snapshots");
    let drills = match drills {
        Some(Ok(world)) => Some(world),
        Some(Err(error)) => {
            tracing::warn!(%error, "could not list the restore drills: none advanced this round");
            None
        }
        None => None,
    };
    if let (Listing::Failed(error), None) = (&listed, &plan.tag) {
        tracing::warn!(%error, "could not list instances and disks: looking targets up one by one");
    }
    let resources = fleet::listed_resources(listed, plan)?;
    Ok(Listings {
        records,
        resources,
        snapshots,
        artifacts,
        drills,
    })
}

/// Drills run this round: on by configuration or request, or one the previous round reported
/// still running (it is finished even if drills were turned off since). Never in a dry run.
fn drills_on(plan: &Plan) -> bool {
    let running = (plan.targets.iter()).any(|t| {
        t.previous_drill
            .as_ref()
            .is_some_and(|d| d.state == DrillState::Running)
    });
    !plan.dry_run && (plan.drill.enabled() || running)
}

/// What a round surveyed before acting: the listings and the targets they select.
pub struct Survey {
    listings: Listings,
    targets: Vec<TargetSpec>,
}

impl Survey {
    /// How many targets the round would act on.
    pub fn targets(&self) -> usize {
        self.targets.len()
    }
}

/// Runs one round over every target of the plan.
pub async fn reconcile<L: Lightsail, E: Ec2>(
    api: &L,
    ec2: &E,
    plan: &Plan,
    deadline: Deadline,
) -> Result<Output, Error> {
    let survey = survey(api, ec2, plan).await?;
    fleet::within_limit(survey.targets(), plan)?;
    run_targets(api, ec2, plan, survey, deadline).await
}

/// The round's listings, and the targets they select. No write.
pub async fn survey<L: Lightsail, E: Ec2>(api: &L, ec2: &E, plan: &Plan) -> Result<Survey, Error> {
    let listings = listings(api, ec2, plan).await?;
    let targets = fleet::select_targets(plan, &listings.resources, api.source_region())?;
    Ok(Survey { listings, targets })
}

/// Every target's part of the round, concurrently, then the output.
pub async fn run_targets<L: Lightsail, E: Ec2>(
    api: &L,
    ec2: &E,
    plan: &Plan,
    survey: Survey,
    deadline: Deadline,
) -> Result<Output, Error> {
    let Survey {
        listings:
            Listings {
                records,
                resources,
                snapshots,
                artifacts,
                drills,
            },
        targets,
    } = survey;
    let known = fleet::known_resources(&resources);
    let conflicting = fleet::conflicting(&targets);
    let by_source = fleet::records_by_source(&records);

    let rounds = targets.iter().map(|spec| {
        let target = TargetRound {
            api,
            ec2,
            artifacts: artifacts.as_deref(),
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
                return (target.deferred(), Reach::Deferred);
            }
            (target.run().await, Reach::Every)
        }
        .instrument(span)
    });
    let results: Vec<(TargetReport, Reach)> = stream::iter(rounds)
        .buffered(plan.concurrency.max(1))
        .collect()
        .await;
    let reach = match results.iter().any(|(_, reach)| *reach == Reach::Deferred) {
        true => Reach::Deferred,
        false => Reach::Every,
    };
    let mut reports: Vec<TargetReport> = results.into_iter().map(|(report, _)| report).collect();
    let drill_world = (artifacts.as_deref()).zip(drills.as_ref());
    match drill_world.filter(|_| reach == Reach::Every) {
        Some((artifacts, world)) => {
            let pass = Drills {
                api,
                ec2,
                plan,
                artifacts,
                world,
                isolation: Default::default(),
            };
            pass.run(&targets, &mut reports).await;
        }
        // Not this round: what the previous round reported of a drill stands.
        None => carry_drills(&targets, &mut reports),
    }
    let output = assemble(api, ec2, plan, reports, reach).await;
    log_round(&output);
    Ok(output)
}

/// The round's output, with the cost when the run ends.
async fn assemble<L: Lightsail, E: Ec2>(
    api: &L,
    ec2: &E,
    plan: &Plan,
    reports: Vec<TargetReport>,
    reach: Reach,
) -> Output {
    let regions = Regions {
        region: api.region(),
        source_region: api.source_region().to_string(),
    };
    let echo = Echo {
        restore_date: plan.restore_date.map(|d| d.to_string()),
        dry_run: plan.echo_dry_run,
        restore_test: plan.drill.on_demand.then_some(true),
        next_check_seconds: plan.next_check_seconds,
    };
    let mut output = report::output(echo, reports, reach, regions);
    if output.status != Status::InProgress && !plan.dry_run {
        output.cost = cost(api, ec2, plan).await.map(|mut cost| {
            cost.restore_test_usd = cost::drills_usd(&output.targets);
            cost
        });
    }
    output
}

fn log_round(output: &Output) {
    let s = &output.summary;
    tracing::info!(
        status = ?output.status,
        total = s.total,
        exported = s.exported,
        in_progress = s.in_progress,
        failed = s.failed,
        "round done"
    );
}

/// What the function's copies and exports hold, at the end of a run: the final output's
/// `cost`. Listed afresh (tonight's artifacts were labelled during the round); a failed listing
/// leaves it out.
async fn cost<L: Lightsail, E: Ec2>(api: &L, ec2: &E, plan: &Plan) -> Option<Cost> {
    let (artifacts, copies) = tokio::join!(ec2.list_managed(), api.list_snapshots());
    match (artifacts, copies) {
        (Ok(artifacts), Ok(copies)) => {
            let managed = |c: &ManualSnapshot| c.tag(crate::model::MANAGED_TAG) == Some("true");
            Some(cost::cost(&artifacts, &copies, managed, plan.prices))
        }
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(%error, "could not list what the function keeps: no cost this time");
            None
        }
    }
}

/// A round that could not look at the drills reports them as the previous round did.
fn carry_drills(targets: &[TargetSpec], reports: &mut [TargetReport]) {
    for report in reports.iter_mut() {
        let previous = targets.iter().find(|t| t.name == report.resource);
        report.restore_test = previous.and_then(|t| t.previous_drill.clone());
    }
}
