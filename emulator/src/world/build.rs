//! Building the world from a scenario.

use std::collections::BTreeMap;

use super::model::*;
use super::{Resource, World};
use crate::scenario::{AutoSnapshotSpec, Scenario};
use crate::switches::Switches;
use crate::timefmt;
use crate::Error;

/// A resource's region: its own, else the scenario's.
fn region_of(s: &Scenario, region: &Option<String>) -> String {
    region.clone().unwrap_or_else(|| s.region.clone())
}

impl World {
    /// The world of scenario `s` started at `start`, under `switches` (the scenario's own,
    /// with any overrides already applied).
    pub fn from_scenario(s: &Scenario, start: f64, switches: Switches) -> Result<World, Error> {
        let mut w = World {
            default_region: s.region.clone(),
            durations: s.durations.clone(),
            scenario_page_size: s.page_size,
            switches,
            ec2_policy: s.ec2_policy.clone(),
            start,
            daily_auto_snapshots: s.daily_auto_snapshots,
            service_linked_role: s.service_linked_role,
            lightsail_policy: s.lightsail_policy.clone(),
            regions: BTreeMap::new(),
            default_vpc: s.ec2_vpc.default_vpc,
            capacity_refused: Default::default(),
            rng: fastrand::Rng::with_seed(s.seed),
            next_seq: 0,
            next_record_seq: 0,
        };
        w.add_instances(s, start)?;
        w.add_disks(s, start)?;
        w.add_snapshots(s, start)?;
        w.add_export_records(s, start)?;
        w.add_unrelated_records(s, start);
        w.add_static_ips(s);
        w.add_scenario_ec2(s)?;
        let mut regions: Vec<String> = w.regions.keys().cloned().collect();
        regions.push(s.region.clone());
        for region in regions {
            w.ensure_network(&region);
        }
        Ok(w)
    }

    /// Instances, each with made-up ids and addresses.
    fn add_instances(&mut self, s: &Scenario, start: f64) -> Result<(), Error> {
        for spec in &s.instances {
            let created_at = time_or(&spec.created_at, start - 400.0 * 86_400.0)?;
            let region = region_of(s, &spec.region);
            let time_of_day = time_of_day(&spec.snapshot_time_of_day, &region);
            let inst = Instance {
                name: spec.name.clone(),
                uuid: self.uuid(),
                support_id: format!("i-{}", self.hex17()),
                auto_snapshots: autos(&spec.auto_snapshots, start, &time_of_day),
                snapshot_time_of_day: time_of_day,
                region,
                created_at,
                blueprint_id: spec.blueprint_id.clone(),
                bundle_id: spec.bundle_id.clone(),
                tags: tags_of(&spec.tags),
                auto_snapshot_add_on: spec.auto_snapshot_add_on,
                private_ip: format!("172.26.{}.{}", self.rng.u8(1..255), self.rng.u8(1..255)),
                public_ip: format!(
                    "3.{}.{}.{}",
                    self.rng.u8(1..255),
                    self.rng.u8(1..255),
                    self.rng.u8(1..255)
                ),
            };
            self.region_mut(&inst.region)
                .instances
                .insert(inst.name.clone(), inst);
        }
        Ok(())
    }

    /// Disks.
    fn add_disks(&mut self, s: &Scenario, start: f64) -> Result<(), Error> {
        for spec in &s.disks {
            let created_at = time_or(&spec.created_at, start - 300.0 * 86_400.0)?;
            let region = region_of(s, &spec.region);
            let time_of_day = time_of_day(&spec.snapshot_time_of_day, &region);
            let disk = Disk {
                name: spec.name.clone(),
                uuid: self.uuid(),
                support_id: format!("vol-{}", self.hex17()),
                auto_snapshots: autos(&spec.auto_snapshots, start, &time_of_day),
                snapshot_time_of_day: time_of_day,
                region,
                created_at,
                size_in_gb: spec.size_in_gb,
                attached_to: spec.attached_to.clone(),
                tags: tags_of(&spec.tags),
                auto_snapshot_add_on: spec.auto_snapshot_add_on,
            };
            self.region_mut(&disk.region)
                .disks
                .insert(disk.name.clone(), disk);
        }
        Ok(())
    }

