//! A failed AWS call (Lightsail or EC2), classified by what the caller should do about it, and
//! what it becomes: the invocation's [`Error`], a target's [`TargetError`], or a region's part
//! of a run. The adapters classify (`lightsail::error`, `ec2::client`); this is the one place
//! where a classified failure turns into anything else.

use super::{Error, RegionError, TargetError, TargetErrorKind};

/// A failed call, classified by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// ThrottlingException after the retries: nothing was applied; try later.
    #[error("throttled: {0}")]
    Throttled(String),
    /// 5xx, timeout, lost connection: the request may or may not have been applied.
    #[error("transient failure: {0}")]
    Transient(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The name is already used by another resource of the region (`NameExists`).
    #[error("name in use: {0}")]
    NameInUse(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Anything else: `code` is the exception name when Lightsail gave one (for example
    /// `OperationFailureException`), else its `code`, else `Unknown`.
    #[error("{code}: {message}")]
    Other { code: String, message: String },
}

impl ApiError {
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Throttled(_) | ApiError::Transient(_))
    }

    /// `OperationFailureException`: the resource is in a state that refuses the call.
    pub fn is_operation_failure(&self) -> bool {
        matches!(self, ApiError::Other { code, .. } if code == "OperationFailureException")
    }

    /// The invocation's error for a failed call every target depends on (`what` names it).
    pub fn for_invocation(self, what: &str) -> Error {
        let message = format!("{what}: {self}");
        match self {
            ApiError::Throttled(_) | ApiError::Transient(_) => Error::Retryable(message),
            ApiError::AccessDenied(_) => Error::AccessDenied(message),
            _ => Error::Lightsail(message),
        }
    }

    /// The target's error for a failed call made for it (`call` names it).
    pub fn for_target(self, call: &str) -> TargetError {
        let kind = match &self {
            ApiError::Throttled(_) | ApiError::Transient(_) => TargetErrorKind::Retryable,
            ApiError::NotFound(_) => TargetErrorKind::ResourceNotFound,
            ApiError::AccessDenied(_) => TargetErrorKind::AccessDenied,
            ApiError::InvalidInput(_) | ApiError::NameInUse(_) => TargetErrorKind::InvalidInput,
            ApiError::Other { .. } => TargetErrorKind::LightsailError,
        };
        TargetError::new(kind, format!("{call}: {self}"))
    }

    /// The target's error for a write that is never sent twice blindly (ExportSnapshot): a
    /// transient failure may hide its success, so the next round observes before it acts.
    pub fn for_unconfirmed_write(self, call: &str) -> TargetError {
        match self.is_transient() {
            true => TargetError::new(
                TargetErrorKind::Retryable,
                format!("{call} may not have been applied ({self}); the next round looks at the export records before trying again"),
            ),
            false => self.for_target(call),
        }
    }

    /// The target's error for a refused CopySnapshot whose copy could not be looked for: the
    /// refusal may mean the copy exists, so the next round looks again.
    pub fn for_unverified_copy(self, lookup: ApiError) -> TargetError {
        TargetError::new(
            TargetErrorKind::Retryable,
            format!("CopySnapshot: {self}; the copy could not be looked at ({lookup}), the next round looks again"),
        )
    }

    /// The target's error for an EC2 label that did not take: transient, or the artifact not
    /// visible yet (EC2's eventual consistency), is for the next round; anything else is not.
    pub fn for_labelling(self, id: &str) -> TargetError {
        match self.is_transient() || matches!(self, ApiError::NotFound(_)) {
            true => TargetError::new(
                TargetErrorKind::Retryable,
                format!("CreateTags: {self}; the next round labels {id}"),
            ),
            false => self.for_target("CreateTags"),
        }
    }
}

/// What a region's failure means for a run over several regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionFailure {
    /// Transient (the failed call and its error): a round tries the region again next round,
    /// within `MAX_RETRY_WINDOW` (`decide::retry`); the fan-out's listing fails as `Retryable`
    /// (the state machine retries it).
    Transient(String),
    /// The region's tag matched nothing: the region is empty, not failed.
    NoTargets,
    /// Anything else fails that region alone.
    Region(RegionError),
}

impl Error {
    /// What this error, met while reconciling `region`, means for the run.
    pub fn in_region(self, region: &str) -> RegionFailure {
        match self {
            Error::Retryable(message) => RegionFailure::Transient(message),
            Error::NoTargets(_) => RegionFailure::NoTargets,
            other => RegionFailure::Region(RegionError::new(
                region,
                other.error_type(),
                other.to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calls_failure_for_the_invocation() {
        let error = |e: ApiError| e.for_invocation("x").error_type();
        assert_eq!(error(ApiError::Throttled("t".into())), "Retryable");
        assert_eq!(error(ApiError::AccessDenied("no".into())), "AccessDenied");
        assert_eq!(error(ApiError::NotFound("no".into())), "LightsailError");
    }

    #[test]
    fn a_calls_failure_for_a_target() {
        let cases = [
            (ApiError::Throttled("x".into()), TargetErrorKind::Retryable),
            (ApiError::Transient("x".into()), TargetErrorKind::Retryable),
            (
                ApiError::NotFound("x".into()),
                TargetErrorKind::ResourceNotFound,
            ),
            (
                ApiError::AccessDenied("x".into()),
                TargetErrorKind::AccessDenied,
            ),
            (
                ApiError::InvalidInput("x".into()),
                TargetErrorKind::InvalidInput,
            ),
            (
                ApiError::NameInUse("x".into()),
                TargetErrorKind::InvalidInput,
            ),
            (
                ApiError::Other {
                    code: "C".into(),
                    message: "x".into(),
                },
                TargetErrorKind::LightsailError,
            ),
        ];
        for (error, kind) in cases {
            let got = error.clone().for_target("GetDisk");
            assert_eq!(got.kind, kind, "{error:?}");
            assert!(got.message.starts_with("GetDisk: "), "{}", got.message);
        }
        let lost = ApiError::Transient("reset".into()).for_unconfirmed_write("ExportSnapshot");
        assert!(
            lost.message.contains("may not have been applied"),
            "{}",
            lost.message
        );
        let denied = ApiError::AccessDenied("no".into()).for_unconfirmed_write("ExportSnapshot");
        assert_eq!(denied.kind, TargetErrorKind::AccessDenied);
        let unseen = ApiError::NotFound("ami-1".into()).for_labelling("ami-1");
        assert_eq!(unseen.kind, TargetErrorKind::Retryable);
    }

    #[test]
    fn a_regions_failure() {
        let retry = Error::Retryable("slow".into()).in_region("eu-west-1");
        assert_eq!(retry, RegionFailure::Transient("slow".into()));
        assert_eq!(
            Error::NoTargets("none".into()).in_region("eu-west-1"),
            RegionFailure::NoTargets
        );
        match Error::AccessDenied("no".into()).in_region("eu-west-1") {
            RegionFailure::Region(error) => assert_eq!(error.error_type, "AccessDenied"),
            other => panic!("{other:?}"),
        }
    }
}
