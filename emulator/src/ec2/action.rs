//! The EC2 operations served (the Query protocol's `Action`): parsed once, then asked whether
//! they write, what they write to, and run.

use super::{describe, instances, net, run, tier, volumes, write, Ec2Error, Params};
use crate::named::operation_enum;
use crate::ops::Ctx;

operation_enum!(
    /// An EC2 operation the emulator implements (anything else is `InvalidAction`, answered by
    /// [`Action::parse`]).
    Action {
        DescribeImages,
        DescribeSnapshots,
        CreateTags,
        DeregisterImage,
        DeleteSnapshot,
        DescribeSubnets,
        DescribeSecurityGroups,
        CreateSecurityGroup,
        RevokeSecurityGroupEgress,
        RevokeSecurityGroupIngress,
        RunInstances,
        DescribeInstances,
        DescribeInstanceStatus,
        TerminateInstances,
        CreateVolume,
        DescribeVolumes,
        DeleteVolume,
        ModifySnapshotTier,
        DescribeSnapshotTierStatus,
    }
);

/// What an operation answers: its response's members, and the id of what it created (the
/// write log's `source`).
pub struct Applied {
    pub members: String,
    pub created: Option<String>,
}

impl From<String> for Applied {
    fn from(members: String) -> Applied {
        Applied {
            members,
            created: None,
        }
    }
}

impl Action {
    /// The operation a request's `Action` parameter names (`action`, possibly empty).
    pub fn parse(action: &str) -> Result<Action, Ec2Error> {
        Action::from_name(action).ok_or_else(|| Ec2Error::invalid_action(action))
    }

    /// Whether it changes the world (logged in the write log, subject to drop-after-write).
    pub fn is_write(self) -> bool {
        use Action::*;
        matches!(
            self,
            CreateTags
                | DeregisterImage
                | DeleteSnapshot
                | CreateSecurityGroup
                | RevokeSecurityGroupEgress
                | RevokeSecurityGroupIngress
                | RunInstances
                | TerminateInstances
                | CreateVolume
                | DeleteVolume
                | ModifySnapshotTier
        )
    }

    /// Whether it needs the region's default network to exist first.
    pub fn uses_network(self) -> bool {
        use Action::*;
        !matches!(
            self,
            DescribeImages
                | DescribeSnapshots
                | CreateTags
                | DeregisterImage
                | DeleteSnapshot
                | ModifySnapshotTier
                | DescribeSnapshotTierStatus
        )
    }

    /// The write log's target: the id(s) it names (comma-separated), empty for reads.
    pub fn write_target(self, params: &Params) -> String {
        use Action::*;
        match self {
            CreateTags => params.list("ResourceId").join(","),
            DeregisterImage => params.get("ImageId").unwrap_or_default().to_string(),
            DeleteSnapshot | ModifySnapshotTier => {
                params.get("SnapshotId").unwrap_or_default().to_string()
            }
            CreateSecurityGroup => params.get("GroupName").unwrap_or_default().to_string(),
            RevokeSecurityGroupEgress | RevokeSecurityGroupIngress => params
                .get("GroupId")
                .or(params.get("GroupName"))
                .unwrap_or_default()
                .to_string(),
            RunInstances => params.get("ImageId").unwrap_or_default().to_string(),
            TerminateInstances => params.list("InstanceId").join(","),
            CreateVolume => params.get("SnapshotId").unwrap_or_default().to_string(),
            DeleteVolume => params.get("VolumeId").unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }

    /// Runs the operation: the XML of the response's members, or an error.
    pub fn apply(self, ctx: &mut Ctx<'_>, params: &Params) -> Result<Applied, Ec2Error> {
        use Action::*;
        let created = |(members, created): (String, Option<String>)| Applied { members, created };
        let members = match self {
            DescribeImages => describe::describe_images(ctx, params),
            DescribeSnapshots => describe::describe_snapshots(ctx, params),
            CreateTags => write::create_tags(ctx, params),
            DeregisterImage => write::deregister_image(ctx, params),
            DeleteSnapshot => write::delete_snapshot(ctx, params),
            DescribeSubnets => net::describe_subnets(ctx, params),
            DescribeSecurityGroups => net::describe_security_groups(ctx, params),
            CreateSecurityGroup => net::create_security_group(ctx, params),
            RevokeSecurityGroupEgress => net::revoke_egress(ctx, params),
            RevokeSecurityGroupIngress => net::revoke_ingress(ctx, params),
            RunInstances => return run::run_instances(ctx, params).map(created),
            DescribeInstances => instances::describe_instances(ctx, params),
            DescribeInstanceStatus => instances::describe_instance_status(ctx, params),
            TerminateInstances => instances::terminate_instances(ctx, params),
            CreateVolume => return volumes::create_volume(ctx, params).map(created),
            DescribeVolumes => volumes::describe_volumes(ctx, params),
            DeleteVolume => volumes::delete_volume(ctx, params),
            ModifySnapshotTier => tier::modify_snapshot_tier(ctx, params),
            DescribeSnapshotTierStatus => tier::describe_snapshot_tier_status(ctx, params),
        };
        members.map(Applied::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_ones_are_invalid_actions() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.name()), Ok(*action));
        }
        let writes: Vec<&str> = Action::ALL
            .iter()
            .filter(|a| a.is_write())
            .map(|a| a.name())
            .collect();
        assert_eq!(
            writes,
            [
                "CreateTags",
                "DeregisterImage",
                "DeleteSnapshot",
                "CreateSecurityGroup",
                "RevokeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RunInstances",
                "TerminateInstances",
                "CreateVolume",
                "DeleteVolume",
                "ModifySnapshotTier"
            ]
        );
        assert_eq!(
            Action::parse("StopInstances").map_err(|e| (e.code, e.message)),
            Err((
                "InvalidAction",
                "The action StopInstances is not valid for this web service.".to_string()
            ))
        );
        assert_eq!(Action::parse("").map_err(|e| e.code), Err("InvalidAction"));
    }
}
