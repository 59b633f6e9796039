//! Fault injection: which Lightsail calls fail, and how. Rolled from a seeded generator so a test
//! that sets the same faults sees the same failures in the same order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    pub seed: u64,
    /// Probability a Lightsail call gets ThrottlingException (HTTP 400), before it is applied.
    pub throttle_rate: f64,
    /// Probability of ServiceException (HTTP 500), before it is applied.
    pub server_error_rate: f64,
    /// Added to every Lightsail call.
    pub latency_ms: u64,
    /// Close the TCP connection without a response, before applying.
    pub drop_connection_rate: f64,
    /// Writes only: apply the write, then close the connection without a response.
    pub drop_after_write_rate: f64,
    /// Restrict the rates above to these operations (empty = all).
    pub operations: Vec<String>,
    /// Resource or snapshot names whose exports end Failed.
    pub fail_exports_for: Vec<String>,
    /// Name -> the first N exports of it end Failed, later ones succeed.
    pub fail_first_exports: BTreeMap<String, u32>,
    /// Resource names whose copies end in state `error`.
    pub fail_copies_for: Vec<String>,
    /// Operation names, or resource and snapshot names: a call of that operation, or naming that
    /// resource or snapshot, gets AccessDeniedException (HTTP 400) before anything is applied,
    /// as when IAM refuses it. Never rolled: always, and without drawing from the generator.
    /// EC2 operations (by name, or by an AMI / snapshot id they name) get UnauthorizedOperation.
    pub access_denied_for: Vec<String>,
    /// Resource or snapshot names whose exports' EC2 artifacts never leave `pending`.
    pub ec2_stuck_for: Vec<String>,
    /// Resource or snapshot names whose exports' EC2 artifacts end `failed` (AMI) / `error`.
    pub ec2_fail_for: Vec<String>,
    /// Regions whose every call (Lightsail and EC2) gets AccessDenied / UnauthorizedOperation
    /// before anything is applied, as under an organization's SCP that denies those regions
    /// (a `Deny` on `aws:RequestedRegion`, a common guardrail). Never rolled.
    pub denied_regions: Vec<String>,
    /// Regions whose every call (Lightsail and EC2) has its connection closed unanswered, as an
    /// endpoint that is gone or a network path that drops everything. Never rolled.
    pub unreachable_regions: Vec<String>,
    /// Every EC2 call has its connection closed unanswered (an EC2 endpoint that cannot be
    /// reached while Lightsail can). Never rolled.
    pub ec2_unreachable: bool,
    /// AMI id, or Lightsail snapshot or resource name -> every RunInstances of that AMI fails:
    /// `capacity` InsufficientInstanceCapacity (HTTP 500), `unsupported` Unsupported (400),
    /// `ena` InvalidParameterCombination (400, the AMI lacks ENA for the type). Never rolled.
    pub launch_refused_for: BTreeMap<String, LaunchRefusal>,
    /// Names (as above) whose instances' status checks end `impaired` / `failed`.
    pub impaired_for: Vec<String>,
    /// Names whose instances' status checks never leave `initializing`.
    pub status_initializing_for: Vec<String>,
    /// Snapshot ids or Lightsail names: volumes CreateVolume makes of them never leave `creating`.
    pub volume_stuck_for: Vec<String>,
    /// Name -> the first N TerminateInstances naming an instance launched from that AMI fail
    /// with InternalError (HTTP 500) before anything is applied.
    pub terminate_fails_for: BTreeMap<String, u32>,
    /// Snapshot ids, or Lightsail snapshot or resource names: an archival (ModifySnapshotTier)
    /// of such a snapshot is accepted, then ends `archival-failed` in the standard tier.
    /// Decided when ModifySnapshotTier is accepted. Never rolled.
    pub archival_fails_for: Vec<String>,
}

/// How `launchRefusedFor` refuses a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LaunchRefusal {
    Capacity,
    Unsupported,
    Ena,
}

/// What happens to one call before it reaches the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    None,
    Throttle,
    ServerError,
    Drop,
}