    /// Manual snapshots that exist already, of the resources above.
    fn add_snapshots(&mut self, s: &Scenario, start: f64) -> Result<(), Error> {
        for spec in &s.snapshots {
            let created_at = time_or(&spec.created_at, start - 3600.0)?;
            let (region, source) = self
                .find_resource(spec.region.as_deref(), &spec.source)
                .ok_or_else(|| {
                    Error::Scenario(format!(
                        "snapshot {}: unknown source {}",
                        spec.name, spec.source
                    ))
                })?;
            let region = spec.region.clone().unwrap_or(region);
            let ready_at = if spec.state == "pending" {
                start
                    + spec
                        .completes_after_seconds
                        .unwrap_or(self.durations.copy_seconds)
            } else {
                created_at
            };
            let mut snap = self.new_snapshot(&source, &spec.name, &region, created_at, ready_at);
            snap.fails = spec.state == "error";
            snap.tags = tags_of(&spec.tags);
            snap.is_from_auto_snapshot = spec.is_from_auto_snapshot.unwrap_or(true);
            self.region_mut(&region)
                .snapshots
                .insert(snap.name.clone(), snap);
        }
        Ok(())
    }

    /// Export records of earlier runs, with the EC2 artifacts they left.
    fn add_export_records(&mut self, s: &Scenario, start: f64) -> Result<(), Error> {
        for spec in &s.export_records {
            let region = region_of(s, &spec.region);
            let created_at = time_or(&spec.created_at, start - 86_400.0)?;
            let kind = if spec.source_type == "DiskSnapshot" {
                Kind::Disk
            } else {
                Kind::Instance
            };
            let from = spec
                .from_resource
                .clone()
                .unwrap_or_else(|| "deleted-resource".into());
            let done_at = match spec.state.as_str() {
                "Started" => {
                    start
                        + spec
                            .completes_after_seconds
                            .unwrap_or(self.durations.export_seconds)
                }
                _ => created_at,
            };
            // A record of a snapshot the scenario also holds points at it, ARN and all.
            let held = self
                .region(&region)
                .and_then(|rs| rs.snapshots.get(&spec.source_name))
                .map(World::source_of);
            let source = match held {
                Some(source) => source,
                None => {
                    self.made_up_source(kind, &spec.source_name, &from, &region, created_at - 700.0)
                }
            };
            let mut rec = self.new_record(source, &region, created_at, done_at);
            rec.fails = spec.state == "Failed";
            self.add_spec_artifacts(&rec, spec, &s.faults);
            self.insert_record(rec);
        }
        Ok(())
    }

    /// `unrelatedExportRecords`: records of snapshots the world does not hold, over the last year.
    fn add_unrelated_records(&mut self, s: &Scenario, start: f64) {
        let unrelated = std::iter::once((s.region.clone(), s.unrelated_export_records))
            .chain(s.unrelated_export_records_by_region.clone());
        let unrelated: Vec<String> = unrelated
            .flat_map(|(region, count)| std::iter::repeat_n(region, count))
            .collect();
        for (i, region) in unrelated.into_iter().enumerate() {
            let kind = if self.rng.u8(0..4) == 0 {
                Kind::Disk
            } else {
                Kind::Instance
            };
            let day = (start / 86_400.0).floor() as i64 - 1 - self.rng.i64(0..365);
            let from = format!(
                "legacy-{}-{}",
                if kind == Kind::Disk { "disk" } else { "vm" },
                i % 97
            );
            let name = format!("{from}-export-{}-{i}", timefmt::format_date(day));
            let created_at = day as f64 * 86_400.0 + 3.0 * 3600.0 + self.rng.f64() * 3600.0;
            let source = self.made_up_source(kind, &name, &from, &region, created_at - 700.0);
            let rec = self.new_record(source, &region, created_at, created_at + 1800.0);
            self.insert_record(rec);
        }
    }

    /// Static IPs: names only, which take their place in the region's name space.
    fn add_static_ips(&mut self, s: &Scenario) {
        for ip in &s.static_ips {
            let region = region_of(s, &ip.region);
            self.region_mut(&region).static_ips.insert(ip.name.clone());
        }
    }

