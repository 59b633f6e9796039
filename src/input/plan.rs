//! A validated plan for one round: the request merged over the configuration.

use std::time::Duration;

use super::config::{Config, DrillPolicy};
use super::request::{PreviousTarget, Request};
use crate::error::Error;
use crate::model::keep::{KeepRules, Span};
use crate::model::AutoSnapshotToday;
use crate::model::{Date, Timestamp};
use crate::model::{Phase, ResourceType, TagFilter};
use crate::report::cost::Prices;
use crate::report::drill::RestoreTestReport;
use crate::report::kept::KeptEntry;
use crate::report::ExportRecordReport;

/// More targets than this in one invocation is refused: a round must fit in one Lambda run.
/// Bigger fleets fan out (a Map state over targets, see the README).
pub const MAX_TARGETS: usize = 1000;

/// One named target and what earlier rounds of the same run learnt about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    pub name: String,
    /// The automatic-snapshot date an earlier round started on: the run stays on it.
    pub pinned_date: Option<Date>,
    pub resource_type: Option<ResourceType>,
    pub previous_phase: Option<Phase>,
    /// Since when the target waits (on an automatic snapshot, or an EC2 artifact).
    pub waiting_since: Option<Timestamp>,
    /// Since when the target's calls fail transiently (bounded by `MAX_RETRY_WINDOW`).
    pub failing_since: Option<Timestamp>,
    /// The export record the previous round showed.
    pub previous_record: Option<ExportRecordReport>,
    pub auto_snapshot_today: Option<AutoSnapshotToday>,
    /// The restore drill the previous round reported.
    pub previous_drill: Option<RestoreTestReport>,
    /// The exports earlier rounds of the night retired (`retiredTonight`).
    pub previous_retired: Vec<KeptEntry>,
}

