use super::*;
use crate::decide::keep::{KeepRules, Span};
use crate::model::artifact_tag::EXPORT_RECORD as RECORD_TAG;
use crate::model::time::test_util::{at, day};
use crate::model::Tags;

const NOW_SECONDS: f64 = 1_795_328_400.0; // 2026-11-22T06:20:00Z

fn now() -> Timestamp {
    at(NOW_SECONDS)
}

fn artifact(kind: ArtifactKind, id: &str, state: &str, tags: Tags) -> Ec2Artifact {
    Ec2Artifact {
        kind,
        id: id.into(),
        state: state.into(),
        snapshot_ids: Vec::new(),
        size_gib: 8,
        tags,
        storage_tier: None,
    }
}

fn tags_of(resource: &str, date: &str, managed: bool, traced: bool) -> Tags {
    let copy = format!("{resource}-export-{date}");
    let export = Export {
        resource,
        date: day(date),
        copy: &copy,
        record: if traced { "ExportSnapshotRecord-1" } else { "" },
    };
    labels(&export, &[])
        .into_iter()
        .filter(|(k, _)| managed || k != MANAGED_TAG)
        .map(|(k, v)| (k, Some(v)))
        .collect()
}

#[test]
fn readiness_of_states() {
    use ArtifactKind::*;
    let cases = [
        (Image, "available", Readiness::Ready),
        (Image, "pending", Readiness::Pending),
        (Image, "transient", Readiness::Pending),
        (Image, "failed", Readiness::Failed),
        (Image, "deregistered", Readiness::Failed),
        (Image, "completed", Readiness::Pending),
        (Snapshot, "completed", Readiness::Ready),
        (Snapshot, "pending", Readiness::Pending),
        (Snapshot, "error", Readiness::Failed),
        (Snapshot, "something-new", Readiness::Pending),
    ];
    for (kind, state, expected) in cases {
        assert_eq!(
            readiness(&artifact(kind, "x", state, Vec::new())),
            expected,
            "{kind:?} {state}"
        );
    }
}

#[test]
fn verification_table() {
    use TargetErrorKind::*;
    let ami = |state: &str| artifact(ArtifactKind::Image, "ami-1", state, Vec::new());
    let hour = 3600.0;
    // (found, waiting since (seconds before now), expected error)
    let cases: Vec<(Option<Ec2Artifact>, Option<f64>, Option<TargetErrorKind>)> = vec![
        (Some(ami("available")), None, None),
        (Some(ami("pending")), None, Some(Ec2ArtifactPending)),
        (
            Some(ami("pending")),
            Some(5.0 * hour),
            Some(Ec2ArtifactPending),
        ),
        (
            Some(ami("pending")),
            Some(7.0 * hour),
            Some(Ec2ArtifactFailed),
        ),
        (Some(ami("failed")), None, Some(Ec2ArtifactFailed)),
        (None, None, Some(Ec2ArtifactPending)),
        (None, Some(600.0), Some(Ec2ArtifactPending)),
        (None, Some(1200.0), Some(Ec2ArtifactMissing)),
    ];
    for (found, ago, expected) in cases {
        let since = ago.map(|a| at(NOW_SECONDS - a));
        let verified = verify("ami-1", found.as_ref(), since, now());
        let (started, verdict) = (verified.waiting_since(), verified.into_result());
        assert_eq!(
            verdict.as_ref().err().map(|e| e.kind),
            expected,
            "{found:?} {ago:?}"
        );
        if expected == Some(Ec2ArtifactPending) {
            assert_eq!(
                started,
                Some(since.unwrap_or(now())),
                "the wait's start is kept"
            );
        }
        if let Err(error) = verdict {
            assert!(error.message.contains("ami-1"), "{}", error.message);
        }
    }
}

#[test]
fn labels_are_the_functions_a_name_and_the_users() {
    let export = Export {
        resource: "web-1",
        date: day("2026-11-21"),
        copy: "web-1-export-2026-11-21",
        record: "ExportSnapshotRecord-9",
    };
    let user = vec![
        ("team".to_string(), "web".to_string()),
        ("Name".into(), "mine".into()),
        (MANAGED_TAG.into(), "false".into()),
    ];
    let tags: BTreeMap<String, String> = labels(&export, &user).into_iter().collect();
    assert_eq!(tags[MANAGED_TAG], "true", "the user cannot unmanage");
    assert_eq!(tags["Name"], "mine", "the user may name it");
    assert_eq!(tags["team"], "web");
    assert_eq!(tags[RECORD_TAG], "ExportSnapshotRecord-9");
    let wanted = labels(&export, &[]);
    let mut ami = artifact(ArtifactKind::Image, "ami-1", "available", Vec::new());
    assert!(needs_labels(&ami, &wanted));
    ami.tags = wanted
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    assert!(!needs_labels(&ami, &wanted));
}

fn nights(resource: &str, dates: &[&str]) -> Vec<Ec2Artifact> {
    dates
        .iter()
        .enumerate()
        .flat_map(|(i, date)| {
            let mut ami = artifact(
                ArtifactKind::Image,
                &format!("ami-{i}"),
                "available",
                tags_of(resource, date, true, true),
            );
            ami.snapshot_ids = vec![format!("snap-{i}")];
            let snap = artifact(
                ArtifactKind::Snapshot,
                &format!("snap-{i}"),
                "completed",
                tags_of(resource, date, true, true),
            );
            [ami, snap]
        })
        .collect()
}

