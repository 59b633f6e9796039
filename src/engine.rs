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
use crate::decide::{self, AutoSnapshot, Decision, ExportRecord, RecordState};
use crate::error::{Error, TargetError, TargetErrorKind};
use crate::lightsail::{ApiError, Copy, LightsailApi, Resource};
use crate::names;
use crate::plan::{Plan, ResourceType, TargetSpec};
use crate::report::{self, Destination, ExportRecordReport, Output, Phase, Status, TargetReport};
use crate::request::Request;
use crate::{metrics, retention};

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
    let plan = Plan::new(config, request)?;
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
    let valid = |t: &&TargetSpec| names::validate_resource_name(&t.name).is_ok();
    let mut sanitised: HashMap<String, usize> = HashMap::new();
    for target in targets.iter().filter(valid) {
        *sanitised.entry(names::sanitise(&target.name)).or_default() += 1;
    }
    let conflicting: HashSet<&str> = targets
        .iter()
        .filter(valid)
        .filter(|t| {
            sanitised
                .get(&names::sanitise(&t.name))
                .copied()
                .unwrap_or(0)
                > 1
        })
        .map(|t| t.name.as_str())
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

/// Converts an export record for the output.
fn record_report(record: &ExportRecord) -> ExportRecordReport {
    ExportRecordReport {
        name: record.name.clone(),
        arn: record.arn.clone(),
        state: record.state_text.clone(),
        created_at: record.created_at.and_then(rfc3339),
        destination: record
            .destination
            .as_ref()
            .map(|(id, service)| Destination {
                id: id.clone(),
                service: service.clone(),
            }),
    }
}

fn rfc3339(epoch: f64) -> Option<String> {
    use aws_smithy_types::date_time::{DateTime, Format};
    DateTime::from_secs(epoch.floor() as i64)
        .fmt(Format::DateTime)
        .ok()
}

/// Maps a failed call for one target to its error.
fn target_error(what: &str, error: ApiError) -> TargetError {
    let kind = match &error {
        ApiError::Throttled(_) | ApiError::Transient(_) => TargetErrorKind::Retryable,
        ApiError::NotFound(_) => TargetErrorKind::ResourceNotFound,
        ApiError::AccessDenied(_) => TargetErrorKind::AccessDenied,
        ApiError::InvalidInput(_) => TargetErrorKind::InvalidInput,
        ApiError::Other { .. } => TargetErrorKind::LightsailError,
    };
    TargetError::new(kind, format!("{what}: {error}"))
}

/// One target's part of a round.
struct TargetRound<'a> {
    api: &'a LightsailApi,
    plan: &'a Plan,
    spec: &'a TargetSpec,
    /// The resource, when this round's listing of instances and disks returned it.
    known: Option<&'a Resource>,
    records: &'a HashMap<&'a str, Vec<&'a ExportRecord>>,
    /// The region's manual snapshots, listed once per round when retention is on.
    copies: Option<&'a [Copy]>,
    conflict: bool,
}

