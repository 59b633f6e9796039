//! EC2 under IAM and faults, through the real `aws-sdk-ec2` client, and its raw protocol and
//! admin routes: the managed-tag policy, `accessDeniedFor`, throttling, 500s, dropped
//! connections, `ec2StuckFor` / `ec2FailFor`.

mod common;
mod ec2_support;

use common::{http, http_full};
use ec2_support::*;
use lightsail_emulator::{Ec2Policy, Faults};

#[tokio::test]
async fn deleting_an_untagged_image_or_snapshot_is_unauthorized_and_changes_nothing() {
    let emu = emulator().await;
    let c = ec2(&emu);
    let err = c
        .deregister_image()
        .image_id(GOLDEN_AMI)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("UnauthorizedOperation".into(), 403)
    );
    assert!(message(&err).starts_with("You are not authorized to perform this operation."));
    assert!(message(&err).contains("ec2:DeregisterImage"));
    assert_eq!(image_state(&c, GOLDEN_AMI).await, "available");
    let err = c
        .delete_snapshot()
        .snapshot_id(BACKUP_SNAP)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("UnauthorizedOperation".into(), 403)
    );
    assert_eq!(snapshot_state(&c, BACKUP_SNAP).await, "completed");
    // A value other than "true" does not count either.
    c.create_tags()
        .resources(BACKUP_SNAP)
        .tags(tag(MANAGED, "yes"))
        .send()
        .await
        .unwrap();
    let err = c
        .delete_snapshot()
        .snapshot_id(BACKUP_SNAP)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UnauthorizedOperation");
    let w = emu.writes();
    assert_eq!(
        (w[0].applied, w[0].error.as_deref()),
        (false, Some("UnauthorizedOperation"))
    );
}

#[tokio::test]
async fn without_the_policy_the_same_deletes_go_through_and_dry_run_tells_which_would() {
    let emu = emulator().await;
    let c = ec2(&emu);
    // DryRun answers whether the call would be allowed, and applies nothing.
    let err = c
        .delete_snapshot()
        .snapshot_id(BACKUP_SNAP)
        .dry_run(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UnauthorizedOperation");
    emu.set_ec2_policy(Ec2Policy {
        delete_requires_managed_tag: false,
        ..Ec2Policy::default()
    });
    let err = c
        .delete_snapshot()
        .snapshot_id(BACKUP_SNAP)
        .dry_run(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&err), status(&err)), ("DryRunOperation".into(), 412));
    c.delete_snapshot()
        .snapshot_id(BACKUP_SNAP)
        .send()
        .await
        .unwrap();
    c.deregister_image()
        .image_id(GOLDEN_AMI)
        .send()
        .await
        .unwrap();
    emu.reset();
    assert!(
        emu.ec2_policy().delete_requires_managed_tag,
        "reset restores it"
    );
}

#[tokio::test]
async fn access_denied_for_refuses_ec2_operations_by_name_or_by_id() {
    let emu = emulator().await;
    let c = ec2(&emu);
    emu.set_faults(Faults {
        access_denied_for: vec!["DescribeSnapshots".into(), GOLDEN_AMI.into()],
        ..Faults::default()
    });
    let err = c.describe_snapshots().send().await.unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("UnauthorizedOperation".into(), 403)
    );
    let err = c
        .create_tags()
        .resources(GOLDEN_AMI)
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UnauthorizedOperation");
    assert_eq!(
        emu.writes()[0].error.as_deref(),
        Some("UnauthorizedOperation")
    );
    c.describe_images().send().await.unwrap();
}

#[tokio::test]
async fn rate_faults_apply_to_ec2_calls_with_ec2_errors() {
    let emu = emulator().await;
    let c = ec2(&emu);
    emu.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["DescribeImages".into()],
        ..Faults::default()
    });
    let err = c.describe_images().send().await.unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("RequestLimitExceeded".into(), 503)
    );
    c.describe_snapshots().send().await.unwrap();
    emu.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    let err = c.describe_snapshots().send().await.unwrap_err();
    assert_eq!((code(&err), status(&err)), ("InternalError".into(), 500));
    emu.set_faults(Faults {
        drop_connection_rate: 1.0,
        ..Faults::default()
    });
    let err = c.describe_images().send().await.unwrap_err();
    assert!(
        matches!(err, aws_sdk_ec2::error::SdkError::DispatchFailure(_)),
        "{err:?}"
    );
    // Drop after write: the tag is applied, the answer never comes.
    emu.set_faults(Faults {
        drop_after_write_rate: 1.0,
        ..Faults::default()
    });
    c.create_tags()
        .resources(GOLDEN_AMI)
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap_err();
    let w = emu.writes().pop().unwrap();
    assert_eq!(
        (w.operation.as_str(), w.applied, w.error.as_deref()),
        ("CreateTags", true, Some("DroppedConnection"))
    );
    emu.set_faults(Faults::default());
    let img = emu
        .ec2_images()
        .into_iter()
        .find(|i| i.image_id == GOLDEN_AMI)
        .unwrap();
    assert_eq!(img.tags.get("k").map(String::as_str), Some("v"));
    let calls = emu.call_counts();
    assert_eq!(calls.get("DescribeImages"), Some(&2));
    assert_eq!(calls.get("CreateTags"), Some(&1));
}

