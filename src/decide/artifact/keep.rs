//! Which of a resource's exports the keep rules keep (and why), which retire, and which EBS
//! snapshots move to the archive tier (`EC2_ARCHIVE_AFTER`).

use std::collections::{BTreeMap, BTreeSet};

use super::{readiness, Readiness};
use crate::decide::keep::{self, Candidate, KeepRules, Reason, Span};
use crate::model::{artifact_tag, ArtifactKind, Date, Ec2Artifact, Timestamp, MANAGED_TAG};

/// One export's artifacts to retire: the AMI first (DeleteSnapshot of a registered AMI's
/// snapshot fails `InvalidSnapshot.InUse`), then its snapshots; or a disk's EBS snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retirement {
    pub copy: String,
    pub date: Option<Date>,
    pub image: Option<String>,
    pub snapshots: Vec<String>,
}

/// One export kept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptExport {
    pub copy: String,
    pub date: Option<Date>,
    /// The AMI, or the disk's EBS snapshot; `None` for tonight's export when EC2 does not
    /// show it yet.
    pub id: Option<String>,
    pub reasons: BTreeSet<Reason>,
    /// `archive` when every EBS snapshot of it is archived; `None` otherwise.
    pub tier: Option<String>,
}

/// What the rules make of a resource's exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportsPlan {
    /// Newest first.
    pub kept: Vec<KeptExport>,
    /// Oldest first.
    pub retire: Vec<Retirement>,
    /// EBS snapshots to move to the archive tier, oldest first.
    pub archive: Vec<String>,
}

/// Tonight's export, as the round knows it: its copy, its automatic snapshot's date, and its
/// AMI or EBS snapshot (which the listing made at the round's start may not show labelled yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tonight<'a> {
    pub copy: &'a str,
    pub date: Option<Date>,
    pub id: Option<&'a str>,
}

/// One export: its date, copy, and the function's artifacts of it.
struct Export<'a> {
    date: Option<Date>,
    copy: String,
    tonight: bool,
    parts: Vec<&'a Ec2Artifact>,
}

/// The function's exports of `resource` (tagged managed, of this resource, traceable to an
/// export record), newest first: by date, tonight's first among one date's, then by copy name.
fn exports<'a>(resource: &str, artifacts: &'a [Ec2Artifact], current: &str) -> Vec<Export<'a>> {
    // A deregistered AMI is gone, though DescribeImages may still list it for a while (the
    // emulator's `deregisteredImage` switch): what is left of its export is its snapshots.
    let gone = |a: &Ec2Artifact| a.kind == ArtifactKind::Image && a.state == "deregistered";
    let mine = artifacts.iter().filter(|a| {
        !gone(a)
            && a.tag(MANAGED_TAG) == Some("true")
            && a.tag(artifact_tag::RESOURCE) == Some(resource)
            && a.tag(artifact_tag::EXPORT_RECORD)
                .is_some_and(|r| !r.is_empty())
    });
    // A date tag that is no date sorts as the oldest, of unknown age.
    let mut by_export: BTreeMap<(Option<Date>, bool, String), Vec<&Ec2Artifact>> = BTreeMap::new();
    for artifact in mine {
        let (Some(date), Some(copy)) = (
            artifact.tag(artifact_tag::DATE),
            artifact.tag(artifact_tag::COPY),
        ) else {
            continue;
        };
        let key = (Date::parse(date).ok(), copy == current, copy.to_string());
        by_export.entry(key).or_default().push(artifact);
    }
    by_export
        .into_iter()
        .rev()
        .map(|((date, tonight, copy), parts)| Export {
            date,
            copy,
            tonight,
            parts,
        })
        .collect()
}

