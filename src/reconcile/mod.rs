//! The round's I/O: observe Lightsail, let `decide` choose, act, report. Nothing here decides.
//!
//! - [`round`]: the survey (the listings every target shares, the targets they select), every
//!   target's part concurrently, the output;
//! - [`target`]: one target's calls, in the order its decisions call for;
//! - [`drill`]: the round's restore drills, after its targets (`isolation`: where they boot);
//! - [`deadline`]: when no new target may start;
//! - [`regions`]: a round in several regions at once, and the fan-out's listing of its items.

mod deadline;
mod drill;
mod isolation;
pub(crate) mod regions;
mod round;
mod target;

pub use deadline::Deadline;
pub use round::reconcile;
