//! The local runner: the whole nightly job from a terminal, round after round like the Step
//! Functions loop, against the embedded Lightsail emulator, a standalone one, or real AWS; and a
//! status table of what exists.

pub mod checklist;
pub mod inventory;
mod progress;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_lightsail::config::{Credentials, Region};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_emulator::{Emulator, Scenario};
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::doctor::RoleToCheck;
use crate::handler::Response;
use crate::handler::{handler, App};
use crate::iam::SdkIam;
use crate::input::config::Config;
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::model::doctor::Report;
use crate::model::{ResourceType, TagFilter, Timestamp};
use crate::report::{Output, Status};
use inventory::Row;
use progress::Progress;

/// Where Lightsail is, for `run` and `status`.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    /// `demo` or a scenario file: start the emulator in-process with it.
    pub emulator: Option<String>,
    /// A Lightsail endpoint such as a standalone emulator (`http://127.0.0.1:9010`).
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
}

/// What `run` was asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub endpoint: Endpoint,
    pub targets: Vec<String>,
    pub tag: Option<String>,
    pub restore_date: Option<String>,
    pub dry_run: bool,
    pub max_rounds: u32,
    /// Nights to run on the embedded emulator's clock (default [`DEMO_NIGHTS`]); elsewhere one.
    pub nights: Option<u32>,
    /// Print only the final output (JSON) on stdout, no progress.
    pub quiet: bool,
}

/// A connection to Lightsail: the SDK configuration and, when embedded, the emulator.
struct Connection {
    emulator: Option<Emulator>,
    sdk: SdkConfig,
    /// When the current night started, on the emulator's clock.
    night_started: std::cell::Cell<f64>,
}

impl Connection {
    async fn open(endpoint: &Endpoint, quiet: bool) -> Result<Connection, String> {
        let local_credentials = || Credentials::new("local", "local", None, None, "emulator");
        if let Some(which) = &endpoint.emulator {
            let scenario = Scenario::named_or_file(which).map_err(|e| e.to_string())?;
            let region = endpoint
                .region
                .clone()
                .unwrap_or_else(|| scenario.region.clone());
            let emulator = Emulator::start(scenario).await.map_err(|e| e.to_string())?;
            if !quiet {
                eprintln!(
                    "embedded Lightsail emulator at {} (scenario `{which}`, clock x{})",
                    emulator.url(),
                    emulator.speed()
                );
            }
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region))
                .endpoint_url(emulator.url())
                .credentials_provider(local_credentials())
                .load()
                .await;
            let started = emulator.now();
            return Ok(Connection {
                emulator: Some(emulator),
                sdk,
                night_started: std::cell::Cell::new(started),
            });
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &endpoint.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &endpoint.endpoint_url {
            loader = loader
                .endpoint_url(url)
                .credentials_provider(local_credentials());
            if endpoint.region.is_none() {
                loader = loader.region(Region::new("us-east-1"));
            }
        }
        Ok(Connection {
            emulator: None,
            sdk: loader.load().await,
            night_started: std::cell::Cell::new(0.0),
        })
    }

    /// Now, on the clock of the Lightsail being talked to (the emulator's runs faster).
    fn now(&self) -> f64 {
        match &self.emulator {
            Some(emulator) => emulator.now(),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        }
    }

    /// The embedded emulator's clock moved to the same time tomorrow: the next night's start.
    fn next_night(&self, quiet: bool) {
        if let Some(emulator) = &self.emulator {
            const DAY: f64 = 86_400.0;
            let started = self.night_started.get();
            let next = started + DAY;
            emulator.advance((next - emulator.now()).max(0.0));
            self.night_started.set(next);
            if !quiet {
                let at = Timestamp::from_epoch_seconds(next).rfc3339();
                eprintln!("--- the next night, {at}: a new automatic snapshot of each resource");
            }
        }
    }

    /// Waits `seconds` of Lightsail time.
    async fn wait(&self, seconds: f64) {
        match &self.emulator {
            Some(emulator) if emulator.speed() > 0.0 => {
                tokio::time::sleep(Duration::from_secs_f64(seconds / emulator.speed())).await
            }
            Some(emulator) => emulator.advance(seconds),
            None => tokio::time::sleep(Duration::from_secs_f64(seconds)).await,
        }
    }
}

/// `EC2_KEEP` of runs against the embedded emulator, unless the environment sets a policy.
pub const DEMO_EC2_KEEP: u32 = 2;

