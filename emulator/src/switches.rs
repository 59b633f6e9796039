//! Switches: every behaviour of real Lightsail the public evidence leaves open, as a named choice.
//! Each default is the most hostile value the evidence allows, so a client tested only against
//! the defaults is already prepared for the worst; the other values exist so a test matrix can
//! prove it also copes with the milder ones.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;

/// Defines a string-valued switch: the first value is the default, and `VALUES` lists them all
/// in that order, so the catalog and the serde names cannot disagree.
macro_rules! switch_enum {
    ($(#[$meta:meta])* $name:ident { $first:ident = $first_text:literal $(, $variant:ident = $text:literal)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        pub enum $name {
            #[default]
            #[serde(rename = $first_text)]
            $first,
            $(#[serde(rename = $text)] $variant,)*
        }
        impl $name {
            pub const VALUES: &'static [&'static str] = &[$first_text $(, $text)*];
            pub fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_text,
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

mod archive;
mod drill;
pub use archive::{ArchivalDuration, ArchiveImageSnapshot};
pub use drill::{
    InstanceStatusWhileBooting, LaunchCapacity, NewInstanceVisibility, TerminatedInstanceLookup,
    NEW_INSTANCE_INVISIBLE_SECONDS,
};

switch_enum!(
    /// The shape of an error response.
    ErrorEnvelope { Code = "code", Header = "header" }
);
switch_enum!(
    /// CopySnapshot of a resource's automatic snapshots while one of them is being taken.
    CopyDuringAutoSnapshot { InvalidInput = "invalidInput", OperationFailure = "operationFailure", Allowed = "allowed" }
);
switch_enum!(
    /// How long a scenario's `InProgress` automatic snapshot without `completesAfterSeconds` lasts.
    AutoSnapshotInProgress { Forever = "forever", Hours = "hours", Minutes = "minutes" }
);
switch_enum!(
    /// The order of GetExportSnapshotRecords across its pages.
    ExportRecordOrder { Shuffled = "shuffled", NewestFirst = "newestFirst", OldestFirst = "oldestFirst" }
);
switch_enum!(
    /// What deleting a snapshot does to the export records of it.
    ExportRecordsOnSnapshotDelete { Removed = "removed", Kept = "kept" }
);
switch_enum!(
    /// Which names a CopySnapshot target name must not collide with.
    SnapshotNameScope { Region = "region", Snapshots = "snapshots" }
);
switch_enum!(
    /// When an export record carries `destinationInfo`.
    DestinationInfo { WhileStarted = "whileStarted", OnceSucceeded = "onceSucceeded" }
);
switch_enum!(
    /// How a resource whose AutoSnapshot add-on is off shows `addOns`.
    AddOnWhenDisabled { Absent = "absent", Empty = "empty", Disabled = "disabled" }
);
switch_enum!(
    /// The order of GetAutoSnapshots' list.
    AutoSnapshotOrder { NewestFirst = "newestFirst", OldestFirst = "oldestFirst" }
);
switch_enum!(
    /// How a tag without a value is rendered.
    TagValueWhenKeyOnly { Absent = "absent", Empty = "empty" }
);
switch_enum!(
    /// What EC2's DescribeImages shows of a deregistered AMI.
    DeregisteredImage { NotFound = "notFound", Empty = "empty", Deregistered = "deregistered" }
);

impl AutoSnapshotInProgress {
    /// Simulated seconds after the scenario's start at which it turns `Success`; `None` = never.
    pub fn seconds(self) -> Option<f64> {
        match self {
            AutoSnapshotInProgress::Forever => None,
            AutoSnapshotInProgress::Hours => Some(7_200.0),
            AutoSnapshotInProgress::Minutes => Some(1_200.0),
        }
    }
}

/// GetInstances' page size in aws/aws-sdk-java-v2#2156.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// The switches in force. `Default` is the most hostile value of each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Switches {
    pub error_envelope: ErrorEnvelope,
    pub copy_during_auto_snapshot: CopyDuringAutoSnapshot,
    pub auto_snapshot_in_progress: AutoSnapshotInProgress,
    /// `None`: the scenario's top-level `pageSize`, else [`DEFAULT_PAGE_SIZE`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    pub export_record_order: ExportRecordOrder,
    pub export_records_on_snapshot_delete: ExportRecordsOnSnapshotDelete,
    pub snapshot_name_scope: SnapshotNameScope,
    pub destination_info: DestinationInfo,
    pub add_on_when_disabled: AddOnWhenDisabled,
    pub auto_snapshot_order: AutoSnapshotOrder,
    pub tag_value_when_key_only: TagValueWhenKeyOnly,
    pub deregistered_image: DeregisteredImage,
    pub launch_capacity: LaunchCapacity,
    pub instance_status_while_booting: InstanceStatusWhileBooting,
    pub terminated_instance_lookup: TerminatedInstanceLookup,
    pub new_instance_visibility: NewInstanceVisibility,
    pub archive_image_snapshot: ArchiveImageSnapshot,
    pub archival_duration: ArchivalDuration,
}

/// One switch as documented: its values (the default first) and the evidence behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchInfo {
    pub name: &'static str,
    /// The values to test; for `pageSize` a sample of the integers it takes.
    pub values: &'static [&'static str],
    pub default: &'static str,
    /// Sources, or "guess" when nothing public settles it.
    pub evidence: &'static str,
    /// Values are integers, not strings (`pageSize`).
    pub integer: bool,
}

