//! Describe filters as EC2 applies them: the filters are ANDed, a filter's values ORed, and a
//! value may hold the wildcards `*` and `?` (`\` escapes them).

use super::query::Filter;
use super::render::NO_VOLUME;
use super::Ec2Error;
use crate::timefmt::format_iso_millis;
use crate::world::ec2::{EbsSnapshot, Image};
use crate::world::model::{Tags, ACCOUNT};

/// Whether `text` matches the EC2 filter pattern `pattern`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // matched[j]: the pattern so far matches the first j characters of the text.
    let mut matched = vec![false; t.len() + 1];
    matched[0] = true;
    let mut i = 0;
    while i < p.len() {
        let (c, literal) = match (p[i], p.get(i + 1)) {
            ('\\', Some(&next)) => {
                i += 1;
                (next, true)
            }
            (c, _) => (c, false),
        };
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match c {
                '*' if !literal => matched[j] || (j > 0 && next[j - 1]),
                '?' if !literal => j > 0 && matched[j - 1],
                c => j > 0 && matched[j - 1] && t[j - 1] == c,
            };
        }
        matched = next;
        i += 1;
    }
    matched[t.len()]
}

pub fn tag_values(tags: &Tags, name: &str) -> Option<Vec<String>> {
    if name == "tag-key" {
        return Some(tags.iter().map(|(k, _)| k.clone()).collect());
    }
    if name == "tag-value" {
        return Some(tags.iter().map(|(_, v)| v.clone()).collect());
    }
    let key = name.strip_prefix("tag:")?;
    Some(
        tags.iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect(),
    )
}

/// The values of an AMI a filter compares with; `None` for a filter DescribeImages lacks.
fn image_values(img: &Image, name: &str, now: f64) -> Option<Vec<String>> {
    let one = |v: &str| Some(vec![v.to_string()]);
    let devices = |f: &dyn Fn(&crate::world::ec2::Device) -> String| {
        Some(img.devices.iter().map(f).collect())
    };
    match name {
        "image-id" => one(&img.id),
        "state" => one(img.state_at(now)),
        "name" => one(&img.name),
        "description" => one(&img.description),
        "owner-id" => one(ACCOUNT),
        "image-type" => one("machine"),
        "is-public" => one("false"),
        "architecture" => one("x86_64"),
        "root-device-type" => one("ebs"),
        "root-device-name" => one(img.root_device()),
        "virtualization-type" => one("hvm"),
        "hypervisor" => one("xen"),
        "platform" => Some(if img.windows {
            vec!["windows".into()]
        } else {
            Vec::new()
        }),
        "creation-date" => one(&format_iso_millis(img.timing.created_at)),
        "block-device-mapping.snapshot-id" => devices(&|d| d.snapshot_id.clone()),
        "block-device-mapping.device-name" => devices(&|d| d.name.clone()),
        "block-device-mapping.volume-size" => devices(&|d| d.size_gib.to_string()),
        "block-device-mapping.volume-type" => devices(&|_| "gp2".into()),
        "block-device-mapping.encrypted" => devices(&|_| "false".into()),
        other => tag_values(&img.tags, other),
    }
}

/// The values of an EBS snapshot a filter compares with; `None` for a filter it lacks.
fn snapshot_values(s: &EbsSnapshot, name: &str, now: f64) -> Option<Vec<String>> {
    let one = |v: &str| Some(vec![v.to_string()]);
    match name {
        "snapshot-id" => one(&s.id),
        "status" => one(s.state_at(now)),
        "volume-id" => one(NO_VOLUME),
        "volume-size" => one(&s.size_gib.to_string()),
        "owner-id" => one(ACCOUNT),
        "description" => one(&s.description),
        "progress" => one(&s.timing.progress(now)),
        "encrypted" => one("false"),
        "start-time" => one(&format_iso_millis(s.timing.created_at)),
        "storage-tier" => one(s.tier_at(now).storage_tier()),
        other => tag_values(&s.tags, other),
    }
}

fn invalid(name: &str) -> Ec2Error {
    Ec2Error::invalid_value(format!("The filter '{name}' is invalid"))
}

pub fn matches(values: &[String], filter: &Filter) -> bool {
    filter
        .values
        .iter()
        .any(|p| values.iter().any(|v| glob(p, v)))
}

