//! Switches that decide what responses look like: pageSize, exportRecordOrder,
//! exportRecordsOnSnapshotDelete, destinationInfo, addOnWhenDisabled, autoSnapshotOrder,
//! tagValueWhenKeyOnly; and the documented shapes next to them (snapshotTimeOfDay, progress,
//! locations).

mod common;

use aws_sdk_lightsail::types::{ExportSnapshotRecord, RecordState};
use aws_sdk_lightsail::Client;
use common::*;
use lightsail_emulator::{Emulator, ExportRecordOrder, Scenario, Switches};
use serde_json::{json, Value};

async fn records(c: &Client) -> (Vec<ExportSnapshotRecord>, usize) {
    let (mut out, mut pages, mut token) = (Vec::new(), 0, None);
    loop {
        let page = c
            .get_export_snapshot_records()
            .set_page_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        out.extend(page.export_snapshot_records().iter().cloned());
        token = page.next_page_token().map(str::to_string);
        if token.is_none() {
            return (out, pages);
        }
    }
}

fn created(rs: &[ExportSnapshotRecord]) -> Vec<f64> {
    rs.iter()
        .map(|r| r.created_at().unwrap().as_secs_f64())
        .collect()
}

#[tokio::test]
async fn page_size_switch_over_scenario_over_twenty() {
    let emu = emulator().await;
    assert_eq!(emu.page_size(), 3, "the scenario's top-level pageSize");
    let mut s = emu.switches();
    s.page_size = Some(5);
    emu.set_switches(s);
    assert_eq!(emu.page_size(), 5);
    let first = client(&emu).get_instances().send().await.unwrap();
    assert_eq!(first.instances().len(), 5);
    assert_eq!(
        records(&client(&emu)).await.1,
        2,
        "10 records in pages of 5"
    );

    let mut bare = scenario();
    bare.page_size = None;
    let emu = Emulator::start(bare).await.unwrap();
    assert_eq!(emu.page_size(), 20);
    let all = client(&emu).get_instances().send().await.unwrap();
    assert_eq!(all.instances().len(), 8);
    assert!(all.next_page_token().is_none(), "no token on the last page");
}

#[tokio::test]
async fn export_record_order_and_tokens_survive_a_change() {
    let emu = emulator().await;
    let c = client(&emu);
    let (shuffled, _) = records(&c).await;
    let times = created(&shuffled);
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    assert_ne!(times, sorted, "seeded shuffle");

    for (order, newest_first) in [("newestFirst", true), ("oldestFirst", false)] {
        let mut s = emu.switches();
        s.merge(json!({ "exportRecordOrder": order })).unwrap();
        emu.set_switches(s);
        let (list, pages) = records(&c).await;
        assert_eq!((list.len(), pages), (10, 4));
        let mut want = sorted.clone();
        if newest_first {
            want.reverse();
        }
        assert_eq!(created(&list), want, "{order}");
    }

    // A token taken in one order still pages in another, and the shuffle comes back unchanged.
    let first = c.get_export_snapshot_records().send().await.unwrap();
    emu.set_switches(Switches::default());
    let rest = c
        .get_export_snapshot_records()
        .page_token(first.next_page_token().unwrap())
        .send()
        .await;
    assert!(rest.is_ok());
    let again: Vec<_> = records(&c)
        .await
        .0
        .iter()
        .map(|r| r.name().unwrap().to_string())
        .collect();
    let before: Vec<_> = shuffled
        .iter()
        .map(|r| r.name().unwrap().to_string())
        .collect();
    assert_eq!(again, before);
    assert_eq!(
        emu.switches().export_record_order,
        ExportRecordOrder::Shuffled
    );
}

/// Makes `web-1-pending` available, exports it, and returns the emulator.
async fn exported(switches: Value) -> Emulator {
    let emu = emulator_with(switches).await;
    emu.advance(600.0);
    client(&emu)
        .export_snapshot()
        .source_snapshot_name("web-1-pending")
        .send()
        .await
        .unwrap();
    emu
}

