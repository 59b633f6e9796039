//! What one invocation was asked to do, from any event form of the contract: a plain request,
//! an EventBridge envelope whose `detail` is the request, the function's own previous output (a
//! Step Functions loop feeds it back), a fan-out Map item's batch (`{"Items": …}`), any of
//! these wrapped as a fan-out item's round (`{"fanOutItem": …}`), or the Map's results to
//! aggregate (`{"aggregate": […]}`).

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::AutoSnapshotToday;
use crate::model::{Phase, ResourceType};
use crate::report::drill::RestoreTestReport;
use crate::report::fan_out::Batch;
use crate::report::merge::RegionError;
use crate::report::ExportRecordReport;

/// A target carried over from the previous output: it stays on the date it started on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousTarget {
    pub resource: String,
    /// The target's region, in a run over several regions.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub resource_type: Option<ResourceType>,
    #[serde(default)]
    pub auto_snapshot_date: Option<String>,
    #[serde(default)]
    pub phase: Option<Phase>,
    /// RFC 3339: since when the target waits on an automatic snapshot.
    #[serde(default)]
    pub waiting_since: Option<String>,
    /// RFC 3339: since when the target's calls fail transiently.
    #[serde(default)]
    pub failing_since: Option<String>,
    /// The export record shown last round: an EXPORTED target stays so, even if Lightsail
    /// forgets the record once the copy is deleted (a guess the emulator can play).
    #[serde(default)]
    pub export_record: Option<ExportRecordReport>,
    #[serde(default)]
    pub auto_snapshot_today: Option<AutoSnapshotToday>,
    /// The restore drill the previous round reported: where it started.
    #[serde(default)]
    pub restore_test: Option<RestoreTestReport>,
    /// The exports earlier rounds of the night retired.
    #[serde(default)]
    pub retired_tonight: Vec<crate::report::kept::KeptEntry>,
}

/// What one invocation is, parsed once from its event: each kind has its own entry point in
/// the handler.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// A round of the engine: a plain request, an EventBridge envelope whose `detail` is one,
    /// the function's previous output, or a fan-out Map iteration's batch.
    Round(Request),
    /// `{"fanOutItem": …}`: a round of one fan-out item (a batch, or its previous output),
    /// whose final output lists only the targets that need attention
    /// (`report::merge::settle`).
    ItemRound(Request),
    /// `{"fanOut": true, …}`: list the targets as the fan-out's items; reconcile nothing.
    ListItems(Request),
    /// `{"aggregate": […]}`: the fan-out Map's results, merged into one output, with the
    /// listing's region errors.
    Aggregate {
        results: Vec<Value>,
        region_errors: Vec<RegionError>,
    },
    /// `{"doctor": true}`, maybe with `targets` or `targetTag`: the doctor's read-only checks
    /// of the account (docs/contract.md, "The doctor"); reconcile nothing.
    Doctor(Request),
}

impl Invocation {
    /// The request of a round or a listing (`None` for an aggregate).
    pub fn into_request(self) -> Option<Request> {
        match self {
            Invocation::Round(request)
            | Invocation::ItemRound(request)
            | Invocation::ListItems(request)
            | Invocation::Doctor(request) => Some(request),
            Invocation::Aggregate { .. } => None,
        }
    }
}

/// What a round (or the fan-out's listing) was asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Names, each `name` or `region:name`.
    pub targets: Option<Vec<String>>,
    pub target_tag: Option<String>,
    /// The regions to cover, each maybe with its own targets or tag.
    pub regions: Option<Vec<RegionRequest>>,
    pub restore_date: Option<String>,
    pub dry_run: Option<bool>,
    /// `restoreTest`: drill every exported target of the run tonight (`RESTORE_TEST_*` say
    /// how).
    pub restore_test: Option<bool>,
    /// Set when the event was a previous output: its targets, in order.
    pub previous: Option<Vec<PreviousTarget>>,
    /// Regions that failed as a whole earlier in the run (a previous output's `regionErrors`):
    /// reported again, not retried.
    pub region_errors: Vec<RegionError>,
}

impl Request {
    /// The output's `dryRun`: echoed when the request or the environment set it.
    pub fn echo_dry_run(&self, config_dry_run: bool) -> Option<bool> {
        (self.dry_run.is_some() || config_dry_run).then_some(self.dry_run.unwrap_or(config_dry_run))
    }
}

