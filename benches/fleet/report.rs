//! The checks, the numbers as Markdown (BENCHMARKS.md's generated block) and the SVG charts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use plotters::prelude::*;

use crate::{ms, pages, CaseResult, Fallible, Kind, Results, Round, LATENCY_MS};

const BEGIN: &str = "<!-- fleet-bench:begin -->";
const END: &str = "<!-- fleet-bench:end -->";
/// Issue targets.
const ROUND_TARGET: Duration = Duration::from_millis(500);
const RSS_TARGET_MB: f64 = 30.0;
const READY_TARGET: Duration = Duration::from_millis(50);
const BINARY_TARGET_MB: f64 = 8.0;

pub fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

fn tick(met: bool) -> &'static str {
    if met {
        "✅"
    } else {
        "❌"
    }
}

fn thousands(n: usize) -> String {
    let text = n.to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The release arm64 Lambda binary, as `cargo lambda build --release --arm64` leaves it.
pub struct BinarySize {
    pub path: PathBuf,
    pub bytes: u64,
    pub arm64: bool,
}

impl BinarySize {
    pub fn find(given: Option<&Path>) -> Option<BinarySize> {
        let default = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()?
            .join("lambda/lightsail-export/bootstrap");
        let path = given.map(Path::to_path_buf).unwrap_or(default);
        let bytes = std::fs::read(&path).ok()?;
        // ELF e_machine (little-endian u16 at offset 18): 183 is AArch64.
        let arm64 = bytes.len() > 20 && bytes[..4] == *b"\x7fELF" && bytes[18..20] == [183, 0];
        Some(BinarySize {
            path,
            bytes: bytes.len() as u64,
            arm64,
        })
    }

    fn mb(&self) -> f64 {
        self.bytes as f64 / 1e6
    }
}

/// Sequential Lightsail calls one target waits for in a round (GetInstance and GetDisk go
/// together), derived from the calls counted.
fn depth(round: &Round, targets: usize) -> f64 {
    let per_target = round.calls_of("GetAutoSnapshots")
        + round.calls_of("GetInstanceSnapshot")
        + round.calls_of("GetDiskSnapshot")
        + round.calls_of("GetInstance").max(round.calls_of("GetDisk"))
        + round.writes();
    per_target as f64 / targets as f64
}

/// The longest chain of paged calls (records, and the resource listing beside them).
fn chain(round: &Round) -> u64 {
    round
        .calls_of("GetExportSnapshotRecords")
        .max(round.calls_of("GetInstances") + round.calls_of("GetDisks"))
}

/// Round time with `rtt` per call: the paged chain, then the targets in waves of `concurrency`.
fn model(case: &CaseResult, round: &Round, rtt: f64) -> f64 {
    let waves = case.world.targets.div_ceil(case.concurrency) as f64;
    rtt * (chain(round) as f64 + waves * depth(round, case.world.targets))
}

/// The same, one target after another.
fn one_after_another(case: &CaseResult, round: &Round, rtt: f64) -> f64 {
    rtt * (chain(round) as f64 + case.world.targets as f64 * depth(round, case.world.targets))
}

/// Whether a round is checked against the bound: a first round needs a resource lookup that a
/// handful of targets cannot amortise (see BENCHMARKS.md), so those are reported, not checked.
/// The tag's listing costs a page of instances and one of disks, paid for from 2 targets on.
fn bound_checked(case: &CaseResult, kind: Kind) -> bool {
    match kind {
        Kind::Steady => true,
        Kind::FirstTagged => case.world.targets >= 2,
        Kind::FirstNamed => {
            case.world.targets >= lightsail_export::decide::fleet::LIST_NAMED_TARGETS
        }
    }
}

/// What must hold whatever the machine's speed: counted calls, never times.
pub fn check(results: &Results) -> Vec<String> {
    let mut failures = Vec::new();
    for case in results.matrix.iter().chain(&results.latency) {
        let n = case.world.targets as u64;
        let name = format!("{} targets, {} records", n, case.world.records);
        for round in &case.rounds {
            let kind = round.kind.label();
            let listed = round.calls_of("GetExportSnapshotRecords");
            if listed != case.record_pages() {
                failures.push(format!(
                    "{name}, {kind}: {listed} GetExportSnapshotRecords calls for {} pages: the records must be listed once per round",
                    case.record_pages()
                ));
            }
            if bound_checked(case, round.kind) && round.total_calls() > case.bound(round) {
                failures.push(format!(
                    "{name}, {kind}: {} Lightsail calls, over the bound of {} (record pages + 2 × targets + writes): {:?}",
                    round.total_calls(),
                    case.bound(round),
                    round.calls
                ));
            }
            let copies = if round.kind == Kind::Steady { 0 } else { n };
            if round.calls_of("CopySnapshot") != copies || round.calls_of("ExportSnapshot") != 0 {
                failures.push(format!(
                    "{name}, {kind}: expected {copies} CopySnapshot and no ExportSnapshot: {:?}",
                    round.calls
                ));
            }
        }
        let steady = case.round(Kind::Steady);
        if steady.calls_of("GetAutoSnapshots") + steady.calls_of("GetInstance") > 0 {
            failures.push(format!(
                "{name}: a later round looked up automatic snapshots or instances again: {:?}",
                steady.calls
            ));
        }
    }
    let convergence = &results.convergence;
    let total = |op: &str| -> u64 {
        convergence
            .rounds
            .iter()
            .map(|(_, calls, _)| calls.get(op).copied().unwrap_or(0))
            .sum()
    };
    let n = convergence.world.targets as u64;
    if total("CopySnapshot") != n || total("ExportSnapshot") != n {
        failures.push(format!(
            "convergence: {} copies and {} exports for {n} targets",
            total("CopySnapshot"),
            total("ExportSnapshot")
        ));
    }
    failures
}

fn headline(results: &Results) -> Option<&CaseResult> {
    results
        .matrix
        .iter()
        .find(|c| c.world.targets == 200 && c.world.records == 5000)
}

fn calls_cell(case: &CaseResult, round: &Round) -> String {
    let (total, bound) = (round.total_calls(), case.bound(round));
    if total <= bound {
        format!("{total} ≤ {bound}")
    } else {
        format!("**{total}** > {bound} (+{})", total - bound)
    }
}

fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn markdown(results: &Results, chart_dir: &str) -> String {
    let mut md = String::new();
    let o = &results.options;
    let _ = writeln!(
        md,
        "_Generated by `./scripts/bench.sh` at commit `{}`{}: {} run(s) per round, page size {}, \
         CONCURRENCY {}. Load average before / after: `{}` / `{}`._\n",
        git_commit(),
        if o.quick { " (quick mode)" } else { "" },
        o.runs,
        o.page_size,
        crate::CONCURRENCY,
        results.load.0,
        results.load.1
    );

    // The targets.
    let _ = writeln!(
        md,
        "### The targets\n\n| target | measured | met |\n|---|---|---|"
    );
    if let Some(case) = headline(results) {
        let rounds = [Kind::FirstNamed, Kind::Steady, Kind::FirstTagged];
        let times: Vec<String> = rounds
            .iter()
            .map(|k| format!("{:.0} ms", ms(case.round(*k).median())))
            .collect();
        let slowest = rounds.iter().map(|k| case.round(*k).median()).max();
        let _ = writeln!(
            md,
            "| one round, 200 targets × 5,000 records ≤ 0.5 s | first (named) {}, later {}, first (tag) {} | {} |",
            times[0],
            times[1],
            times[2],
            tick(slowest <= Some(ROUND_TARGET))
        );
        let _ = writeln!(
            md,
            "| peak RSS of that case ≤ 30 MB | {:.1} MB ({:.1} MB once ready, before any event) | {} |",
            mb(case.peak_rss_kib),
            mb(case.idle_rss_kib),
            tick(mb(case.peak_rss_kib) <= RSS_TARGET_MB)
        );
        for kind in rounds {
            let round = case.round(kind);
            let _ = writeln!(
                md,
                "| calls ≤ record pages + 2 × targets + writes ({}) | {} | {} |",
                kind.label(),
                calls_cell(case, round),
                tick(round.total_calls() <= case.bound(round))
            );
        }
    }
    let all: Vec<&CaseResult> = results.matrix.iter().chain(&results.latency).collect();
    let rounds = all.len() * 3;
    let mut over: Vec<String> = all
        .iter()
        .flat_map(|c| c.rounds.iter().map(move |r| (c, r)))
        .filter(|(c, r)| r.total_calls() > c.bound(r))
        .map(|(c, r)| {
            format!(
                "{} over {} target(s): +{}",
                r.kind.label(),
                c.world.targets,
                r.total_calls() - c.bound(r)
            )
        })
        .collect();
    let over_rounds = over.len();
    over.sort();
    over.dedup();
    let _ = writeln!(
        md,
        "| calls ≤ record pages + 2 × targets + writes in every measured round | {} | {} |",
        if over.is_empty() {
            format!("all {rounds} rounds")
        } else {
            format!(
                "{} of {rounds} rounds; over in {over_rounds} small first rounds (why: below): {}",
                rounds - over_rounds,
                over.join("; ")
            )
        },
        tick(over.is_empty())
    );
    let once = all.iter().all(|c| {
        c.rounds
            .iter()
            .all(|r| r.calls_of("GetExportSnapshotRecords") == c.record_pages())
    });
    let _ = writeln!(
        md,
        "| records listed once per round, never per target | GetExportSnapshotRecords = record pages in every round | {} |",
        tick(once)
    );
    let no_autos = all.iter().all(|c| {
        let steady = c.round(Kind::Steady);
        steady.calls_of("GetAutoSnapshots") + steady.calls_of("GetInstance") == 0
    });
    let _ = writeln!(
        md,
        "| no automatic-snapshot lookup once the previous output gives the date | 0 GetAutoSnapshots in every later round | {} |",
        tick(no_autos)
    );
    if let Some((case, round)) = results
        .latency
        .iter()
        .filter(|c| c.world.records == 0)
        .max_by_key(|c| c.world.targets)
        .map(|c| (c, c.round(Kind::FirstNamed)))
    {
        let rtt = LATENCY_MS as f64;
        let measured = ms(round.median());
        let _ = writeln!(
            md,
            "| concurrent targets: round ≈ pages × RTT + a few RTTs per wave of CONCURRENCY, not the sum | {} targets at {} ms per call: {:.0} ms measured, {:.0} ms modelled, {:.0} ms one target after another | {} |",
            case.world.targets,
            LATENCY_MS,
            measured,
            model(case, round, rtt),
            one_after_another(case, round, rtt),
            tick(measured < 0.5 * one_after_another(case, round, rtt))
        );
    }
    let mut ready: Vec<Duration> = all.iter().map(|c| c.ready).collect();
    ready.sort();
    if let (Some(median), Some(max)) = (ready.get(ready.len() / 2), ready.last()) {
        let _ = writeln!(
            md,
            "| process start to ready ≤ 50 ms | median {:.1} ms, slowest {:.1} ms over {} fresh processes | {} |",
            ms(*median),
            ms(*max),
            ready.len(),
            tick(*median <= READY_TARGET)
        );
    }
    match &results.binary {
        Some(binary) => {
            let _ = writeln!(
                md,
                "| release arm64 Lambda binary ≤ 8 MB | {:.2} MB ({} bytes{}) | {} |",
                binary.mb(),
                binary.bytes,
                if binary.arm64 {
                    ", aarch64 ELF"
                } else {
                    ", NOT an aarch64 ELF"
                },
                tick(binary.arm64 && binary.mb() <= BINARY_TARGET_MB)
            );
        }
        None => {
            let _ = writeln!(
                md,
                "| release arm64 Lambda binary ≤ 8 MB | not built (`./scripts/bench.sh` builds it) | – |"
            );
        }
    }

    // One round.
    let _ = writeln!(
        md,
        "\n### One round: wall time (median of {} runs), peak RSS, start-up\n\n\
         ![round time against targets and against export records]({chart_dir}/round-time.svg)\n\n\
         | targets | export records | record pages | first round, named | later round | first round, tag | peak RSS | ready |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|",
        o.runs
    );
    for case in &results.matrix {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MB | {:.1} ms |",
            case.world.targets,
            thousands(case.world.records),
            case.record_pages(),
            ms(case.round(Kind::FirstNamed).median()),
            ms(case.round(Kind::Steady).median()),
            ms(case.round(Kind::FirstTagged).median()),
            mb(case.peak_rss_kib),
            ms(case.ready)
        );
    }

    // Calls.
    let _ = writeln!(
        md,
        "\n### Lightsail calls per round (bound: record pages + 2 × targets + writes)\n\n\
         | targets | export records | first round, named | later round | first round, tag |\n\
         |---:|---:|---:|---:|---:|"
    );
    for case in &results.matrix {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            case.world.targets,
            thousands(case.world.records),
            calls_cell(case, case.round(Kind::FirstNamed)),
            calls_cell(case, case.round(Kind::Steady)),
            calls_cell(case, case.round(Kind::FirstTagged))
        );
    }
    let detail = headline(results).or(results.matrix.last());
    if let Some(case) = detail {
        let mut operations: Vec<&String> =
            case.rounds.iter().flat_map(|r| r.calls.keys()).collect();
        operations.sort();
        operations.dedup();
        let _ = writeln!(
            md,
            "\nBy operation, {} targets × {} export records:\n\n\
             | operation | first round, named | later round | first round, tag |\n|---|---:|---:|---:|",
            case.world.targets,
            thousands(case.world.records)
        );
        for op in operations {
            let _ = writeln!(
                md,
                "| {op} | {} | {} | {} |",
                case.round(Kind::FirstNamed).calls_of(op),
                case.round(Kind::Steady).calls_of(op),
                case.round(Kind::FirstTagged).calls_of(op)
            );
        }
    }

    // Latency.
    let _ = writeln!(
        md,
        "\n### With {LATENCY_MS} ms added to every Lightsail call (CONCURRENCY {})\n\n\
         ![round time with 20 ms per call]({chart_dir}/latency.svg)\n\n\
         Model: RTT × (longest chain of pages + ⌈targets / CONCURRENCY⌉ × calls one target waits for \
         in turn); \"one after another\": RTT × (pages + targets × those calls).\n\n\
         | targets | export records | round | measured | model | one after another |\n|---:|---:|---|---:|---:|---:|",
        crate::CONCURRENCY
    );
    for case in &results.latency {
        for kind in [Kind::FirstNamed, Kind::Steady, Kind::FirstTagged] {
            let round = case.round(kind);
            let rtt = case.world.latency_ms as f64;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
                case.world.targets,
                thousands(case.world.records),
                kind.label(),
                ms(round.median()),
                model(case, round, rtt),
                one_after_another(case, round, rtt)
            );
        }
    }

    // Convergence.
    let c = &results.convergence;
    let total_time: Duration = c.rounds.iter().map(|(wall, _, _)| *wall).sum();
    let _ = writeln!(
        md,
        "\n### A run to convergence: {} targets, {} export records, tag-selected\n\n\
         The state machine's loop with the clock moved by `nextCheckSeconds` between rounds \
         ({} simulated seconds): SUCCEEDED after {} rounds, {:.0} ms of function time in all, \
         peak RSS {:.1} MB.\n\n| round | wall | calls | writes | copying / exporting / exported |\n|---:|---:|---:|---:|---|",
        c.world.targets,
        thousands(c.world.records),
        c.simulated_seconds,
        c.rounds.len(),
        ms(total_time),
        mb(c.peak_rss_kib)
    );
    for (i, (wall, calls, output)) in c.rounds.iter().enumerate() {
        let phase = |p: &str| {
            output["targets"]
                .as_array()
                .map(|ts| ts.iter().filter(|t| t["phase"] == p).count())
                .unwrap_or(0)
        };
        let writes: u64 = crate::WRITES
            .iter()
            .map(|op| calls.get(*op).copied().unwrap_or(0))
            .sum();
        let _ = writeln!(
            md,
            "| {} | {:.1} ms | {} | {} | {} / {} / {} |",
            i + 1,
            ms(*wall),
            calls.values().sum::<u64>(),
            writes,
            phase("COPYING"),
            phase("EXPORTING"),
            phase("EXPORTED")
        );
    }
    if !results.failures.is_empty() {
        let _ = writeln!(md, "\n### Checks that failed\n");
        for failure in &results.failures {
            let _ = writeln!(md, "- {failure}");
        }
    }
    md
}

