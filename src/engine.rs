//! One round of the reconcile engine: observe every target, decide, act, report.
//!
//! Nothing is remembered between invocations but what the previous output carries (each target's
//! automatic-snapshot date). The copy's name is derived from the resource and that date, so the
//! world itself records how far each target got, and any number of rounds converge on one copy
//! and one successful export per (resource, date).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::Instrument;

use crate::config::Config;
use crate::decide::ExportRecord;
use crate::error::Error;
use crate::lightsail::{ApiError, Copy, LightsailApi, Resource};
use crate::metrics;
use crate::names;
use crate::plan::{Plan, TargetSpec};
use crate::report::{self, Output, Status, TargetReport};
use crate::request::Request;
use crate::target::TargetRound;

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

/// What the handler needs: the Lightsail adapter and the configuration read at cold start
/// (a bad configuration fails each invocation with `InvalidConfiguration`, not the cold start).
#[derive(Debug)]
pub struct App {
    pub api: LightsailApi,
    pub config: Result<Config, Error>,
}

/// The Lambda handler: any event form of the contract in, the output contract out.
pub async fn handler(event: LambdaEvent<Value>, app: &App) -> Result<Output, Error> {
    let config = app.config.as_ref().map_err(Clone::clone)?;
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let request = Request::parse(event.payload)?;
    let mut plan = Plan::new(config, request)?;
    plan.now = app.api.now();
    let output = reconcile(&app.api, &plan, deadline).await?;
    if config.metrics {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // One EMF line on stdout: CloudWatch Logs turns it into metrics.
        println!("{}", metrics::emf(&output, &config.metrics_namespace, now));
    }
    Ok(output)
}

fn invocation_error(what: &str, error: ApiError) -> Error {
    let message = format!("{what}: {error}");
    match error {
        ApiError::Throttled(_) | ApiError::Transient(_) => Error::Retryable(message),
        ApiError::AccessDenied(_) => Error::AccessDenied(message),
        _ => Error::Lightsail(message),
    }
}

/// From this many named targets of unknown type, one listing of the instances and disks (a page
/// per 20-odd resources, beside the export records) replaces a GetInstance and a GetDisk per
/// target: fewer calls in any account with fewer than ~300 instances and disks.
pub const LIST_NAMED_TARGETS: usize = 8;

/// Runs one round over every target of the plan.
pub async fn reconcile(
    api: &LightsailApi,
    plan: &Plan,
    deadline: Deadline,
) -> Result<Output, Error> {
    let unresolved = plan
        .targets
        .iter()
        .filter(|t| t.resource_type.is_none())
        .count();
    let list = plan.tag.is_some() || unresolved >= LIST_NAMED_TARGETS;
    let listing = async {
        match list {
            true => Some(api.list_resources().await),
            false => None,
        }
    };
    let copies = async {
        match plan.retention.enabled() {
            true => Some(api.list_copies().await),
            false => None,
        }
    };
    // The records are listed once per round for all targets: GetExportSnapshotRecords has no filter.
    let (records, listed, copies) = tokio::join!(api.list_export_records(), listing, copies);
    let records = records.map_err(|e| invocation_error("listing export records", e))?;
    // Retention is housekeeping: a failed listing skips it this round, and never stops exports.
    let copies: Option<Vec<Copy>> = match copies {
        Some(Ok(copies)) => Some(copies),
        Some(Err(error)) => {
            tracing::warn!(%error, "could not list snapshots: no retention this round");
            None
        }
        None => None,
    };

    let mut targets: Vec<TargetSpec> = plan.targets.clone();
    let mut known: HashMap<String, Resource> = HashMap::new();
    let resources = match listed {
        Some(Ok(resources)) => resources,
        Some(Err(e)) if plan.tag.is_some() => {
            return Err(invocation_error("listing instances and disks", e))
        }
        // Only named targets: each is looked up on its own instead.
        Some(Err(error)) => {
            tracing::warn!(%error, "could not list instances and disks: looking targets up one by one");
            Vec::new()
        }
        None => Vec::new(),
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for resource in &resources {
        *seen.entry(resource.name.as_str()).or_default() += 1;
    }
    for resource in &resources {
        // A name that is both an instance and a disk is resolved (and refused) per target.
        if seen.get(resource.name.as_str()) == Some(&1) {
            known.insert(resource.name.clone(), resource.clone());
        }
    }
    if let Some(tag) = &plan.tag {
        for resource in &resources {
            let tagged = resource
                .tags
                .iter()
                .any(|(k, v)| tag.matches(k, v.as_deref()));
            if tagged && !targets.iter().any(|t| t.name == resource.name) {
                targets.push(TargetSpec::named(resource.name.clone()));
            }
        }
        if targets.is_empty() {
            return Err(Error::NoTargets(format!(
                "no instance or disk in {} has the tag `{tag}`",
                api.source_region()
            )));
        }
    }

    let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
    for record in &records {
        by_source
            .entry(record.source_name.as_str())
            .or_default()
            .push(record);
    }

    // Two resources whose names sanitise alike would share copies: refuse both. A name that is
    // no valid resource name (`web/1`) is refused for that alone and conflicts with nothing.
    let copy_keys: Vec<(&str, String)> = targets
        .iter()
        .filter(|t| names::validate_resource_name(&t.name).is_ok())
        .map(|t| (t.name.as_str(), names::sanitise(&t.name)))
        .collect();
    let mut sharing: HashMap<&str, usize> = HashMap::new();
    for (_, key) in &copy_keys {
        *sharing.entry(key.as_str()).or_default() += 1;
    }
    let conflicting: HashSet<&str> = copy_keys
        .iter()
        .filter(|(_, key)| sharing.get(key.as_str()).copied().unwrap_or(0) > 1)
        .map(|(name, _)| *name)
        .collect();

    let rounds = targets.iter().map(|spec| {
        let round = TargetRound {
            api,
            plan,
            spec,
            known: known.get(&spec.name),
            records: &by_source,
            copies: copies.as_deref(),
            conflict: conflicting.contains(spec.name.as_str()),
        };
        let span =
            tracing::info_span!("target", resource = %spec.name, snapshot = tracing::field::Empty);
        async move {
            if deadline.near() {
                tracing::warn!("Lambda deadline near: target left for the next round");
                return (round.deferred(), true);
            }
            (round.run().await, false)
        }
        .instrument(span)
    });
    let results: Vec<(TargetReport, bool)> = stream::iter(rounds)
        .buffered(plan.concurrency.max(1))
        .collect()
        .await;
    let deferred = results.iter().any(|(_, deferred)| *deferred);
    let reports: Vec<TargetReport> = results.into_iter().map(|(report, _)| report).collect();

    let summary = report::summarise(&reports);
    let status = report::status(&summary);
    let cross_region = api.region() != api.source_region();
    let next_check_seconds = match status {
        _ if deferred => 1,
        Status::InProgress => plan.next_check_seconds,
        Status::Succeeded | Status::Failed => 0,
    };
    tracing::info!(
        ?status,
        total = summary.total,
        exported = summary.exported,
        in_progress = summary.in_progress,
        failed = summary.failed,
        "round done"
    );
    Ok(Output {
        status,
        next_check_seconds,
        summary,
        targets: reports,
        restore_date: plan.restore_date.clone(),
        dry_run: plan.echo_dry_run,
        region: cross_region.then(|| api.region()),
        source_region: cross_region.then(|| api.source_region().to_string()),
    })
}
