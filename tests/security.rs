//! Security: the function deletes nothing it did not create, and its IAM policy grants nothing it
//! does not call.

mod common;

use common::{ClientOptions, Harness};
use lightsail_export::report::Status;
use lightsail_export::Config;
use serde_json::json;

/// web-1 has automatic snapshots for a week; the user has manual snapshots of their own, some of
/// them named like the function's copies; an earlier run of the function left two tagged copies.
const WORLD: &str = r#"
region: us-east-1
now: "2026-11-22T05:00:00Z"
pageSize: 25
seed: 17
durations: { copySeconds: 600, exportSeconds: 1800, operationSeconds: 5 }
instances:
  - name: web-1
    blueprintId: ubuntu_22_04
    autoSnapshots:
      - { date: "2026-11-15", status: Success }
      - { date: "2026-11-16", status: Success }
      - { date: "2026-11-17", status: Success }
      - { date: "2026-11-18", status: Success }
      - { date: "2026-11-19", status: Success }
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
  - { name: web-2, blueprintId: ubuntu_22_04, autoSnapshots: [ { date: "2026-11-21", status: Success } ] }
disks:
  - name: data-disk
    sizeInGb: 64
    autoSnapshots:
      - { date: "2026-11-20", status: Success }
      - { date: "2026-11-21", status: Success }
snapshots:
  # The user's own snapshots: never to be deleted.
  - { name: web-1-before-upgrade, source: web-1, state: available, isFromAutoSnapshot: false }
  - { name: web-1-export-2026-11-10, source: web-1, state: available, isFromAutoSnapshot: false }
  - { name: web-1-export-2026-11-11, source: web-1, state: available, tags: { "lightsail-export:managed": "false" } }
  - { name: web-1-export-2026-11-12, source: web-1, state: available, tags: { "lightsail-export:source": "web-1" } }
  - { name: web-2-export-2026-11-12, source: web-1, state: available, tags: { "lightsail-export:managed": "true", "lightsail-export:source": "web-2" } }
  - { name: data-disk-export-2026-11-01, source: data-disk, state: completed, isFromAutoSnapshot: false }
  # A copy an earlier run of the function made and tagged: the function's to delete.
  - name: web-1-export-2026-11-13
    source: web-1
    state: available
    tags: { "lightsail-export:managed": "true", "lightsail-export:source": "web-1", "lightsail-export:auto-snapshot-date": "2026-11-13" }
exportRecords:
  - { sourceName: web-1-export-2026-11-13, sourceType: InstanceSnapshot, fromResource: web-1, state: Succeeded, createdAt: "2026-11-14T06:00:00Z" }
  - { sourceName: web-1-before-upgrade, sourceType: InstanceSnapshot, fromResource: web-1, state: Succeeded, createdAt: "2026-10-02T10:20:00Z" }
unrelatedExportRecords: 30
"#;

const USERS: &[&str] = &[
    "web-1-before-upgrade",
    "web-1-export-2026-11-10",
    "web-1-export-2026-11-11",
    "web-1-export-2026-11-12",
    "web-2-export-2026-11-12",
    "data-disk-export-2026-11-01",
];

