//! The Lambda handler: any event form of the contract in, the output contract out; and what it
//! needs, built once per cold start.

use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde_json::Value;

use crate::clients::RegionClients;
use crate::ec2::SdkEc2;
use crate::error::Error;
use crate::input::config::Config;
use crate::input::plan::Plan;
use crate::input::regions::{split, RegionsPlan};
use crate::input::request::Request;
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::reconcile::regions::{list_items, reconcile_regions, RegionJob};
use crate::reconcile::{reconcile, Deadline};
use crate::report::fan_out::{BatchInput, FanOut};
use crate::report::regions::{self, Echo};
use crate::report::{metrics, Output};

/// What the handler needs: the adapters of the function's region (and of the source region),
/// the other regions' (built on first use), and the configuration read at cold start (a bad
/// configuration fails each invocation with `InvalidConfiguration`, not the cold start).
#[derive(Debug)]
pub struct App {
    pub api: SdkLightsail,
    pub ec2: SdkEc2,
    pub config: Result<Config, Error>,
    /// The adapters of the other regions of a run over several regions.
    pub regions: RegionClients,
}

impl App {
    /// The adapters (Lightsail in the function's region and the source region; EC2 in the
    /// function's region, where exports land), the other regions', and the configuration.
    pub fn new(sdk: &aws_config::SdkConfig, config: Result<Config, Error>) -> App {
        let source = config.as_ref().ok().and_then(|c| c.source_region.clone());
        App {
            api: SdkLightsail::from_sdk_config(sdk, source.as_deref()),
            ec2: SdkEc2::from_sdk_config(sdk),
            config,
            regions: RegionClients::from_sdk_config(sdk),
        }
    }

    /// `region`'s adapters, on the same clock as the function's own.
    fn adapters(&self, region: &str) -> Result<(SdkLightsail, SdkEc2), Error> {
        if region == self.api.region() {
            return Ok((self.api.clone(), self.ec2.clone()));
        }
        match self.regions.get(region) {
            Some((api, ec2)) => Ok((api.with_clock(self.api.clock().clone()), ec2)),
            None => Err(Error::InvalidConfiguration(format!(
                "no Lightsail client for {region}"
            ))),
        }
    }

    /// Each region's plan and adapters. A bad part of the request is the invocation's error,
    /// before any call; a region that already failed in this run is not tried again.
    fn jobs(
        &self,
        config: &Config,
        layout: RegionsPlan,
        request: &Request,
    ) -> Result<Vec<RegionJob<SdkLightsail, SdkEc2>>, Error> {
        let failed = |region: &str| request.region_errors.iter().any(|e| e.region == region);
        let mut jobs = Vec::new();
        for (region, part) in layout.regions {
            if failed(&region) {
                continue;
            }
            let plan = part.map(|part| Plan::new(config, part)).transpose()?;
            let adapters = self.adapters(&region);
            jobs.push(RegionJob {
                region,
                plan,
                adapters,
            });
        }
        Ok(jobs)
    }
}

/// The handler's answer: a round's output, or the fan-out's listing of its items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Round(Box<Output>),
    FanOut(FanOut),
}

impl Response {
    /// The round's output (`None` for the fan-out's listing).
    pub fn output(self) -> Option<Output> {
        match self {
            Response::Round(output) => Some(*output),
            Response::FanOut(_) => None,
        }
    }
}

/// The Lambda handler: one round of the engine, the fan-out's listing, or its aggregate.
pub async fn handler(event: LambdaEvent<Value>, app: &App) -> Result<Response, Error> {
    let config = app.config.as_ref().map_err(Clone::clone)?;
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let mut request = Request::parse(event.payload)?;
    if let Some(results) = request.aggregate.take() {
        let output = regions::aggregate(results, std::mem::take(&mut request.region_errors));
        return Ok(Response::Round(Box::new(output)));
    }
    let layout = split(config, &request, &app.api.region())?;
    if request.fan_out {
        let batch_input = BatchInput {
            restore_date: request.restore_date.clone(),
            dry_run: request.dry_run,
        };
        let jobs = app.jobs(config, layout, &request)?;
        return Ok(Response::FanOut(list_items(jobs, batch_input).await?));
    }
    let mut output = match layout.multi {
        false => {
            let mut plan = Plan::new(config, request.clone())?;
            plan.now = app.api.now();
            // Boxed, as the regions' round below: the round's futures nested in the runtime's
            // are deeper than the compiler's default layout limit.
            Box::pin(reconcile(&app.api, &app.ec2, &plan, deadline)).await?
        }
        true => {
            let echo = Echo {
                restore_date: request.restore_date.clone(),
                dry_run: (request.dry_run.is_some() || config.dry_run)
                    .then_some(request.dry_run.unwrap_or(config.dry_run)),
                next_check_seconds: config.next_check_seconds,
            };
            let jobs = app.jobs(config, layout, &request)?;
            let parts = Box::pin(reconcile_regions(jobs, deadline)).await?;
            if parts.iter().all(|(_, p)| *p == regions::RegionRound::Empty)
                && request.region_errors.is_empty()
            {
                return Err(Error::NoTargets(
                    "no target in any region: no instance or disk has the tag".into(),
                ));
            }
            regions::merge(parts, std::mem::take(&mut request.region_errors), echo)
        }
    };
    if request.fan_out_item {
        regions::settle(&mut output);
    }
    if config.metrics {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // One EMF line on stdout: CloudWatch Logs turns it into metrics.
        println!("{}", metrics::emf(&output, &config.metrics_namespace, now));
    }
    Ok(Response::Round(Box::new(output)))
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
