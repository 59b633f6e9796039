//! The doctor against the emulator: its checklist of a world, and, under every value of every
//! switch a read-only look can observe, the value the emulator was set to (the doctor's guesses
//! are what a first user with an account reports back, so they must name what they see).

mod common;

use common::{client, Harness};
use lightsail_emulator::{Switches, CATALOG};
use lightsail_export::model::TagFilter;
use lightsail_export::{Config, Response};
use serde_json::{json, Value};

/// 09:00 UTC. web-1 and data-disk are tagged for the nights (web-1 also with a key-only tag);
/// `off` has its automatic snapshots turned off; `blog` runs Ghost; a Started export of web-1's
/// copy of last night is under way; 150 export records of long-gone snapshots make
/// GetExportSnapshotRecords page at every page size of the catalog.
const ACCOUNT: &str = r#"
region: us-east-1
now: "2026-11-22T09:00:00Z"
seed: 5
durations: { copySeconds: 600, exportSeconds: 7200, operationSeconds: 5 }
instances:
  - name: web-1
    tags: { export: nightly, backup: "" }
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: Success }
  - name: blog
    blueprintId: ghost_5
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-22", status: Success } ]
  - name: off
    autoSnapshotAddOn: false
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 64
    tags: { export: nightly }
    autoSnapshots:
      - { date: "2026-11-21", status: Success }
      - { date: "2026-11-22", status: Success }
snapshots:
  - { name: web-1-export-2026-11-21, source: web-1, state: available }
exportRecords:
  - { sourceName: web-1-export-2026-11-21, fromResource: web-1, state: Started }
unrelatedExportRecords: 150
"#;

/// A small account whose one export record's snapshot exists (until a test deletes it).
const SMALL: &str = r#"
region: us-east-1
now: "2026-11-22T09:00:00Z"
seed: 6
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-22", status: Success } ]
snapshots:
  - { name: web-1-export-2026-11-21, source: web-1, state: available, tags: { "lightsail-export:managed": "true" } }
exportRecords:
  - { sourceName: web-1-export-2026-11-21, fromResource: web-1, state: Succeeded }
"#;

fn tagged() -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        schedule_expression: Some("cron(0 7 * * ? *)".into()),
        ..Config::default()
    }
}

async fn doctor(h: &Harness) -> Value {
    match h
        .respond(json!({"doctor": true}))
        .await
        .expect("the doctor answers")
    {
        Response::Doctor(output) => serde_json::to_value(&*output).expect("serialises"),
        other => panic!("not the doctor's report: {other:?}"),
    }
}

fn line<'a>(report: &'a Value, check: &str, subject: Option<&str>) -> &'a Value {
    let checks = report["doctor"]["checks"].as_array().expect("checks");
    checks
        .iter()
        .find(|c| c["check"] == check && c.get("subject").and_then(Value::as_str) == subject)
        .unwrap_or_else(|| panic!("no {check} {subject:?} line: {report:#}"))
}

fn guessed(report: &Value, switch: &str) -> Value {
    let guesses = report["doctor"]["guesses"].as_array().expect("guesses");
    let guess = guesses.iter().find(|g| g["switch"] == switch);
    guess.unwrap_or_else(|| panic!("no guess of {switch}"))["value"].clone()
}

#[tokio::test]
async fn the_checklist_of_an_account_names_each_problem_and_writes_nothing() {
    let h = Harness::new(ACCOUNT, tagged()).await.deployed();
    let report = doctor(&h).await;
    let d = &report["doctor"];
    assert_eq!(d["status"], "fail", "blog cannot be exported: {report:#}");
    assert_eq!(d["account"], "123456789012");
    assert_eq!(d["region"], "us-east-1");
    assert_eq!(line(&report, "credentials", None)["status"], "ok");
    let targets = line(&report, "targets", None);
    assert_eq!(targets["status"], "ok");
    assert!(
        targets["detail"].as_str().unwrap().contains("3 target(s)"),
        "{targets}"
    );
    assert_eq!(
        line(&report, "autoSnapshots", Some("web-1"))["status"],
        "ok"
    );
    assert_eq!(line(&report, "schedule", Some("web-1"))["status"], "ok");
    assert_eq!(line(&report, "blueprint", Some("blog"))["status"], "fail");
    assert_eq!(line(&report, "exportRecords", None)["status"], "ok");
    assert_eq!(line(&report, "quota", Some("AMIs"))["status"], "ok");
    assert_eq!(
        line(&report, "quota", Some("EBS snapshots"))["status"],
        "ok"
    );
    let writes: Vec<_> = h.emulator.writes();
    assert!(writes.is_empty(), "the doctor only reads: {writes:?}");
    assert_eq!(h.calls("GetCallerIdentity"), 1);
}