/// One region of `regions`: a name, or `{"region", "targets", "targetTag"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "each of `regions` must be a region name or {\"region\", \"targets\", \"targetTag\"}"
)]
pub enum RegionRequest {
    Name(String),
    Detailed(RegionDetail),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionDetail {
    pub region: String,
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    #[serde(default)]
    pub target_tag: Option<String>,
}

impl RegionRequest {
    pub fn name(&self) -> &str {
        match self {
            RegionRequest::Name(name) => name,
            RegionRequest::Detailed(detail) => &detail.region,
        }
    }
}

/// `targets` may be a list of names or one comma-separated string (handier in a schedule's input).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "`targets` must be a list of names or one comma-separated string"
)]
enum Names {
    List(Vec<String>),
    Text(String),
}

/// The plain request. Unknown fields are refused: a misspelt `target` must not silently export
/// the environment's default targets instead.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainRequest {
    targets: Option<Names>,
    target_tag: Option<String>,
    regions: Option<Vec<RegionRequest>>,
    restore_date: Option<String>,
    dry_run: Option<bool>,
    restore_test: Option<bool>,
    #[serde(default)]
    fan_out: bool,
    #[serde(default)]
    doctor: bool,
    aggregate: Option<Vec<Value>>,
    /// With `aggregate`: the fan-out listing's region errors.
    region_errors: Option<Vec<RegionError>>,
}

/// The previous output. Its other members (status, summary, …) are ignored, so an output of a
/// newer version of the function is still understood.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviousOutput {
    targets: Vec<PreviousTarget>,
    #[serde(default)]
    restore_date: Option<String>,
    #[serde(default)]
    dry_run: Option<bool>,
    #[serde(default)]
    restore_test: Option<bool>,
    /// A run over several regions: the regions covered, so that a region whose targets are all
    /// gone from `targets` (none matched its tag) still shows.
    #[serde(default)]
    summary_by_region: std::collections::BTreeMap<String, Value>,
    #[serde(default)]
    region_errors: Vec<RegionError>,
}

fn invalid(what: &str, error: serde_json::Error) -> Error {
    Error::InvalidInput(format!("{what}: {error}"))
}

fn is_previous_output(object: &serde_json::Map<String, Value>) -> bool {
    object.contains_key("status")
        && matches!(object.get("targets"), Some(Value::Array(items)) if items.iter().all(Value::is_object))
}

impl Invocation {
    /// Reads any form of the contract's input. `null` and `{}` are an empty round (the
    /// environment decides).
    pub fn parse(event: Value) -> Result<Invocation, Error> {
        match event {
            Value::Null => Ok(Invocation::Round(Request::default())),
            Value::Object(object) if object.contains_key("detail-type") => {
                let envelope: EventBridgeEvent<Value> =
                    serde_json::from_value(Value::Object(object))
                        .map_err(|e| invalid("EventBridge event", e))?;
                match envelope.detail {
                    Value::Null => Ok(Invocation::Round(Request::default())),
                    Value::Object(detail) if is_previous_output(&detail) => {
                        Request::from_previous(Value::Object(detail)).map(Invocation::Round)
                    }
                    Value::Object(detail) if !detail.contains_key("detail-type") => {
                        Invocation::from_plain(Value::Object(detail))
                    }
                    other => Err(Error::InvalidInput(format!(
                        "EventBridge event: `detail` must be a request object, got {}",
                        kind(&other)
                    ))),
                }
            }
            Value::Object(object) if is_previous_output(&object) => {
                Request::from_previous(Value::Object(object)).map(Invocation::Round)
            }
            Value::Object(object) if object.contains_key("Items") => {
                Request::from_batch(Value::Object(object)).map(Invocation::Round)
            }
            Value::Object(mut object) if object.len() == 1 && object.contains_key("fanOutItem") => {
                let inner = object.remove("fanOutItem").unwrap_or_default();
                let nested =
                    inner.get("fanOutItem").is_some() || inner.get("detail-type").is_some();
                let not_an_item = || {
                    Error::InvalidInput(
                        "fanOutItem: a batch of items or a previous output was expected".into(),
                    )
                };
                if nested || !inner.is_object() {
                    return Err(not_an_item());
                }
                match Invocation::parse(inner)? {
                    Invocation::Round(request) => Ok(Invocation::ItemRound(request)),
                    _ => Err(not_an_item()),
                }
            }
            Value::Object(object) => Invocation::from_plain(Value::Object(object)),
            other => Err(Error::InvalidInput(format!(
                "the input must be a JSON object, got {}",
                kind(&other)
            ))),
        }
    }

