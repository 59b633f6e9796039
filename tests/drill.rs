//! The restore drill against the emulator, through the real SDK clients: an instance's AMI
//! booted isolated and a disk's EBS snapshot restored, in one night, PASSED, with nothing left
//! behind (checked by listing the world); the faults the issue names FAIL with their reason and
//! are torn down; a crash at every drill write converges with nothing left. The guess matrix
//! runs this file under every emulator switch.

mod common;

use std::sync::Arc;

use common::{target, ClientOptions, CrashPoint, CrashSwitch, Harness};
use lightsail_emulator::Faults;
use lightsail_export::input::config::DrillPolicy;
use lightsail_export::model::drill::DrillState;
use lightsail_export::model::{Phase, TagFilter};
use lightsail_export::report::{Output, Status};
use lightsail_export::Config;
use serde_json::json;

const WORLD: &str = r#"
region: us-east-1
now: "2026-12-04T07:00:00Z"
speed: 0
seed: 5
dailyAutoSnapshots: true
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5, ec2Seconds: 600 }
instances:
  - name: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-12-03", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 32
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-12-03", status: Success } ]
"#;

fn config(timeout_minutes: u64) -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        restore_test: DrillPolicy {
            every_days: Some(1),
            max_per_night: 2,
            timeout: std::time::Duration::from_secs(timeout_minutes * 60),
            ..DrillPolicy::default()
        },
        ..Config::default()
    }
}

async fn night(h: &Harness) -> Output {
    h.run_retrying(json!({}), 150).await.last().clone()
}

/// Nothing a drill made is left: every instance terminated (or gone), every volume deleted,
/// the isolated group without a rule either way; and no drill instance ever had a public IP.
fn nothing_left(h: &Harness) {
    for instance in h.emulator.ec2_instances() {
        assert!(
            matches!(instance.state.as_str(), "terminated" | "shutting-down"),
            "left running: {instance:?}"
        );
        assert_eq!(instance.public_ip, None, "{instance:?}");
        assert_eq!(
            instance
                .tags
                .get("lightsail-export:managed")
                .map(String::as_str),
            Some("true")
        );
    }
    for volume in h.emulator.ec2_volumes() {
        assert!(
            matches!(volume.state.as_str(), "deleted" | "deleting"),
            "left behind: {volume:?}"
        );
    }
    for group in h.emulator.ec2_security_groups() {
        if group.name == "lightsail-export-restore-test" {
            assert!(
                group.ingress.is_empty() && group.egress.is_empty(),
                "{group:?}"
            );
        }
    }
}

/// The drill's result, as tagged on the artifact.
fn result_tag(h: &Harness, artifact: &str) -> Option<String> {
    let images = h
        .emulator
        .ec2_images()
        .into_iter()
        .map(|i| (i.image_id, i.tags));
    let snapshots = (h.emulator.ec2_snapshots().into_iter()).map(|s| (s.snapshot_id, s.tags));
    let mut all = images.chain(snapshots);
    let (_, tags) = all.find(|(id, _)| id == artifact)?;
    tags.get("lightsail-export:restore-test").cloned()
}

#[tokio::test]
async fn an_instance_and_a_disk_are_drilled_in_one_night_and_nothing_is_left() {
    let h = Harness::new(WORLD, config(30)).await;
    let out = night(&h).await;
    assert_eq!(out.status, Status::Succeeded, "{out:#?}");
    let drills = out.summary.restore_tests.expect("restoreTests");
    assert_eq!((drills.passed, drills.failed, drills.running), (2, 0, 0));
    for name in ["web-1", "data-disk"] {
        let t = target(&out, name);
        assert_eq!(t.phase, Phase::Exported);
        let drill = t.restore_test.as_ref().expect("restoreTest");
        assert_eq!(drill.state, DrillState::Passed, "{drill:?}");
        assert!(drill.started_at.is_some() && drill.finished_at.is_some());
        let tag = result_tag(&h, &drill.artifact).expect("result tag");
        assert!(tag.contains("PASSED"), "{tag}");
        assert!(drill.estimated_usd.is_some_and(|usd| usd > 0.0));
    }
    let instance = target(&out, "web-1").restore_test.clone().unwrap();
    assert!(instance.boot_seconds.is_some_and(|s| s > 0), "{instance:?}");
    assert!(instance
        .instance_type
        .as_deref()
        .is_some_and(|t| t.starts_with("t")));
    let cost = out.cost.expect("cost");
    assert!(
        cost.restore_test_usd.is_some_and(|usd| usd > 0.0),
        "{cost:?}"
    );
    nothing_left(&h);
    assert_eq!(
        h.applied("RunInstances"),
        1,
        "one launch, however many rounds"
    );
}

