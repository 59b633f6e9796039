//! The Lightsail world: resources, snapshots, export records and operations, per region.

mod build;
pub mod ec2;
mod ec2_build;
pub mod machines;
pub mod model;
pub mod net;
mod records;
pub mod render;
pub mod tiering;

use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::Durations;
use crate::switches::{Switches, DEFAULT_PAGE_SIZE};
use model::*;

#[derive(Debug, Default)]
pub struct RegionState {
    pub instances: BTreeMap<String, Instance>,
    pub disks: BTreeMap<String, Disk>,
    /// Manual snapshots of both kinds: a name is unique across both in a region.
    pub snapshots: BTreeMap<String, Snapshot>,
    /// Names only: the emulator serves no static IP operation, but the names are taken.
    pub static_ips: BTreeSet<String>,
    /// Keyed by the listing order the `exportRecordOrder` switch asks for (see `records.rs`),
    /// so paging can resume after the last key returned.
    pub records: BTreeMap<u64, ExportRecord>,
    /// Keyed by a sequence number (creation order).
    pub operations: BTreeMap<u64, OperationRecord>,
    /// EC2 AMIs by id (deregistered ones stay, marked, for the `deregisteredImage` switch).
    pub images: BTreeMap<String, ec2::Image>,
    /// EC2 EBS snapshots by id (deleted ones are gone).
    pub ebs_snapshots: BTreeMap<String, ec2::EbsSnapshot>,
    /// The default VPC (see `net.rs`), its subnets, and every security group, by id.
    pub vpcs: BTreeMap<String, net::Vpc>,
    pub subnets: BTreeMap<String, net::Subnet>,
    pub security_groups: BTreeMap<String, net::SecurityGroup>,
    /// EC2 instances and EBS volumes by id (gone ones are kept, and shown as gone).
    pub ec2_instances: BTreeMap<String, machines::Ec2Instance>,
    pub volumes: BTreeMap<String, machines::Volume>,
}

impl RegionState {
    /// Whether `name` is taken for a new snapshot, under the `snapshotNameScope` switch.
    pub fn name_taken(&self, name: &str, switches: &Switches) -> bool {
        use crate::switches::SnapshotNameScope;
        self.snapshots.contains_key(name)
            || (switches.snapshot_name_scope == SnapshotNameScope::Region
                && (self.instances.contains_key(name)
                    || self.disks.contains_key(name)
                    || self.static_ips.contains(name)))
    }
}

#[derive(Debug)]
pub struct World {
    pub default_region: String,
    pub durations: Durations,
    /// The scenario's top-level `pageSize`, used when the switch is unset.
    pub scenario_page_size: Option<usize>,
    pub switches: Switches,
    /// What the deployed role may do in EC2.
    pub ec2_policy: crate::scenario::ec2::Ec2Policy,
    /// The scenario's start: `InProgress` automatic snapshots are timed from it.
    pub start: f64,
    /// The scenario's `dailyAutoSnapshots`.
    pub daily_auto_snapshots: bool,
    /// Whether Lightsail's service-linked role exists (IAM GetRole): the scenario's, and true
    /// after the first ExportSnapshot.
    pub service_linked_role: bool,
    /// What the deployed role may do in Lightsail.
    pub lightsail_policy: crate::scenario::LightsailPolicy,
    pub regions: BTreeMap<String, RegionState>,
    /// The scenario's `ec2Vpc.defaultVpc`: whether regions have a default VPC.
    pub default_vpc: bool,
    /// `(region, zone, instance type)` already refused once (the `launchCapacity` switch).
    pub capacity_refused: BTreeSet<(String, String, String)>,
    rng: fastrand::Rng,
    next_seq: u64,
    next_record_seq: u64,
}

impl World {
    /// The page size of every paged operation: the switch, else the scenario's, else 20.
    pub fn page_size(&self) -> usize {
        self.switches
            .page_size
            .or(self.scenario_page_size)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .max(1)
    }

    /// Replaces the switches, re-keying the export records if their order changed.
    pub fn set_switches(&mut self, switches: Switches) {
        let reorder = switches.export_record_order != self.switches.export_record_order;
        self.switches = switches;
        if reorder {
            self.rekey_records();
        }
    }

