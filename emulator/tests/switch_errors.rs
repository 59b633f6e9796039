//! Switches that decide errors: errorEnvelope, copyDuringAutoSnapshot, snapshotNameScope, and
//! autoSnapshotInProgress (which decides when copies stop being refused).

mod common;

use aws_sdk_lightsail::types::AutoSnapshotStatus;
use common::*;
use lightsail_emulator::{Emulator, ErrorEnvelope, Faults, Scenario, Switches};
use serde_json::json;

#[tokio::test]
async fn error_envelope_code_is_lightsails_body_without_the_header() {
    let emu = emulator().await;
    assert_eq!(emu.switches().error_envelope, ErrorEnvelope::Code);
    let (status, headers, body) =
        lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"nope"}"#).await;
    assert_eq!(status, 400);
    assert_eq!(header(&headers, "x-amzn-errortype"), None);
    assert_eq!(body["__type"], "NotFoundException");
    assert_eq!(body["code"], "DoesNotExist");
    assert_eq!(
        body["docs"],
        "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_GetInstance.html"
    );
    assert!(body["tip"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["message"].as_str().unwrap().contains("nope"));

    // The SDK resolves `code` over `__type`: an unmodelled error with code DoesNotExist.
    let err = client(&emu)
        .get_instance()
        .instance_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "DoesNotExist");
    assert!(!err.as_service_error().unwrap().is_not_found_exception());
}

#[tokio::test]
async fn error_envelope_header_names_the_exception_in_the_header_only() {
    let emu = emulator_with(json!({"errorEnvelope": "header"})).await;
    let (status, headers, body) =
        lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"nope"}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        Some("NotFoundException")
    );
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert_eq!(body["__type"], "NotFoundException");

    let err = client(&emu)
        .get_instance()
        .instance_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotFoundException");
    assert!(err.as_service_error().unwrap().is_not_found_exception());
}

#[tokio::test]
async fn front_end_errors_carry_no_lightsail_code_in_either_envelope() {
    for (envelope, with_header) in [("code", false), ("header", true)] {
        let emu = emulator_with(json!({ "errorEnvelope": envelope })).await;
        emu.set_faults(Faults {
            throttle_rate: 1.0,
            ..Faults::default()
        });
        let (status, headers, body) = lightsail_raw(&emu, "GetInstances", "{}").await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"})
        );
        assert_eq!(
            header(&headers, "x-amzn-errortype"),
            with_header.then_some("ThrottlingException"),
            "{envelope}"
        );
        let err = client(&emu).get_instances().send().await.unwrap_err();
        assert_eq!(code(&err), "ThrottlingException", "{envelope}");

        let (status, headers, body) = http_full(&emu, "POST", "/", &[], "{}").await;
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "MissingAuthenticationTokenException");
        assert!(body.get("code").is_none());
        assert_eq!(
            header(&headers, "x-amzn-errortype").is_some(),
            with_header,
            "{envelope}"
        );
    }
}

#[tokio::test]
async fn every_lightsail_error_carries_its_code() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        server_error_rate: 1.0,
        operations: vec!["GetDisks".into()],
        access_denied_for: vec!["GetOperations".into()],
        ..Faults::default()
    });
    let err = c.get_disks().send().await.unwrap_err();
    assert_eq!(kind(&err), "ServiceException/InternalError");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    let err = c.get_operations().send().await.unwrap_err();
    assert_eq!(kind(&err), "AccessDeniedException/AccessDenied");
    assert!(error_body(&err)["docs"]
        .as_str()
        .unwrap()
        .ends_with("API_GetOperations.html"));
}

