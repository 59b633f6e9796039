//! One deployment over several regions, and the fan-out, through the real handler and SDK
//! clients against the in-process emulator (two regions of one world, routed by the SigV4
//! region of each call).

mod common;

use common::{target, Harness};
use lightsail_emulator::Faults;
use lightsail_export::model::{Phase, TagFilter};
use lightsail_export::report::{Output, Status};
use lightsail_export::{Config, Response};
use serde_json::{json, Value};

/// Three tagged targets in eu-west-1, two in us-east-1, one untagged; all restorable.
const TWO_REGIONS: &str = r#"
region: us-east-1
now: "2026-11-22T08:00:00Z"
speed: 0
seed: 11
instances:
  - name: web-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: eu-web-1
    region: eu-west-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: eu-web-2
    region: eu-west-1
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: eu-other
    region: eu-west-1
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
disks:
  - name: data-disk
    sizeInGb: 16
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: eu-disk
    region: eu-west-1
    sizeInGb: 16
    tags: { export: nightly }
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
unrelatedExportRecords: 5
"#;

fn tagged(regions: &[&str]) -> Config {
    Config {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        target_tag: Some(TagFilter::parse("export=nightly").unwrap()),
        ..Config::default()
    }
}

fn regions_of(output: &Output) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = (output.targets.iter())
        .map(|t| (t.region.clone().unwrap_or_default(), t.resource.clone()))
        .collect();
    seen.sort();
    seen
}

/// The region each applied write of `operation` went to, by target.
fn write_regions(h: &Harness, operation: &str) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = (h.writes(operation).into_iter())
        .filter(|w| w.applied)
        .map(|w| (w.region, w.source.unwrap_or(w.target)))
        .collect();
    seen.sort();
    seen
}

#[tokio::test]
async fn regions_and_a_tag_export_every_region_in_place() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded, "{last:#?}");
    assert_eq!(
        regions_of(last),
        [
            ("eu-west-1".into(), "eu-disk".into()),
            ("eu-west-1".into(), "eu-web-1".into()),
            ("eu-west-1".into(), "eu-web-2".into()),
            ("us-east-1".into(), "data-disk".into()),
            ("us-east-1".into(), "web-1".into()),
        ]
    );
    let eu = &last.summary_by_region["eu-west-1"];
    assert_eq!((eu.summary.total, eu.summary.exported), (3, 3));
    assert_eq!(last.summary_by_region["us-east-1"].summary.total, 2);
    assert!(eu.cost.is_some() && last.cost.is_some(), "{last:#?}");
    assert_eq!(last.region, None, "no cross-region (SOURCE_REGION) fields");
    // Copies and exports are made in each target's own region.
    let exports = h.writes("ExportSnapshot");
    assert_eq!(exports.iter().filter(|w| w.applied).count(), 5);
    for write in exports.iter().filter(|w| w.applied) {
        let expected = match write.target.starts_with("eu-") {
            true => "eu-west-1",
            false => "us-east-1",
        };
        assert_eq!(write.region, expected, "{write:?}");
    }
    // And the exports' AMIs and EBS snapshots are labelled where they land.
    let labelled = h.emulator.ec2_images();
    let eu_images: Vec<_> = labelled
        .iter()
        .filter(|i| i.region == "eu-west-1")
        .collect();
    assert_eq!(eu_images.len(), 2, "{labelled:#?}");
    assert!(eu_images
        .iter()
        .all(|i| i.tags.contains_key("lightsail-export:managed")));
    // Every round after the first reads the output back: the regions stay, with their targets.
    for output in &outputs[1..] {
        assert_eq!(output.summary.total, 5);
        assert!(output.targets.iter().all(|t| t.region.is_some()));
    }
}

