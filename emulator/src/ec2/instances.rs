//! DescribeInstances, DescribeInstanceStatus and TerminateInstances, and what the switches
//! `newInstanceVisibility` and `terminatedInstanceLookup` hide of an instance.

use std::collections::BTreeMap;

use super::describe::{after, max_results};
use super::filter::{all_match, check, tag_values};
use super::input::{allow_tagged, check_ids, dry_run, not_found};
use super::query::Filter;
use super::render_drill::{checks, instance, state};
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::ops::paging::page;
use crate::ops::Ctx;
use crate::switches::{
    InstanceStatusWhileBooting, NewInstanceVisibility, TerminatedInstanceLookup,
    NEW_INSTANCE_INVISIBLE_SECONDS,
};
use crate::world::machines::{Checks, Ec2Instance, InstancePhase, Volume};
use crate::world::model::ACCOUNT;
use crate::world::World;

const INSTANCE_FILTERS: &[&str] = &[
    "instance-state-name",
    "instance-state-code",
    "instance-id",
    "image-id",
    "instance-type",
    "subnet-id",
    "vpc-id",
    "availability-zone",
    "client-token",
    "private-ip-address",
    "ip-address",
];
const STATUS_FILTERS: &[&str] = &[
    "instance-state-name",
    "instance-state-code",
    "availability-zone",
    "instance-status.status",
    "system-status.status",
    "instance-status.reachability",
    "system-status.reachability",
];

/// Still inside its first seconds under `newInstanceVisibility: delayed`.
fn too_new(w: &World, i: &Ec2Instance, now: f64) -> bool {
    w.switches.new_instance_visibility == NewInstanceVisibility::Delayed
        && now < i.launched_at + NEW_INSTANCE_INVISIBLE_SECONDS
}

/// Whether a request naming the instance by id finds it.
pub fn visible_by_id(w: &World, i: &Ec2Instance, now: f64) -> bool {
    match i.phase(now, &w.durations) {
        InstancePhase::Gone => false,
        InstancePhase::Terminated => {
            w.switches.terminated_instance_lookup == TerminatedInstanceLookup::Lingers
        }
        _ => !too_new(w, i, now),
    }
}

/// Whether a listing shows it (a tag-filtered one hides a new one under `delayed`).
fn listed(w: &World, i: &Ec2Instance, now: f64, filters: &[Filter]) -> bool {
    let tagged = filters.iter().any(|f| f.name.starts_with("tag"));
    i.phase(now, &w.durations) != InstancePhase::Gone && !(tagged && too_new(w, i, now))
}

/// The instances named, all or nothing (`InvalidInstanceID.NotFound` names the missing ones).
fn named<'a>(ctx: &'a Ctx<'_>, ids: &[String]) -> Result<Vec<&'a Ec2Instance>, Ec2Error> {
    check_ids(ids, "i", "InvalidInstanceID.Malformed")?;
    let all = ctx.world.region(ctx.region).map(|rs| &rs.ec2_instances);
    let find = |id: &String| {
        all.and_then(|m| m.get(id))
            .filter(|i| visible_by_id(ctx.world, i, ctx.now))
    };
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| find(id).is_none())
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(not_found(
            "InvalidInstanceID.NotFound",
            "instance ID",
            &missing,
        ));
    }
    Ok(ids.iter().filter_map(find).collect())
}

fn instance_values(i: &Ec2Instance, name: &str, phase: InstancePhase) -> Option<Vec<String>> {
    let one = |v: &str| Some(vec![v.to_string()]);
    match name {
        "instance-state-name" => one(phase.name()),
        "instance-state-code" => one(&phase.code().to_string()),
        "instance-id" => one(&i.id),
        "image-id" => one(&i.image_id),
        "instance-type" => one(&i.instance_type),
        "subnet-id" => one(&i.subnet_id),
        "vpc-id" => one(&i.vpc_id),
        "availability-zone" => one(&i.zone),
        "client-token" => Some(i.client_token.iter().cloned().collect()),
        "private-ip-address" => one(&i.private_ip),
        "ip-address" => Some(i.public_ip.iter().cloned().collect()),
        other => tag_values(&i.tags, other),
    }
}