#[tokio::test]
async fn ec2_stuck_for_and_ec2_fail_for_decide_how_an_exports_artifacts_end() {
    let emu = emulator().await;
    emu.set_faults(Faults {
        ec2_stuck_for: vec!["web-1".into()],
        ec2_fail_for: vec!["loose-disk-snap".into()],
        ..Faults::default()
    });
    let ls = common::client(&emu);
    for name in ["web-1-snap", "loose-disk-snap", "web-2-snap"] {
        ls.export_snapshot()
            .source_snapshot_name(name)
            .send()
            .await
            .unwrap();
    }
    emu.advance(30.0 * 86_400.0);
    let c = ec2(&emu);
    let stuck = destination_of(&ls, "web-1-snap").await.unwrap();
    assert_eq!(image_state(&c, &stuck).await, "pending");
    let failed = destination_of(&ls, "loose-disk-snap").await.unwrap();
    assert_eq!(snapshot_state(&c, &failed).await, "error");
    let fine = destination_of(&ls, "web-2-snap").await.unwrap();
    assert_eq!(image_state(&c, &fine).await, "available");
}

const EC2_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

#[tokio::test]
async fn the_raw_protocol_speaks_xml_and_refuses_what_it_does_not_know() {
    let emu = emulator().await;
    let body = format!("Action=DescribeImages&Version=2016-11-15&ImageId.1={GOLDEN_AMI}");
    let (status, headers, xml) = http_full(
        &emu,
        "POST",
        "/",
        &[("Authorization", EC2_AUTH), ("Content-Type", FORM)],
        &body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        common::header(&headers, "content-type"),
        Some("text/xml;charset=UTF-8")
    );
    assert!(xml.contains(
        "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>"
    ));
    assert!(xml.contains(&format!("<imagesSet><item><imageId>{GOLDEN_AMI}</imageId>")));
    // GET with the parameters in the query string.
    let path = format!("/?Action=DescribeSnapshots&SnapshotId.1={BACKUP_SNAP}");
    let (status, xml) = http(&emu, "GET", &path, &[("Authorization", EC2_AUTH)], "").await;
    assert_eq!(status, 200, "{xml}");
    assert!(xml.contains("<description>my backup</description>"));
    let (status, xml) = http(
        &emu,
        "POST",
        "/",
        &[("Authorization", EC2_AUTH), ("Content-Type", FORM)],
        "Action=StopInstances&Version=2016-11-15",
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        xml.contains("<Response><Errors><Error><Code>InvalidAction</Code>"),
        "{xml}"
    );
    assert!(xml.contains("<RequestID>"));
    let (status, xml) = http(&emu, "POST", "/", &[("Content-Type", FORM)], &body).await;
    assert_eq!(status, 401);
    assert!(xml.contains("<Code>AuthFailure</Code>"), "{xml}");
}

#[tokio::test]
async fn the_admin_api_shows_the_ec2_world_and_sets_the_policy() {
    let emu = emulator().await;
    let (status, body) = http(&emu, "GET", "/_emulator/ec2", &[], "").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["policy"]["deleteRequiresManagedTag"], true);
    let images = v["regions"]["us-east-1"]["images"].as_array().unwrap();
    let golden = images
        .iter()
        .find(|i| i["imageId"] == GOLDEN_AMI)
        .expect("golden image");
    assert_eq!(golden["state"], "available");
    assert_eq!(golden["tags"]["team"], "ops");
    assert_eq!(golden["snapshotIds"][0], GOLDEN_SNAP);
    assert_eq!(v["regions"]["eu-west-1"]["images"][0]["name"], "eu-image");
    let (status, body) = http(
        &emu,
        "PUT",
        "/_emulator/ec2/policy",
        &[("Content-Type", "application/json")],
        r#"{"deleteRequiresManagedTag": false}"#,
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            r#"{"deleteRequiresManagedTag":false,"drillRequiresManagedTag":true}"#
        )
    );
    assert!(!emu.ec2_policy().delete_requires_managed_tag);
    let (status, _) = http(&emu, "PUT", "/_emulator/ec2/policy", &[], r#"{"nope": 1}"#).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn scenario_ec2_inputs_are_checked() {
    use lightsail_emulator::Scenario;
    for (bad, why) in [
        ("ec2Images: [ { name: abc, imageId: ami-XYZ } ]", "ami- id"),
        ("ec2Images: [ { name: abc, state: gone } ]", "unknown state"),
        ("ec2Snapshots: [ { sizeGiB: 0 } ]", "sizeGiB"),
        (
            "ec2Snapshots: [ { sizeGiB: 1, snapshotId: snap-00000001 }, { sizeGiB: 1, snapshotId: snap-00000001 } ]",
            "twice",
        ),
        ("exportRecords: [ { sourceName: x, ec2State: lost } ]", "ec2State"),
        ("ec2Policy: { deleteRequiresTag: true }", "unknown field"),
    ] {
        let err = Scenario::from_str(bad).unwrap_err().to_string();
        assert!(err.contains(why), "{bad}: {err}");
    }
}
