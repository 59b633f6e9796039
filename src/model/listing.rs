//! A listing a round may make: not asked for, failed, or listed.

use crate::error::ApiError;

/// A listing of the round, as the round saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing<T> {
    /// The round did not need it.
    NotAsked,
    Failed(ApiError),
    Listed(Vec<T>),
}

impl<T> From<Result<Vec<T>, ApiError>> for Listing<T> {
    fn from(result: Result<Vec<T>, ApiError>) -> Listing<T> {
        match result {
            Ok(items) => Listing::Listed(items),
            Err(error) => Listing::Failed(error),
        }
    }
}
