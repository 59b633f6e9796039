//! Night benchmark (not a timed test): a whole night over several regions, run as each shipped
//! workflow would run it, against the in-process emulator on a simulated clock.
//!
//!     cargo bench --bench night                # 2,000 targets, 3 regions, 5,000 records each;
//!                                              # rewrites BENCHMARKS.md's "A night over three regions"
//!     cargo bench --bench night -- --quick     # CI: a small night, checks only, writes nothing tracked
//!
//! Method. The emulator's clock is manual; the night is a discrete-event simulation of the
//! executions: each chain of rounds (a loop execution, or a fan-out batch's child execution) is
//! woken at its simulated time, the clock is moved there, one real round of the real handler runs
//! (real SDK clients, real HTTP on loopback), and the chain sleeps `nextCheckSeconds` plus the
//! round's modeled duration. At most `MaxConcurrency` batches run at once, as the Distributed Map
//! runs them. A round's modeled duration is its measured time on loopback plus, per region (the
//! regions run at once), (export-record pages + the other calls / CONCURRENCY) × a 20 ms round
//! trip (as the fleet benchmark's latency case): the listing is sequential, the targets' calls
//! go CONCURRENCY at a time. Lightsail calls are the emulator's own counts, by region.
//! GB-seconds are Σ modeled round durations × 0.25 GB (the template's 256 MB).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use lambda_runtime::{Context, LambdaEvent};
use lightsail_emulator::{Emulator, Scenario};
use lightsail_export::clock::Clock;
use lightsail_export::model::TagFilter;
use lightsail_export::report::{Output, Status};
use lightsail_export::{handler, App, Config, Response};
use serde_json::{json, Value};

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const RTT_SECONDS: f64 = 0.020;
const CONCURRENCY: f64 = 8.0;
const GB: f64 = 0.25;
const STATE_LIMIT: usize = 256 * 1024;

#[derive(Debug, Clone, Copy)]
struct Night {
    targets: usize,
    records_per_region: usize,
}

#[derive(Debug, Clone, Copy)]
enum Workflow {
    /// Before REGIONS: one deployment per region, each the loop over its region's targets.
    LoopPerRegion,
    /// One deployment, REGIONS, the loop: one execution over every target.
    Loop,
    /// One deployment, REGIONS, the fan-out.
    FanOut {
        batch: usize,
        max_concurrency: usize,
    },
}

impl Workflow {
    fn label(self) -> String {
        match self {
            Workflow::LoopPerRegion => "loop, one deployment per region (before REGIONS)".into(),
            Workflow::Loop => "loop, one deployment, REGIONS".into(),
            Workflow::FanOut {
                batch,
                max_concurrency,
            } => format!("fan-out, {batch} per batch, MaxConcurrency {max_concurrency}"),
        }
    }
}

/// What a night cost.
#[derive(Debug, Default)]
struct Tally {
    executions: usize,
    rounds: usize,
    longest_chain: usize,
    calls_by_region: BTreeMap<String, u64>,
    record_pages_by_region: BTreeMap<String, u64>,
    night_seconds: f64,
    gb_seconds: f64,
    largest_state: usize,
    exported: usize,
    total: usize,
    real: Duration,
    /// A round the function refused (the workflow cannot carry this night): round, error.
    refused: Option<(usize, String)>,
}

fn scenario(night: Night) -> Value {
    let autos = json!([{"date": "2026-11-21", "status": "Success"}]);
    let (mut instances, mut disks) = (Vec::new(), Vec::new());
    for i in 0..night.targets {
        let region = REGIONS[i % REGIONS.len()];
        let name = format!("{}-{i:04}", if i % 4 == 3 { "data" } else { "web" });
        let spec = json!({"name": name, "region": region, "tags": {"export": "nightly"},
                          "autoSnapshots": autos, "sizeInGb": 16, "blueprintId": "ubuntu_22_04"});
        match i % 4 == 3 {
            true => disks.push(spec),
            false => instances.push(spec),
        }
    }
    let by_region: BTreeMap<&str, usize> = REGIONS[1..]
        .iter()
        .map(|r| (*r, night.records_per_region))
        .collect();
    json!({
        "region": REGIONS[0], "now": "2026-11-22T08:00:00Z", "speed": 0, "seed": 3,
        "durations": {"copySeconds": 600, "exportSeconds": 1800, "operationSeconds": 5, "ec2Seconds": 600},
        "instances": instances, "disks": disks,
        "unrelatedExportRecords": night.records_per_region,
        "unrelatedExportRecordsByRegion": by_region,
    })
}

