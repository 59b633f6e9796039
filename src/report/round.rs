//! A round's output in one region: its targets' reports, their summary, the run's status, and
//! when to look again.

use super::{status, summarise, Output, Status, TargetReport};
use crate::input::plan::Plan;

/// Where a round ran, for the output of a cross-region run.
pub struct Regions {
    pub region: String,
    pub source_region: String,
}

/// The round's output. `deferred`: a target was left for the next round (the deadline was
/// near), which is then due at once.
pub fn output(plan: &Plan, reports: Vec<TargetReport>, deferred: bool, regions: Regions) -> Output {
    let summary = summarise(&reports);
    let status = status(&summary);
    let next_check_seconds = match status {
        _ if deferred => 1,
        Status::InProgress => plan.next_check_seconds,
        Status::Succeeded | Status::Failed => 0,
    };
    let cross_region = regions.region != regions.source_region;
    Output {
        status,
        next_check_seconds,
        summary,
        targets: reports,
        restore_date: plan.restore_date.map(|d| d.to_string()),
        dry_run: plan.echo_dry_run,
        region: cross_region.then(|| regions.region.clone()),
        source_region: cross_region.then_some(regions.source_region),
        cost: None,
        summary_by_region: Default::default(),
        region_errors: Vec::new(),
        targets_omitted: None,
        failed_items: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::config::Config;
    use crate::input::request::Request;
    use crate::model::{Phase, Timestamp};

    fn plan(targets: &[&str]) -> Plan {
        let request = Request {
            targets: Some(targets.iter().map(|t| t.to_string()).collect()),
            ..Request::default()
        };
        Plan::new(&Config::default(), request, Timestamp::UNIX_EPOCH).unwrap()
    }

    #[test]
    fn next_checks() {
        let p = plan(&["a"]);
        let regions = || Regions {
            region: "us-east-1".into(),
            source_region: "us-east-1".into(),
        };
        let with = |phase| {
            let mut r = TargetReport::new("a");
            r.phase = phase;
            vec![r]
        };
        assert_eq!(
            output(&p, with(Phase::Copying), false, regions()).next_check_seconds,
            300
        );
        assert_eq!(
            output(&p, with(Phase::Copying), true, regions()).next_check_seconds,
            1
        );
        let done = output(&p, with(Phase::Exported), false, regions());
        assert_eq!(
            (done.status, done.next_check_seconds, done.region),
            (Status::Succeeded, 0, None)
        );
        let cross = Regions {
            region: "us-east-1".into(),
            source_region: "eu-west-1".into(),
        };
        let out = output(&p, with(Phase::Failed), false, cross);
        assert_eq!(out.source_region.as_deref(), Some("eu-west-1"));
    }
}
