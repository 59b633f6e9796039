//! Runs over several regions, and the fan-out: the output's per-region parts (each target's
//! `region`, `summaryByRegion`, `regionErrors`), how the regions' outputs merge into one, how
//! a fan-out item's final output is settled, and how the fan-out's items aggregate.
//!
//! Step Functions passes at most 256 KiB between states. A night's full per-target report is
//! about 870 bytes a target (BENCHMARKS.md, "A night over three regions"), so a fan-out over thousands of targets cannot hand every report to
//! its Aggregate state: a fan-out item's final output and the aggregate list in `targets` only
//! the targets that did not end EXPORTED (at most [`MAX_LISTED`]), and count the others in
//! `targetsOmitted`; `summary` and `summaryByRegion` always count every target.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cost::{self, Cost};
use super::{status, summarise, Output, Status, Summary, TargetReport};
pub use crate::error::RegionError;
use crate::error::{TargetError, TargetErrorKind};
use crate::model::Phase;

/// At most this many targets are listed in a settled output (fan-out items, the aggregate).
pub const MAX_LISTED: usize = 100;

/// One region's part of `summaryByRegion`: its targets counted, and what the function keeps
/// there (in the final output).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionSummary {
    #[serde(flatten)]
    pub summary: Summary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

/// What one region's round gave.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionRound {
    Done(Output),
    /// Nothing to reconcile there (no resource has the tag).
    Empty,
    Failed(RegionError),
    /// Its listings failed transiently: listed in `regionErrors` as `Retryable` and tried again
    /// next round (the run stays in progress), within `MAX_RETRY_WINDOW`.
    Retrying(RegionError),
}

/// What the merged output echoes whatever the regions gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Echo {
    pub restore_date: Option<String>,
    pub dry_run: Option<bool>,
    /// `restoreTest`, echoed when the request asked for drills.
    pub restore_test: Option<bool>,
    /// The wait suggested while in progress, when no region suggested one.
    pub next_check_seconds: u64,
}

/// Merges the regions' outputs of one round into one: every target with its region, each
/// region's summary, the regions that failed (this round's, then `carried` ones not retried).
pub fn merge(parts: Vec<(String, RegionRound)>, carried: Vec<RegionError>, echo: Echo) -> Output {
    let mut targets: Vec<TargetReport> = Vec::new();
    let mut by_region: BTreeMap<String, RegionSummary> = BTreeMap::new();
    let mut errors: Vec<RegionError> = Vec::new();
    let mut next: Option<u64> = None;
    for (region, part) in parts {
        match part {
            RegionRound::Done(output) => {
                if output.status == Status::InProgress {
                    next = Some(next.map_or(output.next_check_seconds, |n| {
                        n.min(output.next_check_seconds)
                    }));
                }
                let summary = RegionSummary {
                    summary: output.summary,
                    cost: output.cost,
                };
                by_region.insert(region.clone(), summary);
                targets.extend(output.targets.into_iter().map(|mut target| {
                    target.region = Some(region.clone());
                    target
                }));
            }
            RegionRound::Empty => {
                by_region.insert(region, RegionSummary::default());
            }
            RegionRound::Failed(error) | RegionRound::Retrying(error) => errors.push(error),
        }
    }
    let retrying = errors.iter().any(RegionError::is_retried);
    errors.extend(carried);
    let summary = summarise(&targets);
    finish(Finish {
        summary,
        targets,
        by_region,
        errors,
        retrying,
        next,
        omitted: None,
        failed_items: 0,
        echo,
    })
}

/// The parts of a merged output.
struct Finish {
    summary: Summary,
    targets: Vec<TargetReport>,
    by_region: BTreeMap<String, RegionSummary>,
    errors: Vec<RegionError>,
    /// A region is tried again next round (a round's merge only; an aggregate is final).
    retrying: bool,
    next: Option<u64>,
    omitted: Option<usize>,
    failed_items: usize,
    echo: Echo,
}

fn finish(parts: Finish) -> Output {
    let mut errors: Vec<RegionError> = Vec::new();
    for error in parts.errors {
        if !errors.iter().any(|e| e.region == error.region) {
            errors.push(error);
        }
    }
    let status = match status(&parts.summary) {
        Status::InProgress => Status::InProgress,
        _ if parts.retrying => Status::InProgress,
        _ if !errors.is_empty() || parts.failed_items > 0 => Status::Failed,
        done => done,
    };
    let (next_check_seconds, cost) = match status {
        Status::InProgress => (parts.next.unwrap_or(parts.echo.next_check_seconds), None),
        Status::Succeeded | Status::Failed => (
            0,
            cost::total(parts.by_region.values().filter_map(|r| r.cost.as_ref())),
        ),
    };
    Output {
        status,
        next_check_seconds,
        summary: parts.summary,
        targets: parts.targets,
        restore_date: parts.echo.restore_date,
        dry_run: parts.echo.dry_run,
        restore_test: parts.echo.restore_test,
        region: None,
        source_region: None,
        cost,
        summary_by_region: parts.by_region,
        region_errors: errors,
        targets_omitted: parts.omitted,
        failed_items: (parts.failed_items > 0).then_some(parts.failed_items),
    }
}

