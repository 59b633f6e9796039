//! A harness for driving rounds of the real handler over HTTP against an in-process emulator.
#![allow(dead_code)]

pub mod runtime;

use std::time::Duration;

use aws_sdk_lightsail::config::{Credentials, Region};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_emulator::{Emulator, Faults, Scenario, WriteRecord};
use lightsail_export::lightsail::{Lightsail, SdkLightsail};
use lightsail_export::report::{Output, Status, TargetReport};
use lightsail_export::{handler, App, Config, Error};
use serde_json::Value;

pub struct Harness {
    pub emulator: Emulator,
    pub app: App,
}

/// Rounds a run may take before a test calls it an endless loop.
pub const MAX_ROUNDS: usize = 40;

pub fn client(url: &str, region: &str) -> aws_sdk_lightsail::Client {
    client_with(url, region, &ClientOptions::shared_quota())
}

impl Harness {
    /// An emulator from `yaml` (clock moved by hand) and the function configured with `config`.
    pub async fn new(yaml: &str, config: Config) -> Harness {
        Harness::with_options(yaml, config, &ClientOptions::shared_quota()).await
    }

    pub async fn invoke(&self, event: Value) -> Result<Output, Error> {
        let response = self.respond(event).await?;
        Ok(response
            .output()
            .expect("a round's output, not the fan-out's listing"))
    }

    /// The handler's answer, whatever it is (a round's output, the fan-out's listing).
    pub async fn respond(&self, event: Value) -> Result<lightsail_export::Response, Error> {
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

// ---------------------------------------------------------------------------------------------
// Helpers of the reliability tests (faults, crashes, concurrent rounds, properties, bad input).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_lightsail::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_lightsail::config::retry::{RetryConfig, RetryPartition};
use aws_sdk_lightsail::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_lightsail::error::BoxError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// The Lightsail and EC2 operations that change the world.
pub const WRITES: &[&str] = &[
    "CopySnapshot",
    "ExportSnapshot",
    "DeleteInstanceSnapshot",
    "DeleteDiskSnapshot",
    "TagResource",
    "UntagResource",
    "CreateTags",
    "DeregisterImage",
    "DeleteSnapshot",
    "ModifySnapshotTier",
    "CreateSecurityGroup",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "RunInstances",
    "TerminateInstances",
    "CreateVolume",
    "DeleteVolume",
];

/// How the harness's SDK client is built.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The read retries; `None` keeps [`client`]'s (standard, 5 attempts, 5–50 ms backoff).
    pub retry: Option<RetryConfig>,
    /// A retry partition of its own, so this client's retry quota (the SDK keeps one per
    /// partition name for the whole process) is not drained by other tests.
    pub isolated_quota: bool,
    /// A crash switch (see [`CrashSwitch`]).
    pub crash: Option<Arc<CrashSwitch>>,
    /// Counts every attempt and the faults it met, as the client saw them.
    pub stats: Option<Arc<CallStats>>,
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            retry: None,
            isolated_quota: true,
            crash: None,
            stats: None,
            access_key: "AKIDTEST".into(),
            secret_key: "secret".into(),
            session_token: None,
        }
    }
}

impl ClientOptions {
    /// The defaults, with the SDK's process-wide retry quota, as a deployed function has.
    pub fn shared_quota() -> ClientOptions {
        ClientOptions {
            isolated_quota: false,
            ..ClientOptions::default()
        }
    }
}

/// A retry configuration without jitter, so the same faults give the same calls in the same order.
pub fn static_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(lightsail_export::lightsail::READ_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(2))
        .with_max_backoff(Duration::from_millis(20))
        .with_use_static_exponential_base(true)
}

static PARTITIONS: AtomicUsize = AtomicUsize::new(0);

/// The function's EC2 adapter on the emulator (its EC2 side answers on the same address).
pub fn ec2_client(url: &str, region: &str) -> lightsail_export::ec2::SdkEc2 {
    ec2_client_with(url, region, &ClientOptions::shared_quota())
}

/// Like [`ec2_client`], with the crash switch and call statistics of `options`.
pub fn ec2_client_with(
    url: &str,
    region: &str,
    options: &ClientOptions,
) -> lightsail_export::ec2::SdkEc2 {
    let sdk = emulator_sdk_config(url, region);
    let mut conf = lightsail_export::ec2::client_config(&sdk).retry_config(
        options.retry.clone().unwrap_or_else(|| {
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50))
        }),
    );
    if let Some(crash) = &options.crash {
        conf = conf.interceptor(CrashInterceptor(crash.clone()));
    }
    if let Some(stats) = &options.stats {
        conf = conf.interceptor(StatsInterceptor(stats.clone()));
    }
    lightsail_export::ec2::SdkEc2::new(aws_sdk_ec2::Client::from_conf(conf.build()))
}

