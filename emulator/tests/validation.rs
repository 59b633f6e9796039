//! Every CopySnapshot and ExportSnapshot error case, as the SDK sees it.

mod common;

use common::*;

async fn copy(
    c: &aws_sdk_lightsail::Client,
    f: impl FnOnce(
        aws_sdk_lightsail::operation::copy_snapshot::builders::CopySnapshotFluentBuilder,
    )
        -> aws_sdk_lightsail::operation::copy_snapshot::builders::CopySnapshotFluentBuilder,
) -> Result<(), String> {
    f(c.copy_snapshot().source_region("us-east-1".into()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

#[tokio::test]
async fn copy_snapshot_errors() {
    let emu = emulator().await;
    let c = client(&emu);
    let cases: Vec<(&str, Box<dyn FnOnce(_) -> _>, &str)> = vec![
        (
            "both restoreDate and useLatest",
            Box::new(|b: aws_sdk_lightsail::operation::copy_snapshot::builders::CopySnapshotFluentBuilder| {
                b.source_resource_name("web-1").restore_date("2026-11-21").use_latest_restorable_auto_snapshot(true).target_snapshot_name("x1")
            }),
            "InvalidInputException",
        ),
        ("neither restoreDate nor useLatest", Box::new(|b| b.source_resource_name("web-1").target_snapshot_name("x2")), "InvalidInputException"),
        (
            "both source kinds",
            Box::new(|b| b.source_resource_name("web-1").source_snapshot_name("blog-1-manual").target_snapshot_name("x3")),
            "InvalidInputException",
        ),
        ("no source", Box::new(|b| b.target_snapshot_name("x4")), "InvalidInputException"),
        (
            "dotted target name",
            Box::new(|b| b.source_resource_name("shop.example.com").restore_date("2026-11-21").target_snapshot_name("shop.example.com-2026-11-21")),
            "InvalidInputException",
        ),
        (
            "target ends with a hyphen",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("web-1-")),
            "InvalidInputException",
        ),
        (
            "name already in use",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("blog-1-manual")),
            "InvalidInputException",
        ),
        (
            "unknown source resource",
            Box::new(|b| b.source_resource_name("nope").restore_date("2026-11-21").target_snapshot_name("x5")),
            "NotFoundException",
        ),
        (
            "unknown source snapshot",
            Box::new(|b| b.source_snapshot_name("nope").target_snapshot_name("x6")),
            "NotFoundException",
        ),
        (
            "restoreDate of a Failed automatic snapshot",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-20").target_snapshot_name("x7")),
            "InvalidInputException",
        ),
        (
            "restoreDate of an InProgress automatic snapshot",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-22").target_snapshot_name("x8")),
            "InvalidInputException",
        ),
        (
            "restoreDate with no automatic snapshot",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-10-01").target_snapshot_name("x9")),
            "NotFoundException",
        ),
        (
            "malformed restoreDate",
            Box::new(|b| b.source_resource_name("web-1").restore_date("21/11/2026").target_snapshot_name("x10")),
            "InvalidInputException",
        ),
        (
            "no restorable automatic snapshot",
            Box::new(|b| b.source_resource_name("web-2").use_latest_restorable_auto_snapshot(true).target_snapshot_name("x11")),
            "NotFoundException",
        ),
        (
            "sourceRegion where the resource is not",
            Box::new(|b| b.source_resource_name("eu-web-1").restore_date("2026-11-21").target_snapshot_name("x12")),
            "NotFoundException",
        ),
        (
            "copy of a pending manual snapshot",
            Box::new(|b| b.source_snapshot_name("web-1-pending").target_snapshot_name("x13")),
            "OperationFailureException",
        ),
    ];
    for (what, f, want) in cases {
        assert_eq!(copy(&c, f).await, Err(want.to_string()), "{what}");
    }
    // Nothing was created, and every refused write is logged as not applied.
    assert!(emu.writes().iter().all(|w| !w.applied && w.error.is_some()));
    assert_eq!(emu.writes().len(), 16);

    // The second identical copy fails on the name: proof the first exists.
    let ok =
        |b: aws_sdk_lightsail::operation::copy_snapshot::builders::CopySnapshotFluentBuilder| {
            b.source_resource_name("web-1")
                .restore_date("2026-11-21")
                .target_snapshot_name("web-1-export-2026-11-21")
        };
    assert_eq!(copy(&c, ok).await, Ok(()));
    assert_eq!(copy(&c, ok).await, Err("InvalidInputException".into()));
    // A manual snapshot is a valid source once available.
    assert_eq!(
        copy(&c, |b| b
            .source_snapshot_name("blog-1-manual")
            .target_snapshot_name("blog-copy"))
        .await,
        Ok(())
    );
}

#[tokio::test]
async fn export_snapshot_errors() {
    let emu = emulator().await;
    let c = client(&emu);
    let export = |name: &'static str| {
        let c = c.clone();
        async move {
            c.export_snapshot()
                .source_snapshot_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e))
        }
    };
    assert_eq!(
        export("nope").await,
        Err("NotFoundException".into()),
        "unknown snapshot"
    );
    assert_eq!(
        export("web-1-pending").await,
        Err("OperationFailureException".into()),
        "pending"
    );
    assert_eq!(
        export("web-1-broken").await,
        Err("OperationFailureException".into()),
        "error state"
    );
    assert_eq!(
        export("blog-1-manual").await,
        Err("InvalidInputException".into()),
        "Ghost"
    );
    assert_eq!(
        export("app-1-manual").await,
        Err("InvalidInputException".into()),
        "Django"
    );
    assert_eq!(
        export("panel-1-manual").await,
        Err("InvalidInputException".into()),
        "cPanel & WHM"
    );
    emu.advance(600.0);
    assert_eq!(export("web-1-pending").await, Ok(()), "available now");
    // Exports are not idempotent: a second one starts a second record.
    assert_eq!(export("web-1-pending").await, Ok(()));
    let n = emu
        .writes()
        .iter()
        .filter(|w| w.operation == "ExportSnapshot" && w.applied)
        .count();
    assert_eq!(n, 2);
}