fn app(emulator: &Emulator, home: &str, regions: &[&str]) -> App {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(home.to_string()))
        .endpoint_url(emulator.url())
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "bench", "bench", None, None, "bench",
            )),
        )
        .build();
    let config = Config {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        target_tag: Some(TagFilter::parse("export=nightly").expect("a tag")),
        metrics: false,
        ..Config::default()
    };
    App::new(&sdk, Ok(config)).with_clock(Clock::from_fn(emulator.clock()))
}

/// One chain of rounds: a loop execution, or a batch's child execution.
struct Chain {
    app: usize,
    /// The state: the first input, then the previous round's output.
    state: Value,
    /// A fan-out batch: each round's event is `{"fanOutItem": state}`.
    item: bool,
    rounds: usize,
}

impl Chain {
    fn new(app: usize, state: Value, item: bool) -> Chain {
        Chain {
            app,
            state,
            item,
            rounds: 0,
        }
    }

    fn event(&self) -> Value {
        match self.item {
            true => json!({ "fanOutItem": self.state }),
            false => self.state.clone(),
        }
    }
}

struct Sim<'a> {
    emulator: &'a Emulator,
    apps: Vec<App>,
    start: f64,
    tally: Tally,
}

impl Sim<'_> {
    /// One invocation at simulated time `at`: the response, and when it ends (modeled); `None`
    /// when the function refused the round (recorded in the tally).
    async fn invoke(
        &mut self,
        app: usize,
        event: Value,
        at: f64,
    ) -> Fallible<Option<(Response, f64)>> {
        let now = self.emulator.now();
        if at > now {
            self.emulator.advance(at - now);
        }
        let before = self.emulator.call_counts_by_region();
        let started = Instant::now();
        let response =
            match handler(LambdaEvent::new(event, Context::default()), &self.apps[app]).await {
                Ok(response) => response,
                Err(e) => {
                    let round = self.tally.rounds + 1;
                    self.tally.refused = Some((round, format!("{}: {e}", e.error_type())));
                    return Ok(None);
                }
            };
        let measured = started.elapsed();
        self.tally.real += measured;
        let after = self.emulator.call_counts_by_region();
        let mut slowest_region = 0.0f64;
        let mut per_region: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for ((region, operation), count) in &after {
            let new = count
                - before
                    .get(&(region.clone(), operation.clone()))
                    .copied()
                    .unwrap_or(0);
            let entry = per_region.entry(region.clone()).or_default();
            match operation.as_str() {
                "GetExportSnapshotRecords" => entry.0 += new,
                _ => entry.1 += new,
            }
        }
        for (region, (pages, others)) in per_region {
            let modeled = (pages as f64 + (others as f64 / CONCURRENCY).ceil()) * RTT_SECONDS;
            slowest_region = slowest_region.max(modeled);
            *self
                .tally
                .calls_by_region
                .entry(region.clone())
                .or_default() += pages + others;
            *self.tally.record_pages_by_region.entry(region).or_default() += pages;
        }
        let duration = measured.as_secs_f64() + slowest_region;
        self.tally.rounds += 1;
        self.tally.gb_seconds += duration * GB;
        let size = serde_json::to_vec(&response)?.len();
        self.tally.largest_state = self.tally.largest_state.max(size);
        Ok(Some((response, at + duration)))
    }

    /// Runs `chains` to their end, at most `concurrency` at once from `at`; their final outputs.
    async fn run(
        &mut self,
        chains: Vec<Chain>,
        concurrency: usize,
        at: f64,
    ) -> Fallible<(Vec<Output>, f64)> {
        let mut waiting: std::collections::VecDeque<Chain> = chains.into();
        let mut running: Vec<Option<Chain>> = Vec::new();
        let mut wake: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
        let millis = |t: f64| (t * 1000.0).round() as u64;
        let mut finals = Vec::new();
        let mut end = at;
        while running.iter().filter(|c| c.is_some()).count() < concurrency {
            let Some(chain) = waiting.pop_front() else {
                break;
            };
            running.push(Some(chain));
            wake.push(Reverse((millis(at), running.len() - 1)));
        }
        while let Some(Reverse((time, slot))) = wake.pop() {
            let time = time as f64 / 1000.0;
            let Some(mut chain) = running[slot].take() else {
                continue;
            };
            let Some((response, done)) = self.invoke(chain.app, chain.event(), time).await? else {
                // Refused: this chain ends here, unfinished.
                continue;
            };
            let output = response.output().ok_or("a round's output")?;
            chain.rounds += 1;
            end = end.max(done);
            if output.status == Status::InProgress && output.dry_run != Some(true) {
                chain.state = serde_json::to_value(&output)?;
                wake.push(Reverse((
                    millis(done + output.next_check_seconds as f64),
                    slot,
                )));
                running[slot] = Some(chain);
                continue;
            }
            self.tally.longest_chain = self.tally.longest_chain.max(chain.rounds);
            finals.push(output);
            if let Some(next) = waiting.pop_front() {
                running[slot] = Some(next);
                wake.push(Reverse((millis(done), slot)));
            }
        }
        Ok((finals, end))
    }
}