/// Nights of backfills and a nightly run, with the strictest retention (delete each copy once
/// exported, keep at most one): every deletion is of a copy the function made (this run or the
/// earlier one), and every snapshot of the user is still there.
#[tokio::test]
async fn retention_deletes_only_the_functions_own_copies_never_a_users_snapshot() {
    let config = Config {
        targets: vec!["web-1".into(), "data-disk".into(), "web-2".into()],
        delete_copy_after_export: true,
        copies_keep: lightsail_export::decide::keep::KeepRules {
            last: Some(1),
            ..Default::default()
        },
        ..Config::default()
    };
    let h = Harness::with_options(WORLD, config, &ClientOptions::default()).await;
    let mut events = vec![json!({})];
    for day in 15..=21 {
        events.push(json!({ "restoreDate": format!("2026-11-{day}") }));
    }
    for event in events {
        let run = h.run_retrying(event.clone(), 40).await;
        assert_ne!(run.last().status, Status::InProgress, "{event}");
        // A second pass: retention of the copies exported in the last round.
        h.invoke(serde_json::to_value(run.last()).unwrap())
            .await
            .unwrap();
        h.emulator.advance(86_400.0);
    }

    let made: Vec<String> = h
        .writes("CopySnapshot")
        .into_iter()
        .filter(|w| w.applied)
        .map(|w| w.target)
        .collect();
    let deleted: Vec<String> = h
        .emulator
        .writes()
        .into_iter()
        .filter(|w| w.operation.starts_with("Delete") && w.applied)
        .map(|w| w.target)
        .collect();
    assert!(!deleted.is_empty(), "retention ran");
    for name in &deleted {
        assert!(
            made.contains(name) || name == "web-1-export-2026-11-13",
            "deleted `{name}`, which the function did not make"
        );
    }
    assert!(deleted.contains(&"web-1-export-2026-11-13".to_string()));
    let c = common::client_with(&h.emulator.url(), "us-east-1", &ClientOptions::default());
    for name in USERS {
        let found = if name.starts_with("data-disk") {
            c.get_disk_snapshot()
                .disk_snapshot_name(*name)
                .send()
                .await
                .is_ok()
        } else {
            c.get_instance_snapshot()
                .instance_snapshot_name(*name)
                .send()
                .await
                .is_ok()
        };
        assert!(found, "the user's snapshot `{name}` is gone");
    }
    println!(
        "FIGURES retention: {} copies made, {} deleted (all the function's), {} user snapshots kept",
        made.len(),
        deleted.len(),
        USERS.len()
    );
}

/// A user's own snapshot that happens to bear the name of a copy (not taken from an automatic
/// snapshot, not tagged): the function must not take it for its own, so retention never deletes it.
#[tokio::test]
async fn a_users_snapshot_bearing_a_copys_name_is_never_deleted() {
    let world = WORLD.replace(
        "  - { name: web-1-before-upgrade,",
        "  - { name: web-1-export-2026-11-21, source: web-1, state: available, isFromAutoSnapshot: false }\n  - { name: web-1-before-upgrade,",
    );
    let config = Config {
        targets: vec!["web-1".into()],
        delete_copy_after_export: true,
        copies_keep: lightsail_export::decide::keep::KeepRules {
            last: Some(1),
            ..Default::default()
        },
        ..Config::default()
    };
    let h = Harness::with_options(&world, config, &ClientOptions::default()).await;
    for event in [json!({}), json!({"restoreDate": "2026-11-20"})] {
        let run = h.run_retrying(event, 40).await;
        h.invoke(serde_json::to_value(run.last()).unwrap())
            .await
            .unwrap();
        h.emulator.advance(86_400.0);
    }
    let deleted: Vec<String> = h
        .emulator
        .writes()
        .into_iter()
        .filter(|w| w.operation.starts_with("Delete") && w.applied)
        .map(|w| w.target)
        .collect();
    assert!(
        !deleted.contains(&"web-1-export-2026-11-21".to_string()),
        "the user's web-1-export-2026-11-21 was deleted: {deleted:?}"
    );
    assert!(
        !h.applied_per_target("TagResource")
            .contains_key("web-1-export-2026-11-21"),
        "the user's snapshot was tagged as the function's"
    );
    // The backfill's own copy (2026-11-20) is the function's: tagged. It is also the copy of
    // web-1's newest successful export, which retention always keeps (the proof of that export).
    assert!(h
        .applied_per_target("TagResource")
        .contains_key("web-1-export-2026-11-20"));
    assert!(!deleted.contains(&"web-1-export-2026-11-20".to_string()));
}

