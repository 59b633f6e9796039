//! Every decision of a round, as pure functions of what the round observed: no `async`, no SDK
//! type, no I/O (a test in `tests/architecture.rs` holds this). Each is tested by table.
//!
//! - [`target`]: one target's next step (which automatic snapshot, copy, export, wait, done);
//! - [`preflight`]: what a resource or a failed call means for its target, how its round ends;
//! - [`copy`]: what a refused copy means: a name taken, or a bounded wait;
//! - [`round`]: listing, selection by tag, copy-name conflicts, the round's status and next check;
//! - [`retention`]: which of the function's copies may go;
//! - [`ec2`]: whether an export's AMI or EBS snapshot is ready, its labels, which ones retire.

pub mod copy;
pub mod ec2;
pub mod preflight;
pub mod retention;
pub mod round;
pub mod target;
