//! A local Amazon Lightsail endpoint speaking the real wire protocol (AWS JSON 1.1 over HTTP on
//! loopback), so the real `aws-sdk-lightsail` client and the AWS CLI talk to it unchanged; and on
//! the same URL the EC2 side of the same world (EC2 Query protocol) for `aws-sdk-ec2`.
//! See `emulator/API.md` for the contract and `emulator/README.md` for usage.

mod admin;
mod clock;
mod ec2;
mod faults;
mod http;
mod iam;
mod named;
mod ops;
mod protocol;
mod query;
mod scenario;
mod server;
mod state;
mod sts;
mod switches;
mod timefmt;
mod world;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use faults::{Faults, LaunchRefusal};
pub use scenario::ec2::{
    Ec2ImageSnapshotSpec, Ec2ImageSpec, Ec2Policy, Ec2SnapshotSpec, Ec2VpcSpec,
};
pub use scenario::{
    AutoSnapshotSpec, DiskSpec, Durations, ExportRecordSpec, InstanceSpec, Instant,
    LightsailPolicy, Scenario, SnapshotSpec, StaticIpSpec,
};
pub use state::SWITCHES_VAR;
pub use switches::{
    AddOnWhenDisabled, ArchivalDuration, ArchiveImageSnapshot, AutoSnapshotInProgress,
    AutoSnapshotOrder, CopyDuringAutoSnapshot, DeregisteredImage, DestinationInfo, ErrorEnvelope,
    ExportRecordOrder, ExportRecordsOnSnapshotDelete, InstanceStatusWhileBooting, LaunchCapacity,
    NewInstanceVisibility, SnapshotNameScope, SwitchInfo, Switches, TagValueWhenKeyOnly,
    TerminatedInstanceLookup, CATALOG, DEFAULT_PAGE_SIZE,
};
pub use world::ec2::{Ec2ImageInfo, Ec2SnapshotInfo, MANAGED_TAG};
pub use world::machines::{Ec2InstanceInfo, Ec2VolumeInfo};
pub use world::net::{Ec2RuleInfo, Ec2SecurityGroupInfo};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid scenario: {0}")]
    Scenario(String),
    #[error("invalid switch: {0}")]
    Switch(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// One write operation received, whether or not it was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteRecord {
    pub seq: u64,
    /// Simulated epoch seconds.
    pub at: f64,
    pub region: String,
    /// "CopySnapshot", "ExportSnapshot", "DeleteInstanceSnapshot", "TagResource", ...
    pub operation: String,
    /// The snapshot created / exported / deleted, or the resource tagged.
    pub target: String,
    /// CopySnapshot: sourceResourceName or sourceSnapshotName.
    pub source: Option<String>,
    /// True when the write changed the world (even if its response was then dropped).
    pub applied: bool,
    /// The __type returned, or "DroppedConnection"/"ServiceException" for injected faults.
    pub error: Option<String>,
}

/// A running emulator. Dropping it stops the server and closes its connections.
pub struct Emulator {
    state: Arc<state::Shared>,
    addr: SocketAddr,
    server: server::ServerHandle,
}

impl Emulator {
    /// Starts on 127.0.0.1 on a free port. The switches are the scenario's with
    /// `LIGHTSAIL_EMULATOR_SWITCHES` (a JSON object) merged over them.
    pub async fn start(scenario: Scenario) -> Result<Emulator, Error> {
        Emulator::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), scenario).await
    }

    pub async fn start_on(addr: SocketAddr, scenario: Scenario) -> Result<Emulator, Error> {
        Emulator::start_with_switches(addr, scenario, serde_json::Value::Null).await
    }

    /// As `start_on`, with `switches` (a partial object) merged after the environment's, on
    /// this start and on every later `reset`/`load`: the binary's `--switch`.
    pub async fn start_with_switches(
        addr: SocketAddr,
        scenario: Scenario,
        switches: serde_json::Value,
    ) -> Result<Emulator, Error> {
        let state = Arc::new(state::Shared::new(scenario, switches)?);
        let (addr, server) = server::serve(addr, state.clone()).await?;
        Ok(Emulator {
            state,
            addr,
            server,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulated clock, epoch seconds.
    pub fn now(&self) -> f64 {
        self.state.now()
    }

    /// Simulated seconds per real second (0 = the clock moves only when advanced).
    pub fn speed(&self) -> f64 {
        self.state.speed()
    }

    pub fn set_speed(&self, speed: f64) {
        self.state.set_speed(speed)
    }

    pub fn advance(&self, seconds: f64) {
        self.state.advance(seconds)
    }

    /// A reader of the simulated clock that outlives this borrow (it shares the state, not the
    /// server), for code that must wait in simulated time.
    pub fn clock(&self) -> impl Fn() -> f64 + Send + Sync + 'static {
        let state = self.state.clone();
        move || state.now()
    }

    pub fn switches(&self) -> Switches {
        self.state.switches()
    }

    /// Replaces the switches from now on; the world is kept.
    pub fn set_switches(&self, switches: Switches) {
        self.state.set_switches(switches)
    }

    /// The page size in force: `switches.pageSize`, else the scenario's `pageSize`, else 20.
    pub fn page_size(&self) -> usize {
        self.state.page_size()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults)
    }

    pub fn faults(&self) -> Faults {
        self.state.faults()
    }

    /// Operation name (Lightsail or EC2) -> calls received (faulted ones included).
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.state.call_counts()
    }

    /// (region, operation) -> calls received (faulted ones included).
    pub fn call_counts_by_region(&self) -> BTreeMap<(String, String), u64> {
        self.state.call_counts_by_region()
    }

    /// Every write operation received, in order.
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.state.writes()
    }

    /// Every EC2 AMI of every region (deregistered ones too, in state `deregistered`), with
    /// its state as of the simulated now.
    pub fn ec2_images(&self) -> Vec<Ec2ImageInfo> {
        self.state.ec2_images()
    }

    /// Every EBS snapshot of every region (deleted ones are gone), state as of now.
    pub fn ec2_snapshots(&self) -> Vec<Ec2SnapshotInfo> {
        self.state.ec2_snapshots()
    }

    /// Every EC2 instance of every region still visible (a terminated one until
    /// `durations.terminatedVisibleSeconds` after), state as of now.
    pub fn ec2_instances(&self) -> Vec<Ec2InstanceInfo> {
        self.state.ec2_instances()
    }

    /// Every EBS volume of every region not yet gone, state as of now.
    pub fn ec2_volumes(&self) -> Vec<Ec2VolumeInfo> {
        self.state.ec2_volumes()
    }

    /// Every security group of every region (each default VPC's `default` group too).
    pub fn ec2_security_groups(&self) -> Vec<Ec2SecurityGroupInfo> {
        self.state.ec2_security_groups()
    }

    /// What the deployed role may do in EC2 (the scenario's `ec2Policy` until changed).
    pub fn ec2_policy(&self) -> Ec2Policy {
        self.state.ec2_policy()
    }

    /// Replaces the EC2 policy from the next request on, until the next reset or load.
    pub fn set_ec2_policy(&self, policy: Ec2Policy) {
        self.state.set_ec2_policy(policy)
    }

    /// Back to the scenario as loaded: world, clock, faults and switches (the scenario's, with
    /// the environment's and any `start_with_switches` ones over them); logs and counters cleared.
    pub fn reset(&self) {
        self.state.reset()
    }

    /// Replaces the world with a new scenario (as `reset` does, from this scenario).
    pub fn load(&self, scenario: Scenario) {
        self.state.load(scenario)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.stop();
    }
}
