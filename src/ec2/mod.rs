//! EC2, as the engine sees it: the AMIs and EBS snapshots that exports leave there. A trait
//! ([`Ec2`]), the adapter over `aws-sdk-ec2` that implements it ([`SdkEc2`], the only code calling
//! that SDK), and an in-memory fake for unit tests.
//!
//! [`OPERATIONS`] lists every EC2 operation the adapter may call: the template's IAM policy is
//! checked against it, and the adapter's client refuses any other.

mod client;
mod convert;
#[cfg(test)]
pub(crate) mod fake;

use std::future::Future;

use crate::error::ApiError;
use crate::model::Ec2Artifact;

pub use client::{client_config, SdkEc2};

/// Every EC2 operation the adapter calls: the function's IAM policy grants exactly these.
pub const OPERATIONS: &[&str] = &[
    "DescribeImages",
    "DescribeSnapshots",
    "CreateTags",
    "DeregisterImage",
    "DeleteSnapshot",
];

/// What the engine asks of EC2 (in the function's region, where exports land).
pub trait Ec2: Sync {
    /// The AMI, with its block devices' snapshots, if it exists.
    fn describe_image(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Ec2Artifact>, ApiError>> + Send;

    /// The EBS snapshot, if it exists.
    fn describe_snapshot(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Ec2Artifact>, ApiError>> + Send;

    /// Every AMI and EBS snapshot of this account tagged `lightsail-export:managed=true`.
    fn list_managed(&self) -> impl Future<Output = Result<Vec<Ec2Artifact>, ApiError>> + Send;

    /// CreateTags on AMIs and snapshots (it overwrites a key's value, so it is idempotent).
    fn create_tags(
        &self,
        ids: &[String],
        tags: &[(String, String)],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// DeregisterImage; an AMI already gone is done.
    fn deregister_image(&self, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// DeleteSnapshot; a snapshot already gone is done.
    fn delete_snapshot(&self, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
}
