//! The Lambda handler: any event form of the contract in, the output contract out; and what it
//! needs, built once per cold start.

use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde_json::Value;

use crate::clients::RegionClients;
use crate::clock::Clock;
use crate::doctor::{Doctor, RoleToCheck};
use crate::ec2::SdkEc2;
use crate::error::Error;
use crate::iam::SdkIam;
use crate::input::config::Config;
use crate::input::plan::Plan;
use crate::input::request::{Invocation, Request};
use crate::input::split::{split, RegionsPlan};
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::model::doctor::DoctorOutput;
use crate::model::{TagFilter, Timestamp};
use crate::reconcile::regions::{list_items, reconcile_regions, Adapters, RegionJob};
use crate::reconcile::{reconcile, Deadline};
use crate::report::fan_out::{BatchInput, FanOut};
use crate::report::merge::{self, Echo};
use crate::report::{metrics, Output};
use crate::sts::SdkSts;

/// The configuration read at cold start. A bad one fails each invocation with
/// `InvalidConfiguration`, not the cold start, so the error reaches the caller.
#[derive(Debug)]
enum Configuration {
    Valid(Box<Config>),
    Invalid(Error),
}

/// What the handler needs: the adapters of the function's region (and of the source region),
/// the other regions' (built on first use), and the configuration read at cold start.
#[derive(Debug)]
pub struct App {
    api: SdkLightsail,
    ec2: SdkEc2,
    configuration: Configuration,
    /// The adapters of the other regions of a run over several regions.
    regions: RegionClients,
    /// Who the credentials are, for the doctor (`None`: its credentials line is not checked).
    sts: Option<SdkSts>,
    /// The doctor's IAM reads (`None`: the service-linked role and permissions are not checked).
    iam: Option<SdkIam>,
    /// Whose permissions the doctor simulates.
    role: RoleToCheck,
}

impl App {
    /// The adapters (Lightsail in the function's region and the source region; EC2 in the
    /// function's region, where exports land), the other regions', and the configuration.
    pub fn new(sdk: &aws_config::SdkConfig, config: Result<Config, Error>) -> App {
        let source = config.as_ref().ok().and_then(|c| c.source_region.clone());
        App::from_adapters(
            SdkLightsail::from_sdk_config(sdk, source.as_deref()),
            SdkEc2::from_sdk_config(sdk),
            config,
            RegionClients::from_sdk_config(sdk),
        )
        .with_sts(SdkSts::from_sdk_config(sdk))
        .with_iam(SdkIam::from_sdk_config(sdk), role_in_lambda())
    }

    /// An app over adapters built elsewhere (tests, benchmarks).
    pub fn from_adapters(
        api: SdkLightsail,
        ec2: SdkEc2,
        config: Result<Config, Error>,
        regions: RegionClients,
    ) -> App {
        let configuration = match config {
            Ok(config) => Configuration::Valid(Box::new(config)),
            Err(error) => Configuration::Invalid(error),
        };
        App {
            api,
            ec2,
            configuration,
            regions,
            sts: None,
            iam: None,
            role: RoleToCheck::Unknown,
        }
    }

    /// The same app with an IAM adapter for the doctor, simulating `role`'s permissions.
    pub fn with_iam(mut self, iam: SdkIam, role: RoleToCheck) -> App {
        self.iam = Some(iam);
        self.role = role;
        self
    }

    /// The same app with an STS adapter for the doctor's credentials line.
    pub fn with_sts(mut self, sts: SdkSts) -> App {
        self.sts = Some(sts);
        self
    }

    /// The same app on another clock (the local runner's emulator simulates nights).
    pub fn with_clock(mut self, clock: Clock) -> App {
        self.api = self.api.with_clock(clock);
        self
    }

    /// The function's own region's Lightsail adapter.
    pub fn lightsail(&self) -> &SdkLightsail {
        &self.api
    }

    /// The function's own region's EC2 adapter.
    pub fn ec2(&self) -> &SdkEc2 {
        &self.ec2
    }

    fn config(&self) -> Result<&Config, Error> {
        match &self.configuration {
            Configuration::Valid(config) => Ok(config),
            Configuration::Invalid(error) => Err(error.clone()),
        }
    }