/// Every filter DescribeImages takes here, besides `tag:<key>`, `tag-key` and `tag-value`.
const IMAGE_FILTERS: &[&str] = &[
    "image-id",
    "state",
    "name",
    "description",
    "owner-id",
    "image-type",
    "is-public",
    "architecture",
    "root-device-type",
    "root-device-name",
    "virtualization-type",
    "hypervisor",
    "platform",
    "creation-date",
    "block-device-mapping.snapshot-id",
    "block-device-mapping.device-name",
    "block-device-mapping.volume-size",
    "block-device-mapping.volume-type",
    "block-device-mapping.encrypted",
];

/// Every filter DescribeSnapshots takes here, besides the tag filters.
const SNAPSHOT_FILTERS: &[&str] = &[
    "snapshot-id",
    "status",
    "volume-id",
    "volume-size",
    "owner-id",
    "description",
    "progress",
    "encrypted",
    "start-time",
    "storage-tier",
];

pub fn check(filters: &[Filter], known: &[&str]) -> Result<(), Ec2Error> {
    let ok =
        |n: &str| known.contains(&n) || n == "tag-key" || n == "tag-value" || n.starts_with("tag:");
    match filters.iter().find(|f| !ok(&f.name)) {
        Some(f) => Err(invalid(&f.name)),
        None => Ok(()),
    }
}

/// Checks the filter names before any AMI is looked at, so an unknown one fails even when
/// nothing would be listed.
pub fn check_image_filters(filters: &[Filter]) -> Result<(), Ec2Error> {
    check(filters, IMAGE_FILTERS)
}

pub fn check_snapshot_filters(filters: &[Filter]) -> Result<(), Ec2Error> {
    check(filters, SNAPSHOT_FILTERS)
}

/// Whether every filter matches the values `values_of` gives for its name (`None`: a filter
/// the operation lacks, which matches nothing).
pub fn all_match(filters: &[Filter], values_of: impl Fn(&str) -> Option<Vec<String>>) -> bool {
    filters
        .iter()
        .all(|f| values_of(&f.name).is_some_and(|values| matches(&values, f)))
}

pub fn image_matches(img: &Image, filters: &[Filter], now: f64) -> bool {
    filters
        .iter()
        .all(|f| image_values(img, &f.name, now).is_some_and(|values| matches(&values, f)))
}

pub fn snapshot_matches(s: &EbsSnapshot, filters: &[Filter], now: f64) -> bool {
    filters
        .iter()
        .all(|f| snapshot_values(s, &f.name, now).is_some_and(|values| matches(&values, f)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::ec2::{Outcome, Timing};

    #[test]
    fn every_listed_filter_has_values() {
        let timing = Timing {
            created_at: 0.0,
            ready_at: 0.0,
            outcome: Outcome::Ready,
        };
        let img = Image {
            id: "ami-1".into(),
            region: "r".into(),
            name: "n".into(),
            description: String::new(),
            timing: timing.clone(),
            windows: false,
            devices: Vec::new(),
            tags: vec![("k".into(), "v".into())],
            deregistered: false,
            source: None,
            resource: None,
        };
        let snap = EbsSnapshot {
            id: "snap-1".into(),
            region: "r".into(),
            description: String::new(),
            size_gib: 1,
            timing,
            tags: Vec::new(),
            image: None,
            source: None,
            resource: None,
            archival: None,
        };
        for name in IMAGE_FILTERS
            .iter()
            .chain(&["tag:k", "tag-key", "tag-value"])
        {
            assert!(image_values(&img, name, 0.0).is_some(), "{name}");
        }
        for name in SNAPSHOT_FILTERS {
            assert!(snapshot_values(&snap, name, 0.0).is_some(), "{name}");
        }
        let f = |n: &str, v: &str| Filter {
            name: n.into(),
            values: vec![v.into()],
        };
        assert!(image_matches(
            &img,
            &[f("tag:k", "v"), f("state", "avail*")],
            0.0
        ));
        assert!(!image_matches(
            &img,
            &[f("tag:k", "v"), f("state", "pending")],
            0.0
        ));
        assert!(check_image_filters(&[f("volume-id", "x")]).is_err());
        assert!(check_snapshot_filters(&[f("volume-id", "x")]).is_ok());
    }

    #[test]
    fn wildcards() {
        assert!(glob("true", "true"));
        assert!(!glob("true", "True"));
        assert!(glob("web-1-*", "web-1-export-2026"));
        assert!(glob("*", ""));
        assert!(glob("2026-11-2?T*", "2026-11-22T06:40:00.000Z"));
        assert!(!glob("a?", "a"));
        assert!(glob("a\\*", "a*"));
        assert!(!glob("a\\*", "ab"));
    }
}
