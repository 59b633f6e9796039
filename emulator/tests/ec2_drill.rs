//! A whole restore drill over HTTP through the real `aws-sdk-ec2`, under the hostile default
//! switches: the default subnet, an isolated security group (its default egress revoked), a
//! launch refused once for capacity, an instance invisible at first, pending, running, status
//! checks insufficient-data -> initializing -> ok, the ClientToken's retry and mismatch,
//! termination with its volumes, and a volume restored from a snapshot; then the write log and
//! the admin and library views.

mod common;
mod ec2_support;

use aws_sdk_ec2::types::{ResourceType, SummaryStatus};
use common::http;
use ec2_support::drill::*;
use ec2_support::*;

async fn isolated_group(c: &aws_sdk_ec2::Client) -> String {
    let subnets = c
        .describe_subnets()
        .filters(filter("default-for-az", &["true"]))
        .send()
        .await
        .unwrap();
    let mut zones: Vec<&str> = subnets
        .subnets()
        .iter()
        .filter_map(|s| s.availability_zone())
        .collect();
    zones.sort();
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert!(subnets.subnets()[0].map_public_ip_on_launch() == Some(true));
    let vpc = subnets.subnets()[0].vpc_id().unwrap().to_string();
    let sg = c
        .create_security_group()
        .group_name("lightsail-export-restore-test")
        .description("isolated")
        .vpc_id(&vpc)
        .tag_specifications(managed_spec(ResourceType::SecurityGroup))
        .send()
        .await
        .unwrap();
    let sg = sg.group_id().unwrap().to_string();
    let described = c
        .describe_security_groups()
        .group_ids(&sg)
        .send()
        .await
        .unwrap();
    let g = &described.security_groups()[0];
    assert_eq!(
        g.ip_permissions_egress().len(),
        1,
        "EC2's default egress rule"
    );
    assert_eq!(g.ip_permissions_egress()[0].ip_protocol(), Some("-1"));
    let out = c
        .revoke_security_group_egress()
        .group_id(&sg)
        .ip_permissions(all_egress())
        .send()
        .await
        .unwrap();
    assert_eq!(out.r#return(), Some(true));
    assert!(out.unknown_ip_permissions().is_empty());
    assert_eq!(out.revoked_security_group_rules().len(), 1);
    let described = c
        .describe_security_groups()
        .group_ids(&sg)
        .send()
        .await
        .unwrap();
    assert!(described.security_groups()[0]
        .ip_permissions_egress()
        .is_empty());
    sg
}

#[tokio::test]
async fn a_whole_drill_under_the_hostile_defaults() {
    let emu = drill_emulator(serde_json::json!({})).await;
    let c = ec2(&emu);
    let sg = isolated_group(&c).await;
    let run = |token: &'static str| {
        let b = launch_in(&c, DRILL_AMI, token, &sg);
        b.set_network_interfaces(None)
            .security_group_ids(&sg)
            .send()
    };
    // launchCapacity: refusedOnce. The refused request is not remembered under its token.
    let err = run("drill-1").await.unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("InsufficientInstanceCapacity".into(), 500)
    );
    let out = run("drill-1").await.unwrap();
    let i = &out.instances()[0];
    let id = i.instance_id().unwrap().to_string();
    assert_eq!(i.state().and_then(|s| s.code()), Some(0));
    assert!(
        i.public_ip_address().is_some(),
        "no interface: the subnet maps one"
    );
    // The same token and parameters: the same reservation, nothing new.
    let again = run("drill-1").await.unwrap();
    assert_eq!(again.instances()[0].instance_id(), Some(id.as_str()));
    assert_eq!(again.reservation_id(), out.reservation_id());
    let err = launch_in(&c, DRILL_AMI, "drill-1", &sg)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "IdempotentParameterMismatch");
    // newInstanceVisibility: delayed.
    let err = c
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidInstanceID.NotFound");
    emu.advance(5.0);
    assert_eq!(instance_state(&c, &id).await, "pending");
    emu.advance(25.0);
    assert_eq!(instance_state(&c, &id).await, "running");
    // instanceStatusWhileBooting: insufficientData, then initializing, then ok.
    let (instance, system, detail) = checks(&c, &id).await;
    assert_eq!(
        (instance.as_str(), system.as_str(), detail.as_str()),
        (
            "insufficient-data",
            "insufficient-data",
            "insufficient-data"
        )
    );
    emu.advance(90.0);
    assert_eq!(checks(&c, &id).await.0, "initializing");
    emu.advance(90.0);
    assert_eq!(
        checks(&c, &id).await,
        ("ok".into(), "ok".into(), "passed".into())
    );
    let listed = c
        .describe_instances()
        .filters(filter(&format!("tag:{MANAGED}"), &["true"]))
        .filters(filter("instance-state-name", &["running"]))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.reservations().len(), 1);
    let described = &listed.reservations()[0].instances()[0];
    let volumes: Vec<String> = described
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs().and_then(|e| e.volume_id()).map(str::to_string))
        .collect();
    assert_eq!(volumes.len(), 2, "one per block device of the AMI");
    assert_eq!(described.client_token(), Some("drill-1"));
    assert_eq!(described.security_groups()[0].group_id(), Some(sg.as_str()));
    assert_eq!(volume_state(&c, &volumes[0]).await, "in-use");
    terminate_and_clean(&emu, &c, &id, &volumes).await;
    restore_volume(&emu, &c).await;
    views(&emu, &id).await;
}

