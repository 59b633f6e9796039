//! The scenario's EC2 inputs: hand-made AMIs and EBS snapshots (a user's own, or managed ones of
//! earlier nights with their tags), and the IAM policy the deployed role is given.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Instant, Scenario};
use crate::Error;

/// What the deployed role may do in EC2. The template allows `ec2:DeregisterImage` and
/// `ec2:DeleteSnapshot` only on resources tagged `lightsail-export:managed=true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Ec2Policy {
    /// DeregisterImage / DeleteSnapshot of an artifact without the managed tag gets
    /// `UnauthorizedOperation` (HTTP 403) before anything is applied.
    pub delete_requires_managed_tag: bool,
    /// The restore drill's writes need the managed tag: TerminateInstances, DeleteVolume and
    /// RevokeSecurityGroupEgress/Ingress on resources tagged `lightsail-export:managed=true`;
    /// RunInstances and CreateVolume only with that tag in the request's instance/volume
    /// TagSpecification and on the source AMI / snapshot (and on every security group used);
    /// CreateSecurityGroup only with that tag in its TagSpecification. Otherwise
    /// `UnauthorizedOperation` (HTTP 403), nothing applied.
    pub drill_requires_managed_tag: bool,
}

impl Default for Ec2Policy {
    fn default() -> Ec2Policy {
        Ec2Policy {
            delete_requires_managed_tag: true,
            drill_requires_managed_tag: true,
        }
    }
}

/// The account's network (`ec2Vpc`): each region has a default VPC with a default subnet in
/// zones a, b and c and its `default` security group, unless `defaultVpc` is false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Ec2VpcSpec {
    pub default_vpc: bool,
}

impl Default for Ec2VpcSpec {
    fn default() -> Ec2VpcSpec {
        Ec2VpcSpec { default_vpc: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2ImageSpec {
    /// Default: a generated `ami-` + 17 hex digits.
    #[serde(default)]
    pub image_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    /// `available` (default), `pending` (until ec2Seconds after the start) or `failed`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Default: a day before the start.
    #[serde(default)]
    pub created_at: Option<Instant>,
    /// Its block devices, the root first (`/dev/xvda`, then `/dev/xvdf`…). Default: one of 8 GiB.
    #[serde(default)]
    pub snapshots: Vec<Ec2ImageSnapshotSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2ImageSnapshotSpec {
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(rename = "sizeGiB")]
    pub size_gib: i64,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2SnapshotSpec {
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(rename = "sizeGiB")]
    pub size_gib: i64,
    #[serde(default)]
    pub region: Option<String>,
    /// `completed` (default), `pending` (until ec2Seconds after the start) or `error`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Default: a day before the start.
    #[serde(default)]
    pub created_at: Option<Instant>,
    /// `standard` (default) or `archive`: archived before the start (an earlier night's
    /// ModifySnapshotTier, done at `createdAt`); only a `completed` snapshot can be.
    #[serde(default)]
    pub storage_tier: Option<String>,
}

/// `ami-`/`snap-` and 8 or 17 lower-case hex digits: the two id formats EC2 has issued, for
/// the scenario's ids and the requests' alike.
pub fn is_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|hex| hex.strip_prefix('-'))
        .is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Checks the EC2 inputs: states, id formats, sizes, ids given twice.
pub fn validate(s: &Scenario) -> Result<(), Error> {
    let bad = |m: String| Err(Error::Scenario(m));
    let mut ids = BTreeSet::new();
    let mut check_id = |id: &Option<String>, prefix: &str| -> Result<(), Error> {
        match id {
            Some(id) if !is_id(id, prefix) => Err(Error::Scenario(format!(
                "{id:?} is not a {prefix}- id ({prefix}- and 8 or 17 lower-case hex digits)"
            ))),
            Some(id) if !ids.insert(id.clone()) => {
                Err(Error::Scenario(format!("EC2 id {id} is given twice")))
            }
            _ => Ok(()),
        }
    };
    for i in &s.ec2_images {
        check_id(&i.image_id, "ami")?;
        if let Some(state) = i.state.as_deref() {
            if !["pending", "available", "failed"].contains(&state) {
                return bad(format!("ec2Image {}: unknown state {state:?}", i.name));
            }
        }
        if i.name.len() < 3 || i.name.len() > 128 {
            return bad(format!(
                "ec2Image {:?}: a name is 3 to 128 characters",
                i.name
            ));
        }
        for snap in &i.snapshots {
            check_id(&snap.snapshot_id, "snap")?;
            if snap.size_gib < 1 {
                return bad(format!("ec2Image {}: sizeGiB must be at least 1", i.name));
            }
        }
        if let Some(t) = &i.created_at {
            t.epoch()?;
        }
    }
    for snap in &s.ec2_snapshots {
        check_id(&snap.snapshot_id, "snap")?;
        if let Some(state) = snap.state.as_deref() {
            if !["pending", "completed", "error"].contains(&state) {
                return bad(format!("ec2Snapshot: unknown state {state:?}"));
            }
        }
        if snap.size_gib < 1 {
            return bad("ec2Snapshot: sizeGiB must be at least 1".into());
        }
        match (snap.storage_tier.as_deref(), snap.state.as_deref()) {
            (None | Some("standard"), _) | (Some("archive"), None | Some("completed")) => {}
            (Some("archive"), Some(state)) => {
                return bad(format!(
                    "ec2Snapshot: a {state} snapshot cannot be archived"
                ))
            }
            (Some(other), _) => return bad(format!("ec2Snapshot: unknown storageTier {other:?}")),
        }
        if let Some(t) = &snap.created_at {
            t.epoch()?;
        }
    }
    for r in &s.export_records {
        if let Some(state) = r.ec2_state.as_deref() {
            if !["pending", "available", "failed", "missing"].contains(&state) {
                return bad(format!(
                    "export record of {}: unknown ec2State {state:?}",
                    r.source_name
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_id;

    #[test]
    fn ids() {
        assert!(is_id("ami-0123456789abcdef0", "ami"));
        assert!(is_id("snap-1234abcd", "snap"));
        assert!(!is_id("ami-0123456789ABCDEF0", "ami"));
        assert!(!is_id("snap-0123", "snap"));
        assert!(!is_id("ami-0123456789abcdef0", "snap"));
    }
}
