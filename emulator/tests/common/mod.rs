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
  # Its 2026-11-22 automatic snapshot is being taken for the first 900 s: under the default
  # copyDuringAutoSnapshot its automatic snapshots cannot be copied until then.
  - name: busy-1
    autoSnapshots:
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

/// The error code of an SDK error as the SDK resolves it: the `x-amzn-ErrorType` header, else
/// the body's `code`, else its `__type` (so `DoesNotExist` under the default envelope).
pub fn code<E, R>(e: &aws_sdk_lightsail::error::SdkError<E, R>) -> String
where
    E: aws_sdk_lightsail::error::ProvideErrorMetadata,
{
    use aws_sdk_lightsail::error::ProvideErrorMetadata;
    e.code().unwrap_or("<none>").to_string()
}

/// The raw error body of an SDK error, as JSON (`Null` when there was no response).
pub fn error_body<E>(
    e: &aws_sdk_lightsail::error::SdkError<E, aws_sdk_lightsail::config::http::HttpResponse>,
) -> serde_json::Value {
    e.raw_response()
        .and_then(|r| r.body().bytes())
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// `__type/code` of an SDK error's body (`code` is `-` when absent): the exception and
/// Lightsail's own code in one string, so one assertion checks both.
pub fn kind<E>(
    e: &aws_sdk_lightsail::error::SdkError<E, aws_sdk_lightsail::config::http::HttpResponse>,
) -> String {
    let body = error_body(e);
    let s = |k: &str| {
        body.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("-")
            .to_string()
    };
    format!("{}/{}", s("__type"), s("code"))
}

/// One raw HTTP/1.1 exchange: (status, headers in lower case, body).
pub async fn http_full(
    emu: &Emulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
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
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// A signed-looking Lightsail call over raw HTTP: (status, headers, body as JSON).
pub async fn lightsail_raw(
    emu: &Emulator,
    operation: &str,
    body: &str,
) -> (u16, Vec<(String, String)>, serde_json::Value) {
    let target = format!("Lightsail_20161128.{operation}");
    let (status, headers, body) = http_full(
        emu,
        "POST",
        "/",
        &[
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=00"),
            ("X-Amz-Target", &target),
            ("Content-Type", "application/x-amz-json-1.1"),
        ],
        body,
    )
    .await;
    (
        status,
        headers,
        serde_json::from_str(&body).unwrap_or_default(),
    )
}

/// The value of a header of an [`http_full`] response.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// An emulator on the test world with `switches` (a partial JSON object) set.
pub async fn emulator_with(switches: serde_json::Value) -> Emulator {
    let emu = emulator().await;
    let mut s = emu.switches();
    s.merge(switches).expect("valid switches");
    emu.set_switches(s);
    emu
}

/// Every export record of the client's region, following `nextPageToken` to the end.
pub async fn all_records(
    c: &aws_sdk_lightsail::Client,
) -> Vec<aws_sdk_lightsail::types::ExportSnapshotRecord> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = c
            .get_export_snapshot_records()
            .set_page_token(token)
            .send()
            .await
            .unwrap();
        out.extend(page.export_snapshot_records().iter().cloned());
        token = page.next_page_token().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}
