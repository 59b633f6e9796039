//! Setting switches: the library API, the admin API, the binary's `--switch` and
//! `--list-switches`, and the README table that documents the catalog.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

use common::*;
use lightsail_emulator::{ErrorEnvelope, SnapshotNameScope, Switches, CATALOG};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_lightsail-emulator");

#[tokio::test]
async fn admin_switches_routes() {
    let emu = emulator().await;
    let (s, body) = http(&emu, "GET", "/_emulator/switches", &[], "").await;
    assert_eq!(s, 200);
    let all: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(all.as_object().unwrap().len(), CATALOG.len(), "{all}");
    assert_eq!(all["errorEnvelope"], "code");
    assert_eq!(all["pageSize"], 3, "the page size in force");

    // A write before the change survives it: setting switches does not reset the world.
    client(&emu)
        .tag_resource()
        .resource_name("web-2")
        .tags(
            aws_sdk_lightsail::types::Tag::builder()
                .key("k")
                .value("v")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (s, body) = http(
        &emu,
        "PUT",
        "/_emulator/switches",
        &[],
        r#"{"errorEnvelope":"header","pageSize":4}"#,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let now: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (now["errorEnvelope"].as_str(), now["pageSize"].as_u64()),
        (Some("header"), Some(4))
    );
    assert_eq!(emu.switches().error_envelope, ErrorEnvelope::Header);
    assert_eq!(emu.page_size(), 4);
    assert_eq!(emu.writes().len(), 1);
    let (s, _) = http(
        &emu,
        "POST",
        "/_emulator/switches",
        &[],
        r#"{"snapshotNameScope":"snapshots"}"#,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        emu.switches().snapshot_name_scope,
        SnapshotNameScope::Snapshots
    );
    assert_eq!(
        emu.switches().error_envelope,
        ErrorEnvelope::Header,
        "partial merge"
    );

    for bad in [
        r#"{"errorEnvelope":"xml"}"#,
        r#"{"colour":"blue"}"#,
        r#"{"pageSize":0}"#,
        "nope",
    ] {
        let (s, body) = http(&emu, "PUT", "/_emulator/switches", &[], bad).await;
        assert_eq!(s, 400, "{bad}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
    }
    let (_, body) = http(
        &emu,
        "PUT",
        "/_emulator/switches",
        &[],
        r#"{"errorEnvelope":"xml"}"#,
    )
    .await;
    assert!(
        body.contains("errorEnvelope") && body.contains("header"),
        "{body}"
    );
    assert_eq!(
        emu.switches().error_envelope,
        ErrorEnvelope::Header,
        "unchanged"
    );

    let (s, body) = http(&emu, "GET", "/_emulator/switches/catalog", &[], "").await;
    assert_eq!(s, 200);
    let catalog: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(catalog, serde_json::to_value(CATALOG).unwrap());
    assert_eq!(catalog[0]["name"], "errorEnvelope");

    // Reset goes back to the scenario's switches, with the world.
    assert_eq!(http(&emu, "POST", "/_emulator/reset", &[], "").await.0, 200);
    assert_eq!(emu.switches(), Switches::default());
    assert_eq!(emu.page_size(), 3);
}

#[tokio::test]
async fn scenario_switches_block_and_the_clock_reader() {
    let yaml = "now: 2026-11-22T06:00:00Z\nspeed: 0\nswitches: { errorEnvelope: header, pageSize: 7 }\nstaticIps: [ { name: ip-1 } ]\n";
    let s = lightsail_emulator::Scenario::from_str(yaml).unwrap();
    assert_eq!(s.switches.error_envelope, ErrorEnvelope::Header);
    let emu = lightsail_emulator::Emulator::start(s).await.unwrap();
    assert_eq!(emu.page_size(), 7);
    let clock = emu.clock();
    emu.advance(30.0);
    assert_eq!(clock(), emu.now());
    let handle = std::thread::spawn(clock);
    assert_eq!(handle.join().unwrap(), 1_795_327_230.0);

    for bad in [
        "switches: { errorEnvelope: xml }",
        "switches: { colour: blue }",
        "switches: { pageSize: 0 }",
        "pageSize: 0",
    ] {
        assert!(
            lightsail_emulator::Scenario::from_str(bad).is_err(),
            "{bad}"
        );
    }
}

/// Starts the binary; returns it and its URL (from its `listening on` line).
fn spawn(args: &[&str], env: Option<&str>) -> (Child, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["--scenario", "two-regions", "--port", "0"])
        .args(args)
        .env_remove("LIGHTSAIL_EMULATOR_SWITCHES")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(v) = env {
        cmd.env("LIGHTSAIL_EMULATOR_SWITCHES", v);
    }
    let mut child = cmd.spawn().expect("spawn the emulator");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    (child, url)
}

/// A blocking GET of an admin route of the emulator at `url`.
fn get(url: &str, path: &str) -> Value {
    let host = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("read");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    serde_json::from_str(body).expect("JSON body")
}

#[test]
fn binary_switch_flags_apply_after_the_environment() {
    let (mut child, url) = spawn(
        &["--switch", "errorEnvelope=header", "--switch", "pageSize=2"],
        Some(r#"{"errorEnvelope":"code","autoSnapshotOrder":"oldestFirst"}"#),
    );
    let now = get(&url, "/_emulator/switches");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        now["errorEnvelope"], "header",
        "--switch wins over the variable"
    );
    assert_eq!(now["pageSize"], 2, "numbers are read as JSON");
    assert_eq!(
        now["autoSnapshotOrder"], "oldestFirst",
        "the variable applies"
    );

    let out = Command::new(BIN)
        .args(["--switch", "pageSize=many"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pageSize"));
    let out = Command::new(BIN)
        .args(["--switch", "errorEnvelope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn binary_list_switches_prints_the_catalog() {
    let out = Command::new(BIN).arg("--list-switches").output().unwrap();
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list, serde_json::to_value(CATALOG).unwrap());
    let page = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "pageSize")
        .unwrap();
    assert_eq!(page["values"], json!([20, 25, 100]));
    for s in list.as_array().unwrap() {
        assert_eq!(s["values"][0], s["default"]);
        assert!(s["evidence"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

/// The README's Switches table documents CATALOG; this keeps the two from drifting.
#[test]
fn readme_table_lists_every_switch_and_default() {
    let readme = include_str!("../README.md");
    for info in CATALOG {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", info.name)))
            .unwrap_or_else(|| panic!("no README row for {}", info.name));
        assert!(
            row.contains(&format!("**`{}`**", info.default)),
            "README row of {} lacks its default in bold: {row}",
            info.name
        );
        for v in info.values {
            assert!(
                row.contains(&format!("`{v}`")),
                "README row of {} lacks {v}",
                info.name
            );
        }
    }
}
