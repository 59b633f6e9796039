//! Every decision of a round, as pure functions of what the round observed: no `async`, no SDK
//! type, no I/O (a test in `tests/architecture.rs` holds this). Each is tested by table.
//!
//! - [`target`]: one target's next step (which automatic snapshot, copy, export, wait, done);
//! - [`preflight`]: what a resource or a failed call means for its target, how its round ends;
//! - [`copy`]: what a refused copy means: a name taken, or a bounded wait;
//! - [`fleet`]: listing, selection by tag, copy-name conflicts, the round's status and next check;
//! - [`retention`]: which of the function's copies may go;
//! - [`keep`]: the keep rules (`EC2_KEEP_*`, `COPIES_KEEP_*`): which exports a schedule keeps, and why;
//! - [`retry`]: how long a target or a region may keep failing transiently (`MAX_RETRY_WINDOW`);
//! - [`artifact`]: whether an export's AMI or EBS snapshot is ready, its labels, which ones retire;
//! - [`drill`]: the restore drill: which targets tonight, where each drill is, what to sweep;
//! - [`doctor`]: the doctor's checklist and what its reads show of Lightsail's undocumented ways.

// `artifact`, `fleet` and `retention` are public for the examples, the benchmarks and the local
// runner's inventory, `doctor` for its tests; the rest is the engine's own.
pub mod artifact;
pub(crate) mod copy;
pub mod doctor;
pub mod drill;
pub mod fleet;
pub mod keep;
pub(crate) mod preflight;
pub mod retention;
pub(crate) mod retry;
pub(crate) mod target;
