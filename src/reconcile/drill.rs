//! The restore drills of a round, after its targets: tonight's choice, each drill's step (read
//! from the world by `decide::drill`), carried out, and the sweep of what no target claims.
//!
//! Everything a drill makes carries the function's tag and the drilled artifact's id
//! (`drill_tag::OF`), and its start (`drill_tag::STARTED`), so any round finds it again; its
//! result is a tag on the artifact. A crash anywhere is finished by the next round.

use std::collections::HashSet;

use crate::decide::drill::{self as decide, Candidate, Stage, Step, View};
use crate::ec2::Ec2;
use crate::error::ApiError;
use crate::input::plan::{Plan, TargetSpec};
use crate::lightsail::Lightsail;
use crate::model::drill::{drill_tag, DrillResult, DrillState, DrillWorld};
use crate::model::{artifact_tag, ArtifactKind, Ec2Action, Ec2Artifact, Phase, Timestamp};
use crate::report::drill::{drill_usd, LastRestoreTest, RestoreTestReport};
use crate::report::TargetReport;

use super::isolation::Isolation;

mod act;

/// The round's drills: what they share.
pub(super) struct Drills<'a, L, E> {
    pub api: &'a L,
    pub ec2: &'a E,
    pub plan: &'a Plan,
    /// The function's AMIs and EBS snapshots, listed at the start of the round.
    pub artifacts: &'a [Ec2Artifact],
    pub world: &'a DrillWorld,
    pub isolation: Isolation,
}

/// One exported target, as its drill sees it.
struct Subject<'a> {
    index: usize,
    name: &'a str,
    artifact_id: String,
    kind: ArtifactKind,
    /// The artifact, when the round's listing had it (tonight's export may not be labelled yet).
    artifact: Option<&'a Ec2Artifact>,
    result: Option<DrillResult>,
    last: Option<(DrillResult, String)>,
    previous: Option<&'a RestoreTestReport>,
}

/// The AMI or EBS snapshot an EXPORTED target's export made.
fn exported_artifact(report: &TargetReport) -> Option<String> {
    if report.phase != Phase::Exported {
        return None;
    }
    let record = report.export_record.as_ref()?;
    Some(record.destination.as_ref()?.id.clone()).filter(|id| !id.is_empty())
}

fn result_of(artifact: &Ec2Artifact) -> Option<DrillResult> {
    artifact.tag(drill_tag::RESULT).and_then(DrillResult::parse)
}

impl<'a, L: Lightsail, E: Ec2> Drills<'a, L, E> {
    /// Every drill of the round, then the sweep. Each report gains its `restoreTest` or
    /// `lastRestoreTest`.
    pub async fn run(&self, specs: &'a [TargetSpec], reports: &mut [TargetReport]) {
        let subjects: Vec<Subject<'_>> = (reports.iter().enumerate())
            .filter_map(|(index, report)| self.subject(index, report, specs))
            .collect();
        let candidates: Vec<Candidate<'_>> = subjects
            .iter()
            .map(|s| Candidate {
                name: s.name,
                exported: true,
                last: s.last.as_ref().map(|(r, _)| r.finished_at),
                active: self.active(s),
            })
            .collect();
        let chosen = decide::chosen(&candidates, &self.plan.drill, self.plan.now.date());
        let mut handled = HashSet::new();
        for subject in &subjects {
            let report = &mut reports[subject.index];
            let step = self.step(subject, chosen.contains(subject.name));
            if step != Step::Idle {
                handled.insert(subject.artifact_id.clone());
            }
            self.carry_out(subject, step, report).await;
        }
        self.sweep(&handled).await;
    }

