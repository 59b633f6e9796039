//! EC2 on the same server, world and clock as Lightsail: the EC2 Query protocol (form-encoded
//! `Action=…` requests, XML answers) for the few operations that verify, tag and retire what
//! Lightsail exports leave in EC2.

mod action;
mod describe;
mod filter;
mod input;
mod instances;
mod net;
mod query;
mod render;
mod render_drill;
mod run;
mod run_input;
pub mod serve;
mod tier;
mod volumes;
mod write;
pub(crate) mod xml;

pub use action::Action;
pub use query::Params;

/// An EC2 error: HTTP status, EC2's code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct Ec2Error {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Ec2Error {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Ec2Error {
        Ec2Error {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn client(code: &'static str, message: impl Into<String>) -> Ec2Error {
        Ec2Error::new(400, code, message)
    }
    pub fn invalid_value(message: impl Into<String>) -> Ec2Error {
        Ec2Error::client("InvalidParameterValue", message)
    }
    pub fn missing(parameter: &str) -> Ec2Error {
        Ec2Error::client(
            "MissingParameter",
            format!("The request must contain the parameter {parameter}"),
        )
    }
    /// EC2's own wording for a malformed id (`Invalid id: "x" (expecting "ami-...")`).
    pub fn malformed(code: &'static str, id: &str, prefix: &str) -> Ec2Error {
        Ec2Error::client(
            code,
            format!("Invalid id: \"{id}\" (expecting \"{prefix}-...\")"),
        )
    }
    pub fn image_not_found(ids: &[String]) -> Ec2Error {
        let message = match ids {
            [one] => format!("The image id '[{one}]' does not exist"),
            many => format!("The image ids '[{}]' do not exist", many.join(", ")),
        };
        Ec2Error::client("InvalidAMIID.NotFound", message)
    }
    pub fn snapshot_not_found(ids: &[String]) -> Ec2Error {
        let message = match ids {
            [one] => format!("The snapshot '{one}' does not exist."),
            many => format!("The snapshots '{}' do not exist.", many.join(", ")),
        };
        Ec2Error::client("InvalidSnapshot.NotFound", message)
    }
    /// What IAM answers: HTTP 403.
    pub fn unauthorized(operation: &str, arn: &str) -> Ec2Error {
        Ec2Error::new(
            403,
            "UnauthorizedOperation",
            format!(
                "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: ec2:{operation} on resource: {arn} because no identity-based policy allows the ec2:{operation} action"
            ),
        )
    }
    pub fn auth_failure() -> Ec2Error {
        Ec2Error::new(
            401,
            "AuthFailure",
            "AWS was not able to validate the provided access credentials",
        )
    }
    pub fn throttled() -> Ec2Error {
        Ec2Error::new(503, "RequestLimitExceeded", "Request limit exceeded.")
    }
    pub fn internal() -> Ec2Error {
        Ec2Error::new(500, "InternalError", "An internal error has occurred")
    }
    pub fn invalid_action(action: &str) -> Ec2Error {
        Ec2Error::client(
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        )
    }
    pub fn dry_run() -> Ec2Error {
        Ec2Error::new(
            412,
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        )
    }
}

/// Every id a request names (for `accessDeniedFor`): AMIs, snapshots, instances, volumes,
/// security groups, subnets.
pub fn named_ids(params: &Params) -> Vec<String> {
    let single = ["ImageId", "SnapshotId", "VolumeId", "GroupId", "SubnetId"];
    let mut ids: Vec<String> = single
        .iter()
        .filter_map(|k| params.get(k).map(str::to_string))
        .collect();
    let lists = [
        "ImageId",
        "SnapshotId",
        "ResourceId",
        "InstanceId",
        "VolumeId",
        "GroupId",
        "SecurityGroupId",
        "SubnetId",
    ];
    for list in lists {
        ids.extend(params.list(list));
    }
    ids
}
