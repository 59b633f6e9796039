//! The function's configuration, read once from the environment at cold start.

use std::time::Duration;

use super::names;
use crate::error::Error;
use crate::model::keep::{KeepRules, Span};
use crate::model::TagFilter;
use crate::model::TAG_PREFIX;
use crate::report::cost::Prices;

pub mod keep;
pub mod restore_test;

pub use restore_test::DrillPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `TARGETS`: resource names.
    pub targets: Vec<String>,
    /// `TARGET_TAG`: resources with this tag.
    pub target_tag: Option<TagFilter>,
    /// `SOURCE_REGION`: where the resources and their automatic snapshots live; `None` = the
    /// function's own region.
    pub source_region: Option<String>,
    /// `REGIONS`: the regions one deployment covers (each reconciled with its own clients);
    /// empty = the function's own region only. Not with `SOURCE_REGION`.
    pub regions: Vec<String>,
    /// `SNAPSHOT_NAME_FORMAT`.
    pub name_format: String,
    /// `MAX_EXPORT_ATTEMPTS`: exports started for one copy, failed ones included.
    pub max_export_attempts: u32,
    /// `CONCURRENCY`: targets reconciled at once.
    pub concurrency: usize,
    /// `DRY_RUN`: make no writes, report the ones that would be made.
    pub dry_run: bool,
    /// `NEXT_CHECK_SECONDS`: what the output suggests waiting before the next round.
    pub next_check_seconds: u64,
    /// `DELETE_COPY_AFTER_EXPORT`: delete a target's Lightsail copy once its export succeeded.
    pub delete_copy_after_export: bool,
    /// `COPIES_KEEP_*` (and `KEEP_COPIES`, the older `COPIES_KEEP_LAST`): which of the function's
    /// copies to keep per resource; none set: all (unless `DELETE_COPY_AFTER_EXPORT`).
    pub copies_keep: KeepRules,
    /// `METRICS`: print CloudWatch Embedded Metric Format lines after each round.
    pub metrics: bool,
    /// `METRICS_NAMESPACE`: the CloudWatch namespace of those metrics.
    pub metrics_namespace: String,
    /// `EC2_TAGS` (`key=value,key2=value2`): put on every AMI and EBS snapshot exported, beside
    /// the function's own tags.
    pub ec2_tags: Vec<(String, String)>,
    /// `EC2_KEEP_*` (and `EC2_KEEP`, `EC2_KEEP_DAYS`, the older `EC2_KEEP_LAST` and
    /// `EC2_KEEP_WITHIN=Nd`): which exported AMIs and EBS snapshots to keep; none set by
    /// default (nothing is retired).
    pub ec2_keep: KeepRules,
    /// `EC2_ARCHIVE_AFTER`: move an EBS snapshot kept only by the weekly, monthly or yearly
    /// rules to the archive tier once its automatic snapshot is this old; off by default.
    pub archive_after: Option<Span>,
    /// `EC2_SNAPSHOT_PRICE`, `LIGHTSAIL_SNAPSHOT_PRICE`: USD per GiB-month, for `cost`.
    pub prices: Prices,
    /// `MAX_AUTO_SNAPSHOT_WAIT` (`3h`, `90m`, `600s` or seconds): how long a target waits while
    /// Lightsail refuses its copy because an automatic snapshot is being taken, before it FAILS.
    pub max_auto_snapshot_wait: Duration,
    /// `MAX_RETRY_WINDOW` (same forms): how long a target may keep failing transiently (a call
    /// that times out, is throttled or cannot reach its endpoint, round after round) before it
    /// FAILS `RetryWindowExceeded`; in a run over several regions, how long a region's listings
    /// may, before the region is reported failed.
    pub max_retry_window: Duration,
    /// `SCHEDULE_EXPRESSION`: the EventBridge expression the nights run on (the template passes
    /// its `ScheduleExpression`). Read only by the doctor, which checks it against each
    /// target's automatic snapshot time.
    pub schedule_expression: Option<String>,
    /// `SCHEDULE_TIMEZONE`: the IANA time zone of `SCHEDULE_EXPRESSION` (the template's
    /// `ScheduleTimezone`); `None` = UTC.
    pub schedule_timezone: Option<String>,
    /// `RESTORE_TEST_*`: the restore drill (off by default).
    pub restore_test: DrillPolicy,
}

