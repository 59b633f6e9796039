//! The round's decisions, around its targets': whether to list the resources, what a failed
//! listing means, which tagged resources are targets, which copy names conflict, and what the
//! round reports (status, when to check next). Pure functions, tested by table.

use std::collections::{HashMap, HashSet};

use crate::error::Error;
use crate::input::names;
use crate::input::plan::{Plan, TargetSpec, MAX_TARGETS};
use crate::model::{ExportRecord, Listing, Resource};

/// From this many named targets of unknown type, one listing of the instances and disks (a page
/// per 20-odd resources, beside the export records) replaces a GetInstance and a GetDisk per
/// target: fewer calls in any account with fewer than ~300 instances and disks.
pub const LIST_NAMED_TARGETS: usize = 8;

/// Whether the round lists every instance and disk: to select by tag, or to resolve many names.
pub fn lists_resources(plan: &Plan) -> bool {
    let unresolved = plan
        .targets
        .iter()
        .filter(|t| t.resource_type.is_none())
        .count();
    plan.tag.is_some() || unresolved >= LIST_NAMED_TARGETS
}

/// What a listing of the instances and disks gives the round. Selecting by tag needs it; named
/// targets are looked up one by one instead when it failed (the caller logs why).
pub fn listed_resources(listing: Listing<Resource>, plan: &Plan) -> Result<Vec<Resource>, Error> {
    match listing {
        Listing::Listed(resources) => Ok(resources),
        Listing::Failed(e) if plan.tag.is_some() => {
            Err(e.for_invocation("listing instances and disks"))
        }
        Listing::Failed(_) | Listing::NotAsked => Ok(Vec::new()),
    }
}

/// The listed resources by name. A name that is both an instance and a disk is left out, so that
/// its target is resolved (and refused) on its own.
pub fn known_resources(resources: &[Resource]) -> HashMap<String, Resource> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for resource in resources {
        *seen.entry(resource.name.as_str()).or_default() += 1;
    }
    resources
        .iter()
        .filter(|r| seen.get(r.name.as_str()) == Some(&1))
        .map(|r| (r.name.clone(), r.clone()))
        .collect()
}

/// The round's targets: the named ones, then every listed resource with the plan's tag.
pub fn select_targets(
    plan: &Plan,
    resources: &[Resource],
    region: &str,
) -> Result<Vec<TargetSpec>, Error> {
    let mut targets = plan.targets.clone();
    if let Some(tag) = &plan.tag {
        for resource in resources.iter().filter(|r| tag.selects(&r.tags)) {
            if !targets.iter().any(|t| t.name == resource.name) {
                targets.push(TargetSpec::named(resource.name.clone()));
            }
        }
        if targets.is_empty() {
            return Err(Error::NoTargets(format!(
                "no instance or disk in {region} has the tag `{tag}`"
            )));
        }
    }
    Ok(targets)
}

/// A round acts on at most `MAX_TARGETS` targets, counted over every region after the tag has
/// selected them, and refuses a larger one before any write: a tag-selected round over more
/// would copy every target and then see its next round (which names them all) refused, night
/// after night, with nothing exported.
pub fn within_limit(selected: usize, plan: &Plan) -> Result<(), Error> {
    if selected <= MAX_TARGETS {
        return Ok(());
    }
    let by = match &plan.tag {
        Some(tag) => format!(" (with the tag `{tag}`)"),
        None => String::new(),
    };
    Err(Error::InvalidInput(format!(
        "{selected} targets selected{by}, at most {MAX_TARGETS} per invocation: nothing was done; \
         deploy the fan-out (Workflow fan-out), which gives each invocation a batch"
    )))
}

