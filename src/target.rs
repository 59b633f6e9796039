//! One target's part of a round: observe it, decide with `decide`, act, and fill its report.

use std::collections::HashMap;

use crate::decide::{self, AutoSnapshot, CopyRefused, Decision, ExportRecord, RecordState};
use crate::error::{TargetError, TargetErrorKind};
use crate::lightsail::{ApiError, Copy, LightsailApi, Resource};
use crate::names;
use crate::plan::{Plan, ResourceType, TargetSpec};
use crate::report::{Destination, ExportRecordReport, Phase, TargetReport};
use crate::retention;

/// Converts an export record for the output.
fn record_report(record: &ExportRecord) -> ExportRecordReport {
    ExportRecordReport {
        name: record.name.clone(),
        arn: record.arn.clone(),
        state: record.state_text.clone(),
        created_at: record.created_at.and_then(crate::plan::rfc3339),
        destination: record
            .destination
            .as_ref()
            .map(|(id, service)| Destination {
                id: id.clone(),
                service: service.clone(),
            }),
    }
}

/// Maps a failed call for one target to its error.
fn target_error(what: &str, error: ApiError) -> TargetError {
    let kind = match &error {
        ApiError::Throttled(_) | ApiError::Transient(_) => TargetErrorKind::Retryable,
        ApiError::NotFound(_) => TargetErrorKind::ResourceNotFound,
        ApiError::AccessDenied(_) => TargetErrorKind::AccessDenied,
        ApiError::InvalidInput(_) | ApiError::NameInUse(_) => TargetErrorKind::InvalidInput,
        ApiError::Other { .. } => TargetErrorKind::LightsailError,
    };
    TargetError::new(kind, format!("{what}: {error}"))
}

/// One target's part of a round.
pub(crate) struct TargetRound<'a> {
    pub api: &'a LightsailApi,
    pub plan: &'a Plan,
    pub spec: &'a TargetSpec,
    /// The resource, when this round's listing of instances and disks returned it.
    pub known: Option<&'a Resource>,
    pub records: &'a HashMap<&'a str, Vec<&'a ExportRecord>>,
    /// The region's manual snapshots, listed once per round when retention is on.
    pub copies: Option<&'a [Copy]>,
    pub conflict: bool,
}

