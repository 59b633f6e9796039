//! Fleet scale: a round over a single target (a Map state's iteration) and many named targets
//! resolved through one listing of the instances and disks.

mod common;

use common::{config, target, Harness, WORLD};
use lightsail_emulator::Faults;
use lightsail_export::decide::fleet::LIST_NAMED_TARGETS;
use lightsail_export::report::{Output, Status, TargetReport};
use serde_json::json;

/// Every target of WORLD, and two names that exist nowhere.
const NAMES: [&str; 8] = [
    "web-1",
    "shop.example.com",
    "blog",
    "broken",
    "twin",
    "data-disk",
    "gone-1",
    "gone-2",
];

#[tokio::test]
async fn a_round_over_a_single_target_touches_only_that_target() {
    // The environment names several targets; the Map iteration's input names one.
    let h = Harness::new(WORLD, config(&["web-1", "data-disk", "shop.example.com"])).await;
    let outputs = h.run(json!({ "targets": ["web-1"] })).await;

    assert_eq!(outputs.last().unwrap().status, Status::Succeeded);
    for output in &outputs {
        let resources: Vec<&str> = output.targets.iter().map(|t| t.resource.as_str()).collect();
        assert_eq!(resources, ["web-1"]);
    }
    let copy = "web-1-export-2026-11-21";
    let writes = h.emulator.writes();
    assert!(!writes.is_empty());
    // EC2's writes name the AMI and snapshots of web-1's export: what they were tagged with.
    let web_1_artifacts: Vec<String> = h
        .emulator
        .ec2_images()
        .into_iter()
        .filter(|i| i.tags.get("lightsail-export:resource").map(String::as_str) == Some("web-1"))
        .flat_map(|i| std::iter::once(i.image_id).chain(i.snapshot_ids))
        .collect();
    for write in writes {
        let ec2_of_web_1 = write
            .target
            .split(',')
            .all(|id| web_1_artifacts.contains(&id.to_string()));
        assert!(
            write.target == copy || write.target == "web-1" || ec2_of_web_1,
            "a write for another target: {write:?}"
        );
        if write.operation == "CopySnapshot" {
            assert_eq!(write.source.as_deref(), Some("web-1"));
        }
    }
    // web-1 alone was looked up, once, and nothing was listed but the export records.
    assert_eq!(h.calls("GetInstance"), 1);
    assert_eq!(h.calls("GetDisk"), 1);
    assert_eq!(h.calls("GetAutoSnapshots"), 1);
    assert_eq!(h.calls("GetInstances") + h.calls("GetDisks"), 0);
    assert_eq!(h.calls("GetDiskSnapshot"), 0);
}

/// What a round says about a target, without the parts that differ between two worlds.
fn verdict(report: &TargetReport) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?}",
        report.resource_type,
        report.auto_snapshot_date,
        report.phase,
        report.actions,
        report.error.as_ref().map(|e| e.kind)
    )
}

/// Each name in a round of its own (per-target lookups), in a fresh world.
async fn one_by_one() -> Vec<String> {
    let h = Harness::new(WORLD, config(&[])).await;
    let mut verdicts = Vec::new();
    for name in NAMES {
        let output = h.invoke(json!({ "targets": [name] })).await.unwrap();
        verdicts.push(verdict(target(&output, name)));
    }
    assert_eq!(h.calls("GetInstances") + h.calls("GetDisks"), 0);
    verdicts
}

fn verdicts(output: &Output) -> Vec<String> {
    NAMES
        .iter()
        .map(|name| verdict(target(output, name)))
        .collect()
}

#[tokio::test]
async fn many_named_targets_are_resolved_by_one_listing_with_the_same_verdicts() {
    assert!(NAMES.len() >= LIST_NAMED_TARGETS);
    let h = Harness::new(WORLD, config(&[])).await;
    let output = h.invoke(json!({ "targets": NAMES })).await.unwrap();

    assert_eq!(verdicts(&output), one_by_one().await);
    assert!(h.calls("GetInstances") >= 1 && h.calls("GetDisks") >= 1);
    // Only the names the listing cannot settle are looked up: `twin` (an instance and a disk)
    // and the two that exist nowhere.
    assert_eq!(h.calls("GetInstance"), 3);
    assert_eq!(h.calls("GetDisk"), 3);
}

#[tokio::test]
async fn when_the_listing_fails_named_targets_are_looked_up_one_by_one() {
    let h = Harness::new(WORLD, config(&[])).await;
    h.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["GetInstances".into()],
        ..Faults::default()
    });
    let output = h.invoke(json!({ "targets": NAMES })).await.unwrap();

    assert_eq!(verdicts(&output), one_by_one().await);
    assert_eq!(h.calls("GetInstance"), NAMES.len() as u64);
    assert_eq!(h.calls("GetDisk"), NAMES.len() as u64);
}
