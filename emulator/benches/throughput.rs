//! Benchmark (not a timed test): start-up time, requests per second on loopback, and memory with
//! 10,000 export records. Run: `cargo bench -p lightsail-emulator --bench throughput`.
//! Bounded: a fixed number of requests to 127.0.0.1, then it stops.

use std::time::{Duration, Instant};

use lightsail_emulator::{Emulator, Scenario};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CONNECTIONS: usize = 8;
const REQUESTS_PER_CONNECTION: usize = 5_000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// A keep-alive connection sending signed-looking Lightsail requests, reading each response fully.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(emu: &Emulator) -> Conn {
        let stream = TcpStream::connect(emu.addr()).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    async fn call(&mut self, op: &str, body: &str) -> (u16, usize) {
        let req = format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: Lightsail_20161128.{op}\r\n\
             Content-Type: application/x-amz-json-1.1\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=00\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(req.as_bytes()).await.expect("write");
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let n = self.stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .expect("content-length");
            if self.buf.len() >= end + 4 + len {
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return (status, len);
            }
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // 1. Start-up: from nothing to the first answered request, demo scenario.
    let t = Instant::now();
    let emu = Emulator::start(Scenario::demo()).await.expect("start");
    let started = t.elapsed();
    let mut c = Conn::open(&emu).await;
    assert_eq!(c.call("GetInstances", "{}").await.0, 200);
    let first = t.elapsed();
    println!(
        "startup: Emulator::start {:.2} ms, first response {:.2} ms",
        ms(started),
        ms(first)
    );

    // 2. Throughput: CONNECTIONS keep-alive connections in parallel, a mix of reads.
    let ops = [
        ("GetInstance", r#"{"instanceName":"web-1"}"#),
        ("GetAutoSnapshots", r#"{"resourceName":"shop.example.com"}"#),
        ("GetExportSnapshotRecords", "{}"),
        ("GetDisks", "{}"),
    ];
    let t = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..CONNECTIONS {
        let mut conn = Conn::open(&emu).await;
        tasks.push(tokio::spawn(async move {
            let mut bytes = 0;
            for n in 0..REQUESTS_PER_CONNECTION {
                let (op, body) = ops[(i + n) % ops.len()];
                let (status, len) = conn.call(op, body).await;
                assert_eq!(status, 200);
                bytes += len;
            }
            bytes
        }));
    }
    let mut bytes = 0;
    for t in tasks {
        bytes += t.await.expect("task");
    }
    let elapsed = t.elapsed();
    let total = CONNECTIONS * REQUESTS_PER_CONNECTION;
    println!(
        "throughput: {total} requests over {CONNECTIONS} connections in {:.2} s = {:.0} requests/s ({:.1} MB of responses)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        bytes as f64 / 1e6
    );
    drop(emu);

    // 3. Memory: 10,000 export records, paged through completely once.
    let before = rss_kib();
    let mut big = Scenario::demo();
    big.unrelated_export_records = 10_000;
    let t = Instant::now();
    let emu = Emulator::start(big).await.expect("start");
    let load = t.elapsed();
    let mut c = Conn::open(&emu).await;
    let t = Instant::now();
    let (status, _) = c.call("GetExportSnapshotRecords", "{}").await;
    assert_eq!(status, 200);
    let page = t.elapsed();
    let after = rss_kib();
    println!(
        "memory: 10,000 export records loaded in {:.1} ms; process RSS {:.1} MB (was {:.1} MB before loading); one page {:.2} ms",
        ms(load),
        after as f64 / 1024.0,
        before as f64 / 1024.0,
        ms(page)
    );
    drop(emu);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
