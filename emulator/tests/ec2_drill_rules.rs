//! The restore drill's refusals through the real `aws-sdk-ec2`: the deployed role's managed-tag
//! conditions (`ec2Policy.drillRequiresManagedTag`), and what EC2 itself refuses.

mod common;
mod ec2_support;

use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType};
use ec2_support::drill::*;
use ec2_support::*;
use lightsail_emulator::{Ec2Policy, Scenario};

fn unauthorized<E: aws_sdk_ec2::error::ProvideErrorMetadata>(
    e: &aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
    op: &str,
) {
    assert_eq!((code(e), status(e)), ("UnauthorizedOperation".into(), 403));
    assert!(message(e).contains(&format!("ec2:{op}")), "{}", message(e));
}

#[tokio::test]
async fn the_role_launches_and_restores_only_managed_artifacts_with_managed_tags() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let sg = drill_group(&c).await;
    let e = launch_in(&c, USERS_AMI, "a", &sg).send().await.unwrap_err();
    unauthorized(&e, "RunInstances");
    let e = launch_in(&c, DRILL_AMI, "b", &sg)
        .set_tag_specifications(Some(vec![managed_spec(ResourceType::Instance)]))
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "RunInstances");
    // The VPC's default group is not the function's.
    let e = launch_in(&c, DRILL_AMI, "c", &sg)
        .set_network_interfaces(None)
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "RunInstances");
    let e = c
        .create_volume()
        .snapshot_id(USERS_SNAP)
        .availability_zone("us-east-1a")
        .tag_specifications(managed_spec(ResourceType::Volume))
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "CreateVolume");
    let e = c
        .create_volume()
        .snapshot_id(MANAGED_SNAP)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "CreateVolume");
    let e = c
        .create_security_group()
        .group_name("untagged")
        .description("d")
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "CreateSecurityGroup");
    let groups = c.describe_security_groups().send().await.unwrap();
    let default = groups
        .security_groups()
        .iter()
        .find(|g| g.group_name() == Some("default"))
        .unwrap();
    let e = c
        .revoke_security_group_egress()
        .group_id(default.group_id().unwrap())
        .ip_permissions(all_egress())
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "RevokeSecurityGroupEgress");
    assert!(emu.ec2_instances().is_empty() && emu.ec2_volumes().is_empty());
    assert!(emu
        .writes()
        .iter()
        .all(|w| !w.applied || w.operation == "CreateSecurityGroup"));
}

#[tokio::test]
async fn terminate_and_delete_volume_need_the_managed_tag_on_the_resource() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    emu.set_ec2_policy(Ec2Policy {
        drill_requires_managed_tag: false,
        ..Ec2Policy::default()
    });
    let out = c
        .run_instances()
        .image_id(USERS_AMI)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap();
    let id = out.instances()[0].instance_id().unwrap().to_string();
    let v = c
        .create_volume()
        .snapshot_id(USERS_SNAP)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    let vol = v.volume_id().unwrap().to_string();
    emu.set_ec2_policy(Ec2Policy::default());
    emu.advance(60.0);
    let e = c
        .terminate_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "TerminateInstances");
    let e = c.delete_volume().volume_id(&vol).send().await.unwrap_err();
    unauthorized(&e, "DeleteVolume");
    assert_eq!(instance_state(&c, &id).await, "running");
    assert_eq!(volume_state(&c, &vol).await, "available");
    // DryRun tells the allowed from the refused, and applies nothing.
    let e = c
        .terminate_instances()
        .instance_ids(&id)
        .dry_run(true)
        .send()
        .await
        .unwrap_err();
    unauthorized(&e, "TerminateInstances");
    c.create_tags()
        .resources(&id)
        .resources(&vol)
        .tags(tag(MANAGED, "true"))
        .send()
        .await
        .unwrap();
    let e = c
        .terminate_instances()
        .instance_ids(&id)
        .dry_run(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&e), status(&e)), ("DryRunOperation".into(), 412));
    c.terminate_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    c.delete_volume().volume_id(&vol).send().await.unwrap();
}

