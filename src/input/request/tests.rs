use super::*;

/// A round's request (the test fails on any other kind of invocation).
fn round(event: Value) -> Result<Request, Error> {
    match Invocation::parse(event)? {
        Invocation::Round(request) => Ok(request),
        other => panic!("not a round: {other:?}"),
    }
}

use serde_json::json;

#[test]
fn plain_requests() {
    let request = round(json!({
        "targets": ["web-1", "data-disk"], "targetTag": "export=nightly",
        "restoreDate": "2026-11-20", "dryRun": true
    }))
    .unwrap();
    assert_eq!(
        request.targets,
        Some(vec!["web-1".into(), "data-disk".into()])
    );
    assert_eq!(request.target_tag.as_deref(), Some("export=nightly"));
    assert_eq!(request.restore_date.as_deref(), Some("2026-11-20"));
    assert_eq!(request.dry_run, Some(true));
    assert_eq!(request.previous, None);

    let text = round(json!({"targets": "web-1, web-2"})).unwrap();
    assert_eq!(text.targets, Some(vec!["web-1".into(), "web-2".into()]));
    assert_eq!(round(json!({})).unwrap(), Request::default());
    assert_eq!(round(Value::Null).unwrap(), Request::default());
}

#[test]
fn eventbridge_envelopes() {
    let scheduled = json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-11-22T06:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/nightly"], "detail": {}
    });
    assert_eq!(round(scheduled).unwrap(), Request::default());

    let custom = json!({
        "detail-type": "Export", "source": "ops", "detail": {"targets": ["web-1"], "dryRun": true}
    });
    let request = round(custom).unwrap();
    assert_eq!(request.targets, Some(vec!["web-1".into()]));
    assert_eq!(request.dry_run, Some(true));
}

#[test]
fn previous_output() {
    let previous = json!({
        "status": "IN_PROGRESS", "nextCheckSeconds": 300,
        "summary": {"total": 2, "exported": 1, "inProgress": 1, "failed": 0},
        "restoreDate": "2026-11-20", "dryRun": false,
        "targets": [
            {"resource": "web-1", "resourceType": "Instance", "autoSnapshotDate": "2026-11-20",
             "snapshotName": "web-1-export-2026-11-20", "phase": "EXPORTED", "actions": [],
             "exportRecord": null, "error": null},
            {"resource": "data-disk", "resourceType": null, "autoSnapshotDate": null,
             "snapshotName": null, "phase": "COPYING", "actions": [], "exportRecord": null,
             "error": {"type": "Retryable", "message": "throttled"}}
        ]
    });
    let request = round(previous).unwrap();
    assert_eq!(
        request.targets,
        Some(vec!["web-1".into(), "data-disk".into()])
    );
    assert_eq!(request.restore_date.as_deref(), Some("2026-11-20"));
    let pins = request.previous.unwrap();
    assert_eq!(pins[0].auto_snapshot_date.as_deref(), Some("2026-11-20"));
    assert_eq!(pins[0].resource_type, Some(ResourceType::Instance));
    assert_eq!(pins[1].auto_snapshot_date, None);
}

#[test]
fn bad_input_is_invalid_input() {
    let cases = [
        json!([1, 2]),
        json!("web-1"),
        json!(42),
        json!({"targets": [1, 2]}),
        json!({"targets": "web-1", "dryRun": "yes"}),
        json!({"target": ["web-1"]}),
        json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": "x"}),
        json!({"detail-type": "Scheduled Event", "detail": {}}),
        json!({"status": "IN_PROGRESS", "targets": [{"phase": "COPYING"}]}),
    ];
    for case in cases {
        let error = Invocation::parse(case.clone()).unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput", "{case}");
    }
    let unknown = round(json!({"target": ["web-1"]})).unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `target`"),
        "{unknown}"
    );
}

#[test]
fn regions_and_qualified_targets() {
    let request = round(json!({
        "regions": ["us-east-1", {"region": "eu-west-1", "targets": ["db"], "targetTag": "export"}],
        "targets": ["eu-west-1:web-1"]
    }))
    .unwrap();
    assert_eq!(request.targets, Some(vec!["eu-west-1:web-1".to_string()]));
    let regions = request.regions.unwrap();
    assert_eq!(regions[0], RegionRequest::Name("us-east-1".into()));
    assert_eq!(
        regions[1],
        RegionRequest::Detailed(RegionDetail {
            region: "eu-west-1".into(),
            targets: Some(vec!["db".into()]),
            target_tag: Some("export".into()),
        })
    );
}

