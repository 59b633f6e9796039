//! SDK types to domain values.

use aws_sdk_ec2::types as sdk;

use crate::model::{ArtifactKind, Ec2Artifact, Tags};

fn tags(tags: &[sdk::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().map(str::to_string))))
        .collect()
}

pub fn image(i: &sdk::Image) -> Ec2Artifact {
    let devices: Vec<&sdk::EbsBlockDevice> = i
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs())
        .collect();
    Ec2Artifact {
        kind: ArtifactKind::Image,
        id: i.image_id().unwrap_or_default().to_string(),
        state: i
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        snapshot_ids: devices
            .iter()
            .filter_map(|d| d.snapshot_id())
            .map(str::to_string)
            .collect(),
        size_gib: devices
            .iter()
            .filter_map(|d| d.volume_size())
            .map(i64::from)
            .sum(),
        tags: tags(i.tags()),
        storage_tier: None,
    }
}

pub fn snapshot(s: &sdk::Snapshot) -> Ec2Artifact {
    Ec2Artifact {
        kind: ArtifactKind::Snapshot,
        id: s.snapshot_id().unwrap_or_default().to_string(),
        state: s
            .state()
            .map(|st| st.as_str().to_string())
            .unwrap_or_default(),
        snapshot_ids: Vec::new(),
        size_gib: s.volume_size().map(i64::from).unwrap_or(0),
        tags: tags(s.tags()),
        storage_tier: s.storage_tier().map(|t| t.as_str().to_string()),
    }
}
