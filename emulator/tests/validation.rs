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
        .map_err(|e| kind(&e))
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
            "InvalidInputException/InvalidInput",
        ),
        ("neither restoreDate nor useLatest", Box::new(|b| b.source_resource_name("web-1").target_snapshot_name("x2")), "InvalidInputException/InvalidInput"),
        (
            "both source kinds",
            Box::new(|b| b.source_resource_name("web-1").source_snapshot_name("blog-1-manual").target_snapshot_name("x3")),
            "InvalidInputException/InvalidInput",
        ),
        ("no source", Box::new(|b| b.target_snapshot_name("x4")), "InvalidInputException/InvalidInput"),
        (
            "dotted target name",
            Box::new(|b| b.source_resource_name("shop.example.com").restore_date("2026-11-21").target_snapshot_name("shop.example.com-2026-11-21")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "target ends with a hyphen",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("web-1-")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "name already in use",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("blog-1-manual")),
            "InvalidInputException/NameExists",
        ),
        (
            "name of an instance (one name space per region)",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("web-2")),
            "InvalidInputException/NameExists",
        ),
        (
            "name of a disk",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-21").target_snapshot_name("data-disk")),
            "InvalidInputException/NameExists",
        ),
        (
            "an older automatic snapshot while a newer one is being taken",
            Box::new(|b| b.source_resource_name("busy-1").restore_date("2026-11-21").target_snapshot_name("x14")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "the latest restorable one while a newer one is being taken",
            Box::new(|b| b.source_resource_name("busy-1").use_latest_restorable_auto_snapshot(true).target_snapshot_name("x15")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "unknown source resource",
            Box::new(|b| b.source_resource_name("nope").restore_date("2026-11-21").target_snapshot_name("x5")),
            "NotFoundException/DoesNotExist",
        ),
        (
            "unknown source snapshot",
            Box::new(|b| b.source_snapshot_name("nope").target_snapshot_name("x6")),
            "NotFoundException/DoesNotExist",
        ),
        (
            "restoreDate of a Failed automatic snapshot",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-11-20").target_snapshot_name("x7")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "restoreDate of an InProgress automatic snapshot",
            Box::new(|b| b.source_resource_name("busy-1").restore_date("2026-11-22").target_snapshot_name("x8")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "restoreDate with no automatic snapshot",
            Box::new(|b| b.source_resource_name("web-1").restore_date("2026-10-01").target_snapshot_name("x9")),
            "NotFoundException/DoesNotExist",
        ),
        (
            "malformed restoreDate",
            Box::new(|b| b.source_resource_name("web-1").restore_date("21/11/2026").target_snapshot_name("x10")),
            "InvalidInputException/InvalidInput",
        ),
        (
            "no restorable automatic snapshot",
            Box::new(|b| b.source_resource_name("web-2").use_latest_restorable_auto_snapshot(true).target_snapshot_name("x11")),
            "NotFoundException/DoesNotExist",
        ),
        (
            "sourceRegion where the resource is not",
            Box::new(|b| b.source_resource_name("eu-web-1").restore_date("2026-11-21").target_snapshot_name("x12")),
            "NotFoundException/DoesNotExist",
        ),
        (
            "copy of a pending manual snapshot",
            Box::new(|b| b.source_snapshot_name("web-1-pending").target_snapshot_name("x13")),
            "OperationFailureException/OperationFailure",
        ),
    ];
    for (what, f, want) in cases {
        assert_eq!(copy(&c, f).await, Err(want.to_string()), "{what}");
    }
    // Nothing was created, and every refused write is logged as not applied.
    assert!(emu.writes().iter().all(|w| !w.applied && w.error.is_some()));
    assert_eq!(emu.writes().len(), 20);

    // The second identical copy fails on the name: proof the first exists.
    let ok =
        |b: aws_sdk_lightsail::operation::copy_snapshot::builders::CopySnapshotFluentBuilder| {
            b.source_resource_name("web-1")
                .restore_date("2026-11-21")
                .target_snapshot_name("web-1-export-2026-11-21")
        };
    assert_eq!(copy(&c, ok).await, Ok(()));
    assert_eq!(
        copy(&c, ok).await,
        Err("InvalidInputException/NameExists".into())
    );
    // Once busy-1's automatic snapshot is taken, its automatic snapshots can be copied.
    emu.advance(900.0);
    assert_eq!(
        copy(&c, |b| b
            .source_resource_name("busy-1")
            .restore_date("2026-11-22")
            .target_snapshot_name("busy-1-copy"))
        .await,
        Ok(())
    );
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
                .map_err(|e| kind(&e))
        }
    };
    assert_eq!(
        export("nope").await,
        Err("NotFoundException/DoesNotExist".into()),
        "unknown snapshot"
    );
    assert_eq!(
        export("web-1-pending").await,
        Err("OperationFailureException/OperationFailure".into()),
        "pending"
    );
    assert_eq!(
        export("web-1-broken").await,
        Err("OperationFailureException/OperationFailure".into()),
        "error state"
    );
    assert_eq!(
        export("blog-1-manual").await,
        Err("InvalidInputException/InvalidInput".into()),
        "Ghost"
    );
    assert_eq!(
        export("app-1-manual").await,
        Err("InvalidInputException/InvalidInput".into()),
        "Django"
    );
    assert_eq!(
        export("panel-1-manual").await,
        Err("InvalidInputException/InvalidInput".into()),
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
