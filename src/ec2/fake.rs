//! An in-memory EC2 for unit tests: artifacts to set up by hand, failures to script per
//! operation, and a log of every call.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::Ec2;

mod drill;

use crate::error::ApiError;
use crate::fake::Script;
use crate::model::drill::{DrillImage, DrillWorld, Launch, SecurityGroup, Subnet, VolumeLaunch};
use crate::model::{ArtifactKind, Ec2Artifact};
pub use drill::DrillSide;

#[derive(Debug, Default)]
pub struct FakeEc2World {
    pub artifacts: BTreeMap<String, Ec2Artifact>,
    /// The restore drill's side of the world (`fake_drill`).
    pub drill: DrillSide,
    /// Snapshots whose archival DescribeSnapshotTierStatus shows in progress.
    pub archival_in_progress: Vec<String>,
    /// Every call (the ids it was about), and the failures scripted for the next ones.
    pub script: Script,
}

#[derive(Debug, Default)]
pub struct FakeEc2 {
    world: Mutex<FakeEc2World>,
}

impl FakeEc2 {
    pub fn world(&self) -> MutexGuard<'_, FakeEc2World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add(&self, artifact: Ec2Artifact) {
        self.world().artifacts.insert(artifact.id.clone(), artifact);
    }

    /// The next call of `operation` fails with `error`.
    pub fn fail(&self, operation: &'static str, error: ApiError) {
        self.world().script.fail(operation, error);
    }

    /// The operations called, in order.
    pub fn operations(&self) -> Vec<&'static str> {
        self.world().script.operations()
    }

    /// Logs a call and returns its scripted failure, if any.
    pub(super) fn call(
        &self,
        operation: &'static str,
        about: &str,
    ) -> Result<MutexGuard<'_, FakeEc2World>, ApiError> {
        let mut world = self.world();
        world.script.call(operation, about)?;
        Ok(world)
    }

    fn describe(
        &self,
        operation: &'static str,
        id: &str,
        kind: ArtifactKind,
    ) -> Result<Option<Ec2Artifact>, ApiError> {
        let world = self.call(operation, id)?;
        Ok(world.artifacts.get(id).filter(|a| a.kind == kind).cloned())
    }
}

impl Ec2 for FakeEc2 {
    async fn describe_image(&self, id: &str) -> Result<Option<Ec2Artifact>, ApiError> {
        self.describe("DescribeImages", id, ArtifactKind::Image)
    }

    async fn describe_snapshot(&self, id: &str) -> Result<Option<Ec2Artifact>, ApiError> {
        self.describe("DescribeSnapshots", id, ArtifactKind::Snapshot)
    }

    async fn list_managed(&self) -> Result<Vec<Ec2Artifact>, ApiError> {
        let world = self.call("DescribeImages", "managed")?;
        Ok(world
            .artifacts
            .values()
            .filter(|a| a.tag(crate::model::MANAGED_TAG) == Some("true"))
            .cloned()
            .collect())
    }

    async fn create_tags(&self, ids: &[String], tags: &[(String, String)]) -> Result<(), ApiError> {
        let mut world = self.call("CreateTags", &ids.join(","))?;
        for id in ids {
            let artifact = world
                .artifacts
                .get_mut(id)
                .ok_or_else(|| ApiError::NotFound(format!("{id} does not exist")))?;
            for (key, value) in tags {
                artifact.tags.retain(|(k, _)| k != key);
                artifact.tags.push((key.clone(), Some(value.clone())));
            }
        }
        Ok(())
    }

    async fn deregister_image(&self, id: &str) -> Result<(), ApiError> {
        self.call("DeregisterImage", id)?.artifacts.remove(id);
        Ok(())
    }

    async fn delete_snapshot(&self, id: &str) -> Result<(), ApiError> {
        let mut world = self.call("DeleteSnapshot", id)?;
        let in_use = world
            .artifacts
            .values()
            .find(|a| a.kind == ArtifactKind::Image && a.snapshot_ids.iter().any(|s| s == id));
        if let Some(image) = in_use {
            return Err(ApiError::Other {
                code: "InvalidSnapshot.InUse".into(),
                message: format!("The snapshot {id} is currently in use by {}", image.id),
            });
        }
        world.artifacts.remove(id);
        Ok(())
    }

    async fn archive_snapshot(&self, id: &str) -> Result<(), ApiError> {
        let mut world = self.call("ModifySnapshotTier", id)?;
        let snapshot = world
            .artifacts
            .get_mut(id)
            .filter(|a| a.kind == ArtifactKind::Snapshot)
            .ok_or_else(|| ApiError::NotFound(format!("The snapshot '{id}' does not exist.")))?;
        // The fake archives at once; the emulator runs archival on its clock.
        snapshot.storage_tier = Some("archive".into());
        Ok(())
    }

    async fn archiving(&self, ids: &[String]) -> Result<Vec<String>, ApiError> {
        let world = self.call("DescribeSnapshotTierStatus", &ids.join(","))?;
        Ok(ids
            .iter()
            .filter(|id| world.archival_in_progress.contains(*id))
            .cloned()
            .collect())
    }

    async fn drill_subnet(&self, subnet_id: Option<&str>) -> Result<Option<Subnet>, ApiError> {
        self.subnet(subnet_id)
    }

    async fn find_group(&self, vpc: &str, name: &str) -> Result<Option<SecurityGroup>, ApiError> {
        self.group(vpc, name)
    }

    async fn create_group(
        &self,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &[(String, String)],
    ) -> Result<String, ApiError> {
        self.new_group(vpc_id, name, tags)
    }

    async fn revoke_all(&self, group: &SecurityGroup) -> Result<(), ApiError> {
        self.revoke(group)
    }

    async fn drill_image(&self, id: &str) -> Result<Option<DrillImage>, ApiError> {
        self.image(id)
    }

    async fn run_instance(&self, launch: &Launch) -> Result<String, ApiError> {
        self.run(launch)
    }

    async fn list_drills(&self) -> Result<DrillWorld, ApiError> {
        self.drills()
    }

    async fn terminate(&self, ids: &[String]) -> Result<(), ApiError> {
        self.end(ids)
    }

    async fn create_volume(&self, launch: &VolumeLaunch) -> Result<String, ApiError> {
        self.volume(launch)
    }

    async fn delete_volume(&self, id: &str) -> Result<(), ApiError> {
        self.remove_volume(id)
    }
}
