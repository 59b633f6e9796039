//! The local runner: the whole nightly job from a terminal, round after round like the Step
//! Functions loop, against the embedded Lightsail emulator or against real AWS.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_lightsail::config::{Credentials, Region};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_emulator::{Emulator, Scenario};
use serde_json::{json, Value};

use crate::report::{Output, Status, TargetReport};
use crate::{handler, App, Config};

/// What `run` was asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `demo` or a scenario file: run against the embedded emulator. `None`: real AWS.
    pub emulator: Option<String>,
    pub region: Option<String>,
    pub targets: Vec<String>,
    pub tag: Option<String>,
    pub restore_date: Option<String>,
    pub dry_run: bool,
    pub max_rounds: u32,
    /// Print only the final output (JSON) on stdout, no progress.
    pub quiet: bool,
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

/// One line of progress for a target: what it is doing and, once exported, the EC2 id.
fn progress_line(round: u32, target: &TargetReport) -> String {
    let phase = serde_json::to_value(target.phase).ok();
    let phase = phase.as_ref().and_then(Value::as_str).unwrap_or("?");
    let kind = match target.resource_type {
        Some(kind) => format!("{kind:?}"),
        None => "-".into(),
    };
    let mut detail = Vec::new();
    if !target.actions.is_empty() {
        detail.push(target.actions.join("+"));
    }
    if let Some(name) = &target.snapshot_name {
        detail.push(name.clone());
    }
    if let Some(record) = &target.export_record {
        match &record.destination {
            Some(d) => detail.push(format!(
                "export {} -> {} ({})",
                record.state, d.id, d.service
            )),
            None => detail.push(format!("export {}", record.state)),
        }
    }
    if let Some(error) = &target.error {
        detail.push(format!("{:?}: {}", error.kind, error.message));
    }
    format!(
        "round {round:>2}  {:<24} {:<8} {:<10} {:<9}  {}",
        target.resource,
        kind,
        target.auto_snapshot_date.as_deref().unwrap_or("-"),
        phase,
        detail.join("  ")
    )
}

/// Runs rounds until every target is done (or `max_rounds`), printing progress to stderr and
/// the final output to stdout. Returns the final output.
pub async fn run(options: RunOptions) -> Result<Output, String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    let (emulator, sdk) = match &options.emulator {
        Some(which) => {
            let scenario = Scenario::named_or_file(which).map_err(|e| e.to_string())?;
            let region = options
                .region
                .clone()
                .unwrap_or_else(|| scenario.region.clone());
            let emulator = Emulator::start(scenario).await.map_err(|e| e.to_string())?;
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region))
                .endpoint_url(emulator.url())
                .credentials_provider(Credentials::new("local", "local", None, None, "emulator"))
                .load()
                .await;
            if options.targets.is_empty()
                && options.tag.is_none()
                && config.targets.is_empty()
                && config.target_tag.is_none()
            {
                // The demo world tags what it exports `export=nightly`.
                config.target_tag = crate::config::TagFilter::parse("export=nightly").ok();
            }
            if !options.quiet {
                eprintln!(
                    "embedded Lightsail emulator at {} (scenario `{which}`, clock x{})",
                    emulator.url(),
                    emulator.speed()
                );
            }
            (Some(emulator), sdk)
        }
        None => {
            let mut loader = aws_config::defaults(BehaviorVersion::latest());
            if let Some(region) = &options.region {
                loader = loader.region(Region::new(region.clone()));
            }
            (None, loader.load().await)
        }
    };
    let app = App::new(&sdk, Ok(config));

    let mut event = first_event(&options);
    let mut last: HashMap<String, String> = HashMap::new();
    let max_rounds = options.max_rounds.max(1);
    for round in 1..=max_rounds {
        let invocation = LambdaEvent::new(event.clone(), Context::default());
        let output = handler(invocation, &app)
            .await
            .map_err(|e| format!("{}: {e}", e.error_type()))?;
        if !options.quiet {
            for target in &output.targets {
                let line = progress_line(round, target);
                // Only what changed since the previous round, so progress reads as a story.
                let key = line
                    .split_once(&target.resource)
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or_default();
                if last.get(&target.resource) != Some(&key) {
                    eprintln!("{line}");
                    last.insert(target.resource.clone(), key);
                }
            }
        }
        let done = output.status != Status::InProgress || options.dry_run || round == max_rounds;
        if done {
            if !options.quiet {
                let s = &output.summary;
                eprintln!(
                    "{:?} after {round} round(s): {} exported, {} in progress, {} failed of {}",
                    output.status, s.exported, s.in_progress, s.failed, s.total
                );
            }
            return Ok(output);
        }
        let wait = output.next_check_seconds as f64;
        match &emulator {
            // The emulator's clock runs `speed` times real time: wait the same simulated time.
            Some(emulator) if emulator.speed() > 0.0 => {
                tokio::time::sleep(Duration::from_secs_f64(wait / emulator.speed())).await
            }
            Some(emulator) => emulator.advance(wait),
            None => {
                if !options.quiet {
                    eprintln!("waiting {wait} s before the next round");
                }
                tokio::time::sleep(Duration::from_secs_f64(wait)).await
            }
        }
        event = serde_json::to_value(&output).map_err(|e| e.to_string())?;
    }
    Err("no round ran".into())
}
