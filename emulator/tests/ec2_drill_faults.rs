//! Every value of the restore drill's switches and each of its faults, through the real
//! `aws-sdk-ec2`.

mod common;
mod ec2_support;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::ResourceType;
use ec2_support::drill::*;
use ec2_support::*;
use lightsail_emulator::{Faults, LaunchRefusal};
use serde_json::json;

#[tokio::test]
async fn launch_capacity_refused_once_per_zone_and_type_or_available() {
    let emu = drill_emulator(json!({"newInstanceVisibility": "immediate"})).await;
    let c = ec2(&emu);
    let sg = drill_group(&c).await;
    let e = launch_in(&c, DRILL_AMI, "a", &sg).send().await.unwrap_err();
    assert_eq!(
        (code(&e), status(&e)),
        ("InsufficientInstanceCapacity".into(), 500)
    );
    launch_in(&c, DRILL_AMI, "a", &sg).send().await.unwrap();
    // Another type is refused once again; the same type again is not.
    let other =
        launch_in(&c, DRILL_AMI, "b", &sg).instance_type(aws_sdk_ec2::types::InstanceType::T3Small);
    assert_eq!(
        code(&other.clone().send().await.unwrap_err()),
        "InsufficientInstanceCapacity"
    );
    other.send().await.unwrap();
    launch_in(&c, DRILL_AMI, "c", &sg).send().await.unwrap();
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    launched(&c, DRILL_AMI, "first").await;
}

#[tokio::test]
async fn status_while_booting_is_initializing_under_that_value() {
    let emu = drill_emulator(json!({"launchCapacity": "available", "newInstanceVisibility": "immediate", "instanceStatusWhileBooting": "initializing"})).await;
    let c = ec2(&emu);
    let id = launched(&c, DRILL_AMI, "a").await;
    // Not running yet: only with IncludeAllInstances, as not-applicable.
    let out = c
        .describe_instance_status()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    assert!(out.instance_statuses().is_empty());
    let out = c
        .describe_instance_status()
        .instance_ids(&id)
        .include_all_instances(true)
        .send()
        .await
        .unwrap();
    let s = out.instance_statuses()[0].instance_status().unwrap();
    assert_eq!(s.status().map(|s| s.as_str()), Some("not-applicable"));
    emu.advance(30.0);
    assert_eq!(checks(&c, &id).await.0, "initializing");
    emu.advance(179.0);
    assert_eq!(checks(&c, &id).await.0, "initializing");
    emu.advance(1.0);
    assert_eq!(
        checks(&c, &id).await,
        ("ok".into(), "ok".into(), "passed".into())
    );
}

#[tokio::test]
async fn terminated_instances_linger_or_are_not_found_by_id() {
    for (value, by_id) in [
        ("lingers", "terminated"),
        ("notFound", "InvalidInstanceID.NotFound"),
    ] {
        let mut sw = mild();
        sw["terminatedInstanceLookup"] = json!(value);
        let emu = drill_emulator(sw).await;
        let c = ec2(&emu);
        let id = launched(&c, DRILL_AMI, "a").await;
        c.terminate_instances()
            .instance_ids(&id)
            .send()
            .await
            .unwrap();
        assert_eq!(instance_state(&c, &id).await, "shutting-down", "{value}");
        emu.advance(60.0);
        let got = match c.describe_instances().instance_ids(&id).send().await {
            Ok(out) => out.reservations()[0].instances()[0]
                .state()
                .unwrap()
                .name()
                .unwrap()
                .as_str()
                .to_string(),
            Err(e) => code(&e),
        };
        assert_eq!(got, by_id, "{value}");
        let listed = c.describe_instances().send().await.unwrap();
        assert_eq!(
            listed.reservations().len(),
            1,
            "{value}: listings still show it"
        );
        emu.advance(3600.0);
        assert!(c
            .describe_instances()
            .send()
            .await
            .unwrap()
            .reservations()
            .is_empty());
    }
}

#[tokio::test]
async fn new_instances_are_invisible_by_id_and_to_tag_filters_for_five_seconds_when_delayed() {
    let emu = drill_emulator(json!({"launchCapacity": "available"})).await;
    let c = ec2(&emu);
    let id = launched(&c, DRILL_AMI, "a").await;
    let by_tag = || {
        c.describe_instances()
            .filters(filter(&format!("tag:{MANAGED}"), &["true"]))
            .send()
    };
    assert!(by_tag().await.unwrap().reservations().is_empty());
    assert_eq!(
        c.describe_instances()
            .send()
            .await
            .unwrap()
            .reservations()
            .len(),
        1
    );
    for e in [
        code(
            &c.describe_instances()
                .instance_ids(&id)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &c.describe_instance_status()
                .instance_ids(&id)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &c.terminate_instances()
                .instance_ids(&id)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &c.create_tags()
                .resources(&id)
                .tags(tag("a", "b"))
                .send()
                .await
                .unwrap_err(),
        ),
    ] {
        assert_eq!(e, "InvalidInstanceID.NotFound");
    }
    emu.advance(5.0);
    assert_eq!(by_tag().await.unwrap().reservations().len(), 1);
    assert_eq!(instance_state(&c, &id).await, "pending");
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let id = launched(&c, DRILL_AMI, "a").await;
    assert_eq!(instance_state(&c, &id).await, "pending", "immediate");
}

