//! What the doctor reads off an account (read-only), as plain facts, and the report it makes of
//! them. The reads are the adapters' (`lightsail::probe`, `ec2`, `sts`); the judging is
//! `decide::doctor`'s.

use serde::Serialize;

use super::{AutoSnapshot, Resource, Timestamp};

/// Everything the doctor read. A read that failed keeps its error's text: the report says
/// what could not be checked and why, and the other checks go on.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The function's region: copies, exports and export records live here.
    pub region: String,
    /// Where the resources and their automatic snapshots live.
    pub source_region: String,
    pub now: Option<Timestamp>,
    /// STS GetCallerIdentity.
    pub caller: Read<Caller>,
    /// GetInstances and GetDisks of the source region, as listed.
    pub resources: Read<Vec<SeenResource>>,
    /// GetAutoSnapshots of each target, in the order listed.
    pub auto_snapshots: Vec<(String, Read<Vec<AutoSnapshot>>)>,
    /// The answer to a GetInstance of a name that cannot exist.
    pub error_probe: Read<ErrorIdentity>,
    /// GetExportSnapshotRecords, every page, in the order listed.
    pub records: Read<Vec<SeenRecord>>,
    /// The names of the function's region's manual (instance and disk) snapshots.
    pub manual_snapshots: Read<Vec<String>>,
    /// The first page of each paged listing read.
    pub pages: Vec<Page>,
    /// AMIs and EBS snapshots this account owns in the function's region.
    pub ec2: Read<Ec2Counts>,
    /// Whether Lightsail's service-linked role (`AWSServiceRoleForLightsail`) exists.
    pub service_linked_role: Read<bool>,
    /// The IAM policy simulator's decisions for the function's role and its calls; `NotRead`
    /// when the doctor does not know the function's role (run locally without it).
    pub permissions: Read<Simulation>,
    /// Why the function's environment was refused (`InvalidConfiguration`), if it was: the
    /// doctor then checks with the defaults, and says so first.
    pub invalid_configuration: Option<String>,
}

/// What the IAM policy simulator said of a role's calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The role (or user) simulated.
    pub source: String,
    pub decisions: Vec<Decision>,
}

/// One action's decision: `allowed`, `explicitDeny` or `implicitDeny`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: String,
    pub decision: String,
    /// Condition keys the policies need that the question did not give.
    pub missing_context: Vec<String>,
}

/// Actions simulated together: on the same resources (none: `*`), with the same context
/// (`aws:RequestedRegion`, `aws:ResourceTag/…`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub context: Vec<(String, Vec<String>)>,
}

/// A read's result: its value, or why it failed (`NotRead` when it was not attempted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Read<T> {
    #[default]
    NotRead,
    Failed(String),
    Done(T),
}

impl<T> Read<T> {
    pub fn from_result<E: std::fmt::Display>(result: Result<T, E>) -> Read<T> {
        match result {
            Ok(value) => Read::Done(value),
            Err(error) => Read::Failed(error.to_string()),
        }
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Read::Done(value) => Some(value),
            _ => None,
        }
    }
}

/// Who the credentials are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

/// An instance or disk, with the shapes of its listing that the engine's [`Resource`] does not
/// keep.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenResource {
    pub resource: Resource,
    pub add_on: AddOnShape,
}

/// How a resource's `addOns` showed the AutoSnapshot add-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOnShape {
    /// No `addOns` key at all.
    NoKey,
    /// `addOns: []`.
    EmptyList,
    /// An `AutoSnapshot` entry with this status (`Enabled`, `Disabled`, …).
    Status(String),
    /// Other add-ons, none of them `AutoSnapshot`.
    Others,
}

/// How an error response names itself (the engine classifies errors by it,
/// `lightsail::error`; the doctor reports it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorIdentity {
    /// `X-Amzn-ErrorType`, where the service sends it.
    pub header: Option<String>,
    /// The body's `__type`.
    pub type_name: Option<String>,
    /// The body's `code` (Lightsail's own: `DoesNotExist`, `NameExists`, …).
    pub code: Option<String>,
    pub status: Option<u16>,
}

/// An export record as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenRecord {
    pub created_at: Option<Timestamp>,
    /// `Started`, `Succeeded`, `Failed`.
    pub state: String,
    pub has_destination_info: bool,
    /// The manual snapshot exported.
    pub source_name: String,
}

/// The first page of a paged listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The operation (`GetExportSnapshotRecords`, …).
    pub operation: &'static str,
    pub items: usize,
    /// Whether it named a next page.
    pub more: bool,
}

/// What the account owns in EC2 in the function's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ec2Counts {
    pub images: usize,
    pub snapshots: usize,
}

/// The doctor's answer: `{"doctor": {...}}` (docs/contract.md, "The doctor").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoctorOutput {
    pub doctor: Report,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `ok`, `warn` (something to look at) or `fail` (a night would not succeed as configured).
    pub status: CheckStatus,
    pub account: Option<String>,
    pub region: String,
    pub source_region: String,
    pub checks: Vec<Check>,
    /// What this account's Lightsail does, switch by switch of the emulator.
    pub guesses: Vec<Guess>,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// A stable name: `configuration`, `credentials`, `targets`, `autoSnapshots`, `schedule`, `blueprint`,
    /// `exportRecords`, `serviceLinkedRole`, `permissions`, `quota`.
    pub check: &'static str,
    /// The target or the quota it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: CheckStatus,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Info,
    Warn,
    Fail,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Info => "info",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        }
    }
}

/// What a harmless read showed of one of the emulator's switches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Guess {
    /// The emulator's switch of that behaviour (emulator/README.md, "Switches").
    pub switch: &'static str,
    /// The switch's value this account shows (an integer for `pageSize`); `null` when nothing
    /// read here shows it, or what was seen is none of the switch's values.
    pub value: Option<serde_json::Value>,
    /// What was read, or why nothing could be.
    pub observed: String,
}