async fn terminate_and_clean(
    emu: &lightsail_emulator::Emulator,
    c: &aws_sdk_ec2::Client,
    id: &str,
    volumes: &[String],
) {
    let out = c
        .terminate_instances()
        .instance_ids(id)
        .send()
        .await
        .unwrap();
    let change = &out.terminating_instances()[0];
    assert_eq!(change.previous_state().and_then(|s| s.code()), Some(16));
    assert_eq!(change.current_state().and_then(|s| s.code()), Some(32));
    let err = c
        .delete_volume()
        .volume_id(&volumes[1])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "VolumeInUse");
    emu.advance(60.0);
    assert_eq!(instance_state(c, id).await, "terminated");
    // A second TerminateInstances is fine.
    let out = c
        .terminate_instances()
        .instance_ids(id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.terminating_instances()[0]
            .current_state()
            .and_then(|s| s.code()),
        Some(48)
    );
    // The root volume went with the instance; the other one stays, detached.
    assert_eq!(volume_state(c, &volumes[0]).await, "deleting");
    assert_eq!(volume_state(c, &volumes[1]).await, "available");
    c.delete_volume()
        .volume_id(&volumes[1])
        .send()
        .await
        .unwrap();
    emu.advance(10.0);
    assert_eq!(volume_state(c, &volumes[0]).await, "InvalidVolume.NotFound");
    assert_eq!(volume_state(c, &volumes[1]).await, "InvalidVolume.NotFound");
    let status = c
        .describe_instance_status()
        .instance_ids(id)
        .include_all_instances(true)
        .send()
        .await
        .unwrap();
    let s = &status.instance_statuses()[0];
    assert_eq!(
        s.instance_status().and_then(|x| x.status()),
        Some(&SummaryStatus::NotApplicable)
    );
    emu.advance(3600.0);
    let err = c
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidInstanceID.NotFound");
}

async fn restore_volume(emu: &lightsail_emulator::Emulator, c: &aws_sdk_ec2::Client) {
    let v = c
        .create_volume()
        .snapshot_id(MANAGED_SNAP)
        .availability_zone("us-east-1b")
        .tag_specifications(managed_spec(ResourceType::Volume))
        .send()
        .await
        .unwrap();
    let id = v.volume_id().unwrap().to_string();
    assert_eq!(v.size(), Some(10));
    assert_eq!(v.volume_type().map(|t| t.as_str()), Some("gp2"));
    assert_eq!(volume_state(c, &id).await, "creating");
    let err = c.delete_volume().volume_id(&id).send().await.unwrap_err();
    assert_eq!(code(&err), "IncorrectState");
    emu.advance(60.0);
    assert_eq!(volume_state(c, &id).await, "available");
    c.delete_volume().volume_id(&id).send().await.unwrap();
    assert_eq!(volume_state(c, &id).await, "deleting");
    let err = c.delete_volume().volume_id(&id).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidVolume.NotFound");
    emu.advance(10.0);
    assert_eq!(volume_state(c, &id).await, "InvalidVolume.NotFound");
}

