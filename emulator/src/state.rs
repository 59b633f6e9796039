//! The emulator's shared state: the world, the clock, the faults, and what was received.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::clock::Clock;
use crate::faults::{FaultState, Faults};
use crate::scenario::ec2::Ec2Policy;
use crate::scenario::Scenario;
use crate::switches::Switches;
use crate::world::ec2::{Ec2ImageInfo, Ec2SnapshotInfo};
use crate::world::machines::{Ec2InstanceInfo, Ec2VolumeInfo, InstancePhase, VolumePhase};
use crate::world::net::Ec2SecurityGroupInfo;
use crate::world::World;
use crate::{Error, WriteRecord};

/// A JSON object of switches merged over every scenario's own (`{"errorEnvelope":"header"}`), so
/// a test matrix can flip a switch without editing scenarios.
pub const SWITCHES_VAR: &str = "LIGHTSAIL_EMULATOR_SWITCHES";

/// A poisoned lock only means another request panicked mid-way; the data is still the best we
/// have, and refusing every later request would be worse.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub struct Inner {
    pub scenario: Scenario,
    /// The clock start the world was built for.
    pub start: f64,
    pub world: World,
    pub faults: FaultState,
    pub calls: BTreeMap<String, u64>,
    /// (region, operation) -> calls received.
    pub calls_by_region: BTreeMap<(String, String), u64>,
    pub writes: Vec<WriteRecord>,
}

pub struct Shared {
    pub inner: Mutex<Inner>,
    pub clock: Mutex<Clock>,
    /// Switches applied after the environment's on every load (the binary's `--switch`).
    pinned: Value,
}

/// The switches of `scenario` with the environment's and then `pinned` merged over them.
fn switches_for(scenario: &Scenario, pinned: &Value) -> Result<Switches, Error> {
    let mut switches = scenario.switches.clone();
    match std::env::var(SWITCHES_VAR) {
        Ok(text) if !text.trim().is_empty() => {
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| Error::Scenario(format!("{SWITCHES_VAR} is not JSON: {e}")))?;
            switches
                .merge(v)
                .map_err(|e| Error::Scenario(format!("{SWITCHES_VAR}: {e}")))?;
        }
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(e) => return Err(Error::Scenario(format!("{SWITCHES_VAR}: {e}"))),
    }
    switches.merge(pinned.clone())?;
    Ok(switches)
}

fn start_of(scenario: &Scenario) -> Result<f64, Error> {
    match &scenario.now {
        Some(t) => t.epoch(),
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as f64)
            .unwrap_or(0.0)),
    }
}

impl Shared {
    pub fn new(scenario: Scenario, pinned: Value) -> Result<Shared, Error> {
        let start = start_of(&scenario)?;
        let switches = switches_for(&scenario, &pinned)?;
        let world = World::from_scenario(&scenario, start, switches)?;
        Ok(Shared {
            pinned,
            clock: Mutex::new(Clock::new(start, scenario.speed)),
            inner: Mutex::new(Inner {
                faults: FaultState::new(scenario.faults.clone()),
                scenario,
                start,
                world,
                calls: BTreeMap::new(),
                calls_by_region: BTreeMap::new(),
                writes: Vec::new(),
            }),
        })
    }