#[tokio::test]
async fn a_run_without_regions_is_the_one_region_run_it_always_was() {
    let h = Harness::new(TWO_REGIONS, tagged(&[])).await;
    let output = h.invoke(json!({})).await.unwrap();
    let json = serde_json::to_value(&output).unwrap();
    assert!(json.get("summaryByRegion").is_none(), "{json}");
    assert!(json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("region").is_none()));
    assert_eq!(output.summary.total, 2, "us-east-1's only");
    assert!(h
        .emulator
        .call_counts_by_region()
        .keys()
        .all(|(r, _)| r == "us-east-1"));
}

#[tokio::test]
async fn qualified_and_bare_names() {
    let h = Harness::new(TWO_REGIONS, Config::default()).await;
    let outputs = h
        .run(json!({"targets": ["web-1", "eu-west-1:eu-web-1", "eu-west-1:nope"]}))
        .await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Failed, "nope does not exist");
    assert_eq!(target(last, "web-1").region.as_deref(), Some("us-east-1"));
    assert_eq!(target(last, "web-1").phase, Phase::Exported);
    assert_eq!(target(last, "eu-web-1").phase, Phase::Exported);
    let nope = target(last, "nope");
    assert_eq!(nope.region.as_deref(), Some("eu-west-1"));
    assert_eq!(nope.phase, Phase::Failed);
    assert_eq!(
        write_regions(&h, "CopySnapshot"),
        [
            ("eu-west-1".into(), "eu-web-1".into()),
            ("us-east-1".into(), "web-1".into())
        ]
    );
}

/// `per_region` instances tagged export=nightly in each region.
fn crowded(regions: &[&str], per_region: usize) -> String {
    let mut world =
        String::from("region: us-east-1\nnow: \"2026-11-22T08:00:00Z\"\nspeed: 0\ninstances:\n");
    for region in regions {
        for i in 0..per_region {
            world += &format!(
                "  - {{ name: {region}-web-{i}, region: {region}, tags: {{ export: nightly }}, \
                 autoSnapshots: [ {{ date: \"2026-11-21\", status: Success }} ] }}\n"
            );
        }
    }
    world
}

/// A tag that selects more targets than an invocation takes is refused in the first round,
/// before any write, counted over every region (each region alone is within the limit): not
/// after a night of copies, in a second round that names them all.
#[tokio::test]
async fn too_many_tagged_targets_are_refused_before_any_write() {
    for regions in [&["us-east-1"][..], &["us-east-1", "eu-west-1"]] {
        let per_region = 1001usize.div_ceil(regions.len());
        let h = Harness::new(&crowded(regions, per_region), tagged(regions)).await;
        let refused = h.invoke(json!({})).await.unwrap_err();
        assert_eq!(
            refused.error_type(),
            "InvalidInput",
            "{regions:?}: {refused}"
        );
        assert!(
            refused
                .to_string()
                .contains(&format!("{} targets selected", per_region * regions.len())),
            "{refused}"
        );
        for operation in common::WRITES {
            assert!(
                h.writes(operation).is_empty(),
                "{regions:?}: {operation} was written"
            );
        }
    }
}

#[tokio::test]
async fn a_denied_region_fails_alone_and_the_others_finish() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    h.set_faults(Faults {
        denied_regions: vec!["eu-west-1".into()],
        ..Faults::default()
    });
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Failed, "{last:#?}");
    assert_eq!(last.summary.exported, 2, "us-east-1's targets exported");
    assert_eq!(last.region_errors.len(), 1, "{last:#?}");
    let error = &last.region_errors[0];
    assert_eq!(
        (error.region.as_str(), error.error_type.as_str()),
        ("eu-west-1", "AccessDenied")
    );
    // Reported once, and not tried again in the later rounds.
    let eu_calls: u64 = (h.emulator.call_counts_by_region().into_iter())
        .filter(|((region, _), _)| region == "eu-west-1")
        .map(|(_, n)| n)
        .sum();
    assert!(
        eu_calls <= 3,
        "eu-west-1 tried once (its listings), got {eu_calls} calls"
    );
    for output in &outputs {
        assert_eq!(output.region_errors.len(), 1);
    }
}

