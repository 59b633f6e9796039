//! The AWS JSON 1.1 wire protocol as Lightsail speaks it: targets, errors, regions from SigV4.

use std::fmt;

use crate::switches::ErrorEnvelope;

/// The X-Amz-Target prefix of every Lightsail operation.
pub const TARGET_PREFIX: &str = "Lightsail_20161128.";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// An error as Lightsail returns it: an HTTP status, a `__type`, Lightsail's own `code` (absent
/// for errors AWS's front end answers before Lightsail sees the request) and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub message: String,
}

impl ApiError {
    fn new(
        status: u16,
        kind: &'static str,
        code: Option<&'static str>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidInputException", Some("InvalidInput"), message)
    }
    /// A name another resource of the region already has (`NameExists` was observed on
    /// CreateInstances, OpenRouterLabs/spawn#2630).
    pub fn name_in_use(name: &str) -> ApiError {
        ApiError::new(
            400,
            "InvalidInputException",
            Some("NameExists"),
            format!("Some names are already in use: {name}"),
        )
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "NotFoundException", Some("DoesNotExist"), message)
    }
    pub fn operation_failure(message: impl Into<String>) -> ApiError {
        ApiError::new(
            400,
            "OperationFailureException",
            Some("OperationFailure"),
            message,
        )
    }
    pub fn service() -> ApiError {
        ApiError::new(
            500,
            "ServiceException",
            Some("InternalError"),
            "We encountered an internal error. Please try again.",
        )
    }
    pub fn throttling() -> ApiError {
        ApiError::new(400, "ThrottlingException", None, "Rate exceeded")
    }
    /// What IAM answers when the caller may not make this call.
    pub fn access_denied(operation: &str, resource: &str) -> ApiError {
        ApiError::new(
            400,
            "AccessDeniedException",
            Some("AccessDenied"),
            format!(
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: lightsail:{operation} on resource: {resource}"
            ),
        )
    }
    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "SerializationException", None, message)
    }
    pub fn unknown_operation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "UnknownOperationException", None, message)
    }
    pub fn missing_auth() -> ApiError {
        ApiError::new(
            400,
            "MissingAuthenticationTokenException",
            None,
            "Request is missing Authentication Token",
        )
    }

    /// The response body. `operation` names the API reference page `docs` points at.
    pub fn body(&self, envelope: ErrorEnvelope, operation: Option<&str>) -> String {
        match (envelope, self.code) {
            (ErrorEnvelope::Code, Some(code)) => {
                let docs = match operation {
                    Some(op) => format!("{API_REFERENCE}API_{op}.html"),
                    None => format!("{API_REFERENCE}Welcome.html"),
                };
                serde_json::json!({
                    "__type": self.kind,
                    "code": code,
                    "docs": docs,
                    "message": self.message,
                    "tip": tip(code),
                })
                .to_string()
            }
            _ => serde_json::json!({ "__type": self.kind, "message": self.message }).to_string(),
        }
    }

    /// The `x-amzn-ErrorType` header's value, if this envelope sends one.
    pub fn header(&self, envelope: ErrorEnvelope) -> Option<&'static str> {
        (envelope == ErrorEnvelope::Header).then_some(self.kind)
    }
}

const API_REFERENCE: &str = "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/";

/// No real `tip` text is public; these only have to read like help, since no client acts on them.
fn tip(code: &str) -> &'static str {
    match code {
        "DoesNotExist" => {
            "Check the name, and that the request goes to the Region the resource is in."
        }
        "NameExists" => "Choose a name that no other resource in this Region uses.",
        "OperationFailure" => {
            "Wait until the resource is in a state that allows this operation, then try again."
        }
        "AccessDenied" => "Check that your IAM policy allows this action on this resource.",
        "InternalError" => "Try the request again later.",
        _ => "Check the request's parameters against the API reference.",
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

/// The service of a SigV4 credential scope (`lightsail`, `ec2`).
pub fn service_from_authorization(auth: &str) -> Option<&str> {
    let scope = auth.split("Credential=").nth(1)?;
    scope.split([',', ' ']).next()?.split('/').nth(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_of_credential_scope() {
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/lightsail/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(region_from_authorization(h), Some("eu-west-1"));
        assert_eq!(service_from_authorization(h), Some("lightsail"));
        assert_eq!(region_from_authorization("Bearer x"), None);
    }

    #[test]
    fn envelopes() {
        let e = ApiError::not_found("The Instance does not exist: x");
        let body: serde_json::Value =
            serde_json::from_str(&e.body(ErrorEnvelope::Code, Some("GetInstance"))).unwrap();
        assert_eq!(body["code"], "DoesNotExist");
        assert_eq!(
            body["docs"],
            "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_GetInstance.html"
        );
        assert!(body["tip"].is_string());
        assert_eq!(e.header(ErrorEnvelope::Code), None);
        let body: serde_json::Value =
            serde_json::from_str(&e.body(ErrorEnvelope::Header, Some("GetInstance"))).unwrap();
        assert_eq!(body.as_object().unwrap().len(), 2);
        assert_eq!(e.header(ErrorEnvelope::Header), Some("NotFoundException"));
        let t = ApiError::throttling();
        let body: serde_json::Value =
            serde_json::from_str(&t.body(ErrorEnvelope::Code, Some("GetInstance"))).unwrap();
        assert_eq!(
            body.as_object().unwrap().len(),
            2,
            "front-end errors carry no code"
        );
    }
}
