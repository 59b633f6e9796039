//! Export records and the keys that order their listing. A page token names the last key
//! returned, so the key must be the listing order itself: a seeded random number for the
//! shuffled order, or createdAt (milliseconds) above a sequence number for the ordered ones.

use std::collections::BTreeMap;

use super::model::*;
use super::World;
use crate::switches::ExportRecordOrder;

/// Bits of a key below the createdAt milliseconds: the sequence number's tie-break.
const SEQ_BITS: u32 = 20;
/// createdAt milliseconds fit in the 44 bits above (until the year 2527).
const MAX_MS: u64 = (1 << (64 - SEQ_BITS)) - 1;

impl World {
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
            seq: 0,
            shuffle: 0,
            uuid: self.uuid(),
            region: region.to_string(),
            created_at,
            done_at,
            fails: false,
            source,
            destination_id,
        }
    }

    pub fn insert_record(&mut self, mut rec: ExportRecord) {
        self.next_record_seq += 1;
        rec.seq = self.next_record_seq;
        rec.shuffle = self.rng.u64(..);
        let order = self.switches.export_record_order;
        let region = rec.region.clone();
        place(&mut self.region_mut(&region).records, rec, order);
    }

    /// Re-keys every region's records for the current `exportRecordOrder`.
    pub(super) fn rekey_records(&mut self) {
        let order = self.switches.export_record_order;
        for rs in self.regions.values_mut() {
            let mut all: Vec<ExportRecord> =
                std::mem::take(&mut rs.records).into_values().collect();
            // Creation order, so that the rare key collision is settled the same way every time.
            all.sort_by_key(|r| r.seq);
            for rec in all {
                place(&mut rs.records, rec, order);
            }
        }
    }

    /// Deletes the export records of `snap` in its region; returns how many.
    pub fn remove_records_of(&mut self, snap: &Snapshot) -> usize {
        let rs = self.region_mut(&snap.region);
        let before = rs.records.len();
        rs.records.retain(|_, r| !r.is_of(snap));
        before - rs.records.len()
    }
}

fn key(rec: &ExportRecord, order: ExportRecordOrder) -> u64 {
    let ms = (rec.created_at * 1000.0).clamp(0.0, MAX_MS as f64) as u64;
    let seq = rec.seq & ((1 << SEQ_BITS) - 1);
    match order {
        ExportRecordOrder::Shuffled => rec.shuffle,
        ExportRecordOrder::OldestFirst => (ms << SEQ_BITS) | seq,
        ExportRecordOrder::NewestFirst => ((MAX_MS - ms) << SEQ_BITS) | seq,
    }
}

fn place(map: &mut BTreeMap<u64, ExportRecord>, rec: ExportRecord, order: ExportRecordOrder) {
    let mut k = key(&rec, order);
    while map.contains_key(&k) {
        k = k.wrapping_add(1);
    }
    map.insert(k, rec);
}