#[tokio::test]
async fn a_region_failing_transiently_is_tried_again_while_the_others_go_on() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    h.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["GetDisks".into()],
        ..Faults::default()
    });
    // Throttled everywhere: every region is listed as retrying, the round is not an error.
    let first = h.invoke(json!({})).await.unwrap();
    assert_eq!(first.status, Status::InProgress, "{first:#?}");
    assert_eq!(first.region_errors.len(), 2, "{first:#?}");
    for error in &first.region_errors {
        assert_eq!(error.error_type, "Retryable", "{error:?}");
        assert!(error.failing_since.is_some(), "{error:?}");
    }
    // One region comes back: its targets go on while the other keeps retrying.
    h.set_faults(Faults {
        unreachable_regions: vec!["eu-west-1".into()],
        ..Faults::default()
    });
    let event = serde_json::to_value(&first).unwrap();
    let second = h.invoke(event).await.unwrap();
    assert_eq!(second.status, Status::InProgress);
    assert_eq!(second.region_errors.len(), 1, "{second:#?}");
    let eu = &second.region_errors[0];
    assert_eq!(
        (eu.region.as_str(), eu.error_type.as_str()),
        ("eu-west-1", "Retryable")
    );
    // The window goes on from the first round that failed.
    assert_eq!(eu.failing_since, first.region_errors[0].failing_since);
    assert_eq!(
        write_regions(&h, "CopySnapshot").len(),
        2,
        "us-east-1's two targets copied"
    );
    h.set_faults(Faults::default());
    let last = h
        .run(serde_json::to_value(&second).unwrap())
        .await
        .pop()
        .unwrap();
    assert_eq!(last.status, Status::Succeeded, "{last:#?}");
    assert!(last.region_errors.is_empty(), "{last:#?}");
    assert_eq!(last.summary.exported, 5);
}

#[tokio::test]
async fn an_unreachable_region_is_reported_after_the_retry_window_and_the_others_finish() {
    let config = Config {
        max_retry_window: std::time::Duration::from_secs(30 * 60),
        ..tagged(&["us-east-1", "eu-west-1"])
    };
    let h = Harness::new(TWO_REGIONS, config).await;
    h.set_faults(Faults {
        unreachable_regions: vec!["eu-west-1".into()],
        ..Faults::default()
    });
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    // The night ends, with its output: FAILED, because a region failed as a whole.
    assert_eq!(last.status, Status::Failed, "{last:#?}");
    assert_eq!(last.next_check_seconds, 0);
    assert_eq!(last.summary.exported, 2, "us-east-1's targets all exported");
    assert_eq!(last.summary_by_region["us-east-1"].summary.exported, 2);
    assert!(!last.summary_by_region.contains_key("eu-west-1"));
    assert_eq!(last.region_errors.len(), 1, "{last:#?}");
    let eu = &last.region_errors[0];
    assert_eq!(
        (eu.region.as_str(), eu.error_type.as_str()),
        ("eu-west-1", "RetryWindowExceeded")
    );
    assert!(
        eu.message.contains("MAX_RETRY_WINDOW (30m)"),
        "{}",
        eu.message
    );
    assert!(eu.message.contains("last error: "), "{}", eu.message);
    // Every round listed the region: retrying first, then failed for good (and reported again,
    // not retried, while us-east-1 finished).
    let types: Vec<&str> = (outputs.iter())
        .map(|o| o.region_errors[0].error_type.as_str())
        .collect();
    let retried = types.iter().take_while(|t| **t == "Retryable").count();
    assert!(retried > 1, "{types:?}");
    assert!(
        types[retried..].iter().all(|t| *t == "RetryWindowExceeded"),
        "{types:?}"
    );
    assert!(write_regions(&h, "CopySnapshot")
        .iter()
        .all(|(r, _)| r == "us-east-1"));
}