/// What the keep rules make of `resource`'s exports. Never retired: tonight's (`current`, the
/// copy tonight's export came from), one still pending, anything not the function's. With
/// `archive_after`, an EBS snapshot of a disk's export that only the weekly, monthly or yearly
/// rules keep, whose automatic snapshot is older than that, still `standard`, and not
/// tonight's nor the newest export, is to be archived (an AMI's snapshots are not: EC2 archives
/// them only once the AMI is disabled; docs/evidence.md §17).
// longer than 80 lines because it walks each export through its one decision in order: retire,
// stay while pending, archive, keep (each a few lines, with the reasons beside them).
pub fn plan_exports(
    resource: &str,
    artifacts: &[Ec2Artifact],
    tonight: Tonight<'_>,
    rules: &KeepRules,
    archive_after: Option<Span>,
    now: Timestamp,
) -> ExportsPlan {
    let mut plan = ExportsPlan::default();
    if !rules.enabled() {
        return plan;
    }
    let mut list = exports(resource, artifacts, tonight.copy);
    // Tonight's export counts first in `last` even before EC2 shows it labelled.
    if !list.iter().any(|e| e.tonight) {
        let at = list
            .iter()
            .position(|e| e.date <= tonight.date)
            .unwrap_or(list.len());
        list.insert(
            at,
            Export {
                date: tonight.date,
                copy: tonight.copy.to_string(),
                tonight: true,
                parts: Vec::new(),
            },
        );
    }
    let candidates: Vec<Candidate> = list
        .iter()
        .map(|e| Candidate {
            date: e.date,
            tonight: e.tonight,
        })
        .collect();
    let reasons = keep::reasons(rules, &candidates, now);
    for (index, (export, mut why)) in list.into_iter().zip(reasons).enumerate() {
        let settled = export
            .parts
            .iter()
            .all(|a| readiness(a) != Readiness::Pending);
        if why.is_empty() && !settled {
            why.insert(Reason::Pending);
        }
        let image = export.parts.iter().find(|a| a.kind == ArtifactKind::Image);
        // Only snapshots tagged as the function's: never one an AMI merely points at.
        let snapshots: Vec<&Ec2Artifact> = export
            .parts
            .iter()
            .copied()
            .filter(|a| a.kind == ArtifactKind::Snapshot)
            .collect();
        if why.is_empty() {
            plan.retire.push(Retirement {
                copy: export.copy,
                date: export.date,
                image: image.map(|i| i.id.clone()),
                snapshots: snapshots.iter().map(|s| s.id.clone()).collect(),
            });
            continue;
        }
        let archived = !snapshots.is_empty()
            && snapshots
                .iter()
                .all(|s| s.storage_tier.as_deref() == Some("archive"));
        let newest = index == 0 || export.tonight;
        if !newest && image.is_none() && archivable(&why, export.date, archive_after, now) {
            plan.archive.extend(
                snapshots
                    .iter()
                    .filter(|s| readiness(s) == Readiness::Ready)
                    .filter(|s| s.storage_tier.as_deref() == Some("standard"))
                    .map(|s| s.id.clone()),
            );
        }
        let id = image.map(|i| i.id.clone());
        let id = id.or_else(|| snapshots.first().map(|s| s.id.clone()));
        plan.kept.push(KeptExport {
            id: id.or_else(|| {
                export
                    .tonight
                    .then(|| tonight.id.map(str::to_string))
                    .flatten()
            }),
            copy: export.copy,
            date: export.date,
            reasons: why,
            tier: archived.then(|| "archive".to_string()),
        });
    }
    plan.retire.reverse();
    plan.archive.reverse();
    plan
}

/// Whether an export kept for `why` goes to the archive tier: only the weekly, monthly or
/// yearly rules keep it, and its automatic snapshot is older than `after`.
fn archivable(
    why: &BTreeSet<Reason>,
    date: Option<Date>,
    after: Option<Span>,
    now: Timestamp,
) -> bool {
    let long_term = |r: &Reason| matches!(r, Reason::Weekly | Reason::Monthly | Reason::Yearly);
    after.is_some_and(|after| {
        why.iter().all(long_term) && date.is_some_and(|date| !after.keeps(date, now))
    })
}

/// The exports of `resource` whose artifacts go, oldest first (`plan_exports`' `retire`).
pub fn to_retire(
    resource: &str,
    artifacts: &[Ec2Artifact],
    current: &str,
    rules: &KeepRules,
    now: Timestamp,
) -> Vec<Retirement> {
    let tonight = Tonight {
        copy: current,
        date: None,
        id: None,
    };
    plan_exports(resource, artifacts, tonight, rules, None, now).retire
}
