//! What the function's output holds in storage, and what it costs a month: the GiB of the EC2
//! snapshots it labelled and of the Lightsail copies it made, at per-GiB prices.
//!
//! The default prices are AWS's public list prices in us-east-1: Amazon EBS snapshots (standard
//! tier) $0.05 per GB-month (aws.amazon.com/ebs/pricing) and Lightsail snapshots $0.05 per
//! GB-month (aws.amazon.com/lightsail/pricing). EBS snapshots are incremental and billed on the
//! blocks they hold, so the volume sizes counted here are an upper bound.

use serde::{Deserialize, Serialize};

use crate::model::{ArtifactKind, Ec2Artifact, ManualSnapshot};

/// USD per GiB-month (`EC2_SNAPSHOT_PRICE`, `LIGHTSAIL_SNAPSHOT_PRICE`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prices {
    pub ec2_snapshot: f64,
    pub lightsail_snapshot: f64,
    /// `EC2_ARCHIVE_PRICE`: the EBS snapshot archive tier (absent in outputs made before it).
    #[serde(default = "archive_price")]
    pub ec2_archive: f64,
}

/// The EBS Snapshots Archive's list price, USD per GB-month (docs/evidence.md §18).
pub const ARCHIVE_PRICE: f64 = 0.0125;

fn archive_price() -> f64 {
    ARCHIVE_PRICE
}

impl Default for Prices {
    fn default() -> Prices {
        Prices {
            ec2_snapshot: 0.05,
            lightsail_snapshot: 0.05,
            ec2_archive: ARCHIVE_PRICE,
        }
    }
}

/// The output's `cost`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// The volume sizes of the EC2 snapshots the function labelled (an upper bound of what
    /// EBS bills, as snapshots are incremental).
    #[serde(rename = "ec2SnapshotGiB")]
    pub ec2_snapshot_gib: i64,
    /// Of those, in the standard tier and in the archive tier (`EC2_ARCHIVE_AFTER`; priced at
    /// `pricePerGiBMonth.ec2Archive`, and billed as full snapshots).
    #[serde(rename = "ec2StandardGiB", default)]
    pub ec2_standard_gib: i64,
    #[serde(rename = "ec2ArchiveGiB", default)]
    pub ec2_archive_gib: i64,
    /// The sizes of the Lightsail copies the function made and still keeps.
    #[serde(rename = "lightsailCopyGiB")]
    pub lightsail_copy_gib: i64,
    /// USD a month at `pricePerGiBMonth`.
    pub estimated_monthly_usd: f64,
    #[serde(rename = "pricePerGiBMonth")]
    pub price_per_gib_month: Prices,
    /// USD, tonight's restore drills (their instance-hours and volumes, `estimatedUsd` each).
    /// Absent when none ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test_usd: Option<f64>,
}

/// The cost of tonight's drills, as the targets report them.
pub fn drills_usd(targets: &[crate::report::TargetReport]) -> Option<f64> {
    let each = targets
        .iter()
        .filter_map(|t| t.restore_test.as_ref()?.estimated_usd);
    let mut any = false;
    let total: f64 = each.inspect(|_| any = true).sum();
    any.then_some((total * 10_000.0).round() / 10_000.0)
}

/// The cost of the function's EC2 snapshots (AMIs are counted through their snapshots) and of
/// its Lightsail copies (`managed` tells them from a user's).
pub fn cost(
    artifacts: &[Ec2Artifact],
    copies: &[ManualSnapshot],
    managed: impl Fn(&ManualSnapshot) -> bool,
    prices: Prices,
) -> Cost {
    let snapshots = || {
        artifacts
            .iter()
            .filter(|a| a.kind == ArtifactKind::Snapshot)
    };
    let ec2: i64 = snapshots().map(|a| a.size_gib).sum();
    let archive: i64 = snapshots()
        .filter(|a| a.storage_tier.as_deref() == Some("archive"))
        .map(|a| a.size_gib)
        .sum();
    let lightsail: i64 = copies
        .iter()
        .filter(|c| managed(c))
        .filter_map(|c| c.size_gib)
        .sum();
    let monthly = (ec2 - archive) as f64 * prices.ec2_snapshot
        + archive as f64 * prices.ec2_archive
        + lightsail as f64 * prices.lightsail_snapshot;
    Cost {
        ec2_snapshot_gib: ec2,
        ec2_standard_gib: ec2 - archive,
        ec2_archive_gib: archive,
        lightsail_copy_gib: lightsail,
        estimated_monthly_usd: (monthly * 100.0).round() / 100.0,
        price_per_gib_month: prices,
        restore_test_usd: None,
    }
}

/// The sum of several regions' costs (each at its own prices), or `None` when there is none.
pub fn total<'a>(costs: impl Iterator<Item = &'a Cost>) -> Option<Cost> {
    costs.cloned().reduce(|sum, more| Cost {
        ec2_snapshot_gib: sum.ec2_snapshot_gib + more.ec2_snapshot_gib,
        ec2_standard_gib: sum.ec2_standard_gib + more.ec2_standard_gib,
        ec2_archive_gib: sum.ec2_archive_gib + more.ec2_archive_gib,
        lightsail_copy_gib: sum.lightsail_copy_gib + more.lightsail_copy_gib,
        estimated_monthly_usd: ((sum.estimated_monthly_usd + more.estimated_monthly_usd) * 100.0)
            .round()
            / 100.0,
        price_per_gib_month: sum.price_per_gib_month,
        restore_test_usd: match (sum.restore_test_usd, more.restore_test_usd) {
            (Some(a), Some(b)) => Some(((a + b) * 10_000.0).round() / 10_000.0),
            (a, b) => a.or(b),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ResourceType, SnapshotState};

    #[test]
    fn gib_and_dollars() {
        let snap = |id: &str, gib| Ec2Artifact {
            kind: ArtifactKind::Snapshot,
            id: id.into(),
            state: "completed".into(),
            snapshot_ids: Vec::new(),
            size_gib: gib,
            tags: Vec::new(),
            storage_tier: None,
        };
        let ami = Ec2Artifact {
            kind: ArtifactKind::Image,
            size_gib: 80,
            ..snap("ami-1", 0)
        };
        let copy = |name: &str, gib| ManualSnapshot {
            state: SnapshotState::Ready,
            size_gib: Some(gib),
            ..ManualSnapshot::missing(name, ResourceType::Instance)
        };
        let copies = [copy("mine", 60), copy("users", 500)];
        let cost = cost(
            &[ami, snap("a", 80), snap("b", 64)],
            &copies,
            |c| c.name == "mine",
            Prices::default(),
        );
        assert_eq!((cost.ec2_snapshot_gib, cost.lightsail_copy_gib), (144, 60));
        assert_eq!(cost.estimated_monthly_usd, 10.2);
        let json = serde_json::to_value(&cost).unwrap();
        assert_eq!(json["ec2SnapshotGiB"], 144);
        assert_eq!(json["pricePerGiBMonth"]["ec2Snapshot"], 0.05);
    }
}
