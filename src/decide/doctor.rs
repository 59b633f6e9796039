//! The doctor's judgement: from what it read of an account ([`Facts`]) and the function's
//! configuration, a checklist with the fix for each line ([`report`]), and what the reads show
//! of each of Lightsail's undocumented behaviours ([`guesses`]). Pure: the reads are
//! `doctor::read`'s.

mod access;
mod guesses;
mod schedule;
#[cfg(test)]
mod tests;

use crate::decide::keep;
use crate::decide::preflight::exportable_blueprint;
use crate::input::config::Config;
use crate::model::doctor::{Check, CheckStatus, Facts, Read, Report};
use crate::model::{AutoSnapshotStatus, Resource, ResourceType};

pub use guesses::guesses;

/// A Service Quotas quota a year of exports may reach: its default, where to ask for more.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub what: &'static str,
    pub default: usize,
    /// The Service Quotas service (`ec2`, `ebs`) and the quota's code.
    pub service: &'static str,
    pub code: &'static str,
}

/// AMIs per region: `ec2` `L-B665C33B`, 50,000 by default (Amazon EC2 User Guide, "AMI
/// quotas"; AMIs in the Recycle Bin count too, and DescribeImages does not list them).
pub const AMI_QUOTA: Quota = Quota {
    what: "AMIs",
    default: 50_000,
    service: "ec2",
    code: "L-B665C33B",
};
/// EBS snapshots per region: `ebs` (not `ec2`) `L-309BACF6`, 100,000 by default (Amazon EBS
/// User Guide, "Amazon EBS quotas"; brennerm/aws-quota-checker `aws_quota/check/ebs.py`).
pub const EBS_SNAPSHOT_QUOTA: Quota = Quota {
    what: "EBS snapshots",
    default: 100_000,
    service: "ebs",
    code: "L-309BACF6",
};
/// The share of a quota past which the doctor warns.
const QUOTA_WARN: f64 = 0.8;

/// The checklist and the guesses. The schedule checked is `SCHEDULE_EXPRESSION`'s.
pub fn report(facts: &Facts, config: &Config) -> Report {
    let schedule = schedule::Schedule {
        expression: config.schedule_expression.as_deref(),
        timezone: config.schedule_timezone.as_deref(),
    };
    let mut checks: Vec<Check> = facts
        .invalid_configuration
        .iter()
        .map(|error| {
            check("configuration", None, CheckStatus::Fail, format!("every night fails before any call: {error}; the checks below use the defaults"))
                .fix("correct the variable named (docs/configuration.md): the stack's parameters, or the function's environment")
        })
        .collect();
    checks.push(credentials(facts));
    let (targets, listing) = targets(facts, config);
    checks.extend(listing);
    for resource in &targets {
        checks.extend(target_checks(facts, resource, schedule));
    }
    checks.extend(records(facts));
    checks.extend(access::service_linked_role(facts));
    checks.push(access::permissions(facts));
    checks.extend(quotas(facts, config, &targets));
    let status = checks
        .iter()
        .map(|c| c.status)
        .filter(|s| *s != CheckStatus::Info)
        .max()
        .unwrap_or(CheckStatus::Ok);
    Report {
        status,
        account: facts.caller.value().map(|c| c.account.clone()),
        region: facts.region.clone(),
        source_region: facts.source_region.clone(),
        checks,
        guesses: guesses(facts),
    }
}

fn check(check: &'static str, subject: Option<&str>, status: CheckStatus, detail: String) -> Check {
    Check {
        check,
        subject: subject.map(str::to_string),
        status,
        detail,
        fix: None,
    }
}