/// A fan-out item's final output, made small enough for the Map's results: only the targets
/// that did not end EXPORTED, at most [`MAX_LISTED`]; the rest counted in `targetsOmitted`.
/// An output still in progress is left whole (the next round needs every target's report).
pub fn settle(output: &mut Output) {
    if output.status == Status::InProgress {
        return;
    }
    let listed = output.targets.len();
    output.targets.retain(|t| t.phase != Phase::Exported);
    output.targets.truncate(MAX_LISTED);
    let omitted = listed - output.targets.len() + output.targets_omitted.unwrap_or(0);
    output.targets_omitted = Some(omitted);
}

/// One entry of the fan-out Map's results.
enum ItemResult {
    /// The item's final output.
    Done(Box<Output>),
    /// The item's Reconcile failed for good; the state machine caught it (`caught`) with the
    /// item's targets still in its input.
    Caught(Vec<TargetReport>),
    /// Anything else (a child execution that failed within `ToleratedFailurePercentage`).
    Lost,
}

fn item_result(value: Value) -> ItemResult {
    let Value::Object(object) = value else {
        return ItemResult::Lost;
    };
    if let Some(caught) = object.get("caught") {
        let text = |key: &str| caught.get(key).and_then(Value::as_str).unwrap_or("");
        let mut message = format!("{}: {}", text("Error"), text("Cause"));
        if message.len() > 500 {
            let cut = (0..=500).rev().find(|&i| message.is_char_boundary(i));
            message.truncate(cut.unwrap_or(0));
        }
        let failed = |region: Option<String>, resource: String| TargetReport {
            region,
            phase: Phase::Failed,
            error: Some(TargetError::new(
                TargetErrorKind::ItemFailed,
                message.clone(),
            )),
            ..TargetReport::new(resource)
        };
        let named =
            |item: &Value, key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
        let list = object.get("Items").or_else(|| object.get("targets"));
        let targets: Vec<TargetReport> = list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| Some(failed(named(item, "region"), named(item, "resource")?)))
            .collect();
        return match targets.is_empty() {
            true => ItemResult::Lost,
            false => ItemResult::Caught(targets),
        };
    }
    match serde_json::from_value::<Output>(Value::Object(object)) {
        Ok(output) => ItemResult::Done(Box::new(output)),
        Err(_) => ItemResult::Lost,
    }
}

fn add(into: &mut Summary, more: &Summary) {
    into.total += more.total;
    into.exported += more.exported;
    into.in_progress += more.in_progress;
    into.failed += more.failed;
    into.restore_tests = match (into.restore_tests, more.restore_tests) {
        (Some(a), Some(b)) => Some(a.add(b)),
        (a, b) => a.or(b),
    };
}

/// The fan-out's execution output: the items' final outputs merged into the same contract.
/// `listing_errors` are the regions the fan-out's listing could not cover.
pub fn aggregate(results: Vec<Value>, listing_errors: Vec<RegionError>) -> Output {
    let mut summary = Summary::default();
    let mut by_region: BTreeMap<String, RegionSummary> = BTreeMap::new();
    let mut targets: Vec<TargetReport> = Vec::new();
    let mut errors = listing_errors;
    let (mut omitted, mut failed_items) = (0, 0);
    let mut echo = Echo::default();
    for result in results {
        match item_result(result) {
            ItemResult::Done(output) => {
                let output = *output;
                add(&mut summary, &output.summary);
                for (region, part) in output.summary_by_region {
                    let entry = by_region.entry(region).or_default();
                    add(&mut entry.summary, &part.summary);
                    // Every item reports its whole region's cost at its end: the last one stands.
                    entry.cost = part.cost.or(entry.cost.take());
                }
                echo.restore_date = echo.restore_date.or(output.restore_date);
                echo.dry_run = echo.dry_run.or(output.dry_run);
                echo.restore_test = echo.restore_test.or(output.restore_test);
                omitted += output.targets_omitted.unwrap_or(0);
                errors.extend(output.region_errors);
                targets.extend(output.targets);
            }
            ItemResult::Caught(failed) => {
                for target in &failed {
                    let region = target.region.clone().unwrap_or_default();
                    let entry = by_region.entry(region).or_default();
                    add(&mut entry.summary, &summarise(std::slice::from_ref(target)));
                }
                add(&mut summary, &summarise(&failed));
                targets.extend(failed);
            }
            ItemResult::Lost => failed_items += 1,
        }
    }
    let mut output = finish(Finish {
        summary,
        targets,
        by_region,
        errors,
        retrying: false,
        next: None,
        omitted: Some(0),
        failed_items,
        echo,
    });
    settle(&mut output);
    output.targets_omitted = output.targets_omitted.map(|n| n + omitted);
    output
}

#[cfg(test)]
mod tests;
