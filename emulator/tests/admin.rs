//! The admin API over HTTP, the protocol's refusals, and in-process lifecycle.

mod common;

use common::*;
use lightsail_emulator::{Emulator, Scenario, WriteRecord};

const SIGNED: (&str, &str) =
    ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=00");

#[tokio::test]
async fn admin_api() {
    let emu = emulator().await;
    let c = client(&emu);
    assert_eq!(
        http(&emu, "GET", "/_emulator/health", &[], "").await,
        (200, r#"{"ok":true}"#.into())
    );

    let (s, body) = http(&emu, "GET", "/_emulator/clock", &[], "").await;
    assert_eq!(s, 200);
    let clock: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(clock["now"], 1_795_327_200.0);
    assert_eq!(clock["speed"], 0.0);
    let (s, body) = http(
        &emu,
        "POST",
        "/_emulator/clock",
        &[],
        r#"{"advanceSeconds": 60}"#,
    )
    .await;
    assert_eq!(s, 200);
    assert!(body.contains("1795327260"), "{body}");
    assert_eq!(emu.now(), 1_795_327_260.0);
    assert_eq!(
        http(&emu, "POST", "/_emulator/clock", &[], r#"{"advance": 60}"#)
            .await
            .0,
        400
    );

    c.get_instances().send().await.unwrap();
    c.get_instances().send().await.unwrap();
    c.tag_resource()
        .resource_name("web-1")
        .tags(
            aws_sdk_lightsail::types::Tag::builder()
                .key("a")
                .value("b")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (_, body) = http(&emu, "GET", "/_emulator/calls", &[], "").await;
    let calls: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(calls["GetInstances"], 2);
    let (_, body) = http(&emu, "GET", "/_emulator/writes", &[], "").await;
    let writes: Vec<WriteRecord> = serde_json::from_str(&body).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (
            writes[0].operation.as_str(),
            writes[0].target.as_str(),
            writes[0].applied
        ),
        ("TagResource", "web-1", true)
    );

    let (s, _) = http(
        &emu,
        "PUT",
        "/_emulator/faults",
        &[],
        r#"{"throttleRate": 1.0, "operations": ["GetDisks"]}"#,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(emu.faults().throttle_rate, 1.0);
    assert_eq!(
        code(&c.get_disks().send().await.unwrap_err()),
        "ThrottlingException"
    );
    let (_, body) = http(&emu, "GET", "/_emulator/faults", &[], "").await;
    assert!(body.contains(r#""throttleRate":1.0"#), "{body}");
    assert_eq!(
        http(&emu, "PUT", "/_emulator/faults", &[], "not json")
            .await
            .0,
        400
    );

    assert_eq!(http(&emu, "POST", "/_emulator/reset", &[], "").await.0, 200);
    assert!(emu.writes().is_empty() && emu.call_counts().is_empty());
    assert_eq!(emu.now(), 1_795_327_200.0);
    assert_eq!(emu.faults().throttle_rate, 0.0);
    c.get_disks().send().await.unwrap();

    let yaml =
        "region: us-east-1\nnow: 2026-01-01T00:00:00Z\nspeed: 0\ninstances: [ { name: solo } ]\n";
    assert_eq!(
        http(&emu, "POST", "/_emulator/scenario", &[], yaml).await.0,
        200
    );
    let names: Vec<String> = c
        .get_instances()
        .send()
        .await
        .unwrap()
        .instances()
        .iter()
        .map(|i| i.name().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["solo"]);
    assert_eq!(
        http(&emu, "POST", "/_emulator/scenario", &[], "instances: 3")
            .await
            .0,
        400
    );
    assert_eq!(http(&emu, "GET", "/_emulator/nope", &[], "").await.0, 404);
}

#[tokio::test]
async fn protocol_errors() {
    let emu = emulator().await;
    let target = |op: &str| ("X-Amz-Target", format!("Lightsail_20161128.{op}"));
    let ct = ("Content-Type", "application/x-amz-json-1.1");

    let t = target("GetInstances");
    let (s, body) = http(&emu, "POST", "/", &[(t.0, &t.1), ct], "{}").await;
    assert_eq!(s, 400);
    assert!(
        body.contains("MissingAuthenticationTokenException"),
        "{body}"
    );

    let t = target("GetInstance");
    let (s, body) = http(&emu, "POST", "/", &[SIGNED, (t.0, &t.1), ct], "{not json").await;
    assert_eq!(
        (s, body.contains(r#""__type":"SerializationException""#)),
        (400, true),
        "{body}"
    );

    let t = target("GetUnicorns");
    let (s, body) = http(&emu, "POST", "/", &[SIGNED, (t.0, &t.1), ct], "{}").await;
    assert_eq!(
        (s, body.contains("UnknownOperationException")),
        (400, true),
        "{body}"
    );

    let (s, body) = http(&emu, "POST", "/", &[SIGNED, ct], "{}").await;
    assert_eq!(
        (s, body.contains("UnknownOperationException")),
        (400, true),
        "{body}"
    );

    let t = target("GetInstance");
    let (s, body) = http(
        &emu,
        "POST",
        "/",
        &[SIGNED, (t.0, &t.1), ct],
        r#"{"instanceName": 5}"#,
    )
    .await;
    assert_eq!(
        (s, body.contains("SerializationException")),
        (400, true),
        "{body}"
    );
    let (s, body) = http(&emu, "POST", "/", &[SIGNED, (t.0, &t.1), ct], "{}").await;
    assert_eq!(
        (s, body.contains("InvalidInputException")),
        (400, true),
        "{body}"
    );
}

#[tokio::test]
async fn start_stop_and_shipped_scenarios() {
    let t = std::time::Instant::now();
    let emu = Emulator::start(Scenario::demo()).await.unwrap();
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    assert!(!emu.url().ends_with('/'));
    assert_eq!(emu.speed(), 600.0);
    let c = client(&emu);
    let names: Vec<String> = c
        .get_instances()
        .send()
        .await
        .unwrap()
        .instances()
        .iter()
        .map(|i| i.name().unwrap().to_string())
        .collect();
    assert!(names.contains(&"shop.example.com".to_string()));
    let addr = emu.addr();
    drop(emu);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped when dropped"
    );

    let two = Scenario::named_or_file("two-regions").unwrap();
    assert_eq!(two.speed, 0.0);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/demo.yaml");
    assert_eq!(Scenario::named_or_file(path).unwrap(), Scenario::demo());
    assert!(Scenario::named_or_file("/no/such/file.yaml").is_err());
    let json = r#"{"region": "eu-west-1", "now": 1795327200, "instances": [{"name": "a-1"}]}"#;
    assert_eq!(Scenario::from_str(json).unwrap().region, "eu-west-1");
}

#[tokio::test]
async fn in_process_clock_and_load() {
    let emu = emulator().await;
    let start = emu.now();
    emu.advance(10.0);
    assert_eq!(emu.now(), start + 10.0);
    emu.load(Scenario::named_or_file("two-regions").unwrap());
    let eu = client_in(&emu, "eu-west-1");
    assert_eq!(eu.get_disks().send().await.unwrap().disks().len(), 1);
}