#[tokio::test]
async fn a_region_where_nothing_has_the_tag_shows_empty() {
    let h = Harness::new(
        TWO_REGIONS,
        tagged(&["us-east-1", "eu-west-1", "ap-south-1"]),
    )
    .await;
    let outputs = h.run(json!({})).await;
    let last = outputs.last().unwrap();
    assert_eq!(last.status, Status::Succeeded);
    assert_eq!(last.summary_by_region["ap-south-1"].summary.total, 0);
    assert_eq!(last.summary.total, 5);
    let nothing = Harness::new(TWO_REGIONS, tagged(&["ap-south-1"])).await;
    let error = nothing.invoke(json!({})).await.unwrap_err();
    assert_eq!(error.error_type(), "NoTargets");
}

#[tokio::test]
async fn regions_and_source_region_do_not_mix() {
    let config = Config {
        source_region: Some("eu-west-1".into()),
        ..Config::default()
    };
    let h = Harness::new(TWO_REGIONS, config).await;
    let error = h
        .invoke(json!({"targets": ["eu-west-1:eu-web-1"]}))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), "InvalidInput");
    assert_eq!(h.total_calls(), 0);
}

/// The fan-out as the state machine runs it: the listing, each batch's Reconcile -> Wait loop
/// (in `{"fanOutItem": …}`), then the aggregate of the batches' final outputs.
async fn fan_out(h: &Harness, request: Value, batch_size: usize) -> (Value, Vec<Value>, Output) {
    let listing = match h.respond(request).await.expect("the listing") {
        Response::FanOut(listing) => serde_json::to_value(listing).unwrap(),
        other => panic!("a listing, got {other:?}"),
    };
    let items = listing["items"].as_array().unwrap().clone();
    let mut results = Vec::new();
    for batch in items.chunks(batch_size) {
        let mut state = json!({"Items": batch, "BatchInput": listing["batchInput"]});
        let mut last = None;
        for _ in 0..common::MAX_ROUNDS {
            let output = h
                .invoke(json!({ "fanOutItem": state }))
                .await
                .expect("a round");
            h.emulator.advance(output.next_check_seconds as f64);
            state = serde_json::to_value(&output).unwrap();
            if output.status != Status::InProgress {
                last = Some(state.clone());
                break;
            }
        }
        results.push(last.expect("the batch ends"));
    }
    let aggregate = json!({"aggregate": results, "regionErrors": listing["regionErrors"]});
    let output = h.invoke(aggregate).await.expect("the aggregate");
    (listing, results, output)
}