/// Full mode rewrites BENCHMARKS.md's generated block and the charts beside it; quick mode
/// writes under the target directory only, so CI never changes a tracked file.
pub fn write(results: &Results) -> Fallible<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (dir, chart_dir) = if results.options.quick {
        (crate::work_dir(), ".".to_string())
    } else {
        (root.join("benches/charts"), "benches/charts".to_string())
    };
    std::fs::create_dir_all(&dir)?;
    round_time_chart(results, &dir.join("round-time.svg"))?;
    latency_chart(results, &dir.join("latency.svg"))?;
    let md = markdown(results, &chart_dir);
    if results.options.quick {
        let file = dir.join("results.md");
        std::fs::write(&file, &md)?;
        println!("{md}");
        eprintln!("quick mode: results in {}", file.display());
        return Ok(());
    }
    let doc = root.join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&doc)?;
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!("{} has no {BEGIN} … {END} block", doc.display()).into());
    };
    let updated = format!("{}{BEGIN}\n{md}{}", &text[..start], &text[end..]);
    std::fs::write(&doc, updated)?;
    println!("{md}");
    eprintln!("wrote {} and {}", doc.display(), dir.display());
    Ok(())
}

const COLOURS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const TARGET_COLOUR: RGBColor = RGBColor(214, 39, 40);

