//! Lightsail's error responses, classified by what the caller should do about them.
//!
//! Real Lightsail error bodies carry a `code` beside `__type` (`{"__type": "NotFoundException",
//! "code": "DoesNotExist", "docs": …, "message": …, "tip": …}`) and no `X-Amzn-ErrorType` header.
//! The SDK lets `code` win over `__type`, so `ProvideErrorMetadata::code()` says `DoesNotExist`
//! and the typed variant is `Unhandled`. The exception name therefore comes from the raw
//! response (the header where present, else the body's `__type`), and Lightsail's own `code`
//! values are only a fallback. Sources: docs/evidence.md, "Error envelope".

use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};

use crate::error::ApiError;
pub use crate::model::doctor::ErrorIdentity;
use crate::sdk::{self, Failure};

/// The classes an error response can fall in (what [`classify`] decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Throttled,
    Transient,
    NotFound,
    NameInUse,
    AccessDenied,
    InvalidInput,
    /// `OperationFailureException`: the resource is not in a state that allows the call.
    OperationFailure,
    Unknown,
}

/// `namespace#Name:uri` -> `Name`, as the SDKs sanitise error codes.
fn sanitise(text: &str) -> Option<String> {
    let name = text.rsplit('#').next().unwrap_or(text);
    let name = name.split(':').next().unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The class of an exception *name* (the header or `__type`), if it is one we know.
fn class_of_name(name: &str) -> Option<ErrorClass> {
    Some(match name {
        "ThrottlingException"
        | "TooManyRequestsException"
        | "Throttling"
        | "RequestLimitExceeded" => ErrorClass::Throttled,
        "NotFoundException" => ErrorClass::NotFound,
        "AccessDeniedException"
        | "UnauthenticatedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "MissingAuthenticationTokenException"
        | "ExpiredTokenException"
        | "InvalidClientTokenId" => ErrorClass::AccessDenied,
        "InvalidInputException" => ErrorClass::InvalidInput,
        "OperationFailureException" => ErrorClass::OperationFailure,
        "ServiceException"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "AccountSetupInProgressException"
        | "RegionSetupInProgressException" => ErrorClass::Transient,
        _ => return None,
    })
}

/// The class of one of Lightsail's `code` values, for those public reports show:
/// `DoesNotExist` (terraform-provider-aws errs.go, aws/aws-sdk#665, grucloud), `NameExists`
/// (OpenRouterLabs/spawn#2630), `UnsupportedOperation` (clouddrove/terraform-aws-lightsail#12).
fn class_of_code(code: &str) -> Option<ErrorClass> {
    match code {
        "DoesNotExist" => Some(ErrorClass::NotFound),
        "NameExists" => Some(ErrorClass::NameInUse),
        "UnsupportedOperation" => Some(ErrorClass::InvalidInput),
        // A `code` that repeats an exception name means what the name means.
        other => class_of_name(other),
    }
}

/// Decides an error's class: the exception name first (the header, then `__type`), Lightsail's
/// `code` as a fallback (and to tell "name in use" among invalid input), then the HTTP status.
/// The message never decides.
pub fn classify(id: &ErrorIdentity) -> ErrorClass {
    let names = [id.header.as_deref(), id.type_name.as_deref()];
    let by_name = names.into_iter().flatten().find_map(class_of_name);
    let by_code = [
        id.code.as_deref(),
        id.header.as_deref(),
        id.type_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(class_of_code);
    match (by_name, by_code) {
        (Some(ErrorClass::InvalidInput), Some(ErrorClass::NameInUse)) => ErrorClass::NameInUse,
        (Some(class), _) => class,
        (None, Some(class)) => class,
        (None, None) if id.status.is_some_and(|s| s >= 500) => ErrorClass::Transient,
        (None, None) => ErrorClass::Unknown,
    }
}

impl ErrorIdentity {
    /// Reads the identity off a raw error response.
    pub fn from_response(response: &HttpResponse) -> ErrorIdentity {
        let body: Option<serde_json::Value> = response
            .body()
            .bytes()
            .and_then(|bytes| serde_json::from_slice(bytes).ok());
        let member = |key: &str| {
            body.as_ref()
                .and_then(|b| b.get(key))
                .and_then(serde_json::Value::as_str)
                .and_then(sanitise)
        };
        ErrorIdentity {
            header: response
                .headers()
                .get("x-amzn-errortype")
                .and_then(sanitise),
            type_name: member("__type"),
            code: member("code"),
            status: Some(response.status().as_u16()),
        }
    }

    /// The most specific name to report: the exception name, else the code.
    fn label(&self) -> Option<&str> {
        self.header
            .as_deref()
            .or(self.type_name.as_deref())
            .or(self.code.as_deref())
    }
}

/// An error of a class, with the identity's best name for `Other`.
pub fn of_class(class: ErrorClass, id: &ErrorIdentity, message: String) -> ApiError {
    match class {
        ErrorClass::Throttled => ApiError::Throttled(message),
        ErrorClass::Transient => ApiError::Transient(message),
        ErrorClass::NotFound => ApiError::NotFound(message),
        ErrorClass::NameInUse => ApiError::NameInUse(message),
        ErrorClass::AccessDenied => ApiError::AccessDenied(message),
        ErrorClass::InvalidInput => ApiError::InvalidInput(message),
        ErrorClass::OperationFailure => ApiError::Other {
            code: "OperationFailureException".into(),
            message,
        },
        ErrorClass::Unknown => ApiError::Other {
            code: id.label().unwrap_or("Unknown").to_string(),
            message,
        },
    }
}

/// Maps an SDK error: how the request failed when it got no answer, else what the answer says
/// about itself (read from the raw response, whatever the SDK made of it).
pub fn from_sdk<E>(error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let message = match sdk::failure(&error) {
        Failure::Unanswered(api_error) => return api_error,
        Failure::Answered(message) => message,
    };
    let mut id = error
        .raw_response()
        .map(ErrorIdentity::from_response)
        .unwrap_or_default();
    if id.header.is_none() && id.type_name.is_none() && id.code.is_none() {
        // No readable body: what the SDK made of the response is all there is.
        id.code = error.code().and_then(sanitise);
    }
    of_class(classify(&id), &id, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(
        header: Option<&str>,
        type_name: Option<&str>,
        code: Option<&str>,
        status: u16,
    ) -> ErrorIdentity {
        ErrorIdentity {
            header: header.map(str::to_string),
            type_name: type_name.map(str::to_string),
            code: code.map(str::to_string),
            status: Some(status),
        }
    }

    /// (X-Amzn-ErrorType, __type, code, HTTP status, class)
    type Row = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        u16,
        ErrorClass,
    );

    // One table, longer than 80 lines because every envelope and class is a row of it.
    #[test]
    fn classification_table() {
        use ErrorClass::*;
        let cases: &[Row] = &[
            // The real envelope: `__type` and `code`, no header.
            (
                None,
                Some("NotFoundException"),
                Some("DoesNotExist"),
                400,
                NotFound,
            ),
            (
                None,
                Some("InvalidInputException"),
                Some("NameExists"),
                400,
                NameInUse,
            ),
            (
                None,
                Some("InvalidInputException"),
                Some("InvalidInput"),
                400,
                InvalidInput,
            ),
            (
                None,
                Some("InvalidInputException"),
                Some("UnsupportedOperation"),
                400,
                InvalidInput,
            ),
            (
                None,
                Some("OperationFailureException"),
                Some("OperationFailure"),
                400,
                OperationFailure,
            ),
            (
                None,
                Some("AccessDeniedException"),
                Some("AccessDenied"),
                400,
                AccessDenied,
            ),
            (
                None,
                Some("UnauthenticatedException"),
                Some("Unauthenticated"),
                400,
                AccessDenied,
            ),
            (None, Some("ThrottlingException"), None, 400, Throttled),
            (
                None,
                Some("ServiceException"),
                Some("InternalError"),
                500,
                Transient,
            ),
            (
                None,
                Some("AccountSetupInProgressException"),
                None,
                400,
                Transient,
            ),
            // The header form: the header names the exception, no code.
            (
                Some("NotFoundException"),
                Some("NotFoundException"),
                None,
                400,
                NotFound,
            ),
            (
                Some("OperationFailureException"),
                None,
                None,
                400,
                OperationFailure,
            ),
            // The name decides over a code that says otherwise.
            (
                None,
                Some("NotFoundException"),
                Some("NameExists"),
                400,
                NotFound,
            ),
            // A header that carries Lightsail's code instead of the exception name.
            (Some("DoesNotExist"), None, None, 400, NotFound),
            // Only a code.
            (None, None, Some("DoesNotExist"), 400, NotFound),
            (None, None, Some("NameExists"), 400, NameInUse),
            // Namespaced and suffixed names.
            (
                None,
                Some("com.amazonaws.lightsail#NotFoundException"),
                None,
                400,
                NotFound,
            ),
            // Nothing known: the status decides between transient and unknown.
            (None, Some("SomethingNew"), Some("AlsoNew"), 400, Unknown),
            (None, Some("SomethingNew"), None, 503, Transient),
            (None, None, None, 500, Transient),
            (None, None, None, 400, Unknown),
        ];
        for (header, type_name, code, status, expected) in cases {
            let mut identity = id(*header, *type_name, *code, *status);
            identity.type_name = identity.type_name.as_deref().and_then(sanitise);
            assert_eq!(classify(&identity), *expected, "{identity:?}");
        }
    }

    #[test]
    fn sanitising() {
        assert_eq!(sanitise("aws#Foo:http://x").as_deref(), Some("Foo"));
        assert_eq!(sanitise("Foo").as_deref(), Some("Foo"));
        assert_eq!(sanitise(" "), None);
    }

    #[test]
    fn unknown_errors_are_named_by_the_exception_then_the_code() {
        let named = id(None, Some("SomethingNew"), Some("AlsoNew"), 400);
        let error = of_class(classify(&named), &named, "m".into());
        assert_eq!(
            error,
            ApiError::Other {
                code: "SomethingNew".into(),
                message: "m".into()
            }
        );
        let coded = id(None, None, Some("AlsoNew"), 400);
        let error = of_class(classify(&coded), &coded, "m".into());
        assert_eq!(
            error,
            ApiError::Other {
                code: "AlsoNew".into(),
                message: "m".into()
            }
        );
        let failure = id(
            None,
            Some("OperationFailureException"),
            Some("OperationFailure"),
            400,
        );
        assert!(of_class(classify(&failure), &failure, "m".into()).is_operation_failure());
    }
}