fn of<'a>(rs: &'a [ExportSnapshotRecord], snapshot: &str) -> Vec<&'a ExportSnapshotRecord> {
    rs.iter()
        .filter(|r| r.source_info().and_then(|s| s.name()) == Some(snapshot))
        .collect()
}

#[tokio::test]
async fn export_records_on_snapshot_delete() {
    for (value, left) in [("removed", 0), ("kept", 1)] {
        let emu = exported(json!({ "exportRecordsOnSnapshotDelete": value })).await;
        let c = client(&emu);
        emu.advance(1800.0);
        c.delete_instance_snapshot()
            .instance_snapshot_name("web-1-pending")
            .send()
            .await
            .unwrap();
        let (all, _) = records(&c).await;
        assert_eq!(of(&all, "web-1-pending").len(), left, "{value}");
        assert_eq!(all.len(), 10 + left, "{value}: no other record touched");
    }

    // A scenario's record of a snapshot the scenario holds goes with it too.
    let mut s = scenario();
    s.export_records.push(
        serde_json::from_value(json!({"sourceName": "web-1-broken", "fromResource": "web-1"}))
            .unwrap(),
    );
    let emu = Emulator::start(s).await.unwrap();
    let c = client(&emu);
    assert_eq!(of(&records(&c).await.0, "web-1-broken").len(), 1);
    c.delete_instance_snapshot()
        .instance_snapshot_name("web-1-broken")
        .send()
        .await
        .unwrap();
    assert!(of(&records(&c).await.0, "web-1-broken").is_empty());
}

#[tokio::test]
async fn destination_info_while_started_or_once_succeeded() {
    for (value, while_started) in [("whileStarted", true), ("onceSucceeded", false)] {
        let emu = exported(json!({ "destinationInfo": value })).await;
        let c = client(&emu);
        let (all, _) = records(&c).await;
        let rec = of(&all, "web-1-pending")[0];
        assert_eq!(rec.state(), Some(&RecordState::Started));
        assert_eq!(rec.destination_info().is_some(), while_started, "{value}");
        emu.advance(1800.0);
        let (all, _) = records(&c).await;
        let rec = of(&all, "web-1-pending")[0];
        assert_eq!(rec.state(), Some(&RecordState::Succeeded));
        assert!(rec.destination_info().is_some());
    }
    let emu = emulator().await;
    let mut f = emu.faults();
    f.fail_exports_for = vec!["web-1-broken".into(), "web-1".into()];
    emu.set_faults(f);
    emu.advance(600.0);
    let c = client(&emu);
    c.export_snapshot()
        .source_snapshot_name("web-1-pending")
        .send()
        .await
        .unwrap();
    emu.advance(1800.0);
    let (all, _) = records(&c).await;
    let rec = of(&all, "web-1-pending")[0];
    assert_eq!(rec.state(), Some(&RecordState::Failed));
    assert!(rec.destination_info().is_none(), "never on Failed");
}

/// The test world plus an instance and a disk whose automatic snapshots are off.
fn with_add_ons_off() -> Scenario {
    let mut s = scenario();
    s.instances.push(
        serde_json::from_value(
            json!({"name": "win-1", "autoSnapshotAddOn": false, "snapshotTimeOfDay": "13:00"}),
        )
        .unwrap(),
    );
    s.disks.push(
        serde_json::from_value(json!({"name": "scratch", "autoSnapshotAddOn": false})).unwrap(),
    );
    s
}

