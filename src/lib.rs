//! lightsail-export: keeps durable EC2 copies of Amazon Lightsail's automatic snapshots.
//!
//! Every round copies each target's latest restorable automatic snapshot to a manual snapshot,
//! exports that to EC2, and reports the export's progress. The layout follows a round:
//!
//! ```text
//! input      what was asked: the event's three forms and the environment -> a validated Plan
//! lightsail  Lightsail as a trait; the SDK adapter (the only SDK code) and a fake for tests
//! ec2        the same for EC2: the AMIs and EBS snapshots exports leave there
//! decide     every decision, pure: a target's next step, preflight, the round, retention
//! reconcile  the round's I/O: listings, each target's calls in order, the deadline
//! report     the output contract, and the round's metrics
//! handler    the Lambda handler and what it is given at cold start (App)
//! clients    the adapters of the other regions of a run over several regions, built on use
//! local      the local runner: embedded emulator, progress, inventory (feature `local`)
//! fake       what the adapters' in-memory fakes share: the call log, scripted failures
//! model      the shared words: ResourceType, Phase, ManualSnapshot, ExportRecord, Action, …
//! error      the invocation's and the targets' errors, with their stable names
//! clock, time  "now" on Lightsail's clock; dates and times as the contract writes them
//! ```
//!
//! Dependencies point one way (`tests/architecture.rs`): input, lightsail, decide and report
//! know nothing of reconcile or handler, and decide does no I/O.

pub mod clients;
pub mod clock;
pub mod decide;
pub mod ec2;
pub mod error;
pub mod fake;
pub mod handler;
pub mod input;
pub mod lightsail;
#[cfg(feature = "local")]
pub mod local;
pub mod model;
pub mod reconcile;
pub mod report;
mod sdk;

pub use error::Error;
pub use handler::{handler, init_tracing, App, Response};
pub use input::config::Config;
pub use reconcile::{reconcile, Deadline};
pub use report::Output;
