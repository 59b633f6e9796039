//! The `accessDeniedFor` fault: IAM refusing a call, by operation or by the resource it names.

mod common;

use common::*;
use lightsail_emulator::{Emulator, Faults};

fn denied(names: &[&str]) -> Faults {
    Faults {
        access_denied_for: names.iter().map(|n| n.to_string()).collect(),
        ..Faults::default()
    }
}

#[tokio::test]
async fn an_operation_can_be_denied_for_everything() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(denied(&["GetExportSnapshotRecords"]));
    let err = c.get_export_snapshot_records().send().await.unwrap_err();
    // The default envelope: Lightsail's own code wins over the exception name in the SDK.
    assert_eq!(code(&err), "AccessDenied");
    assert_eq!(kind(&err), "AccessDeniedException/AccessDenied");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    let message = aws_sdk_lightsail::error::ProvideErrorMetadata::message(&err)
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("not authorized to perform: lightsail:GetExportSnapshotRecords"),
        "{message}"
    );
    // Other operations are not affected.
    c.get_instances().send().await.unwrap();
}

#[tokio::test]
async fn a_resource_can_be_denied_for_reads_and_writes_and_nothing_is_applied() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(denied(&["web-1"]));
    let err = c
        .get_instance()
        .instance_name("web-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "AccessDeniedException/AccessDenied");
    let err = c
        .copy_snapshot()
        .source_resource_name("web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("t1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "AccessDeniedException/AccessDenied");
    let w = &emu.writes()[0];
    assert_eq!(
        (w.applied, w.error.as_deref(), w.target.as_str()),
        (false, Some("AccessDeniedException"), "t1")
    );
    assert!(c
        .get_instance_snapshot()
        .instance_snapshot_name("t1")
        .send()
        .await
        .is_err());
    // Another resource is not affected, and the denial draws nothing from the fault generator.
    c.get_instance()
        .instance_name("shop.example.com")
        .send()
        .await
        .unwrap();
    emu.set_faults(Faults::default());
    c.get_instance()
        .instance_name("web-1")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn denials_are_settable_over_the_admin_api() {
    let emu = emulator().await;
    let (status, _) = http(
        &emu,
        "PUT",
        "/_emulator/faults",
        &[("Content-Type", "application/json")],
        r#"{"accessDeniedFor":["ExportSnapshot"]}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(emu.faults().access_denied_for, ["ExportSnapshot"]);
}

/// `lightsailPolicy: {template: true}`: the template's conditions on the function's Lightsail
/// writes (deletes only of snapshots tagged as its own, TagResource only on snapshots with its
/// keys, no UntagResource), refused as IAM refuses them, with nothing applied.
#[tokio::test]
async fn the_template_policy_holds_the_writes_to_the_functions_own_snapshots() {
    let mut s = scenario();
    s.lightsail_policy.template = true;
    let emu = Emulator::start(s).await.expect("emulator starts");
    let c = client(&emu);
    let delete = |name: &'static str| {
        c.delete_instance_snapshot()
            .instance_snapshot_name(name)
            .send()
    };
    let err = delete("blog-1-manual").await.unwrap_err();
    assert_eq!(kind(&err), "AccessDeniedException/AccessDenied");
    let tag = |name: &'static str, key: &'static str| {
        let t = aws_sdk_lightsail::types::Tag::builder()
            .key(key)
            .value("true")
            .build();
        c.tag_resource().resource_name(name).tags(t).send()
    };
    assert_eq!(
        kind(&tag("blog-1-manual", "team").await.unwrap_err()),
        "AccessDeniedException/AccessDenied"
    );
    assert_eq!(
        kind(&tag("web-1", "lightsail-export:managed").await.unwrap_err()),
        "AccessDeniedException/AccessDenied"
    );
    let untag = c
        .untag_resource()
        .resource_name("blog-1-manual")
        .tag_keys("x")
        .send();
    assert_eq!(
        kind(&untag.await.unwrap_err()),
        "AccessDeniedException/AccessDenied"
    );
    assert!(emu.writes().iter().all(|w| !w.applied), "nothing applied");
    // The function's own: tagged with its key, then deletable.
    tag("blog-1-manual", "lightsail-export:managed")
        .await
        .unwrap();
    delete("blog-1-manual").await.unwrap();
}
