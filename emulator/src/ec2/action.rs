//! The EC2 operations served (the Query protocol's `Action`): parsed once, then asked whether
//! they write, what they write to, and run.

use super::{describe, write, Ec2Error, Params};
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
    }
);

impl Action {
    /// The operation a request's `Action` parameter names (`action`, possibly empty).
    pub fn parse(action: &str) -> Result<Action, Ec2Error> {
        Action::from_name(action).ok_or_else(|| Ec2Error::invalid_action(action))
    }

    /// Whether it changes the world (logged in the write log, subject to drop-after-write).
    pub fn is_write(self) -> bool {
        use Action::*;
        matches!(self, CreateTags | DeregisterImage | DeleteSnapshot)
    }

    /// The write log's target: the id(s) it names (comma-separated), empty for reads.
    pub fn write_target(self, params: &Params) -> String {
        use Action::*;
        match self {
            CreateTags => params.list("ResourceId").join(","),
            DeregisterImage => params.get("ImageId").unwrap_or_default().to_string(),
            DeleteSnapshot => params.get("SnapshotId").unwrap_or_default().to_string(),
            DescribeImages | DescribeSnapshots => String::new(),
        }
    }

    /// Runs the operation: the XML of the response's members, or an error.
    pub fn apply(self, ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
        use Action::*;
        match self {
            DescribeImages => describe::describe_images(ctx, params),
            DescribeSnapshots => describe::describe_snapshots(ctx, params),
            CreateTags => write::create_tags(ctx, params),
            DeregisterImage => write::deregister_image(ctx, params),
            DeleteSnapshot => write::delete_snapshot(ctx, params),
        }
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
        assert_eq!(writes, ["CreateTags", "DeregisterImage", "DeleteSnapshot"]);
        assert_eq!(
            Action::parse("RunInstances").map_err(|e| (e.code, e.message)),
            Err((
                "InvalidAction",
                "The action RunInstances is not valid for this web service.".to_string()
            ))
        );
        assert_eq!(Action::parse("").map_err(|e| e.code), Err("InvalidAction"));
    }
}
