//! One target's part of a round: observe it through [`Lightsail`], let `decide` say what comes
//! next, act, and fill its report. Every choice here is made by a `decide` function; this file
//! only sequences the calls.

use std::collections::HashMap;

use crate::decide;
use crate::decide::preflight;
use crate::decide::retention::{self, Current};
use crate::decide::target::{DateChoice, Decision};
use crate::ec2::Ec2;
use crate::error::{TargetError, TargetErrorKind};
use crate::input::names;
use crate::input::plan::{Plan, TargetSpec};
use crate::lightsail::Lightsail;
use crate::model::{
    Action, AutoSnapshot, Ec2Artifact, ExportRecord, ManualSnapshot, RecordState, Resource,
    ResourceType, SnapshotState,
};
use crate::model::{Date, Timestamp};
use crate::report::{ExportRecordReport, TargetReport};

mod artifact;
mod copy;

use copy::Copied;
#[cfg(test)]
mod tests;

/// One target's part of a round, and what the round observed for all targets.
pub(crate) struct TargetRound<'a, L, E> {
    pub api: &'a L,
    pub ec2: &'a E,
    pub plan: &'a Plan,
    pub spec: &'a TargetSpec,
    /// The resource, when this round's listing of instances and disks returned it.
    pub known: Option<&'a Resource>,
    pub records: &'a HashMap<&'a str, Vec<&'a ExportRecord>>,
    /// The region's manual snapshots, listed once per round when retention is on.
    pub snapshots: Option<&'a [ManualSnapshot]>,
    /// The function's AMIs and EBS snapshots, listed once per round when EC2 retirement is on.
    pub artifacts: Option<&'a [Ec2Artifact]>,
    /// Another target gives the same copy name.
    pub conflict: bool,
}

/// What the round learnt of the target before deciding on its copy.
pub(super) struct Observed {
    /// The resource, when it was looked up this round.
    pub(super) resource: Option<Resource>,
    pub(super) resource_type: ResourceType,
    pub(super) date: Date,
    /// The automatic snapshots, when they were listed this round.
    pub(super) autos: Option<Vec<AutoSnapshot>>,
    pub(super) copy_name: String,
}