    /// A resource's automatic snapshots as of `now`, newest first: the scenario's, and with
    /// `dailyAutoSnapshots` one a day since, the newest seven kept (as Lightsail keeps them).
    pub fn autos_of(&self, resource: &Resource, now: f64) -> Vec<AutoSnapshot> {
        let mut autos = resource.auto_snapshots().to_vec();
        let (enabled, time_of_day) = match resource {
            Resource::Instance(i) => (i.auto_snapshot_add_on, &i.snapshot_time_of_day),
            Resource::Disk(d) => (d.auto_snapshot_add_on, &d.snapshot_time_of_day),
        };
        if !(self.daily_auto_snapshots && enabled) {
            return autos;
        }
        let slot = crate::timefmt::seconds_of_day(time_of_day).unwrap_or(6.0 * 3600.0);
        let newest = autos
            .first()
            .and_then(|a| crate::timefmt::parse_date(&a.date))
            .unwrap_or((self.start / 86_400.0).floor() as i64 - 1);
        let today = (now / 86_400.0).floor() as i64;
        for day in newest + 1..=today {
            let starts = day as f64 * 86_400.0 + slot;
            if now < starts {
                break;
            }
            autos.insert(
                0,
                AutoSnapshot {
                    date: crate::timefmt::format_date(day),
                    created_at: starts + build::TAKEN_AFTER_SLOT,
                    status: "InProgress".into(),
                    success_at: Some(starts + self.durations.auto_snapshot_seconds),
                },
            );
        }
        autos.truncate(7);
        autos
    }

