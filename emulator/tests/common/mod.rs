//! Helpers shared by the integration tests: an SDK client on an in-process emulator, a raw HTTP
//! request for the admin API and protocol checks, and a small deterministic scenario.
#![allow(dead_code)]

use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::{Credentials, Region};
use aws_sdk_lightsail::Client;
use lightsail_emulator::{Emulator, Scenario};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A world for tests: manual clock (speed 0), small pages, two regions.
pub const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T06:00:00Z"
speed: 0
pageSize: 3
seed: 5
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    tags: { export: nightly, team: "" }
    autoSnapshots:
      - { date: "2026-11-19", status: Success }
      - { date: "2026-11-20", status: Failed }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: InProgress, completesAfterSeconds: 900 }
  - name: shop.example.com
    blueprintId: wordpress
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - { name: blog-1, blueprintId: ghost_5, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: app-1, blueprintId: django_4 }
  - { name: panel-1, blueprintId: cpanel_whm_linux }
  - { name: web-2 }
  - { name: web-3 }
  - name: eu-web-1
    region: eu-west-1
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 64
    attachedTo: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
snapshots:
  - { name: blog-1-manual, source: blog-1, state: available }
  - { name: app-1-manual, source: app-1, state: available }
  - { name: panel-1-manual, source: panel-1, state: available }
  - { name: web-1-pending, source: web-1, state: pending }
  - { name: web-1-broken, source: web-1, state: error }
unrelatedExportRecords: 10
"#;

pub fn scenario() -> Scenario {
    Scenario::from_str(WORLD).expect("test scenario parses")
}

pub async fn emulator() -> Emulator {
    Emulator::start(scenario()).await.expect("emulator starts")
}

pub fn client_in(emu: &Emulator, region: &str) -> Client {
    let config = aws_sdk_lightsail::Config::builder()
        .behavior_version_latest()
        .region(Region::new(region.to_string()))
        .endpoint_url(emu.url())
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

pub fn client(emu: &Emulator) -> Client {
    client_in(emu, "us-east-1")
}

/// One raw HTTP/1.1 exchange: (status, body).
pub async fn http(
    emu: &Emulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(emu.addr()).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        emu.addr(),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The error code of an SDK error (`__type` / `x-amzn-ErrorType`).
pub fn code<E, R>(e: &aws_sdk_lightsail::error::SdkError<E, R>) -> String
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    use aws_sdk_lightsail::error::ProvideErrorMetadata;
    e.code().unwrap_or("<none>").to_string()
}