async fn night(night: Night, workflow: Workflow) -> Fallible<Tally> {
    let mut scenario = Scenario::from_str(&scenario(night).to_string())?;
    scenario.speed = 0.0;
    let emulator = Emulator::start(scenario).await?;
    let start = emulator.now();
    let mut sim = Sim {
        emulator: &emulator,
        apps: Vec::new(),
        start,
        tally: Tally::default(),
    };
    let (finals, end) = match workflow {
        Workflow::LoopPerRegion => {
            sim.apps = REGIONS.iter().map(|r| app(&emulator, r, &[])).collect();
            let chains = (0..REGIONS.len())
                .map(|app| Chain::new(app, json!({}), false))
                .collect();
            sim.tally.executions = REGIONS.len();
            sim.run(chains, REGIONS.len(), start).await?
        }
        Workflow::Loop => {
            sim.apps = vec![app(&emulator, REGIONS[0], &REGIONS)];
            sim.tally.executions = 1;
            sim.run(vec![Chain::new(0, json!({}), false)], 1, start)
                .await?
        }
        Workflow::FanOut {
            batch,
            max_concurrency,
        } => {
            sim.apps = vec![app(&emulator, REGIONS[0], &REGIONS)];
            let (listing, listed) = sim
                .invoke(0, json!({"fanOut": true}), start)
                .await?
                .ok_or("the fan-out's listing was refused")?;
            let Response::FanOut(listing) = listing else {
                return Err("the fan-out's listing".into());
            };
            let listing = serde_json::to_value(listing)?;
            let items = listing["items"].as_array().ok_or("items")?.clone();
            let chains: Vec<Chain> = items
                .chunks(batch)
                .map(|items| {
                    let batch = json!({"Items": items, "BatchInput": listing["batchInput"]});
                    Chain::new(0, batch, true)
                })
                .collect();
            sim.tally.executions = 1 + chains.len();
            let (finals, end) = sim.run(chains, max_concurrency, listed).await?;
            let results: Vec<Value> = finals
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?;
            let event = json!({"aggregate": results, "regionErrors": listing["regionErrors"]});
            let (aggregate, done) = sim
                .invoke(0, event, end)
                .await?
                .ok_or("the aggregate was refused")?;
            (
                vec![aggregate.output().ok_or("the aggregate's output")?],
                done,
            )
        }
    };
    let mut tally = sim.tally;
    tally.night_seconds = end - sim.start;
    tally.total = finals.iter().map(|o| o.summary.total).sum();
    tally.exported = finals.iter().map(|o| o.summary.exported).sum();
    Ok(tally)
}