/// The function's client configuration (`client_config`) on the emulator, with `options`.
pub fn client_with(url: &str, region: &str, options: &ClientOptions) -> aws_sdk_lightsail::Client {
    let credentials = Credentials::new(
        options.access_key.clone(),
        options.secret_key.clone(),
        options.session_token.clone(),
        None,
        "test",
    );
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .build();
    let mut conf = lightsail_export::lightsail::client_config(&sdk).retry_config(
        options.retry.clone().unwrap_or_else(|| {
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50))
        }),
    );
    if options.isolated_quota {
        let n = PARTITIONS.fetch_add(1, Ordering::Relaxed);
        conf = conf.retry_partition(RetryPartition::new(format!("lightsail-test-{n}")));
    }
    if let Some(crash) = &options.crash {
        conf = conf.interceptor(CrashInterceptor(crash.clone()));
    }
    if let Some(stats) = &options.stats {
        conf = conf.interceptor(StatsInterceptor(stats.clone()));
    }
    aws_sdk_lightsail::Client::from_conf(conf.build())
}

/// An SDK configuration whose every service is the emulator (STS and IAM answer on the same
/// address as Lightsail and EC2).
pub fn emulator_sdk_config(url: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            )),
        )
        .build()
}

impl Harness {
    /// The same harness, its app as deployed in Lambda for the doctor: STS and IAM adapters, and
    /// the credentials' role is the function's (so its permissions are simulated).
    pub fn deployed(self) -> Harness {
        let sdk = emulator_sdk_config(&self.emulator.url(), "us-east-1");
        let sts = lightsail_export::sts::SdkSts::from_sdk_config(&sdk);
        let iam = lightsail_export::iam::SdkIam::from_sdk_config(&sdk);
        let role = lightsail_export::doctor::RoleToCheck::Caller;
        Harness {
            app: self.app.with_sts(sts).with_iam(iam, role),
            emulator: self.emulator,
        }
    }

    /// Like [`Harness::new`], with the client built from `options`.
    pub async fn with_options(yaml: &str, config: Config, options: &ClientOptions) -> Harness {
        let mut scenario = Scenario::from_str(yaml).expect("scenario");
        scenario.speed = 0.0;
        // The function runs under the template's Lightsail policy, as deployed: a delete of a
        // snapshot it did not tag, or a tag outside its keys, is refused.
        scenario.lightsail_policy.template = true;
        let emulator = Emulator::start(scenario).await.expect("emulator starts");
        let client = client_with(&emulator.url(), "us-east-1", options);
        // The function reads "now" off the emulator's simulated clock, as Lightsail's own.
        let api = SdkLightsail::new(client.clone(), client, "us-east-1")
            .with_write_backoff(Duration::from_millis(5))
            .with_clock(lightsail_export::clock::Clock::from_fn(emulator.clock()));
        let ec2 = ec2_client_with(&emulator.url(), "us-east-1", options);
        // The other regions of a run over several: clients built alike.
        let (url, options) = (emulator.url(), options.clone());
        let regions = lightsail_export::clients::RegionClients::from_fn(move |region| {
            let client = client_with(&url, region, &options);
            let api = SdkLightsail::new(client.clone(), client, region)
                .with_write_backoff(Duration::from_millis(5));
            (api, ec2_client_with(&url, region, &options))
        });
        Harness {
            emulator,
            app: App::from_adapters(api, ec2, Ok(config), regions),
        }
    }

    /// The next night: the clock at the same time tomorrow as `started` (moved on a day).
    pub fn next_night(&self, started: &mut f64) {
        *started += 86_400.0;
        self.emulator
            .advance((*started - self.emulator.now()).max(0.0));
    }

    /// One night's rounds until its status is final, with `switch` armed at `point`: a round
    /// that crashes is thrown away and the night starts again from scratch, as a new execution
    /// would. Panics after 80 rounds.
    pub async fn night_crashing_at(&self, crash: Option<(&CrashSwitch, CrashPoint)>) -> Output {
        if let Some((switch, point)) = crash {
            switch.arm(point);
        }
        let mut event = serde_json::json!({});
        for _ in 0..80 {
            let result = self.invoke(event.clone()).await;
            if let Some((switch, _)) = crash.filter(|(s, _)| s.crashed()) {
                switch.disarm();
                event = serde_json::json!({});
                continue;
            }
            let output = result.expect("round succeeds");
            self.emulator.advance(output.next_check_seconds as f64);
            if output.status != Status::InProgress {
                return output;
            }
            event = serde_json::to_value(&output).expect("output");
        }
        panic!("no final status");
    }

