//! EC2, as the engine sees it: the AMIs and EBS snapshots that exports leave there. A trait
//! ([`Ec2`]), the adapter over `aws-sdk-ec2` that implements it ([`SdkEc2`], the only code calling
//! that SDK), and an in-memory fake for unit tests.
//!
//! [`OPERATIONS`] lists every EC2 operation the adapter may call: the template's IAM policy is
//! checked against it, and the adapter's client refuses any other.

mod client;
mod convert;
mod drill;
mod drill_convert;
#[cfg(test)]
pub(crate) mod fake;

use std::future::Future;

use crate::error::ApiError;
use crate::model::drill::{DrillImage, DrillWorld, Launch, SecurityGroup, Subnet, VolumeLaunch};
use crate::model::Ec2Artifact;

pub use client::{client_config, SdkEc2};

/// Every EC2 operation the adapter calls: the function's IAM policy grants exactly these.
pub const OPERATIONS: &[&str] = &[
    "DescribeImages",
    "DescribeSnapshots",
    "CreateTags",
    "DeregisterImage",
    "DeleteSnapshot",
    // The archive tier (`EC2_ARCHIVE_AFTER`).
    "ModifySnapshotTier",
    "DescribeSnapshotTierStatus",
    // The restore drill (`Drills`): where it boots, its isolated group, the instance or
    // volume it makes, and their teardown.
    "DescribeSubnets",
    "DescribeSecurityGroups",
    "CreateSecurityGroup",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "RunInstances",
    "DescribeInstances",
    "DescribeInstanceStatus",
    "TerminateInstances",
    "CreateVolume",
    "DescribeVolumes",
    "DeleteVolume",
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

    /// ModifySnapshotTier to `archive`.
    fn archive_snapshot(&self, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Of `ids`, the snapshots whose last tiering operation is an archival still in progress
    /// (DescribeSnapshotTierStatus): their StorageTier says `standard` until it is done.
    fn archiving(
        &self,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

    // The restore drill's calls (`reconcile::drill`).

    /// The subnet named, or the default subnet of the default VPC (`None`: there is none).
    fn drill_subnet(
        &self,
        subnet_id: Option<&str>,
    ) -> impl Future<Output = Result<Option<Subnet>, ApiError>> + Send;

    /// The security group of that name in the VPC, with its rules.
    fn find_group(
        &self,
        vpc_id: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<SecurityGroup>, ApiError>> + Send;

    /// CreateSecurityGroup, tagged at creation; its id.
    fn create_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[(String, String)],
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

    /// RevokeSecurityGroupIngress and RevokeSecurityGroupEgress of every rule the group has.
    fn revoke_all(
        &self,
        group: &SecurityGroup,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The AMI's block devices and ENA support.
    fn drill_image(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<DrillImage>, ApiError>> + Send;

    /// RunInstances of one instance; its id.
    fn run_instance(
        &self,
        launch: &Launch,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

    /// Every drill instance (with its status checks) and volume of this region: those tagged
    /// `lightsail-export:managed=true` and `lightsail-export:restore-test-of`.
    fn list_drills(&self) -> impl Future<Output = Result<DrillWorld, ApiError>> + Send;

    /// TerminateInstances; instances already gone are done.
    fn terminate(&self, ids: &[String]) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// CreateVolume from an EBS snapshot (gp3); its id.
    fn create_volume(
        &self,
        launch: &VolumeLaunch,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;

    /// DeleteVolume; a volume already gone is done.
    fn delete_volume(&self, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
}
