//! Fleet benchmark (not a timed test): how a round's cost grows with targets and export records.
//!
//!     ./scripts/bench.sh            # arm64 Lambda build + this, rewriting BENCHMARKS.md's numbers
//!     cargo bench --bench fleet     # this alone (the binary size only if already built)
//!     cargo bench --bench fleet -- --quick   # a small matrix, for CI: checks, writes nothing tracked
//!
//! Each case starts the emulator from a generated scenario in a process of its own, and the
//! release `lightsail-export` binary in another, behind a fake Lambda Runtime API (see
//! `lambda.rs`); events go in as Lambda would send them. Per case: time to ready, each round's
//! wall time (median of several runs, the world reset in between), Lightsail calls by operation
//! (the emulator's `GET /_emulator/calls`), and the function process's peak RSS (`VmHWM`).
//! Bounded: a fixed list of cases on 127.0.0.1, each round with a timeout.

mod emulator;
mod lambda;
mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use emulator::{EmulatorProcess, World};
use lambda::Function;

pub type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Lightsail's page size is not documented and cannot be set; the one public observation is a
/// GetInstances first page of exactly 20 (see BENCHMARKS.md). The emulator's default is 25.
const PAGE_SIZE: usize = 20;
const LATENCY_MS: u64 = 20;
/// The function's default `CONCURRENCY`.
const CONCURRENCY: usize = 8;

/// Every Lightsail write operation the emulator implements.
pub const WRITES: [&str; 6] = [
    "CopySnapshot",
    "ExportSnapshot",
    "TagResource",
    "UntagResource",
    "DeleteInstanceSnapshot",
    "DeleteDiskSnapshot",
];

/// The kinds of round a run is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `{"targets": [...]}`: nothing known yet about the targets.
    FirstNamed,
    /// The previous output fed back (copies pending): dates and resource types are known.
    Steady,
    /// `{"targetTag": "export=nightly"}`: the targets come from one listing.
    FirstTagged,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::FirstNamed => "first round, named targets",
            Kind::Steady => "later round, output fed back",
            Kind::FirstTagged => "first round, tag-selected",
        }
    }
}

/// One kind of round of one case, over its runs.
#[derive(Debug, Clone)]
pub struct Round {
    pub kind: Kind,
    pub walls: Vec<Duration>,
    /// Lightsail calls of the round, by operation (identical in every run; checked).
    pub calls: BTreeMap<String, u64>,
}

impl Round {
    pub fn median(&self) -> Duration {
        let mut walls = self.walls.clone();
        walls.sort();
        walls[walls.len() / 2]
    }

    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    /// Lightsail writes of the round (the copy's tag included, when the engine tags copies).
    pub fn writes(&self) -> u64 {
        WRITES
            .iter()
            .map(|op| self.calls.get(*op).copied().unwrap_or(0))
            .sum()
    }

    pub fn calls_of(&self, operation: &str) -> u64 {
        self.calls.get(operation).copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub world: World,
    pub concurrency: usize,
    pub rounds: Vec<Round>,
    pub ready: Duration,
    pub idle_rss_kib: u64,
    pub peak_rss_kib: u64,
}

impl CaseResult {
    pub fn round(&self, kind: Kind) -> &Round {
        self.rounds
            .iter()
            .find(|r| r.kind == kind)
            .expect("every kind is run")
    }

    /// Pages of GetExportSnapshotRecords a full listing takes.
    pub fn record_pages(&self) -> u64 {
        pages(self.world.records, self.world.page_size)
    }

    /// The bound: record pages + 2 × targets + writes.
    pub fn bound(&self, round: &Round) -> u64 {
        self.record_pages() + 2 * self.world.targets as u64 + round.writes()
    }
}

pub fn pages(items: usize, page_size: usize) -> u64 {
    items.div_ceil(page_size).max(1) as u64
}

/// A run to convergence: every round until the status is final.
#[derive(Debug, Clone)]
pub struct Convergence {
    pub world: World,
    pub rounds: Vec<(Duration, BTreeMap<String, u64>, Value)>,
    pub simulated_seconds: u64,
    pub peak_rss_kib: u64,
}

pub struct Options {
    pub quick: bool,
    pub runs: usize,
    pub page_size: usize,
    pub lambda_binary: Option<PathBuf>,
}

/// Everything measured, for the report.
pub struct Results {
    pub options: Options,
    pub matrix: Vec<CaseResult>,
    pub latency: Vec<CaseResult>,
    pub convergence: Convergence,
    pub binary: Option<report::BinarySize>,
    pub load: (String, String),
    pub failures: Vec<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == emulator::SERVE_FLAG) {
        let file = args.get(i + 1).expect("--serve-emulator FILE");
        if let Err(error) = emulator::serve(file) {
            eprintln!("emulator: {error}");
            std::process::exit(1);
        }
        return;
    }
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let quick = args.iter().any(|a| a == "--quick");
    let options = Options {
        quick,
        runs: value_of("--runs")
            .map(|n| n.parse().expect("--runs N"))
            .unwrap_or(if quick { 1 } else { 5 }),
        page_size: value_of("--page-size")
            .map(|n| n.parse().expect("--page-size N"))
            .unwrap_or(PAGE_SIZE),
        lambda_binary: value_of("--lambda-binary").map(PathBuf::from),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(options)) {
        Ok(failures) if failures.is_empty() => {}
        Ok(failures) => {
            eprintln!("\nbenchmark checks FAILED:");
            for failure in failures {
                eprintln!("  - {failure}");
            }
            std::process::exit(1);
        }
        Err(error) => {
            eprintln!("\nbenchmark FAILED: {error}");
            std::process::exit(1);
        }
    }
}

