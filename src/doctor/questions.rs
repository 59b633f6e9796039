//! What the doctor asks IAM's policy simulator: every call of the function, each with the
//! resources and condition keys the template's statement for it names.

use crate::iam::SERVICE_LINKED_ROLE;
use crate::model::doctor::Question;
use crate::model::{copy_tag, MANAGED_TAG};

/// The operations the template allows only on the function's own snapshots / artifacts.
const SCOPED_LIGHTSAIL: [&str; 3] = [
    "TagResource",
    "DeleteInstanceSnapshot",
    "DeleteDiskSnapshot",
];
const SCOPED_EC2: [&str; 4] = [
    "CreateTags",
    "DeregisterImage",
    "DeleteSnapshot",
    "ModifySnapshotTier",
];
/// The restore drill's writes, each with the kinds of resource the template grants it on (its
/// own tagged resources, what it makes tagged at creation, where it boots), asked apart so that
/// each is simulated on exactly the resources its request names.
const DRILL_WRITES: [(&[&str], &[&str]); 6] = [
    (&["CreateSecurityGroup"], &["security-group", "vpc"]),
    (
        &["RunInstances"],
        &[
            "instance",
            "volume",
            "image",
            "security-group",
            "subnet",
            "network-interface",
        ],
    ),
    (&["CreateVolume"], &["volume", "snapshot"]),
    (
        &["RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress"],
        &["security-group"],
    ),
    (&["TerminateInstances"], &["instance"]),
    (&["DeleteVolume"], &["volume"]),
];
/// The reads made in the source region (`SOURCE_REGION`).
const SOURCE_READS: [&str; 5] = [
    "GetInstance",
    "GetInstances",
    "GetDisk",
    "GetDisks",
    "GetAutoSnapshots",
];

fn actions(service: &str, ops: &[&str], except: &[&str]) -> Vec<String> {
    ops.iter()
        .filter(|op| !except.contains(op))
        .map(|op| format!("{service}:{op}"))
        .collect()
}

fn in_region(region: &str) -> Vec<(String, Vec<String>)> {
    vec![("aws:RequestedRegion".to_string(), vec![region.to_string()])]
}

/// The context of a call on the function's own copies and artifacts: tagged as its own, with
/// its tag keys.
fn on_own(region: &str) -> Vec<(String, Vec<String>)> {
    let keys = [MANAGED_TAG, copy_tag::SOURCE, copy_tag::AUTO_SNAPSHOT_DATE];
    let mut context = in_region(region);
    context.push((
        format!("aws:ResourceTag/{MANAGED_TAG}"),
        vec!["true".into()],
    ));
    context.push((
        "aws:TagKeys".into(),
        keys.iter().map(|k| k.to_string()).collect(),
    ));
    context
}

fn drill_writes() -> Vec<&'static str> {
    DRILL_WRITES
        .iter()
        .flat_map(|(ops, _)| ops.iter().copied())
        .collect()
}

/// An EC2 resource of kind `kind` for the simulator (images and snapshots name no account).
fn ec2_arn(partition: &str, region: &str, account: &str, kind: &str) -> String {
    let (account, id) = match kind {
        "image" => ("", "ami-00000000000000000"),
        "snapshot" => ("", "snap-00000000000000000"),
        "instance" => (account, "i-00000000000000000"),
        "volume" => (account, "vol-00000000000000000"),
        "security-group" => (account, "sg-00000000000000000"),
        "subnet" => (account, "subnet-00000000000000000"),
        "vpc" => (account, "vpc-00000000000000000"),
        "network-interface" => (account, "eni-00000000000000000"),
        _ => (account, "*"),
    };
    format!("arn:{partition}:ec2:{region}:{account}:{kind}/{id}")
}

/// The context of a restore drill's call: what it starts from and acts on is tagged as the
/// function's, what it makes is tagged so in the request, and its tags are given at creation
/// (`ec2:CreateAction`) when `creating`.
fn on_drill(region: &str, creating: Option<&str>) -> Vec<(String, Vec<String>)> {
    let mut context = in_region(region);
    for key in ["aws:ResourceTag", "aws:RequestTag"] {
        context.push((format!("{key}/{MANAGED_TAG}"), vec!["true".into()]));
    }
    if let Some(action) = creating {
        context.push(("ec2:CreateAction".into(), vec![action.into()]));
    }
    context
}

