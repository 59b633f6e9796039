use super::*;
use crate::report::cost::Prices;
use serde_json::json;

fn target(resource: &str, phase: Phase) -> TargetReport {
    TargetReport {
        phase,
        ..TargetReport::new(resource)
    }
}

fn output(targets: Vec<TargetReport>, cost: Option<Cost>) -> Output {
    let summary = summarise(&targets);
    Output {
        status: status(&summary),
        next_check_seconds: 300,
        summary,
        targets,
        restore_date: None,
        dry_run: None,
        restore_test: None,
        region: None,
        source_region: None,
        cost,
        summary_by_region: BTreeMap::new(),
        region_errors: Vec::new(),
        targets_omitted: None,
        failed_items: None,
    }
}

fn gib(ec2: i64) -> Cost {
    Cost {
        ec2_snapshot_gib: ec2,
        ec2_standard_gib: ec2,
        ec2_archive_gib: 0,
        lightsail_copy_gib: 0,
        estimated_monthly_usd: ec2 as f64 * 0.05,
        price_per_gib_month: Prices::default(),
        restore_test_usd: None,
    }
}

fn denied(region: &str) -> RegionError {
    RegionError::new(region, "AccessDenied", "no")
}

fn echo() -> Echo {
    Echo {
        next_check_seconds: 300,
        ..Echo::default()
    }
}

#[test]
fn merged_status_table() {
    use Phase::*;
    let done = |phases: &[Phase]| {
        let targets = phases
            .iter()
            .enumerate()
            .map(|(i, p)| target(&format!("r{i}"), *p))
            .collect();
        RegionRound::Done(output(targets, None))
    };
    let cases: Vec<(Vec<RegionRound>, Status)> = vec![
        (
            vec![done(&[Exported]), done(&[Exported])],
            Status::Succeeded,
        ),
        (
            vec![done(&[Exported]), done(&[Copying])],
            Status::InProgress,
        ),
        (vec![done(&[Exported]), done(&[Failed])], Status::Failed),
        (
            vec![done(&[Exported]), RegionRound::Empty],
            Status::Succeeded,
        ),
        (
            vec![done(&[Exported]), RegionRound::Failed(denied("b"))],
            Status::Failed,
        ),
        (
            vec![done(&[Copying]), RegionRound::Failed(denied("b"))],
            Status::InProgress,
        ),
    ];
    for (parts, expected) in cases {
        let named: Vec<(String, RegionRound)> = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (["a", "b"][i].to_string(), p))
            .collect();
        let merged = merge(named.clone(), Vec::new(), echo());
        assert_eq!(merged.status, expected, "{named:?}");
        let expected_next = match expected {
            Status::InProgress => 300,
            _ => 0,
        };
        assert_eq!(merged.next_check_seconds, expected_next);
    }
}

#[test]
fn merge_tags_targets_sums_costs_and_keeps_errors_once() {
    let a = output(vec![target("web-1", Phase::Exported)], Some(gib(10)));
    let mut b = output(vec![target("db", Phase::Exported)], Some(gib(5)));
    b.next_check_seconds = 1;
    let parts = vec![
        ("us-east-1".to_string(), RegionRound::Done(a)),
        ("eu-west-1".to_string(), RegionRound::Done(b)),
        (
            "ap-south-1".to_string(),
            RegionRound::Failed(denied("ap-south-1")),
        ),
    ];
    let merged = merge(
        parts,
        vec![denied("ap-south-1"), denied("sa-east-1")],
        echo(),
    );
    let regions: Vec<_> = merged.targets.iter().map(|t| t.region.as_deref()).collect();
    assert_eq!(regions, [Some("us-east-1"), Some("eu-west-1")]);
    assert_eq!(merged.summary.total, 2);
    assert_eq!(merged.status, Status::Failed);
    assert_eq!(merged.cost.as_ref().map(|c| c.ec2_snapshot_gib), Some(15));
    assert_eq!(merged.summary_by_region["eu-west-1"].cost, Some(gib(5)));
    let failed: Vec<&str> = merged
        .region_errors
        .iter()
        .map(|e| e.region.as_str())
        .collect();
    assert_eq!(failed, ["ap-south-1", "sa-east-1"]);
    let json = serde_json::to_value(&merged).unwrap();
    assert_eq!(json["summaryByRegion"]["us-east-1"]["total"], 1);
    assert_eq!(
        json["regionErrors"][0],
        json!({"region": "ap-south-1", "type": "AccessDenied", "message": "no"})
    );
    assert_eq!(json["targets"][0]["region"], "us-east-1");
    assert!(json.get("region").is_none() && json.get("targetsOmitted").is_none());
}