#[test]
fn fan_out_forms() {
    let listing = match Invocation::parse(json!({"fanOut": true, "targetTag": "export"})).unwrap() {
        Invocation::ListItems(listing) => listing,
        other => panic!("{other:?}"),
    };
    assert_eq!(listing.target_tag.as_deref(), Some("export"));

    let batch = json!({
        "Items": [{"region": "eu-west-1", "resource": "web-1"}, {"region": "us-east-1", "resource": "db"}],
        "BatchInput": {"restoreDate": null, "dryRun": true}
    });
    let parsed = Invocation::parse(batch.clone()).unwrap();
    assert!(matches!(parsed, Invocation::Round(_)));
    let request = parsed.into_request().unwrap();
    assert_eq!(
        request.targets,
        Some(vec!["eu-west-1:web-1".into(), "us-east-1:db".into()])
    );
    assert_eq!(request.dry_run, Some(true));

    let item = Invocation::parse(json!({ "fanOutItem": batch })).unwrap();
    assert!(matches!(item, Invocation::ItemRound(_)));
    let item = item.into_request().unwrap();
    assert_eq!(item.targets, request.targets);

    let previous = json!({"status": "IN_PROGRESS", "summaryByRegion": {"eu-west-1": {"total": 1}},
        "regionErrors": [{"region": "ap-south-1", "type": "AccessDenied", "message": "no"}],
        "targets": [{"resource": "web-1", "region": "eu-west-1", "phase": "COPYING"}]});
    let round = Invocation::parse(json!({ "fanOutItem": previous })).unwrap();
    assert!(matches!(round, Invocation::ItemRound(_)));
    let round = round.into_request().unwrap();
    assert_eq!(round.targets, Some(vec!["eu-west-1:web-1".into()]));
    assert_eq!(
        round.regions,
        Some(vec![RegionRequest::Name("eu-west-1".into())])
    );
    assert_eq!(round.region_errors[0].region, "ap-south-1");

    let aggregate =
        Invocation::parse(json!({"aggregate": [{"status": "SUCCEEDED"}], "regionErrors": []}))
            .unwrap();
    let results = match aggregate {
        Invocation::Aggregate { results, .. } => Some(results),
        _ => None,
    };
    assert_eq!(results.map(|a| a.len()), Some(1));
}

#[test]
fn bad_fan_out_forms_are_invalid_input() {
    let cases = [
        json!({"Items": [{"region": "eu-west-1"}]}),
        json!({"Items": [{"region": "eu-west-1", "resource": "a", "extra": 1}]}),
        json!({"Items": "web-1"}),
        json!({"Items": [], "BatchInput": {"targets": ["x"]}}),
        json!({"fanOutItem": {"fanOutItem": {}}}),
        json!({"fanOutItem": 3}),
        json!({"aggregate": [], "targets": ["web-1"]}),
        json!({"aggregate": {}}),
        json!({"regionErrors": []}),
        json!({"fanOut": "yes"}),
        json!({"regions": [{"name": "eu-west-1"}]}),
        json!({"regions": "eu-west-1"}),
    ];
    for case in cases {
        let error = Invocation::parse(case.clone()).unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput", "{case}");
    }
}

#[test]
fn the_doctor_takes_a_selection_at_most() {
    let doctor = |event: Value| match Invocation::parse(event) {
        Ok(Invocation::Doctor(request)) => Ok(request),
        Ok(other) => panic!("not the doctor: {other:?}"),
        Err(error) => Err(error),
    };
    assert_eq!(doctor(json!({"doctor": true})).unwrap(), Request::default());
    let chosen =
        doctor(json!({"doctor": true, "targets": "web-1, db", "targetTag": "export"})).unwrap();
    assert_eq!(
        chosen.targets,
        Some(vec!["web-1".to_string(), "db".to_string()])
    );
    assert_eq!(chosen.target_tag.as_deref(), Some("export"));
    assert!(matches!(
        Invocation::parse(json!({"doctor": false})),
        Ok(Invocation::Round(_))
    ));
    for refused in [
        json!({"doctor": true, "dryRun": true}),
        json!({"doctor": true, "restoreDate": "2026-11-20"}),
        json!({"doctor": true, "regions": ["eu-west-1"]}),
        json!({"doctor": true, "fanOut": true}),
        json!({"doctor": true, "aggregate": []}),
        json!({"doctor": "yes"}),
    ] {
        let error = Invocation::parse(refused.clone()).unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput", "{refused}");
    }
}

#[test]
fn restore_test_is_read_carried_and_not_for_the_doctor() {
    let Invocation::Round(request) = Invocation::parse(json!({"restoreTest": true})).unwrap()
    else {
        panic!("a round");
    };
    assert_eq!(request.restore_test, Some(true));
    let previous = json!({"status": "IN_PROGRESS", "targets": [], "restoreTest": true});
    let Invocation::Round(request) = Invocation::parse(previous).unwrap() else {
        panic!("a round");
    };
    assert_eq!(request.restore_test, Some(true));
    let error = Invocation::parse(json!({"doctor": true, "restoreTest": true})).unwrap_err();
    assert_eq!(error.error_type(), "InvalidInput");
    let error = Invocation::parse(json!({"restoreTest": "yes"})).unwrap_err();
    assert_eq!(error.error_type(), "InvalidInput");
}