/// The configuration from the environment, with the demo's default selection.
fn config(endpoint: &Endpoint, targets: &[String], tag: &Option<String>) -> Result<Config, String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    // EMF lines belong in CloudWatch, not in a terminal or a script's JSON.
    config.metrics = false;
    let nothing_chosen = targets.is_empty()
        && tag.is_none()
        && config.targets.is_empty()
        && config.target_tag.is_none();
    if endpoint.emulator.is_some() && nothing_chosen {
        // The demo world tags what it exports `export=nightly`.
        config.target_tag = TagFilter::parse("export=nightly").ok();
    }
    if endpoint.emulator.is_some() && !config.ec2_keep.enabled() {
        // Two exports kept per resource: the demo's third night retires the first one's.
        config.ec2_keep.last = Some(DEMO_EC2_KEEP);
    }
    Ok(config)
}

/// The first event of the run, as a schedule's input would give it.
fn first_event(options: &RunOptions) -> Value {
    let mut event = serde_json::Map::new();
    if !options.targets.is_empty() {
        event.insert("targets".into(), json!(options.targets));
    }
    if let Some(tag) = &options.tag {
        event.insert("targetTag".into(), json!(tag));
    }
    if let Some(date) = &options.restore_date {
        event.insert("restoreDate".into(), json!(date));
    }
    if options.dry_run {
        event.insert("dryRun".into(), json!(true));
    }
    Value::Object(event)
}

/// Runs rounds until every target is done (or `max_rounds`), showing progress on stderr.
/// Returns the final output.
pub async fn run(options: RunOptions) -> Result<Output, String> {
    let config = config(&options.endpoint, &options.targets, &options.tag)?;
    let connection = Connection::open(&options.endpoint, options.quiet).await?;
    let mut app = App::new(&connection.sdk, Ok(config.clone()));
    if let Some(emulator) = &connection.emulator {
        app = app.with_clock(Clock::from_fn(emulator.clock()));
    }
    let mut progress = Progress::new(options.quiet);
    // Nights are simulated only on the embedded emulator's clock.
    let nights = match &connection.emulator {
        Some(_) => options.nights.unwrap_or(DEMO_NIGHTS).max(1),
        None => 1,
    };
    let mut last = None;
    for night in 1..=nights {
        if night > 1 {
            connection.next_night(options.quiet);
        }
        let drills = demo_drills(&config, connection.emulator.is_some(), night == nights);
        let output = match drills {
            Some(config) => {
                let mut drilling = App::new(&connection.sdk, Ok(config));
                if let Some(emulator) = &connection.emulator {
                    drilling = drilling.with_clock(Clock::from_fn(emulator.clock()));
                }
                night_of_rounds(&options, &connection, &drilling, &mut progress).await?
            }
            None => night_of_rounds(&options, &connection, &app, &mut progress).await?,
        };
        let failed = output.status == Status::Failed;
        last = Some(output);
        if failed || options.dry_run {
            break;
        }
    }
    last.ok_or_else(|| "no round ran".to_string())
}

/// On the embedded emulator's last night, unless `RESTORE_TEST_*` configure drills: restore
/// drills of two targets (round-robin by name: the demo world's disk and one instance), so that
/// a person sees a drill boot, pass and be torn down.
fn demo_drills(config: &Config, emulator: bool, last_night: bool) -> Option<Config> {
    let wanted = emulator && last_night && !config.restore_test.enabled();
    wanted.then(|| {
        let mut drills = config.clone();
        drills.restore_test.every_days = Some(1);
        drills.restore_test.max_per_night = 2;
        drills
    })
}

/// Nights `cargo local run --emulator` runs by default: the third retires the first one's
/// exports (`DEMO_EC2_KEEP`).
pub const DEMO_NIGHTS: u32 = 3;

/// One night: rounds until every target is done (or `max_rounds`), as the state machine runs
/// them, the output fed back and `nextCheckSeconds` waited.
async fn night_of_rounds(
    options: &RunOptions,
    connection: &Connection,
    app: &App,
    progress: &mut Progress,
) -> Result<Output, String> {
    let mut event = first_event(options);
    let max_rounds = options.max_rounds.max(1);
    for round in 1..=max_rounds {
        let invocation = LambdaEvent::new(event.clone(), Context::default());
        let output = handler(invocation, app)
            .await
            .map_err(|e| format!("{}: {e}", e.error_type()))?
            .output()
            .ok_or("the function answered with a fan-out listing, not a round")?;
        progress.show(round, &output);
        let done = output.status != Status::InProgress || options.dry_run || round == max_rounds;
        if done {
            if !options.quiet {
                let s = &output.summary;
                eprintln!(
                    "{:?} after {round} round(s): {} exported, {} in progress, {} failed of {}",
                    output.status, s.exported, s.in_progress, s.failed, s.total
                );
                let kept = progress::kept_table(&output);
                if !kept.is_empty() {
                    eprintln!("{kept}");
                }
            }
            return Ok(output);
        }
        let wait = output.next_check_seconds as f64;
        if connection.emulator.is_none() && !options.quiet {
            eprintln!("waiting {wait} s before the next round");
        }
        connection.wait(wait).await;
        event = serde_json::to_value(&output).map_err(|e| e.to_string())?;
    }
    Err("no round ran".into())
}

