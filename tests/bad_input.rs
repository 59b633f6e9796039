//! Bad input, one test per row of the README's "Bad input" table: the exact invocation
//! `errorType` or per-target `error.type`, a message that says what is wrong, no panic, and —
//! for everything that concerns one target — a good target beside the bad one that is exported
//! as if nothing happened.

mod common;

use common::{client_with, target, ClientOptions, Harness};
use lightsail_emulator::Faults;
use lightsail_export::error::TargetErrorKind;
use lightsail_export::lightsail::SdkLightsail;
use lightsail_export::model::Phase;
use lightsail_export::report::{Output, Status};
use lightsail_export::{App, Config, Error};
use serde_json::{json, Value};

const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
pageSize: 25
seed: 13
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    blueprintId: ubuntu_22_04
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
  - { name: web-2, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: blog, blueprintId: ghost_5, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: panel, blueprintId: cpanel_whm_linux, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - name: broken
    blueprintId: ubuntu_22_04
    autoSnapshots:
      - { date: "2026-11-20", status: Failed }
      - { date: "2026-11-21", status: Failed }
  - { name: twin, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: a.b, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: a-b, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
  - { name: eu-web-1, region: eu-west-1, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
disks:
  - { name: twin, sizeInGb: 8, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
snapshots:
  - { name: web-2-export-2026-11-21, source: blog, state: available }
unrelatedExportRecords: 30
"#;

fn config(targets: &[&str]) -> Config {
    common::config(targets)
}

async fn harness(targets: &[&str]) -> Harness {
    Harness::with_options(WORLD, config(targets), &ClientOptions::default()).await
}

/// An invocation refused as a whole: its `errorType`, a message containing `says`, and not a
/// single Lightsail call made.
async fn refused(h: &Harness, event: Value, error_type: &str, says: &str) -> Error {
    let before = h.total_calls();
    let error = h.invoke(event.clone()).await.unwrap_err();
    assert_eq!(error.error_type(), error_type, "{event}: {error}");
    assert!(
        error.to_string().contains(says),
        "{event}: `{error}` should say `{says}`"
    );
    assert_eq!(h.total_calls(), before, "{event}: no Lightsail call");
    println!("ROW {event} -> {}: {error}", error.error_type());
    error
}

/// Runs to the end and checks: `bad` FAILED with `kind` and a message containing `says`;
/// `good` EXPORTED, with one copy and one export.
async fn bad_beside_good(
    h: &Harness,
    event: Value,
    bad: &str,
    kind: TargetErrorKind,
    says: &str,
    good: &str,
) -> Output {
    let run = h.run_retrying(event, 40).await;
    let last = run.last().clone();
    let b = target(&last, bad);
    assert_eq!(b.phase, Phase::Failed, "{bad}: {b:#?}");
    let error = b.error.as_ref().expect("an error");
    assert_eq!(error.kind, kind, "{bad}: {error:?}");
    assert!(
        error.message.contains(says),
        "{bad}: `{}` should say `{says}`",
        error.message
    );
    println!("ROW {bad} -> {:?}: {}", error.kind, error.message);
    let g = target(&last, good);
    assert_eq!(g.phase, Phase::Exported, "{good}: {g:#?}");
    assert_eq!(g.error, None);
    assert_eq!(last.status, Status::Failed);
    let good_copy = g.snapshot_name.clone().unwrap();
    assert_eq!(
        h.applied_per_target("ExportSnapshot").get(&good_copy),
        Some(&1)
    );
    last
}

// ---- the invocation is refused --------------------------------------------------------------

#[tokio::test]
async fn input_that_is_not_a_json_object_is_invalid_input() {
    let h = harness(&["web-1"]).await;
    for (event, says) in [
        (json!(["web-1"]), "got an array"),
        (json!("web-1"), "got a string"),
        (json!(42), "got a number"),
        (json!(true), "got a boolean"),
    ] {
        refused(&h, event, "InvalidInput", says).await;
    }
}

#[tokio::test]
async fn members_of_the_wrong_type_are_invalid_input() {
    let h = harness(&["web-1"]).await;
    let targets = "`targets` must be a list of names or one comma-separated string";
    for (event, says) in [
        (json!({"targets": 5}), targets),
        (json!({"targets": [1, 2]}), targets),
        (json!({"targets": {"web-1": true}}), targets),
        (
            json!({"dryRun": "yes"}),
            "invalid type: string \"yes\", expected a boolean",
        ),
        (
            json!({"restoreDate": 20261120}),
            "invalid type: integer `20261120`, expected a string",
        ),
        (
            json!({"targetTag": ["export"]}),
            "invalid type: sequence, expected a string",
        ),
    ] {
        refused(&h, event, "InvalidInput", says).await;
    }
}

#[tokio::test]
async fn unknown_members_are_invalid_input_not_ignored() {
    let h = harness(&["web-1"]).await;
    refused(
        &h,
        json!({"target": ["web-2"]}),
        "InvalidInput",
        "unknown field `target`",
    )
    .await;
    refused(
        &h,
        json!({"dryrun": true}),
        "InvalidInput",
        "unknown field `dryrun`",
    )
    .await;
    let envelope = json!({"detail-type": "Scheduled Event", "source": "aws.events",
                          "detail": {"tragets": ["web-2"]}});
    refused(&h, envelope, "InvalidInput", "unknown field `tragets`").await;
}

#[tokio::test]
async fn an_eventbridge_detail_that_is_not_an_object_is_invalid_input() {
    let h = harness(&["web-1"]).await;
    let event =
        json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": "web-1"});
    refused(
        &h,
        event,
        "InvalidInput",
        "`detail` must be a request object",
    )
    .await;
}

#[tokio::test]
async fn no_targets_anywhere_is_no_targets() {
    let h = Harness::with_options(WORLD, Config::default(), &ClientOptions::default()).await;
    for event in [
        json!({}),
        json!(null),
        json!({"targets": []}),
        json!({"targets": " , "}),
    ] {
        refused(&h, event, "NoTargets", "no targets").await;
    }
    // An empty list in the input replaces TARGETS: nothing to do is refused too.
    let h = harness(&["web-1"]).await;
    refused(&h, json!({"targets": []}), "NoTargets", "no targets").await;
}

#[tokio::test]
async fn a_tag_that_matches_nothing_is_no_targets() {
    let h = harness(&[]).await;
    let error = h
        .invoke(json!({"targetTag": "export=never"}))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), "NoTargets");
    assert!(error.to_string().contains("export=never"), "{error}");
}

#[tokio::test]
async fn a_malformed_target_tag_is_invalid_input() {
    let h = harness(&[]).await;
    refused(
        &h,
        json!({"targetTag": "=nightly"}),
        "InvalidInput",
        "targetTag",
    )
    .await;
}

#[tokio::test]
async fn more_than_1000_targets_are_invalid_input_and_1000_are_served() {
    let h = harness(&[]).await;
    let names: Vec<String> = (0..=1000).map(|i| format!("vm-{i}")).collect();
    refused(
        &h,
        json!({"targets": names}),
        "InvalidInput",
        "1001 targets given, at most 1000",
    )
    .await;

    let mut names: Vec<String> = (0..999).map(|i| format!("vm-{i}")).collect();
    names.push("web-1".into());
    let output = h.invoke(json!({"targets": names})).await.unwrap();
    assert_eq!(output.targets.len(), 1000);
    assert_eq!(target(&output, "web-1").actions[0], "CopySnapshot");
    let missing = target(&output, "vm-7");
    assert_eq!(
        missing.error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::ResourceNotFound)
    );
}

#[tokio::test]
async fn a_restore_date_that_is_not_a_date_is_invalid_input() {
    let h = harness(&["web-1"]).await;
    for date in [
        "2026/11/20",
        "yesterday",
        "2026-02-30",
        "26-11-20",
        "2026-11-20T00:00:00Z",
        "",
    ] {
        refused(
            &h,
            json!({"restoreDate": date}),
            "InvalidInput",
            "is not a date in the form YYYY-MM-DD",
        )
        .await;
    }
}

#[tokio::test]
async fn a_previous_output_with_a_bad_date_is_invalid_input() {
    let h = harness(&["web-1"]).await;
    let event = json!({"status": "IN_PROGRESS", "targets": [
        {"resource": "web-1", "autoSnapshotDate": "2026-13-01"}]});
    refused(&h, event, "InvalidInput", "previous output, target `web-1`").await;
}

#[tokio::test]
async fn a_bad_environment_variable_is_invalid_configuration_on_every_invocation() {
    let h = harness(&["web-1"]).await;
    let config = Config::from_lookup(|key| (key == "MAX_EXPORT_ATTEMPTS").then(|| "0".to_string()));
    let app = App::from_adapters(
        h.app.lightsail().clone(),
        h.app.ec2().clone(),
        config,
        Default::default(),
    );
    for _ in 0..2 {
        let event = lambda_runtime::LambdaEvent::new(json!({}), lambda_runtime::Context::default());
        let error = lightsail_export::handler(event, &app).await.unwrap_err();
        assert_eq!(error.error_type(), "InvalidConfiguration");
        assert!(error.to_string().contains("MAX_EXPORT_ATTEMPTS"), "{error}");
    }
    assert_eq!(h.total_calls(), 0);
}

#[tokio::test]
async fn access_denied_on_the_call_every_target_needs_is_access_denied() {
    let h = harness(&["web-1", "web-2"]).await;
    h.set_faults(Faults {
        access_denied_for: vec!["GetExportSnapshotRecords".into()],
        ..Faults::default()
    });
    let error = h.invoke(json!({})).await.unwrap_err();
    assert_eq!(error.error_type(), "AccessDenied");
    assert!(
        error
            .to_string()
            .contains("not authorized to perform: lightsail:GetExportSnapshotRecords"),
        "{error}"
    );
    assert!(h.emulator.writes().is_empty());
}

// ---- one target fails, the one beside it is exported ----------------------------------------

#[tokio::test]
async fn a_name_that_breaks_the_pattern_is_invalid_resource_name() {
    for bad in ["bad name!", "-web", "web.", "wéb", "web/1"] {
        let h = harness(&[bad, "web-1"]).await;
        bad_beside_good(
            &h,
            json!({}),
            bad,
            TargetErrorKind::InvalidResourceName,
            "resource name",
            "web-1",
        )
        .await;
    }
}

#[tokio::test]
async fn a_name_longer_than_255_characters_is_invalid_resource_name() {
    let long = "a".repeat(256);
    let h = harness(&[&long, "web-1"]).await;
    bad_beside_good(
        &h,
        json!({}),
        &long,
        TargetErrorKind::InvalidResourceName,
        "256 characters long, more than 255",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn a_resource_that_does_not_exist_is_resource_not_found() {
    let h = harness(&["nope", "web-1"]).await;
    bad_beside_good(
        &h,
        json!({}),
        "nope",
        TargetErrorKind::ResourceNotFound,
        "no instance or disk named `nope` in us-east-1",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn a_blueprint_that_cannot_be_exported_is_not_exportable_and_never_copied() {
    for bad in ["blog", "panel"] {
        let h = harness(&[bad, "web-1"]).await;
        bad_beside_good(
            &h,
            json!({}),
            bad,
            TargetErrorKind::NotExportable,
            "Lightsail cannot export snapshots of cPanel & WHM, Django or Ghost instances",
            "web-1",
        )
        .await;
        assert!(h
            .writes("CopySnapshot")
            .iter()
            .all(|w| w.source.as_deref() == Some("web-1")));
    }
}

#[tokio::test]
async fn a_name_that_is_both_an_instance_and_a_disk_is_ambiguous() {
    let h = harness(&["twin", "web-1"]).await;
    bad_beside_good(
        &h,
        json!({}),
        "twin",
        TargetErrorKind::AmbiguousResource,
        "is both an instance and a disk",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn no_success_automatic_snapshot_is_no_restorable_snapshot() {
    let h = harness(&["broken", "web-1"]).await;
    bad_beside_good(
        &h,
        json!({}),
        "broken",
        TargetErrorKind::NoRestorableSnapshot,
        "no automatic snapshot is restorable",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn a_restore_date_without_a_success_snapshot_is_no_restorable_snapshot() {
    // web-1 has a Success snapshot of 2026-11-20; web-2 has none of that day.
    let h = harness(&["web-2", "web-1"]).await;
    let last = bad_beside_good(
        &h,
        json!({"restoreDate": "2026-11-20"}),
        "web-2",
        TargetErrorKind::NoRestorableSnapshot,
        "2026-11-20",
        "web-1",
    )
    .await;
    assert_eq!(
        target(&last, "web-1").snapshot_name.as_deref(),
        Some("web-1-export-2026-11-20")
    );
    let h = harness(&["broken", "web-1"]).await;
    bad_beside_good(
        &h,
        json!({"restoreDate": "2026-11-20"}),
        "broken",
        TargetErrorKind::NoRestorableSnapshot,
        "is Failed, not Success",
        "web-1",
    )
    .await;
    // Refused before any CopySnapshot is sent, in every round, not only the first.
    assert!(h
        .writes("CopySnapshot")
        .iter()
        .all(|w| w.source.as_deref() == Some("web-1")));
}

#[tokio::test]
async fn names_that_give_the_same_copy_name_are_both_refused() {
    let h = harness(&["a.b", "a-b", "web-1"]).await;
    let last = bad_beside_good(
        &h,
        json!({}),
        "a.b",
        TargetErrorKind::CopyNameConflict,
        "give the same copy name",
        "web-1",
    )
    .await;
    assert_eq!(
        target(&last, "a-b").error.as_ref().map(|e| e.kind),
        Some(TargetErrorKind::CopyNameConflict)
    );
}

#[tokio::test]
async fn a_snapshot_of_the_copy_name_taken_from_another_resource_is_a_conflict() {
    // `web-2-export-2026-11-21` exists already, taken from `blog`.
    let h = harness(&["web-2", "web-1"]).await;
    bad_beside_good(
        &h,
        json!({}),
        "web-2",
        TargetErrorKind::CopyNameConflict,
        "was taken from `blog`",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn access_denied_for_one_target_is_that_targets_access_denied() {
    // An IAM policy with a resource condition: web-2 may not be read, web-1's copy may not be
    // exported; a third target is untouched.
    let h = harness(&["web-2", "web-1", "eu-less"]).await;
    h.set_faults(Faults {
        access_denied_for: vec!["web-2".into(), "web-1-export-2026-11-21".into()],
        ..Faults::default()
    });
    let run = h.run_retrying(json!({}), 20).await;
    let last = run.last();
    for name in ["web-2", "web-1"] {
        let t = target(last, name);
        assert_eq!(t.phase, Phase::Failed, "{t:#?}");
        let error = t.error.as_ref().unwrap();
        assert_eq!(error.kind, TargetErrorKind::AccessDenied, "{error:?}");
        assert!(
            error.message.contains("not authorized to perform"),
            "{error:?}"
        );
    }
    assert_eq!(h.applied("ExportSnapshot"), 0);

    // Beside a good target: only the denied one fails.
    let h = harness(&["web-2", "web-1"]).await;
    h.set_faults(Faults {
        access_denied_for: vec!["web-2".into()],
        ..Faults::default()
    });
    bad_beside_good(
        &h,
        json!({}),
        "web-2",
        TargetErrorKind::AccessDenied,
        "not authorized to perform: lightsail:",
        "web-1",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_source_region_is_resource_not_found_there() {
    // SOURCE_REGION eu-west-1: web-1 lives in us-east-1, eu-web-1 in eu-west-1 (copied across).
    let h = harness(&[]).await;
    let options = ClientOptions::default();
    let here = client_with(&h.emulator.url(), "us-east-1", &options);
    let source = client_with(&h.emulator.url(), "eu-west-1", &options);
    let app = App::from_adapters(
        SdkLightsail::new(here, source, "eu-west-1"),
        common::ec2_client(&h.emulator.url(), "us-east-1"),
        Ok(config(&["web-1", "eu-web-1"])),
        Default::default(),
    );
    let h = Harness {
        emulator: h.emulator,
        app,
    };
    bad_beside_good(
        &h,
        json!({}),
        "web-1",
        TargetErrorKind::ResourceNotFound,
        "no instance or disk named `web-1` in eu-west-1",
        "eu-web-1",
    )
    .await;
    let copy = &h.writes("CopySnapshot")[0];
    assert_eq!(
        (copy.region.as_str(), copy.source.as_deref()),
        ("us-east-1", Some("eu-web-1"))
    );
}

#[tokio::test]
async fn an_export_that_keeps_failing_is_export_failed_after_max_attempts() {
    let h = Harness::with_options(
        WORLD,
        Config {
            max_export_attempts: 3,
            ..config(&["web-2", "web-1"])
        },
        &ClientOptions::default(),
    )
    .await;
    // web-2's copy name is taken by blog's snapshot in WORLD: use another world for this row.
    drop(h);
    let world = WORLD.replace(
        "  - { name: web-2-export-2026-11-21, source: blog, state: available }\n",
        "",
    );
    let h = Harness::with_options(
        &world,
        Config {
            max_export_attempts: 3,
            ..config(&["web-2", "web-1"])
        },
        &ClientOptions::default(),
    )
    .await;
    h.set_faults(Faults {
        fail_exports_for: vec!["web-2".into()],
        ..Faults::default()
    });
    let last = bad_beside_good(
        &h,
        json!({}),
        "web-2",
        TargetErrorKind::ExportFailed,
        "3 export(s) of `web-2-export-2026-11-21` failed; MAX_EXPORT_ATTEMPTS is 3",
        "web-1",
    )
    .await;
    assert_eq!(
        h.applied_per_target("ExportSnapshot")
            .get("web-2-export-2026-11-21"),
        Some(&3)
    );
    assert_eq!(
        target(&last, "web-2")
            .export_record
            .as_ref()
            .map(|r| r.state.as_str()),
        Some("Failed")
    );
}