#[tokio::test]
async fn what_ec2_itself_refuses_of_launches() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let sg = drill_group(&c).await;
    let cases = [
        (PENDING_AMI, "InvalidAMIID.Unavailable"),
        ("ami-00000000000000099", "InvalidAMIID.NotFound"),
        ("image-1", "InvalidAMIID.Malformed"),
    ];
    for (ami, want) in cases {
        let e = launch_in(&c, ami, ami, &sg).send().await.unwrap_err();
        assert_eq!(code(&e), want, "{ami}: {}", message(&e));
    }
    let e = launch_in(&c, DRILL_AMI, "two", &sg)
        .max_count(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValue");
    let e = launch_in(&c, DRILL_AMI, "n", &sg)
        .min_count(2)
        .max_count(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValue");
    let e = launch_in(&c, DRILL_AMI, "s", &sg)
        .set_network_interfaces(None)
        .subnet_id("subnet-00000000000000099")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidSubnetID.NotFound");
}

#[tokio::test]
async fn what_ec2_itself_refuses_of_volumes_groups_and_ids() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    drill_group(&c).await;
    let volume = |snap: &str, zone: &str| {
        c.create_volume()
            .snapshot_id(snap)
            .availability_zone(zone)
            .tag_specifications(managed_spec(ResourceType::Volume))
            .send()
    };
    let e = volume(PENDING_SNAP, "us-east-1a").await.unwrap_err();
    assert_eq!(
        (code(&e), message(&e)),
        (
            "IncorrectState".into(),
            "Snapshot is in invalid state - pending".into()
        )
    );
    let e = volume(MANAGED_SNAP, "us-east-1z").await.unwrap_err();
    assert_eq!(code(&e), "InvalidZone.NotFound");
    let e = volume("snap-00000000000000099", "us-east-1a")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidSnapshot.NotFound");
    let e = c
        .create_security_group()
        .group_name("drill")
        .description("again")
        .tag_specifications(managed_spec(ResourceType::SecurityGroup))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidGroup.Duplicate");
    let e = c
        .revoke_security_group_ingress()
        .group_id("sg-00000000000000099")
        .ip_permissions(all_egress())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidGroup.NotFound");
    let e = c
        .terminate_instances()
        .instance_ids("i-00000000000000099")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidInstanceID.NotFound");
    let e = c
        .describe_volumes()
        .volume_ids("vol-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidVolumeID.Malformed");
}

#[tokio::test]
async fn revoking_a_rule_the_group_lacks_lists_it_as_unknown_in_a_default_vpc() {
    let emu = drill_emulator(mild()).await;
    let c = ec2(&emu);
    let sg = drill_group(&c).await;
    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
        .build();
    let out = c
        .revoke_security_group_ingress()
        .group_id(&sg)
        .ip_permissions(ssh)
        .send()
        .await
        .unwrap();
    assert_eq!(out.r#return(), Some(true));
    let unknown = out.unknown_ip_permissions();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (unknown[0].from_port(), unknown[0].to_port()),
        (Some(22), Some(22))
    );
    assert!(out.revoked_security_group_rules().is_empty());
    // The egress rule, by its id.
    let rule = emu
        .ec2_security_groups()
        .into_iter()
        .find(|g| g.group_id == sg)
        .unwrap()
        .egress[0]
        .rule_id
        .clone();
    let out = c
        .revoke_security_group_egress()
        .group_id(&sg)
        .security_group_rule_ids(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.revoked_security_group_rules()[0].security_group_rule_id(),
        Some(rule.as_str())
    );
    let e = c
        .revoke_security_group_egress()
        .group_id(&sg)
        .security_group_rule_ids(&rule)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidSecurityGroupRuleId.NotFound");
}

#[tokio::test]
async fn an_account_without_a_default_vpc() {
    let mut s = Scenario::from_str(DRILL_WORLD).unwrap();
    s.ec2_vpc.default_vpc = false;
    let emu = lightsail_emulator::Emulator::start(s).await.unwrap();
    let c = ec2(&emu);
    let subnets = c.describe_subnets().send().await.unwrap();
    assert!(subnets.subnets().is_empty());
    let e = c
        .create_security_group()
        .group_name("drill")
        .description("d")
        .tag_specifications(managed_spec(ResourceType::SecurityGroup))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "VPCIdNotSpecified");
    let e = c
        .run_instances()
        .image_id(DRILL_AMI)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "VPCIdNotSpecified");
    let parsed = Scenario::from_str("ec2Vpc: { defaultVpc: false }").unwrap();
    assert!(!parsed.ec2_vpc.default_vpc);
    assert!(Scenario::from_str("ec2Vpc: { nope: 1 }").is_err());
}
