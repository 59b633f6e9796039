//! The Lightsail world: resources, snapshots, export records and operations, per region.

pub mod model;
pub mod render;

use std::collections::BTreeMap;

use crate::scenario::{AutoSnapshotSpec, Durations, Scenario};
use crate::timefmt;
use crate::Error;
use model::*;

/// Automatic snapshots are taken at this time of day (the AutoSnapshot add-on's snapshotTimeOfDay).
pub const SNAPSHOT_TIME_OF_DAY: &str = "02:00";
const SNAPSHOT_SECONDS_OF_DAY: f64 = 2.0 * 3600.0;

#[derive(Debug, Default)]
pub struct RegionState {
    pub instances: BTreeMap<String, Instance>,
    pub disks: BTreeMap<String, Disk>,
    /// Manual snapshots of both kinds: a name is unique across both in a region.
    pub snapshots: BTreeMap<String, Snapshot>,
    /// Keyed by a random sort key, so listing order is a seeded shuffle that paging can resume.
    pub records: BTreeMap<u64, ExportRecord>,
    /// Keyed by a sequence number (creation order).
    pub operations: BTreeMap<u64, Operation>,
}

#[derive(Debug)]
pub struct World {
    pub default_region: String,
    pub durations: Durations,
    pub page_size: usize,
    pub regions: BTreeMap<String, RegionState>,
    rng: fastrand::Rng,
    next_seq: u64,
}