/// Targets whose names sanitise alike would share copies: all of them are refused. A name that
/// is no valid resource name (`web/1`) is refused for that alone and conflicts with nothing.
pub fn conflicting(targets: &[TargetSpec]) -> HashSet<String> {
    let keys: Vec<(&str, String)> = targets
        .iter()
        .filter(|t| names::validate_resource_name(&t.name).is_ok())
        .map(|t| (t.name.as_str(), names::sanitise(&t.name)))
        .collect();
    let mut sharing: HashMap<&str, usize> = HashMap::new();
    for (_, key) in &keys {
        *sharing.entry(key.as_str()).or_default() += 1;
    }
    keys.iter()
        .filter(|(_, key)| sharing.get(key.as_str()).copied().unwrap_or(0) > 1)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The export records by the snapshot they export (GetExportSnapshotRecords has no filter).
pub fn records_by_source(records: &[ExportRecord]) -> HashMap<&str, Vec<&ExportRecord>> {
    let mut by_source: HashMap<&str, Vec<&ExportRecord>> = HashMap::new();
    for record in records {
        by_source
            .entry(record.source_name.as_str())
            .or_default()
            .push(record);
    }
    by_source
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use crate::input::config::Config;
    use crate::input::request::Request;
    use crate::model::{ResourceType, TagFilter, Timestamp};

    fn plan(targets: &[&str], tag: Option<&str>) -> Plan {
        let request = Request {
            targets: Some(targets.iter().map(|t| t.to_string()).collect()),
            target_tag: tag.map(str::to_string),
            ..Request::default()
        };
        Plan::new(&Config::default(), request, Timestamp::UNIX_EPOCH).unwrap()
    }

    fn resource(name: &str, kind: ResourceType, tag: Option<(&str, &str)>) -> Resource {
        Resource {
            tags: tag
                .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                .into_iter()
                .collect(),
            ..Resource::test(name, kind)
        }
    }

    #[test]
    fn when_to_list() {
        assert!(!lists_resources(&plan(&["a", "b"], None)));
        assert!(lists_resources(&plan(&[], Some("export"))));
        let many: Vec<String> = (0..LIST_NAMED_TARGETS).map(|i| format!("r{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(lists_resources(&plan(&names, None)));
    }

    #[test]
    fn a_failed_listing() {
        let throttled = || Listing::Failed(ApiError::Throttled("x".into()));
        let by_tag = listed_resources(throttled(), &plan(&[], Some("export"))).unwrap_err();
        assert_eq!(by_tag.error_type(), "Retryable");
        assert_eq!(
            listed_resources(throttled(), &plan(&["a"], None)),
            Ok(Vec::new())
        );
        let denied = ApiError::AccessDenied("no".into()).for_invocation("x");
        assert_eq!(denied.error_type(), "AccessDenied");
        let other = ApiError::NotFound("no".into()).for_invocation("x");
        assert_eq!(other.error_type(), "LightsailError");
    }

    #[test]
    fn a_round_over_more_targets_than_an_invocation_takes_is_refused() {
        let by_tag = plan(&[], Some("export=nightly"));
        for (selected, plan, refused) in [
            (0, &by_tag, None),
            (MAX_TARGETS, &by_tag, None),
            (
                MAX_TARGETS + 1,
                &by_tag,
                Some("1001 targets selected (with the tag `export=nightly`)"),
            ),
            (
                MAX_TARGETS + 1,
                &plan(&["web-1"], None),
                Some("1001 targets selected, at most 1000"),
            ),
        ] {
            match (within_limit(selected, plan), refused) {
                (Ok(()), None) => {}
                (Err(Error::InvalidInput(message)), Some(start)) => {
                    assert!(message.starts_with(start), "{message}");
                    assert!(message.contains("nothing was done"), "{message}");
                    assert!(message.contains("fan-out"), "{message}");
                }
                (other, _) => panic!("{selected} targets: {other:?}"),
            }
        }
    }

    #[test]
    fn selection_by_tag_and_ambiguous_names() {
        let listed = vec![
            resource("web-1", ResourceType::Instance, Some(("export", "nightly"))),
            resource("data", ResourceType::Disk, Some(("export", "weekly"))),
            resource("twin", ResourceType::Instance, Some(("export", "nightly"))),
            resource("twin", ResourceType::Disk, None),
        ];
        let known = known_resources(&listed);
        assert!(known.contains_key("web-1") && !known.contains_key("twin"));
        let p = plan(&["named"], Some("export=nightly"));
        let names: Vec<String> = select_targets(&p, &listed, "us-east-1")
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["named", "web-1", "twin"]);
        let nothing = Plan {
            targets: Vec::new(),
            tag: TagFilter::parse("backup").ok(),
            ..p
        };
        assert_eq!(
            select_targets(&nothing, &listed, "us-east-1")
                .unwrap_err()
                .error_type(),
            "NoTargets"
        );
    }

    #[test]
    fn conflicts() {
        let p = plan(&["a.b", "a-b", "c", "web/1", "web-1"], None);
        let mut found: Vec<String> = conflicting(&p.targets).into_iter().collect();
        found.sort();
        assert_eq!(found, ["a-b", "a.b"]);
    }
}
