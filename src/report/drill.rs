//! The restore drill in the output: a target's `restoreTest` (tonight's drill) or
//! `lastRestoreTest` (the last one, read from the export's tag), the summary's `restoreTests`,
//! and a drill's estimated cost.
//!
//! Prices: EC2 On-Demand Linux in us-east-1 (aws.amazon.com/ec2/pricing/on-demand), per hour,
//! billed per second with a 60-second minimum; gp3 volumes $0.08 per GB-month
//! (aws.amazon.com/ebs/pricing). A type not in the table is estimated at t3.medium's price.

use serde::{Deserialize, Serialize};

use crate::model::drill::{DrillResult, DrillState};
use crate::model::Timestamp;

/// While a drill runs, rounds come this often at most (`nextCheckSeconds`), so that
/// `bootSeconds` is measured to within a minute.
pub const DRILL_CHECK_SECONDS: u64 = 60;

/// A drill, as the output shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreTestReport {
    pub state: DrillState,
    /// While RUNNING: `LAUNCHING`, `BOOTING`, `TEARING_DOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// RFC 3339: when the drill started (its timeout counts from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// From the launch to `running` with both status checks `ok` (to within a round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Why it FAILED, or why it waits (a launch refused for capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The drill's instance or volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The AMI or EBS snapshot drilled.
    pub artifact: String,
    /// USD, the drill's instance-hours and volume so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_usd: Option<f64>,
}

// `estimatedUsd` is a finite sum of finite prices, never NaN: equality is an equivalence.
impl Eq for RestoreTestReport {}

/// The last drill of a target not drilled tonight, from its export's tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRestoreTest {
    pub state: DrillState,
    pub finished_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    pub artifact: String,
}

impl LastRestoreTest {
    pub fn of(result: &DrillResult, artifact: &str) -> LastRestoreTest {
        LastRestoreTest {
            state: if result.passed {
                DrillState::Passed
            } else {
                DrillState::Failed
            },
            finished_at: result.finished_at.rfc3339(),
            boot_seconds: result.boot_seconds,
            instance_type: result.instance_type.clone(),
            artifact: artifact.to_string(),
        }
    }
}

/// The summary's `restoreTests`: tonight's drills by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DrillCounts {
    pub running: usize,
    pub passed: usize,
    pub failed: usize,
}

impl DrillCounts {
    pub fn of<'a>(drills: impl Iterator<Item = &'a RestoreTestReport>) -> Option<DrillCounts> {
        let mut counts = DrillCounts::default();
        let mut any = false;
        for drill in drills {
            any = true;
            match drill.state {
                DrillState::Running => counts.running += 1,
                DrillState::Passed => counts.passed += 1,
                DrillState::Failed => counts.failed += 1,
            }
        }
        any.then_some(counts)
    }

    pub fn add(self, other: DrillCounts) -> DrillCounts {
        DrillCounts {
            running: self.running + other.running,
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
        }
    }
}

/// USD per hour, On-Demand Linux, us-east-1.
const INSTANCE_PRICES: &[(&str, f64)] = &[
    ("t2.nano", 0.0058),
    ("t2.micro", 0.0116),
    ("t2.small", 0.023),
    ("t2.medium", 0.0464),
    ("t2.large", 0.0928),
    ("t2.xlarge", 0.1856),
    ("t2.2xlarge", 0.3712),
    ("t3.nano", 0.0052),
    ("t3.micro", 0.0104),
    ("t3.small", 0.0208),
    ("t3.medium", 0.0416),
    ("t3.large", 0.0832),
    ("t3.xlarge", 0.1664),
    ("t3.2xlarge", 0.3328),
];
/// gp3, USD per GB-month; a month is 730 hours in AWS's pricing.
const VOLUME_PRICE: f64 = 0.08;
const HOURS_A_MONTH: f64 = 730.0;

/// A drill's cost: the instance (if any) and `size_gib` of volume for the time it ran.
pub fn drill_usd(
    instance_type: Option<&str>,
    size_gib: i64,
    started: Timestamp,
    until: Timestamp,
) -> f64 {
    let hours = until.since(started).as_secs().max(60) as f64 / 3600.0;
    let hourly = instance_type.map_or(0.0, |kind| {
        (INSTANCE_PRICES.iter())
            .find(|(name, _)| *name == kind)
            .map_or(0.0416, |(_, price)| *price)
    });
    let volume = size_gib.max(0) as f64 * VOLUME_PRICE / HOURS_A_MONTH;
    ((hourly + volume) * hours * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::test_util::at;

    #[test]
    fn a_drill_costs_its_hours_at_least_a_minute() {
        let start = at(1_796_360_400.0);
        // Half an hour of t3.micro and 8 GiB of gp3.
        let usd = drill_usd(Some("t3.micro"), 8, start, at(1_796_362_200.0));
        assert_eq!(
            usd,
            ((0.0104 + 8.0 * 0.08 / 730.0) * 0.5 * 10_000.0_f64).round() / 10_000.0
        );
        // A volume alone, for ten seconds: billed a minute.
        assert_eq!(drill_usd(None, 730, start, at(1_796_360_410.0)), 0.0013);
        let counts = DrillCounts::of(std::iter::empty());
        assert_eq!(counts, None);
    }
}