/// The default `MAX_AUTO_SNAPSHOT_WAIT`: three hours.
pub const DEFAULT_MAX_AUTO_SNAPSHOT_WAIT: Duration = Duration::from_secs(3 * 3600);
/// The longest `MAX_AUTO_SNAPSHOT_WAIT` accepted: a Step Functions run lasts 12 hours at most.
const LONGEST_AUTO_SNAPSHOT_WAIT: Duration = Duration::from_secs(12 * 3600);
/// The default `MAX_RETRY_WINDOW`: two hours, well inside the state machines' 12-hour timeout,
/// so that a night whose calls keep failing still ends with its output.
pub const DEFAULT_MAX_RETRY_WINDOW: Duration = Duration::from_secs(2 * 3600);
/// The longest `MAX_RETRY_WINDOW` accepted: past the state machine's timeout it would bound
/// nothing.
const LONGEST_RETRY_WINDOW: Duration = Duration::from_secs(11 * 3600);

impl Default for Config {
    fn default() -> Self {
        Config {
            targets: Vec::new(),
            target_tag: None,
            source_region: None,
            regions: Vec::new(),
            name_format: names::DEFAULT_FORMAT.to_string(),
            max_export_attempts: 3,
            concurrency: 8,
            dry_run: false,
            next_check_seconds: 300,
            delete_copy_after_export: false,
            copies_keep: KeepRules::default(),
            metrics: true,
            metrics_namespace: "LightsailExport".to_string(),
            max_auto_snapshot_wait: DEFAULT_MAX_AUTO_SNAPSHOT_WAIT,
            max_retry_window: DEFAULT_MAX_RETRY_WINDOW,
            schedule_expression: None,
            schedule_timezone: None,
            ec2_tags: Vec::new(),
            ec2_keep: KeepRules::default(),
            archive_after: None,
            prices: Prices::default(),
            restore_test: DrillPolicy::default(),
        }
    }
}

/// Comma-separated names, blanks dropped.
pub fn split_names(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn parse_bool(name: &str, text: &str) -> Result<bool, Error> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        other => Err(Error::InvalidConfiguration(format!(
            "{name} is `{other}`: expected true or false"
        ))),
    }
}

fn parse_number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    name: &str,
    text: &str,
    min: T,
    max: T,
) -> Result<T, Error> {
    match text.trim().parse::<T>() {
        Ok(value) if value >= min && value <= max => Ok(value),
        _ => Err(Error::InvalidConfiguration(format!(
            "{name} is `{text}`: expected a whole number from {min} to {max}"
        ))),
    }
}

/// `key=value,key2=value2`: tags to put on EC2 artifacts. Keys follow EC2's rules (1 to 128
/// characters, not `aws:`); a value may be empty; the function's own keys are refused.
pub fn parse_tags(name: &str, text: &str) -> Result<Vec<(String, String)>, Error> {
    let bad = |why: String| Error::InvalidConfiguration(format!("{name} is `{text}`: {why}"));
    let mut tags: Vec<(String, String)> = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("`{pair}` is not key=value")))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.len() > 128 || value.len() > 256 {
            return Err(bad(format!(
                "`{pair}`: a key of 1 to 128 characters, a value of at most 256"
            )));
        }
        if key.starts_with("aws:") || key.starts_with(TAG_PREFIX) {
            return Err(bad(format!(
                "`{key}` is reserved (aws:, lightsail-export:)"
            )));
        }
        tags.retain(|(k, _)| k != key);
        tags.push((key.to_string(), value.to_string()));
    }
    Ok(tags)
}

fn parse_price(name: &str, text: &str) -> Result<f64, Error> {
    match text.trim().parse::<f64>() {
        Ok(price) if price.is_finite() && price >= 0.0 => Ok(price),
        _ => Err(Error::InvalidConfiguration(format!(
            "{name} is `{text}`: expected a price in USD per GiB-month, such as 0.05"
        ))),
    }
}

/// A duration such as `3h`, `90m`, `2h30m`, `600s`, or a number of seconds.
pub fn parse_duration(name: &str, text: &str, max: Duration) -> Result<Duration, Error> {
    let text = text.trim();
    let length = match text.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        // Whole seconds, as the waits are counted.
        Err(_) => humantime::parse_duration(text).map(|d| Duration::from_secs(d.as_secs())),
    };
    match length {
        Ok(length) if length <= max => Ok(length),
        _ => Err(Error::InvalidConfiguration(format!(
            "{name} is `{text}`: expected a duration such as 3h, 90m or 600s (or seconds), at most {}h",
            max.as_secs() / 3600
        ))),
    }
}

