//! After the export, against the emulator's EC2 side: the AMIs and EBS snapshots exports leave
//! are verified, labelled and retired over several nights; a user's own survive everything; a
//! crash at any EC2 write, and throttling and 5xx, converge on the same end state.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{target, ClientOptions, CrashPoint, CrashSwitch, Harness};
use lightsail_emulator::Faults;
use lightsail_export::decide::keep::KeepRules;
use lightsail_export::error::TargetErrorKind;
use lightsail_export::model::{Phase, TagFilter};
use lightsail_export::report::{Output, Status};
use lightsail_export::Config;
use serde_json::{json, Value};

/// 07:00 UTC, an hour after the 06:00 window; a new automatic snapshot every day. The user owns
/// an AMI and a snapshot of their own, untagged.
const NIGHTS: &str = r#"
region: us-east-1
now: "2026-11-22T07:00:00Z"
speed: 0
seed: 3
dailyAutoSnapshots: true
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5, ec2Seconds: 600 }
instances:
  - name: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 64
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
ec2Images:
  - { imageId: ami-0000000000000000a, name: golden, tags: { team: ops } }
ec2Snapshots:
  - { snapshotId: snap-0000000000000000b, sizeGiB: 10, description: my backup }
unrelatedExportRecords: 5
"#;

const USERS: [&str; 3] = ["ami-0000000000000000a", "snap-0000000000000000b", ""];

fn config(keep: u32) -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        ec2_keep: KeepRules {
            last: Some(keep),
            ..KeepRules::default()
        },
        ..Config::default()
    }
}

/// A night: rounds until the status is final, the state machine's `Retry` on `Retryable`.
async fn night(h: &Harness) -> Output {
    h.run_retrying(json!({}), 80).await.last().clone()
}

/// The next night: the clock at 07:00 tomorrow.
fn tomorrow(h: &Harness, started: &mut f64) {
    h.next_night(started);
}

/// The EC2 artifacts left: id -> tags.
fn artifacts(h: &Harness) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut all = BTreeMap::new();
    for image in h.emulator.ec2_images() {
        if image.state != "deregistered" {
            all.insert(image.image_id, image.tags);
        }
    }
    for snapshot in h.emulator.ec2_snapshots() {
        all.insert(snapshot.snapshot_id, snapshot.tags);
    }
    all
}

/// The function's artifacts left, per resource: the export dates they hold.
fn managed_dates(h: &Harness) -> BTreeMap<String, BTreeSet<String>> {
    let mut dates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for tags in artifacts(h).values() {
        if tags.get("lightsail-export:managed").map(String::as_str) == Some("true") {
            let resource = tags
                .get("lightsail-export:resource")
                .cloned()
                .unwrap_or_default();
            let date = tags
                .get("lightsail-export:date")
                .cloned()
                .unwrap_or_default();
            dates.entry(resource).or_default().insert(date);
        }
    }
    dates
}

#[tokio::test]
async fn nights_of_exports_are_verified_labelled_and_retired_and_a_users_artifacts_survive() {
    let h = Harness::new(NIGHTS, config(2)).await;
    let mut started = h.emulator.now();
    let mut outputs = Vec::new();
    for n in 0..4 {
        if n > 0 {
            tomorrow(&h, &mut started);
        }
        outputs.push(night(&h).await);
    }
    for output in &outputs {
        assert_eq!(output.status, Status::Succeeded, "{output:#?}");
        for t in &output.targets {
            let ec2 = t
                .export_record
                .as_ref()
                .and_then(|r| r.ec2.as_ref())
                .expect("ec2");
            assert!(
                matches!(ec2.state.as_str(), "available" | "completed"),
                "{ec2:?}"
            );
            assert!(!ec2.snapshot_ids.is_empty() && ec2.size_gib > 0);
        }
        assert!(output.cost.as_ref().is_some_and(|c| c.ec2_snapshot_gib > 0));
    }
    // Tonight's AMI of web-1, labelled.
    let web = target(&outputs[3], "web-1");
    let id = &web
        .export_record
        .as_ref()
        .unwrap()
        .destination
        .as_ref()
        .unwrap()
        .id;
    let tags = &artifacts(&h)[id];
    assert_eq!(
        tags.get("Name").map(String::as_str),
        web.snapshot_name.as_deref()
    );
    assert_eq!(
        tags.get("lightsail-export:date").map(String::as_str),
        Some("2026-11-25")
    );
    assert_eq!(
        tags.get("lightsail-export:resource").map(String::as_str),
        Some("web-1")
    );
    // Keep 2: after four nights, the two newest exports of each resource.
    let newest: BTreeSet<String> = ["2026-11-24", "2026-11-25"].map(String::from).into();
    let dates = managed_dates(&h);
    assert_eq!(dates["web-1"], newest);
    assert_eq!(dates["data-disk"], newest);
    let retired: usize = outputs
        .iter()
        .flat_map(|o| &o.targets)
        .map(|t| t.retired.len())
        .sum();
    assert!(retired >= 4, "{retired}");
    // The user's AMI and snapshot: untouched, never even tagged.
    let left = artifacts(&h);
    for id in USERS.iter().filter(|u| !u.is_empty()) {
        let tags = left.get(*id).unwrap_or_else(|| panic!("{id} was deleted"));
        assert!(
            !tags.contains_key("lightsail-export:managed"),
            "{id}: {tags:?}"
        );
    }
    let writes = h.emulator.writes();
    assert!(writes
        .iter()
        .all(|w| USERS.iter().all(|u| u.is_empty() || !w.target.contains(u))));
}

