//! The SDK adapter's clients and their settings (retries, timeouts, the operations they may
//! call: `crate::sdk`), and the retry of throttled writes.
//!
//! Reads use the SDK's standard retries. Writes are not idempotent (an ExportSnapshot sent twice
//! starts two exports), so they are sent with the SDK's retries off and retried here only on
//! throttling, which proves the request was not applied. Any other failure of a write is left to
//! the next round, which observes the world first.

use std::future::Future;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lightsail::Client;

use super::{error, OPERATIONS};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::sdk::{self, ListedOperationsOnly};

pub use crate::sdk::READ_ATTEMPTS;
/// Attempts of a write that keeps being throttled.
pub const WRITE_ATTEMPTS: u32 = 4;

/// The Lightsail client configuration this function uses: standard retries for reads,
/// timeouts, and only the operations of [`OPERATIONS`].
pub fn client_config(sdk: &SdkConfig) -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::config::Builder::from(sdk)
        .retry_config(sdk::read_retries())
        .timeout_config(sdk::timeouts())
        .interceptor(ListedOperationsOnly {
            service: "Lightsail",
            listed: OPERATIONS,
        })
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

    /// The clock "now" is read from.
    pub fn clock(&self) -> &Clock {
        &self.clock
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
