//! lightsail-export: keeps durable EC2 copies of Amazon Lightsail's automatic snapshots.
//!
//! Every round copies each target's latest restorable automatic snapshot to a manual snapshot,
//! exports that to EC2, and reports the export's progress. See the README and DESIGN.md.

pub mod api_error;
pub mod clock;
pub mod config;
pub mod decide;
pub mod engine;
pub mod error;
pub mod lightsail;
#[cfg(feature = "local")]
pub mod local;
pub mod metrics;
pub mod names;
pub mod plan;
pub mod report;
pub mod request;
pub mod retention;
pub mod status;
mod target;

pub use config::Config;
pub use engine::{handler, reconcile, App, Deadline};
pub use error::Error;
pub use lightsail::LightsailApi;
pub use report::Output;

/// JSON logs on stdout (CloudWatch reads them), filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .init();
}

impl App {
    /// One adapter for the function's region (and the source region), and the configuration.
    pub fn new(sdk: &aws_config::SdkConfig, config: Result<Config, Error>) -> App {
        let source = config.as_ref().ok().and_then(|c| c.source_region.clone());
        App {
            api: LightsailApi::from_sdk_config(sdk, source.as_deref()),
            config,
        }
    }
}