/// The end state a run reaches: the artifacts left (by what they hold) and the user's.
fn end_state(h: &Harness) -> (BTreeMap<String, BTreeSet<String>>, bool) {
    let left = artifacts(h);
    (
        managed_dates(h),
        USERS
            .iter()
            .filter(|u| !u.is_empty())
            .all(|u| left.contains_key(*u)),
    )
}

/// Two nights, keep 1, with `switch` armed during the second: the EC2 writes of that night are
/// labelling tonight's artifacts and retiring last night's.
async fn two_nights(switch: Option<(Arc<CrashSwitch>, CrashPoint)>) -> (Harness, Output) {
    let options = ClientOptions {
        crash: switch.as_ref().map(|(s, _)| s.clone()),
        ..ClientOptions::default()
    };
    let cfg = Config {
        concurrency: 1,
        ..config(1)
    };
    let h = Harness::with_options(NIGHTS, cfg, &options).await;
    let mut started = h.emulator.now();
    night(&h).await;
    tomorrow(&h, &mut started);
    let crash = switch.as_ref().map(|(s, point)| (s.as_ref(), *point));
    let output = h.night_crashing_at(crash).await;
    (h, output)
}

#[tokio::test]
async fn a_crash_at_every_write_of_labelling_and_retirement_converges_on_the_same_end_state() {
    let (clean, last) = two_nights(None).await;
    assert_eq!(last.status, Status::Succeeded);
    let expected = end_state(&clean);
    let dates: BTreeSet<String> = ["2026-11-23".to_string()].into();
    assert_eq!(expected.0["web-1"], dates, "keep 1: tonight's only");
    // Writes of the second night (Lightsail's and EC2's), each crashed before and after.
    let second: usize = clean
        .emulator
        .writes()
        .iter()
        .filter(|w| w.at >= clean.emulator.now() - 86_400.0 + 3_600.0)
        .count();
    let ec2_writes = ["CreateTags", "DeregisterImage", "DeleteSnapshot"];
    let points = clean
        .emulator
        .writes()
        .iter()
        .filter(|w| ec2_writes.contains(&w.operation.as_str()))
        .count();
    assert!(points >= 4, "labelling and retirement writes: {points}");
    let mut crashes = 0;
    for k in 1..=second {
        for point in [CrashPoint::BeforeWrite(k), CrashPoint::AfterWrite(k)] {
            let switch = Arc::new(CrashSwitch::default());
            let (h, last) = two_nights(Some((switch, point))).await;
            assert_eq!(last.status, Status::Succeeded, "{point:?}");
            assert_eq!(end_state(&h), expected, "{point:?}");
            for (name, n) in h.applied_per_target("CopySnapshot") {
                assert_eq!(n, 1, "{point:?}: {name} copied {n} times");
            }
            crashes += 1;
        }
    }
    println!("FIGURES ec2 crashes: {crashes} crash points over {second} writes, one end state");
}

#[tokio::test]
async fn retirement_under_throttling_and_5xx_loses_nothing() {
    let (clean, _) = two_nights(None).await;
    let expected = end_state(&clean);
    for seed in 1..=4 {
        let h = Harness::with_options(NIGHTS, config(1), &ClientOptions::default()).await;
        h.set_faults(Faults {
            seed,
            throttle_rate: 0.3,
            server_error_rate: 0.15,
            operations: [
                "DescribeImages",
                "DescribeSnapshots",
                "CreateTags",
                "DeregisterImage",
                "DeleteSnapshot",
            ]
            .map(String::from)
            .to_vec(),
            ..Faults::default()
        });
        let mut started = h.emulator.now();
        night(&h).await;
        tomorrow(&h, &mut started);
        let mut last: Value = serde_json::to_value(night(&h).await).expect("output");
        // What a failed listing left for later is done by the rounds that follow.
        for _ in 0..5 {
            last = serde_json::to_value(h.invoke(last).await.expect("round")).expect("output");
        }
        assert_eq!(end_state(&h), expected, "seed {seed}");
    }
}

