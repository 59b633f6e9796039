//! `dailyAutoSnapshots`: a new automatic snapshot a day, at the resource's time, `InProgress`
//! then `Success`, the newest seven kept; none for a resource whose add-on is off.

mod common;

use lightsail_emulator::{Emulator, Scenario};

const DAILY: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
speed: 0
dailyAutoSnapshots: true
durations: { autoSnapshotSeconds: 1200 }
instances:
  - name: web-1
    snapshotTimeOfDay: "06:00"
    autoSnapshots: [ { date: "2026-11-21", status: Success } ]
  - name: off
    autoSnapshotAddOn: false
    autoSnapshots: [ { date: "2026-11-20", status: Success } ]
"#;

async fn autos(emu: &Emulator, name: &str) -> Vec<(String, String)> {
    let client = common::client(emu);
    let out = client
        .get_auto_snapshots()
        .resource_name(name)
        .send()
        .await
        .expect("GetAutoSnapshots");
    out.auto_snapshots()
        .iter()
        .map(|a| {
            let status = a
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            (a.date().unwrap_or_default().to_string(), status)
        })
        .collect()
}

#[tokio::test]
async fn one_automatic_snapshot_a_day_at_the_resources_time() {
    let emu = Emulator::start(Scenario::from_str(DAILY).unwrap())
        .await
        .unwrap();
    let pair = |d: &str, s: &str| (d.to_string(), s.to_string());
    assert_eq!(
        autos(&emu, "web-1").await,
        [pair("2026-11-21", "Success")],
        "05:00: not yet"
    );
    emu.advance(3600.0 + 60.0);
    assert_eq!(
        autos(&emu, "web-1").await,
        [
            pair("2026-11-22", "InProgress"),
            pair("2026-11-21", "Success")
        ]
    );
    emu.advance(1200.0);
    assert_eq!(autos(&emu, "web-1").await[0], pair("2026-11-22", "Success"));
    emu.advance(10.0 * 86_400.0);
    let week = autos(&emu, "web-1").await;
    assert_eq!(week.len(), 7, "the newest seven: {week:?}");
    assert_eq!(week[0], pair("2026-12-02", "Success"));
    assert_eq!(week[6], pair("2026-11-26", "Success"));
    assert_eq!(autos(&emu, "off").await, [pair("2026-11-20", "Success")]);
    // The copy of a day that came since is made.
    let client = common::client(&emu);
    client
        .copy_snapshot()
        .source_resource_name("web-1")
        .restore_date("2026-12-01")
        .source_region(aws_sdk_lightsail::types::RegionName::UsEast1)
        .target_snapshot_name("web-1-export-2026-12-01")
        .send()
        .await
        .expect("copy of a daily automatic snapshot");
}