impl SwitchInfo {
    fn json_of(&self, v: &str) -> Value {
        match v.parse::<u64>() {
            Ok(n) if self.integer => Value::from(n),
            _ => Value::from(v),
        }
    }

    /// `{"name", "values", "default", "evidence"}` with integers as JSON numbers.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for SwitchInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let values: Vec<Value> = self.values.iter().map(|v| self.json_of(v)).collect();
        let mut st = s.serialize_struct("SwitchInfo", 4)?;
        st.serialize_field("name", self.name)?;
        st.serialize_field("values", &values)?;
        st.serialize_field("default", &self.json_of(self.default))?;
        st.serialize_field("evidence", self.evidence)?;
        st.end()
    }
}

const fn choice(
    name: &'static str,
    values: &'static [&'static str],
    evidence: &'static str,
) -> SwitchInfo {
    SwitchInfo {
        name,
        values,
        default: values[0],
        evidence,
        integer: false,
    }
}

/// Every switch: the single source for the README table, the admin catalog and `--list-switches`.
pub const CATALOG: &[SwitchInfo] = &[
    choice(
        "errorEnvelope",
        ErrorEnvelope::VALUES,
        "Observed: real error bodies carry `__type` and a separate Lightsail `code` (`DoesNotExist`, `NameExists`, `UnsupportedOperation`) and no `X-Amzn-ErrorType` header (terraform-provider-aws internal/service/lightsail/errs.go; aws/aws-sdk#665; clouddrove/terraform-aws-lightsail#12; grucloud Lightsail providers; OpenRouterLabs/spawn#2630). The codes of the other exceptions are a guess.",
    ),
    choice(
        "copyDuringAutoSnapshot",
        CopyDuringAutoSnapshot::VALUES,
        "Guess. Developer guide, Changing the automatic snapshot time: \"You cannot create manual snapshots when an automatic snapshot is being created\"; whether CopySnapshot of an older automatic snapshot is refused, and with which exception, is undocumented.",
    ),
    choice(
        "autoSnapshotInProgress",
        AutoSnapshotInProgress::VALUES,
        "Guess. Developer guide, Changing the automatic snapshot time: the snapshot is started up to 45 minutes after snapshotTimeOfDay; how long it then stays InProgress is undocumented. `hours` = 7,200 s, `minutes` = 1,200 s after the scenario's start.",
    ),
    SwitchInfo {
        name: "pageSize",
        values: &["20", "25", "100"],
        default: "20",
        evidence: "aws/aws-sdk-java-v2#2156: GetInstances returned 20 per page; nothing is documented for the other paged operations. Any integer >= 1.",
        integer: true,
    },
    choice(
        "exportRecordOrder",
        ExportRecordOrder::VALUES,
        "Guess. No documented order; the AWS CLI example get-export-snapshot-record.rst shows 2 records, newest first.",
    ),
    choice(
        "exportRecordsOnSnapshotDelete",
        ExportRecordsOnSnapshotDelete::VALUES,
        "Guess. No API deletes export records, and nothing public says whether they outlive their snapshot.",
    ),
    choice(
        "snapshotNameScope",
        SnapshotNameScope::VALUES,
        "Developer guide (every create dialog): resource names \"Must be unique within each AWS Region in your Lightsail account\"; terraform-provider-aws PR #9008. Not observed for snapshot names specifically.",
    ),
    choice(
        "destinationInfo",
        DestinationInfo::VALUES,
        "Guess. No public example of a Started record; the model makes destinationInfo optional.",
    ),
    choice(
        "addOnWhenDisabled",
        AddOnWhenDisabled::VALUES,
        "API reference GetInstances example: an instance with no addOns key at all; `disabled` uses the status values of the CloudFormation Lightsail resource schema.",
    ),
    choice(
        "autoSnapshotOrder",
        AutoSnapshotOrder::VALUES,
        "AWS CLI example get-auto-snapshots.rst lists newest first (one example; no documented order).",
    ),
    choice(
        "tagValueWhenKeyOnly",
        TagValueWhenKeyOnly::VALUES,
        "Guess. The model's Tag.value is optional; no public example of a key-only tag.",
    ),
    choice(
        "deregisteredImage",
        DeregisteredImage::VALUES,
        "EC2 API reference, DescribeImages: \"Recently deregistered images appear in the returned results for a short interval and then return empty results. After all instances that reference a deregistered AMI are terminated, specifying the ID of the image will eventually return an error indicating that the AMI ID cannot be found.\" terraform-provider-aws internal/service/ec2 FindImageByID treats all three (InvalidAMIID.NotFound, an empty result, State deregistered) as gone; moto 5.2.5 answers an empty result.",
    ),
    drill::LAUNCH_CAPACITY,
    drill::INSTANCE_STATUS_WHILE_BOOTING,
    drill::TERMINATED_INSTANCE_LOOKUP,
    drill::NEW_INSTANCE_VISIBILITY,
    archive::ARCHIVE_IMAGE_SNAPSHOT,
    archive::ARCHIVAL_DURATION,
];

