//! STS, as the doctor sees it: who the credentials are (`GetCallerIdentity`, which needs no
//! permission: IAM cannot deny it). The only code calling `aws-sdk-sts`.

use aws_config::SdkConfig;
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_sdk_sts::Client;

use crate::error::ApiError;
use crate::model::doctor::Caller;
use crate::sdk::{self, Failure, ListedOperationsOnly};

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
        let answer = match self.client.get_caller_identity().send().await {
            Ok(answer) => answer,
            Err(error) => {
                let message = match sdk::failure(&error) {
                    Failure::Unanswered(api_error) => return Err(api_error),
                    Failure::Answered(message) => message,
                };
                let code = error.code().unwrap_or("Unknown").to_string();
                return Err(match code.as_str() {
                    "InvalidClientTokenId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "AccessDenied" => ApiError::AccessDenied(message),
                    "Throttling" => ApiError::Throttled(message),
                    _ => ApiError::Other { code, message },
                });
            }
        };
        Ok(Caller {
            account: answer.account().unwrap_or_default().to_string(),
            arn: answer.arn().unwrap_or_default().to_string(),
        })
    }
}