#[tokio::test]
async fn add_on_when_disabled_and_snapshot_time_of_day() {
    let cases = [
        ("absent", None, None),
        ("empty", Some(json!([])), Some(json!([]))),
        (
            "disabled",
            Some(
                json!([{"name": "AutoSnapshot", "status": "Disabled", "snapshotTimeOfDay": "13:00"}]),
            ),
            Some(
                json!([{"name": "AutoSnapshot", "status": "Disabled", "snapshotTimeOfDay": "06:00"}]),
            ),
        ),
    ];
    for (value, instance, disk) in cases {
        let mut s = with_add_ons_off();
        s.switches
            .merge(json!({ "addOnWhenDisabled": value }))
            .unwrap();
        let emu = Emulator::start(s).await.unwrap();
        let (_, _, body) = lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"win-1"}"#).await;
        assert_eq!(body["instance"].get("addOns").cloned(), instance, "{value}");
        let (_, _, body) = lightsail_raw(&emu, "GetDisk", r#"{"diskName":"scratch"}"#).await;
        assert_eq!(body["disk"].get("addOns").cloned(), disk, "{value}");
    }
    let emu = emulator().await;
    let (_, _, body) = lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"web-1"}"#).await;
    assert_eq!(
        body["instance"]["addOns"],
        json!([{"name": "AutoSnapshot", "status": "Enabled", "snapshotTimeOfDay": "06:00"}])
    );
    // eu-west-1's default slot is 22:00: the automatic snapshot of the 21st is from 22:17.
    let eu = client_in(&emu, "eu-west-1");
    let autos = eu
        .get_auto_snapshots()
        .resource_name("eu-web-1")
        .send()
        .await
        .unwrap();
    let day = 1_795_305_600 - 86_400;
    assert_eq!(
        autos.auto_snapshots()[0].created_at().unwrap().secs(),
        day + 22 * 3600 + 17 * 60
    );

    let bad = Scenario::from_str("instances: [ { name: a-1, snapshotTimeOfDay: \"24:00\" } ]");
    assert!(bad.unwrap_err().to_string().contains("snapshotTimeOfDay"));
}

#[tokio::test]
async fn auto_snapshot_order() {
    for (value, want) in [
        ("newestFirst", ["2026-11-21", "2026-11-20", "2026-11-19"]),
        ("oldestFirst", ["2026-11-19", "2026-11-20", "2026-11-21"]),
    ] {
        let emu = emulator_with(json!({ "autoSnapshotOrder": value })).await;
        let out = client(&emu)
            .get_auto_snapshots()
            .resource_name("web-1")
            .send()
            .await
            .unwrap();
        let dates: Vec<&str> = out
            .auto_snapshots()
            .iter()
            .filter_map(|a| a.date())
            .collect();
        assert_eq!(dates, want, "{value}");
    }
}

#[tokio::test]
async fn tag_value_when_key_only() {
    for (value, team) in [
        ("absent", json!({"key": "team"})),
        ("empty", json!({"key": "team", "value": ""})),
    ] {
        let emu = emulator_with(json!({ "tagValueWhenKeyOnly": value })).await;
        let (_, _, body) = lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"web-1"}"#).await;
        assert_eq!(body["instance"]["tags"][1], team, "{value}");
        assert_eq!(
            body["instance"]["tags"][0],
            json!({"key": "export", "value": "nightly"})
        );
    }
}

#[tokio::test]
async fn progress_only_on_disk_snapshots_and_zoneless_locations() {
    let emu = emulator().await;
    let (_, _, body) = lightsail_raw(
        &emu,
        "GetInstanceSnapshot",
        r#"{"instanceSnapshotName":"web-1-pending"}"#,
    )
    .await;
    let snap = &body["instanceSnapshot"];
    assert!(snap.get("progress").is_none(), "{snap}");
    assert_eq!(snap["location"]["availabilityZone"], "all");
    let (_, _, body) = lightsail_raw(
        &emu,
        "CopySnapshot",
        r#"{"sourceResourceName":"data-disk","sourceRegion":"us-east-1","useLatestRestorableAutoSnapshot":true,"targetSnapshotName":"d-1"}"#,
    )
    .await;
    assert_eq!(body["operations"][0]["location"]["availabilityZone"], "all");
    let (_, _, body) =
        lightsail_raw(&emu, "GetDiskSnapshot", r#"{"diskSnapshotName":"d-1"}"#).await;
    assert_eq!(body["diskSnapshot"]["progress"], "0%");
    let (_, _, body) = lightsail_raw(&emu, "GetExportSnapshotRecords", "{}").await;
    assert_eq!(
        body["exportSnapshotRecords"][0]["location"]["availabilityZone"],
        "all"
    );
    let (_, _, body) = lightsail_raw(&emu, "GetInstance", r#"{"instanceName":"web-1"}"#).await;
    assert_eq!(
        body["instance"]["location"]["availabilityZone"],
        "us-east-1a"
    );
}