    /// Rounds as the state machine runs them, with its `Retry` on `Retryable` invocation errors
    /// (the same event again, after a short wait). Panics after `max_rounds` invocations.
    pub async fn run_retrying(&self, event: Value, max_rounds: usize) -> Run {
        let mut run = Run::default();
        let mut event = event;
        for _ in 0..max_rounds {
            run.invocations += 1;
            match self.invoke(event.clone()).await {
                Ok(output) => {
                    let done = output.status != Status::InProgress;
                    self.emulator.advance(output.next_check_seconds as f64);
                    event = serde_json::to_value(&output).expect("output serialises");
                    run.outputs.push(output);
                    if done {
                        return run;
                    }
                }
                Err(error) if error.error_type() == "Retryable" => {
                    run.retried += 1;
                    self.emulator.advance(5.0);
                }
                Err(error) => panic!("round failed with {}: {error}", error.error_type()),
            }
        }
        panic!(
            "no final status after {max_rounds} invocations: {:#?}",
            run.outputs.last()
        );
    }

    /// Applied writes of `operation`, per target (snapshot) name.
    pub fn applied_per_target(&self, operation: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for write in self.writes(operation).into_iter().filter(|w| w.applied) {
            *counts.entry(write.target).or_insert(0) += 1;
        }
        counts
    }

    /// Every export record of the function's region, read with a client of its own, without faults.
    pub async fn export_records(&self) -> Vec<lightsail_export::model::ExportRecord> {
        let saved = self.emulator.faults();
        self.emulator
            .set_faults(lightsail_emulator::Faults::default());
        let c = client_with(&self.emulator.url(), "us-east-1", &ClientOptions::default());
        let records = SdkLightsail::new(c.clone(), c, "us-east-1")
            .list_export_records()
            .await
            .expect("export records");
        self.emulator.set_faults(saved);
        records
    }

    /// Checks "never twice" on the emulator's write log and records: at most one copy per copy
    /// name (so per resource and date), at most `max_attempts` exports started per copy, at most
    /// one successful export per copy, and no delete at all. Returns the duplicates found (0).
    pub async fn assert_never_twice(&self, max_attempts: u32) -> Duplicates {
        let copies = self.applied_per_target("CopySnapshot");
        for (name, n) in &copies {
            assert!(
                *n <= 1,
                "{n} copies named {name}: {:#?}",
                self.emulator.writes()
            );
        }
        let exports = self.applied_per_target("ExportSnapshot");
        for (name, n) in &exports {
            assert!(
                *n <= max_attempts as usize,
                "{n} exports of {name}, MAX_EXPORT_ATTEMPTS is {max_attempts}"
            );
        }
        let mut succeeded: BTreeMap<String, usize> = BTreeMap::new();
        for record in self.export_records().await {
            if record.state == lightsail_export::model::RecordState::Succeeded
                && exports.contains_key(&record.source_name)
            {
                *succeeded.entry(record.source_name.clone()).or_insert(0) += 1;
            }
        }
        for (name, n) in &succeeded {
            assert!(*n <= 1, "{n} successful exports of {name}");
        }
        let deletes: Vec<WriteRecord> = self
            .emulator
            .writes()
            .into_iter()
            .filter(|w| w.operation.starts_with("Delete"))
            .collect();
        assert!(deletes.is_empty(), "deletes: {deletes:#?}");
        Duplicates {
            copies: copies.len(),
            exports: exports.values().sum(),
            successful_exports: succeeded.values().sum(),
        }
    }

    /// Faults the emulator rolled so far: writes and reads that got an injected error.
    pub fn faulted_writes(&self) -> usize {
        self.emulator
            .writes()
            .iter()
            .filter(|w| {
                matches!(
                    w.error.as_deref(),
                    Some("ThrottlingException" | "ServiceException" | "DroppedConnection")
                )
            })
            .count()
    }

    pub fn total_calls(&self) -> u64 {
        self.emulator.call_counts().values().sum()
    }
}

/// What [`Harness::run_retrying`] saw.
#[derive(Debug, Default)]
pub struct Run {
    pub outputs: Vec<Output>,
    /// Invocations, the retried ones included.
    pub invocations: usize,
    /// Invocations that failed with `Retryable` and were retried.
    pub retried: usize,
}