/// The Lightsail operations the function may call: `lightsail::OPERATIONS`. The adapter's clients
/// refuse any other before sending it (below), so the code cannot call more than this list.
fn operations_called() -> std::collections::BTreeSet<String> {
    lightsail_export::lightsail::OPERATIONS
        .iter()
        .map(|op| op.to_string())
        .collect()
}

/// The `lightsail:` actions the SAM template grants.
fn actions_granted() -> std::collections::BTreeSet<String> {
    let template = include_str!("../template.yaml");
    template
        .lines()
        .filter_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .trim()
                .strip_prefix("lightsail:")
        })
        .map(|a| a.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

#[test]
fn the_iam_policy_grants_exactly_the_lightsail_calls_the_code_makes() {
    let called = operations_called();
    let granted = actions_granted();
    // Sanity: the parser sees the calls it must.
    for op in [
        "CopySnapshot",
        "ExportSnapshot",
        "GetExportSnapshotRecords",
        "GetAutoSnapshots",
    ] {
        assert!(
            called.contains(op),
            "{op} not found in src/lightsail.rs: {called:?}"
        );
    }
    let unused: Vec<_> = granted.difference(&called).collect();
    let missing: Vec<_> = called.difference(&granted).collect();
    assert!(unused.is_empty(), "granted but never called: {unused:?}");
    assert!(missing.is_empty(), "called but not granted: {missing:?}");
    assert!(
        !granted.iter().any(|a| a.contains('*')),
        "no wildcard action: {granted:?}"
    );
    println!(
        "FIGURES iam: {} Lightsail actions granted = called: {called:?}",
        called.len()
    );
}

/// A call that `lightsail::OPERATIONS` does not list (so the IAM policy does not grant it) is
/// refused by the function's own client before anything is sent.
#[tokio::test]
async fn a_call_the_policy_does_not_grant_is_refused_before_it_is_sent() {
    let h = Harness::new(WORLD, Config::default()).await;
    let client = common::client(&h.emulator.url(), "us-east-1");
    let refused = client.get_operations().send().await.unwrap_err();
    let text = format!(
        "{}",
        aws_sdk_lightsail::error::DisplayErrorContext(&refused)
    );
    assert!(text.contains("OPERATIONS"), "{text}");
    assert_eq!(h.calls("GetOperations"), 0, "nothing reached Lightsail");
    // A listed one goes through.
    client.get_instances().send().await.unwrap();
}

/// Every operation of `lightsail::OPERATIONS` is one the adapter calls: each method of the
/// `Lightsail` trait, run against the emulator, and the operations it received compared.
#[tokio::test]
async fn every_listed_operation_is_one_the_adapter_calls() {
    use lightsail_export::lightsail::Lightsail;
    use lightsail_export::model::ResourceType;
    let h = Harness::new(WORLD, Config::default()).await;
    let api = h.app.lightsail();
    api.get_instance("web-1").await.unwrap();
    api.get_disk("data-disk").await.unwrap();
    api.list_resources().await.unwrap();
    api.get_auto_snapshots("web-1").await.unwrap();
    api.copy_snapshot(
        "web-1",
        lightsail_export::model::Date::parse("2026-11-21").unwrap(),
        "web-1-export-2026-11-21",
    )
    .await
    .unwrap();
    api.copy_snapshot(
        "data-disk",
        lightsail_export::model::Date::parse("2026-11-21").unwrap(),
        "data-disk-export-2026-11-21",
    )
    .await
    .unwrap();
    // As the function tags its copies (the template's policy allows its own keys only, and the
    // deletes below only of what is tagged so).
    for copy in ["web-1-export-2026-11-21", "data-disk-export-2026-11-21"] {
        let managed = [(lightsail_export::model::MANAGED_TAG.into(), "true".into())];
        api.tag_resource(copy, &managed).await.unwrap();
    }
    h.emulator.advance(3600.0);
    api.get_snapshot("web-1-export-2026-11-21", ResourceType::Instance)
        .await
        .unwrap();
    api.get_snapshot("data-disk-export-2026-11-21", ResourceType::Disk)
        .await
        .unwrap();
    api.list_snapshots().await.unwrap();
    api.export_snapshot("web-1-export-2026-11-21")
        .await
        .unwrap();
    api.list_export_records().await.unwrap();
    api.delete_snapshot("web-1-export-2026-11-21", ResourceType::Instance)
        .await
        .unwrap();
    api.delete_snapshot("data-disk-export-2026-11-21", ResourceType::Disk)
        .await
        .unwrap();
    let received: std::collections::BTreeSet<String> =
        h.emulator.call_counts().into_keys().collect();
    assert_eq!(received, operations_called());
}

/// The `ec2:` actions the template grants, each with the resources and condition it is granted on.
fn ec2_statements() -> Vec<(Vec<String>, String)> {
    let template = include_str!("../template.yaml");
    let mut statements = Vec::new();
    for block in template.split("- Sid: ").skip(1) {
        let block: String = block
            .lines()
            .take_while(|l| {
                !l.trim_start().starts_with("- PolicyName") && !l.contains("Type: AWS::")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let actions: Vec<String> = block
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- ec2:"))
            .map(str::to_string)
            .collect();
        if !actions.is_empty() {
            statements.push((actions, block));
        }
    }
    statements
}

#[test]
fn the_iam_policy_grants_exactly_the_ec2_calls_the_code_makes_and_retires_only_what_is_tagged() {
    let statements = ec2_statements();
    let granted: std::collections::BTreeSet<String> = statements
        .iter()
        .flat_map(|(a, _)| a.iter().cloned())
        .collect();
    let called: std::collections::BTreeSet<String> = lightsail_export::ec2::OPERATIONS
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(granted, called, "ec2: actions granted vs ec2::OPERATIONS");
    let managed =
        |block: &str| block.contains("aws:ResourceTag/lightsail-export:managed: \"true\"");
    let requested =
        |block: &str| block.contains("aws:RequestTag/lightsail-export:managed: \"true\"");
    for (actions, block) in &statements {
        let on = |kinds: &[&str]| resources(block) == kinds;
        for action in actions {
            if !action.starts_with("Describe") {
                assert!(
                    !block.contains("Resource: \"*\""),
                    "ec2:{action} on every resource:\n{block}"
                );
            }
            let allowed = match action.as_str() {
                "DeregisterImage" | "DeleteSnapshot" => {
                    managed(block) && on(&["image", "snapshot"])
                }
                "ModifySnapshotTier" => managed(block) && on(&["snapshot"]),
                // Labels on exports, or tags given at creation to what the drill makes.
                "CreateTags" => on(&["image", "snapshot"])
                    || (on(&["instance", "volume", "security-group"])
                        && block.contains(
                            "ec2:CreateAction: [RunInstances, CreateVolume, CreateSecurityGroup]",
                        )
                        && requested(block)),
                "CreateSecurityGroup" => {
                    (on(&["security-group"]) && requested(block)) || on(&["vpc"])
                }
                // What it makes carries the tag; what it starts from is the function's own; where
                // it boots is not conditioned (a subnet and the interface made in it).
                "RunInstances" | "CreateVolume" => {
                    (on(&["instance", "volume"]) && requested(block))
                        || (on(&["image", "snapshot", "security-group"]) && managed(block))
                        || (action == "RunInstances" && on(&["subnet", "network-interface"]))
                }
                "RevokeSecurityGroupIngress"
                | "RevokeSecurityGroupEgress"
                | "TerminateInstances"
                | "DeleteVolume" => managed(block) && on(&["security-group", "instance", "volume"]),
                "DescribeImages"
                | "DescribeSnapshots"
                | "DescribeSnapshotTierStatus"
                | "DescribeSubnets"
                | "DescribeSecurityGroups"
                | "DescribeInstances"
                | "DescribeInstanceStatus"
                | "DescribeVolumes" => block.contains("Resource: \"*\""),
                other => panic!("unexpected ec2:{other}"),
            };
            assert!(
                allowed,
                "ec2:{action} granted beyond the drill's and the exports' own resources:\n{block}"
            );
        }
    }
    // Every drill teardown is conditioned on the tag (none is granted elsewhere unconditioned).
    for action in [
        "TerminateInstances",
        "DeleteVolume",
        "RevokeSecurityGroupEgress",
    ] {
        assert!(
            statements
                .iter()
                .any(|(a, b)| a.iter().any(|x| x == action) && managed(b)),
            "{action} without the managed-tag condition"
        );
    }
}

/// The kinds of EC2 resource a statement's ARNs name (`image`, `instance`, ...), in order.
fn resources(block: &str) -> Vec<&str> {
    block
        .lines()
        .filter_map(|l| {
            let arn = l.split_once(":ec2:${Where}:")?.1.split('/').next()?;
            arn.rsplit(':').next()
        })
        .collect()
}

/// The EC2 client refuses what `ec2::OPERATIONS` does not list, and the adapter calls all of it.
#[tokio::test]
async fn the_ec2_adapter_calls_exactly_its_listed_operations() {
    use lightsail_export::ec2::Ec2;
    // An AMI of the function's, for the restore drill's launch.
    let world = format!(
        "{WORLD}\nec2Images:\n  - {{ imageId: ami-0000000000000000a, name: export, tags: {{ \"lightsail-export:managed\": \"true\" }} }}\n"
    );
    let h = Harness::new(&world, Config::default()).await;
    let ec2 = h.app.ec2();
    let before: std::collections::BTreeMap<String, u64> = h.emulator.call_counts();
    ec2.describe_image("ami-00000000000000001").await.unwrap();
    ec2.describe_snapshot("snap-00000000000000001")
        .await
        .unwrap();
    ec2.list_managed().await.unwrap();
    ec2.create_tags(&[], &[]).await.ok();
    ec2.deregister_image("ami-00000000000000001").await.unwrap();
    ec2.delete_snapshot("snap-00000000000000001").await.unwrap();
    // The restore drill's calls (their outcome does not matter here, only that each is sent).
    let subnet = ec2
        .drill_subnet(None)
        .await
        .unwrap()
        .expect("a default subnet");
    let group = ec2
        .find_group(&subnet.vpc_id, "lsx-security-test")
        .await
        .unwrap();
    assert!(group.is_none());
    let tags = [("lightsail-export:managed".to_string(), "true".to_string())];
    let id = (ec2.create_group(&subnet.vpc_id, "lsx-security-test", "test", &tags))
        .await
        .unwrap();
    let group = ec2
        .find_group(&subnet.vpc_id, "lsx-security-test")
        .await
        .unwrap();
    let mut group = group.expect("made");
    group.ingress = group.egress.clone();
    assert_eq!(group.id, id);
    ec2.revoke_all(&group).await.ok();
    ec2.drill_image("ami-00000000000000001").await.ok();
    let launch = lightsail_export::model::drill::Launch {
        image_id: "ami-0000000000000000a".into(),
        instance_type: "t2.micro".into(),
        subnet_id: subnet.id.clone(),
        group_id: id,
        devices: Vec::new(),
        tags: vec![
            tags[0].clone(),
            (
                "lightsail-export:restore-test-of".into(),
                "ami-0000000000000000a".into(),
            ),
        ],
        client_token: "lsx-security-test".into(),
    };
    ec2.run_instance(&launch).await.unwrap();
    h.emulator.advance(60.0);
    let drills = ec2.list_drills().await.unwrap();
    assert_eq!(drills.instances.len(), 1, "{drills:?}");
    ec2.terminate(&["i-00000000000000001".to_string()])
        .await
        .ok();
    let volume = lightsail_export::model::drill::VolumeLaunch {
        snapshot_id: "snap-00000000000000001".into(),
        availability_zone: subnet.availability_zone.clone(),
        tags: tags.to_vec(),
        client_token: "lsx-security-test-volume".into(),
    };
    ec2.create_volume(&volume).await.ok();
    ec2.delete_volume("vol-00000000000000001").await.ok();
    let snapshot = "snap-00000000000000001".to_string();
    ec2.archiving(std::slice::from_ref(&snapshot)).await.ok();
    ec2.archive_snapshot(&snapshot).await.ok();
    let received: std::collections::BTreeSet<String> = h
        .emulator
        .call_counts()
        .into_iter()
        .filter(|(op, n)| before.get(op) != Some(n))
        .map(|(op, _)| op)
        .collect();
    let listed: std::collections::BTreeSet<String> = lightsail_export::ec2::OPERATIONS
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(received, listed);
}

/// The doctor's own policy grants exactly `iam::OPERATIONS` (and `sts:GetCallerIdentity` needs
/// none: IAM cannot deny it), never on every resource.
#[test]
fn the_doctor_policy_grants_exactly_the_iam_calls_of_the_doctor_on_its_own_roles() {
    let template = include_str!("../template.yaml");
    let start = template
        .find("  ReconcileFunctionDoctorPolicy:")
        .expect("the doctor's policy in template.yaml");
    let block: String = template[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("   "))
        .collect::<Vec<_>>()
        .join("\n");
    let granted: std::collections::BTreeSet<String> = block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Action: iam:"))
        .map(|a| a.trim().to_string())
        .collect();
    let called: std::collections::BTreeSet<String> = lightsail_export::iam::OPERATIONS
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(granted, called, "the doctor's iam actions:\n{block}");
    assert!(!block.contains("Resource: \"*\""), "{block}");
    assert!(
        block.contains("RoleName: !Ref ReconcileFunctionRole"),
        "{block}"
    );
}

/// Under the template's Lightsail policy (the emulator's `lightsailPolicy`, on in every test of
/// the function), even a function that chose a user's snapshot by mistake cannot delete it, nor
/// tag it with a key of its own choosing, nor untag it: IAM refuses before anything is applied.
#[tokio::test]
async fn a_buggy_function_still_cannot_delete_or_retag_a_users_snapshot() {
    use lightsail_export::lightsail::Lightsail;
    use lightsail_export::model::ResourceType;
    let h = Harness::new(WORLD, Config::default()).await;
    let api = h.app.lightsail();
    let user = "web-1-before-upgrade";
    let deleted = api.delete_snapshot(user, ResourceType::Instance).await;
    assert!(
        matches!(
            deleted,
            Err(lightsail_export::error::ApiError::AccessDenied(_))
        ),
        "{deleted:?}"
    );
    let tagged = api
        .tag_resource(user, &[("team".into(), "web".into())])
        .await;
    assert!(
        matches!(
            tagged,
            Err(lightsail_export::error::ApiError::AccessDenied(_))
        ),
        "{tagged:?}"
    );
    let c = common::client_with(&h.emulator.url(), "us-east-1", &ClientOptions::default());
    let untagged = c
        .untag_resource()
        .resource_name(user)
        .tag_keys("x")
        .send()
        .await;
    assert!(untagged.is_err(), "UntagResource is not granted");
    let found = c
        .get_instance_snapshot()
        .instance_snapshot_name(user)
        .send()
        .await;
    let snapshot = found.expect("the user's snapshot is still there");
    assert!(snapshot
        .instance_snapshot()
        .is_some_and(|s| s.tags().is_empty()));
    assert_eq!(h.applied("DeleteInstanceSnapshot"), 0);
    assert_eq!(h.applied("TagResource"), 0);
}