fn function_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lightsail-export"))
}

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet")
}

async fn run(options: Options) -> Fallible<Vec<String>> {
    let started = Instant::now();
    std::fs::create_dir_all(work_dir())?;
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (targets, records): (&[usize], &[usize]) = if options.quick {
        (&[1, 50], &[0, 1000])
    } else {
        (&[1, 50, 200, 500], &[0, 1000, 5000])
    };
    let page_size = options.page_size;
    eprintln!(
        "fleet benchmark: {} run(s) per round, page size {page_size}, function {}",
        options.runs,
        function_binary().display()
    );

    let mut matrix = Vec::new();
    for &records in records {
        for &targets in targets {
            let world = World {
                targets,
                records,
                page_size,
                latency_ms: 0,
            };
            matrix.push(measure_case(world, CONCURRENCY, options.runs).await?);
        }
    }

    // With 20 ms added to every call: time against targets, then against records.
    let latency_runs = options.runs.min(3);
    let latency_worlds: Vec<World> = if options.quick {
        vec![World {
            targets: CONCURRENCY,
            records: 0,
            page_size,
            latency_ms: LATENCY_MS,
        }]
    } else {
        let by_targets = [1, 8, 50, 200].map(|targets| World {
            targets,
            records: 0,
            page_size,
            latency_ms: LATENCY_MS,
        });
        let by_records = [1000, 5000].map(|records| World {
            targets: CONCURRENCY,
            records,
            page_size,
            latency_ms: LATENCY_MS,
        });
        by_targets.into_iter().chain(by_records).collect()
    };
    let mut latency = Vec::new();
    for world in latency_worlds {
        latency.push(measure_case(world, CONCURRENCY, latency_runs).await?);
    }

    let convergence_world = if options.quick {
        World {
            targets: 20,
            records: 200,
            page_size,
            latency_ms: 0,
        }
    } else {
        World {
            targets: 200,
            records: 5000,
            page_size,
            latency_ms: 0,
        }
    };
    let convergence = converge(convergence_world).await?;

    let binary = report::BinarySize::find(options.lambda_binary.as_deref());
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut results = Results {
        options,
        matrix,
        latency,
        convergence,
        binary,
        load: (load_before.trim().into(), load_after.trim().into()),
        failures: Vec::new(),
    };
    results.failures = report::check(&results);
    report::write(&results)?;
    eprintln!(
        "fleet benchmark done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(results.failures)
}

fn function_env(url: &str, concurrency: usize) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_LIGHTSAIL", url.to_string()),
        ("AWS_ENDPOINT_URL_EC2", url.to_string()),
        ("CONCURRENCY", concurrency.to_string()),
        ("NEXT_CHECK_SECONDS", "300".to_string()),
    ]
}

fn write_scenario(world: World) -> Fallible<PathBuf> {
    let file = work_dir().join(format!(
        "scenario-{}t-{}r-{}p-{}ms.json",
        world.targets, world.records, world.page_size, world.latency_ms
    ));
    std::fs::write(&file, serde_json::to_vec(&emulator::scenario(world))?)?;
    Ok(file)
}