    pub fn now(&self) -> f64 {
        lock(&self.clock).now()
    }
    pub fn speed(&self) -> f64 {
        lock(&self.clock).speed()
    }
    pub fn set_speed(&self, speed: f64) {
        lock(&self.clock).set_speed(speed)
    }
    pub fn advance(&self, seconds: f64) {
        lock(&self.clock).advance(seconds)
    }
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.inner).faults = FaultState::new(faults);
    }
    pub fn faults(&self) -> Faults {
        lock(&self.inner).faults.faults.clone()
    }
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.inner).calls.clone()
    }
    pub fn call_counts_by_region(&self) -> BTreeMap<(String, String), u64> {
        lock(&self.inner).calls_by_region.clone()
    }
    pub fn writes(&self) -> Vec<WriteRecord> {
        lock(&self.inner).writes.clone()
    }
    pub fn default_region(&self) -> String {
        lock(&self.inner).world.default_region.clone()
    }
    pub fn switches(&self) -> Switches {
        lock(&self.inner).world.switches.clone()
    }
    pub fn set_switches(&self, switches: Switches) {
        lock(&self.inner).world.set_switches(switches)
    }
    /// Merges a partial object of switches over the current ones; all or nothing.
    pub fn merge_switches(&self, overrides: Value) -> Result<Switches, Error> {
        let mut inner = lock(&self.inner);
        let mut switches = inner.world.switches.clone();
        switches.merge(overrides)?;
        inner.world.set_switches(switches.clone());
        Ok(switches)
    }
    pub fn page_size(&self) -> usize {
        lock(&self.inner).world.page_size()
    }
    /// Every AMI of every region (deregistered ones too), state as of now.
    pub fn ec2_images(&self) -> Vec<Ec2ImageInfo> {
        let now = self.now();
        let inner = lock(&self.inner);
        let regions = inner.world.regions.values();
        regions
            .flat_map(|rs| rs.images.values().map(|i| i.info(now)))
            .collect()
    }
    /// Every EBS snapshot of every region, state as of now.
    pub fn ec2_snapshots(&self) -> Vec<Ec2SnapshotInfo> {
        let now = self.now();
        let inner = lock(&self.inner);
        let regions = inner.world.regions.values();
        regions
            .flat_map(|rs| rs.ebs_snapshots.values().map(|s| s.info(now)))
            .collect()
    }
    /// Every EC2 instance still visible (terminated ones until they are gone), state as of now.
    pub fn ec2_instances(&self) -> Vec<Ec2InstanceInfo> {
        let now = self.now();
        let inner = lock(&self.inner);
        let d = &inner.world.durations;
        let regions = inner.world.regions.values();
        regions
            .flat_map(|rs| rs.ec2_instances.values())
            .filter(|i| i.phase(now, d) != InstancePhase::Gone)
            .map(|i| i.info(now, d))
            .collect()
    }
    /// Every EBS volume not yet gone, state as of now.
    pub fn ec2_volumes(&self) -> Vec<Ec2VolumeInfo> {
        let now = self.now();
        let inner = lock(&self.inner);
        let d = &inner.world.durations;
        let regions = inner.world.regions.values();
        regions
            .flat_map(|rs| rs.volumes.values())
            .filter(|v| v.phase(now, d) != VolumePhase::Gone)
            .map(|v| v.info(now, d))
            .collect()
    }
    /// Every security group of every region (the default VPCs' `default` ones too).
    pub fn ec2_security_groups(&self) -> Vec<Ec2SecurityGroupInfo> {
        let inner = lock(&self.inner);
        let regions = inner.world.regions.values();
        regions
            .flat_map(|rs| rs.security_groups.values().map(|g| g.info()))
            .collect()
    }
    pub fn ec2_policy(&self) -> Ec2Policy {
        lock(&self.inner).world.ec2_policy.clone()
    }
    pub fn set_ec2_policy(&self, policy: Ec2Policy) {
        lock(&self.inner).world.ec2_policy = policy;
    }

    pub fn reset(&self) {
        let scenario = lock(&self.inner).scenario.clone();
        // The scenario was loaded once already, so it builds again; keep the old world if not.
        if let Err(e) = self.try_load(scenario) {
            tracing::error!("reset failed: {e}");
        }
    }

    pub fn load(&self, scenario: Scenario) {
        if let Err(e) = self.try_load(scenario) {
            tracing::error!("scenario not loaded: {e}");
        }
    }

    pub fn try_load(&self, scenario: Scenario) -> Result<(), Error> {
        let start = start_of(&scenario)?;
        let switches = switches_for(&scenario, &self.pinned)?;
        let world = World::from_scenario(&scenario, start, switches)?;
        let mut inner = lock(&self.inner);
        *lock(&self.clock) = Clock::new(start, scenario.speed);
        inner.faults = FaultState::new(scenario.faults.clone());
        inner.world = world;
        inner.start = start;
        inner.scenario = scenario;
        inner.calls.clear();
        inner.calls_by_region.clear();
        inner.writes.clear();
        Ok(())
    }

    /// Counts a call received, in all and per region.
    pub fn count_call(inner: &mut Inner, region: &str, operation: &str) {
        *inner.calls.entry(operation.to_string()).or_insert(0) += 1;
        *inner
            .calls_by_region
            .entry((region.to_string(), operation.to_string()))
            .or_insert(0) += 1;
    }

    /// Appends to the write log.
    pub fn log_write(inner: &mut Inner, mut record: WriteRecord) {
        record.seq = inner.writes.len() as u64 + 1;
        inner.writes.push(record);
    }
}