    /// The status of an automatic snapshot now: an `InProgress` one ends when the scenario
    /// says, or else when the `autoSnapshotInProgress` switch says (counted from the start).
    pub fn auto_status<'a>(&self, a: &'a AutoSnapshot, now: f64) -> &'a str {
        let ends = a.success_at.or_else(|| {
            self.switches
                .auto_snapshot_in_progress
                .seconds()
                .map(|s| self.start + s)
        });
        match ends {
            Some(t) if a.status == "InProgress" && now >= t => "Success",
            _ => &a.status,
        }
    }

    pub fn region_mut(&mut self, region: &str) -> &mut RegionState {
        self.regions.entry(region.to_string()).or_default()
    }

    pub fn region(&self, region: &str) -> Option<&RegionState> {
        self.regions.get(region)
    }

    /// Finds an instance or disk by name, in `region` if given, else anywhere (default region first).
    fn find_resource(&self, region: Option<&str>, name: &str) -> Option<(String, Resource)> {
        let mut regions: Vec<&String> = self.regions.keys().collect();
        regions.sort_by_key(|r| **r != self.default_region);
        regions
            .into_iter()
            .filter(|r| region.is_none_or(|want| want == r.as_str()))
            .find_map(|r| self.resource_in(r, name).map(|res| (r.clone(), res)))
    }

    /// The disks attached to `instance` of `region` now, in name order, with the device paths
    /// Lightsail gives attached disks (`/dev/xvdf` on).
    pub fn attached_disks(&self, region: &str, instance: &str) -> Vec<AttachedDisk> {
        let Some(rs) = self.regions.get(region) else {
            return Vec::new();
        };
        rs.disks
            .values()
            .filter(|d| d.attached_to.as_deref() == Some(instance))
            .enumerate()
            .map(|(i, d)| AttachedDisk {
                name: d.name.clone(),
                // f..z: more than 21 disks cannot be attached to one Lightsail instance.
                path: format!("/dev/xvd{}", char::from(b'f' + i.min(20) as u8)),
                size_in_gb: d.size_in_gb,
            })
            .collect()
    }

    /// An instance or disk of `region`, as a snapshot source.
    pub fn resource_in(&self, region: &str, name: &str) -> Option<Resource> {
        let rs = self.regions.get(region)?;
        if let Some(i) = rs.instances.get(name) {
            return Some(Resource::Instance(i.clone()));
        }
        rs.disks.get(name).map(|d| Resource::Disk(d.clone()))
    }

    /// A new manual snapshot of `source` (not inserted).
    pub fn new_snapshot(
        &mut self,
        source: &Resource,
        name: &str,
        region: &str,
        created_at: f64,
        ready_at: f64,
    ) -> Snapshot {
        let uuid = self.uuid();
        let (kind, support_id) = match source {
            Resource::Instance(_) => (Kind::Instance, format!("ami-{}", self.hex17())),
            Resource::Disk(_) => (Kind::Disk, format!("snap-{}", self.hex17())),
        };
        let (from_blueprint_id, from_bundle_id, size_in_gb, attached_disks) = match source {
            Resource::Instance(i) => (
                Some(i.blueprint_id.clone()),
                Some(i.bundle_id.clone()),
                render::bundle_hardware(&i.bundle_id).disk_gb,
                self.attached_disks(&i.region, &i.name),
            ),
            Resource::Disk(d) => (None, None, d.size_in_gb, Vec::new()),
        };
        Snapshot {
            kind,
            name: name.to_string(),
            uuid,
            support_id,
            region: region.to_string(),
            created_at,
            ready_at,
            fails: false,
            from_resource: source.name().to_string(),
            from_resource_arn: source.arn(),
            from_blueprint_id,
            from_bundle_id,
            size_in_gb,
            attached_disks,
            is_from_auto_snapshot: false,
            tags: Vec::new(),
        }
    }

    /// A new manual snapshot copied from another one (not inserted): same provenance, new identity.
    pub fn copy_of(
        &mut self,
        src: &Snapshot,
        name: &str,
        region: &str,
        created_at: f64,
        ready_at: f64,
    ) -> Snapshot {
        let support_id = match src.kind {
            Kind::Instance => format!("ami-{}", self.hex17()),
            Kind::Disk => format!("snap-{}", self.hex17()),
        };
        Snapshot {
            name: name.to_string(),
            uuid: self.uuid(),
            support_id,
            region: region.to_string(),
            created_at,
            ready_at,
            fails: false,
            tags: Vec::new(),
            ..src.clone()
        }
    }

    pub fn source_of(snap: &Snapshot) -> SourceInfo {
        SourceInfo {
            kind: snap.kind,
            name: snap.name.clone(),
            arn: snap.arn(),
            created_at: snap.created_at,
            from_resource: snap.from_resource.clone(),
            from_resource_arn: snap.from_resource_arn.clone(),
            from_blueprint_id: snap.from_blueprint_id.clone(),
            from_bundle_id: snap.from_bundle_id.clone(),
            size_in_gb: snap.size_in_gb,
            attached_disks: snap.attached_disks.clone(),
            made_up: false,
        }
    }

    /// Records an operation and returns it.
    pub fn add_operation(&mut self, mut op: OperationRecord) -> OperationRecord {
        op.id = self.uuid();
        self.next_seq += 1;
        let seq = self.next_seq;
        self.region_mut(&op.region.clone())
            .operations
            .insert(seq, op.clone());
        op
    }

    /// A random (seeded) UUID v4.
    pub fn uuid(&mut self) -> String {
        let a = self.rng.u128(..);
        let a = (a & !(0xf << 76)) | (0x4 << 76); // version 4
        let a = (a & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
        let h = format!("{a:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// A random (seeded) byte, for made-up addresses.
    pub fn byte(&mut self, range: std::ops::Range<u8>) -> u8 {
        self.rng.u8(range)
    }

    /// 17 hex digits, the shape of modern EC2 ids (ami-…, snap-…, i-…).
    pub fn hex17(&mut self) -> String {
        format!("{:017x}", self.rng.u128(..) & ((1u128 << 68) - 1))
    }
}

/// An instance or disk, as the source of a snapshot.
#[derive(Debug, Clone)]
pub enum Resource {
    Instance(Instance),
    Disk(Disk),
}

impl Resource {
    pub fn name(&self) -> &str {
        match self {
            Resource::Instance(i) => &i.name,
            Resource::Disk(d) => &d.name,
        }
    }
    pub fn arn(&self) -> String {
        match self {
            Resource::Instance(i) => arn(&i.region, "Instance", &i.uuid),
            Resource::Disk(d) => arn(&d.region, "Disk", &d.uuid),
        }
    }
    pub fn auto_snapshots(&self) -> &[AutoSnapshot] {
        match self {
            Resource::Instance(i) => &i.auto_snapshots,
            Resource::Disk(d) => &d.auto_snapshots,
        }
    }
}
