//! The Lightsail emulator in a process of its own (so the function's memory is its own), the
//! scenario generator, and a small client of the emulator's admin API.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Fallible;

/// The flag that turns this benchmark binary into the standalone emulator.
pub const SERVE_FLAG: &str = "--serve-emulator";

/// The fleet a case runs over.
#[derive(Debug, Clone, Copy)]
pub struct World {
    pub targets: usize,
    pub records: usize,
    pub page_size: usize,
    pub latency_ms: u64,
}

/// Target names: every fourth one is a block-storage disk, the others instances.
pub fn target_names(count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| {
            if i % 4 == 0 {
                format!("data-{i:04}")
            } else {
                format!("web-{i:04}")
            }
        })
        .collect()
}

/// A scenario: the targets tagged `export=nightly`, each with seven daily automatic snapshots
/// (all restorable, newest 2026-11-22), `records` unrelated export records, a manual clock.
pub fn scenario(world: World) -> Value {
    let autos: Vec<Value> = (16..=22)
        .rev()
        .map(|day| json!({"date": format!("2026-11-{day}"), "status": "Success"}))
        .collect();
    let (mut instances, mut disks) = (Vec::new(), Vec::new());
    for name in target_names(world.targets) {
        if name.starts_with("data-") {
            disks.push(json!({
                "name": name, "sizeInGb": 64, "tags": {"export": "nightly"}, "autoSnapshots": autos,
            }));
        } else {
            instances.push(json!({
                "name": name, "blueprintId": "ubuntu_22_04", "bundleId": "small_3_0",
                "tags": {"export": "nightly"}, "autoSnapshots": autos,
            }));
        }
    }
    json!({
        "region": "us-east-1",
        "now": "2026-11-22T05:00:00Z",
        "speed": 0,
        "pageSize": world.page_size,
        "seed": 11,
        "durations": {"copySeconds": 600, "exportSeconds": 1800, "operationSeconds": 5},
        "instances": instances,
        "disks": disks,
        "unrelatedExportRecords": world.records,
        "faults": {"latencyMs": world.latency_ms},
    })
}

/// The emulator child: this same binary run with [`SERVE_FLAG`].
pub struct EmulatorProcess {
    child: Child,
    /// Held open: the child exits when it reads end-of-file, even if this process dies.
    _stdin: ChildStdin,
    pub url: String,
    addr: String,
}

impl EmulatorProcess {
    pub fn start(scenario_file: &Path) -> Fallible<EmulatorProcess> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(SERVE_FLAG)
            .arg(scenario_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the emulator said {line:?}, not `listening on URL`"))?
            .to_string();
        let addr = url.trim_start_matches("http://").to_string();
        Ok(EmulatorProcess {
            child,
            _stdin: stdin,
            url,
            addr,
        })
    }

    /// One admin API call; the response body as JSON.
    async fn admin(&self, method: &str, path: &str, body: &str) -> Fallible<Value> {
        let mut stream = TcpStream::connect(&self.addr).await?;
        let request = format!(
            "{method} /_emulator/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or("the admin API sent no HTTP response")?;
        if !head.starts_with("HTTP/1.1 200") {
            return Err(format!("admin {method} {path}: {head}\n{body}").into());
        }
        Ok(serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// Back to the scenario as loaded: world, clock, faults; counters cleared.
    pub async fn reset(&self) -> Fallible<()> {
        self.admin("POST", "reset", "").await.map(|_| ())
    }

    /// Lightsail calls received since the last reset, by operation.
    pub async fn calls(&self) -> Fallible<BTreeMap<String, u64>> {
        let calls = self.admin("GET", "calls", "").await?;
        Ok(serde_json::from_value(calls)?)
    }

    pub async fn advance(&self, seconds: u64) -> Fallible<()> {
        let body = json!({ "advanceSeconds": seconds }).to_string();
        self.admin("POST", "clock", &body).await.map(|_| ())
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--serve-emulator FILE`: what the `lightsail-emulator` binary does, from this binary (a
/// benchmark cannot ask Cargo for another package's binary), until standard input closes.
pub fn serve(scenario_file: &str) -> Fallible<()> {
    let scenario = lightsail_emulator::Scenario::from_file(Path::new(scenario_file))?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let emulator = lightsail_emulator::Emulator::start(scenario).await?;
        let mut out = std::io::stdout();
        writeln!(out, "listening on {}", emulator.url())?;
        out.flush()?;
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await?;
        drop(emulator);
        Ok(())
    })
}
