//! What one invocation was asked to do: the event (a plain request, an EventBridge envelope,
//! or the previous output) over the environment, merged into a validated [`plan::Plan`].
//!
//! - [`request`]: the three event forms -> `Request`;
//! - [`config`]: the environment -> `Config`;
//! - [`plan`]: `Request` over `Config` -> `Plan` (names and dates validated);
//! - [`split`]: a run over several regions -> one `Request` per region;
//! - [`names`]: resource-name checks and the deterministic copy name.

pub mod config;
pub mod names;
pub mod plan;
pub mod request;
pub(crate) mod split;
