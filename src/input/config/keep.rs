//! `EC2_KEEP_*`, `COPIES_KEEP_*`, `EC2_ARCHIVE_AFTER`: the keep rules of the exports and of the
//! function's Lightsail copies, and the archive tier. The older settings are rules too:
//! `EC2_KEEP=N` is `EC2_KEEP_LAST=N`, `EC2_KEEP_DAYS=N` is `EC2_KEEP_WITHIN=Nd`,
//! `KEEP_COPIES=N` is `COPIES_KEEP_LAST=N` (`0`: off, as before).

use super::parse_number;
use crate::error::Error;
use crate::model::keep::{KeepRules, Span};

const MOST: u32 = 10_000;

fn span(name: &str, text: &str) -> Result<Span, Error> {
    Span::parse(text)
        .map_err(|why| Error::InvalidConfiguration(format!("{name} is `{text}`: {why}")))
}

/// `<prefix>_LAST`, `_DAILY`, `_WEEKLY`, `_MONTHLY`, `_YEARLY` (whole numbers from 1) and
/// `_WITHIN` (a span).
fn read_rules(get: &impl Fn(&str) -> Option<String>, prefix: &str) -> Result<KeepRules, Error> {
    let count = |suffix: &str| -> Result<Option<u32>, Error> {
        let name = format!("{prefix}_{suffix}");
        get(&name)
            .map(|text| parse_number(&name, &text, 1, MOST))
            .transpose()
    };
    let within = format!("{prefix}_WITHIN");
    Ok(KeepRules {
        last: count("LAST")?,
        daily: count("DAILY")?,
        weekly: count("WEEKLY")?,
        monthly: count("MONTHLY")?,
        yearly: count("YEARLY")?,
        within: get(&within).map(|text| span(&within, &text)).transpose()?,
    })
}

/// A rule set both by its older name and its new one is refused, rather than one silently
/// winning.
fn both(old: &str, new: &str) -> Error {
    Error::InvalidConfiguration(format!(
        "{old} and {new} are both set: {old} is the older name of {new}; set only one"
    ))
}

/// The exports' rules: `EC2_KEEP_*`, with `EC2_KEEP` and `EC2_KEEP_DAYS`.
pub fn read_ec2(get: &impl Fn(&str) -> Option<String>) -> Result<KeepRules, Error> {
    let mut rules = read_rules(get, "EC2_KEEP")?;
    if let Some(text) = get("EC2_KEEP") {
        // `EC2_KEEP=0` is refused rather than read as "keep none": tonight's export is always
        // kept, and 0 is more likely a mistake.
        let last = parse_number("EC2_KEEP", &text, 1, MOST)?;
        if rules.last.replace(last).is_some() {
            return Err(both("EC2_KEEP", "EC2_KEEP_LAST"));
        }
    }
    if let Some(text) = get("EC2_KEEP_DAYS") {
        let days = parse_number("EC2_KEEP_DAYS", &text, 1, 36_500)?;
        if rules.within.replace(Span::days(days)).is_some() {
            return Err(both("EC2_KEEP_DAYS", "EC2_KEEP_WITHIN"));
        }
    }
    Ok(rules)
}

/// The Lightsail copies' rules: `COPIES_KEEP_*`, with `KEEP_COPIES` (0: off).
pub fn read_copies(get: &impl Fn(&str) -> Option<String>) -> Result<KeepRules, Error> {
    let mut rules = read_rules(get, "COPIES_KEEP")?;
    if let Some(text) = get("KEEP_COPIES") {
        let last = parse_number("KEEP_COPIES", &text, 0, 1000)?;
        if last > 0 && rules.last.replace(last).is_some() {
            return Err(both("KEEP_COPIES", "COPIES_KEEP_LAST"));
        }
    }
    Ok(rules)
}

/// `EC2_ARCHIVE_AFTER`: a span (`180d`, `6m`), off when unset. Needs keep rules, since only
/// what the weekly, monthly or yearly rules alone keep is archived.
pub fn read_archive_after(
    get: &impl Fn(&str) -> Option<String>,
    rules: &KeepRules,
) -> Result<Option<Span>, Error> {
    let Some(text) = get("EC2_ARCHIVE_AFTER") else {
        return Ok(None);
    };
    let after = span("EC2_ARCHIVE_AFTER", &text)?;
    if rules.weekly.is_none() && rules.monthly.is_none() && rules.yearly.is_none() {
        return Err(Error::InvalidConfiguration(format!(
            "EC2_ARCHIVE_AFTER is `{text}`, but no EC2_KEEP_WEEKLY, EC2_KEEP_MONTHLY or \
             EC2_KEEP_YEARLY is set: only an export kept by those rules alone is archived"
        )));
    }
    Ok(Some(after))
}