type Line = (String, RGBColor, Vec<(f64, f64)>);

/// One panel: lines of (x, milliseconds), with an optional horizontal target line.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    x_desc: &str,
    lines: &[Line],
    target_ms: Option<f64>,
) -> Fallible<()> {
    let x_max = lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|(x, _)| *x))
        .fold(1.0, f64::max);
    let y_max = lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|(_, y)| *y))
        .chain(target_ms)
        .fold(1.0, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_max * 1.02, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("round time (ms)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (label, colour, points) in lines {
        let colour = *colour;
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
    }
    if let Some(target) = target_ms {
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, target), (x_max * 1.02, target)],
                TARGET_COLOUR.stroke_width(1),
            ))?
            .label(format!("target {target:.0} ms"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], TARGET_COLOUR));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

fn distinct(values: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = values.collect();
    v.sort();
    v.dedup();
    v
}

fn round_time_chart(results: &Results, file: &Path) -> Fallible<()> {
    let root = SVGBackend::new(file, (1100, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(550);
    let records = distinct(results.matrix.iter().map(|c| c.world.records));
    let targets = distinct(results.matrix.iter().map(|c| c.world.targets));
    let series = |filter: &dyn Fn(&CaseResult) -> bool, x: &dyn Fn(&CaseResult) -> usize| {
        let mut points: Vec<(f64, f64)> = results
            .matrix
            .iter()
            .filter(|c| filter(c))
            .map(|c| (x(c) as f64, ms(c.round(Kind::FirstNamed).median())))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points
    };
    let by_targets: Vec<Line> = records
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            (
                format!("{} export records", thousands(r)),
                COLOURS[i % COLOURS.len()],
                series(&|c| c.world.records == r, &|c| c.world.targets),
            )
        })
        .collect();
    let by_records: Vec<Line> = targets
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            (
                format!("{t} target{}", if t == 1 { "" } else { "s" }),
                COLOURS[i % COLOURS.len()],
                series(&|c| c.world.targets == t, &|c| c.world.records),
            )
        })
        .collect();
    let target = Some(ms(ROUND_TARGET));
    panel(
        &left,
        "First round against targets (loopback)",
        "targets",
        &by_targets,
        target,
    )?;
    panel(
        &right,
        "First round against export records (loopback)",
        "unrelated export records",
        &by_records,
        target,
    )?;
    root.present()?;
    Ok(())
}