#[tokio::test]
async fn an_export_whose_ami_never_becomes_available_is_reported_not_exported() {
    let h = Harness::new(
        NIGHTS,
        Config {
            delete_copy_after_export: true,
            max_auto_snapshot_wait: std::time::Duration::from_secs(3600),
            ..config(2)
        },
    )
    .await;
    h.set_faults(Faults {
        ec2_stuck_for: vec!["web-1".into()],
        ..Faults::default()
    });
    let mut event = json!({});
    let mut outputs = Vec::new();
    for _ in 0..120 {
        let output = h.invoke(event).await.expect("round");
        h.emulator.advance(output.next_check_seconds as f64);
        event = serde_json::to_value(&output).expect("output");
        let done = output.status != Status::InProgress;
        outputs.push(output);
        if done {
            break;
        }
    }
    let pending = outputs
        .iter()
        .find(|o| {
            target(o, "web-1")
                .error
                .as_ref()
                .is_some_and(|e| e.kind == TargetErrorKind::Ec2ArtifactPending)
        })
        .expect("a round says the AMI is pending");
    assert_eq!(target(pending, "web-1").phase, Phase::Exporting);
    let last = outputs.last().expect("a round");
    assert_eq!(target(last, "data-disk").phase, Phase::Exported);
    let web = target(last, "web-1");
    assert_eq!(web.phase, Phase::Failed, "{web:#?}");
    assert_eq!(
        web.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::Ec2ArtifactFailed)
    );
    // Never EXPORTED, so its Lightsail copy was never deleted.
    assert!(h.writes("DeleteInstanceSnapshot").is_empty());
}

#[tokio::test]
async fn a_night_against_an_unreachable_ec2_endpoint_ends_with_every_target_reported() {
    let h = Harness::new(
        NIGHTS,
        Config {
            max_retry_window: std::time::Duration::from_secs(30 * 60),
            ..config(2)
        },
    )
    .await;
    h.set_faults(Faults {
        ec2_unreachable: true,
        ..Faults::default()
    });
    // Rounds as the state machine runs them: no invocation fails, the night ends on its own.
    let outputs = h.run(json!({})).await;
    let retrying = outputs
        .iter()
        .find(|o| {
            let web = target(o, "web-1");
            web.error
                .as_ref()
                .is_some_and(|e| e.kind == TargetErrorKind::Retryable)
        })
        .expect("a round in which web-1's AMI could not be looked at");
    let web = target(retrying, "web-1");
    assert_eq!(web.phase, Phase::Exporting, "{web:#?}");
    assert!(web.failing_since.is_some(), "{web:#?}");
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Failed, "{last:#?}");
    assert_eq!(last.summary.total, 2);
    for name in ["web-1", "data-disk"] {
        let t = target(last, name);
        assert_eq!(t.phase, Phase::Failed, "{t:#?}");
        let error = t.error.as_ref().unwrap();
        assert_eq!(
            error.kind,
            TargetErrorKind::RetryWindowExceeded,
            "{error:?}"
        );
        // The message names the call that kept failing, and its last error.
        assert!(
            error.message.contains("MAX_RETRY_WINDOW (30m)"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("last error: Describe"),
            "{}",
            error.message
        );
        // Lightsail's part was done: the export record is there, succeeded.
        assert_eq!(t.export_record.as_ref().unwrap().state, "Succeeded");
    }
    // Rounds 5 minutes apart over a 30-minute window: the night is bounded, not the 12 hours
    // of the state machine's timeout.
    assert!(outputs.len() < 30, "{} rounds", outputs.len());
}

#[tokio::test]
async fn an_ami_deleted_before_it_was_verified_is_a_failed_target() {
    let world = NIGHTS.replace("unrelatedExportRecords: 5", "")
        + r#"snapshots:
  - { name: web-1-export-2026-11-21, source: web-1, state: available }
exportRecords:
  - { sourceName: web-1-export-2026-11-21, fromResource: web-1, state: Succeeded, createdAt: "2026-11-22T06:00:00Z", ec2State: missing }
"#;
    let h = Harness::new(
        &world,
        Config {
            targets: vec!["web-1".into()],
            ..Config::default()
        },
    )
    .await;
    let first = h
        .invoke(json!({"targets": ["web-1"], "restoreDate": "2026-11-21"}))
        .await
        .expect("round");
    let web = target(&first, "web-1");
    assert_eq!(
        web.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::Ec2ArtifactPending),
        "EC2 may be late"
    );
    h.emulator.advance(1_800.0);
    let next = h
        .invoke(serde_json::to_value(&first).unwrap())
        .await
        .expect("round");
    let web = target(&next, "web-1");
    assert_eq!(
        (web.phase, web.error.as_ref().map(|e| e.kind)),
        (Phase::Failed, Some(TargetErrorKind::Ec2ArtifactMissing))
    );
}

#[tokio::test]
async fn bad_ec2_configuration_is_refused_with_a_clear_message() {
    for (key, value, says) in [
        ("EC2_KEEP", "0", "EC2_KEEP is `0`"),
        ("EC2_KEEP", "-2", "EC2_KEEP is `-2`"),
        ("EC2_KEEP", "ten", "EC2_KEEP is `ten`"),
        ("EC2_KEEP_DAYS", "0", "EC2_KEEP_DAYS is `0`"),
        ("EC2_TAGS", "team", "`team` is not key=value"),
        ("EC2_TAGS", "lightsail-export:managed=false", "reserved"),
        ("EC2_SNAPSHOT_PRICE", "free", "price in USD"),
    ] {
        let error = Config::from_lookup(|k| (k == key).then(|| value.to_string())).unwrap_err();
        assert_eq!(error.error_type(), "InvalidConfiguration", "{key}={value}");
        assert!(error.to_string().contains(says), "{key}={value}: {error}");
    }
}
