//! A round over several regions: each region's round (`round::reconcile`) with its own
//! adapters, all at once; and the fan-out's listing of its items. What the outputs become is
//! `report::merge`'s business.

use std::collections::HashSet;

use futures_util::future::join_all;
use tracing::Instrument;

use super::deadline::Deadline;
use super::round::{run_targets, survey, Survey};
use crate::decide::fleet::{select_targets, within_limit};
use crate::decide::retry::{self, RegionBound, Window};
use crate::ec2::Ec2;
use crate::error::{Error, RegionError, RegionFailure};
use crate::input::plan::Plan;
use crate::lightsail::Lightsail;
use crate::model::Timestamp;
use crate::report::fan_out::{BatchInput, FanOut, Item};
use crate::report::merge::RegionRound;

/// One region of the run: its plan (`None`: asked nothing), and its adapters.
pub struct RegionJob<L, E> {
    pub region: String,
    pub plan: Option<Plan>,
    pub adapters: Adapters<L, E>,
    /// Since when the region's listings fail transiently (the previous output's
    /// `regionErrors`), bounded by `MAX_RETRY_WINDOW`.
    pub failing_since: Option<Timestamp>,
}

/// A region's Lightsail and EC2 adapters, or why there are none.
pub enum Adapters<L, E> {
    Ready(L, E),
    Unavailable(Error),
}

/// What a region's failure leaves of its round. A transient one is tried again next round,
/// within `MAX_RETRY_WINDOW` (`decide::retry`): it never fails the invocation, so one region
/// whose endpoint is gone cannot hold the others' nights back.
fn region_failure(
    region: &str,
    error: Error,
    plan: &Plan,
    failing_since: Option<Timestamp>,
) -> RegionRound {
    let window = Window::new(failing_since, plan);
    match error.in_region(region) {
        RegionFailure::Transient(message) => match retry::bound_region(region, &message, window) {
            RegionBound::Retrying(error) => RegionRound::Retrying(RegionError {
                targets: Some(plan.targets.iter().map(|t| t.name.clone()).collect()),
                target_tag: plan.tag.as_ref().map(ToString::to_string),
                ..error
            }),
            RegionBound::Failed(error) => RegionRound::Failed(error),
        },
        RegionFailure::NoTargets => RegionRound::Empty,
        RegionFailure::Region(error) => RegionRound::Failed(error),
    }
}

/// One round in every region, at once: every region surveys first (its listings, and the
/// targets they select), then, if all the regions' targets together are within the limit of an
/// invocation, every region acts. Too many is refused before any write. A region that fails
/// is reported (`RegionRound`), never the invocation.
pub async fn reconcile_regions<L: Lightsail, E: Ec2>(
    jobs: Vec<RegionJob<L, E>>,
    deadline: Deadline,
) -> Result<Vec<(String, RegionRound)>, Error> {
    let surveying = jobs.into_iter().map(|job| async move {
        let since = job.failing_since;
        let seen = match (job.plan, job.adapters) {
            (None, _) => Seen::Done(RegionRound::Empty),
            (Some(plan), Adapters::Unavailable(error)) => {
                Seen::Done(region_failure(&job.region, error, &plan, since))
            }
            (Some(plan), Adapters::Ready(api, ec2)) => {
                let span = tracing::info_span!("region", region = %job.region);
                let surveyed = survey(&api, &ec2, &plan).instrument(span).await;
                match surveyed {
                    Ok(survey) => Seen::Surveyed(Box::new(plan), api, ec2, survey),
                    Err(error) => Seen::Done(region_failure(&job.region, error, &plan, since)),
                }
            }
        };
        (job.region, seen, since)
    });
    let seen: Vec<(String, Seen<L, E>, Option<Timestamp>)> = join_all(surveying).await;
    let selected = seen
        .iter()
        .map(|(_, seen, _)| match seen {
            Seen::Surveyed(_, _, _, survey) => survey.targets(),
            Seen::Done(_) => 0,
        })
        .sum();
    if let Some((_, Seen::Surveyed(plan, ..), _)) = seen
        .iter()
        .find(|(_, s, _)| matches!(s, Seen::Surveyed(..)))
    {
        within_limit(selected, plan)?;
    }
    let acting = seen.into_iter().map(|(region, seen, since)| async move {
        let round = match seen {
            Seen::Done(round) => round,
            Seen::Surveyed(plan, api, ec2, survey) => {
                let span = tracing::info_span!("region", region = %region);
                match run_targets(&api, &ec2, &plan, survey, deadline)
                    .instrument(span)
                    .await
                {
                    Ok(output) => RegionRound::Done(output),
                    Err(error) => region_failure(&region, error, &plan, since),
                }
            }
        };
        (region, round)
    });
    Ok(join_all(acting).await)
}

/// A region between its survey and its targets.
enum Seen<L, E> {
    Done(RegionRound),
    Surveyed(Box<Plan>, L, E, Survey),
}

/// A region's targets, by name and by tag (one listing of its instances and disks).
async fn region_targets<L: Lightsail>(
    api: &L,
    plan: &Plan,
    region: &str,
) -> Result<Vec<String>, Error> {
    let resources = match &plan.tag {
        Some(_) => api
            .list_resources()
            .await
            .map_err(|e| e.for_invocation("listing instances and disks"))?,
        None => Vec::new(),
    };
    let targets = select_targets(plan, &resources, region)?;
    Ok(targets.into_iter().map(|t| t.name).collect())
}

/// Lists the fan-out's items: every region's targets, each once.
pub async fn list_items<L: Lightsail, E: Ec2>(
    jobs: Vec<RegionJob<L, E>>,
    batch_input: BatchInput,
) -> Result<FanOut, Error> {
    let listings = jobs.into_iter().map(|job| async move {
        let listed = match (&job.plan, &job.adapters) {
            (None, _) => Ok(Vec::new()),
            (Some(_), Adapters::Unavailable(error)) => Err(error.clone()),
            (Some(plan), Adapters::Ready(api, _)) => region_targets(api, plan, &job.region).await,
        };
        (job.region, listed)
    });
    let mut fan_out = FanOut {
        items: Vec::new(),
        batch_input,
        items_by_region: Default::default(),
        region_errors: Vec::new(),
    };
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (region, listed) in join_all(listings).await {
        let names = match listed.map_err(|e| e.in_region(&region)) {
            Ok(names) => names,
            // After the SDK's retries: the region is left out of tonight's fan-out and reported,
            // so that one region gone cannot stop the listing of the others.
            Err(RegionFailure::Transient(message)) => {
                let message = format!("{message}; left out of tonight's fan-out");
                (fan_out.region_errors).push(RegionError::new(&region, "Retryable", message));
                continue;
            }
            Err(RegionFailure::Region(error)) => {
                fan_out.region_errors.push(error);
                continue;
            }
            Err(RegionFailure::NoTargets) => Vec::new(),
        };
        fan_out.items_by_region.insert(region.clone(), names.len());
        for resource in names {
            // Never one target in two items (the plan and the tag selection are deduplicated
            // already; this keeps it so whatever they become).
            if seen.insert((region.clone(), resource.clone())) {
                fan_out.items.push(Item {
                    region: region.clone(),
                    resource,
                });
            }
        }
    }
    match (fan_out.items.is_empty(), fan_out.region_errors.is_empty()) {
        (true, true) => Err(Error::NoTargets(
            "the fan-out found no target in any region".into(),
        )),
        _ => Ok(fan_out),
    }
}