/// The schedule `cargo local doctor` checks when neither `--schedule` nor
/// `SCHEDULE_EXPRESSION` names one: the template's default.
pub const TEMPLATE_SCHEDULE: &str = "cron(0 7 * * ? *)";

/// The doctor, as the deployed function runs it for `{"doctor": true}`: read-only checks of
/// the account and what its Lightsail does. `schedule` (else `SCHEDULE_EXPRESSION`, else the
/// template's default) is checked against each target's automatic snapshot time.
///
/// `function_role` (a name or ARN) is the role whose permissions are simulated; against the
/// embedded emulator, its credentials are the function's role, so they are by default.
pub async fn doctor(
    endpoint: Endpoint,
    targets: Vec<String>,
    tag: Option<String>,
    schedule: Option<String>,
    function_role: Option<String>,
) -> Result<Report, String> {
    let mut config = config(&endpoint, &targets, &tag)?;
    if let Some(expression) = schedule {
        config.schedule_expression = Some(expression);
    }
    if config.schedule_expression.is_none() {
        config.schedule_expression = Some(TEMPLATE_SCHEDULE.to_string());
    }
    let connection = Connection::open(&endpoint, true).await?;
    let role = match (function_role, &connection.emulator) {
        (Some(role), _) => RoleToCheck::Named(role),
        (None, Some(_)) => RoleToCheck::Caller,
        (None, None) => RoleToCheck::Unknown,
    };
    let mut app = App::new(&connection.sdk, Ok(config))
        .with_iam(SdkIam::from_sdk_config(&connection.sdk), role);
    if let Some(emulator) = &connection.emulator {
        app = app.with_clock(Clock::from_fn(emulator.clock()));
    }
    let mut event = serde_json::Map::from_iter([("doctor".to_string(), json!(true))]);
    if !targets.is_empty() {
        event.insert("targets".into(), json!(targets));
    }
    if let Some(tag) = tag {
        event.insert("targetTag".into(), json!(tag));
    }
    let invocation = LambdaEvent::new(Value::Object(event), Context::default());
    match handler(invocation, &app).await {
        Ok(Response::Doctor(output)) => Ok(output.doctor),
        Ok(_) => Err("the function did not answer with the doctor's report".into()),
        Err(error) => Err(format!("{}: {error}", error.error_type())),
    }
}

/// Each target's latest copy and export record. Targets by name or tag (else `TARGETS` /
/// `TARGET_TAG`, else every instance and disk of the region).
pub async fn status(
    endpoint: Endpoint,
    targets: Vec<String>,
    tag: Option<String>,
) -> Result<Vec<Row>, String> {
    let config = config(&endpoint, &targets, &tag)?;
    let connection = Connection::open(&endpoint, true).await?;
    let api = SdkLightsail::from_sdk_config(&connection.sdk, config.source_region.as_deref());
    let tag = match tag {
        Some(text) => Some(TagFilter::parse(&text)?),
        None if targets.is_empty() => config.target_tag.clone(),
        None => None,
    };
    let names = if targets.is_empty() {
        config.targets.clone()
    } else {
        targets
    };

    let (resources, copies, records) = tokio::join!(
        api.list_resources(),
        api.list_snapshots(),
        api.list_export_records()
    );
    let resources = resources.map_err(|e| format!("listing instances and disks: {e}"))?;
    let copies = copies.map_err(|e| format!("listing snapshots: {e}"))?;
    let records = records.map_err(|e| format!("listing export records: {e}"))?;

    let type_of = |name: &str| -> Option<ResourceType> {
        resources
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.resource_type)
    };
    let mut chosen: Vec<(String, Option<ResourceType>)> =
        names.iter().map(|n| (n.clone(), type_of(n))).collect();
    for resource in &resources {
        let tagged = tag.as_ref().is_some_and(|t| t.selects(&resource.tags));
        let everything = tag.is_none() && names.is_empty();
        if (tagged || everything) && !chosen.iter().any(|(n, _)| n == &resource.name) {
            chosen.push((resource.name.clone(), Some(resource.resource_type)));
        }
    }
    Ok(inventory::rows(
        &chosen,
        &copies,
        &records,
        Timestamp::from_epoch_seconds(connection.now()),
    ))
}