impl TargetRound<'_> {
    fn name(&self) -> &str {
        &self.spec.name
    }

    /// The report of a target not looked at this round.
    pub fn deferred(&self) -> TargetReport {
        TargetReport {
            resource_type: self.spec.resource_type,
            auto_snapshot_date: self.spec.pinned_date.clone(),
            phase: self.spec.previous_phase.unwrap_or(Phase::Copying),
            export_record: self.spec.previous_record.clone(),
            waiting_since: self
                .spec
                .waiting_since
                .and_then(|t| crate::plan::rfc3339(t as f64)),
            auto_snapshot_today: self.spec.auto_snapshot_today.clone(),
            ..TargetReport::new(self.name())
        }
    }

    pub async fn run(self) -> TargetReport {
        let mut report = TargetReport::new(self.name());
        report.resource_type = self.spec.resource_type;
        report.phase = self
            .spec
            .previous_phase
            .filter(|p| p.in_progress())
            .unwrap_or(Phase::Copying);
        report.waiting_since = self
            .spec
            .waiting_since
            .and_then(|t| crate::plan::rfc3339(t as f64));
        report.auto_snapshot_today = self.spec.auto_snapshot_today.clone();
        if let Err(error) = self.steps(&mut report).await {
            if !error.kind.is_transient() {
                report.phase = Phase::Failed;
            } else if report.phase == Phase::Exported || report.phase == Phase::Failed {
                report.phase = Phase::Copying;
            }
            tracing::warn!(error_type = ?error.kind, message = %error.message, "target not advanced");
            report.error = Some(error);
        }
        // The wait on an automatic snapshot goes on only while the target is held up.
        let still_waiting = report.error.as_ref().is_some_and(|e| {
            e.kind.is_transient() || e.kind == TargetErrorKind::AutoSnapshotWaitExceeded
        });
        if !still_waiting {
            report.waiting_since = None;
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
                let time_of_day = resource
                    .as_ref()
                    .or(self.known)
                    .and_then(|r| r.snapshot_time_of_day.as_deref());
                report.auto_snapshot_today =
                    decide::auto_snapshot_today(&list, &date, self.plan.now, time_of_day);
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
        if decide::stays_exported(
            records,
            self.spec.previous_phase,
            self.spec.pinned_date.is_some(),
        ) {
            tracing::info!("exported last round; its export record is no longer listed");
            report.phase = Phase::Exported;
            report.export_record = self.spec.previous_record.clone();
            return Ok(());
        }

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
        let mut checked: Option<Vec<AutoSnapshot>> = None;
        loop {
            report.phase = decision.phase();
            tracing::debug!(?decision, "decided");
            match decision {
                Decision::Copy => {
                    if checked.is_none() {
                        checked = Some(
                            self.before_copy(resource.take(), resource_type, &date, autos.take())
                                .await?,
                        );
                    }
                    let taking = checked
                        .as_deref()
                        .and_then(|list| list.iter().find(|a| a.status == "InProgress"));
                    let made = match self.plan.dry_run {
                        true => None,
                        false => match self.copy(&copy_name, resource_type, &date, taking).await {
                            Ok(made) => made,
                            Err(CopyError::Target(error)) => return Err(error),
                            Err(CopyError::Refused(error)) => {
                                return Err(self.wait(report, &date, &error, taking))
                            }
                        },
                    };
                    match made {
                        // This round made the copy (or, in a dry run, would).
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

    /// The checks that keep a useless or impossible copy from being made. Returns the automatic
    /// snapshots as listed now.
    async fn before_copy(
        &self,
        resource: Option<Resource>,
        resource_type: ResourceType,
        date: &str,
        autos: Option<Vec<AutoSnapshot>>,
    ) -> Result<Vec<AutoSnapshot>, TargetError> {
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
        // that may have failed on it), its automatic snapshot must be restorable now. A newer one
        // being taken does not hold the copy back: Lightsail copies the latest restorable one
        // meanwhile, or refuses, which `copy` turns into a bounded wait.
        decide::choose_auto_snapshot(&autos, Some(date))
            .map_err(|reason| TargetError::new(TargetErrorKind::NoRestorableSnapshot, reason))?;
        Ok(autos)
    }

    /// The target waits because Lightsail refused its copy: since the first round that saw the
    /// refusal, for at most `MAX_AUTO_SNAPSHOT_WAIT`.
    fn wait(
        &self,
        report: &mut TargetReport,
        date: &str,
        error: &ApiError,
        taking: Option<&AutoSnapshot>,
    ) -> TargetError {
        let max = self.plan.max_auto_snapshot_wait;
        let (since, exceeded) =
            decide::wait_on_auto_snapshot(self.spec.waiting_since, self.plan.now, max);
        let since_text = crate::plan::rfc3339(since as f64).unwrap_or_default();
        report.waiting_since = Some(since_text.clone());
        let why = match taking {
            Some(taking) => format!(
                "while its automatic snapshot of {} is being taken",
                taking.date
            ),
            None => "(an automatic snapshot may be being taken)".to_string(),
        };
        let waited = (self.plan.now - since as f64).max(0.0) as u64;
        if exceeded {
            return TargetError::new(
                TargetErrorKind::AutoSnapshotWaitExceeded,
                format!(
                    "Lightsail refused to copy the automatic snapshot of `{}` of {date} for {} since {since_text} {why}: more than MAX_AUTO_SNAPSHOT_WAIT ({}); last refusal: {error}",
                    self.name(),
                    decide::human_duration(waited),
                    decide::human_duration(max),
                ),
            );
        }
        TargetError::new(
            TargetErrorKind::AutoSnapshotInProgress,
            format!(
                "waiting since {since_text}: Lightsail refused to copy the automatic snapshot of {date} {why} ({error}); the next round tries again, for at most {} in all",
                decide::human_duration(max),
            ),
        )
    }

    /// CopySnapshot. When it fails in a way that may hide success (a lost response, a name
    /// already in use after a duplicate event), the copy is looked for before reporting an error.
    /// `None`: this call made the copy; `Some(copy)`: the copy already existed.
    async fn copy(
        &self,
        copy_name: &str,
        resource_type: ResourceType,
        date: &str,
        taking: Option<&AutoSnapshot>,
    ) -> Result<Option<Copy>, CopyError> {
        let error = match self.api.copy_snapshot(self.name(), date, copy_name).await {
            Ok(()) => return Ok(None),
            Err(error @ ApiError::Throttled(_)) => {
                return Err(CopyError::Target(target_error("CopySnapshot", error)))
            }
            Err(error) => error,
        };
        match self.api.get_copy(copy_name, resource_type).await {
            Ok(copy) if copy.state != decide::CopyState::Missing => {
                self.check_owner(copy_name, copy.from_resource.as_deref())
                    .map_err(CopyError::Target)?;
                tracing::info!(%error, "CopySnapshot failed but the copy exists: already copied");
                return Ok(Some(copy));
            }
            // Whether the copy exists is unknown (the refusal may be "name in use"): not a
            // failure of the target, the next round looks again.
            Err(lookup) if lookup.is_transient() => {
                return Err(CopyError::Target(TargetError::new(
                    TargetErrorKind::Retryable,
                    format!("CopySnapshot: {error}; the copy could not be looked at ({lookup}), the next round looks again"),
                )));
            }
            Ok(_) | Err(_) => {}
        }
        let target = |kind, text: String| Err(CopyError::Target(TargetError::new(kind, text)));
        match decide::copy_refused(&error, taking.is_some()) {
            CopyRefused::Wait => Err(CopyError::Refused(error)),
            CopyRefused::NameTaken => target(
                TargetErrorKind::CopyNameConflict,
                format!(
                    "CopySnapshot: {error}; no snapshot `{copy_name}` exists, so another resource of the region (an instance, a disk, a static IP…) holds the name: Lightsail names are unique per region across resource types. Rename it, or change SNAPSHOT_NAME_FORMAT"
                ),
            ),
            CopyRefused::NoSnapshot => target(
                TargetErrorKind::NoRestorableSnapshot,
                format!("CopySnapshot: {error}"),
            ),
            CopyRefused::Retry | CopyRefused::Fail => {
                Err(CopyError::Target(target_error("CopySnapshot", error)))
            }
        }
    }
}

/// How a CopySnapshot that made nothing failed.
enum CopyError {
    /// The target's error for this round.
    Target(TargetError),
    /// Lightsail refused the copy, in a way that means "not now": the target waits.
    Refused(ApiError),
}
