//! The Lambda handler: any event form of the contract in, the output contract out; and what it
//! needs, built once per cold start.

use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::ec2::SdkEc2;
use crate::error::Error;
use crate::input::config::Config;
use crate::input::plan::Plan;
use crate::input::request::Request;
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::reconcile::{reconcile, Deadline};
use crate::report::{metrics, Output};

/// What the handler needs: the Lightsail adapter and the configuration read at cold start
/// (a bad configuration fails each invocation with `InvalidConfiguration`, not the cold start).
#[derive(Debug)]
pub struct App {
    pub api: SdkLightsail,
    pub ec2: SdkEc2,
    pub config: Result<Config, Error>,
}

impl App {
    /// The adapters (Lightsail in the function's region and the source region; EC2 in the
    /// function's region, where exports land), and the configuration.
    pub fn new(sdk: &aws_config::SdkConfig, config: Result<Config, Error>) -> App {
        let source = config.as_ref().ok().and_then(|c| c.source_region.clone());
        App {
            api: SdkLightsail::from_sdk_config(sdk, source.as_deref()),
            ec2: SdkEc2::from_sdk_config(sdk),
            config,
        }
    }
}

/// The Lambda handler: one round of the engine.
pub async fn handler(event: LambdaEvent<Value>, app: &App) -> Result<Output, Error> {
    let config = app.config.as_ref().map_err(Clone::clone)?;
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let request = Request::parse(event.payload)?;
    let mut plan = Plan::new(config, request)?;
    plan.now = app.api.now();
    let output = reconcile(&app.api, &app.ec2, &plan, deadline).await?;
    if config.metrics {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // One EMF line on stdout: CloudWatch Logs turns it into metrics.
        println!("{}", metrics::emf(&output, &config.metrics_namespace, now));
    }
    Ok(output)
}

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