/// `MaxResults` with ids is refused, as DescribeSnapshots does.
fn page_size(params: &Params, ids: &[String]) -> Result<Option<usize>, Ec2Error> {
    let size = max_results(params)?;
    if size.is_some() && !ids.is_empty() {
        return Err(Ec2Error::client(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    Ok(size)
}

pub fn volumes_of<'a>(w: &'a World, i: &Ec2Instance) -> Vec<&'a Volume> {
    let rs = w.region(&i.region);
    i.devices
        .iter()
        .filter_map(|(_, v)| rs.and_then(|rs| rs.volumes.get(v)))
        .collect()
}

pub fn describe_instances(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("InstanceId");
    let size = page_size(params, &ids)?;
    let filters = params.filters()?;
    check(&filters, INSTANCE_FILTERS)?;
    let after = after(params)?;
    named(ctx, &ids)?;
    let (w, now) = (&*ctx.world, ctx.now);
    let none = BTreeMap::new();
    let all = w.region(ctx.region).map_or(&none, |rs| &rs.ec2_instances);
    let keep = |i: &Ec2Instance| {
        let phase = i.phase(now, &w.durations);
        let chosen = if ids.is_empty() {
            listed(w, i, now, &filters)
        } else {
            ids.contains(&i.id) && visible_by_id(w, i, now)
        };
        chosen && all_match(&filters, |n| instance_values(i, n, phase))
    };
    let (items, next) = page(all, after.as_ref(), size.unwrap_or(all.len()).max(1), keep);
    let mut x = Xml::new();
    x.open("reservationSet");
    for i in items {
        x.open("item")
            .leaf("reservationId", &i.reservation_id)
            .leaf("ownerId", ACCOUNT)
            .open("groupSet")
            .close("groupSet")
            .open("instancesSet");
        instance(&mut x, i, &volumes_of(w, i), now, &w.durations);
        x.close("instancesSet").close("item");
    }
    x.close("reservationSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}

/// The two checks of an instance now: `(summary, detail status, impaired since)`.
fn status_of(
    w: &World,
    i: &Ec2Instance,
    now: f64,
) -> (&'static str, Option<&'static str>, Option<f64>) {
    if i.phase(now, &w.durations) != InstancePhase::Running {
        return ("not-applicable", None, None);
    }
    let since = i.running_since(&w.durations);
    let span = w.durations.status_check_seconds;
    let done = now >= since + span;
    match i.checks {
        Checks::Pass if done => ("ok", Some("passed"), None),
        Checks::Impaired if done => ("impaired", Some("failed"), Some(since + span)),
        _ => match w.switches.instance_status_while_booting {
            InstanceStatusWhileBooting::InsufficientData if now < since + span / 2.0 => {
                ("insufficient-data", Some("insufficient-data"), None)
            }
            _ => ("initializing", Some("initializing"), None),
        },
    }
}

pub fn describe_instance_status(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("InstanceId");
    let size = page_size(params, &ids)?;
    let every = params.bool("IncludeAllInstances")?;
    let filters = params.filters()?;
    check(&filters, STATUS_FILTERS)?;
    let after = after(params)?;
    named(ctx, &ids)?;
    let (w, now) = (&*ctx.world, ctx.now);
    let none = BTreeMap::new();
    let all = w.region(ctx.region).map_or(&none, |rs| &rs.ec2_instances);
    let keep = |i: &Ec2Instance| {
        let phase = i.phase(now, &w.durations);
        let (summary, detail, _) = status_of(w, i, now);
        let values = |n: &str| match n {
            "instance-state-name" => Some(vec![phase.name().to_string()]),
            "instance-state-code" => Some(vec![phase.code().to_string()]),
            "availability-zone" => Some(vec![i.zone.clone()]),
            "instance-status.status" | "system-status.status" => Some(vec![summary.into()]),
            _ => Some(detail.iter().map(|d| d.to_string()).collect()),
        };
        let chosen = if ids.is_empty() {
            phase != InstancePhase::Gone
        } else {
            ids.contains(&i.id) && visible_by_id(w, i, now)
        };
        chosen && (every || phase == InstancePhase::Running) && all_match(&filters, values)
    };
    let (items, next) = page(all, after.as_ref(), size.unwrap_or(all.len()).max(1), keep);
    let mut x = Xml::new();
    x.open("instanceStatusSet");
    for i in items {
        let (summary, detail, since) = status_of(w, i, now);
        x.open("item")
            .leaf("instanceId", &i.id)
            .leaf("availabilityZone", &i.zone)
            .open("eventsSet")
            .close("eventsSet");
        state(&mut x, "instanceState", i.phase(now, &w.durations));
        let detail = detail.map(|d| (d, since));
        checks(&mut x, "systemStatus", summary, detail);
        checks(&mut x, "instanceStatus", summary, detail);
        x.close("item");
    }
    x.close("instanceStatusSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}

pub fn terminate_instances(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("InstanceId");
    if ids.is_empty() {
        return Err(Ec2Error::missing("InstanceId"));
    }
    let found: Vec<Ec2Instance> = named(ctx, &ids)?.into_iter().cloned().collect();
    for i in &found {
        allow_tagged(ctx, "TerminateInstances", &i.tags, &i.arn())?;
    }
    dry_run(params)?;
    let names: Vec<Vec<String>> = found.iter().map(|i| i.names.clone()).collect();
    if ctx.faults.terminate_fails(&names) {
        return Err(Ec2Error::internal());
    }
    let (now, d) = (ctx.now, ctx.world.durations.clone());
    let mut x = Xml::new();
    x.open("instancesSet");
    for i in &found {
        let before = i.phase(now, &d);
        let rs = ctx.world.region_mut(ctx.region);
        if i.terminated_at.is_none() {
            let released = now + d.shutting_down_seconds;
            for (_, v) in &i.devices {
                if let Some(v) = rs.volumes.get_mut(v) {
                    v.released_at = Some(released);
                    let dot = v
                        .attachment
                        .as_ref()
                        .is_some_and(|a| a.delete_on_termination);
                    v.deleted_at = dot.then_some(released);
                }
            }
            if let Some(live) = rs.ec2_instances.get_mut(&i.id) {
                live.terminated_at = Some(now);
            }
        }
        let after = rs
            .ec2_instances
            .get(&i.id)
            .map_or(before, |i| i.phase(now, &d));
        x.open("item").leaf("instanceId", &i.id);
        state(&mut x, "currentState", after);
        state(&mut x, "previousState", before);
        x.close("item");
    }
    x.close("instancesSet");
    Ok(x.finish())
}