impl TargetRound<'_> {
    fn name(&self) -> &str {
        &self.spec.name
    }

    /// The report of a target not looked at this round.
    fn deferred(&self) -> TargetReport {
        TargetReport {
            resource_type: self.spec.resource_type,
            auto_snapshot_date: self.spec.pinned_date.clone(),
            phase: self.spec.previous_phase.unwrap_or(Phase::Copying),
            ..TargetReport::new(self.name())
        }
    }

    async fn run(self) -> TargetReport {
        let mut report = TargetReport::new(self.name());
        report.resource_type = self.spec.resource_type;
        report.phase = self
            .spec
            .previous_phase
            .filter(|p| p.in_progress())
            .unwrap_or(Phase::Copying);
        if let Err(error) = self.steps(&mut report).await {
            if !error.kind.is_transient() {
                report.phase = Phase::Failed;
            } else if report.phase == Phase::Exported || report.phase == Phase::Failed {
                report.phase = Phase::Copying;
            }
            tracing::warn!(error_type = ?error.kind, message = %error.message, "target not advanced");
            report.error = Some(error);
        }
        tracing::info!(phase = ?report.phase, actions = ?report.actions, "target reconciled");
        report
    }

    /// Finds whether the name is an instance or a disk (and refuses a name that is both).
    async fn resolve(&self) -> Result<Resource, TargetError> {
        if let Some(resource) = self.known {
            return Ok(resource.clone());
        }
        let (instance, disk) = tokio::join!(
            self.api.get_instance(self.name()),
            self.api.get_disk(self.name())
        );
        let instance = instance.map_err(|e| target_error("GetInstance", e))?;
        let disk = disk.map_err(|e| target_error("GetDisk", e))?;
        match (instance, disk) {
            (Some(_), Some(_)) => Err(TargetError::new(
                TargetErrorKind::AmbiguousResource,
                format!(
                    "`{}` is both an instance and a disk: export one of them under another name",
                    self.name()
                ),
            )),
            (Some(resource), None) | (None, Some(resource)) => Ok(resource),
            (None, None) => Err(TargetError::new(
                TargetErrorKind::ResourceNotFound,
                format!(
                    "no instance or disk named `{}` in {}",
                    self.name(),
                    self.api.source_region()
                ),
            )),
        }
    }

    /// The preflight checks on the resource itself: nothing useless is ever copied.
    fn check_resource(&self, resource: &Resource) -> Result<(), TargetError> {
        if resource.resource_type == ResourceType::Instance
            && !decide::exportable_blueprint(&resource.blueprint_id, &resource.blueprint_name)
        {
            return Err(TargetError::new(
                TargetErrorKind::NotExportable,
                format!(
                    "instance `{}` runs blueprint `{}`: Lightsail cannot export snapshots of cPanel & WHM, Django or Ghost instances",
                    self.name(),
                    resource.blueprint_id
                ),
            ));
        }
        // A backfill may still export a snapshot taken before the add-on was turned off.
        if resource.auto_snapshots_enabled == Some(false)
            && self.plan.restore_date.is_none()
            && self.spec.pinned_date.is_none()
        {
            return Err(TargetError::new(
                TargetErrorKind::AutoSnapshotsDisabled,
                format!(
                    "the automatic-snapshot add-on of `{}` is off: enable it (Lightsail console, Snapshots tab) to export it nightly",
                    self.name()
                ),
            ));
        }
        Ok(())
    }

    async fn auto_snapshots(&self) -> Result<Vec<AutoSnapshot>, TargetError> {
        self.api
            .get_auto_snapshots(self.name())
            .await
            .map_err(|e| target_error("GetAutoSnapshots", e))
    }

    async fn steps(&self, report: &mut TargetReport) -> Result<(), TargetError> {
        let name = self.name();
        names::validate_resource_name(name)
            .map_err(|reason| TargetError::new(TargetErrorKind::InvalidResourceName, reason))?;
        if self.conflict {
            return Err(TargetError::new(
                TargetErrorKind::CopyNameConflict,
                format!(
                    "`{name}` and another target give the same copy name (`{}`): rename one",
                    names::sanitise(name)
                ),
            ));
        }

        // Which resource: learnt from an earlier round, from the listing, or looked up.
        let mut resource: Option<Resource> = None;
        let resource_type = match self.spec.resource_type {
            Some(resource_type) => resource_type,
            None => {
                let found = self.resolve().await?;
                self.check_resource(&found)?;
                let resource_type = found.resource_type;
                resource = Some(found);
                resource_type
            }
        };
        report.resource_type = Some(resource_type);

        // Which automatic snapshot: the run's date, the one asked for, or the newest restorable.
        let mut autos: Option<Vec<AutoSnapshot>> = None;
        let date = match (&self.spec.pinned_date, &self.plan.restore_date) {
            (Some(date), _) | (None, Some(date)) => date.clone(),
            (None, None) => {
                let list = self.auto_snapshots().await?;
                let date = decide::choose_auto_snapshot(&list, None).map_err(|reason| {
                    TargetError::new(TargetErrorKind::NoRestorableSnapshot, reason)
                })?;
                autos = Some(list);
                date
            }
        };
        report.auto_snapshot_date = Some(date.clone());

        let copy_name = names::copy_name(&self.plan.name_format, name, resource_type, &date)
            .map_err(|reason| TargetError::new(TargetErrorKind::InvalidSnapshotName, reason))?;
        tracing::Span::current().record("snapshot", copy_name.as_str());
        report.snapshot_name = Some(copy_name.clone());

        let records: &[&ExportRecord] = self
            .records
            .get(copy_name.as_str())
            .map_or(&[], Vec::as_slice);
        let shown = decide::shown_record(records);
        report.export_record = shown.map(record_report);
        report.copy_created_at = shown.and_then(|r| r.source_created_at);
        report.export_started_at = shown
            .filter(|r| r.state == RecordState::Started)
            .and_then(|r| r.created_at);

        let max = self.plan.max_export_attempts;
        let mut decision = decide::decide(records, None, max);
        // A target's first round with no export record: its copy almost never exists yet, so
        // CopySnapshot is sent without looking first; if the copy does exist, the call fails on
        // the name and `copy` looks at it then. Saves a read per target per night.
        let first_round = self.spec.pinned_date.is_none() && records.is_empty();
        if decision == Decision::LookAtCopy && first_round && !self.plan.dry_run {
            decision = Decision::Copy;
        }
        if decision == Decision::LookAtCopy {
            let copy = self
                .api
                .get_copy(&copy_name, resource_type)
                .await
                .map_err(|e| target_error("looking at the copy", e))?;
            self.check_owner(&copy_name, copy.from_resource.as_deref())?;
            self.adopt(&copy, &date, report).await;
            decision = decide::decide(records, Some(&copy.state), max);
        }
        let mut checked = false;
        loop {
            report.phase = decision.phase();
            tracing::debug!(?decision, "decided");
            match decision {
                Decision::Copy => {
                    if !checked {
                        self.before_copy(resource.take(), resource_type, &date, autos.take())
                            .await?;
                        checked = true;
                    }
                    if self.plan.dry_run {
                        report.actions.push("CopySnapshot".into());
                        report.actions.push("TagResource".into());
                        break;
                    }
                    match self.copy(&copy_name, resource_type, &date).await? {
                        None => {
                            report.actions.push("CopySnapshot".into());
                            self.tag(&copy_name, &date, report).await;
                            break;
                        }
                        // Already copied: carry on from the state the copy is in.
                        Some(copy) => {
                            self.adopt(&copy, &date, report).await;
                            decision = decide::decide(records, Some(&copy.state), max);
                        }
                    }
                }
                Decision::Export { attempt } => {
                    if !self.plan.dry_run {
                        tracing::info!(attempt, "exporting");
                        self.api.export_snapshot(&copy_name).await.map_err(|e| match e {
                            e if e.is_transient() => TargetError::new(
                                TargetErrorKind::Retryable,
                                format!("ExportSnapshot may not have been applied ({e}); the next round looks at the export records before trying again"),
                            ),
                            e => target_error("ExportSnapshot", e),
                        })?;
                    }
                    report.actions.push("ExportSnapshot".into());
                    break;
                }
                Decision::GiveUp { attempts } => {
                    return Err(TargetError::new(
                        TargetErrorKind::ExportFailed,
                        format!("{attempts} export(s) of `{copy_name}` failed; MAX_EXPORT_ATTEMPTS is {max}"),
                    ));
                }
                Decision::CopyFailed => {
                    return Err(TargetError::new(
                        TargetErrorKind::CopyFailed,
                        format!(
                            "the copy `{copy_name}` ended in state error; delete it to try again"
                        ),
                    ));
                }
                Decision::Exported => {
                    self.retain(&copy_name, report).await;
                    break;
                }
                Decision::WaitForExport | Decision::WaitForCopy | Decision::LookAtCopy => break,
            }
        }
        Ok(())
    }

    /// A snapshot of the copy's name taken from another resource is somebody else's.
    fn check_owner(&self, copy_name: &str, from: Option<&str>) -> Result<(), TargetError> {
        match from {
            Some(from) if from != self.name() => Err(TargetError::new(
                TargetErrorKind::CopyNameConflict,
                format!(
                    "snapshot `{copy_name}` already exists but was taken from `{from}`, not `{}`",
                    self.name()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Tags the copy this run made, so retention knows it for the function's own.
    async fn tag(&self, copy_name: &str, date: &str, report: &mut TargetReport) {
        let tags = retention::copy_tags(self.name(), date);
        if self.plan.dry_run {
            report.actions.push("TagResource".into());
            return;
        }
        match self.api.tag_resource(copy_name, &tags).await {
            Ok(()) => report.actions.push("TagResource".into()),
            // Not worth failing the target for: the next round that looks at the copy tags it.
            Err(error) => tracing::warn!(%error, "could not tag the copy; a later round will"),
        }
    }

    /// An existing copy of this run's name (made by an earlier round, or a lost response):
    /// tagged if it is not yet, and its age noted for the metrics.
    async fn adopt(&self, copy: &Copy, date: &str, report: &mut TargetReport) {
        if copy.state == decide::CopyState::Missing {
            return;
        }
        report.copy_created_at = copy.created_at.or(report.copy_created_at);
        if copy.from_auto_snapshot == Some(false) {
            // Not a copy of an automatic snapshot, so not one the function made: a user's own
            // snapshot bearing the copy's name is never tagged as the function's (retention
            // deletes tagged copies only).
            tracing::warn!(copy = %copy.name, "a snapshot of the copy's name was not copied from an automatic snapshot: left untagged");
            return;
        }
        if copy.tag(retention::MANAGED_TAG).is_none() {
            self.tag(&copy.name, date, report).await;
        }
    }

    /// Retention, once the target is exported: deletes the function's own copies that the
    /// policy lets go. A failed deletion is only logged; a later round tries again.
    async fn retain(&self, current: &str, report: &mut TargetReport) {
        let (Some(copies), true) = (self.copies, self.plan.retention.enabled()) else {
            return;
        };
        let doomed = retention::to_delete(
            self.name(),
            copies,
            self.records,
            current,
            true,
            self.plan.retention,
        );
        for copy in doomed {
            let action = match copy.resource_type {
                ResourceType::Instance => "DeleteInstanceSnapshot",
                ResourceType::Disk => "DeleteDiskSnapshot",
            };
            if !self.plan.dry_run {
                if let Err(error) = self.api.delete_copy(&copy.name, copy.resource_type).await {
                    tracing::warn!(copy = %copy.name, %error, "could not delete a copy; a later round will");
                    continue;
                }
                tracing::info!(copy = %copy.name, "deleted the copy (retention)");
            }
            report.actions.push(action.into());
            report.deleted.push(copy.name.clone());
        }
    }

    /// The checks that keep a useless or impossible copy from being made.
    async fn before_copy(
        &self,
        resource: Option<Resource>,
        resource_type: ResourceType,
        date: &str,
        autos: Option<Vec<AutoSnapshot>>,
    ) -> Result<(), TargetError> {
        if resource.is_none() && resource_type == ResourceType::Instance {
            // An earlier round identified the resource; its blueprint may have changed since.
            let found = self.resolve().await?;
            self.check_resource(&found)?;
        }
        let autos = match autos {
            Some(autos) => autos,
            None => self.auto_snapshots().await?,
        };
        // Whichever way the date was chosen (newest, `restoreDate`, or carried over from a round
        // that may have failed on it), its automatic snapshot must be restorable now.
        decide::choose_auto_snapshot(&autos, Some(date))
            .map_err(|reason| TargetError::new(TargetErrorKind::NoRestorableSnapshot, reason))?;
        if let Some(taking) = autos.iter().find(|a| a.status == "InProgress") {
            return Err(TargetError::new(
                TargetErrorKind::AutoSnapshotInProgress,
                format!(
                    "waiting: the automatic snapshot of {} is being taken, and Lightsail makes no manual snapshot meanwhile",
                    taking.date
                ),
            ));
        }
        Ok(())
    }

    /// CopySnapshot. When it fails in a way that may hide success (a lost response, a name
    /// already in use after a duplicate event), the copy is looked for before reporting an error.
    /// `None`: this call made the copy; `Some(copy)`: the copy already existed.
    async fn copy(
        &self,
        copy_name: &str,
        resource_type: ResourceType,
        date: &str,
    ) -> Result<Option<Copy>, TargetError> {
        let error = match self.api.copy_snapshot(self.name(), date, copy_name).await {
            Ok(()) => return Ok(None),
            Err(error @ ApiError::Throttled(_)) => return Err(target_error("CopySnapshot", error)),
            Err(error) => error,
        };
        match self.api.get_copy(copy_name, resource_type).await {
            Ok(copy) if copy.state != decide::CopyState::Missing => {
                self.check_owner(copy_name, copy.from_resource.as_deref())?;
                tracing::info!(%error, "CopySnapshot failed but the copy exists: already copied");
                return Ok(Some(copy));
            }
            // Whether the copy exists is unknown (the refusal may be "name in use"): not a
            // failure of the target, the next round looks again.
            Err(lookup) if lookup.is_transient() => {
                return Err(TargetError::new(
                    TargetErrorKind::Retryable,
                    format!("CopySnapshot: {error}; the copy could not be looked at ({lookup}), the next round looks again"),
                ));
            }
            Ok(_) | Err(_) => {}
        }
        Err(match error {
            ApiError::Other { ref code, .. } if code == "OperationFailureException" => {
                TargetError::new(
                    TargetErrorKind::Retryable,
                    format!("CopySnapshot: {error} (an automatic snapshot may be being taken; the next round tries again)"),
                )
            }
            ApiError::NotFound(_) => TargetError::new(
                TargetErrorKind::NoRestorableSnapshot,
                format!("CopySnapshot: {error}"),
            ),
            error => target_error("CopySnapshot", error),
        })
    }
}
