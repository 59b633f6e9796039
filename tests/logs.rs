//! Logs never hold credentials or request signatures: the real `lightsail-export` binary (its own
//! tracing setup, the SDK's credential chain from the environment) runs a whole night's job at
//! `RUST_LOG=trace` behind a fake Lambda Runtime API, against the emulator with faults on (so the
//! error and retry paths log too), and everything it prints is searched.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::runtime::FakeRuntimeApi;
use lightsail_emulator::{Emulator, Faults, Scenario};
use serde_json::json;
use tokio::io::AsyncReadExt;

const ACCESS_KEY: &str = "AKIAZZZLOGTESTKEY123";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzSECRETzzz";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEzzzSESSIONTOKENzzzQ2xvdWRUcmFpbA==";

/// Runs the night's job through the real binary with `RUST_LOG` (unset: the default, `info`);
/// returns everything it printed and the number of rounds.
async fn run_binary(rust_log: Option<&str>) -> (String, usize) {
    let mut scenario = Scenario::from_str(common::WORLD).unwrap();
    scenario.speed = 0.0;
    let emulator = Emulator::start(scenario).await.unwrap();
    emulator.set_faults(Faults {
        seed: 5,
        throttle_rate: 0.2,
        server_error_rate: 0.1,
        drop_after_write_rate: 0.2,
        access_denied_for: vec!["nope".into()],
        ..Faults::default()
    });
    let api = FakeRuntimeApi::start().await;
    api.push(json!({}).to_string().into_bytes());

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_lightsail-export"));
    command.env_clear();
    if let Some(level) = rust_log {
        command.env("RUST_LOG", level);
    }
    let mut child = command
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "lightsail-export")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_LIGHTSAIL", emulator.url())
        .env("AWS_ENDPOINT_URL_EC2", emulator.url())
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TARGETS", "web-1,data-disk,nope")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the function's binary starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text).await;
        text
    });
    let err = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });

    // The Step Functions loop: each output is the next event, the clock moves on.
    let mut rounds = 0;
    let final_status = loop {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let answered = loop {
            if api.posted().len() > rounds {
                break api.posted()[rounds].clone();
            }
            assert!(tokio::time::Instant::now() < deadline, "no answer");
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        rounds += 1;
        if answered.kind == "error" {
            // A Retryable invocation error: the state machine retries the same event.
            assert_eq!(
                answered.body["errorType"], "Retryable",
                "{:?}",
                answered.body
            );
            api.push(api.posted()[rounds - 1].body.to_string().into_bytes());
            continue;
        }
        let status = answered.body["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if status != "IN_PROGRESS" || rounds > 40 {
            break status;
        }
        emulator.advance(answered.body["nextCheckSeconds"].as_f64().unwrap_or(300.0));
        api.push(answered.body.to_string().into_bytes());
    };
    assert_eq!(
        final_status, "FAILED",
        "web-1 and data-disk exported, `nope` refused"
    );
    child.kill().await.unwrap();
    let logs = out.await.unwrap() + &err.await.unwrap();

    (logs, rounds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_at_trace_level_logs_no_credentials_and_no_signature() {
    let (logs, rounds) = run_binary(Some("trace")).await;
    let lines = logs.lines().count();
    assert!(lines > 100, "TRACE logs were written ({lines} lines)");
    assert!(
        logs.contains("\"level\":\"TRACE\""),
        "the SDK's TRACE events are there"
    );
    assert!(
        logs.contains("not authorized to perform"),
        "error paths logged"
    );
    assert_no_secret(&logs);
    if let Ok(path) = std::env::var("LOGS_DUMP") {
        std::fs::write(path, &logs).unwrap();
    }
    // The SDK's TRACE events print the access key id (never the secret, the token or the
    // signature); the default level does not, see below.
    println!(
        "FIGURES logs: {rounds} rounds of the real binary at TRACE, {lines} log lines, {} bytes: \
         no secret key, session token or signature (access key id: {} times)",
        logs.len(),
        logs.matches(ACCESS_KEY).count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_at_the_default_level_logs_not_even_the_access_key_id() {
    let (logs, _) = run_binary(None).await;
    assert!(logs.contains("\"level\":\"INFO\""), "{logs}");
    assert!(!logs.contains("\"level\":\"DEBUG\""));
    assert_no_secret(&logs);
    assert!(
        !logs.contains(ACCESS_KEY),
        "the access key id is logged at INFO"
    );
}

/// Every run of 64 hex digits (a SHA-256 or an HMAC, as a signature is) in the logs.
fn hex64(logs: &str) -> Vec<(usize, &str)> {
    let bytes = logs.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    for i in 0..=bytes.len() {
        let hex = i < bytes.len() && bytes[i].is_ascii_hexdigit();
        if !hex {
            if i - start == 64 {
                found.push((start, &logs[start..i]));
            }
            start = i + 1;
        }
    }
    found
}

fn assert_no_secret(logs: &str) {
    // A signature printed bare would be 64 hex digits: the only ones logged are the payload
    // hashes closing the SDK's canonical requests (after the signed-header list).
    for (at, hex) in hex64(logs) {
        let before = &logs[at.saturating_sub(40)..at];
        assert!(
            before.ends_with("x-amz-user-agent\\n"),
            "64 hex digits that are not a payload hash: …{before}{hex}…"
        );
    }
    for secret in [
        SECRET_KEY,
        SESSION_TOKEN,
        "Signature=",
        "x-amz-security-token: F",
    ] {
        let at = logs.find(secret);
        assert!(
            at.is_none(),
            "`{secret}` is in the logs: …{}…",
            at.map(|i| &logs[i.saturating_sub(300)..(i + 100).min(logs.len())])
                .unwrap_or_default()
        );
    }
}