#[test]
fn retirement_table() {
    let all = nights(
        "web-1",
        &[
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
            "2026-11-20",
            "2026-11-21",
        ],
    );
    let current = "web-1-export-2026-11-22";
    let policy = |last, days: Option<u32>| KeepRules {
        last,
        within: days.map(Span::days),
        ..KeepRules::default()
    };
    let copies = |r: Vec<Retirement>| r.into_iter().map(|r| r.copy).collect::<Vec<_>>();
    // (policy, retired copies)
    let cases: Vec<(KeepRules, Vec<&str>)> = vec![
        (policy(None, None), vec![]),
        // Keep 3: tonight's and the two newest before it.
        (
            policy(Some(3), None),
            vec![
                "web-1-export-2026-11-17",
                "web-1-export-2026-11-18",
                "web-1-export-2026-11-19",
            ],
        ),
        (
            policy(Some(1), None),
            vec![
                "web-1-export-2026-11-17",
                "web-1-export-2026-11-18",
                "web-1-export-2026-11-19",
                "web-1-export-2026-11-20",
                "web-1-export-2026-11-21",
            ],
        ),
        (policy(Some(10), None), vec![]),
        // More than 3 days old on 2026-11-22 06:20: 17, 18 and 19 (3 days 6 hours).
        (
            policy(None, Some(3)),
            vec![
                "web-1-export-2026-11-17",
                "web-1-export-2026-11-18",
                "web-1-export-2026-11-19",
            ],
        ),
        // Both: kept if within either.
        (policy(Some(5), Some(3)), vec!["web-1-export-2026-11-17"]),
        (
            policy(Some(2), Some(4)),
            vec!["web-1-export-2026-11-17", "web-1-export-2026-11-18"],
        ),
    ];
    for (p, expected) in cases {
        assert_eq!(
            copies(to_retire("web-1", &all, current, &p, now())),
            expected,
            "{p:?}"
        );
    }
    let first = to_retire("web-1", &all, current, &policy(Some(5), None), now());
    assert_eq!(
        first,
        vec![Retirement {
            copy: "web-1-export-2026-11-17".into(),
            date: Some(crate::model::time::test_util::day("2026-11-17")),
            image: Some("ami-0".into()),
            snapshots: vec!["snap-0".into()]
        }]
    );
}

#[test]
fn retirement_touches_only_the_functions_traceable_settled_artifacts_of_the_resource() {
    let mut artifacts = nights("web-1", &["2026-11-18"]);
    // A user's AMI (no managed tag), an untraceable one, another resource's, a pending one.
    artifacts.push(artifact(
        ArtifactKind::Image,
        "ami-user",
        "available",
        tags_of("web-1", "2026-11-17", false, true),
    ));
    artifacts.push(artifact(
        ArtifactKind::Image,
        "ami-untraced",
        "available",
        tags_of("web-1", "2026-11-16", true, false),
    ));
    artifacts.extend(nights("web-2", &["2026-11-15"]));
    artifacts.push(artifact(
        ArtifactKind::Image,
        "ami-pending",
        "pending",
        tags_of("web-1", "2026-11-14", true, true),
    ));
    let retired = to_retire(
        "web-1",
        &artifacts,
        "web-1-export-2026-11-22",
        &KeepRules {
            last: Some(1),
            ..KeepRules::default()
        },
        now(),
    );
    let ids: Vec<String> = retired
        .iter()
        .flat_map(|r| r.image.iter().cloned().chain(r.snapshots.clone()))
        .collect();
    assert_eq!(ids, ["ami-0", "snap-0"]);
    // The current export is never retired, even when it is the only one.
    let tonight = nights("web-1", &["2026-11-22"]);
    assert!(to_retire(
        "web-1",
        &tonight,
        "web-1-export-2026-11-22",
        &KeepRules {
            last: Some(1),
            within: Some(Span::days(0)),
            ..KeepRules::default()
        },
        now()
    )
    .is_empty());
}

#[test]
fn a_retirement_cut_short_after_the_ami_went_is_finished_from_its_snapshots() {
    let half_done: Vec<Ec2Artifact> = nights("web-1", &["2026-11-18"])
        .into_iter()
        .filter(|a| a.kind == ArtifactKind::Snapshot)
        .collect();
    let retired = to_retire(
        "web-1",
        &half_done,
        "web-1-export-2026-11-22",
        &KeepRules {
            last: Some(1),
            ..KeepRules::default()
        },
        now(),
    );
    assert_eq!(
        retired,
        vec![Retirement {
            copy: "web-1-export-2026-11-18".into(),
            date: Some(crate::model::time::test_util::day("2026-11-18")),
            image: None,
            snapshots: vec!["snap-0".into()]
        }]
    );
}

#[test]
fn an_ami_still_listed_as_deregistered_is_not_retired_again() {
    // DescribeImages may list a deregistered AMI for a while: only its snapshots are left to go.
    let mut listed = nights("web-1", &["2026-11-18"]);
    for artifact in &mut listed {
        if artifact.kind == ArtifactKind::Image {
            artifact.state = "deregistered".into();
        }
    }
    let rules = KeepRules {
        last: Some(1),
        ..KeepRules::default()
    };
    let retired = to_retire("web-1", &listed, "web-1-export-2026-11-22", &rules, now());
    assert_eq!(retired.len(), 1);
    assert_eq!(
        (retired[0].image.as_deref(), retired[0].snapshots.as_slice()),
        (None, &["snap-0".to_string()][..])
    );
    // Once the snapshots went too, nothing is left of it.
    listed.retain(|a| a.kind == ArtifactKind::Image);
    assert!(to_retire("web-1", &listed, "web-1-export-2026-11-22", &rules, now()).is_empty());
}