impl<L: Lightsail, E: Ec2> TargetRound<'_, L, E> {
    pub(super) fn name(&self) -> &str {
        &self.spec.name
    }

    /// The report of a target carried over from the previous round, before this round's work.
    fn carried(&self) -> TargetReport {
        TargetReport {
            resource_type: self.spec.resource_type,
            waiting_since: self.spec.waiting_since.map(Timestamp::rfc3339),
            failing_since: self.spec.failing_since.map(Timestamp::rfc3339),
            auto_snapshot_today: self.spec.auto_snapshot_today.clone(),
            // A dry run retires nothing: each round lists what it would, afresh.
            retired_tonight: match self.plan.dry_run {
                true => Vec::new(),
                false => self.spec.previous_retired.clone(),
            },
            ..TargetReport::new(self.name())
        }
    }

    /// The report of a target not looked at this round (the deadline was near).
    pub fn deferred(&self) -> TargetReport {
        TargetReport {
            auto_snapshot_date: self.spec.pinned_date.map(|d| d.to_string()),
            phase: self.spec.previous_phase.unwrap_or_default(),
            export_record: self.spec.previous_record.clone(),
            ..self.carried()
        }
    }

    pub async fn run(self) -> TargetReport {
        let mut report = self.carried();
        report.phase = self
            .spec
            .previous_phase
            .filter(|p| p.in_progress())
            .unwrap_or_default();
        let window = decide::retry::Window::new(self.spec.failing_since, self.plan);
        let bounded = decide::retry::bound_target(self.steps(&mut report).await.err(), window);
        report.failing_since = bounded.failing_since.map(Timestamp::rfc3339);
        let error = bounded.error;
        if let Some(error) = &error {
            tracing::warn!(error_type = ?error.kind, message = %error.message, "target not advanced");
        }
        finish(&mut report, error);
        tracing::info!(phase = ?report.phase, actions = ?report.actions, "target reconciled");
        report
    }

    async fn steps(&self, report: &mut TargetReport) -> Result<(), TargetError> {
        preflight::check_name(self.name(), self.conflict)?;
        let mut seen = self.observe(report).await?;
        let records: &[&ExportRecord] = self
            .records
            .get(seen.copy_name.as_str())
            .map_or(&[], Vec::as_slice);
        self.show_records(records, report);
        let pinned = self.spec.pinned_date.is_some();
        if decide::target::stays_exported(records, self.spec.previous_phase, pinned) {
            tracing::info!("exported last round; its export record is no longer listed");
            report.phase = crate::model::Phase::Exported;
            report.export_record = self.spec.previous_record.clone();
            return Ok(());
        }
        let max = self.plan.max_export_attempts;
        let first_round = !pinned;
        let look = decide::target::FirstLook {
            first_round,
            dry_run: self.plan.dry_run,
            max_attempts: max,
        };
        let mut decision = decide::target::first_decision(records, look);
        if decision == Decision::LookAtCopy {
            let copy = self
                .look_at_copy(&seen.copy_name, seen.resource_type)
                .await?;
            self.adopt(&copy, seen.date, report).await;
            decision = decide::target::next_step(records, Some(&copy.state), max);
        }
        self.act(decision, records, &mut seen, report).await
    }

    /// Which resource, which automatic snapshot, which copy name.
    async fn observe(&self, report: &mut TargetReport) -> Result<Observed, TargetError> {
        let choice = DateChoice::of(self.spec.pinned_date, self.plan.restore_date);
        let (resource, resource_type) = match self.spec.resource_type {
            Some(resource_type) => (None, resource_type),
            None => {
                let found = self.identify().await?;
                preflight::check_resource(&found, &choice)?;
                let resource_type = found.resource_type;
                (Some(found), resource_type)
            }
        };
        report.resource_type = Some(resource_type);
        let (date, autos) = match choice {
            DateChoice::Given(date) => (date, None),
            DateChoice::Newest => {
                let list = self.auto_snapshots().await?;
                let date = decide::target::newest_restorable(&list)?;
                let time_of_day = resource
                    .as_ref()
                    .or(self.known)
                    .and_then(|r| r.snapshot_time_of_day.as_deref());
                report.auto_snapshot_today =
                    decide::target::auto_snapshot_today(&list, date, self.plan.now, time_of_day);
                (date, Some(list))
            }
        };
        report.auto_snapshot_date = Some(date.to_string());
        let copy_name = names::copy_name(&self.plan.name_format, self.name(), resource_type, date)
            .map_err(|reason| TargetError::new(TargetErrorKind::InvalidSnapshotName, reason))?;
        tracing::Span::current().record("snapshot", copy_name.as_str());
        report.snapshot_name = Some(copy_name.clone());
        Ok(Observed {
            resource,
            resource_type,
            date,
            autos,
            copy_name,
        })
    }

    /// The export record to show, and the times the metrics need.
    fn show_records(&self, records: &[&ExportRecord], report: &mut TargetReport) {
        let shown = decide::target::shown_record(records);
        report.export_record = shown.map(ExportRecordReport::of);
        report.copy_created_at = shown.and_then(|r| r.source_created_at);
        report.export_started_at = shown
            .filter(|r| r.state == RecordState::Started)
            .and_then(|r| r.created_at);
    }

    /// Carries out the decision, and the ones it leads to within this round.
    async fn act(
        &self,
        mut decision: Decision,
        records: &[&ExportRecord],
        seen: &mut Observed,
        report: &mut TargetReport,
    ) -> Result<(), TargetError> {
        let (copy_name, max) = (seen.copy_name.clone(), self.plan.max_export_attempts);
        loop {
            report.phase = decision.phase();
            tracing::debug!(?decision, "decided");
            match decision {
                Decision::Copy => match self.copy(seen, report).await? {
                    Copied::Made => return Ok(()),
                    Copied::Existing(copy) => {
                        self.adopt(&copy, seen.date, report).await;
                        decision = decide::target::next_step(records, Some(&copy.state), max);
                    }
                },
                Decision::Export { attempt } => {
                    return self.export(&copy_name, attempt, report).await
                }
                Decision::GiveUp { .. } | Decision::CopyFailed => {
                    return match decision.failure(&copy_name, max) {
                        Some(error) => Err(error),
                        None => Ok(()),
                    };
                }
                Decision::Exported => return self.exported(seen, records, report).await,
                Decision::WaitForExport | Decision::WaitForCopy | Decision::LookAtCopy => {
                    return Ok(())
                }
            }
        }
    }

    /// ExportSnapshot, never re-sent after a failure that may hide success.
    async fn export(
        &self,
        copy_name: &str,
        attempt: u32,
        report: &mut TargetReport,
    ) -> Result<(), TargetError> {
        if !self.plan.dry_run {
            tracing::info!(attempt, "exporting");
            self.api
                .export_snapshot(copy_name)
                .await
                .map_err(|e| e.for_unconfirmed_write("ExportSnapshot"))?;
        }
        report.acted(Action::ExportSnapshot);
        Ok(())
    }

    /// Finds whether the name is an instance or a disk: from the listing, or looked up.
    pub(super) async fn identify(&self) -> Result<Resource, TargetError> {
        if let Some(resource) = self.known {
            return Ok(resource.clone());
        }
        let (instance, disk) = tokio::join!(
            self.api.get_instance(self.name()),
            self.api.get_disk(self.name())
        );
        let instance = instance.map_err(|e| e.for_target("GetInstance"))?;
        let disk = disk.map_err(|e| e.for_target("GetDisk"))?;
        preflight::identify(self.name(), self.api.source_region(), instance, disk)
    }

    pub(super) async fn auto_snapshots(&self) -> Result<Vec<AutoSnapshot>, TargetError> {
        self.api
            .get_auto_snapshots(self.name())
            .await
            .map_err(|e| e.for_target("GetAutoSnapshots"))
    }

    async fn look_at_copy(
        &self,
        copy_name: &str,
        resource_type: ResourceType,
    ) -> Result<ManualSnapshot, TargetError> {
        let copy = self
            .api
            .get_snapshot(copy_name, resource_type)
            .await
            .map_err(|e| e.for_target("looking at the copy"))?;
        preflight::check_owner(self.name(), &copy)?;
        Ok(copy)
    }

    /// Tags the copy this run made, so retention knows it for the function's own.
    pub(super) async fn tag(&self, copy_name: &str, date: Date, report: &mut TargetReport) {
        let tags = retention::copy_tags(self.name(), date);
        if self.plan.dry_run {
            report.acted(Action::TagResource);
            return;
        }
        match self.api.tag_resource(copy_name, &tags).await {
            Ok(()) => report.acted(Action::TagResource),
            // Not worth failing the target for: the next round that looks at the copy tags it.
            Err(error) => tracing::warn!(%error, "could not tag the copy; a later round will"),
        }
    }

    /// An existing copy of this run's name (made by an earlier round, or a lost response):
    /// tagged if it is the function's and not tagged yet, and its age noted for the metrics.
    async fn adopt(&self, copy: &ManualSnapshot, date: Date, report: &mut TargetReport) {
        if copy.state == SnapshotState::Missing {
            return;
        }
        report.copy_created_at = copy.created_at.or(report.copy_created_at);
        if copy.from_auto_snapshot == Some(false) {
            tracing::warn!(copy = %copy.name, "a snapshot of the copy's name was not copied from an automatic snapshot: left untagged");
        }
        if preflight::adopt_by_tagging(copy, crate::model::MANAGED_TAG) {
            self.tag(&copy.name, date, report).await;
        }
    }

    /// Retention, once the target is exported: deletes the function's own copies that the
    /// policy lets go. A failed deletion is only logged; a later round tries again.
    async fn retain(&self, current: &str, report: &mut TargetReport) {
        let (Some(snapshots), true) = (self.snapshots, self.plan.retention.enabled()) else {
            return;
        };
        let policy = self.plan.retention;
        let doomed = retention::to_delete(
            self.name(),
            snapshots,
            self.records,
            Current::Exported(current),
            policy,
            self.plan.now,
        );
        for copy in doomed {
            if !self.plan.dry_run {
                if let Err(error) = self
                    .api
                    .delete_snapshot(&copy.name, copy.resource_type)
                    .await
                {
                    tracing::warn!(copy = %copy.name, %error, "could not delete a copy; a later round will");
                    continue;
                }
                tracing::info!(copy = %copy.name, "deleted the copy (retention)");
            }
            report.acted(Action::delete(copy.resource_type));
            report.deleted.push(copy.name.clone());
        }
    }
}

/// Ends a target's round with its error, if any (`preflight::ending` says how).
fn finish(report: &mut TargetReport, error: Option<TargetError>) {
    let ended_by_error = error.is_some();
    if ended_by_error {
        report.error = error;
    }
    let ending = preflight::ending(report.phase, report.error.as_ref());
    if ended_by_error {
        report.phase = ending.phase;
    }
    if !ending.still_waiting {
        report.waiting_since = None;
    }
}
