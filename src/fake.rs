//! What the in-memory fakes of the adapters (`lightsail::fake`, `ec2::fake`) share: a log of
//! every call, and failures scripted per operation for its next calls.

use std::collections::{HashMap, VecDeque};

use crate::error::ApiError;

#[derive(Debug, Default)]
pub struct Script {
    /// Operation name -> errors its next calls return (front first), before anything applies.
    failures: HashMap<&'static str, VecDeque<ApiError>>,
    /// Every call: the operation and what it was about.
    calls: Vec<(&'static str, String)>,
}

impl Script {
    /// The next call of `operation` fails with `error`.
    pub fn fail(&mut self, operation: &'static str, error: ApiError) {
        self.failures.entry(operation).or_default().push_back(error);
    }

    /// The operations called, in order.
    pub fn operations(&self) -> Vec<&'static str> {
        self.calls.iter().map(|(op, _)| *op).collect()
    }

    /// Every call, in order: the operation and what it was about.
    pub fn calls(&self) -> Vec<(&'static str, String)> {
        self.calls.clone()
    }

    /// Logs a call and returns its scripted failure, if any.
    pub fn call(&mut self, operation: &'static str, about: &str) -> Result<(), ApiError> {
        self.calls.push((operation, about.to_string()));
        match self
            .failures
            .get_mut(operation)
            .and_then(VecDeque::pop_front)
        {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}