/// The questions the simulator is asked: every Lightsail and EC2 operation the function calls,
/// with the context its policy conditions on (the region; on its own copies and artifacts, the
/// managed tag; on tags, its keys), and the service-linked role's creation.
pub fn questions(
    region: &str,
    source_region: &str,
    partition: &str,
    account: &str,
) -> Vec<Question> {
    let lightsail = crate::lightsail::OPERATIONS;
    let ec2 = crate::ec2::OPERATIONS;
    let mut questions = vec![Question {
        actions: [
            actions("lightsail", lightsail, &SCOPED_LIGHTSAIL),
            actions("ec2", ec2, &[&SCOPED_EC2[..], &drill_writes()].concat()),
        ]
        .concat(),
        resources: Vec::new(),
        context: in_region(region),
    }];
    if source_region != region {
        let reads = actions("lightsail", &SOURCE_READS, &[]);
        questions.push(Question {
            actions: reads,
            resources: Vec::new(),
            context: in_region(source_region),
        });
    }
    let lightsail_arn = |kind: &str| {
        format!("arn:{partition}:lightsail:{region}:{account}:{kind}/lightsail-export-doctor")
    };
    questions.push(Question {
        actions: actions("lightsail", &SCOPED_LIGHTSAIL, &[]),
        resources: vec![
            lightsail_arn("InstanceSnapshot"),
            lightsail_arn("DiskSnapshot"),
        ],
        context: on_own(region),
    });
    let ec2_arn = |kind: &str| ec2_arn(partition, region, account, kind);
    questions.push(Question {
        actions: actions("ec2", &SCOPED_EC2, &[]),
        resources: vec![ec2_arn("image"), ec2_arn("snapshot")],
        context: on_own(region),
    });
    for (ops, kinds) in DRILL_WRITES {
        questions.push(Question {
            actions: actions("ec2", ops, &[]),
            resources: kinds.iter().map(|kind| ec2_arn(kind)).collect(),
            context: on_drill(region, None),
        });
    }
    // The tags a drill gives what it makes, at creation (RunInstances' TagSpecifications).
    questions.push(Question {
        actions: actions("ec2", &["CreateTags"], &[]),
        resources: ["instance", "volume", "security-group"]
            .iter()
            .map(|kind| ec2_arn(kind))
            .collect(),
        context: on_drill(region, Some("RunInstances")),
    });
    let role = format!("arn:{partition}:iam::{account}:role/aws-service-role/lightsail.amazonaws.com/{SERVICE_LINKED_ROLE}");
    questions.push(Question {
        actions: vec![
            "iam:CreateServiceLinkedRole".into(),
            "iam:PutRolePolicy".into(),
        ],
        resources: vec![role],
        context: vec![(
            "iam:AWSServiceName".into(),
            vec!["lightsail.amazonaws.com".into()],
        )],
    });
    questions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_asked_once_with_the_context_its_policy_needs() {
        let asked = questions("us-east-1", "us-east-1", "aws", "123456789012");
        let actions: Vec<&String> = asked.iter().flat_map(|q| &q.actions).collect();
        // Both iam: actions, and CreateTags asked twice (on exports, and at a drill's creation).
        let expected = crate::lightsail::OPERATIONS.len() + crate::ec2::OPERATIONS.len() + 3;
        assert_eq!(actions.len(), expected, "{actions:?}");
        for op in crate::lightsail::OPERATIONS {
            assert!(actions.contains(&&format!("lightsail:{op}")), "{op}");
        }
        let deletes = asked
            .iter()
            .find(|q| {
                q.actions
                    .contains(&"lightsail:DeleteDiskSnapshot".to_string())
            })
            .unwrap();
        assert!(deletes
            .context
            .iter()
            .any(|(k, v)| k == "aws:ResourceTag/lightsail-export:managed" && v == &["true"]));
        assert!(deletes
            .resources
            .iter()
            .all(|r| r.starts_with("arn:aws:lightsail:us-east-1:123456789012:")));
        for op in crate::ec2::OPERATIONS {
            assert!(actions.contains(&&format!("ec2:{op}")), "{op}");
        }
        let terminate = asked
            .iter()
            .find(|q| q.actions == ["ec2:TerminateInstances"])
            .unwrap();
        assert_eq!(
            terminate.resources,
            ["arn:aws:ec2:us-east-1:123456789012:instance/i-00000000000000000"]
        );
        assert!(terminate
            .context
            .iter()
            .any(|(k, v)| k == "aws:ResourceTag/lightsail-export:managed" && v == &["true"]));
        let tagging = asked
            .iter()
            .filter(|q| q.actions == ["ec2:CreateTags"])
            .flat_map(|q| &q.context)
            .any(|(k, v)| k == "ec2:CreateAction" && v == &["RunInstances"]);
        assert!(
            tagging,
            "CreateTags at creation is asked with ec2:CreateAction"
        );
        let cross = questions("us-east-1", "eu-west-1", "aws-cn", "1");
        let source = cross
            .iter()
            .find(|q| q.context.iter().any(|(_, v)| v == &["eu-west-1"]))
            .unwrap();
        assert!(source
            .actions
            .contains(&"lightsail:GetAutoSnapshots".to_string()));
        assert!(cross
            .iter()
            .flat_map(|q| &q.resources)
            .all(|r| r.starts_with("arn:aws-cn:")));
    }
}
