use std::collections::HashSet;
use std::time::Duration;

use super::*;
use crate::model::drill::{drill_tag, StatusChecks};
use crate::model::time::test_util::{at, day};

mod choice;

/// 2026-12-04T05:00:00Z.
const NOW: f64 = 1_796_360_400.0;
const MIN: f64 = 60.0;

fn policy(every_days: Option<u32>, max: u32) -> DrillPolicy {
    DrillPolicy {
        every_days,
        max_per_night: max,
        timeout: Duration::from_secs(1800),
        instance_type: None,
        subnet_id: None,
        on_demand: false,
    }
}

fn candidate(
    name: &str,
    exported: bool,
    last_days_ago: Option<f64>,
    active: bool,
) -> Candidate<'_> {
    Candidate {
        name,
        exported,
        last: last_days_ago.map(|d| at(NOW - d * 86_400.0)),
        active,
    }
}

fn names(set: HashSet<String>) -> Vec<String> {
    let mut names: Vec<String> = set.into_iter().collect();
    names.sort();
    names
}

fn instance(state: &str, started_min_ago: f64, checks: Option<(&str, &str)>) -> DrillInstance {
    let started = at(NOW - started_min_ago * MIN);
    DrillInstance {
        id: "i-0123456789abcdef0".into(),
        image_id: "ami-1".into(),
        state: state.into(),
        instance_type: "t3.micro".into(),
        launch_time: Some(started),
        public_ip: None,
        tags: vec![
            (drill_tag::OF.into(), Some("ami-1".into())),
            (drill_tag::STARTED.into(), Some(started.rfc3339())),
        ],
        checks: checks.map(|(system, instance)| StatusChecks {
            system: system.into(),
            instance: instance.into(),
        }),
    }
}

fn volume(state: &str, started_min_ago: f64) -> DrillVolume {
    let started = at(NOW - started_min_ago * MIN);
    DrillVolume {
        id: "vol-0123456789abcdef0".into(),
        snapshot_id: Some("snap-1".into()),
        state: state.into(),
        size_gib: 8,
        created_at: Some(started),
        tags: vec![(drill_tag::OF.into(), Some("snap-1".into()))],
    }
}

fn view<'a>(
    kind: ArtifactKind,
    instances: &'a [DrillInstance],
    volumes: &'a [DrillVolume],
) -> View<'a> {
    View {
        kind,
        result: None,
        instances: instances.iter().collect(),
        volumes: volumes.iter().collect(),
        carried_start: None,
        carried: false,
        chosen: true,
        instance_type: "t3.micro".into(),
        timeout: Duration::from_secs(1800),
        now: at(NOW),
    }
}

/// A step, reduced to what a table can say: its name, the result's pass, its boot seconds.
fn shape(step: &Step) -> (&'static str, Option<bool>, Option<u64>) {
    match step {
        Step::Idle => ("idle", None, None),
        Step::Launch { .. } => ("launch", None, None),
        Step::Wait { .. } => ("wait", None, None),
        Step::Finish { result, .. } => ("finish", Some(result.passed), result.boot_seconds),
        Step::TearDown { .. } => ("tearDown", None, None),
        Step::Done(result) => ("done", Some(result.passed), result.boot_seconds),
    }
}

#[test]
fn an_instance_drill_moves_from_launch_to_done() {
    type Case<'a> = (
        &'a str,
        Vec<DrillInstance>,
        (&'static str, Option<bool>, Option<u64>),
    );
    let cases: Vec<Case<'_>> = vec![
        ("nothing yet", vec![], ("launch", None, None)),
        (
            "pending",
            vec![instance("pending", 1.0, None)],
            ("wait", None, None),
        ),
        (
            "running, checks initializing",
            vec![instance(
                "running",
                3.0,
                Some(("initializing", "initializing")),
            )],
            ("wait", None, None),
        ),
        (
            "running, insufficient data",
            vec![instance("running", 3.0, Some(("insufficient-data", "ok")))],
            ("wait", None, None),
        ),
        (
            "both ok: passed, boot measured from the start",
            vec![instance("running", 4.0, Some(("ok", "ok")))],
            ("finish", Some(true), Some(240)),
        ),
        (
            "impaired",
            vec![instance("running", 6.0, Some(("ok", "impaired")))],
            ("finish", Some(false), None),
        ),
        (
            "terminated by someone",
            vec![instance("terminated", 6.0, None)],
            ("finish", Some(false), None),
        ),
        (
            "stopped by its own shutdown",
            vec![instance("stopped", 6.0, None)],
            ("finish", Some(false), None),
        ),
        (
            "past the timeout",
            vec![instance(
                "running",
                31.0,
                Some(("initializing", "initializing")),
            )],
            ("finish", Some(false), None),
        ),
        (
            "ok at the timeout still passes",
            vec![instance("running", 31.0, Some(("ok", "ok")))],
            ("finish", Some(true), Some(1860)),
        ),
    ];
    for (label, instances, expected) in cases {
        let v = view(ArtifactKind::Image, &instances, &[]);
        assert_eq!(shape(&step(&v)), expected, "{label}");
    }
}

#[test]
fn a_timeout_names_what_was_seen_and_the_setting() {
    let instances = [instance(
        "running",
        31.0,
        Some(("initializing", "initializing")),
    )];
    let Step::Finish {
        reason,
        ids,
        result,
    } = step(&view(ArtifactKind::Image, &instances, &[]))
    else {
        panic!("a finish");
    };
    let reason = reason.unwrap_or_default();
    assert!(
        reason.contains("timed out") && reason.contains("RESTORE_TEST_TIMEOUT is 30m"),
        "{reason}"
    );
    assert!(reason.contains("system initializing"), "{reason}");
    assert_eq!(ids, ["i-0123456789abcdef0"]);
    assert_eq!(result.instance_type.as_deref(), Some("t3.micro"));
}

