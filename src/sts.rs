//! STS, as the doctor sees it: who the credentials are (`GetCallerIdentity`, which needs no
//! permission: IAM cannot deny it). The only code calling `aws-sdk-sts`.

use aws_config::SdkConfig;
use aws_sdk_sts::Client;

use crate::error::ApiError;
use crate::model::doctor::Caller;
use crate::sdk::{self, ListedOperationsOnly};

/// Every STS operation the adapter calls.
pub const OPERATIONS: &[&str] = &["GetCallerIdentity"];

/// The adapter over `aws-sdk-sts`.
#[derive(Debug, Clone)]
pub struct SdkSts {
    client: Client,
}

impl SdkSts {
    pub fn new(client: Client) -> SdkSts {
        SdkSts { client }
    }

    /// Standard retries, the adapters' timeouts, only [`OPERATIONS`].
    pub fn from_sdk_config(sdk: &SdkConfig) -> SdkSts {
        let config = aws_sdk_sts::config::Builder::from(sdk)
            .retry_config(sdk::read_retries())
            .timeout_config(sdk::timeouts())
            .interceptor(ListedOperationsOnly {
                service: "STS",
                listed: OPERATIONS,
            });
        SdkSts::new(Client::from_conf(config.build()))
    }

    /// The account and the ARN the credentials act as.
    pub async fn caller(&self) -> Result<Caller, ApiError> {
        let sent = self.client.get_caller_identity().send();
        let answer = sent.await.map_err(sdk::query_error)?;
        Ok(Caller {
            account: answer.account().unwrap_or_default().to_string(),
            arn: answer.arn().unwrap_or_default().to_string(),
        })
    }
}
