//! What the Lightsail and EC2 adapters share of the AWS SDK: retries and timeouts, the list of
//! operations a client may call, paging. Each adapter's own module is the only code calling its
//! SDK; this one calls none.

use std::future::Future;
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use crate::error::ApiError;

/// Attempts (first try included) of a read before its error is reported.
pub const READ_ATTEMPTS: u32 = 5;
/// A safety stop for a paging loop whose token never ends.
const MAX_PAGES: usize = 10_000;

/// The standard retries of reads: 5 attempts, 200 ms to 5 s backoff.
pub fn read_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(READ_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(5))
}

/// Timeouts, so that a hung connection costs seconds, not the Lambda's whole run.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(60))
        .build()
}

/// Refuses, before anything is sent, any operation that `listed` does not name: the IAM policy
/// is checked against that list, so an unlisted call would be denied in AWS anyway.
#[derive(Debug)]
pub struct ListedOperationsOnly {
    pub service: &'static str,
    pub listed: &'static [&'static str],
}

impl Intercept for ListedOperationsOnly {
    fn name(&self) -> &'static str {
        "ListedOperationsOnly"
    }

    // Not `read_before_execution`: a client's interceptors run that before the operation's own
    // configuration (which names the operation) is in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Metadata>().map(Metadata::name) {
            Some(name) if self.listed.contains(&name) => Ok(()),
            other => Err(format!(
                "{} operation {} is not in {}::OPERATIONS (nor in the IAM policy)",
                self.service,
                other.unwrap_or("(unnamed)"),
                self.service.to_ascii_lowercase()
            )
            .into()),
        }
    }
}

/// An SDK error as both adapters first see it, before each reads its service's own answer.
pub enum Failure {
    /// No answer to read: the request timed out, was never sent (DNS, connection), or its
    /// response could not be read ([`ApiError::Transient`]); or it could not even be built.
    Unanswered(ApiError),
    /// The service answered with an error; the message to report with it.
    Answered(String),
}

/// What an SDK error is before its answer is read, the same for Lightsail and EC2: the service's
/// message when it sent one, else the SDK's whole error chain (which names the cause of a
/// dispatch failure, such as a refused connection or a DNS error).
pub fn failure<E>(error: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let message = error
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| DisplayErrorContext(error).to_string());
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Unanswered(ApiError::Transient(message))
        }
        SdkError::ConstructionFailure(_) => Failure::Unanswered(ApiError::Other {
            code: "ConstructionFailure".into(),
            message,
        }),
        _ => Failure::Answered(message),
    }
}

/// An error of an AWS Query service beside EC2 (STS, IAM), classified by its `Code`, which the
/// SDK's `code()` reads as it is.
pub fn query_error<E>(error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let message = match failure(&error) {
        Failure::Unanswered(api_error) => return api_error,
        Failure::Answered(message) => message,
    };
    let code = error.code().unwrap_or("Unknown").to_string();
    match code.as_str() {
        "NoSuchEntity" => ApiError::NotFound(message),
        "AccessDenied"
        | "AccessDeniedException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken" => ApiError::AccessDenied(message),
        "Throttling" | "ThrottlingException" => ApiError::Throttled(message),
        "InvalidInput" | "ValidationError" => ApiError::InvalidInput(message),
        _ => ApiError::Other { code, message },
    }
}

/// A read's "not found" is an answer, not an error.
pub fn none_if_not_found<T>(error: ApiError) -> Result<Option<T>, ApiError> {
    match error {
        ApiError::NotFound(_) => Ok(None),
        other => Err(other),
    }
}

/// Every item of a paged operation. `page(token)` fetches one page: its items and the next
/// token. Paging stops when there is no next token, or when the service repeats the token it was
/// given (a loop), or after [`MAX_PAGES`].
pub async fn all_pages<T, F, Fut>(page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    Ok(all_pages_noting_first(page).await?.0)
}

/// The first page of a paged listing: how many items it had, and whether it named a next page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirstPage {
    pub items: usize,
    pub more: bool,
}

/// [`all_pages`], and what its first page was (the doctor reads the service's page size off it).
pub async fn all_pages_noting_first<T, F, Fut>(mut page: F) -> Result<(Vec<T>, FirstPage), ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut first = None;
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let (found, next) = page(token.clone()).await?;
        let count = found.len();
        items.extend(found);
        token = match next {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => Some(next),
            _ => None,
        };
        first.get_or_insert(FirstPage {
            items: count,
            more: token.is_some(),
        });
        if token.is_none() {
            break;
        }
    }
    Ok((items, first.unwrap_or_default()))
}