#[test]
fn the_shortest_wait_wins() {
    let mut slow = output(vec![target("a", Phase::Copying)], None);
    slow.next_check_seconds = 300;
    let mut deferred = output(vec![target("b", Phase::Copying)], None);
    deferred.next_check_seconds = 1;
    let parts = vec![
        ("us-east-1".to_string(), RegionRound::Done(slow)),
        ("eu-west-1".to_string(), RegionRound::Done(deferred)),
    ];
    assert_eq!(merge(parts, Vec::new(), echo()).next_check_seconds, 1);
}

#[test]
fn settle_keeps_what_needs_attention() {
    let mut many: Vec<TargetReport> = (0..150)
        .map(|i| target(&format!("f{i}"), Phase::Failed))
        .collect();
    many.extend((0..30).map(|i| target(&format!("e{i}"), Phase::Exported)));
    let mut done = output(many, None);
    settle(&mut done);
    assert_eq!(done.targets.len(), MAX_LISTED);
    assert!(done.targets.iter().all(|t| t.phase == Phase::Failed));
    assert_eq!(done.targets_omitted, Some(80));
    assert_eq!(
        done.summary.total, 180,
        "the summary still counts every target"
    );

    let mut running = output(
        vec![target("a", Phase::Exported), target("b", Phase::Copying)],
        None,
    );
    settle(&mut running);
    assert_eq!(
        running.targets.len(),
        2,
        "a round in progress keeps every report"
    );
    assert_eq!(running.targets_omitted, None);
}

#[test]
fn aggregate_sums_items_and_reports_failures_by_target() {
    let item = |targets: Vec<TargetReport>, region: &str, gib_now: i64| {
        let mut out = merge(
            vec![(
                region.to_string(),
                RegionRound::Done(output(targets, Some(gib(gib_now)))),
            )],
            Vec::new(),
            echo(),
        );
        settle(&mut out);
        serde_json::to_value(out).unwrap()
    };
    let results = vec![
        item(
            vec![target("a", Phase::Exported), target("b", Phase::Exported)],
            "us-east-1",
            10,
        ),
        item(
            vec![target("c", Phase::Exported), target("d", Phase::Failed)],
            "us-east-1",
            12,
        ),
        item(vec![target("e", Phase::Exported)], "eu-west-1", 3),
        json!({"targets": [{"resource": "f", "region": "eu-west-1", "phase": "COPYING"}],
               "status": "IN_PROGRESS", "caught": {"Error": "States.Timeout", "Cause": "x"}}),
        json!({"Error": "States.Timeout", "Cause": "the child execution timed out"}),
        json!("garbage"),
    ];
    let out = aggregate(results, vec![denied("ap-south-1")]);
    assert_eq!(out.status, Status::Failed);
    assert_eq!(
        (out.summary.total, out.summary.exported, out.summary.failed),
        (6, 4, 2)
    );
    let listed: Vec<(&str, Option<&str>)> = (out.targets.iter())
        .map(|t| (t.resource.as_str(), t.region.as_deref()))
        .collect();
    assert_eq!(listed, [("d", Some("us-east-1")), ("f", Some("eu-west-1"))]);
    let caught = out.targets[1].error.as_ref().unwrap();
    assert_eq!(caught.kind, TargetErrorKind::ItemFailed);
    assert_eq!(out.targets_omitted, Some(4));
    assert_eq!(out.failed_items, Some(2));
    assert_eq!(out.summary_by_region["us-east-1"].summary.total, 4);
    assert_eq!(out.summary_by_region["eu-west-1"].summary.failed, 1);
    assert_eq!(
        out.summary_by_region["us-east-1"]
            .cost
            .as_ref()
            .map(|c| c.ec2_snapshot_gib),
        Some(12),
        "the last item's view of its region"
    );
    assert_eq!(out.cost.as_ref().map(|c| c.ec2_snapshot_gib), Some(15));
    assert_eq!(out.region_errors, vec![denied("ap-south-1")]);
}

#[test]
fn an_all_exported_aggregate_succeeds_and_lists_nothing() {
    let done = merge(
        vec![(
            "us-east-1".into(),
            RegionRound::Done(output(vec![target("a", Phase::Exported)], None)),
        )],
        Vec::new(),
        echo(),
    );
    let out = aggregate(vec![serde_json::to_value(done).unwrap()], Vec::new());
    assert_eq!(out.status, Status::Succeeded);
    assert!(out.targets.is_empty());
    assert_eq!(out.targets_omitted, Some(1));
    assert_eq!(out.failed_items, None);
}