#[tokio::test]
async fn the_next_night_remembers_the_drill_from_the_tag_and_does_not_drill_again_too_soon() {
    let mut config = config(30);
    config.restore_test.every_days = Some(7);
    let h = Harness::new(WORLD, config).await;
    let first = night(&h).await;
    assert_eq!(first.summary.restore_tests.unwrap().passed, 2);
    h.emulator
        .advance(86_400.0 - h.emulator.now() % 86_400.0 + 7.0 * 3600.0);
    let second = night(&h).await;
    assert_eq!(second.status, Status::Succeeded, "{second:#?}");
    assert_eq!(second.summary.restore_tests, None);
    for name in ["web-1", "data-disk"] {
        let last = target(&second, name).last_restore_test.clone();
        let last = last.expect("lastRestoreTest from the tag");
        assert_eq!(last.state, DrillState::Passed);
    }
    assert_eq!(h.applied("RunInstances"), 1);
}

#[tokio::test]
async fn faults_fail_the_drill_with_a_reason_and_everything_is_torn_down() {
    let cases = [
        (
            "impaired",
            json!({"impairedFor": ["web-1"]}),
            "status checks",
        ),
        (
            "unsupported",
            json!({"launchRefusedFor": {"web-1": "unsupported"}}),
            "launch refused",
        ),
        (
            "capacity forever",
            json!({"launchRefusedFor": {"web-1": "capacity"}}),
            "within",
        ),
        (
            "never ok",
            json!({"statusInitializingFor": ["web-1"]}),
            "timed out",
        ),
    ];
    for (label, faults, reason) in cases {
        let h = Harness::new(WORLD, config(10)).await;
        let faults: Faults = serde_json::from_value(faults).expect("faults");
        h.set_faults(faults);
        let out = night(&h).await;
        assert_eq!(out.status, Status::Failed, "{label}: {out:#?}");
        let failed = out.targets.iter().find(|t| {
            t.restore_test
                .as_ref()
                .is_some_and(|d| d.state == DrillState::Failed)
        });
        let failed = failed.unwrap_or_else(|| panic!("{label}: no failed drill"));
        assert_eq!(failed.phase, Phase::Exported, "{label}: the export stands");
        let why = failed.restore_test.as_ref().and_then(|d| d.reason.clone());
        assert!(
            why.as_deref().is_some_and(|w| w.contains(reason)),
            "{label}: {why:?}"
        );
        nothing_left(&h);
    }
}

/// A volume that never leaves `creating` cannot be deleted (DeleteVolume refuses it,
/// `IncorrectState`): the drill FAILS with both reasons, and every round (then the sweep) tries
/// again; nothing else is left.
#[tokio::test]
async fn a_volume_stuck_creating_fails_the_drill_and_is_retried() {
    let h = Harness::new(WORLD, config(10)).await;
    let faults: Faults =
        serde_json::from_value(json!({"volumeStuckFor": ["data-disk"]})).expect("faults");
    h.set_faults(faults);
    let out = night(&h).await;
    assert_eq!(out.status, Status::Failed, "{out:#?}");
    let drill = target(&out, "data-disk")
        .restore_test
        .clone()
        .expect("restoreTest");
    assert_eq!(drill.state, DrillState::Failed);
    let why = drill.reason.unwrap_or_default();
    assert!(
        why.contains("timed out") && why.contains("IncorrectState"),
        "{why}"
    );
    let stuck: Vec<_> = (h.emulator.ec2_volumes().into_iter())
        .filter(|v| v.state == "creating")
        .collect();
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    assert_eq!(
        target(&out, "web-1").restore_test.as_ref().map(|d| d.state),
        Some(DrillState::Passed)
    );
    let tries = h.writes("DeleteVolume").len();
    h.emulator.advance(86_400.0);
    night(&h).await;
    assert!(
        h.writes("DeleteVolume").len() > tries,
        "the next night tries again"
    );
}