    fn subject(
        &self,
        index: usize,
        report: &TargetReport,
        specs: &'a [TargetSpec],
    ) -> Option<Subject<'a>> {
        let artifact_id = exported_artifact(report)?;
        let spec = specs.iter().find(|s| s.name == report.resource)?;
        let artifact = self.artifacts.iter().find(|a| a.id == artifact_id);
        // The target's newest drill result, over all its exports.
        let last = (self.artifacts.iter())
            .filter(|a| a.tag(artifact_tag::RESOURCE) == Some(spec.name.as_str()))
            .filter_map(|a| Some((result_of(a)?, a.id.clone())))
            .max_by_key(|(r, _)| r.finished_at);
        Some(Subject {
            index,
            name: &spec.name,
            kind: ArtifactKind::of_id(&artifact_id),
            result: artifact.and_then(result_of),
            artifact,
            artifact_id,
            last,
            previous: spec.previous_drill.as_ref(),
        })
    }

    fn of<'w>(
        &'w self,
        subject: &Subject<'_>,
    ) -> (
        Vec<&'w crate::model::drill::DrillInstance>,
        Vec<&'w crate::model::drill::DrillVolume>,
    ) {
        let id = Some(subject.artifact_id.as_str());
        let instances = (self.world.instances.iter())
            .filter(|i| i.tag(drill_tag::OF) == id)
            .collect();
        let volumes = (self.world.volumes.iter())
            .filter(|v| v.tag(drill_tag::OF) == id)
            .collect();
        (instances, volumes)
    }

    /// The previous round reported a drill of this artifact.
    fn carried<'s>(&self, subject: &Subject<'s>) -> Option<&'s RestoreTestReport> {
        subject
            .previous
            .filter(|p| p.artifact == subject.artifact_id)
    }

    fn active(&self, subject: &Subject<'_>) -> bool {
        let (instances, volumes) = self.of(subject);
        let live = instances.iter().any(|i| i.state != "terminated")
            || volumes.iter().any(|v| v.state != "deleted");
        live || self
            .carried(subject)
            .is_some_and(|p| p.state == DrillState::Running)
    }

    fn step(&self, subject: &Subject<'_>, chosen: bool) -> Step {
        let (instances, volumes) = self.of(subject);
        let carried = self.carried(subject);
        let instance_type = (instances.first())
            .map(|i| i.instance_type.clone())
            .or_else(|| carried.and_then(|c| c.instance_type.clone()))
            .or_else(|| self.plan.drill.instance_type.clone())
            .unwrap_or_default();
        let view = View {
            kind: subject.kind,
            result: subject.result.clone(),
            instances,
            volumes,
            carried_start: carried
                .filter(|c| c.state == DrillState::Running)
                .and_then(|c| c.started_at.as_deref())
                .and_then(|s| Timestamp::parse_rfc3339(s).ok()),
            carried: carried.is_some(),
            chosen,
            instance_type,
            timeout: self.plan.drill.timeout,
            now: self.plan.now,
        };
        decide::step(&view)
    }

    /// Drill resources no target of this round claimed, older than the timeout: ended.
    async fn sweep(&self, handled: &HashSet<String>) {
        let (instances, volumes) = decide::to_sweep(
            &self.world.instances,
            &self.world.volumes,
            handled,
            self.plan.drill.timeout,
            self.plan.now,
        );
        if !instances.is_empty() {
            tracing::warn!(
                ?instances,
                "sweeping restore-drill instances no target claims"
            );
            if let Err(error) = self.ec2.terminate(&instances).await {
                tracing::warn!(%error, "could not end them; a later round will");
            }
        }
        for volume in volumes {
            tracing::warn!(%volume, "sweeping a restore-drill volume no target claims");
            if let Err(error) = self.ec2.delete_volume(&volume).await {
                tracing::warn!(%volume, %error, "could not delete it; a later round will");
            }
        }
    }
}

/// The output's `restoreTest` for a step, and what the drill cost so far.
fn report_of(
    step: &Step,
    subject: &Subject<'_>,
    id: Option<String>,
    reason: Option<String>,
    now: Timestamp,
) -> Option<RestoreTestReport> {
    let (state, stage) = step.state()?;
    let (started, result) = match step {
        Step::Launch { started } | Step::Wait { started, .. } => (Some(*started), None),
        Step::Finish { result, .. } | Step::TearDown { result, .. } | Step::Done(result) => {
            (result.started_at, Some(result))
        }
        Step::Idle => return None,
    };
    let instance_type = result.and_then(|r| r.instance_type.clone());
    let size = subject.artifact.map_or(0, |a| a.size_gib);
    let until = result.map_or(now, |r| r.finished_at);
    Some(RestoreTestReport {
        state,
        step: stage.map(|s| stage_name(s).to_string()),
        started_at: started.map(Timestamp::rfc3339),
        finished_at: result.map(|r| r.finished_at.rfc3339()),
        boot_seconds: result.and_then(|r| r.boot_seconds),
        instance_type: instance_type.clone(),
        reason,
        id,
        artifact: subject.artifact_id.clone(),
        estimated_usd: started.map(|s| drill_usd(instance_type.as_deref(), size, s, until)),
    })
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Launching => "LAUNCHING",
        Stage::Booting => "BOOTING",
        Stage::TearingDown => "TEARING_DOWN",
    }
}

/// Notes the target's last drill, when none runs tonight.
fn note_last(subject: &Subject<'_>, report: &mut TargetReport) {
    report.last_restore_test = (subject.last.as_ref()).map(|(r, id)| LastRestoreTest::of(r, id));
}

/// The drill writes, as the output's `ec2Actions` names them.
fn acted(report: &mut TargetReport, actions: &[Ec2Action]) {
    for action in actions {
        report.acted_in_ec2(*action);
    }
}

/// A refusal worth trying again next round (capacity, throttling, a 5xx), rather than a
/// failed drill.
fn retried(error: &ApiError) -> bool {
    error.is_transient()
}