/// The live faults and the generator their rates are rolled with.
#[derive(Debug)]
pub struct FaultState {
    pub faults: Faults,
    rng: fastrand::Rng,
    /// How many exports each name in `fail_first_exports` has started (reset with the faults).
    pub exports_started: BTreeMap<String, u32>,
    /// How many TerminateInstances each name in `terminate_fails_for` has failed so far.
    pub terminates_failed: BTreeMap<String, u32>,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        FaultState {
            rng: fastrand::Rng::with_seed(faults.seed),
            faults,
            exports_started: BTreeMap::new(),
            terminates_failed: BTreeMap::new(),
        }
    }

    fn applies_to(&self, operation: &str) -> bool {
        self.faults.operations.is_empty() || self.faults.operations.iter().any(|o| o == operation)
    }

    /// Rolls the before-apply faults for one call. One roll per kind, in a fixed order, so the
    /// sequence of outcomes depends only on the seed and the sequence of calls.
    pub fn roll_before(&mut self, operation: &str) -> Injected {
        if !self.applies_to(operation) {
            return Injected::None;
        }
        let f = &self.faults;
        let (drop, throttle, server) =
            (f.drop_connection_rate, f.throttle_rate, f.server_error_rate);
        if roll(&mut self.rng, drop) {
            Injected::Drop
        } else if roll(&mut self.rng, throttle) {
            Injected::Throttle
        } else if roll(&mut self.rng, server) {
            Injected::ServerError
        } else {
            Injected::None
        }
    }

    /// Rolls drop-after-write for a write that was applied.
    pub fn roll_drop_after_write(&mut self, operation: &str) -> bool {
        self.applies_to(operation) && roll(&mut self.rng, self.faults.drop_after_write_rate)
    }

    /// The name an `access_denied_for` entry refuses this call for, if any: the operation's
    /// own name, or a resource or snapshot name the request names.
    pub fn denied(&self, operation: &str, input: &serde_json::Value) -> Option<String> {
        let denied = &self.faults.access_denied_for;
        if denied.is_empty() {
            return None;
        }
        if denied.iter().any(|d| d == operation) {
            return Some(operation.to_string());
        }
        NAME_FIELDS
            .iter()
            .filter_map(|field| input.get(*field).and_then(serde_json::Value::as_str))
            .find(|name| denied.iter().any(|d| d == name))
            .map(str::to_string)
    }

    /// Whether `unreachable_regions` (or, for EC2, `ec2_unreachable`) drops this call.
    pub fn unreachable(&self, region: &str, ec2: bool) -> bool {
        (ec2 && self.faults.ec2_unreachable)
            || self.faults.unreachable_regions.iter().any(|r| r == region)
    }

    /// Whether `denied_regions` refuses every call to `region`.
    pub fn denied_region(&self, region: &str) -> bool {
        self.faults.denied_regions.iter().any(|r| r == region)
    }

    /// The first `access_denied_for` entry that is this EC2 operation or one of the ids it names.
    pub fn denied_ec2(&self, operation: &str, ids: &[String]) -> Option<String> {
        self.faults
            .access_denied_for
            .iter()
            .find(|d| *d == operation || ids.contains(d))
            .cloned()
    }

    /// Whether one of `names` is in `list`.
    pub fn names_any(list: &[String], names: &[String]) -> bool {
        list.iter().any(|n| names.contains(n))
    }

    /// Counts one TerminateInstances of instances launched from images named `names` (one
    /// list per instance) against `terminate_fails_for`; true when it fails.
    pub fn terminate_fails(&mut self, names: &[Vec<String>]) -> bool {
        let limits = &self.faults.terminate_fails_for;
        let hit = limits
            .iter()
            .find(|(n, _)| names.iter().any(|ns| ns.contains(n)))
            .map(|(n, limit)| (n.clone(), *limit));
        let Some((name, limit)) = hit else {
            return false;
        };
        let failed = self.terminates_failed.entry(name).or_insert(0);
        if *failed < limit {
            *failed += 1;
            true
        } else {
            false
        }
    }

    pub fn copy_fails(&self, resource: &str, snapshot: &str) -> bool {
        self.faults
            .fail_copies_for
            .iter()
            .any(|n| n == resource || n == snapshot)
    }

    /// Decides whether an export of `snapshot` (of `resource`) ends Failed, counting it against
    /// `fail_first_exports`.
    pub fn export_fails(&mut self, resource: &str, snapshot: &str) -> bool {
        let mut fails = self
            .faults
            .fail_exports_for
            .iter()
            .any(|n| n == resource || n == snapshot);
        for name in [snapshot, resource] {
            if let Some(&limit) = self.faults.fail_first_exports.get(name) {
                let started = self.exports_started.entry(name.to_string()).or_insert(0);
                *started += 1;
                if *started <= limit {
                    fails = true;
                }
            }
        }
        fails
    }
}

/// The request members that name a resource or a snapshot.
const NAME_FIELDS: &[&str] = &[
    "instanceName",
    "diskName",
    "resourceName",
    "instanceSnapshotName",
    "diskSnapshotName",
    "sourceResourceName",
    "sourceSnapshotName",
    "targetSnapshotName",
];

fn roll(rng: &mut fastrand::Rng, rate: f64) -> bool {
    // Always draw, so that changing one rate does not shift the rolls of the others.
    let x = rng.f64();
    rate > 0.0 && x < rate
}