    /// `region`'s adapters, on the same clock as the function's own.
    fn adapters(&self, region: &str) -> Adapters<SdkLightsail, SdkEc2> {
        if region == self.api.region() {
            return Adapters::Ready(self.api.clone(), self.ec2.clone());
        }
        match self.regions.get(region) {
            Some((api, ec2)) => Adapters::Ready(api.with_clock(self.api.clock().clone()), ec2),
            None => Adapters::Unavailable(Error::InvalidConfiguration(format!(
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
        // A region that failed earlier in the run is reported again, not retried; one whose
        // listings failed transiently is tried again, its window going on.
        let carried = |region: &str| request.region_errors.iter().find(|e| e.region == region);
        let mut jobs = Vec::new();
        for (region, part) in layout.regions {
            let failing_since = match carried(&region) {
                Some(error) if error.is_retried() => match error.failing_since.as_deref() {
                    Some(since) => Some(Timestamp::parse_rfc3339(since).map_err(|reason| {
                        Error::InvalidInput(format!(
                            "previous output, regionErrors, `{region}`: failingSince {reason}"
                        ))
                    })?),
                    None => None,
                },
                Some(_) => continue,
                None => None,
            };
            let adapters = self.adapters(&region);
            // One "now" for every region of the round, read off the function's own region's
            // clock (the emulator's in tests and the local runner, whose other regions' clients
            // have none of their own).
            let now = self.api.now();
            let plan = part.map(|part| Plan::new(config, part, now)).transpose()?;
            jobs.push(RegionJob {
                region,
                plan,
                adapters,
                failing_since,
            });
        }
        Ok(jobs)
    }
}

/// The handler's answer: a round's output, the fan-out's listing of its items, or the
/// doctor's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Round(Box<Output>),
    FanOut(FanOut),
    Doctor(Box<DoctorOutput>),
}

impl Response {
    /// The round's output (`None` for the fan-out's listing and the doctor's report).
    pub fn output(self) -> Option<Output> {
        match self {
            Response::Round(output) => Some(*output),
            Response::FanOut(_) | Response::Doctor(_) => None,
        }
    }
}

/// The Lambda handler: whatever the event is (`Invocation`), its own entry point.
pub async fn handler(event: LambdaEvent<Value>, app: &App) -> Result<Response, Error> {
    let invocation = Invocation::parse(event.payload);
    // The doctor runs even on a bad configuration, which it reports as its first line; any other
    // invocation fails on it first, as it always has.
    if let Ok(Invocation::Doctor(request)) = invocation {
        return doctor(app, request).await;
    }
    let config = app.config()?;
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let output = match invocation? {
        Invocation::Aggregate {
            results,
            region_errors,
        } => {
            return Ok(Response::Round(Box::new(merge::aggregate(
                results,
                region_errors,
            ))))
        }
        Invocation::ListItems(request) => {
            return list(app, config, request).await.map(Response::FanOut)
        }
        Invocation::Doctor(request) => return doctor(app, request).await,
        Invocation::Round(request) => round(app, config, request, deadline).await?,
        Invocation::ItemRound(request) => {
            let mut output = round(app, config, request, deadline).await?;
            merge::settle(&mut output);
            output
        }
    };
    if config.metrics {
        // One EMF line on stdout: CloudWatch Logs turns it into metrics.
        let now = Timestamp::now_utc();
        println!("{}", metrics::emf(&output, &config.metrics_namespace, now));
    }
    Ok(Response::Round(Box::new(output)))
}

/// Inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` is set) the credentials are the function's role's,
/// so the doctor simulates that; elsewhere the role is not known.
fn role_in_lambda() -> RoleToCheck {
    match std::env::var_os("AWS_LAMBDA_FUNCTION_NAME") {
        Some(_) => RoleToCheck::Caller,
        None => RoleToCheck::Unknown,
    }
}

/// The doctor's checks of the function's region: the environment's targets, or the request's.
async fn doctor(app: &App, request: Request) -> Result<Response, Error> {
    // A bad configuration is the report's first line; the rest is checked with the defaults.
    let (mut config, invalid) = match app.config() {
        Ok(config) => (config.clone(), None),
        Err(error) => (Config::default(), Some(error.to_string())),
    };
    if request.targets.is_some() || request.target_tag.is_some() {
        config.targets = request.targets.unwrap_or_default();
        config.target_tag = match request.target_tag {
            Some(text) => Some(
                TagFilter::parse(&text)
                    .map_err(|reason| Error::InvalidInput(format!("targetTag: {reason}")))?,
            ),
            None => None,
        };
    }
    let doctor = Doctor {
        lightsail: &app.api,
        ec2: &app.ec2,
        sts: app.sts.as_ref(),
        iam: app.iam.as_ref(),
        role: app.role.clone(),
    };
    let report = doctor.examine(&config, invalid).await;
    Ok(Response::Doctor(Box::new(DoctorOutput { doctor: report })))
}

/// The fan-out's listing of its items, region by region.
async fn list(app: &App, config: &Config, request: Request) -> Result<FanOut, Error> {
    let layout = split(config, &request, &app.api.region())?;
    let batch_input = BatchInput {
        restore_date: request.restore_date.clone(),
        dry_run: request.dry_run,
        restore_test: request.restore_test,
    };
    let jobs = app.jobs(config, layout, &request)?;
    list_items(jobs, batch_input).await
}

/// One round: in the function's region, or in every region of a run over several.
async fn round(
    app: &App,
    config: &Config,
    mut request: Request,
    deadline: Deadline,
) -> Result<Output, Error> {
    let layout = split(config, &request, &app.api.region())?;
    if !layout.multi {
        let plan = Plan::new(config, request, app.api.now())?;
        // Boxed, as the regions' round below: the round's futures nested in the runtime's
        // are deeper than the compiler's default layout limit.
        return Box::pin(reconcile(&app.api, &app.ec2, &plan, deadline)).await;
    }
    let echo = Echo {
        restore_date: request.restore_date.clone(),
        dry_run: request.echo_dry_run(config.dry_run),
        restore_test: request.restore_test,
        next_check_seconds: config.next_check_seconds,
    };
    let jobs = app.jobs(config, layout, &request)?;
    let parts = Box::pin(reconcile_regions(jobs, deadline)).await?;
    if parts.iter().all(|(_, p)| *p == merge::RegionRound::Empty)
        && request.region_errors.is_empty()
    {
        return Err(Error::NoTargets(
            "no target in any region: no instance or disk has the tag".into(),
        ));
    }
    let mut carried = std::mem::take(&mut request.region_errors);
    carried.retain(|error| !error.is_retried());
    Ok(merge::merge(parts, carried, echo))
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
