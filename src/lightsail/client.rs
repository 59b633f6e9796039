//! The SDK adapter's clients and their settings: retries, timeouts, the operations they may
//! call, the retry of throttled writes, and paging.
//!
//! Reads use the SDK's standard retries. Writes are not idempotent (an ExportSnapshot sent twice
//! starts two exports), so they are sent with the SDK's retries off and retried here only on
//! throttling, which proves the request was not applied. Any other failure of a write is left to
//! the next round, which observes the world first.

use std::future::Future;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::timeout::TimeoutConfig;
use aws_sdk_lightsail::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_lightsail::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_lightsail::Client;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

use super::{error, OPERATIONS};
use crate::clock::Clock;
use crate::model::ApiError;

/// Attempts (first try included) of a read before its error is reported.
pub const READ_ATTEMPTS: u32 = 5;
/// Attempts of a write that keeps being throttled.
pub const WRITE_ATTEMPTS: u32 = 4;
/// A safety stop for a paging loop whose token never ends.
const MAX_PAGES: usize = 10_000;

/// Refuses, before anything is sent, any operation that [`OPERATIONS`] does not list: the IAM
/// policy is checked against that list, so an unlisted call would be denied in AWS anyway.
#[derive(Debug)]
struct ListedOperationsOnly;

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
            Some(name) if OPERATIONS.contains(&name) => Ok(()),
            other => Err(format!(
                "Lightsail operation {} is not in lightsail::OPERATIONS (nor in the IAM policy)",
                other.unwrap_or("(unnamed)")
            )
            .into()),
        }
    }
}

/// The Lightsail client configuration this function uses: standard retries for reads,
/// timeouts (so a hung connection costs seconds, not the Lambda's whole run), and only the
/// operations of [`OPERATIONS`].
pub fn client_config(sdk: &SdkConfig) -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::config::Builder::from(sdk)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(READ_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(Duration::from_secs(20))
                .operation_timeout(Duration::from_secs(60))
                .build(),
        )
        .interceptor(ListedOperationsOnly)
}

/// The adapter: one client for the function's region, one for the source region.
#[derive(Debug, Clone)]
pub struct SdkLightsail {
    /// The function's region: copies, exports and export records live here.
    pub(super) client: Client,
    /// The source region: the resources and their automatic snapshots live here.
    pub(super) source: Client,
    pub(super) source_region: String,
    /// First backoff of a throttled write (doubles, with jitter).
    write_backoff: Duration,
    pub(super) clock: Clock,
}

/// A write's per-call settings: no SDK retries (see the module's comment).
pub(super) fn write_override() -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::config::Builder::default().retry_config(RetryConfig::disabled())
}

impl SdkLightsail {
    /// `client` talks to the function's region, `source` to `source_region`.
    pub fn new(client: Client, source: Client, source_region: impl Into<String>) -> SdkLightsail {
        SdkLightsail {
            client,
            source,
            source_region: source_region.into(),
            write_backoff: Duration::from_millis(500),
            clock: Clock::system(),
        }
    }

    /// Clients for the function's region and the source region (the same one when equal).
    pub fn from_sdk_config(sdk: &SdkConfig, source_region: Option<&str>) -> SdkLightsail {
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let client = Client::from_conf(client_config(sdk).build());
        match source_region {
            Some(source_region) if source_region != region => {
                let source = Client::from_conf(
                    client_config(sdk)
                        .region(aws_sdk_lightsail::config::Region::new(
                            source_region.to_string(),
                        ))
                        .build(),
                );
                SdkLightsail::new(client, source, source_region)
            }
            _ => SdkLightsail::new(client.clone(), client, region),
        }
    }

    pub fn with_write_backoff(mut self, backoff: Duration) -> SdkLightsail {
        self.write_backoff = backoff;
        self
    }

    /// Reads "now" from `clock` instead of the system clock (the emulator's simulated clock).
    pub fn with_clock(mut self, clock: Clock) -> SdkLightsail {
        self.clock = clock;
        self
    }

    /// Sends a write, retrying it only while it is throttled.
    pub(super) async fn write<T, E, F, Fut>(&self, send: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut backoff = self.write_backoff;
        let mut attempt = 1;
        loop {
            match send().await.map_err(error::from_sdk) {
                Err(ApiError::Throttled(message)) if attempt < WRITE_ATTEMPTS => {
                    tracing::debug!(attempt, %message, "write throttled, retrying");
                    let jitter = backoff.mul_f64(fastrand::f64());
                    tokio::time::sleep(backoff / 2 + jitter / 2).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// A read's "not found" is an answer, not an error.
pub(super) fn none_if_not_found<T>(error: ApiError) -> Result<Option<T>, ApiError> {
    match error {
        ApiError::NotFound(_) => Ok(None),
        other => Err(other),
    }
}

/// Every item of a paged operation. `page(token)` fetches one page: its items and the next
/// token. Paging stops when there is no next token, or when the service repeats the token it was
/// given (a loop), or after [`MAX_PAGES`].
pub(super) async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let (found, next) = page(token.clone()).await?;
        items.extend(found);
        token = match next {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => Some(next),
            _ => None,
        };
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}
