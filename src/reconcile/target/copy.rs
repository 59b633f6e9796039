//! A target's copy: the checks before it, CopySnapshot, and what a refusal means (a copy that
//! exists after all, a name taken, or a wait on an automatic snapshot being taken).

use super::{Observed, TargetRound};
use crate::decide;
use crate::decide::copy::{self, CopyRefused, Wait};
use crate::decide::preflight;
use crate::ec2::Ec2;
use crate::error::ApiError;
use crate::error::TargetError;
use crate::lightsail::Lightsail;
use crate::model::{Action, AutoSnapshot, Date, ManualSnapshot, ResourceType, SnapshotState};
use crate::report::TargetReport;

/// What a round's copy step found or did.
pub(super) enum Copied {
    /// This round made the copy (or, in a dry run, would have).
    Made,
    /// A copy of that name existed already: an earlier round's, or a lost response's.
    Existing(ManualSnapshot),
}

/// How a CopySnapshot that made nothing failed.
enum CopyError {
    /// The target's error for this round.
    Target(TargetError),
    /// Lightsail refused the copy, in a way that means "not now": the target waits.
    Refused(ApiError),
}

impl<L: Lightsail, E: Ec2> TargetRound<'_, L, E> {
    /// The checks before a copy, then CopySnapshot.
    pub(super) async fn copy(
        &self,
        seen: &mut Observed,
        report: &mut TargetReport,
    ) -> Result<Copied, TargetError> {
        let autos = self.before_copy(seen).await?;
        let taking = decide::target::being_taken(&autos);
        if self.plan.dry_run {
            report.acted(Action::CopySnapshot);
            self.tag(&seen.copy_name, seen.date, report).await;
            return Ok(Copied::Made);
        }
        match self
            .send_copy(&seen.copy_name, seen.resource_type, seen.date, taking)
            .await
        {
            Ok(Copied::Made) => {
                report.acted(Action::CopySnapshot);
                self.tag(&seen.copy_name, seen.date, report).await;
                Ok(Copied::Made)
            }
            Ok(existing @ Copied::Existing(_)) => Ok(existing),
            Err(CopyError::Target(error)) => Err(error),
            Err(CopyError::Refused(error)) => {
                let wait = Wait {
                    resource: self.name(),
                    date: seen.date,
                    error: &error,
                    taking,
                    since: self.spec.waiting_since,
                    now: self.plan.now,
                    max: self.plan.max_auto_snapshot_wait,
                };
                let (since, error) = wait.verdict();
                report.waiting_since = Some(since.rfc3339());
                Err(error)
            }
        }
    }

    /// The checks that keep a useless or impossible copy from being made; the automatic
    /// snapshots as listed now. A newer one being taken does not hold the copy back: Lightsail
    /// copies the latest restorable one meanwhile, or refuses, which becomes a bounded wait.
    async fn before_copy(&self, seen: &mut Observed) -> Result<Vec<AutoSnapshot>, TargetError> {
        if seen.resource.is_none() && seen.resource_type == ResourceType::Instance {
            // An earlier round identified the resource; its blueprint may have changed since.
            let found = self.identify().await?;
            let given = decide::target::DateChoice::Given(seen.date);
            preflight::check_resource(&found, &given)?;
            seen.resource = Some(found);
        }
        let autos = match seen.autos.take() {
            Some(autos) => autos,
            None => self.auto_snapshots().await?,
        };
        // Whichever way the date was chosen (newest, `restoreDate`, or carried over from a round
        // that may have failed on it), its automatic snapshot must be restorable now.
        decide::target::still_restorable(&autos, seen.date)?;
        Ok(autos)
    }

    /// CopySnapshot. When it fails in a way that may hide success (a lost response, a name
    /// already in use after a duplicate event), the copy is looked for before deciding.
    async fn send_copy(
        &self,
        copy_name: &str,
        resource_type: ResourceType,
        date: Date,
        taking: Option<&AutoSnapshot>,
    ) -> Result<Copied, CopyError> {
        let error = match self.api.copy_snapshot(self.name(), date, copy_name).await {
            Ok(()) => return Ok(Copied::Made),
            Err(error @ ApiError::Throttled(_)) => {
                return Err(CopyError::Target(error.for_target("CopySnapshot")))
            }
            Err(error) => error,
        };
        match self.api.get_snapshot(copy_name, resource_type).await {
            Ok(copy) if copy.state != SnapshotState::Missing => {
                preflight::check_owner(self.name(), &copy).map_err(CopyError::Target)?;
                tracing::info!(%error, "CopySnapshot failed but the copy exists: already copied");
                return Ok(Copied::Existing(copy));
            }
            // Whether the copy exists is unknown (the refusal may be "name in use"): not a
            // failure of the target, the next round looks again.
            Err(lookup) if lookup.is_transient() => {
                return Err(CopyError::Target(error.for_unverified_copy(lookup)));
            }
            Ok(_) | Err(_) => {}
        }
        match copy::copy_refused(&error, taking.is_some()) {
            CopyRefused::Wait => Err(CopyError::Refused(error)),
            verdict => Err(CopyError::Target(copy::refusal_error(
                verdict, copy_name, error,
            ))),
        }
    }
}
