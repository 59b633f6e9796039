//! Injected faults as the SDK sees them.

mod common;

use aws_sdk_lightsail::error::SdkError;
use common::*;
use lightsail_emulator::Faults;

#[tokio::test]
async fn throttling_is_a_throttling_exception_and_not_applied() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["CopySnapshot".into()],
        ..Faults::default()
    });
    let err = c
        .copy_snapshot()
        .source_resource_name("web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("t1")
        .send()
        .await
        .unwrap_err();
    // AWS's front end answers throttling: no Lightsail code, so the SDK sees the exception
    // name and its retry classifier recognises it.
    assert_eq!(code(&err), "ThrottlingException");
    assert_eq!(kind(&err), "ThrottlingException/-");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));
    // Other operations are not affected.
    c.get_instances().send().await.unwrap();
    let w = &emu.writes()[0];
    assert_eq!(
        (w.applied, w.error.as_deref(), w.target.as_str()),
        (false, Some("ThrottlingException"), "t1")
    );
    assert!(c
        .get_instance_snapshot()
        .instance_snapshot_name("t1")
        .send()
        .await
        .is_err());
    assert_eq!(emu.call_counts().get("CopySnapshot"), Some(&1));
}

#[tokio::test]
async fn server_errors_are_500_service_exceptions() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    let err = c.get_instances().send().await.unwrap_err();
    assert_eq!(kind(&err), "ServiceException/InternalError");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
}

#[tokio::test]
async fn dropped_connection_is_a_dispatch_failure() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        drop_connection_rate: 1.0,
        ..Faults::default()
    });
    let err = c
        .export_snapshot()
        .source_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    let w = &emu.writes()[0];
    assert_eq!(
        (w.applied, w.error.as_deref()),
        (false, Some("DroppedConnection"))
    );
    // The server is still fine afterwards.
    emu.set_faults(Faults::default());
    c.get_instances().send().await.unwrap();
}

#[tokio::test]
async fn drop_after_write_applies_the_write() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        drop_after_write_rate: 1.0,
        ..Faults::default()
    });
    // Reads are never dropped by drop-after-write.
    c.get_instances().send().await.unwrap();
    let err = c
        .copy_snapshot()
        .source_resource_name("web-1")
        .source_region("us-east-1".into())
        .restore_date("2026-11-21")
        .target_snapshot_name("w-copy")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    let w = &emu.writes()[0];
    assert_eq!(
        (w.applied, w.error.as_deref()),
        (true, Some("DroppedConnection"))
    );
    let s = c
        .get_instance_snapshot()
        .instance_snapshot_name("w-copy")
        .send()
        .await
        .unwrap();
    assert!(
        s.instance_snapshot().is_some(),
        "the copy exists although the client saw no response"
    );
}

#[tokio::test]
async fn seeded_rates_are_repeatable_and_latency_is_added() {
    async fn outcomes(rate: f64) -> Vec<bool> {
        let emu = emulator().await;
        let c = client(&emu);
        emu.set_faults(Faults {
            seed: 9,
            throttle_rate: rate,
            ..Faults::default()
        });
        let mut v = Vec::new();
        for _ in 0..40 {
            v.push(c.get_disks().send().await.is_ok());
        }
        v
    }
    let a = outcomes(0.5).await;
    assert_eq!(a, outcomes(0.5).await);
    assert!(a.iter().any(|ok| *ok) && a.iter().any(|ok| !ok));

    let emu = emulator().await;
    let c = client(&emu);
    emu.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let t = std::time::Instant::now();
    c.get_disks().send().await.unwrap();
    assert!(t.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn faults_from_the_scenario() {
    let mut s = scenario();
    s.faults.fail_exports_for = vec!["blog-1-manual".into(), "web-1".into()];
    s.faults.throttle_rate = 1.0;
    s.faults.operations = vec!["GetDisks".into()];
    let emu = lightsail_emulator::Emulator::start(s).await.unwrap();
    let c = client(&emu);
    assert_eq!(
        code(&c.get_disks().send().await.unwrap_err()),
        "ThrottlingException"
    );
    assert_eq!(emu.faults().fail_exports_for.len(), 2);
}
