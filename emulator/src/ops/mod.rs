//! Lightsail: the HTTP side (`serve`), the operations served (`Operation`), and each
//! operation's input checks, then reads or writes of the world.

mod copy;
mod export;
mod input;
mod operation;
pub(crate) mod paging;
mod read;
pub mod serve;
mod write;

use crate::faults::FaultState;
use crate::world::World;

pub use operation::Operation;

/// Everything an operation may look at or change.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub faults: &'a mut FaultState,
    /// The region the request was sent to.
    pub region: &'a str,
    pub now: f64,
}