    fn from_plain(value: Value) -> Result<Invocation, Error> {
        let plain: PlainRequest = serde_json::from_value(value).map_err(|e| invalid("input", e))?;
        let selects = plain.targets.is_some()
            || plain.target_tag.is_some()
            || plain.regions.is_some()
            || plain.restore_date.is_some()
            || plain.dry_run.is_some()
            || plain.restore_test.is_some()
            || plain.fan_out
            || plain.doctor;
        if plain.aggregate.is_some() && selects {
            return Err(Error::InvalidInput(
                "`aggregate` (the fan-out's results) comes alone, with `regionErrors` at most"
                    .into(),
            ));
        }
        if let Some(results) = plain.aggregate {
            return Ok(Invocation::Aggregate {
                results,
                region_errors: plain.region_errors.unwrap_or_default(),
            });
        }
        if plain.region_errors.is_some() {
            return Err(Error::InvalidInput(
                "`regionErrors` is only read with `aggregate`".into(),
            ));
        }
        let rounds_only = plain.regions.is_some()
            || plain.restore_date.is_some()
            || plain.dry_run.is_some()
            || plain.restore_test.is_some()
            || plain.fan_out;
        if plain.doctor && rounds_only {
            return Err(Error::InvalidInput(
                "`doctor` checks the function's region, read-only: it takes `targets` or `targetTag` at most".into(),
            ));
        }
        let request = Request {
            targets: plain.targets.map(|names| match names {
                Names::List(list) => list,
                Names::Text(text) => super::config::split_names(&text),
            }),
            target_tag: plain.target_tag,
            regions: plain.regions,
            restore_date: plain.restore_date,
            dry_run: plain.dry_run,
            restore_test: plain.restore_test,
            previous: None,
            region_errors: Vec::new(),
        };
        Ok(match (plain.doctor, plain.fan_out) {
            (true, _) => Invocation::Doctor(request),
            (false, true) => Invocation::ListItems(request),
            (false, false) => Invocation::Round(request),
        })
    }
}

impl Request {
    /// A fan-out Map iteration's batch: its items are the targets, each in its region.
    fn from_batch(value: Value) -> Result<Request, Error> {
        let batch: Batch =
            serde_json::from_value(value).map_err(|e| invalid("fan-out batch", e))?;
        let input = batch.batch_input.unwrap_or_default();
        Ok(Request {
            targets: Some(
                batch
                    .items
                    .iter()
                    .map(|i| format!("{}:{}", i.region, i.resource))
                    .collect(),
            ),
            restore_date: input.restore_date,
            dry_run: input.dry_run,
            restore_test: input.restore_test,
            ..Request::default()
        })
    }

    fn from_previous(value: Value) -> Result<Request, Error> {
        let previous: PreviousOutput =
            serde_json::from_value(value).map_err(|e| invalid("previous output", e))?;
        let regions = previous_regions(&previous);
        Ok(Request {
            // A target of a run over several regions comes back qualified with its region.
            targets: Some(
                previous
                    .targets
                    .iter()
                    .map(|t| match &t.region {
                        Some(region) => format!("{region}:{}", t.resource),
                        None => t.resource.clone(),
                    })
                    .collect(),
            ),
            restore_date: previous.restore_date,
            dry_run: previous.dry_run,
            restore_test: previous.restore_test,
            previous: Some(previous.targets),
            regions,
            region_errors: previous.region_errors,
            ..Request::default()
        })
    }
}

/// The regions a previous output covers: those it reported on, and those still retried
/// (`regionErrors` of type `Retryable`), asked again what they were asked.
fn previous_regions(previous: &PreviousOutput) -> Option<Vec<RegionRequest>> {
    let reported = (previous.summary_by_region.keys()).map(|r| RegionRequest::Name(r.clone()));
    let retried = (previous.region_errors.iter())
        .filter(|e| e.is_retried() && !previous.summary_by_region.contains_key(&e.region))
        .map(|e| {
            RegionRequest::Detailed(RegionDetail {
                region: e.region.clone(),
                targets: e.targets.clone(),
                target_tag: e.target_tag.clone(),
            })
        });
    let regions: Vec<RegionRequest> = reported.chain(retried).collect();
    (!regions.is_empty()).then_some(regions)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
