//! The fan-out's wire forms, written by its listing (`{"fanOut": true}`) and read back by each
//! Map iteration's round: one type each, for both directions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::merge::RegionError;

/// One item of the fan-out: a target of a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Item {
    pub region: String,
    pub resource: String,
}

/// What the fan-out's items share: the Map's `ItemBatcher` hands it to every batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchInput {
    pub restore_date: Option<String>,
    pub dry_run: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test: Option<bool>,
}

/// The fan-out's listing: `{"fanOut": true}`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    /// Every target once, region by region.
    pub items: Vec<Item>,
    pub batch_input: BatchInput,
    /// How many items each region gave.
    pub items_by_region: BTreeMap<String, usize>,
    /// The regions that could not be listed (always present, for the state machine's paths).
    pub region_errors: Vec<RegionError>,
}

/// What the ItemBatcher gives each Map iteration: a batch of items, and what the whole run
/// asked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    #[serde(rename = "Items")]
    pub items: Vec<Item>,
    #[serde(rename = "BatchInput", default)]
    pub batch_input: Option<BatchInput>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_listing_writes_a_batch_reads() {
        let listing = FanOut {
            items: vec![Item {
                region: "us-east-1".into(),
                resource: "web-1".into(),
            }],
            batch_input: BatchInput {
                restore_date: None,
                dry_run: Some(true),
                restore_test: None,
            },
            items_by_region: BTreeMap::new(),
            region_errors: Vec::new(),
        };
        let written = serde_json::to_value(&listing).unwrap();
        let batch: Batch = serde_json::from_value(serde_json::json!({
            "Items": written["items"],
            "BatchInput": written["batchInput"],
        }))
        .unwrap();
        assert_eq!(batch.items, listing.items);
        assert_eq!(batch.batch_input, Some(listing.batch_input));
    }
}
