//! After the export: is its EC2 artifact there and ready, how it is labelled as the function's,
//! and which of the function's older artifacts may be retired. Pure functions, tested by table.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{TargetError, TargetErrorKind};
use crate::model::time::human_duration;
use crate::model::{
    artifact_tag, ArtifactKind, Ec2Artifact, ExportRecord, RecordState, MANAGED_TAG,
};
use crate::model::{Date, Timestamp};

/// How long an artifact may be invisible after its export succeeded before its target FAILS:
/// EC2 describes new resources with a delay (its eventual consistency).
pub const MISSING_GRACE: Duration = Duration::from_secs(15 * 60);
/// How long an artifact may stay `pending` before its target FAILS.
pub const PENDING_MAX: Duration = Duration::from_secs(6 * 3600);

/// Where an AMI or EBS snapshot is on its way to being usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// `available` (AMI), `completed` (snapshot).
    Ready,
    /// `pending`, `transient`, or a state this code does not know.
    Pending,
    /// `failed`, `error`, `invalid`, `deregistered`…: it will never be usable.
    Failed,
}

pub fn readiness(artifact: &Ec2Artifact) -> Readiness {
    match (artifact.kind, artifact.state.as_str()) {
        (ArtifactKind::Image, "available") | (ArtifactKind::Snapshot, "completed") => {
            Readiness::Ready
        }
        (
            _,
            "failed" | "error" | "invalid" | "deregistered" | "disabled" | "recoverable"
            | "recovering",
        ) => Readiness::Failed,
        _ => Readiness::Pending,
    }
}

/// What a target's export left in EC2 means for the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// Ready: the target is EXPORTED.
    Ready,
    /// Not usable yet (pending, or not visible yet): transient. `since`: when the target started
    /// waiting on it (carried in `waitingSince`).
    Waiting {
        since: Timestamp,
        error: TargetError,
    },
    /// It will never be usable, or never became so within its bound. `since`: the wait it ended,
    /// when there was one.
    Failed {
        since: Option<Timestamp>,
        error: TargetError,
    },
}

impl Verified {
    /// The wait's start, for `waitingSince`.
    pub fn waiting_since(&self) -> Option<Timestamp> {
        match self {
            Verified::Ready => None,
            Verified::Waiting { since, .. } => Some(*since),
            Verified::Failed { since, .. } => *since,
        }
    }

    /// `Ok` when ready, else the target's error.
    pub fn into_result(self) -> Result<(), TargetError> {
        match self {
            Verified::Ready => Ok(()),
            Verified::Waiting { error, .. } | Verified::Failed { error, .. } => Err(error),
        }
    }
}

/// What a target's export left in EC2 (`found`, as EC2 describes `destination`) means for the
/// target. `since`: when the target started waiting on it (carried in `waitingSince`).
pub fn verify(
    destination: &str,
    found: Option<&Ec2Artifact>,
    since: Option<Timestamp>,
    now: Timestamp,
) -> Verified {
    let started = since.unwrap_or(now.whole_seconds());
    let waited = now.since(started);
    let since_text = started.rfc3339();
    let pending = |message: String| Verified::Waiting {
        since: started,
        error: TargetError::new(TargetErrorKind::Ec2ArtifactPending, message),
    };
    match found.map(|a| (a, readiness(a))) {
        Some((_, Readiness::Ready)) => Verified::Ready,
        Some((artifact, Readiness::Failed)) => Verified::Failed {
            since: None,
            error: TargetError::new(
                TargetErrorKind::Ec2ArtifactFailed,
                format!("the export succeeded but {destination} is `{}` in EC2: it will never be usable", artifact.state),
            ),
        },
        Some((artifact, Readiness::Pending)) if waited <= PENDING_MAX => pending(format!(
            "the export succeeded; {destination} is `{}` in EC2 (waiting since {since_text})",
            artifact.state
        )),
        Some((artifact, Readiness::Pending)) => Verified::Failed {
            since: Some(started),
            error: TargetError::new(
                TargetErrorKind::Ec2ArtifactFailed,
                format!("{destination} is still `{}` in EC2 after {} (since {since_text}): it never became available", artifact.state, human_duration(waited)),
            ),
        },
        None if waited <= MISSING_GRACE => pending(format!(
            "the export succeeded but EC2 does not show {destination} yet (waiting since {since_text})"
        )),
        None => Verified::Failed {
            since: Some(started),
            error: TargetError::new(
                TargetErrorKind::Ec2ArtifactMissing,
                format!("the export succeeded but {destination} does not exist in EC2 (not seen since {since_text}): it was deleted, or never made"),
            ),
        },
    }
}

/// The newest succeeded export record of a copy: the export whose artifact is verified.
pub fn succeeded_record<'a>(records: &[&'a ExportRecord]) -> Option<&'a ExportRecord> {
    records
        .iter()
        .copied()
        .filter(|r| r.state == RecordState::Succeeded)
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
}

/// What is known of an export, to label its artifacts with.
pub struct Export<'a> {
    pub resource: &'a str,
    pub date: Date,
    pub copy: &'a str,
    pub record: &'a str,
}

/// The tags of an export's AMI and snapshots: the function's own, a `Name`, and the user's
/// `EC2_TAGS` (which may set `Name`, never the function's keys).
pub fn labels(export: &Export<'_>, user: &[(String, String)]) -> Vec<(String, String)> {
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    tags.insert("Name".into(), export.copy.to_string());
    for (key, value) in user {
        tags.insert(key.clone(), value.clone());
    }
    let date = export.date.to_string();
    for (key, value) in [
        (MANAGED_TAG, "true"),
        (artifact_tag::RESOURCE, export.resource),
        (artifact_tag::DATE, date.as_str()),
        (artifact_tag::COPY, export.copy),
        (artifact_tag::EXPORT_RECORD, export.record),
    ] {
        tags.insert(key.into(), value.into());
    }
    tags.into_iter().collect()
}

/// Whether an artifact lacks any of `labels` (or bears another value).
pub fn needs_labels(artifact: &Ec2Artifact, labels: &[(String, String)]) -> bool {
    labels
        .iter()
        .any(|(k, v)| artifact.tag(k) != Some(v.as_str()))
}

mod keep;

pub use keep::{plan_exports, to_retire, ExportsPlan, KeptExport, Retirement, Tonight};

#[cfg(test)]
mod tests;