/// Calls since the emulator's counters were last read as `before`.
fn delta(after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// One case: a fresh emulator and a fresh function process; `runs` runs of each kind of round.
async fn measure_case(world: World, concurrency: usize, runs: usize) -> Fallible<CaseResult> {
    let emulator = EmulatorProcess::start(&write_scenario(world)?)?;
    let mut function = Function::start(
        &function_binary(),
        &function_env(&emulator.url, concurrency),
    )
    .await?;
    let names = emulator::target_names(world.targets);
    let mut rounds: BTreeMap<Kind, Round> = BTreeMap::new();
    let mut record = |kind: Kind, wall: Duration, calls: BTreeMap<String, u64>| -> Fallible<()> {
        let round = rounds.entry(kind).or_insert_with(|| Round {
            kind,
            walls: Vec::new(),
            calls: calls.clone(),
        });
        if round.calls != calls {
            return Err(format!(
                "{} over {} targets: calls differ between runs: {:?} then {calls:?}",
                kind.label(),
                world.targets,
                round.calls
            )
            .into());
        }
        round.walls.push(wall);
        Ok(())
    };
    for _ in 0..runs {
        emulator.reset().await?;
        let (wall, first) = function.invoke(&json!({ "targets": names })).await?;
        check_round(Kind::FirstNamed, &first, world.targets)?;
        let after_first = emulator.calls().await?;
        record(Kind::FirstNamed, wall, after_first.clone())?;

        let (wall, steady) = function.invoke(&first).await?;
        check_round(Kind::Steady, &steady, world.targets)?;
        record(
            Kind::Steady,
            wall,
            delta(&emulator.calls().await?, &after_first),
        )?;

        emulator.reset().await?;
        let (wall, tagged) = function
            .invoke(&json!({ "targetTag": "export=nightly" }))
            .await?;
        check_round(Kind::FirstTagged, &tagged, world.targets)?;
        record(Kind::FirstTagged, wall, emulator.calls().await?)?;
    }
    let result = CaseResult {
        world,
        concurrency,
        rounds: rounds.into_values().collect(),
        ready: function.ready,
        idle_rss_kib: function.idle_rss_kib,
        peak_rss_kib: function.peak_rss_kib(),
    };
    function.stop().await;
    emulator.stop();
    eprintln!(
        "  {:>3} targets {:>4} records {:>2} ms/call: first {:>7.1} ms, later {:>7.1} ms, tag {:>7.1} ms; \
         calls {}/{}/{}; ready {:.1} ms; peak RSS {:.1} MB",
        world.targets,
        world.records,
        world.latency_ms,
        ms(result.round(Kind::FirstNamed).median()),
        ms(result.round(Kind::Steady).median()),
        ms(result.round(Kind::FirstTagged).median()),
        result.round(Kind::FirstNamed).total_calls(),
        result.round(Kind::Steady).total_calls(),
        result.round(Kind::FirstTagged).total_calls(),
        ms(result.ready),
        report::mb(result.peak_rss_kib),
    );
    Ok(result)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What each round must have done: every target found and copying, nothing failed.
fn check_round(kind: Kind, output: &Value, targets: usize) -> Fallible<()> {
    let fail = |what: String| -> Fallible<()> {
        Err(format!("{} over {targets} targets: {what}", kind.label()).into())
    };
    if output["status"] != "IN_PROGRESS" {
        return fail(format!("status {}", output["status"]));
    }
    let list = output["targets"].as_array().cloned().unwrap_or_default();
    if list.len() != targets {
        return fail(format!("{} targets in the output", list.len()));
    }
    let copied = kind != Kind::Steady;
    for target in &list {
        let actions = target["actions"].as_array().cloned().unwrap_or_default();
        if target["phase"] != "COPYING"
            || !target["error"].is_null()
            || actions.contains(&json!("CopySnapshot")) != copied
            || actions.contains(&json!("ExportSnapshot"))
            || target["autoSnapshotDate"] != "2026-11-22"
        {
            return fail(format!("unexpected target {target}"));
        }
    }
    Ok(())
}

/// Rounds as the state machine runs them, the clock moved by `nextCheckSeconds` between them.
async fn converge(world: World) -> Fallible<Convergence> {
    let emulator = EmulatorProcess::start(&write_scenario(world)?)?;
    let mut function = Function::start(
        &function_binary(),
        &function_env(&emulator.url, CONCURRENCY),
    )
    .await?;
    let mut event = json!({ "targetTag": "export=nightly" });
    let mut rounds = Vec::new();
    let mut simulated_seconds = 0;
    let mut before = BTreeMap::new();
    for _ in 0..40 {
        let (wall, output) = function.invoke(&event).await?;
        let calls = emulator.calls().await?;
        rounds.push((wall, delta(&calls, &before), output.clone()));
        before = calls;
        if output["status"] != "IN_PROGRESS" {
            break;
        }
        let wait = output["nextCheckSeconds"].as_u64().unwrap_or(300);
        emulator.advance(wait).await?;
        simulated_seconds += wait;
        event = output;
    }
    let last = &rounds.last().expect("at least one round").2;
    if last["status"] != "SUCCEEDED" || last["summary"]["exported"] != world.targets {
        return Err(format!(
            "the run over {} targets did not converge: {}",
            world.targets, last["summary"]
        )
        .into());
    }
    let peak_rss_kib = function.peak_rss_kib();
    function.stop().await;
    emulator.stop();
    eprintln!(
        "  convergence: {} targets, {} records: SUCCEEDED after {} rounds",
        world.targets,
        world.records,
        rounds.len()
    );
    Ok(Convergence {
        world,
        rounds,
        simulated_seconds,
        peak_rss_kib,
    })
}
