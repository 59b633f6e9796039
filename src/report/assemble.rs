//! A round's output in one region: its targets' reports, their summary, the run's status, and
//! when to look again.

use super::merge::Echo;
use super::{status, summarise, Output, Status, TargetReport};

/// Where a round ran, for the output of a cross-region run.
pub struct Regions {
    pub region: String,
    pub source_region: String,
}

/// Whether a round reached every target, or left some for the next round because the Lambda
/// deadline was near (the next round is then due at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Every,
    Deferred,
}

/// The round's output.
pub fn output(echo: Echo, reports: Vec<TargetReport>, reach: Reach, regions: Regions) -> Output {
    let summary = summarise(&reports);
    let status = status(&summary);
    let next_check_seconds = match status {
        _ if reach == Reach::Deferred => 1,
        // A drill that boots is looked at every minute, so that `bootSeconds` is measured.
        Status::InProgress if summary.restore_tests.is_some_and(|d| d.running > 0) => echo
            .next_check_seconds
            .min(super::drill::DRILL_CHECK_SECONDS),
        Status::InProgress => echo.next_check_seconds,
        Status::Succeeded | Status::Failed => 0,
    };
    let cross_region = regions.region != regions.source_region;
    Output {
        status,
        next_check_seconds,
        summary,
        targets: reports,
        restore_date: echo.restore_date,
        dry_run: echo.dry_run,
        restore_test: echo.restore_test,
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
    use crate::model::Phase;

    /// What a plan with the default configuration echoes.
    fn plan(_targets: &[&str]) -> Echo {
        Echo {
            restore_date: None,
            dry_run: None,
            restore_test: None,
            next_check_seconds: 300,
        }
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
            output(p.clone(), with(Phase::Copying), Reach::Every, regions()).next_check_seconds,
            300
        );
        assert_eq!(
            output(p.clone(), with(Phase::Copying), Reach::Deferred, regions()).next_check_seconds,
            1
        );
        let done = output(p.clone(), with(Phase::Exported), Reach::Every, regions());
        assert_eq!(
            (done.status, done.next_check_seconds, done.region),
            (Status::Succeeded, 0, None)
        );
        let cross = Regions {
            region: "us-east-1".into(),
            source_region: "eu-west-1".into(),
        };
        let out = output(p.clone(), with(Phase::Failed), Reach::Every, cross);
        assert_eq!(out.source_region.as_deref(), Some("eu-west-1"));
    }
}