#[tokio::test]
async fn a_termination_that_fails_is_tried_again_until_it_is_done() {
    let h = Harness::new(WORLD, config(30)).await;
    let faults: Faults =
        serde_json::from_value(json!({"terminateFailsFor": {"web-1": 2}})).expect("faults");
    h.set_faults(faults);
    let out = night(&h).await;
    assert_eq!(out.status, Status::Succeeded, "{out:#?}");
    nothing_left(&h);
}

/// One night with `switch` armed from its start; a crash ends the execution, and a new one
/// starts from scratch (the state machine's next schedule, or a redrive).
async fn crashed_night(point: Option<CrashPoint>) -> (Harness, Output) {
    let switch = Arc::new(CrashSwitch::default());
    let options = ClientOptions {
        crash: Some(switch.clone()),
        ..ClientOptions::default()
    };
    let h = Harness::with_options(WORLD, config(30), &options).await;
    if let Some(point) = point {
        switch.arm(point);
    }
    let mut event = json!({});
    for _ in 0..200 {
        let result = h.invoke(event.clone()).await;
        if switch.crashed() {
            switch.disarm();
            h.emulator.advance(60.0);
            event = json!({});
            continue;
        }
        let Ok(out) = result else {
            h.emulator.advance(5.0);
            continue;
        };
        h.emulator.advance(out.next_check_seconds as f64);
        if out.status != Status::InProgress {
            return (h, out);
        }
        event = serde_json::to_value(&out).expect("output");
    }
    panic!("no final status");
}

#[tokio::test]
async fn a_crash_at_every_write_of_a_drilled_night_converges_with_nothing_left() {
    let (clean, _) = crashed_night(None).await;
    let writes = clean.emulator.writes().len();
    let drill_writes = [
        "RunInstances",
        "CreateVolume",
        "TerminateInstances",
        "DeleteVolume",
    ];
    assert!(
        drill_writes.iter().all(|w| clean.applied(w) > 0),
        "a clean night launches and tears down"
    );
    let mut crashes = 0;
    for k in 1..=writes {
        for point in [CrashPoint::BeforeWrite(k), CrashPoint::AfterWrite(k)] {
            let (h, out) = crashed_night(Some(point)).await;
            assert_eq!(out.status, Status::Succeeded, "{point:?}: {out:#?}");
            let drills = out.summary.restore_tests;
            assert_eq!(drills.map(|d| d.passed), Some(2), "{point:?}: {drills:?}");
            nothing_left(&h);
            for launch in ["RunInstances", "CreateVolume"] {
                assert_eq!(h.applied(launch), 1, "{point:?}: {launch} applied twice");
            }
            crashes += 1;
        }
    }
    println!("FIGURES drill crashes: {crashes} crash points over {writes} writes, nothing left");
}

#[tokio::test]
async fn on_demand_every_exported_target_is_drilled_and_the_flag_is_carried() {
    let mut config = config(30);
    config.restore_test.every_days = None;
    config.restore_test.max_per_night = 1;
    let h = Harness::new(WORLD, config).await;
    let run = h.run_retrying(json!({"restoreTest": true}), 150).await;
    let out = run.last();
    assert_eq!(out.status, Status::Succeeded, "{out:#?}");
    assert_eq!(out.restore_test, Some(true));
    let drills = out.summary.restore_tests.expect("restoreTests");
    assert_eq!(
        drills.passed, 2,
        "on demand: every target, whatever the nightly budget"
    );
    nothing_left(&h);
    // Without it, and drills off, nothing is drilled.
    let plain = Harness::new(WORLD, {
        let mut off = Config {
            target_tag: TagFilter::parse("export=nightly").ok(),
            ..Config::default()
        };
        off.restore_test.every_days = None;
        off
    })
    .await;
    let out = plain.run_retrying(json!({}), 150).await.last().clone();
    assert_eq!(out.summary.restore_tests, None);
    assert!(plain.emulator.ec2_instances().is_empty());
}