impl Switches {
    /// Merges a partial object (`{"errorEnvelope": "header", "pageSize": 100}`) over these
    /// switches. All of it or nothing: on an error the switches are unchanged.
    pub fn merge(&mut self, overrides: Value) -> Result<(), Error> {
        let overrides = match overrides {
            Value::Null => return Ok(()),
            Value::Object(m) => m,
            other => {
                return Err(Error::Switch(format!(
                    "expected an object of switches, got {other}"
                )))
            }
        };
        let mut merged = match serde_json::to_value(&*self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (name, value) in overrides {
            let Some(info) = CATALOG.iter().find(|i| i.name == name) else {
                let names: Vec<&str> = CATALOG.iter().map(|i| i.name).collect();
                return Err(Error::Switch(format!(
                    "unknown switch {name:?} (switches: {})",
                    names.join(", ")
                )));
            };
            let bad = || Error::Switch(format!("{name}: {value} is not {}", allowed(info)));
            let single = Map::from_iter([(name.clone(), value.clone())]);
            let parsed: Switches =
                serde_json::from_value(Value::Object(single)).map_err(|_| bad())?;
            if parsed.page_size == Some(0) {
                return Err(bad());
            }
            merged.insert(name, value);
        }
        *self = serde_json::from_value(Value::Object(merged))
            .map_err(|e| Error::Switch(e.to_string()))?;
        Ok(())
    }

    /// Checks what serde cannot (a page size of 0).
    pub fn validate(&self) -> Result<(), Error> {
        match self.page_size {
            Some(0) => Err(Error::Switch("pageSize must be at least 1".into())),
            _ => Ok(()),
        }
    }
}

fn allowed(info: &SwitchInfo) -> String {
    if info.integer {
        "an integer of at least 1 (or null for the scenario's)".into()
    } else {
        let quoted: Vec<String> = info.values.iter().map(|v| format!("{v:?}")).collect();
        format!("one of {}", quoted.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn catalog_matches_the_defaults_and_every_value_parses() {
        let defaults = serde_json::to_value(Switches::default()).unwrap();
        for info in CATALOG {
            assert_eq!(info.values[0], info.default, "{}: default first", info.name);
            let values = info.to_json()["values"].clone();
            for v in values.as_array().unwrap() {
                let mut s = Switches::default();
                let one = Map::from_iter([(info.name.to_string(), v.clone())]);
                s.merge(Value::Object(one))
                    .unwrap_or_else(|e| panic!("{}={v}: {e}", info.name));
            }
            if !info.integer {
                assert_eq!(defaults[info.name], json!(info.default), "{}", info.name);
            }
        }
        assert_eq!(CATALOG.len(), 18);
        let named = serde_json::to_value(Switches {
            page_size: Some(1),
            ..Switches::default()
        })
        .unwrap();
        assert_eq!(named.as_object().unwrap().len(), CATALOG.len());
    }

    #[test]
    fn merge_is_partial_and_names_bad_switches() {
        let mut s = Switches::default();
        s.merge(json!({"errorEnvelope": "header", "pageSize": 100}))
            .unwrap();
        assert_eq!(s.error_envelope, ErrorEnvelope::Header);
        assert_eq!(s.page_size, Some(100));
        assert_eq!(
            s.copy_during_auto_snapshot,
            CopyDuringAutoSnapshot::InvalidInput
        );
        let before = s.clone();
        let e = s
            .merge(json!({"errorEnvelope": "code", "copyDuringAutoSnapshot": "sometimes"}))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("copyDuringAutoSnapshot") && e.contains("\"allowed\""),
            "{e}"
        );
        assert_eq!(s, before, "nothing applied");
        let e = s.merge(json!({"nope": 1})).unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("errorEnvelope"), "{e}");
        assert!(s.merge(json!({"pageSize": 0})).is_err());
        assert!(s.merge(json!({"pageSize": "ten"})).is_err());
        assert!(s.merge(json!([1])).is_err());
        s.merge(json!({"pageSize": null})).unwrap();
        assert_eq!(s.page_size, None);
    }

    #[test]
    fn list_json_has_integers_for_page_size() {
        let page = CATALOG.iter().find(|i| i.name == "pageSize").unwrap();
        assert_eq!(page.to_json()["values"], json!([20, 25, 100]));
        assert_eq!(page.to_json()["default"], json!(20));
        assert_eq!(
            serde_json::to_value(CATALOG[0]).unwrap()["default"],
            json!("code")
        );
    }
}