fn row(workflow: Workflow, t: &Tally) -> String {
    let calls: Vec<String> = REGIONS
        .iter()
        .map(|r| {
            format!(
                "{} ({} record pages)",
                t.calls_by_region.get(*r).copied().unwrap_or(0),
                t.record_pages_by_region.get(*r).copied().unwrap_or(0)
            )
        })
        .collect();
    let exported = match &t.refused {
        Some((round, error)) => format!("refused in round {round}: {error}"),
        None => format!("{}/{}", t.exported, t.total),
    };
    let state = match t.largest_state > STATE_LIMIT {
        true => format!("**{} KiB, over 256 KiB**", t.largest_state / 1024),
        false => format!("{} KiB", t.largest_state / 1024),
    };
    format!(
        "| {} | {} | {} ({} longest) | {} | {:.0} min | {:.0} | {} | {} |",
        workflow.label(),
        t.executions,
        t.rounds,
        t.longest_chain,
        calls.join(" / "),
        t.night_seconds / 60.0,
        t.gb_seconds,
        state,
        exported
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Fallible<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let (size, workflows) = match quick {
        true => (
            Night {
                targets: 60,
                records_per_region: 100,
            },
            vec![
                Workflow::LoopPerRegion,
                Workflow::Loop,
                Workflow::FanOut {
                    batch: 10,
                    max_concurrency: 3,
                },
            ],
        ),
        false => (
            Night {
                targets: 2000,
                records_per_region: 5000,
            },
            vec![
                Workflow::LoopPerRegion,
                Workflow::Loop,
                Workflow::FanOut {
                    batch: 25,
                    max_concurrency: 10,
                },
                Workflow::FanOut {
                    batch: 50,
                    max_concurrency: 10,
                },
                Workflow::FanOut {
                    batch: 100,
                    max_concurrency: 20,
                },
                Workflow::FanOut {
                    batch: 200,
                    max_concurrency: 10,
                },
                Workflow::FanOut {
                    batch: 50,
                    max_concurrency: 40,
                },
            ],
        ),
    };
    let mut lines = vec![
        format!(
            "{} targets over {} ({} each), {} export records per region besides the night's own.",
            size.targets,
            REGIONS.join(", "),
            size.targets / REGIONS.len(),
            size.records_per_region
        ),
        String::new(),
        "| workflow | executions | rounds (longest chain) | Lightsail calls: ".to_string()
            + &REGIONS.join(" / ")
            + " | night (simulated) | GB-s | largest state | exported |",
        "|---|---|---|---|---|---|---|---|".into(),
    ];
    for workflow in workflows {
        let tally = night(size, workflow).await?;
        eprintln!(
            "{}: {:.1} s real, {} rounds",
            workflow.label(),
            tally.real.as_secs_f64(),
            tally.rounds
        );
        // A night the workflow cannot carry is a finding (its row says why), not a failure of the
        // benchmark; the fan-out must always finish.
        let refused = tally.refused.is_some() && !matches!(workflow, Workflow::FanOut { .. });
        if !refused && (tally.exported != size.targets || tally.total != size.targets) {
            return Err(format!(
                "{}: {} of {} exported",
                workflow.label(),
                tally.exported,
                size.targets
            )
            .into());
        }
        lines.push(row(workflow, &tally));
    }
    let table = lines.join("\n");
    println!("{table}");
    if !quick {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md");
        let text = std::fs::read_to_string(path)?;
        let (begin, end) = ("<!-- night:begin -->", "<!-- night:end -->");
        let (Some(i), Some(j)) = (text.find(begin), text.find(end)) else {
            return Err("BENCHMARKS.md has no night markers".into());
        };
        let updated = format!("{}{begin}\n{table}\n{}", &text[..i], &text[j..]);
        std::fs::write(path, updated)?;
    }
    Ok(())
}
