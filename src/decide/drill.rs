//! The restore drill: which exported targets are drilled tonight, and where a target's drill is,
//! read from the world alone (its instance or volume, found by tag, and the result tag on the
//! export). Pure functions, tested by table.

use std::collections::HashSet;
use std::time::Duration;

use crate::model::drill::{DrillInstance, DrillResult, DrillState, DrillVolume};
use crate::model::time::human_duration;

pub use crate::input::config::DrillPolicy;
use crate::model::{ArtifactKind, Date, Timestamp};

/// A drill resource whose target is not in the round is swept this long after its timeout, so
/// that its own target's round (another fan-out batch) usually ends it first, with its result.
pub const SWEEP_GRACE: Duration = Duration::from_secs(10 * 60);

/// The EC2 instance type a drill of an instance with `ram_mib` of memory boots on: the
/// general-purpose burstable type of the same memory (Lightsail's bundles are burstable too).
/// T3 needs the AMI to support ENA (enhanced networking); an AMI that does not, or does not say,
/// boots on T2, which runs both kinds (docs/evidence.md, "Restore drill").
pub fn instance_type(ram_mib: Option<u32>, ena_support: Option<bool>) -> String {
    let ram = ram_mib.unwrap_or(1024);
    let size = match ram {
        r if r <= 512 => "nano",
        r if r <= 1024 => "micro",
        r if r <= 2048 => "small",
        r if r <= 4096 => "medium",
        r if r <= 8192 => "large",
        r if r <= 16384 => "xlarge",
        _ => "2xlarge",
    };
    let family = if ena_support == Some(true) {
        "t3"
    } else {
        "t2"
    };
    format!("{family}.{size}")
}

/// One target, as the choice of tonight's drills sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub name: &'a str,
    /// EXPORTED last round: its export is ready to be drilled.
    pub exported: bool,
    /// When its newest export's last drill finished.
    pub last: Option<Timestamp>,
    /// A drill of it is under way (its instance or volume exists), or was this run.
    pub active: bool,
}

/// The targets whose drill may start this round: round-robin, the oldest last drill first (never
/// drilled before all), at most `max_per_night` a night counting those drilled today or under
/// way; on demand, every exported target not drilled today.
pub fn chosen(candidates: &[Candidate<'_>], policy: &DrillPolicy, today: Date) -> HashSet<String> {
    let drilled_today = |c: &Candidate<'_>| c.last.is_some_and(|at| at.date() == today);
    let eligible = |c: &&Candidate<'_>| c.exported && !c.active && !drilled_today(c);
    if policy.on_demand {
        return (candidates.iter().filter(eligible))
            .map(|c| c.name.to_string())
            .collect();
    }
    let Some(every_days) = policy.every_days else {
        return HashSet::new();
    };
    let taken = (candidates.iter())
        .filter(|c| c.active || drilled_today(c))
        .count();
    let budget = (policy.max_per_night as usize).saturating_sub(taken);
    let due = |c: &&Candidate<'_>| {
        c.last.is_none_or(|at| {
            today.midnight().since(at.date().midnight()).as_secs() >= u64::from(every_days) * 86_400
        })
    };
    let mut due: Vec<&Candidate<'_>> = candidates.iter().filter(eligible).filter(due).collect();
    due.sort_by(|a, b| (a.last, a.name).cmp(&(b.last, b.name)));
    due.into_iter()
        .take(budget)
        .map(|c| c.name.to_string())
        .collect()
}

/// Where a drill is on its way, while it runs (the output's `restoreTest.step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// No instance or volume yet: RunInstances / CreateVolume (again, after a refusal).
    Launching,
    /// The instance boots, or the volume is being created.
    Booting,
    /// The result is written; the instance or volume is being removed.
    TearingDown,
}

/// What a target's drill calls for this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Not drilled tonight.
    Idle,
    /// Start, or start again: RunInstances (after isolating the network) or CreateVolume.
    Launch { started: Timestamp },
    /// Booting or being created: look again next round.
    Wait { started: Timestamp, id: String },
    /// The outcome is known: write it on the export, then tear down `ids`.
    Finish {
        result: DrillResult,
        reason: Option<String>,
        ids: Vec<String>,
    },
    /// The result is written: terminate / delete `ids` (those not already going), then wait
    /// until every one is gone.
    TearDown {
        result: DrillResult,
        ids: Vec<String>,
    },
    /// Over: nothing of it is left.
    Done(DrillResult),
}