#[test]
fn once_the_result_is_written_only_teardown_is_left() {
    let result = DrillResult {
        finished_at: at(NOW - 2.0 * MIN),
        passed: true,
        boot_seconds: Some(90),
        instance_type: Some("t3.micro".into()),
        started_at: Some(at(NOW - 5.0 * MIN)),
    };
    let with = |instances: &[DrillInstance]| {
        let mut v = view(ArtifactKind::Image, instances, &[]);
        v.result = Some(result.clone());
        shape(&step(&v))
    };
    assert_eq!(
        with(&[instance("running", 5.0, Some(("ok", "ok")))]),
        ("tearDown", None, None)
    );
    assert_eq!(
        with(&[instance("shutting-down", 5.0, None)]),
        ("tearDown", None, None)
    );
    assert_eq!(
        with(&[instance("terminated", 5.0, None)]),
        ("done", Some(true), Some(90))
    );
    assert_eq!(with(&[]), ("done", Some(true), Some(90)));
    // An older night's result is no drill of tonight's: a chosen target starts one.
    let mut v = view(ArtifactKind::Image, &[], &[]);
    v.result = Some(DrillResult {
        finished_at: at(NOW - 8.0 * 86_400.0),
        ..result.clone()
    });
    assert_eq!(shape(&step(&v)), ("launch", None, None));
    v.chosen = false;
    assert_eq!(shape(&step(&v)), ("idle", None, None));
}

#[test]
fn a_refused_launch_is_tried_again_until_the_timeout() {
    let mut v = view(ArtifactKind::Image, &[], &[]);
    v.chosen = false;
    v.carried = true;
    v.carried_start = Some(at(NOW - 10.0 * MIN));
    assert_eq!(
        step(&v),
        Step::Launch {
            started: at(NOW - 10.0 * MIN)
        }
    );
    v.carried_start = Some(at(NOW - 40.0 * MIN));
    let Step::Finish {
        result,
        reason,
        ids,
    } = step(&v)
    else {
        panic!("a finish");
    };
    assert!(!result.passed && ids.is_empty());
    assert!(reason
        .unwrap_or_default()
        .contains("nothing could be launched within 30m"));
}

#[test]
fn a_disk_drill_passes_once_its_volume_is_available() {
    let cases = [
        ("creating", 1.0, ("wait", None, None)),
        ("available", 2.0, ("finish", Some(true), Some(120))),
        ("error", 2.0, ("finish", Some(false), None)),
        ("creating", 31.0, ("finish", Some(false), None)),
    ];
    for (state, ago, expected) in cases {
        let volumes = [volume(state, ago)];
        let v = view(ArtifactKind::Snapshot, &[], &volumes);
        assert_eq!(shape(&step(&v)), expected, "{state} {ago}");
        if let Step::Finish { result, .. } = step(&v) {
            assert_eq!(result.instance_type, None, "a volume has no instance type");
        }
    }
    let volumes = [volume("deleting", 3.0)];
    let mut v = view(ArtifactKind::Snapshot, &[], &volumes);
    v.result = Some(DrillResult {
        finished_at: at(NOW - MIN),
        passed: true,
        boot_seconds: Some(60),
        instance_type: None,
        started_at: None,
    });
    assert_eq!(shape(&step(&v)), ("tearDown", None, None));
    assert_eq!(
        step(&v).state(),
        Some((DrillState::Running, Some(Stage::TearingDown)))
    );
}

#[test]
fn the_sweep_takes_only_old_drills_of_targets_not_in_the_round() {
    let mut old = instance("running", 45.0, None);
    old.id = "i-old".into();
    let mut recent = instance("running", 35.0, None);
    recent.id = "i-recent".into();
    let mut going = instance("shutting-down", 90.0, None);
    going.id = "i-going".into();
    let mut mine = instance("running", 90.0, None);
    mine.id = "i-mine".into();
    mine.tags[0].1 = Some("ami-handled".into());
    let handled: HashSet<String> = ["ami-handled".to_string()].into();
    let mut attached = volume("in-use", 90.0);
    attached.id = "vol-attached".into();
    let loose = volume("available", 90.0);
    let (instances, volumes) = to_sweep(
        &[old, recent, going, mine],
        &[attached, loose],
        &handled,
        Duration::from_secs(1800),
        at(NOW),
    );
    assert_eq!(instances, ["i-old"]);
    assert_eq!(volumes, ["vol-0123456789abcdef0"]);
}

#[test]
fn tokens_and_types() {
    let token = client_token("ami-0123456789abcdef0", at(NOW));
    assert_eq!(token, "lsx-ami-0123456789abcdef0-2026-12-04T050000Z");
    assert!(token.len() <= 64);
    assert_ne!(
        token,
        client_token("ami-0123456789abcdef0", at(NOW + 86_400.0))
    );
    assert_eq!(client_token(&"x".repeat(100), at(NOW)).len(), 64);
    let types: Vec<String> = [
        (Some(512), Some(true)),
        (Some(1024), Some(true)),
        (Some(2048), Some(true)),
        (Some(4096), Some(true)),
        (Some(8192), Some(true)),
        (Some(16384), Some(true)),
        (Some(32768), Some(true)),
        (None, Some(true)),
        (Some(2048), Some(false)),
        (Some(2048), None),
    ]
    .into_iter()
    .map(|(ram, ena)| instance_type(ram, ena))
    .collect();
    assert_eq!(
        types,
        [
            "t3.nano",
            "t3.micro",
            "t3.small",
            "t3.medium",
            "t3.large",
            "t3.xlarge",
            "t3.2xlarge",
            "t3.micro",
            "t2.small",
            "t2.small"
        ]
    );
}
