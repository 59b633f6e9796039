//! Every branch of one target's round, through the in-memory fake adapter: what it calls, and
//! what it reports.

use std::collections::HashMap;

use super::TargetRound;

mod artifact;
mod copy;
mod export;
mod observe;

use crate::ec2::fake::FakeEc2;
use crate::error::ApiError;
use crate::error::TargetError;
use crate::error::TargetErrorKind as Kind;
use crate::input::config::Config;
use crate::input::plan::{Plan, TargetSpec};
use crate::input::request::Request;
use crate::lightsail::fake::{FakeLightsail, FakeWorld};
use crate::model::time::test_util::{at, day};
use crate::model::{
    ArtifactKind, AutoSnapshot, AutoSnapshotStatus, Destination, Ec2Artifact, ExportRecord,
    ManualSnapshot, Phase, RecordState, Resource, ResourceType, SnapshotState,
};
use crate::report::TargetReport;

const NOW: f64 = 1_795_328_400.0; // 2026-11-22T06:20:00Z
const COPY: &str = "web-1-export-2026-11-21";

fn instance(name: &str, blueprint: &str) -> Resource {
    Resource {
        blueprint_id: blueprint.into(),
        snapshot_time_of_day: Some("06:00".into()),
        ram_mib: None,
        ..Resource::test(name, ResourceType::Instance)
    }
}

fn disk(name: &str) -> Resource {
    Resource {
        resource_type: ResourceType::Disk,
        ..instance(name, "")
    }
}

fn autos(entries: &[(&str, AutoSnapshotStatus)]) -> Vec<AutoSnapshot> {
    entries
        .iter()
        .map(|(date, status)| AutoSnapshot {
            date: day(date),
            status: status.clone(),
        })
        .collect()
}

/// web-1 (instance), data-disk, and their automatic snapshots (today's being taken for web-1).
fn world() -> FakeLightsail {
    let mut w = FakeWorld {
        now: at(NOW),
        resources: vec![instance("web-1", "ubuntu_22_04"), disk("data-disk")],
        ..FakeWorld::default()
    };
    use AutoSnapshotStatus::*;
    w.autos.insert(
        "web-1".into(),
        autos(&[
            ("2026-11-20", Success),
            ("2026-11-21", Success),
            ("2026-11-22", InProgress),
        ]),
    );
    w.autos
        .insert("data-disk".into(), autos(&[("2026-11-21", Success)]));
    FakeLightsail::new(w)
}

fn copy_of(name: &str, from: &str, state: SnapshotState) -> ManualSnapshot {
    ManualSnapshot {
        state,
        from_resource: Some(from.into()),
        from_auto_snapshot: Some(true),
        ..ManualSnapshot::missing(name, ResourceType::Instance)
    }
}

fn record(source: &str, state: RecordState) -> ExportRecord {
    ExportRecord {
        name: format!("ExportSnapshotRecord-{source}-{state:?}"),
        destination: (state == RecordState::Succeeded).then(|| Destination {
            id: format!("ami-{source}"),
            service: "Aws::EC2::Image".into(),
        }),
        created_at: Some(at(NOW - 600.0)),
        ..ExportRecord::test(source, state)
    }
}

/// An exported AMI, in `state`, with one EBS snapshot.
fn ami(id: &str, state: &str) -> Ec2Artifact {
    Ec2Artifact {
        kind: ArtifactKind::Image,
        id: id.into(),
        state: state.into(),
        snapshot_ids: vec![format!("snap-of-{id}")],
        size_gib: 60,
        tags: Vec::new(),
        storage_tier: None,
    }
}

/// An EC2 where every successful export of the fake Lightsail has its AMI, available.
fn ec2_of(api: &FakeLightsail) -> FakeEc2 {
    let ec2 = FakeEc2::default();
    for record in &api.world().records {
        if let Some(d) = &record.destination {
            add_ami(&ec2, ami(&d.id, "available"));
        }
    }
    ec2
}

/// An AMI and its snapshot, in EC2.
fn add_ami(ec2: &FakeEc2, image: Ec2Artifact) {
    for id in &image.snapshot_ids {
        let state = if image.state == "available" {
            "completed"
        } else {
            "pending"
        };
        ec2.add(Ec2Artifact {
            kind: ArtifactKind::Snapshot,
            id: id.clone(),
            state: state.into(),
            snapshot_ids: Vec::new(),
            size_gib: image.size_gib,
            tags: Vec::new(),
            storage_tier: None,
        });
    }
    ec2.add(image);
}

fn plan(target: &str) -> Plan {
    let request = Request {
        targets: Some(vec![target.into()]),
        ..Request::default()
    };
    Plan::new(&Config::default(), request, at(NOW)).expect("plan")
}

/// A target of a later round: pinned on 2026-11-21, known to be an instance.
fn pinned(name: &str) -> TargetSpec {
    TargetSpec {
        pinned_date: Some(day("2026-11-21")),
        resource_type: Some(ResourceType::Instance),
        previous_phase: Some(Phase::Copying),
        ..TargetSpec::named(name)
    }
}

/// Runs the target's round against the fakes, as `reconcile` would; EC2 holds every export's
/// AMI, available.
async fn run(
    api: &FakeLightsail,
    plan: &Plan,
    spec: &TargetSpec,
    known: Option<&Resource>,
) -> TargetReport {
    run_with(api, &ec2_of(api), plan, spec, known).await
}

async fn run_with(
    api: &FakeLightsail,
    ec2: &FakeEc2,
    plan: &Plan,
    spec: &TargetSpec,
    known: Option<&Resource>,
) -> TargetReport {
    let artifacts: Vec<Ec2Artifact> = ec2.world().artifacts.values().cloned().collect();
    let (records, snapshots) = {
        let w = api.world();
        (
            w.records.clone(),
            w.snapshots.values().cloned().collect::<Vec<_>>(),
        )
    };
    let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
    for r in &records {
        by_source.entry(r.source_name.as_str()).or_default().push(r);
    }
    let target = TargetRound {
        api,
        ec2,
        artifacts: Some(&artifacts),
        plan,
        spec,
        known,
        records: &by_source,
        snapshots: Some(&snapshots),
        conflict: false,
    };
    target.run().await
}

fn kind(report: &TargetReport) -> Option<Kind> {
    report.error.as_ref().map(|e| e.kind)
}

#[test]
fn how_a_round_ends() {
    let mut report = TargetReport::new("t");
    report.phase = Phase::Exported;
    report.waiting_since = Some("2026-11-22T06:20:00Z".into());
    super::finish(&mut report, Some(TargetError::new(Kind::Retryable, "x")));
    assert_eq!(
        report.phase,
        Phase::Copying,
        "a transient error never leaves EXPORTED"
    );
    assert!(report.waiting_since.is_some(), "held up: the wait goes on");
    super::finish(&mut report, Some(TargetError::new(Kind::CopyFailed, "x")));
    assert_eq!(report.phase, Phase::Failed);
    assert_eq!(report.waiting_since, None);
    let mut done = TargetReport::new("t");
    done.phase = Phase::Exporting;
    done.waiting_since = Some("x".into());
    super::finish(&mut done, None);
    assert_eq!((done.phase, done.waiting_since), (Phase::Exporting, None));
}
