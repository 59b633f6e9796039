//! The adapters of every region a run covers. The function's own region's are built at cold
//! start (`App::api`, `App::ec2`); another region's are built the first time a run reaches it,
//! from the same SDK configuration with that region, and kept for the warm invocations after.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;

use crate::ec2::SdkEc2;
use crate::lightsail::SdkLightsail;

/// Builds a region's adapters.
pub type Factory = Arc<dyn Fn(&str) -> (SdkLightsail, SdkEc2) + Send + Sync>;

/// The other regions' adapters, built on first use.
#[derive(Clone, Default)]
pub struct RegionClients {
    factory: Option<Factory>,
    built: Arc<Mutex<HashMap<String, (SdkLightsail, SdkEc2)>>>,
}

impl fmt::Debug for RegionClients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let built = self.built.lock().map(|b| b.len()).unwrap_or(0);
        f.debug_struct("RegionClients")
            .field("factory", &self.factory.is_some())
            .field("built", &built)
            .finish()
    }
}

impl RegionClients {
    /// Adapters built by `factory` (tests give their own clients).
    pub fn from_fn(
        factory: impl Fn(&str) -> (SdkLightsail, SdkEc2) + Send + Sync + 'static,
    ) -> Self {
        RegionClients {
            factory: Some(Arc::new(factory)),
            built: Arc::default(),
        }
    }

    /// Adapters from `sdk` (credentials, endpoints, timeouts) in each region.
    pub fn from_sdk_config(sdk: &SdkConfig) -> Self {
        let sdk = sdk.clone();
        RegionClients::from_fn(move |region| {
            let regional = sdk
                .to_builder()
                .region(aws_config::Region::new(region.to_string()))
                .build();
            (
                SdkLightsail::from_sdk_config(&regional, None),
                SdkEc2::from_sdk_config(&regional),
            )
        })
    }

    /// `region`'s adapters, or `None` when there is no way to build them (an `App` made by
    /// hand for one region).
    pub fn get(&self, region: &str) -> Option<(SdkLightsail, SdkEc2)> {
        let factory = self.factory.as_ref()?;
        let mut built = match self.built.lock() {
            Ok(built) => built,
            Err(poisoned) => poisoned.into_inner(),
        };
        let adapters = built
            .entry(region.to_string())
            .or_insert_with(|| factory(region));
        Some(adapters.clone())
    }
}
