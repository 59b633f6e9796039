//! A harness for driving rounds of the real handler over HTTP against an in-process emulator.
#![allow(dead_code)]

use std::time::Duration;

use aws_sdk_lightsail::config::{Credentials, Region};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_emulator::{Emulator, Faults, Scenario, WriteRecord};
use lightsail_export::report::{Output, Status, TargetReport};
use lightsail_export::{handler, App, Config, Error, LightsailApi};
use serde_json::Value;

pub struct Harness {
    pub emulator: Emulator,
    pub app: App,
}

/// Rounds a run may take before a test calls it an endless loop.
pub const MAX_ROUNDS: usize = 40;

pub fn client(url: &str, region: &str) -> aws_sdk_lightsail::Client {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            )),
        )
        .build();
    let conf = lightsail_export::lightsail::client_config(&sdk)
        .retry_config(
            aws_sdk_lightsail::config::retry::RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .build();
    aws_sdk_lightsail::Client::from_conf(conf)
}

impl Harness {
    /// An emulator from `yaml` (clock moved by hand) and the function configured with `config`.
    pub async fn new(yaml: &str, config: Config) -> Harness {
        let mut scenario = Scenario::from_str(yaml).expect("scenario");
        scenario.speed = 0.0;
        let emulator = Emulator::start(scenario).await.expect("emulator starts");
        let client = client(&emulator.url(), "us-east-1");
        let api = LightsailApi::new(client.clone(), client, "us-east-1")
            .with_write_backoff(Duration::from_millis(5));
        Harness {
            emulator,
            app: App {
                api,
                config: Ok(config),
            },
        }
    }

    pub async fn invoke(&self, event: Value) -> Result<Output, Error> {
        handler(LambdaEvent::new(event, Context::default()), &self.app).await
    }

    /// Rounds as the state machine runs them: the output goes back in, the clock moves by
    /// `nextCheckSeconds`, until the status is final.
    pub async fn run(&self, event: Value) -> Vec<Output> {
        let mut outputs: Vec<Output> = Vec::new();
        let mut event = event;
        for _ in 0..MAX_ROUNDS {
            let output = self.invoke(event).await.expect("round succeeds");
            let done = output.status != Status::InProgress;
            self.emulator.advance(output.next_check_seconds as f64);
            event = serde_json::to_value(&output).expect("output serialises");
            outputs.push(output);
            if done {
                return outputs;
            }
        }
        panic!(
            "no final status after {MAX_ROUNDS} rounds: {:#?}",
            outputs.last()
        );
    }

    pub fn writes(&self, operation: &str) -> Vec<WriteRecord> {
        self.emulator
            .writes()
            .into_iter()
            .filter(|w| w.operation == operation)
            .collect()
    }

    /// Writes of `operation` that changed the world.
    pub fn applied(&self, operation: &str) -> usize {
        self.writes(operation).iter().filter(|w| w.applied).count()
    }

    pub fn calls(&self, operation: &str) -> u64 {
        self.emulator
            .call_counts()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.emulator.set_faults(faults);
    }
}

pub fn target<'a>(output: &'a Output, resource: &str) -> &'a TargetReport {
    output
        .targets
        .iter()
        .find(|t| t.resource == resource)
        .unwrap_or_else(|| panic!("no target {resource} in {output:#?}"))
}

pub fn config(targets: &[&str]) -> Config {
    Config {
        targets: targets.iter().map(|t| t.to_string()).collect(),
        ..Config::default()
    }
}

/// A world of a few resources, used by most tests.
pub const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
pageSize: 25
seed: 7
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    blueprintId: ubuntu_22_04
    tags: { export: nightly }
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
  - name: shop.example.com
    blueprintId: wordpress
    tags: { export: nightly }
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: InProgress, completesAfterSeconds: 600 }
  - name: blog
    blueprintId: ghost_5
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: broken
    blueprintId: ubuntu_22_04
    autoSnapshots:
      - { date: "2026-11-20", status: Failed }
      - { date: "2026-11-21", status: InProgress }
  - name: twin
    blueprintId: ubuntu_22_04
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 64
    tags: { export: nightly }
    autoSnapshots:
      - { date: "2026-11-21", status: Success }
  - name: twin
    sizeInGb: 8
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
unrelatedExportRecords: 30
"#;