impl Step {
    /// The drill's state and stage, as the output shows them; `None` when not drilled.
    pub fn state(&self) -> Option<(DrillState, Option<Stage>)> {
        Some(match self {
            Step::Idle => return None,
            Step::Launch { .. } => (DrillState::Running, Some(Stage::Launching)),
            Step::Wait { .. } => (DrillState::Running, Some(Stage::Booting)),
            Step::Finish { .. } | Step::TearDown { .. } => {
                (DrillState::Running, Some(Stage::TearingDown))
            }
            Step::Done(result) if result.passed => (DrillState::Passed, None),
            Step::Done(_) => (DrillState::Failed, None),
        })
    }
}

/// A target's drill, as the round found it.
#[derive(Debug, Clone)]
pub struct View<'a> {
    pub kind: ArtifactKind,
    /// The export's result tag, read back.
    pub result: Option<DrillResult>,
    /// The drill's instances (of this export's AMI) and volumes (of its EBS snapshot).
    pub instances: Vec<&'a DrillInstance>,
    pub volumes: Vec<&'a DrillVolume>,
    /// The drill's start, as the previous round reported it (a launch refused, or not visible
    /// yet, leaves nothing else behind).
    pub carried_start: Option<Timestamp>,
    /// This run drilled the target (the previous round reported a drill).
    pub carried: bool,
    /// Chosen tonight ([`chosen`]).
    pub chosen: bool,
    pub instance_type: String,
    pub timeout: Duration,
    pub now: Timestamp,
}

/// When a drill resource was made: its tag, else what EC2 says.
fn started_at(tag: Option<&str>, made: Option<Timestamp>) -> Option<Timestamp> {
    tag.and_then(|t| Timestamp::parse_rfc3339(t).ok()).or(made)
}

fn instance_started(i: &DrillInstance) -> Option<Timestamp> {
    started_at(
        i.tag(crate::model::drill::drill_tag::STARTED),
        i.launch_time,
    )
}

fn volume_started(v: &DrillVolume) -> Option<Timestamp> {
    started_at(v.tag(crate::model::drill::drill_tag::STARTED), v.created_at)
}

/// Whether the result is this run's: written today, or after the drill the previous round
/// reported began.
fn tonight(result: &DrillResult, view: &View<'_>) -> bool {
    result.finished_at.date() == view.now.date()
        || (view.carried && view.carried_start.is_none_or(|s| result.finished_at >= s))
}

/// What the drill calls for now.
pub fn step(view: &View<'_>) -> Step {
    let live: Vec<String> = (view.instances.iter().filter(|i| i.state != "terminated"))
        .map(|i| i.id.clone())
        .chain((view.volumes.iter().filter(|v| v.state != "deleted")).map(|v| v.id.clone()))
        .collect();
    if let Some(result) = view.result.clone().filter(|r| tonight(r, view)) {
        return match live.is_empty() {
            true => Step::Done(result),
            false => Step::TearDown { result, ids: live },
        };
    }
    let outcome = match view.kind {
        ArtifactKind::Image => instance_outcome(view),
        ArtifactKind::Snapshot => volume_outcome(view),
    };
    match outcome {
        Outcome::Absent => match (view.carried_start, view.chosen) {
            (Some(started), _) if view.now.since(started) > view.timeout => finish(
                view,
                false,
                Some(started),
                None,
                Some(format!(
                    "nothing could be launched within {} (since {})",
                    human_duration(view.timeout),
                    started.rfc3339()
                )),
                live,
            ),
            (Some(started), _) => Step::Launch { started },
            (None, true) => Step::Launch {
                started: view.now.whole_seconds(),
            },
            (None, false) => Step::Idle,
        },
        Outcome::Waiting { started, id } => Step::Wait { started, id },
        Outcome::Passed { started } => {
            let boot = view.now.since(started).as_secs();
            finish(view, true, Some(started), Some(boot), None, live)
        }
        Outcome::Failed { started, reason } => {
            finish(view, false, started, None, Some(reason), live)
        }
    }
}

fn finish(
    view: &View<'_>,
    passed: bool,
    started: Option<Timestamp>,
    boot_seconds: Option<u64>,
    reason: Option<String>,
    ids: Vec<String>,
) -> Step {
    let instance_type = (view.kind == ArtifactKind::Image).then(|| view.instance_type.clone());
    Step::Finish {
        result: DrillResult {
            finished_at: view.now.whole_seconds(),
            passed,
            boot_seconds,
            instance_type,
            started_at: started,
        },
        reason,
        ids,
    }
}