/// `REGIONS`: comma-separated region names, each once. A cross-region (`SOURCE_REGION`)
/// deployment copies from one region into its own, so the two are not combined.
fn read_regions(text: &str, cross_region: bool) -> Result<Vec<String>, Error> {
    let bad = |why: String| Error::InvalidConfiguration(format!("REGIONS is `{text}`: {why}"));
    if cross_region {
        return Err(bad(
            "REGIONS and SOURCE_REGION cannot both be set: one deployment either covers several \
             regions or copies from one other region into its own"
                .into(),
        ));
    }
    let mut regions: Vec<String> = Vec::new();
    for region in split_names(text) {
        names::validate_region(&region).map_err(bad)?;
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    Ok(regions)
}

impl Config {
    /// The EC2 side: labels, what to keep and archive, prices.
    fn read_ec2(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        if let Some(text) = get("EC2_TAGS") {
            self.ec2_tags = parse_tags("EC2_TAGS", &text)?;
        }
        self.ec2_keep = keep::read_ec2(get)?;
        self.archive_after = keep::read_archive_after(get, &self.ec2_keep)?;
        if let Some(text) = get("EC2_ARCHIVE_PRICE") {
            self.prices.ec2_archive = parse_price("EC2_ARCHIVE_PRICE", &text)?;
        }
        if let Some(text) = get("EC2_SNAPSHOT_PRICE") {
            self.prices.ec2_snapshot = parse_price("EC2_SNAPSHOT_PRICE", &text)?;
        }
        if let Some(text) = get("LIGHTSAIL_SNAPSHOT_PRICE") {
            self.prices.lightsail_snapshot = parse_price("LIGHTSAIL_SNAPSHOT_PRICE", &text)?;
        }
        Ok(())
    }

    pub fn from_env() -> Result<Config, Error> {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    /// Unset and empty variables take their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let get = |key: &str| lookup(key).filter(|value| !value.trim().is_empty());
        let mut config = Config::default();
        if let Some(targets) = get("TARGETS") {
            config.targets = split_names(&targets);
        }
        if let Some(tag) = get("TARGET_TAG") {
            config.target_tag =
                Some(TagFilter::parse(&tag).map_err(|reason| {
                    Error::InvalidConfiguration(format!("TARGET_TAG: {reason}"))
                })?);
        }
        config.source_region = get("SOURCE_REGION").map(|region| region.trim().to_string());
        if let Some(text) = get("REGIONS") {
            config.regions = read_regions(&text, config.source_region.is_some())?;
        }
        if let Some(format) = get("SNAPSHOT_NAME_FORMAT") {
            names::validate_format(&format).map_err(Error::InvalidConfiguration)?;
            config.name_format = format;
        }
        if let Some(text) = get("MAX_EXPORT_ATTEMPTS") {
            config.max_export_attempts = parse_number("MAX_EXPORT_ATTEMPTS", &text, 1, 20)?;
        }
        if let Some(text) = get("CONCURRENCY") {
            config.concurrency = parse_number("CONCURRENCY", &text, 1, 64)?;
        }
        if let Some(text) = get("DRY_RUN") {
            config.dry_run = parse_bool("DRY_RUN", &text)?;
        }
        if let Some(text) = get("NEXT_CHECK_SECONDS") {
            config.next_check_seconds = parse_number("NEXT_CHECK_SECONDS", &text, 1, 86_400)?;
        }
        if let Some(text) = get("DELETE_COPY_AFTER_EXPORT") {
            config.delete_copy_after_export = parse_bool("DELETE_COPY_AFTER_EXPORT", &text)?;
        }
        config.copies_keep = keep::read_copies(&get)?;
        if let Some(text) = get("METRICS") {
            config.metrics = parse_bool("METRICS", &text)?;
        }
        if let Some(text) = get("MAX_AUTO_SNAPSHOT_WAIT") {
            config.max_auto_snapshot_wait =
                parse_duration("MAX_AUTO_SNAPSHOT_WAIT", &text, LONGEST_AUTO_SNAPSHOT_WAIT)?;
        }
        if let Some(text) = get("MAX_RETRY_WINDOW") {
            config.max_retry_window =
                parse_duration("MAX_RETRY_WINDOW", &text, LONGEST_RETRY_WINDOW)?;
        }
        config.schedule_expression = get("SCHEDULE_EXPRESSION").map(|e| e.trim().to_string());
        config.schedule_timezone = get("SCHEDULE_TIMEZONE").map(|z| z.trim().to_string());
        config.read_ec2(&get)?;
        config.restore_test = restore_test::read(&get)?;
        if let Some(namespace) = get("METRICS_NAMESPACE") {
            config.metrics_namespace = namespace.trim().to_string();
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