async fn copy_busy(emu: &Emulator, name: &str) -> Result<(), String> {
    client(emu)
        .copy_snapshot()
        .source_resource_name("busy-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name(name)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| kind(&e))
}

#[tokio::test]
async fn copy_during_auto_snapshot_refuses_or_allows() {
    let emu = emulator().await;
    assert_eq!(
        copy_busy(&emu, "a1").await,
        Err("InvalidInputException/InvalidInput".into())
    );
    let emu = emulator_with(json!({"copyDuringAutoSnapshot": "operationFailure"})).await;
    assert_eq!(
        copy_busy(&emu, "a2").await,
        Err("OperationFailureException/OperationFailure".into())
    );
    let w = &emu.writes()[0];
    assert!(!w.applied, "refused before anything is created");
    let emu = emulator_with(json!({"copyDuringAutoSnapshot": "allowed"})).await;
    assert_eq!(copy_busy(&emu, "a3").await, Ok(()));
    let copied = client(&emu)
        .get_instance_snapshot()
        .instance_snapshot_name("a3")
        .send()
        .await;
    assert!(copied.is_ok());
}

/// The test world plus `slow-1`, whose automatic snapshot is InProgress with no end given.
async fn slow_world(in_progress: &str) -> Emulator {
    let mut s: Scenario = scenario();
    s.instances.push(
        serde_json::from_value(json!({
            "name": "slow-1",
            "autoSnapshots": [
                {"date": "2026-11-21", "status": "Success"},
                {"date": "2026-11-22", "status": "InProgress"}
            ]
        }))
        .unwrap(),
    );
    s.switches.auto_snapshot_in_progress = serde_json::from_value(json!(in_progress)).unwrap();
    Emulator::start(s).await.unwrap()
}

async fn slow_status(emu: &Emulator, resource: &str) -> AutoSnapshotStatus {
    client(emu)
        .get_auto_snapshots()
        .resource_name(resource)
        .send()
        .await
        .unwrap()
        .auto_snapshots()[0]
        .status()
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn auto_snapshot_in_progress_lasts_as_the_switch_says() {
    for (value, lasts) in [
        ("hours", Some(7_200.0)),
        ("minutes", Some(1_200.0)),
        ("forever", None),
    ] {
        let emu = slow_world(value).await;
        assert_eq!(
            slow_status(&emu, "slow-1").await,
            AutoSnapshotStatus::InProgress
        );
        match lasts {
            Some(seconds) => {
                emu.advance(seconds - 1.0);
                assert_eq!(
                    slow_status(&emu, "slow-1").await,
                    AutoSnapshotStatus::InProgress
                );
                assert!(
                    copy_of(&emu, "slow-1").await.is_err(),
                    "{value}: still refused"
                );
                emu.advance(1.0);
                assert_eq!(
                    slow_status(&emu, "slow-1").await,
                    AutoSnapshotStatus::Success
                );
                assert_eq!(copy_of(&emu, "slow-1").await, Ok(()), "{value}");
            }
            None => {
                emu.advance(400.0 * 86_400.0);
                assert_eq!(
                    slow_status(&emu, "slow-1").await,
                    AutoSnapshotStatus::InProgress
                );
            }
        }
        // An explicit completesAfterSeconds wins over the switch.
        assert_eq!(
            slow_status(&emu, "busy-1").await,
            AutoSnapshotStatus::Success,
            "{value}"
        );
    }
}

async fn copy_of(emu: &Emulator, resource: &str) -> Result<(), String> {
    client(emu)
        .copy_snapshot()
        .source_resource_name(resource)
        .source_region("us-east-1".into())
        .use_latest_restorable_auto_snapshot(true)
        .target_snapshot_name(format!("{resource}-copy-{}", emu.now() as u64))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| kind(&e))
}

async fn copy_named(emu: &Emulator, target: &str) -> Result<(), String> {
    client(emu)
        .copy_snapshot()
        .source_resource_name("web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name(target)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| kind(&e))
}

#[tokio::test]
async fn snapshot_name_scope_region_counts_every_resource() {
    let mut s = scenario();
    s.static_ips
        .push(serde_json::from_value(json!({"name": "web-1-export-2026-11-21"})).unwrap());
    s.static_ips
        .push(serde_json::from_value(json!({"name": "eu-ip", "region": "eu-west-1"})).unwrap());
    let emu = Emulator::start(s.clone()).await.unwrap();
    let taken = "InvalidInputException/NameExists".to_string();
    for name in [
        "web-1-export-2026-11-21",
        "web-2",
        "data-disk",
        "blog-1-manual",
    ] {
        assert_eq!(copy_named(&emu, name).await, Err(taken.clone()), "{name}");
    }
    let (_, _, body) = lightsail_raw(
        &emu,
        "CopySnapshot",
        r#"{"sourceResourceName":"web-1","sourceRegion":"us-east-1","restoreDate":"2026-11-21","targetSnapshotName":"web-2"}"#,
    )
    .await;
    assert_eq!(body["message"], "Some names are already in use: web-2");
    // Names are per region: eu-west-1's static IP does not take the name in us-east-1.
    assert_eq!(copy_named(&emu, "eu-ip").await, Ok(()));

    s.switches = Switches {
        snapshot_name_scope: serde_json::from_value(json!("snapshots")).unwrap(),
        ..Switches::default()
    };
    let emu = Emulator::start(s).await.unwrap();
    for name in ["web-1-export-2026-11-21", "web-2", "data-disk"] {
        assert_eq!(copy_named(&emu, name).await, Ok(()), "{name}");
    }
    assert_eq!(copy_named(&emu, "blog-1-manual").await, Err(taken));
}