#[tokio::test]
async fn launch_refused_for_an_ami_by_its_id_or_lightsail_name() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let exported = emu
        .ec2_images()
        .into_iter()
        .find(|i| i.source.as_deref() == Some("web-1-old"))
        .unwrap()
        .image_id;
    let sg = drill_group(&c).await;
    for (name, refusal, want, http) in [
        (
            DRILL_AMI,
            LaunchRefusal::Capacity,
            "InsufficientInstanceCapacity",
            500,
        ),
        ("web-1", LaunchRefusal::Unsupported, "Unsupported", 400),
        (
            "web-1-old",
            LaunchRefusal::Ena,
            "InvalidParameterCombination",
            400,
        ),
    ] {
        emu.set_faults(Faults {
            launch_refused_for: BTreeMap::from([(name.to_string(), refusal)]),
            ..Faults::default()
        });
        let ami = if name == DRILL_AMI {
            DRILL_AMI
        } else {
            exported.as_str()
        };
        for token in ["x", "y"] {
            let e = launch_in(&c, ami, &format!("{name}{token}"), &sg)
                .send()
                .await
                .unwrap_err();
            assert_eq!((code(&e), status(&e)), (want.into(), http), "{name}");
        }
    }
    emu.set_faults(Faults::default());
    launch_in(&c, &exported, "ok", &sg).send().await.unwrap();
}

#[tokio::test]
async fn status_checks_impaired_or_initializing_for_named_amis() {
    let emu = drill_emulator(json!({"launchCapacity": "available", "newInstanceVisibility": "immediate", "instanceStatusWhileBooting": "initializing"})).await;
    let c = ec2(&emu);
    emu.set_faults(Faults {
        impaired_for: vec![DRILL_AMI.into()],
        ..Faults::default()
    });
    let impaired = launched(&c, DRILL_AMI, "a").await;
    emu.set_faults(Faults {
        status_initializing_for: vec![DRILL_AMI.into()],
        ..Faults::default()
    });
    let stuck = launched(&c, DRILL_AMI, "b").await;
    emu.set_faults(Faults::default());
    emu.advance(30.0 + 180.0 + 3600.0);
    assert_eq!(
        checks(&c, &impaired).await,
        ("impaired".into(), "impaired".into(), "failed".into())
    );
    assert_eq!(checks(&c, &stuck).await.0, "initializing");
    let out = c
        .describe_instance_status()
        .filters(filter("instance-status.status", &["impaired"]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.instance_statuses().len(), 1);
    let d = &out.instance_statuses()[0]
        .instance_status()
        .unwrap()
        .details()[0];
    assert!(d.impaired_since().is_some());
}

#[tokio::test]
async fn volumes_stuck_creating_and_terminations_that_fail_first() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    emu.set_faults(Faults {
        volume_stuck_for: vec![MANAGED_SNAP.into()],
        terminate_fails_for: BTreeMap::from([(DRILL_AMI.to_string(), 2)]),
        ..Faults::default()
    });
    let v = c
        .create_volume()
        .snapshot_id(MANAGED_SNAP)
        .availability_zone("us-east-1a")
        .tag_specifications(managed_spec(ResourceType::Volume))
        .send()
        .await
        .unwrap();
    emu.advance(1e6);
    assert_eq!(volume_state(&c, v.volume_id().unwrap()).await, "creating");
    let id = launched(&c, DRILL_AMI, "a").await;
    for _ in 0..2 {
        let e = c
            .terminate_instances()
            .instance_ids(&id)
            .send()
            .await
            .unwrap_err();
        assert_eq!((code(&e), status(&e)), ("InternalError".into(), 500));
    }
    assert_eq!(instance_state(&c, &id).await, "pending", "nothing applied");
    c.terminate_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    let w = emu.writes();
    let terminates: Vec<bool> = w
        .iter()
        .filter(|w| w.operation == "TerminateInstances")
        .map(|w| w.applied)
        .collect();
    assert_eq!(terminates, [false, false, true]);
}

#[tokio::test]
async fn access_denied_rates_and_drop_after_write_apply_to_the_drill() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let id = launched(&c, DRILL_AMI, "a").await;
    emu.set_faults(Faults {
        access_denied_for: vec![id.clone()],
        ..Faults::default()
    });
    let e = c
        .terminate_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "UnauthorizedOperation");
    emu.set_faults(Faults {
        throttle_rate: 1.0,
        operations: vec!["RunInstances".into()],
        ..Faults::default()
    });
    let sg = drill_group(&c).await;
    let e = launch_in(&c, DRILL_AMI, "b", &sg).send().await.unwrap_err();
    assert_eq!((code(&e), status(&e)), ("RequestLimitExceeded".into(), 503));
    emu.set_faults(Faults {
        drop_after_write_rate: 1.0,
        operations: vec!["RunInstances".into()],
        ..Faults::default()
    });
    assert!(
        launch_in(&c, DRILL_AMI, "c", &sg).send().await.is_err(),
        "no answer"
    );
    assert_eq!(emu.ec2_instances().len(), 2, "applied");
    emu.set_faults(Faults::default());
    // The retry with the same token finds the instance the lost answer launched.
    let again = launch_in(&c, DRILL_AMI, "c", &sg).send().await.unwrap();
    let w = emu.writes();
    let dropped = w
        .iter()
        .find(|w| w.error.as_deref() == Some("DroppedConnection"))
        .unwrap();
    assert_eq!(
        dropped.source.as_deref(),
        again.instances()[0].instance_id()
    );
    assert_eq!(emu.ec2_instances().len(), 2);
}