    /// Source info for a record whose snapshot the world does not hold (scenario or generated).
    fn made_up_source(
        &mut self,
        kind: Kind,
        name: &str,
        from: &str,
        region: &str,
        created_at: f64,
    ) -> SourceInfo {
        let uuid = self.uuid();
        let from_uuid = self.uuid();
        let existing = self.resource_in(region, from);
        SourceInfo {
            kind,
            name: name.to_string(),
            arn: arn(region, kind.snapshot_type(), &uuid),
            created_at,
            from_resource: from.to_string(),
            from_resource_arn: existing
                .as_ref()
                .map(Resource::arn)
                .unwrap_or_else(|| arn(region, kind.resource_type(), &from_uuid)),
            from_blueprint_id: (kind == Kind::Instance).then(|| match &existing {
                Some(Resource::Instance(i)) => i.blueprint_id.clone(),
                _ => "ubuntu_22_04".into(),
            }),
            from_bundle_id: (kind == Kind::Instance).then(|| match &existing {
                Some(Resource::Instance(i)) => i.bundle_id.clone(),
                _ => "small_3_0".into(),
            }),
            size_in_gb: match &existing {
                Some(Resource::Disk(d)) => d.size_in_gb,
                _ => 60,
            },
            attached_disks: match &existing {
                Some(Resource::Instance(i)) => self.attached_disks(region, &i.name),
                _ => Vec::new(),
            },
            made_up: true,
        }
    }
}

fn time_or(t: &Option<crate::scenario::Instant>, default: f64) -> Result<f64, Error> {
    t.as_ref().map_or(Ok(default), |t| t.epoch())
}

fn tags_of(tags: &BTreeMap<String, String>) -> Tags {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The add-on's snapshotTimeOfDay: the scenario's, else the region's default.
fn time_of_day(given: &Option<String>, region: &str) -> String {
    given.clone().unwrap_or_else(|| {
        DEFAULT_TIMES
            .iter()
            .find(|(r, _)| *r == region)
            .map_or("06:00", |(_, t)| *t)
            .to_string()
    })
}

/// The developer guide's "Default automatic snapshot times" (Changing the automatic snapshot
/// time); regions it does not list get 06:00.
const DEFAULT_TIMES: &[(&str, &str)] = &[
    ("us-east-2", "03:00"),
    ("us-east-1", "06:00"),
    ("us-west-2", "06:00"),
    ("ap-south-1", "17:00"),
    ("ap-northeast-2", "13:00"),
    ("ap-southeast-1", "14:00"),
    ("ap-southeast-2", "12:00"),
    ("ap-northeast-1", "13:00"),
    ("ca-central-1", "06:00"),
    ("eu-central-1", "20:00"),
    ("eu-west-1", "22:00"),
    ("eu-west-2", "06:00"),
    ("eu-west-3", "07:00"),
    ("eu-north-1", "08:00"),
];

/// How long after its slot an automatic snapshot's createdAt falls: the AWS CLI example
/// get-auto-snapshots.rst has createdAt about 06:17 for a 06:00 slot.
pub(super) const TAKEN_AFTER_SLOT: f64 = 17.0 * 60.0;

fn autos(specs: &[AutoSnapshotSpec], start: f64, time_of_day: &str) -> Vec<AutoSnapshot> {
    let slot = timefmt::seconds_of_day(time_of_day).unwrap_or(6.0 * 3600.0);
    let mut v: Vec<AutoSnapshot> = specs
        .iter()
        .map(|a| AutoSnapshot {
            date: a.date.clone(),
            created_at: timefmt::parse_date(&a.date).unwrap_or(0) as f64 * 86_400.0
                + slot
                + TAKEN_AFTER_SLOT,
            status: a.status.clone(),
            success_at: match (a.status.as_str(), a.completes_after_seconds) {
                ("InProgress", Some(s)) => Some(start + s),
                _ => None,
            },
        })
        .collect();
    // Stored newest first; the autoSnapshotOrder switch decides how GetAutoSnapshots lists them.
    v.sort_by(|a, b| b.date.cmp(&a.date));
    v
}
