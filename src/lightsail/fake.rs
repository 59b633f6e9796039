//! An in-memory Lightsail for unit tests: a world to set up by hand, failures to script per
//! operation, and a log of every call. Copies and exports do not move on their own: a test sets
//! the states it wants to observe.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::Lightsail;
use crate::error::ApiError;
use crate::fake::Script;
use crate::model::{
    AutoSnapshot, Date, ExportRecord, ManualSnapshot, RecordState, Resource, ResourceType,
    SnapshotState, Timestamp,
};

/// What the fake holds.
#[derive(Debug, Default)]
pub struct FakeWorld {
    pub now: Timestamp,
    pub resources: Vec<Resource>,
    pub autos: HashMap<String, Vec<AutoSnapshot>>,
    pub snapshots: BTreeMap<String, ManualSnapshot>,
    pub records: Vec<ExportRecord>,
    /// Every call (the name it was about), and the failures scripted for the next ones.
    pub script: Script,
}

#[derive(Debug, Default)]
pub struct FakeLightsail {
    world: Mutex<FakeWorld>,
}

impl FakeLightsail {
    pub fn new(world: FakeWorld) -> FakeLightsail {
        FakeLightsail {
            world: Mutex::new(world),
        }
    }

    pub fn world(&self) -> MutexGuard<'_, FakeWorld> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
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
    fn call(
        &self,
        operation: &'static str,
        about: &str,
    ) -> Result<MutexGuard<'_, FakeWorld>, ApiError> {
        let mut world = self.world();
        world.script.call(operation, about)?;
        Ok(world)
    }

    fn resource(
        &self,
        operation: &'static str,
        name: &str,
        kind: ResourceType,
    ) -> Result<Option<Resource>, ApiError> {
        let world = self.call(operation, name)?;
        Ok(world
            .resources
            .iter()
            .find(|r| r.name == name && r.resource_type == kind)
            .cloned())
    }
}

impl Lightsail for FakeLightsail {
    fn region(&self) -> String {
        "us-east-1".into()
    }

    fn source_region(&self) -> &str {
        "us-east-1"
    }

    fn now(&self) -> Timestamp {
        self.world().now
    }

    async fn get_instance(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        self.resource("GetInstance", name, ResourceType::Instance)
    }

    async fn get_disk(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        self.resource("GetDisk", name, ResourceType::Disk)
    }

    async fn list_resources(&self) -> Result<Vec<Resource>, ApiError> {
        Ok(self.call("GetInstances", "")?.resources.clone())
    }

    async fn get_auto_snapshots(&self, resource: &str) -> Result<Vec<AutoSnapshot>, ApiError> {
        let world = self.call("GetAutoSnapshots", resource)?;
        match world.autos.get(resource) {
            Some(autos) => Ok(autos.clone()),
            None => Err(ApiError::NotFound(format!(
                "The Resource does not exist: {resource}"
            ))),
        }
    }

    async fn get_snapshot(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> Result<ManualSnapshot, ApiError> {
        let world = self.call("GetSnapshot", name)?;
        Ok(world
            .snapshots
            .get(name)
            .filter(|s| s.resource_type == resource_type)
            .cloned()
            .unwrap_or_else(|| ManualSnapshot::missing(name, resource_type)))
    }

    async fn list_snapshots(&self) -> Result<Vec<ManualSnapshot>, ApiError> {
        Ok(self
            .call("GetSnapshots", "")?
            .snapshots
            .values()
            .cloned()
            .collect())
    }

    async fn list_export_records(&self) -> Result<Vec<ExportRecord>, ApiError> {
        Ok(self.call("GetExportSnapshotRecords", "")?.records.clone())
    }

    async fn copy_snapshot(
        &self,
        resource: &str,
        _date: Date,
        target: &str,
    ) -> Result<(), ApiError> {
        let mut world = self.call("CopySnapshot", target)?;
        if world.snapshots.contains_key(target) {
            return Err(ApiError::NameInUse(format!(
                "Some names are already in use: {target}"
            )));
        }
        let kind = world
            .resources
            .iter()
            .find(|r| r.name == resource)
            .map_or(ResourceType::Instance, |r| r.resource_type);
        let copy = ManualSnapshot {
            state: SnapshotState::Pending,
            from_resource: Some(resource.to_string()),
            from_auto_snapshot: Some(true),
            created_at: Some(world.now),
            ..ManualSnapshot::missing(target, kind)
        };
        world.snapshots.insert(target.to_string(), copy);
        Ok(())
    }

    async fn export_snapshot(&self, snapshot: &str) -> Result<(), ApiError> {
        let mut world = self.call("ExportSnapshot", snapshot)?;
        let number = world.records.len();
        let now = world.now;
        world.records.push(ExportRecord {
            name: format!("ExportSnapshotRecord-{number}"),
            arn: None,
            state: RecordState::Started,
            created_at: Some(now),
            source_name: snapshot.to_string(),
            from_resource: None,
            source_created_at: None,
            destination: None,
        });
        Ok(())
    }

    async fn tag_resource(&self, name: &str, tags: &[(String, String)]) -> Result<(), ApiError> {
        let mut world = self.call("TagResource", name)?;
        let snapshot = world
            .snapshots
            .get_mut(name)
            .ok_or_else(|| ApiError::NotFound(format!("The Resource does not exist: {name}")))?;
        for (key, value) in tags {
            snapshot.tags.retain(|(k, _)| k != key);
            snapshot.tags.push((key.clone(), Some(value.clone())));
        }
        Ok(())
    }

    async fn delete_snapshot(
        &self,
        name: &str,
        _resource_type: ResourceType,
    ) -> Result<(), ApiError> {
        let mut world = self.call("DeleteSnapshot", name)?;
        match world.snapshots.remove(name) {
            Some(_) => Ok(()),
            None => Err(ApiError::NotFound(format!(
                "The Snapshot does not exist: {name}"
            ))),
        }
    }
}
