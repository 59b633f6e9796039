//! The AWS JSON 1.1 wire protocol as Lightsail speaks it: targets, errors, regions from SigV4.

use std::fmt;

/// The X-Amz-Target prefix of every Lightsail operation.
pub const TARGET_PREFIX: &str = "Lightsail_20161128.";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// An error as Lightsail returns it: an HTTP status, a `__type` and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidInputException", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "NotFoundException", message)
    }
    pub fn operation_failure(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "OperationFailureException", message)
    }
    pub fn service() -> ApiError {
        ApiError::new(
            500,
            "ServiceException",
            "We encountered an internal error. Please try again.",
        )
    }
    pub fn throttling() -> ApiError {
        ApiError::new(400, "ThrottlingException", "Rate exceeded")
    }
    /// What IAM answers when the caller may not make this call.
    pub fn access_denied(operation: &str, resource: &str) -> ApiError {
        ApiError::new(
            400,
            "AccessDeniedException",
            format!(
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: lightsail:{operation} on resource: {resource}"
            ),
        )
    }
    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "SerializationException", message)
    }
    pub fn unknown_operation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "UnknownOperationException", message)
    }
    pub fn missing_auth() -> ApiError {
        ApiError::new(
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        )
    }

    pub fn body(&self) -> String {
        serde_json::json!({ "__type": self.kind, "message": self.message }).to_string()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The region of a SigV4 `Authorization` header's credential scope
/// (`AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lightsail/aws4_request, ...`).
pub fn region_from_authorization(auth: &str) -> Option<&str> {
    let scope = auth.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let _akid = parts.next()?;
    let _date = parts.next()?;
    parts.next().filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_of_credential_scope() {
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/lightsail/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(region_from_authorization(h), Some("eu-west-1"));
        assert_eq!(region_from_authorization("Bearer x"), None);
    }
}
