//! IAM, as the doctor sees it: whether Lightsail's service-linked role exists, a role's ARN
//! (with its path, which an STS ARN does not carry), and what the IAM policy simulator says of
//! the function's role and its calls. The only code calling `aws-sdk-iam`.

use aws_config::SdkConfig;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum};
use aws_sdk_iam::Client;

use crate::error::ApiError;
use crate::model::doctor::{Decision, Question};
use crate::sdk::{self, query_error, ListedOperationsOnly};

/// Every IAM operation the adapter calls (the template's policy grants exactly these, on the
/// function's own role and Lightsail's service-linked role).
pub const OPERATIONS: &[&str] = &["GetRole", "SimulatePrincipalPolicy"];

/// Lightsail's service-linked role, which exports to EC2 need (Lightsail developer guide,
/// "Using service-linked roles for Amazon Lightsail").
pub const SERVICE_LINKED_ROLE: &str = "AWSServiceRoleForLightsail";

/// The adapter over `aws-sdk-iam` (a global service: one endpoint whatever the region).
#[derive(Debug, Clone)]
pub struct SdkIam {
    client: Client,
}

impl SdkIam {
    pub fn new(client: Client) -> SdkIam {
        SdkIam { client }
    }

    /// Standard retries, the adapters' timeouts, only [`OPERATIONS`].
    pub fn from_sdk_config(sdk: &SdkConfig) -> SdkIam {
        let config = aws_sdk_iam::config::Builder::from(sdk)
            .retry_config(sdk::read_retries())
            .timeout_config(sdk::timeouts())
            .interceptor(ListedOperationsOnly {
                service: "IAM",
                listed: OPERATIONS,
            });
        SdkIam::new(Client::from_conf(config.build()))
    }

    /// The ARN of the role of that name, `None` when there is none.
    pub async fn role_arn(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.client.get_role().role_name(name).send().await {
            Ok(answer) => Ok(answer.role().map(|r| r.arn().to_string())),
            Err(error) => sdk::none_if_not_found(query_error(error)),
        }
    }

    /// The simulator's decision for each action of `question`, for the role or user `source`,
    /// every page.
    pub async fn simulate(
        &self,
        source: &str,
        question: &Question,
    ) -> Result<Vec<Decision>, ApiError> {
        let context: Vec<ContextEntry> = question
            .context
            .iter()
            .map(|(key, values)| {
                let kind = if values.len() == 1 {
                    ContextKeyTypeEnum::String
                } else {
                    ContextKeyTypeEnum::StringList
                };
                ContextEntry::builder()
                    .context_key_name(key)
                    .set_context_key_values(Some(values.clone()))
                    .context_key_type(kind)
                    .build()
            })
            .collect();
        let context = &context;
        sdk::all_pages(|marker| async move {
            let sent = self
                .client
                .simulate_principal_policy()
                .policy_source_arn(source)
                .set_action_names(Some(question.actions.clone()))
                .set_resource_arns(
                    (!question.resources.is_empty()).then(|| question.resources.clone()),
                )
                .set_context_entries(Some(context.clone()))
                .set_marker(marker);
            let page = sent.send().await.map_err(query_error)?;
            let decisions = page
                .evaluation_results()
                .iter()
                .map(|r| Decision {
                    action: r.eval_action_name().to_string(),
                    decision: r.eval_decision().as_str().to_string(),
                    missing_context: r.missing_context_values().to_vec(),
                })
                .collect();
            let next = if page.is_truncated() {
                page.marker
            } else {
                None
            };
            Ok((decisions, next))
        })
        .await
    }
}