enum Outcome {
    Absent,
    Waiting {
        started: Timestamp,
        id: String,
    },
    Passed {
        started: Timestamp,
    },
    Failed {
        started: Option<Timestamp>,
        reason: String,
    },
}

fn timed_out(view: &View<'_>, started: Timestamp, what: String) -> Option<Outcome> {
    (view.now.since(started) > view.timeout).then(|| Outcome::Failed {
        started: Some(started),
        reason: format!(
            "timed out: {what} {} after the drill started (RESTORE_TEST_TIMEOUT is {})",
            human_duration(view.now.since(started)),
            human_duration(view.timeout)
        ),
    })
}

/// The drill's instance: the first launched, if several (the others are torn down with it).
fn instance_outcome(view: &View<'_>) -> Outcome {
    let Some(instance) = view
        .instances
        .iter()
        .min_by_key(|i| (instance_started(i), &i.id))
    else {
        return Outcome::Absent;
    };
    let started = instance_started(instance).unwrap_or(view.now);
    let checks = instance.checks.as_ref();
    let (system, own) = checks.map_or(("unknown", "unknown"), |c| (&c.system, &c.instance));
    match instance.state.as_str() {
        "running" if system == "ok" && own == "ok" => return Outcome::Passed { started },
        "running" if system == "impaired" || own == "impaired" => {
            return Outcome::Failed {
                started: Some(started),
                reason: format!(
                    "{} did not pass its status checks: system {system}, instance {own}",
                    instance.id
                ),
            }
        }
        "shutting-down" | "terminated" | "stopping" | "stopped" => {
            return Outcome::Failed {
                started: Some(started),
                reason: format!(
                    "{} is `{}` before its status checks passed: stopped or terminated by someone, or by its own shutdown",
                    instance.id, instance.state
                ),
            }
        }
        _ => {}
    }
    let what = format!(
        "{} is still `{}`, status checks system {system}, instance {own},",
        instance.id, instance.state
    );
    timed_out(view, started, what).unwrap_or(Outcome::Waiting {
        started,
        id: instance.id.clone(),
    })
}

/// The drill's volume: the first made, if several.
fn volume_outcome(view: &View<'_>) -> Outcome {
    let Some(volume) = view
        .volumes
        .iter()
        .min_by_key(|v| (volume_started(v), &v.id))
    else {
        return Outcome::Absent;
    };
    let started = volume_started(volume).unwrap_or(view.now);
    match volume.state.as_str() {
        "available" | "in-use" => Outcome::Passed { started },
        "error" | "deleting" | "deleted" => Outcome::Failed {
            started: Some(started),
            reason: format!(
                "{} is `{}`: it never became available",
                volume.id, volume.state
            ),
        },
        state => {
            let what = format!("{} is still `{state}`", volume.id);
            timed_out(view, started, what).unwrap_or(Outcome::Waiting {
                started,
                id: volume.id.clone(),
            })
        }
    }
}

/// Drill resources to sweep: not of a target this round handled (`handled`: the AMIs and EBS
/// snapshots its targets drilled), not already going, and older than the timeout plus
/// [`SWEEP_GRACE`] (or of unknown age and made before this round).
pub fn to_sweep(
    instances: &[DrillInstance],
    volumes: &[DrillVolume],
    handled: &HashSet<String>,
    timeout: Duration,
    now: Timestamp,
) -> (Vec<String>, Vec<String>) {
    let old =
        |started: Option<Timestamp>| started.is_some_and(|s| now.since(s) > timeout + SWEEP_GRACE);
    let of = |tag: Option<&str>| tag.is_some_and(|t| handled.contains(t));
    let of_tag = crate::model::drill::drill_tag::OF;
    let instances = (instances.iter())
        .filter(|i| !i.ending() && !of(i.tag(of_tag)) && old(instance_started(i)))
        .map(|i| i.id.clone())
        .collect();
    let volumes = (volumes.iter())
        .filter(|v| !v.ending() && !of(v.tag(of_tag)) && old(volume_started(v)))
        .filter(|v| v.state != "in-use")
        .map(|v| v.id.clone())
        .collect();
    (instances, volumes)
}

/// The ClientToken of a drill's RunInstances or CreateVolume: the same for every round of one
/// drill (so a launch whose answer was lost is not made twice), another for the next drill.
pub fn client_token(artifact_id: &str, started: Timestamp) -> String {
    let mut token = format!("lsx-{artifact_id}-{}", started.whole_seconds().rfc3339());
    token.retain(|c| c.is_ascii_alphanumeric() || c == '-');
    token.truncate(64);
    token
}

#[cfg(test)]
mod tests;