impl TargetSpec {
    pub fn named(name: impl Into<String>) -> TargetSpec {
        TargetSpec {
            name: name.into(),
            pinned_date: None,
            resource_type: None,
            previous_phase: None,
            waiting_since: None,
            failing_since: None,
            previous_record: None,
            auto_snapshot_today: None,
            previous_drill: None,
            previous_retired: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Targets by name, in order, without duplicates.
    pub targets: Vec<TargetSpec>,
    /// Targets by tag (resolved by listing instances and disks), added after the named ones.
    pub tag: Option<TagFilter>,
    pub restore_date: Option<Date>,
    pub dry_run: bool,
    /// Echoed in the output when the request or the environment set it.
    pub echo_dry_run: Option<bool>,
    pub name_format: String,
    pub max_export_attempts: u32,
    pub concurrency: usize,
    pub next_check_seconds: u64,
    pub retention: Retention,
    /// `EC2_TAGS`.
    pub ec2_tags: Vec<(String, String)>,
    /// `EC2_KEEP_*` (with `EC2_KEEP`, `EC2_KEEP_DAYS`).
    pub ec2_keep: KeepRules,
    /// `EC2_ARCHIVE_AFTER`.
    pub archive_after: Option<Span>,
    pub prices: Prices,
    /// `MAX_AUTO_SNAPSHOT_WAIT`.
    pub max_auto_snapshot_wait: Duration,
    /// `MAX_RETRY_WINDOW`.
    pub max_retry_window: Duration,
    /// `RESTORE_TEST_*`, and the request's `restoreTest`.
    pub drill: DrillPolicy,
    /// When this round runs (Lightsail's clock; see `Clock`).
    pub now: Timestamp,
}

/// What to delete once targets are exported (only copies the function made and tagged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub delete_after_export: bool,
    /// `COPIES_KEEP_*`: which copies per resource to keep; none set keeps all.
    pub keep: KeepRules,
}

impl Retention {
    pub fn enabled(&self) -> bool {
        self.delete_after_export || self.keep.enabled()
    }
}

/// The named targets, in order, without duplicates, each with what the previous output says of
/// it (checked: a bad date there is bad input).
fn target_specs(
    names: Vec<String>,
    previous: Option<&[PreviousTarget]>,
) -> Result<Vec<TargetSpec>, Error> {
    let mut targets: Vec<TargetSpec> = Vec::with_capacity(names.len());
    for name in names {
        if targets.iter().any(|t| t.name == name) {
            continue;
        }
        let previous = previous.and_then(|list| list.iter().find(|t| t.resource == name));
        let bad = |reason: String| {
            Error::InvalidInput(format!("previous output, target `{name}`: {reason}"))
        };
        let pinned_date = match previous.and_then(|p| p.auto_snapshot_date.as_deref()) {
            Some(date) => Some(Date::parse(date).map_err(bad)?),
            None => None,
        };
        let waiting_since = match previous.and_then(|p| p.waiting_since.as_deref()) {
            Some(since) => Some(Timestamp::parse_rfc3339(since).map_err(bad)?),
            None => None,
        };
        let failing_since = match previous.and_then(|p| p.failing_since.as_deref()) {
            Some(since) => Some(Timestamp::parse_rfc3339(since).map_err(bad)?),
            None => None,
        };
        targets.push(TargetSpec {
            pinned_date,
            failing_since,
            resource_type: previous.and_then(|p| p.resource_type),
            previous_phase: previous.and_then(|p| p.phase),
            waiting_since,
            previous_record: previous.and_then(|p| p.export_record.clone()),
            auto_snapshot_today: previous.and_then(|p| p.auto_snapshot_today.clone()),
            previous_drill: previous.and_then(|p| p.restore_test.clone()),
            previous_retired: previous
                .map(|p| p.retired_tonight.clone())
                .unwrap_or_default(),
            name,
        });
    }
    Ok(targets)
}

impl Plan {
    /// Merges the request over the configuration: a request that names targets or a tag replaces
    /// the environment's selection; otherwise `TARGETS` and `TARGET_TAG` both apply.
    /// `now`: when the round runs, on Lightsail's clock (see `Clock`).
    pub fn new(config: &Config, request: Request, now: Timestamp) -> Result<Plan, Error> {
        let asked_for_targets = request.targets.is_some() || request.target_tag.is_some();
        let (names, tag) = if asked_for_targets {
            let tag = match &request.target_tag {
                Some(text) => Some(
                    TagFilter::parse(text)
                        .map_err(|reason| Error::InvalidInput(format!("targetTag: {reason}")))?,
                ),
                None => None,
            };
            (request.targets.clone().unwrap_or_default(), tag)
        } else {
            (config.targets.clone(), config.target_tag.clone())
        };

        if names.is_empty() && tag.is_none() {
            return Err(Error::NoTargets(
                "no targets: give `targets` or `targetTag` in the input, or set TARGETS or TARGET_TAG"
                    .into(),
            ));
        }
        if names.len() > MAX_TARGETS {
            return Err(Error::InvalidInput(format!(
                "{} targets given, at most {MAX_TARGETS} per invocation (fan out with a Map state)",
                names.len()
            )));
        }
        let restore_date = match &request.restore_date {
            Some(date) => Some(Date::parse(date).map_err(Error::InvalidInput)?),
            None => None,
        };
        let targets = target_specs(names, request.previous.as_deref())?;

        let dry_run = request.dry_run.unwrap_or(config.dry_run);
        let echo_dry_run = request.echo_dry_run(config.dry_run);
        Ok(Plan {
            targets,
            tag,
            restore_date,
            dry_run,
            echo_dry_run,
            name_format: config.name_format.clone(),
            max_export_attempts: config.max_export_attempts,
            concurrency: config.concurrency,
            next_check_seconds: config.next_check_seconds,
            retention: Retention {
                delete_after_export: config.delete_copy_after_export,
                keep: config.copies_keep,
            },
            max_auto_snapshot_wait: config.max_auto_snapshot_wait,
            max_retry_window: config.max_retry_window,
            ec2_tags: config.ec2_tags.clone(),
            ec2_keep: config.ec2_keep,
            archive_after: config.archive_after,
            prices: config.prices,
            drill: DrillPolicy {
                on_demand: request.restore_test == Some(true),
                ..config.restore_test.clone()
            },
            now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(targets: &[&str]) -> Request {
        Request {
            targets: Some(targets.iter().map(|s| s.to_string()).collect()),
            ..Request::default()
        }
    }

    #[test]
    fn request_overrides_environment() {
        let config = Config {
            targets: vec!["env-1".into()],
            target_tag: Some(TagFilter::parse("export").unwrap()),
            dry_run: true,
            ..Config::default()
        };
        let plan = Plan::new(
            &config,
            request(&["web-1", "web-1", "web-2"]),
            Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        let names: Vec<_> = plan.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["web-1", "web-2"]);
        assert_eq!(plan.tag, None);
        assert!(plan.dry_run);
        assert_eq!(plan.echo_dry_run, Some(true));

        let plan = Plan::new(&config, Request::default(), Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(plan.targets, vec![TargetSpec::named("env-1")]);
        assert!(plan.tag.is_some());
    }

    #[test]
    fn no_targets_and_too_many() {
        let error = Plan::new(
            &Config::default(),
            Request::default(),
            Timestamp::UNIX_EPOCH,
        )
        .unwrap_err();
        assert_eq!(error.error_type(), "NoTargets");
        let error = Plan::new(&Config::default(), request(&[]), Timestamp::UNIX_EPOCH).unwrap_err();
        assert_eq!(error.error_type(), "NoTargets");
        let many: Vec<String> = (0..=MAX_TARGETS).map(|i| format!("web-{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let error =
            Plan::new(&Config::default(), request(&names), Timestamp::UNIX_EPOCH).unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput");
    }

    #[test]
    fn bad_dates_and_tags_are_invalid_input() {
        let mut bad_date = request(&["web-1"]);
        bad_date.restore_date = Some("yesterday".into());
        assert_eq!(
            Plan::new(&Config::default(), bad_date, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .error_type(),
            "InvalidInput"
        );
        let bad_tag = Request {
            target_tag: Some("=v".into()),
            ..Request::default()
        };
        assert_eq!(
            Plan::new(&Config::default(), bad_tag, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .error_type(),
            "InvalidInput"
        );
    }

    #[test]
    fn previous_output_pins_dates() {
        let mut req = request(&["web-1", "disk-1"]);
        req.previous = Some(vec![PreviousTarget {
            resource: "web-1".into(),
            region: None,
            resource_type: Some(ResourceType::Instance),
            auto_snapshot_date: Some("2026-11-20".into()),
            phase: Some(Phase::Exporting),
            waiting_since: Some("2026-11-22T06:20:00Z".into()),
            failing_since: Some("2026-11-22T05:20:00Z".into()),
            export_record: None,
            retired_tonight: Vec::new(),
            auto_snapshot_today: None,
            restore_test: None,
        }]);
        let plan = Plan::new(&Config::default(), req, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(
            plan.targets[0]
                .pinned_date
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-11-20")
        );
        assert_eq!(plan.targets[0].resource_type, Some(ResourceType::Instance));
        assert_eq!(
            plan.targets[0].waiting_since,
            Some(Timestamp::from_unix(1_795_328_400))
        );
        assert_eq!(
            plan.targets[0].failing_since,
            Some(Timestamp::from_unix(1_795_324_800))
        );
        assert_eq!(plan.targets[1].pinned_date, None);
        assert_eq!(plan.echo_dry_run, None);
    }
}
