//! The output's `kept` and `retiredTonight`: a target's exports the keep rules keep (with the
//! rules that keep each) and those retired tonight, in a compact form.
//!
//! Step Functions passes at most 256 KiB between states, and the loop carries every target's
//! report round after round. A year of nightly exports under `EC2_KEEP=365` is 365 exports a
//! target, so neighbours kept by the same rules (and in the same tier) are written as one run,
//! `{"date": newest, "oldest", "count", "rules"}`, without their ids; an export on its own is
//! `{"date", "id", "rules"}`. Tonight's export is always on its own. At most [`MAX_ENTRIES`]
//! entries a target: beyond, the oldest are one run with the union of their rules. A schedule
//! of 7 daily, 5 weekly, 12 monthly and 7 yearly comes to about 8 entries (BENCHMARKS.md,
//! "Keep rules").

use serde::{Deserialize, Serialize};

use crate::model::keep::Reason;
use crate::model::Date;

/// At most this many entries in a target's `kept` (and `retiredTonight`).
pub const MAX_ENTRIES: usize = 16;

/// One export, or a run of neighbouring exports kept by the same rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptEntry {
    /// The export's automatic-snapshot date; of a run, its newest's. Absent when the export's
    /// date tag is no date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The AMI, or the disk's EBS snapshot; absent for a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A run's oldest date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<String>,
    /// A run's number of exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Why it is kept (absent in `retiredTonight`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Reason>,
    /// `archival` (moving there), `archive`; absent in the standard tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl KeptEntry {
    pub fn one(date: Option<Date>, id: String, rules: Vec<Reason>, tier: Option<String>) -> Self {
        KeptEntry {
            date: date.map(|d| d.to_string()),
            id: Some(id),
            oldest: None,
            count: None,
            rules,
            tier,
        }
    }

    /// How many exports it stands for.
    pub fn exports(&self) -> u32 {
        self.count.unwrap_or(1)
    }

    fn oldest_date(&self) -> Option<String> {
        self.oldest.clone().or_else(|| self.date.clone())
    }

    fn tonight(&self) -> bool {
        self.rules.contains(&Reason::Tonight)
    }

    /// `self` (newer) and `older` as one run.
    fn absorb(&mut self, older: KeptEntry) {
        let count = self.exports() + older.exports();
        self.oldest = older.oldest_date();
        self.count = Some(count);
        self.id = None;
        for rule in older.rules {
            if !self.rules.contains(&rule) {
                self.rules.push(rule);
            }
        }
        self.rules.sort();
        if self.tier != older.tier {
            self.tier = None;
        }
    }
}

/// `entries` (each an export or a run), newest first, with neighbours kept by the same rules in
/// the same tier written as one run, and at most [`MAX_ENTRIES`].
pub fn compact(mut entries: Vec<KeptEntry>) -> Vec<KeptEntry> {
    // Newest first; undated last.
    entries.sort_by(|a, b| match (&a.date, &b.date) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut out: Vec<KeptEntry> = Vec::new();
    for entry in entries {
        match out.last_mut() {
            Some(last)
                if !last.tonight()
                    && !entry.tonight()
                    && last.rules == entry.rules
                    && last.tier == entry.tier =>
            {
                last.absorb(entry)
            }
            _ => out.push(entry),
        }
    }
    if out.len() > MAX_ENTRIES {
        let mut tail = out.split_off(MAX_ENTRIES - 1).into_iter();
        if let Some(mut run) = tail.next() {
            for older in tail {
                run.absorb(older);
            }
            out.push(run);
        }
    }
    out
}

#[cfg(test)]
mod tests;