fn latency_chart(results: &Results, file: &Path) -> Fallible<()> {
    let root = SVGBackend::new(file, (1100, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(550);
    let rtt = LATENCY_MS as f64;
    let cases = |filter: &dyn Fn(&CaseResult) -> bool| -> Vec<&CaseResult> {
        let mut v: Vec<&CaseResult> = results.latency.iter().filter(|c| filter(c)).collect();
        v.sort_by_key(|c| (c.world.targets, c.world.records));
        v
    };
    let lines = |cases: &[&CaseResult], x: &dyn Fn(&CaseResult) -> f64| -> Vec<Line> {
        let first = |f: &dyn Fn(&CaseResult, &Round) -> f64| -> Vec<(f64, f64)> {
            cases
                .iter()
                .map(|c| (x(c), f(c, c.round(Kind::FirstNamed))))
                .collect()
        };
        vec![
            (
                "first round, measured".into(),
                COLOURS[0],
                first(&|_, r| ms(r.median())),
            ),
            (
                "first round, model".into(),
                COLOURS[1],
                first(&|c, r| model(c, r, rtt)),
            ),
            (
                "later round, measured".into(),
                COLOURS[2],
                cases
                    .iter()
                    .map(|c| (x(c), ms(c.round(Kind::Steady).median())))
                    .collect(),
            ),
            (
                "first round, one target after another".into(),
                COLOURS[3],
                first(&|c, r| one_after_another(c, r, rtt)),
            ),
        ]
    };
    let by_targets = cases(&|c| c.world.records == 0);
    let concurrency = crate::CONCURRENCY;
    let by_records = cases(&|c| c.world.targets == concurrency);
    panel(
        &left,
        &format!("{LATENCY_MS} ms per call, no export records"),
        "targets",
        &lines(&by_targets, &|c| c.world.targets as f64),
        None,
    )?;
    let mut record_lines = lines(&by_records, &|c| c.world.records as f64);
    record_lines.truncate(3);
    record_lines.push((
        "record pages × RTT".into(),
        COLOURS[4],
        by_records
            .iter()
            .map(|c| {
                (
                    c.world.records as f64,
                    rtt * pages(c.world.records, c.world.page_size) as f64,
                )
            })
            .collect(),
    ));
    panel(
        &right,
        &format!("{LATENCY_MS} ms per call, {concurrency} targets"),
        "unrelated export records",
        &record_lines,
        None,
    )?;
    root.present()?;
    Ok(())
}