impl Run {
    pub fn last(&self) -> &Output {
        self.outputs.last().expect("at least one output")
    }
}

/// The copies and exports a run made (each checked to be no duplicate).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Duplicates {
    pub copies: usize,
    pub exports: usize,
    pub successful_exports: usize,
}

/// When a [`CrashSwitch`] stops the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// Just before the k-th write is sent: it never reaches Lightsail.
    BeforeWrite(usize),
    /// Just after the k-th write's response arrived: Lightsail applied it, nobody learns of it.
    AfterWrite(usize),
}

/// A crash of the function at a chosen write, made exact by an SDK interceptor: once it has
/// "crashed", no request of that client reaches Lightsail any more (every one fails before it is
/// sent), so the world holds exactly the writes made before the crash point; the test discards
/// the round's output, as a Lambda that died would.
#[derive(Debug, Default)]
pub struct CrashSwitch {
    state: Mutex<CrashState>,
}

#[derive(Debug, Default)]
struct CrashState {
    armed: Option<CrashPoint>,
    sent: usize,
    answered: usize,
    crashed: bool,
}

impl CrashSwitch {
    /// Arms the switch; writes are counted from now.
    pub fn arm(&self, point: CrashPoint) {
        *self.state.lock().unwrap() = CrashState {
            armed: Some(point),
            ..CrashState::default()
        };
    }

    /// Back to normal: requests go through.
    pub fn disarm(&self) {
        *self.state.lock().unwrap() = CrashState::default();
    }

    pub fn crashed(&self) -> bool {
        self.state.lock().unwrap().crashed
    }
}

#[derive(Debug)]
struct CrashInterceptor(Arc<CrashSwitch>);

#[derive(Debug, Clone)]
struct IsWrite;

impl Storable for IsWrite {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CrashInterceptor {
    fn name(&self) -> &'static str {
        "CrashInterceptor"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Lightsail's and EC2's operations alike, by the name the SDK gives the call.
        let _ = context;
        let operation = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        let write = WRITES.contains(&operation.as_str());
        let mut state = self.0.state.lock().unwrap();
        if state.crashed {
            return Err("the function has crashed".into());
        }
        if write {
            if state.armed == Some(CrashPoint::BeforeWrite(state.sent + 1)) {
                state.crashed = true;
                return Err("the function crashed before this write".into());
            }
            state.sent += 1;
            cfg.interceptor_state().store_put(IsWrite);
        }
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<IsWrite>().is_some() {
            let mut state = self.0.state.lock().unwrap();
            state.answered += 1;
            if state.armed == Some(CrashPoint::AfterWrite(state.answered)) {
                state.crashed = true;
            }
        }
        Ok(())
    }
}

/// Attempts and the faults they met, counted on the client side (the emulator's write log only
/// covers writes).
#[derive(Debug, Default)]
pub struct CallStats {
    pub attempts: AtomicUsize,
    pub throttled: AtomicUsize,
    pub server_errors: AtomicUsize,
    /// Attempts that got no response (dropped connection, timeout).
    pub no_response: AtomicUsize,
}

impl CallStats {
    pub fn get(&self) -> [usize; 4] {
        [
            self.attempts.load(Ordering::Relaxed),
            self.throttled.load(Ordering::Relaxed),
            self.server_errors.load(Ordering::Relaxed),
            self.no_response.load(Ordering::Relaxed),
        ]
    }

    /// Injected faults seen: throttled + 5xx + no response.
    pub fn faults(&self) -> usize {
        let [_, t, s, n] = self.get();
        t + s + n
    }
}

#[derive(Debug)]
struct StatsInterceptor(Arc<CallStats>);

impl Intercept for StatsInterceptor {
    fn name(&self) -> &'static str {
        "StatsInterceptor"
    }

    fn read_after_attempt(
        &self,
        context: &aws_sdk_lightsail::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let stats = &self.0;
        stats.attempts.fetch_add(1, Ordering::Relaxed);
        match context.response() {
            None => {
                stats.no_response.fetch_add(1, Ordering::Relaxed);
            }
            Some(response) => {
                let kind = response
                    .headers()
                    .get("x-amzn-ErrorType")
                    .unwrap_or_default();
                if kind.starts_with("ThrottlingException") {
                    stats.throttled.fetch_add(1, Ordering::Relaxed);
                } else if response.status().as_u16() >= 500 {
                    stats.server_errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Ok(())
    }
}
