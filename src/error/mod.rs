//! Whole-invocation errors and per-target errors, with the stable names callers match on.
//!
//! `Error` fails the Lambda invocation; its `errorType` is what a Step Functions `Retry`/`Catch`
//! matches, so the names returned by [`Error::error_type`] are part of the contract and never change.
//! A [`TargetError`] fails (or delays) one target only and is reported in that target's `error`.

use lambda_runtime::Diagnostic;
use serde::{Deserialize, Serialize};

mod api;

pub use api::{ApiError, RegionFailure};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The event could not be understood (malformed JSON, wrong types, unknown fields, bad dates…).
    #[error("{0}")]
    InvalidInput(String),
    /// The function's environment is wrong (a bad `MAX_EXPORT_ATTEMPTS`, `SNAPSHOT_NAME_FORMAT`…).
    #[error("{0}")]
    InvalidConfiguration(String),
    /// Neither the input nor the environment names anything to export, or the tag matched nothing.
    #[error("{0}")]
    NoTargets(String),
    /// Lightsail refused the credentials or the permission for a call every target depends on.
    #[error("{0}")]
    AccessDenied(String),
    /// A transient failure (throttling, 5xx, timeout) of a call every target depends on: retry later.
    #[error("{0}")]
    Retryable(String),
    /// Any other Lightsail error of a call every target depends on.
    #[error("{0}")]
    Lightsail(String),
}

impl Error {
    /// The stable `errorType` name of this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "InvalidInput",
            Error::InvalidConfiguration(_) => "InvalidConfiguration",
            Error::NoTargets(_) => "NoTargets",
            Error::AccessDenied(_) => "AccessDenied",
            Error::Retryable(_) => "Retryable",
            Error::Lightsail(_) => "LightsailError",
        }
    }
}

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Diagnostic {
        Diagnostic {
            error_type: error.error_type().to_string(),
            error_message: error.to_string(),
        }
    }
}

/// What went wrong with one target. `transient` errors leave the target in progress (the next
/// round tries again); the others make it FAILED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetErrorKind {
    /// The name is not a valid Lightsail resource name.
    InvalidResourceName,
    /// No instance or disk of that name in the source region.
    ResourceNotFound,
    /// Both an instance and a disk have that name: which one to export is not guessed.
    AmbiguousResource,
    /// No `Success` automatic snapshot (or none on the requested `restoreDate`).
    NoRestorableSnapshot,
    /// The instance's blueprint cannot be exported (cPanel & WHM, Django, Ghost).
    NotExportable,
    /// The resource's automatic-snapshot add-on is off: there is nothing to export nightly.
    AutoSnapshotsDisabled,
    /// Lightsail refused the copy while an automatic snapshot of the resource is being taken:
    /// the target waits on the date it pinned and tries again next round (transient), for at
    /// most `MAX_AUTO_SNAPSHOT_WAIT`.
    AutoSnapshotInProgress,
    /// The copy was refused for longer than `MAX_AUTO_SNAPSHOT_WAIT` while an automatic
    /// snapshot was being taken.
    AutoSnapshotWaitExceeded,
    /// Another target's name gives the same copy name, or a snapshot of that name belongs to
    /// another resource.
    CopyNameConflict,
    /// The copy name built from `SNAPSHOT_NAME_FORMAT` is not a valid snapshot name.
    InvalidSnapshotName,
    /// The manual copy ended in state `error`.
    CopyFailed,
    /// Every export attempt allowed by `MAX_EXPORT_ATTEMPTS` failed.
    ExportFailed,
    /// The export succeeded; its AMI or EBS snapshot is still `pending` in EC2, or not visible
    /// yet (transient: the next round looks again).
    Ec2ArtifactPending,
    /// The export succeeded but its AMI or EBS snapshot does not exist in EC2.
    Ec2ArtifactMissing,
    /// The export's AMI or EBS snapshot failed in EC2, or never became available.
    Ec2ArtifactFailed,
    /// Lightsail denied a call for this target.
    AccessDenied,
    /// Lightsail rejected a request for this target as invalid.
    InvalidInput,
    /// A transient failure (throttling, 5xx, timeout, lost connection): the next round retries,
    /// for at most `MAX_RETRY_WINDOW` (the output's `failingSince` counts it).
    Retryable,
    /// The target's calls kept failing transiently for longer than `MAX_RETRY_WINDOW`; the message
    /// names the call and its last error.
    RetryWindowExceeded,
    /// Any other Lightsail error.
    LightsailError,
    /// The fan-out item that reconciled this target failed as a whole (a Lambda error the state
    /// machine caught after its retries); the message gives its error and cause.
    ItemFailed,
}

impl TargetErrorKind {
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            TargetErrorKind::Retryable
                | TargetErrorKind::AutoSnapshotInProgress
                | TargetErrorKind::Ec2ArtifactPending
        )
    }
}

/// The `error` member of a target in the output: `{type, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct TargetError {
    #[serde(rename = "type")]
    pub kind: TargetErrorKind,
    pub message: String,
}

impl RegionError {
    /// A region's error with its name and message (no `failingSince`, nothing asked).
    pub fn new(region: &str, error_type: &str, message: impl Into<String>) -> RegionError {
        RegionError {
            region: region.to_string(),
            error_type: error_type.to_string(),
            message: message.into(),
            failing_since: None,
            targets: None,
            target_tag: None,
        }
    }

    /// A region's transient failure, tried again next round (not a final error).
    pub fn is_retried(&self) -> bool {
        self.error_type == "Retryable"
    }
}

impl TargetError {
    pub fn new(kind: TargetErrorKind, message: impl Into<String>) -> Self {
        TargetError {
            kind,
            message: message.into(),
        }
    }
}

/// A region that failed as a whole in a run over several regions (its listing was denied, its
/// tag was invalid…): the other regions go on; the run ends FAILED. The output's `regionErrors`.
/// A region whose listings fail transiently is listed too, as `Retryable` with `failingSince`:
/// the run stays in progress and the next round tries it again, for at most `MAX_RETRY_WINDOW`
/// (then `RetryWindowExceeded`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionError {
    pub region: String,
    /// The invocation error's stable name (`AccessDenied`, `LightsailError`, `InvalidInput`…).
    #[serde(rename = "type")]
    pub error_type: String,
    pub message: String,
    /// RFC 3339: since when the region's listings fail transiently (only with `Retryable` and
    /// `RetryWindowExceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    /// What the region was asked, on a `Retryable` entry only: its targets by name and its tag,
    /// so that the next round (fed this output) asks it the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tag: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_are_stable_names() {
        let cases = [
            (Error::InvalidInput("x".into()), "InvalidInput"),
            (
                Error::InvalidConfiguration("x".into()),
                "InvalidConfiguration",
            ),
            (Error::NoTargets("x".into()), "NoTargets"),
            (Error::AccessDenied("x".into()), "AccessDenied"),
            (Error::Retryable("x".into()), "Retryable"),
            (Error::Lightsail("x".into()), "LightsailError"),
        ];
        for (error, name) in cases {
            let diagnostic: Diagnostic = error.into();
            assert_eq!(diagnostic.error_type, name);
            assert_eq!(diagnostic.error_message, "x");
        }
    }

    #[test]
    fn target_error_serialises_as_type_and_message() {
        let error = TargetError::new(TargetErrorKind::ResourceNotFound, "no such instance");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "ResourceNotFound", "message": "no such instance"})
        );
    }
}