#[tokio::test]
async fn a_schedule_too_close_to_the_snapshot_window_and_a_missing_target_are_reported() {
    let config = Config {
        targets: vec!["web-1".into(), "gone".into()],
        target_tag: None,
        schedule_expression: Some("cron(15 6 * * ? *)".into()),
        ..Config::default()
    };
    let h = Harness::new(ACCOUNT, config).await.deployed();
    let report = doctor(&h).await;
    assert_eq!(line(&report, "targets", Some("gone"))["status"], "fail");
    let schedule = line(&report, "schedule", Some("web-1"));
    assert_eq!(schedule["status"], "warn", "{schedule}");
    assert!(schedule["fix"]
        .as_str()
        .unwrap()
        .contains("cron(0 7 * * ? *)"));
    // The request's targets replace the environment's, as in a round.
    let answer = h
        .respond(json!({"doctor": true, "targets": ["off"]}))
        .await
        .unwrap();
    let Response::Doctor(output) = answer else {
        panic!("not the doctor")
    };
    let report = serde_json::to_value(&*output).unwrap();
    assert_eq!(
        line(&report, "autoSnapshots", Some("off"))["status"],
        "fail"
    );
}

#[tokio::test]
async fn without_sts_the_credentials_are_not_checked_and_the_rest_goes_on() {
    let h = Harness::new(ACCOUNT, tagged()).await;
    let report = doctor(&h).await;
    assert_eq!(line(&report, "credentials", None)["status"], "info");
    assert_eq!(line(&report, "permissions", None)["status"], "info");
    assert_eq!(report["doctor"]["account"], Value::Null);
    assert_eq!(
        line(&report, "autoSnapshots", Some("web-1"))["status"],
        "ok"
    );
}

