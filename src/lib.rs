//! lightsail-export: keeps durable EC2 copies of Amazon Lightsail's automatic snapshots.
//!
//! Every round copies each target's latest restorable automatic snapshot to a manual snapshot,
//! exports that to EC2, and reports the export's progress. The layout follows a round:
//!
//! ```text
//! input      what was asked: the event's forms (Invocation: a round, a fan-out item's round,
//!            the fan-out's listing, its aggregate) and the environment -> a validated Plan, and
//!            a run over several regions split into one request per region (split)
//! lightsail  Lightsail as a trait; the SDK adapter (the only SDK code) and a fake for tests
//! ec2        the same for EC2: the AMIs and EBS snapshots exports leave there
//! sdk        what both SDK adapters share: retries, timeouts, the listed operations, paging
//! decide     every decision, pure: a target's next step, preflight, copy refusals, the fleet
//!            (the round's), retention, bounded retries, the EC2 artifacts; it names only model,
//!            input and error
//! reconcile  the round's I/O: the survey (listings, targets), each target's calls in order,
//!            several regions at once, the deadline
//! report     the output contract: a round's output (assemble), the merge of regions and of the
//!            fan-out (merge), the fan-out's wire forms, metrics, cost
//! handler    the Lambda handler, one entry point per kind of invocation, and its App
//! sts, iam   STS and IAM as the doctor sees them: who the credentials are, the service-linked
//!            role, the function's permissions by simulation
//! doctor     the doctor's reads of an account, read-only, judged by decide::doctor
//! clients    the adapters of the other regions of a run over several regions, built on use
//! local      the local runner: embedded emulator, progress, inventory (feature `local`)
//! fake       what the adapters' in-memory fakes share (tests only)
//! model      the shared words: ResourceType, Phase, ManualSnapshot, ExportRecord, Listing, the
//!            function's tag keys, and time (Timestamp, Date)
//! error      every error type and every conversion between them, with their stable names
//! clock      "now" on Lightsail's clock
//! ```
//!
//! Dependencies point one way (`tests/architecture.rs`): input, lightsail, decide and report
//! know nothing of reconcile or handler, and decide does no I/O and names no report type.

pub mod clients;
pub mod clock;
pub mod decide;
pub mod doctor;
pub mod ec2;
pub mod error;
#[cfg(test)]
pub(crate) mod fake;
pub mod handler;
pub mod iam;
pub mod input;
pub mod lightsail;
#[cfg(feature = "local")]
pub mod local;
pub mod model;
pub mod reconcile;
pub mod report;
mod sdk;
pub mod sts;

pub use error::Error;
pub use handler::{handler, init_tracing, App, Response};
pub use input::config::Config;
pub use reconcile::{reconcile, Deadline};
pub use report::Output;
