//! After the export: its AMI or EBS snapshot looked up in EC2 and labelled as the function's,
//! then the housekeeping of the function's older copies and artifacts.

use super::{Observed, TargetRound};
use crate::decide;
use crate::decide::artifact::{Retirement, Tonight};
use crate::ec2::Ec2;
use crate::error::TargetError;
use crate::lightsail::Lightsail;
use crate::model::Timestamp;
use crate::model::{ArtifactKind, Ec2Action, Ec2Artifact, ExportRecord, Phase};
use crate::report::kept::{self, KeptEntry};
use crate::report::{Ec2Report, TargetReport};

impl<L: Lightsail, E: Ec2> TargetRound<'_, L, E> {
    /// The export succeeded: EXPORTED once its artifact is ready and labelled; then the
    /// function's older Lightsail copies and EC2 artifacts go, as the policies say.
    pub(super) async fn exported(
        &self,
        seen: &Observed,
        records: &[&ExportRecord],
        report: &mut TargetReport,
    ) -> Result<(), TargetError> {
        report.phase = Phase::Exporting;
        self.verify(seen, records, report).await?;
        report.phase = Phase::Exported;
        self.retain(&seen.copy_name, report).await;
        self.retire(seen, report).await;
        Ok(())
    }

    /// The artifact as EC2 describes it, labelled if it is not yet; an error while it is not
    /// ready (transient while it may still come).
    async fn verify(
        &self,
        seen: &Observed,
        records: &[&ExportRecord],
        report: &mut TargetReport,
    ) -> Result<(), TargetError> {
        let succeeded = decide::artifact::succeeded_record(records);
        let destination = succeeded
            .and_then(|r| r.destination.as_ref())
            .map(|d| d.id.clone())
            .unwrap_or_default();
        if let Some(carried) = self.verified_before(&destination) {
            if let Some(shown) = report.export_record.as_mut() {
                shown.ec2 = Some(carried);
            }
            return Ok(());
        }
        let found = self.describe(&destination).await?;
        if let (Some(artifact), Some(record)) = (&found, succeeded) {
            if let Some(shown) = report.export_record.as_mut() {
                shown.ec2 = Some(Ec2Report::of(artifact));
            }
            self.label(seen, record, artifact, report).await?;
        }
        let verified = decide::artifact::verify(
            &destination,
            found.as_ref(),
            self.spec.waiting_since,
            self.plan.now,
        );
        report.waiting_since = verified.waiting_since().map(Timestamp::rfc3339);
        verified.into_result()
    }

    /// The artifact the previous round found ready and labelled, if it is this one: no need to
    /// look again.
    fn verified_before(&self, destination: &str) -> Option<Ec2Report> {
        let previous = self.spec.previous_record.as_ref()?;
        let same = previous
            .destination
            .as_ref()
            .is_some_and(|d| d.id == destination);
        let ready = matches!(
            previous.ec2.as_ref()?.state.as_str(),
            "available" | "completed"
        );
        (same && ready && self.spec.previous_phase == Some(Phase::Exported))
            .then(|| previous.ec2.clone())
            .flatten()
    }

    async fn describe(&self, destination: &str) -> Result<Option<Ec2Artifact>, TargetError> {
        if destination.is_empty() {
            return Ok(None);
        }
        let (what, found) = match ArtifactKind::of_id(destination) {
            ArtifactKind::Image => ("DescribeImages", self.ec2.describe_image(destination).await),
            ArtifactKind::Snapshot => (
                "DescribeSnapshots",
                self.ec2.describe_snapshot(destination).await,
            ),
        };
        found.map_err(|e| e.for_target(what))
    }

    /// Tags the AMI and its snapshots (or the EBS snapshot) as the function's, unless they are.
    /// One CreateTags call for all of them; a crash before it is finished by the next round.
    async fn label(
        &self,
        seen: &Observed,
        record: &ExportRecord,
        artifact: &Ec2Artifact,
        report: &mut TargetReport,
    ) -> Result<(), TargetError> {
        let export = decide::artifact::Export {
            resource: self.name(),
            date: seen.date,
            copy: &seen.copy_name,
            record: &record.name,
        };
        let wanted = decide::artifact::labels(&export, &self.plan.ec2_tags);
        if !decide::artifact::needs_labels(artifact, &wanted) {
            return Ok(());
        }
        let mut ids = vec![artifact.id.clone()];
        ids.extend(artifact.snapshot_ids.iter().cloned());
        if !self.plan.dry_run {
            // Not found: EC2 may not show a new snapshot yet (eventual consistency).
            self.ec2
                .create_tags(&ids, &wanted)
                .await
                .map_err(|e| e.for_labelling(&artifact.id))?;
        }
        report.acted_in_ec2(Ec2Action::CreateTags);
        Ok(())
    }

    /// The keep rules (`EC2_KEEP_*`): retires the function's exports of this resource that no
    /// rule keeps (DeregisterImage, then DeleteSnapshot of their snapshots), archives the EBS
    /// snapshots `EC2_ARCHIVE_AFTER` asks for, and lists what is kept and why. A failure is
    /// only logged: the next round tries again, and finishes what a crash left half done.
    async fn retire(&self, seen: &Observed, report: &mut TargetReport) {
        let (Some(artifacts), true) = (self.artifacts, self.plan.ec2_keep.enabled()) else {
            return;
        };
        let destination = report
            .export_record
            .as_ref()
            .and_then(|r| r.destination.as_ref())
            .map(|d| d.id.clone());
        let tonight = Tonight {
            copy: &seen.copy_name,
            date: Some(seen.date),
            id: destination.as_deref(),
        };

        let plan = decide::artifact::plan_exports(
            self.name(),
            artifacts,
            tonight,
            &self.plan.ec2_keep,
            self.plan.archive_after,
            self.plan.now,
        );
        let mut retired = Vec::new();
        for retirement in &plan.retire {
            if let Some(id) = self.retire_one(retirement, report).await {
                retired.push(KeptEntry::one(retirement.date, id, Vec::new(), None));
            }
        }
        let archival = self.archive(&plan.archive, report).await;
        let kept = plan.kept.iter().filter_map(|export| {
            let rules = export.reasons.iter().copied().collect();
            let id = export.id.clone()?;
            let mut entry = KeptEntry::one(export.date, id, rules, export.tier.clone());
            if archival.iter().any(|id| Some(id) == entry.id.as_ref()) {
                entry.tier = Some("archival".into());
            }
            Some(entry)
        });
        report.kept = kept::compact(kept.collect());
        retired.append(&mut report.retired_tonight);
        report.retired_tonight = kept::compact(retired);
    }

    /// One export's retirement: the AMI first, then its snapshots. The id it is listed by in
    /// `retiredTonight` (the AMI, or its first snapshot), when anything of it went.
    async fn retire_one(
        &self,
        retirement: &Retirement,
        report: &mut TargetReport,
    ) -> Option<String> {
        let mut listed = None;
        if let Some(image) = &retirement.image {
            if !self.plan.dry_run {
                if let Err(error) = self.ec2.deregister_image(image).await {
                    tracing::warn!(%image, %error, "could not deregister; a later round will");
                    return None;
                }
            }
            report.acted_in_ec2(Ec2Action::DeregisterImage);
            report.retired.push(image.clone());
            listed = Some(image.clone());
        }
        for snapshot in &retirement.snapshots {
            if !self.plan.dry_run {
                if let Err(error) = self.ec2.delete_snapshot(snapshot).await {
                    tracing::warn!(%snapshot, %error, "could not delete; a later round will");
                    continue;
                }
            }
            report.acted_in_ec2(Ec2Action::DeleteSnapshot);
            report.retired.push(snapshot.clone());
            listed.get_or_insert_with(|| snapshot.clone());
        }
        tracing::info!(copy = %retirement.copy, "retired an older export's EC2 artifacts");
        listed
    }

    /// Moves `snapshots` to the archive tier, but for those already on their way there
    /// (their StorageTier says `standard` until the archival is done). Returns the snapshots
    /// archiving now. A failure is only logged: a later round tries again.
    async fn archive(&self, snapshots: &[String], report: &mut TargetReport) -> Vec<String> {
        if snapshots.is_empty() {
            return Vec::new();
        }
        let mut archiving = match self.ec2.archiving(snapshots).await {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(%error, "could not read the snapshots' tiers; a later round will archive");
                return Vec::new();
            }
        };
        let asked: Vec<&String> = snapshots
            .iter()
            .filter(|s| !archiving.contains(s))
            .collect();
        for snapshot in asked {
            if !self.plan.dry_run {
                if let Err(error) = self.ec2.archive_snapshot(snapshot).await {
                    tracing::warn!(%snapshot, %error, "could not archive; a later round will");
                    continue;
                }
            }
            report.acted_in_ec2(Ec2Action::ModifySnapshotTier);
            tracing::info!(%snapshot, "archiving an EBS snapshot (EC2_ARCHIVE_AFTER)");
            archiving.push(snapshot.clone());
        }
        archiving
    }
}