impl Check {
    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

fn credentials(facts: &Facts) -> Check {
    match &facts.caller {
        Read::Done(caller) => check(
            "credentials",
            None,
            CheckStatus::Ok,
            format!("account {} as {}", caller.account, caller.arn),
        ),
        Read::Failed(error) => check(
            "credentials",
            None,
            CheckStatus::Fail,
            format!("GetCallerIdentity failed: {error}"),
        )
        .fix("give the doctor credentials: AWS_PROFILE or `aws sso login` locally; deployed, the function's role"),
        Read::NotRead => check(
            "credentials",
            None,
            CheckStatus::Info,
            "not checked".into(),
        ),
    }
}

/// The resources the configuration selects, and the checklist lines of finding them.
pub(crate) fn targets(facts: &Facts, config: &Config) -> (Vec<Resource>, Vec<Check>) {
    let region = &facts.source_region;
    let seen = match &facts.resources {
        Read::Done(seen) => seen,
        Read::Failed(error) => {
            let line = check(
                "targets",
                None,
                CheckStatus::Fail,
                format!("cannot list the instances and disks of {region}: {error}"),
            )
            .fix(
                "allow lightsail:GetInstances and lightsail:GetDisks (the template's policy does)",
            );
            return (Vec::new(), vec![line]);
        }
        Read::NotRead => return (Vec::new(), Vec::new()),
    };
    if config.targets.is_empty() && config.target_tag.is_none() {
        let line = check("targets", None, CheckStatus::Fail, "no target: neither TARGETS nor TARGET_TAG is set".into())
            .fix("set TARGET_TAG (the template's TargetTag, e.g. export=nightly) and tag the instances and disks to export, or list them in TARGETS");
        return (Vec::new(), vec![line]);
    }
    let mut lines = Vec::new();
    let mut chosen: Vec<Resource> = Vec::new();
    for name in &config.targets {
        match seen.iter().find(|s| &s.resource.name == name) {
            Some(s) => chosen.push(s.resource.clone()),
            None => lines.push(
                check(
                    "targets",
                    Some(name),
                    CheckStatus::Fail,
                    format!("no instance or disk named `{name}` in {region}"),
                )
                .fix("correct TARGETS, or set SOURCE_REGION to the region the resource is in"),
            ),
        }
    }
    if let Some(filter) = &config.target_tag {
        let tagged: Vec<Resource> = seen
            .iter()
            .map(|s| &s.resource)
            .filter(|r| filter.selects(&r.tags) && !chosen.iter().any(|c| c.name == r.name))
            .cloned()
            .collect();
        let none_tagged = tagged.is_empty();
        chosen.extend(tagged);
        if none_tagged {
            lines.push(
                check(
                    "targets",
                    None,
                    CheckStatus::Warn,
                    format!("no instance or disk of {region} has the tag `{filter}`"),
                )
                .fix(format!(
                    "tag what to export: aws lightsail tag-resource --resource-name NAME --tags {}",
                    tag_arg(filter)
                )),
            );
        }
    }
    if !chosen.is_empty() {
        let names: Vec<&str> = chosen.iter().map(|r| r.name.as_str()).collect();
        let detail = format!(
            "{} target(s) in {region}: {}",
            chosen.len(),
            names.join(", ")
        );
        lines.insert(0, check("targets", None, CheckStatus::Ok, detail));
    }
    (chosen, lines)
}

fn tag_arg(filter: &crate::model::TagFilter) -> String {
    let text = filter.to_string();
    match text.split_once('=') {
        Some((key, value)) => format!("key={key},value={value}"),
        None => format!("key={text}"),
    }
}

/// A target's add-on, automatic snapshots, blueprint and schedule.
fn target_checks(facts: &Facts, resource: &Resource, schedule: schedule::Schedule) -> Vec<Check> {
    let name = resource.name.as_str();
    let mut lines = Vec::new();
    if resource.auto_snapshots_enabled != Some(true) {
        let kind = match resource.resource_type {
            ResourceType::Instance => "instance",
            ResourceType::Disk => "disk",
        };
        lines.push(
            check("autoSnapshots", Some(name), CheckStatus::Fail, format!("automatic snapshots are off for {kind} `{name}`: there is nothing to export"))
                .fix(format!("aws lightsail enable-add-on --resource-name {name} --add-on-request addOnType=AutoSnapshot")),
        );
    } else {
        lines.push(auto_snapshots(facts, name));
        lines.push(schedule::check_window(
            name,
            resource.snapshot_time_of_day.as_deref(),
            schedule,
        ));
    }
    if resource.resource_type == ResourceType::Instance
        && !exportable_blueprint(&resource.blueprint_id, &resource.blueprint_name)
    {
        lines.push(
            check("blueprint", Some(name), CheckStatus::Fail, format!("instance `{name}` runs blueprint `{}`: Lightsail cannot export snapshots of cPanel & WHM, Django or Ghost instances (the target would FAIL NotExportable)", resource.blueprint_id))
                .fix("leave it out of the targets, or move its data to an instance of another blueprint"),
        );
    }
    lines
}

fn auto_snapshots(facts: &Facts, name: &str) -> Check {
    let listed = facts.auto_snapshots.iter().find(|(n, _)| n == name);
    match listed.map(|(_, read)| read) {
        Some(Read::Done(snapshots)) => {
            let restorable: Vec<_> = snapshots
                .iter()
                .filter(|s| s.status == AutoSnapshotStatus::Success)
                .collect();
            match restorable.iter().map(|s| s.date).max() {
                Some(newest) => check("autoSnapshots", Some(name), CheckStatus::Ok, format!("{} restorable automatic snapshot(s), the newest of {newest}", restorable.len())),
                None => check("autoSnapshots", Some(name), CheckStatus::Warn, format!("no restorable automatic snapshot yet ({} listed, none Success)", snapshots.len()))
                    .fix("wait for the first automatic snapshot (the add-on takes one a day at its snapshot time)"),
            }
        }
        Some(Read::Failed(error)) => check(
            "autoSnapshots",
            Some(name),
            CheckStatus::Fail,
            format!("GetAutoSnapshots failed: {error}"),
        )
        .fix("allow lightsail:GetAutoSnapshots (the template's policy does)"),
        Some(Read::NotRead) | None => check(
            "autoSnapshots",
            Some(name),
            CheckStatus::Info,
            "not read".into(),
        ),
    }
}

fn records(facts: &Facts) -> Option<Check> {
    match &facts.records {
        Read::Failed(error) => Some(
            check("exportRecords", None, CheckStatus::Fail, format!("GetExportSnapshotRecords failed in {}: {error}", facts.region))
                .fix("allow lightsail:GetExportSnapshotRecords (the template's policy does): the function follows every export through it"),
        ),
        Read::Done(records) => Some(check("exportRecords", None, CheckStatus::Ok, format!("{} export record(s) in {}", records.len(), facts.region))),
        Read::NotRead => None,
    }
}

/// How many exports per target a year of nightly exports keeps under the `EC2_KEEP_*` rules
/// (365 with none set): the rules run over the nights of a year, tonight's the last.
pub fn kept_per_target(config: &Config) -> usize {
    if !config.ec2_keep.enabled() {
        return 365;
    }
    let Ok(last) = crate::model::Date::parse("2026-12-31") else {
        return 365;
    };
    let candidates: Vec<keep::Candidate> = (0..365)
        .map(|n| keep::Candidate {
            date: last.days_earlier(n),
            tonight: n == 0,
        })
        .collect();
    let now = last.midnight() + std::time::Duration::from_secs(7 * 3600);
    keep::reasons(&config.ec2_keep, &candidates, now)
        .iter()
        .filter(|reasons| !reasons.is_empty())
        .count()
}

/// The EC2 quotas a year of nightly exports would reach, and the Lightsail copies.
fn quotas(facts: &Facts, config: &Config, targets: &[Resource]) -> Vec<Check> {
    let kept = kept_per_target(config);
    let instances = targets
        .iter()
        .filter(|r| r.resource_type == ResourceType::Instance)
        .count();
    let bound = if config.ec2_keep.enabled() {
        format!(
            "{kept} per target (keep rules: {})",
            config.ec2_keep.describe()
        )
    } else {
        "365 per target: nothing is retired (no EC2_KEEP_* rule is set)".into()
    };
    let mut lines = Vec::new();
    match &facts.ec2 {
        Read::Done(counts) => {
            // An instance's export is an AMI and one EBS snapshot per disk of it, a disk's one
            // EBS snapshot: at least one snapshot per target a night.
            let amis = counts.images + instances * kept;
            let snapshots = counts.snapshots + targets.len() * kept;
            lines.push(quota(AMI_QUOTA, counts.images, amis, &bound));
            lines.push(quota(
                EBS_SNAPSHOT_QUOTA,
                counts.snapshots,
                snapshots,
                &bound,
            ));
        }
        Read::Failed(error) => lines.push(
            check(
                "quota",
                Some("EC2"),
                CheckStatus::Warn,
                format!(
                    "cannot count this account's AMIs and EBS snapshots in {}: {error}",
                    facts.region
                ),
            )
            .fix("allow ec2:DescribeImages and ec2:DescribeSnapshots (the template's policy does)"),
        ),
        Read::NotRead => {}
    }
    if let Read::Done(names) = &facts.manual_snapshots {
        let copies = if !config.copies_keep.enabled() {
            "no COPIES_KEEP_* rule (or KEEP_COPIES) is set: the function keeps every copy it makes unless DELETE_COPY_AFTER_EXPORT".to_string()
        } else {
            format!("the copies' keep rules: {}", config.copies_keep.describe())
        };
        lines.push(check(
            "quota",
            Some("Lightsail manual snapshots"),
            CheckStatus::Info,
            format!(
                "{} manual snapshot(s) in {}; Lightsail documents no quota on them; {copies}",
                names.len(),
                facts.region
            ),
        ));
    }
    lines
}

fn quota(quota: Quota, now: usize, in_a_year: usize, bound: &str) -> Check {
    let Quota {
        what,
        default,
        service,
        code,
    } = quota;
    let detail = format!("{now} {what} now, at least {in_a_year} after a year of nights ({bound}); the default quota is {default} per region");
    let fix = format!("set keep rules (EC2_KEEP_LAST, _DAILY, _WEEKLY, _MONTHLY, _YEARLY, _WITHIN), or ask for more in Service Quotas (aws service-quotas request-service-quota-increase --service-code {service} --quota-code {code}); if it was raised already, compare with the applied value there");
    let share = in_a_year as f64 / default as f64;
    if share >= 1.0 {
        check("quota", Some(what), CheckStatus::Fail, detail).fix(fix)
    } else if share >= QUOTA_WARN {
        check("quota", Some(what), CheckStatus::Warn, detail).fix(fix)
    } else {
        check("quota", Some(what), CheckStatus::Ok, detail)
    }
}