async fn views(emu: &lightsail_emulator::Emulator, id: &str) {
    let writes = emu.writes();
    let runs: Vec<_> = writes
        .iter()
        .filter(|w| w.operation == "RunInstances")
        .collect();
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0].target, DRILL_AMI);
    assert_eq!(
        runs[0].error.as_deref(),
        Some("InsufficientInstanceCapacity")
    );
    assert_eq!(
        (runs[1].applied, runs[1].source.as_deref()),
        (true, Some(id))
    );
    assert_eq!(
        runs[3].error.as_deref(),
        Some("IdempotentParameterMismatch")
    );
    for op in [
        "CreateSecurityGroup",
        "RevokeSecurityGroupEgress",
        "TerminateInstances",
        "CreateVolume",
        "DeleteVolume",
    ] {
        assert!(
            writes.iter().any(|w| w.operation == op && w.applied),
            "{op}"
        );
    }
    assert!(
        emu.ec2_instances().is_empty(),
        "gone an hour after termination"
    );
    assert!(emu.ec2_volumes().is_empty());
    let groups = emu.ec2_security_groups();
    let isolated = groups
        .iter()
        .find(|g| g.name == "lightsail-export-restore-test")
        .unwrap();
    assert!(isolated.egress.is_empty() && isolated.ingress.is_empty());
    assert_eq!(isolated.tags[MANAGED], "true");
    let default = groups.iter().find(|g| g.name == "default").unwrap();
    assert_eq!(
        default.ingress[0].group_id.as_deref(),
        Some(default.group_id.as_str())
    );
    assert_eq!(default.egress[0].cidr_ipv4.as_deref(), Some("0.0.0.0/0"));
    let (status, body) = http(emu, "GET", "/_emulator/ec2", &[], "").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let east = &v["regions"]["us-east-1"];
    assert_eq!(east["securityGroups"].as_array().unwrap().len(), 2);
    assert!(east["instances"].as_array().unwrap().is_empty());
    assert_eq!(v["policy"]["drillRequiresManagedTag"], true);
}

#[tokio::test]
async fn the_library_and_admin_views_show_a_running_instance_and_its_volumes() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let id = launched(&c, DRILL_AMI, "t-1").await;
    let all = emu.ec2_instances();
    assert_eq!(all.len(), 1);
    let i = &all[0];
    assert_eq!(
        (i.instance_id.as_str(), i.state.as_str()),
        (id.as_str(), "pending")
    );
    assert_eq!(i.public_ip, None, "AssociatePublicIpAddress false");
    assert_eq!(i.volume_ids.len(), 2);
    assert_eq!(i.tags[MANAGED], "true");
    let volumes = emu.ec2_volumes();
    assert!(volumes
        .iter()
        .all(|v| v.attached_to.as_deref() == Some(id.as_str())));
    assert_eq!(volumes.iter().map(|v| v.size_gib).sum::<i64>(), 28);
    let (_, body) = http(&emu, "GET", "/_emulator/ec2", &[], "").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let east = &v["regions"]["us-east-1"];
    assert_eq!(east["instances"][0]["instanceId"], id.as_str());
    assert_eq!(east["instances"][0]["publicIp"], serde_json::Value::Null);
    assert_eq!(east["volumes"].as_array().unwrap().len(), 2);
    // Without a network interface, the default subnet's mapPublicIpOnLaunch gives one.
    let sg = drill_group(&c).await;
    let out = c
        .run_instances()
        .image_id(DRILL_AMI)
        .min_count(1)
        .max_count(1)
        .security_group_ids(sg)
        .tag_specifications(managed_spec(ResourceType::Instance))
        .tag_specifications(managed_spec(ResourceType::Volume))
        .send()
        .await
        .unwrap();
    let i = &out.instances()[0];
    assert!(i.public_ip_address().is_some());
    assert_eq!(i.instance_type().map(|t| t.as_str()), Some("m1.small"));
    assert_eq!(
        i.placement().and_then(|p| p.availability_zone()),
        Some("us-east-1a")
    );
}
