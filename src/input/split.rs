//! A run over several regions: which regions, and what each is asked.
//!
//! - The regions: the request's `regions`, else `REGIONS`, else the function's own region.
//! - The selection: the request's (`targets`, `targetTag`, or a region's own `targets` /
//!   `targetTag`) when it makes one, else the environment's (`TARGETS`, `TARGET_TAG`), as in a
//!   run over one region.
//! - A tag applies in every region, unless a region of `regions` gives its own. A name is
//!   `region:name`, or a bare `name` in the first region; a region named only by its targets
//!   joins the run.
//!
//! Each region's part is an ordinary [`Request`], planned and reconciled on its own. A run is
//! "multi-region" (every target reports its region) as soon as it names regions at all; a run
//! that does not is exactly the run over one region it always was.

use super::config::Config;
use super::names::validate_region;
use super::plan::MAX_TARGETS;
use super::request::{RegionDetail, RegionRequest, Request};
use crate::error::Error;

/// How a run is laid out over regions.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionsPlan {
    /// Each region and what it is asked, in order; `None` when it is asked nothing (a region of
    /// `regions` with no selection of its own and no tag that applies everywhere).
    pub regions: Vec<(String, Option<Request>)>,
    /// Whether the run names regions at all.
    pub multi: bool,
}

/// The selection the request makes, if any.
fn requests_selection(request: &Request) -> bool {
    let detailed = request.regions.iter().flatten().any(|r| match r {
        RegionRequest::Detailed(d) => d.targets.is_some() || d.target_tag.is_some(),
        RegionRequest::Name(_) => false,
    });
    request.targets.is_some() || request.target_tag.is_some() || detailed
}

/// `region:name` -> (`region`, `name`, true); a bare name is in `first`. A prefix that is no
/// region name leaves the whole text a name (refused then as that target's own
/// `InvalidResourceName`, which stops no other target).
fn qualify(target: &str, first: &str) -> (String, String, bool) {
    match target.split_once(':') {
        Some((region, name)) if validate_region(region).is_ok() => {
            (region.to_string(), name.to_string(), true)
        }
        _ => (first.to_string(), target.to_string(), false),
    }
}

/// The names a request gives, by region in order of first mention (a region named only by its
/// targets joins `names`), whether any was `region:name`, and how many there are.
struct Named {
    by_region: Vec<(String, Vec<String>)>,
    qualified: bool,
    count: usize,
}

impl Named {
    fn collect(targets: &[String], details: &[&RegionDetail], names: &mut Vec<String>) -> Named {
        let first = names[0].clone();
        let mut named = Named {
            by_region: Vec::new(),
            qualified: false,
            count: 0,
        };
        let qualified = targets.iter().map(|t| qualify(t, &first));
        let detailed = details.iter().flat_map(|d| {
            (d.targets.iter().flatten()).map(|name| (d.region.clone(), name.clone(), false))
        });
        for (region, name, with_region) in qualified.chain(detailed) {
            named.qualified |= with_region;
            named.count += 1;
            if !names.contains(&region) {
                names.push(region.clone());
            }
            match named.by_region.iter_mut().find(|(r, _)| *r == region) {
                Some((_, list)) => list.push(name),
                None => named.by_region.push((region, vec![name])),
            }
        }
        named
    }

    fn of(&self, region: &str) -> Vec<String> {
        (self.by_region.iter().find(|(r, _)| r == region))
            .map(|(_, list)| list.clone())
            .unwrap_or_default()
    }
}

/// Splits `request` over its regions. `home` is the function's region.
pub fn split(config: &Config, request: &Request, home: &str) -> Result<RegionsPlan, Error> {
    let details: Vec<&RegionDetail> = (request.regions.iter().flatten())
        .filter_map(|r| match r {
            RegionRequest::Detailed(d) => Some(d),
            RegionRequest::Name(_) => None,
        })
        .collect();
    let mut names: Vec<String> = match (&request.regions, config.regions.is_empty()) {
        (Some(asked), _) => asked.iter().map(|r| r.name().to_string()).collect(),
        (None, false) => config.regions.clone(),
        (None, true) => vec![home.to_string()],
    };
    for name in &names {
        validate_region(name).map_err(|e| Error::InvalidInput(format!("regions: {e}")))?;
    }
    if names.is_empty() {
        return Err(Error::InvalidInput("regions: the list is empty".into()));
    }
    let (targets, tag) = match requests_selection(request) {
        true => (
            request.targets.clone().unwrap_or_default(),
            request.target_tag.clone(),
        ),
        false => (
            config.targets.clone(),
            config.target_tag.as_ref().map(|t| t.to_string()),
        ),
    };
    let first = names[0].clone();
    let named = Named::collect(&targets, &details, &mut names);
    if named.count > MAX_TARGETS {
        return Err(Error::InvalidInput(format!(
            "{} targets given, at most {MAX_TARGETS} per invocation (fan out with a Map state)",
            named.count
        )));
    }
    let multi = request.regions.is_some() || !config.regions.is_empty() || named.qualified;
    if multi && config.source_region.is_some() {
        return Err(Error::InvalidInput(
            "regions and region:name targets are not for a cross-region (SOURCE_REGION) deployment"
                .into(),
        ));
    }
    let explicit = |region: &str| request.regions.iter().flatten().any(|r| r.name() == region);
    let regions = names
        .iter()
        .filter_map(|region| {
            let detail = details.iter().find(|d| d.region == *region);
            let previous = request.previous.as_ref().map(|list| {
                (list.iter())
                    .filter(|t| t.region.as_deref().unwrap_or(&first) == region.as_str())
                    .cloned()
                    .collect()
            });
            let part = Request {
                targets: Some(named.of(region)),
                target_tag: detail
                    .and_then(|d| d.target_tag.clone())
                    .or_else(|| tag.clone()),
                previous,
                regions: None,
                ..request.clone()
            };
            let asked = part.target_tag.is_some() || part.targets.iter().flatten().next().is_some();
            match (asked, explicit(region)) {
                (true, _) => Some((region.clone(), Some(part))),
                (false, true) => Some((region.clone(), None)),
                (false, false) => None,
            }
        })
        .collect();
    Ok(RegionsPlan { regions, multi })
}

#[cfg(test)]
mod tests;