/// The value the doctor should name under `switches`, for each switch it can observe in
/// [`ACCOUNT`] (`exportRecordsOnSnapshotDelete` has its own test: the made-up records of
/// long-gone snapshots read as `kept` whatever the switch, see emulator/README.md).
fn expected(switch: &str, value: &Value) -> Option<Value> {
    match switch {
        "errorEnvelope"
        | "exportRecordOrder"
        | "destinationInfo"
        | "addOnWhenDisabled"
        | "autoSnapshotOrder"
        | "tagValueWhenKeyOnly"
        | "pageSize" => Some(value.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn under_every_value_of_every_observable_switch_the_doctor_names_that_value() {
    let base = Harness::new(ACCOUNT, tagged()).await.emulator.switches();
    let mut named = 0;
    for info in CATALOG {
        let values = info.to_json()["values"].clone();
        for value in values.as_array().expect("values") {
            let mut switches: Switches = base.clone();
            switches
                .merge(json!({ info.name: value }))
                .expect("a catalog value");
            let h = Harness::new(ACCOUNT, tagged()).await.deployed();
            h.emulator.set_switches(switches);
            let report = doctor(&h).await;
            let seen = guessed(&report, info.name);
            match expected(info.name, value) {
                Some(want) => {
                    assert_eq!(seen, want, "{}={value}: {report:#}", info.name);
                    named += 1;
                }
                None if info.name == "exportRecordsOnSnapshotDelete" => {}
                None => assert_eq!(
                    seen,
                    Value::Null,
                    "{}={value}: not observable read-only",
                    info.name
                ),
            }
        }
    }
    println!("FIGURES doctor: {named} switch values named by the doctor");
}

#[tokio::test]
async fn records_that_outlive_their_snapshot_read_as_kept_and_none_as_unknown() {
    for (value, want) in [("kept", json!("kept")), ("removed", Value::Null)] {
        let h = Harness::new(SMALL, tagged()).await.deployed();
        let mut switches = h.emulator.switches();
        switches
            .merge(json!({ "exportRecordsOnSnapshotDelete": value }))
            .unwrap();
        h.emulator.set_switches(switches);
        let before = doctor(&h).await;
        assert_eq!(
            guessed(&before, "exportRecordsOnSnapshotDelete"),
            Value::Null,
            "{value}: nothing deleted yet"
        );
        client(&h.emulator.url(), "us-east-1")
            .delete_instance_snapshot()
            .instance_snapshot_name("web-1-export-2026-11-21")
            .send()
            .await
            .expect("deleted");
        let after = doctor(&h).await;
        assert_eq!(
            guessed(&after, "exportRecordsOnSnapshotDelete"),
            want,
            "{value}: {after:#}"
        );
    }
}

#[test]
fn the_doctor_guesses_every_switch_of_the_emulator_in_its_order() {
    use lightsail_export::decide::doctor::guesses;
    let names: Vec<&str> = guesses(&Default::default())
        .iter()
        .map(|g| g.switch)
        .collect();
    let catalog: Vec<&str> = CATALOG.iter().map(|i| i.name).collect();
    assert_eq!(names, catalog);
}

#[tokio::test]
async fn an_unreachable_account_is_a_report_of_failed_reads_not_an_error() {
    let h = Harness::new(SMALL, tagged()).await.deployed();
    h.set_faults(lightsail_emulator::Faults {
        ec2_unreachable: true,
        ..Default::default()
    });
    let report = doctor(&h).await;
    assert_eq!(line(&report, "credentials", None)["status"], "ok");
    assert_eq!(
        line(&report, "quota", Some("EC2"))["status"],
        "warn",
        "{report:#}"
    );
    h.set_faults(lightsail_emulator::Faults {
        unreachable_regions: vec!["us-east-1".into()],
        ..Default::default()
    });
    let report = doctor(&h).await;
    assert_eq!(report["doctor"]["status"], "fail");
    for check in ["credentials", "targets", "exportRecords"] {
        assert_eq!(
            line(&report, check, None)["status"],
            "fail",
            "{check}: {report:#}"
        );
    }
    assert_eq!(guessed(&report, "errorEnvelope"), Value::Null);
}

#[tokio::test]
async fn a_call_the_role_may_not_make_is_named_and_the_service_linked_role_follows_the_first_export(
) {
    let h = Harness::new(SMALL, tagged()).await.deployed();
    h.set_faults(lightsail_emulator::Faults {
        access_denied_for: vec!["CopySnapshot".into(), "DeleteSnapshot".into()],
        ..Default::default()
    });
    let report = doctor(&h).await;
    let permissions = line(&report, "permissions", None);
    assert_eq!(permissions["status"], "fail", "{permissions}");
    let detail = permissions["detail"].as_str().unwrap();
    assert!(detail.starts_with("2 of 36 actions"), "{detail}");
    assert!(
        detail.contains("lightsail:CopySnapshot (implicitDeny)")
            && detail.contains("ec2:DeleteSnapshot (implicitDeny)"),
        "{detail}"
    );
    h.set_faults(lightsail_emulator::Faults::default());
    assert_eq!(
        line(&doctor(&h).await, "serviceLinkedRole", None)["status"],
        "info"
    );
    client(&h.emulator.url(), "us-east-1")
        .export_snapshot()
        .source_snapshot_name("web-1-export-2026-11-21")
        .send()
        .await
        .expect("exported");
    let report = doctor(&h).await;
    assert_eq!(
        line(&report, "serviceLinkedRole", None)["status"],
        "ok",
        "{report:#}"
    );
}

#[tokio::test]
async fn a_region_an_organization_denies_is_an_explicit_deny() {
    let h = Harness::new(SMALL, tagged()).await.deployed();
    h.set_faults(lightsail_emulator::Faults {
        denied_regions: vec!["us-east-1".into()],
        ..Default::default()
    });
    let report = doctor(&h).await;
    let permissions = line(&report, "permissions", None);
    assert_eq!(permissions["status"], "fail");
    assert!(
        permissions["detail"]
            .as_str()
            .unwrap()
            .contains("explicitDeny"),
        "{permissions}"
    );
    assert!(
        permissions["fix"]
            .as_str()
            .unwrap()
            .contains("explicit Deny"),
        "{permissions}"
    );
}

#[tokio::test]
async fn a_bad_configuration_is_the_first_line_and_the_rest_is_still_checked() {
    let h = Harness::new(SMALL, tagged()).await;
    let sdk = common::emulator_sdk_config(&h.emulator.url(), "us-east-1");
    let (api, ec2) = (h.app.lightsail().clone(), h.app.ec2().clone());
    let refused = lightsail_export::Error::InvalidConfiguration(
        "TARGET_TAG: tag filter `=x` has no key".into(),
    );
    let regions = lightsail_export::clients::RegionClients::from_sdk_config(&sdk);
    let app = lightsail_export::App::from_adapters(api, ec2, Err(refused), regions)
        .with_sts(lightsail_export::sts::SdkSts::from_sdk_config(&sdk));
    let event = lambda_runtime::LambdaEvent::new(
        json!({"doctor": true, "targets": ["web-1"]}),
        Default::default(),
    );
    let Response::Doctor(output) = lightsail_export::handler(event, &app)
        .await
        .expect("the doctor answers")
    else {
        panic!("not the doctor")
    };
    let report = serde_json::to_value(&*output).unwrap();
    let first = &report["doctor"]["checks"][0];
    assert_eq!(first["check"], "configuration");
    assert_eq!(first["status"], "fail");
    assert!(
        first["detail"].as_str().unwrap().contains("TARGET_TAG"),
        "{first}"
    );
    assert_eq!(
        line(&report, "autoSnapshots", Some("web-1"))["status"],
        "ok",
        "{report:#}"
    );
    // Any other invocation still fails on it, before any call.
    let round = lambda_runtime::LambdaEvent::new(json!({}), Default::default());
    let error = lightsail_export::handler(round, &app).await.unwrap_err();
    assert_eq!(error.error_type(), "InvalidConfiguration");
}