impl World {
    pub fn from_scenario(s: &Scenario, start: f64) -> Result<World, Error> {
        let mut w = World {
            default_region: s.region.clone(),
            durations: s.durations.clone(),
            page_size: s.page_size.max(1),
            regions: BTreeMap::new(),
            rng: fastrand::Rng::with_seed(s.seed),
            next_seq: 0,
        };
        let region_of = |r: &Option<String>| r.clone().unwrap_or_else(|| s.region.clone());
        for spec in &s.instances {
            let created_at = time_or(&spec.created_at, start - 400.0 * 86_400.0)?;
            let inst = Instance {
                name: spec.name.clone(),
                uuid: w.uuid(),
                support_id: format!("i-{}", w.hex17()),
                region: region_of(&spec.region),
                created_at,
                blueprint_id: spec.blueprint_id.clone(),
                bundle_id: spec.bundle_id.clone(),
                tags: tags_of(&spec.tags),
                auto_snapshot_add_on: spec.auto_snapshot_add_on,
                auto_snapshots: autos(&spec.auto_snapshots, start),
                private_ip: format!("172.26.{}.{}", w.rng.u8(1..255), w.rng.u8(1..255)),
                public_ip: format!(
                    "3.{}.{}.{}",
                    w.rng.u8(1..255),
                    w.rng.u8(1..255),
                    w.rng.u8(1..255)
                ),
            };
            w.region_mut(&inst.region)
                .instances
                .insert(inst.name.clone(), inst);
        }
        for spec in &s.disks {
            let created_at = time_or(&spec.created_at, start - 300.0 * 86_400.0)?;
            let disk = Disk {
                name: spec.name.clone(),
                uuid: w.uuid(),
                support_id: format!("vol-{}", w.hex17()),
                region: region_of(&spec.region),
                created_at,
                size_in_gb: spec.size_in_gb,
                attached_to: spec.attached_to.clone(),
                tags: tags_of(&spec.tags),
                auto_snapshot_add_on: spec.auto_snapshot_add_on,
                auto_snapshots: autos(&spec.auto_snapshots, start),
            };
            w.region_mut(&disk.region)
                .disks
                .insert(disk.name.clone(), disk);
        }
        for spec in &s.snapshots {
            let created_at = time_or(&spec.created_at, start - 3600.0)?;
            let (region, source) = w
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
                        .unwrap_or(w.durations.copy_seconds)
            } else {
                created_at
            };
            let mut snap = w.new_snapshot(&source, &spec.name, &region, created_at, ready_at);
            snap.fails = spec.state == "error";
            snap.tags = tags_of(&spec.tags);
            snap.is_from_auto_snapshot = spec.is_from_auto_snapshot.unwrap_or(true);
            w.region_mut(&region)
                .snapshots
                .insert(snap.name.clone(), snap);
        }
        for spec in &s.export_records {
            let region = region_of(&spec.region);
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
                            .unwrap_or(w.durations.export_seconds)
                }
                _ => created_at,
            };
            let source =
                w.made_up_source(kind, &spec.source_name, &from, &region, created_at - 700.0);
            let mut rec = w.new_record(source, &region, created_at, done_at);
            rec.fails = spec.state == "Failed";
            w.insert_record(rec);
        }
        for i in 0..s.unrelated_export_records {
            let region = s.region.clone();
            let kind = if w.rng.u8(0..4) == 0 {
                Kind::Disk
            } else {
                Kind::Instance
            };
            let day = (start / 86_400.0).floor() as i64 - 1 - w.rng.i64(0..365);
            let from = format!(
                "legacy-{}-{}",
                if kind == Kind::Disk { "disk" } else { "vm" },
                i % 97
            );
            let name = format!("{from}-export-{}-{i}", timefmt::format_date(day));
            let created_at = day as f64 * 86_400.0 + 3.0 * 3600.0 + w.rng.f64() * 3600.0;
            let source = w.made_up_source(kind, &name, &from, &region, created_at - 700.0);
            let rec = w.new_record(source, &region, created_at, created_at + 1800.0);
            w.insert_record(rec);
        }
        Ok(w)
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
        let (from_blueprint_id, from_bundle_id, size_in_gb) = match source {
            Resource::Instance(i) => (
                Some(i.blueprint_id.clone()),
                Some(i.bundle_id.clone()),
                render::bundle_hardware(&i.bundle_id).disk_gb,
            ),
            Resource::Disk(d) => (None, None, d.size_in_gb),
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
        }
    }

    pub fn new_record(
        &mut self,
        source: SourceInfo,
        region: &str,
        created_at: f64,
        done_at: f64,
    ) -> ExportRecord {
        let destination_id = match source.kind {
            Kind::Instance => format!("ami-{}", self.hex17()),
            Kind::Disk => format!("snap-{}", self.hex17()),
        };
        ExportRecord {
            uuid: self.uuid(),
            region: region.to_string(),
            created_at,
            done_at,
            fails: false,
            source,
            destination_id,
        }
    }

    pub fn insert_record(&mut self, rec: ExportRecord) {
        let mut key = self.rng.u64(..);
        let region = rec.region.clone();
        while self.region_mut(&region).records.contains_key(&key) {
            key = self.rng.u64(..);
        }
        self.region_mut(&region).records.insert(key, rec);
    }

    /// Records an operation and returns it.
    pub fn add_operation(&mut self, mut op: Operation) -> Operation {
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

fn time_or(t: &Option<crate::scenario::Instant>, default: f64) -> Result<f64, Error> {
    t.as_ref().map_or(Ok(default), |t| t.epoch())
}

fn tags_of(tags: &BTreeMap<String, String>) -> Tags {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn autos(specs: &[AutoSnapshotSpec], start: f64) -> Vec<AutoSnapshot> {
    let mut v: Vec<AutoSnapshot> = specs
        .iter()
        .map(|a| AutoSnapshot {
            date: a.date.clone(),
            created_at: timefmt::parse_date(&a.date).unwrap_or(0) as f64 * 86_400.0
                + SNAPSHOT_SECONDS_OF_DAY,
            status: a.status.clone(),
            success_at: match (a.status.as_str(), a.completes_after_seconds) {
                ("InProgress", Some(s)) => Some(start + s),
                _ => None,
            },
        })
        .collect();
    // Newest first, as Lightsail lists them.
    v.sort_by(|a, b| b.date.cmp(&a.date));
    v
}