#[tokio::test]
async fn the_fan_out_lists_once_reconciles_by_batch_and_aggregates() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    let (listing, results, output) = fan_out(&h, json!({"fanOut": true}), 2).await;
    let items: Vec<(String, String)> = (listing["items"].as_array().unwrap().iter())
        .map(|i| {
            (
                i["region"].as_str().unwrap().into(),
                i["resource"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(items.len(), 5, "{listing}");
    assert_eq!(
        listing["itemsByRegion"],
        json!({"eu-west-1": 3, "us-east-1": 2})
    );
    assert_eq!(results.len(), 3);
    for result in &results {
        assert_eq!(result["status"], "SUCCEEDED");
        assert_eq!(
            result["targets"],
            json!([]),
            "a settled batch lists none exported"
        );
    }
    assert_eq!(output.status, Status::Succeeded, "{output:#?}");
    assert_eq!(output.summary.total, 5);
    assert_eq!(output.summary.exported, 5);
    assert_eq!(output.targets_omitted, Some(5));
    assert_eq!(output.summary_by_region["eu-west-1"].summary.exported, 3);
    assert!(output.cost.is_some());
    assert_eq!(h.applied("ExportSnapshot"), 5, "one export per target");
}

#[tokio::test]
async fn the_fan_out_reports_a_failed_target_and_a_failed_batch() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    h.set_faults(Faults {
        fail_exports_for: vec!["eu-web-2".into()],
        ..Faults::default()
    });
    let (_, mut results, _) = fan_out(&h, json!({"fanOut": true}), 2).await;
    // A batch whose invocations failed for good, as the state machine's Catch leaves it.
    results.push(json!({
        "Items": [{"region": "ap-south-1", "resource": "mumbai-1"}],
        "BatchInput": {"restoreDate": null, "dryRun": null},
        "caught": {"Error": "Lambda.Unknown", "Cause": "The function timed out"}
    }));
    // And a child execution that failed within ToleratedFailurePercentage.
    results.push(json!({"Error": "States.Timeout", "Cause": ""}));
    let output = h
        .invoke(json!({"aggregate": results, "regionErrors": []}))
        .await
        .unwrap();
    assert_eq!(output.status, Status::Failed);
    assert_eq!(output.summary.total, 6);
    assert_eq!(output.summary.failed, 2);
    assert_eq!(output.failed_items, Some(1));
    let listed: Vec<(&str, Phase)> = (output.targets.iter())
        .map(|t| (t.resource.as_str(), t.phase))
        .collect();
    assert_eq!(
        listed,
        [("eu-web-2", Phase::Failed), ("mumbai-1", Phase::Failed)]
    );
    let mumbai = target(&output, "mumbai-1");
    let error = mumbai.error.as_ref().unwrap();
    assert!(error.message.contains("Lambda.Unknown"), "{error:?}");
    assert_eq!(output.summary_by_region["ap-south-1"].summary.failed, 1);
}

#[tokio::test]
async fn the_fan_out_never_gives_one_target_to_two_items() {
    let h = Harness::new(TWO_REGIONS, Config::default()).await;
    let request = json!({"fanOut": true, "regions": ["us-east-1", "eu-west-1"],
        "targets": ["web-1", "us-east-1:web-1", "eu-west-1:eu-web-1"], "targetTag": "export=nightly"});
    let Response::FanOut(listing) = h.respond(request).await.unwrap() else {
        panic!("a listing");
    };
    let mut items: Vec<(String, String)> = (listing.items.iter())
        .map(|i| (i.region.clone(), i.resource.clone()))
        .collect();
    let count = items.len();
    items.sort();
    items.dedup();
    assert_eq!(items.len(), count, "{items:?}");
    assert_eq!(count, 5);
    assert_eq!(
        h.total_calls(),
        2 * 2,
        "GetInstances and GetDisks once per region, nothing else"
    );
}

#[tokio::test]
async fn a_fan_out_listing_with_a_denied_region_goes_on_with_the_others() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    h.set_faults(Faults {
        denied_regions: vec!["eu-west-1".into()],
        ..Faults::default()
    });
    let (listing, _, output) = fan_out(&h, json!({"fanOut": true}), 10).await;
    assert_eq!(listing["items"].as_array().unwrap().len(), 2);
    assert_eq!(listing["regionErrors"][0]["region"], "eu-west-1");
    assert_eq!(output.status, Status::Failed);
    assert_eq!(output.summary.exported, 2);
    assert_eq!(output.region_errors[0].error_type, "AccessDenied");
}

#[tokio::test]
async fn a_fan_out_listing_with_an_unreachable_region_goes_on_with_the_others() {
    let h = Harness::new(TWO_REGIONS, tagged(&["us-east-1", "eu-west-1"])).await;
    h.set_faults(Faults {
        unreachable_regions: vec!["eu-west-1".into()],
        ..Faults::default()
    });
    let (listing, _, output) = fan_out(&h, json!({"fanOut": true}), 10).await;
    assert_eq!(listing["items"].as_array().unwrap().len(), 2);
    assert_eq!(listing["regionErrors"][0]["region"], "eu-west-1");
    // The aggregate is final: the region's transient failure fails the run, it is not retried.
    assert_eq!(output.status, Status::Failed, "{output:#?}");
    assert_eq!(output.summary.exported, 2);
    let eu = &output.region_errors[0];
    assert_eq!(
        (eu.region.as_str(), eu.error_type.as_str()),
        ("eu-west-1", "Retryable")
    );
    assert!(
        eu.message.ends_with("left out of tonight's fan-out"),
        "{}",
        eu.message
    );
}
