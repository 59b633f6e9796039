//! A drill's step carried out: launch (isolated), write the result on the artifact, tear down.

use super::{acted, note_last, report_of, retried, Drills, Subject};
use crate::decide::drill::{self as decide, Step, SWEEP_GRACE};
use crate::ec2::Ec2;
use crate::error::ApiError;
use crate::lightsail::Lightsail;
use crate::model::drill::{drill_tag, DrillResult, DrillState, Launch, VolumeLaunch};
use crate::model::{artifact_tag, ArtifactKind, Ec2Action, Timestamp, MANAGED_TAG};
use crate::report::TargetReport;

/// What a launch came to.
enum Launched {
    /// The instance or volume exists (or will: its id).
    Made(String),
    /// Refused for now (capacity, throttling): tried again next round, within the timeout.
    Refused(String),
    /// Refused for good: the drill FAILED with this reason.
    Failed(String),
}

impl<L: Lightsail, E: Ec2> Drills<'_, L, E> {
    pub(super) async fn carry_out(
        &self,
        subject: &Subject<'_>,
        step: Step,
        report: &mut TargetReport,
    ) {
        let now = self.plan.now;
        match &step {
            Step::Idle => note_last(subject, report),
            Step::Launch { started } => match self.launch(subject, *started, report).await {
                Launched::Made(id) => {
                    let waiting = Step::Wait {
                        started: *started,
                        id: id.clone(),
                    };
                    report.restore_test = report_of(&waiting, subject, Some(id), None, now);
                }
                Launched::Refused(reason) => {
                    report.restore_test = report_of(&step, subject, None, Some(reason), now);
                }
                Launched::Failed(reason) => {
                    let result = DrillResult {
                        finished_at: now.whole_seconds(),
                        passed: false,
                        boot_seconds: None,
                        instance_type: None,
                        started_at: Some(*started),
                    };
                    self.finish(subject, result, Some(reason), Vec::new(), report)
                        .await;
                }
            },
            Step::Wait { id, .. } => {
                report.restore_test = report_of(&step, subject, Some(id.clone()), None, now);
            }
            Step::Finish {
                result,
                reason,
                ids,
            } => (self.finish(subject, result.clone(), reason.clone(), ids.clone(), report)).await,
            Step::TearDown { result, ids } => {
                let trouble = self.tear_down(ids, report).await;
                let reason = self.reason(subject, result);
                self.torn_down(subject, result, ids, reason, trouble, report);
            }
            Step::Done(result) => {
                let reason = self.reason(subject, result);
                report.restore_test = report_of(&step, subject, None, reason, now);
            }
        }
    }

    /// Why the artifact's last drill failed, from its tag.
    fn reason(&self, subject: &Subject<'_>, result: &DrillResult) -> Option<String> {
        let written = subject.artifact.and_then(|a| a.tag(drill_tag::REASON));
        (!result.passed)
            .then(|| written.filter(|r| !r.is_empty()).map(str::to_string))
            .flatten()
    }

    async fn launch(
        &self,
        subject: &Subject<'_>,
        started: Timestamp,
        report: &mut TargetReport,
    ) -> Launched {
        let tags = vec![
            (MANAGED_TAG.to_string(), "true".to_string()),
            (drill_tag::OF.to_string(), subject.artifact_id.clone()),
            (drill_tag::STARTED.to_string(), started.rfc3339()),
            (artifact_tag::RESOURCE.to_string(), subject.name.to_string()),
        ];
        let client_token = decide::client_token(&subject.artifact_id, started);
        let outcome = match subject.kind {
            ArtifactKind::Image => self.run_instance(subject, tags, client_token, report).await,
            ArtifactKind::Snapshot => self.make_volume(subject, tags, client_token).await,
        };
        match outcome {
            Ok(id) => {
                let action = match subject.kind {
                    ArtifactKind::Image => Ec2Action::RunInstances,
                    ArtifactKind::Snapshot => Ec2Action::CreateVolume,
                };
                acted(report, &[action]);
                tracing::info!(artifact = %subject.artifact_id, %id, "restore drill launched");
                Launched::Made(id)
            }
            Err(error) if retried(&error) => {
                tracing::warn!(%error, "restore drill refused for now; the next round tries again");
                Launched::Refused(format!("launch refused, trying again: {error}"))
            }
            Err(error) => Launched::Failed(format!("launch refused: {error}")),
        }
    }

    async fn run_instance(
        &self,
        subject: &Subject<'_>,
        tags: Vec<(String, String)>,
        client_token: String,
        report: &mut TargetReport,
    ) -> Result<String, ApiError> {
        let image = (self.ec2.drill_image(&subject.artifact_id).await?).ok_or_else(|| {
            ApiError::NotFound(format!("AMI {} does not exist", subject.artifact_id))
        })?;
        let instance_type = match &self.plan.drill.instance_type {
            Some(kind) => kind.clone(),
            None => {
                let instance = self.api.get_instance(subject.name).await.ok().flatten();
                let ram = instance.and_then(|r| r.ram_mib);
                decide::instance_type(ram, image.ena_support)
            }
        };
        let subnet = (self.isolation)
            .subnet(self.ec2, self.plan.drill.subnet_id.as_deref())
            .await?;
        let (group_id, writes) = self.isolation.group(self.ec2, &subnet).await?;
        acted(report, &writes);
        let launch = Launch {
            image_id: subject.artifact_id.clone(),
            instance_type,
            subnet_id: subnet.id,
            group_id,
            devices: image.devices,
            tags,
            client_token,
        };
        self.ec2.run_instance(&launch).await
    }

    async fn make_volume(
        &self,
        subject: &Subject<'_>,
        tags: Vec<(String, String)>,
        client_token: String,
    ) -> Result<String, ApiError> {
        let subnet = (self.isolation)
            .subnet(self.ec2, self.plan.drill.subnet_id.as_deref())
            .await?;
        let launch = VolumeLaunch {
            snapshot_id: subject.artifact_id.clone(),
            availability_zone: subnet.availability_zone,
            tags,
            client_token,
        };
        self.ec2.create_volume(&launch).await
    }

    /// Writes the result on the artifact (the next night reads it there), then tears down.
    async fn finish(
        &self,
        subject: &Subject<'_>,
        result: DrillResult,
        reason: Option<String>,
        ids: Vec<String>,
        report: &mut TargetReport,
    ) {
        let tags = [
            (drill_tag::RESULT.to_string(), result.to_tag()),
            // Empty once a drill passes: a failure's reason does not outlive it.
            (
                drill_tag::REASON.to_string(),
                reason.clone().unwrap_or_default(),
            ),
        ];
        let written = (self.ec2)
            .create_tags(std::slice::from_ref(&subject.artifact_id), &tags)
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, "could not write the drill's result; the next round will");
            let step = Step::Finish {
                result,
                reason,
                ids,
            };
            let why = Some(format!("writing the result: {error}"));
            report.restore_test = report_of(&step, subject, None, why, self.plan.now);
            return;
        }
        acted(report, &[Ec2Action::CreateTags]);
        tracing::info!(passed = result.passed, ?reason, "restore drill finished");
        let trouble = self.tear_down(&ids, report).await;
        self.torn_down(subject, &result, &ids, reason, trouble, report);
    }

    /// Terminates the instances and deletes the volumes not already going; what failed, if
    /// anything (tried again next round).
    async fn tear_down(&self, ids: &[String], report: &mut TargetReport) -> Option<String> {
        let world = self.world;
        let instances: Vec<String> = (world.instances.iter())
            .filter(|i| ids.contains(&i.id) && !i.ending())
            .map(|i| i.id.clone())
            .collect();
        let mut trouble = None;
        if !instances.is_empty() {
            match self.ec2.terminate(&instances).await {
                Ok(()) => acted(report, &[Ec2Action::TerminateInstances]),
                Err(error) => {
                    trouble = Some(format!("terminating {}: {error}", instances.join(", ")))
                }
            }
        }
        let volumes = (world.volumes.iter())
            .filter(|v| ids.contains(&v.id) && !v.ending() && v.state != "in-use");
        for volume in volumes {
            match self.ec2.delete_volume(&volume.id).await {
                Ok(()) => acted(report, &[Ec2Action::DeleteVolume]),
                // Still detaching from its instance, or refused: next round.
                Err(error) => trouble = Some(format!("deleting {}: {error}", volume.id)),
            }
        }
        trouble
    }

    /// The report of a drill whose result is written and whose resources are going (`ids`;
    /// none left: done). Past [`SWEEP_GRACE`] after the result, a teardown that still fails
    /// FAILS the drill, with both reasons (the rounds and the sweep keep trying to end what
    /// is left).
    fn torn_down(
        &self,
        subject: &Subject<'_>,
        result: &DrillResult,
        ids: &[String],
        reason: Option<String>,
        trouble: Option<String>,
        report: &mut TargetReport,
    ) {
        let now = self.plan.now;
        let step = match ids.is_empty() {
            true => Step::Done(result.clone()),
            false => Step::TearDown {
                result: result.clone(),
                ids: ids.to_vec(),
            },
        };
        let late = now.since(result.finished_at) > SWEEP_GRACE;
        let shown_reason = match (&reason, &trouble) {
            (Some(reason), Some(trouble)) => Some(format!("{reason}; teardown: {trouble}")),
            (None, Some(trouble)) => Some(format!("teardown: {trouble}")),
            (reason, None) => reason.clone(),
        };
        let mut shown = report_of(&step, subject, None, shown_reason, now);
        if let (true, Some(shown), Some(_)) = (late, shown.as_mut(), &trouble) {
            shown.state = DrillState::Failed;
            shown.step = None;
            let ago = crate::model::time::human_duration(now.since(result.finished_at));
            let why = shown.reason.take().unwrap_or_default();
            shown.reason = Some(format!("not torn down {ago} after the drill ended: {why}"));
        }
        report.restore_test = shown;
    }
}
