//! Creating EC2 artifacts: those a successful export leaves, and the scenario's hand-made ones.

use std::collections::BTreeMap;

use super::ec2::{Device, EbsSnapshot, Image, Outcome, Timing};
use super::model::{ExportRecord, Kind, Tags};
use super::tiering::Archival;
use super::World;
use crate::faults::Faults;
use crate::scenario::ec2::{Ec2ImageSnapshotSpec, Ec2ImageSpec};
use crate::scenario::{ExportRecordSpec, Instant, Scenario};
use crate::Error;

/// A hand-made artifact with no `createdAt` was made this long before the start.
const DEFAULT_AGE: f64 = 86_400.0;
/// The root volume of a hand-made AMI that names no snapshots (the smallest common AMI size).
const DEFAULT_ROOT_GIB: i64 = 8;

fn tags_of(tags: &BTreeMap<String, String>) -> Tags {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn time_or(t: &Option<Instant>, default: f64) -> Result<f64, Error> {
    t.as_ref().map_or(Ok(default), Instant::epoch)
}

impl World {
    /// The AMI (instance export) or EBS snapshot (disk export) of export record `rec`, whose id
    /// is the record's `destinationInfo.id`. It exists from the record's creation (simplest, and
    /// what the `destinationInfo: whileStarted` switch implies) and ends as `timing` says.
    pub fn add_export_artifacts(&mut self, rec: &ExportRecord, timing: Timing, tags: &Tags) {
        let src = &rec.source;
        if src.kind == Kind::Instance {
            self.add_export_image(rec, timing, tags);
            return;
        }
        let snap = EbsSnapshot {
            id: rec.destination_id.clone(),
            region: rec.region.clone(),
            // A guess: no public example shows what Lightsail writes here.
            description: format!("Created by Lightsail ExportSnapshot({})", src.name),
            size_gib: src.size_in_gb,
            timing,
            tags: tags.clone(),
            image: None,
            source: Some(src.name.clone()),
            resource: Some(src.from_resource.clone()),
            archival: None,
        };
        self.region_mut(&rec.region)
            .ebs_snapshots
            .insert(snap.id.clone(), snap);
    }

    /// An instance export's AMI: one EBS snapshot for the system disk, then one per disk that
    /// was attached when the Lightsail snapshot was taken.
    fn add_export_image(&mut self, rec: &ExportRecord, timing: Timing, tags: &Tags) {
        let src = &rec.source;
        let ami = rec.destination_id.clone();
        let windows = src
            .from_blueprint_id
            .as_deref()
            .is_some_and(|b| b.starts_with("windows"));
        let root = if windows { "/dev/sda1" } else { "/dev/xvda" };
        let disks: Vec<(String, i64, bool)> = std::iter::once((root.into(), src.size_in_gb, true))
            .chain(
                src.attached_disks
                    .iter()
                    .map(|d| (d.path.clone(), d.size_in_gb, false)),
            )
            .collect();
        let mut devices = Vec::new();
        for (name, size_gib, delete_on_termination) in disks {
            let snap = EbsSnapshot {
                id: format!("snap-{}", self.hex17()),
                region: rec.region.clone(),
                // EC2's CreateImage writes "Created by CreateImage(i-…) for ami-…"; the
                // export's own wording is a guess in the same style.
                description: format!(
                    "Created by Lightsail ExportSnapshot({}) for {ami}",
                    src.name
                ),
                size_gib,
                timing: timing.clone(),
                tags: tags.clone(),
                image: Some(ami.clone()),
                source: Some(src.name.clone()),
                resource: Some(src.from_resource.clone()),
                archival: None,
            };
            devices.push(Device {
                name,
                snapshot_id: snap.id.clone(),
                size_gib,
                delete_on_termination,
            });
            self.region_mut(&rec.region)
                .ebs_snapshots
                .insert(snap.id.clone(), snap);
        }
        let image = Image {
            id: ami.clone(),
            region: rec.region.clone(),
            // Guesses: Lightsail's naming of exported AMIs is undocumented.
            name: format!("{}-{}", src.name, rec.uuid.get(..8).unwrap_or(&rec.uuid)),
            description: format!("Exported from Lightsail snapshot {}", src.name),
            timing,
            windows,
            devices,
            tags: tags.clone(),
            deregistered: false,
            source: Some(src.name.clone()),
            resource: Some(src.from_resource.clone()),
        };
        self.region_mut(&rec.region).images.insert(ami, image);
    }

    /// The artifacts of a scenario export record, unless it failed or its `ec2State` is
    /// `missing`. `faults` are the scenario's (the outcome is decided at creation, as for a
    /// record the function starts).
    pub(super) fn add_spec_artifacts(
        &mut self,
        rec: &ExportRecord,
        spec: &ExportRecordSpec,
        faults: &Faults,
    ) {
        let state = spec.ec2_state.as_deref();
        if rec.fails || state == Some("missing") {
            return;
        }
        let start = self.start;
        let mut timing = Timing {
            created_at: rec.created_at,
            ready_at: rec.done_at + self.durations.ec2_seconds,
            outcome: Outcome::of(faults, &rec.source.from_resource, &rec.source.name),
        };
        match state {
            Some("available") => {
                timing.ready_at = timing.ready_at.min(start);
                timing.outcome = Outcome::Ready;
            }
            Some("failed") => {
                timing.ready_at = timing.ready_at.min(start);
                timing.outcome = Outcome::Failed;
            }
            Some("pending") => {
                timing.ready_at = start + self.durations.ec2_seconds;
                timing.outcome = Outcome::Ready;
            }
            _ => {}
        }
        self.add_export_artifacts(rec, timing, &tags_of(&spec.ec2_tags));
    }

    /// The scenario's hand-made AMIs and EBS snapshots.
    pub(super) fn add_scenario_ec2(&mut self, s: &Scenario) -> Result<(), Error> {
        for spec in &s.ec2_images {
            self.add_spec_image(spec, &s.region)?;
        }
        for spec in &s.ec2_snapshots {
            let created_at = time_or(&spec.created_at, self.start - DEFAULT_AGE)?;
            let timing = self.spec_timing(created_at, spec.state.as_deref());
            let snap = EbsSnapshot {
                id: match &spec.snapshot_id {
                    Some(id) => id.clone(),
                    None => format!("snap-{}", self.hex17()),
                },
                region: spec.region.clone().unwrap_or_else(|| s.region.clone()),
                description: spec.description.clone().unwrap_or_default(),
                size_gib: spec.size_gib,
                timing,
                tags: tags_of(&spec.tags),
                image: None,
                source: None,
                resource: None,
                archival: (spec.storage_tier.as_deref() == Some("archive"))
                    .then(|| Archival::done_before(created_at)),
            };
            self.region_mut(&snap.region.clone())
                .ebs_snapshots
                .insert(snap.id.clone(), snap);
        }
        Ok(())
    }

    fn add_spec_image(&mut self, spec: &Ec2ImageSpec, default_region: &str) -> Result<(), Error> {
        let created_at = time_or(&spec.created_at, self.start - DEFAULT_AGE)?;
        let timing = self.spec_timing(created_at, spec.state.as_deref());
        let region = spec
            .region
            .clone()
            .unwrap_or_else(|| default_region.to_string());
        let id = match &spec.image_id {
            Some(id) => id.clone(),
            None => format!("ami-{}", self.hex17()),
        };
        let default_root = [Ec2ImageSnapshotSpec {
            snapshot_id: None,
            size_gib: DEFAULT_ROOT_GIB,
            tags: BTreeMap::new(),
        }];
        let snapshots = if spec.snapshots.is_empty() {
            &default_root[..]
        } else {
            &spec.snapshots[..]
        };
        // What EC2's CreateImage writes, with an instance id as made up as the rest.
        let description = format!("Created by CreateImage(i-{}) for {id}", self.hex17());
        let mut devices = Vec::new();
        for (i, snap_spec) in snapshots.iter().enumerate() {
            let snap = EbsSnapshot {
                id: match &snap_spec.snapshot_id {
                    Some(id) => id.clone(),
                    None => format!("snap-{}", self.hex17()),
                },
                region: region.clone(),
                description: description.clone(),
                size_gib: snap_spec.size_gib,
                timing: timing.clone(),
                tags: tags_of(&snap_spec.tags),
                image: Some(id.clone()),
                source: None,
                resource: None,
                archival: None,
            };
            devices.push(Device {
                name: match i {
                    0 => "/dev/xvda".to_string(),
                    n => format!("/dev/xvd{}", char::from(b'e' + n.min(21) as u8)),
                },
                snapshot_id: snap.id.clone(),
                size_gib: snap.size_gib,
                delete_on_termination: i == 0,
            });
            self.region_mut(&region)
                .ebs_snapshots
                .insert(snap.id.clone(), snap);
        }
        let image = Image {
            id: id.clone(),
            region: region.clone(),
            name: spec.name.clone(),
            description: spec.description.clone().unwrap_or_default(),
            timing,
            windows: false,
            devices,
            tags: tags_of(&spec.tags),
            deregistered: false,
            source: None,
            resource: None,
        };
        self.region_mut(&region).images.insert(id, image);
        Ok(())
    }

    /// The timing of a hand-made artifact in scenario state `state`.
    fn spec_timing(&self, created_at: f64, state: Option<&str>) -> Timing {
        let (ready_at, outcome) = match state {
            Some("pending") => (self.start + self.durations.ec2_seconds, Outcome::Ready),
            Some("failed" | "error") => (created_at.min(self.start), Outcome::Failed),
            _ => (created_at.min(self.start), Outcome::Ready),
        };
        Timing {
            created_at,
            ready_at,
            outcome,
        }
    }
}
