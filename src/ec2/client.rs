//! The EC2 adapter: one client, standard retries for every call. Unlike Lightsail's, EC2's
//! writes here are safe to send again: CreateTags overwrites, and a second DeregisterImage or
//! DeleteSnapshot finds nothing, which counts as done.

use aws_config::SdkConfig;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{Filter, Tag, TargetStorageTier, TieringOperationStatus};
use aws_sdk_ec2::Client;

use super::{convert, Ec2, OPERATIONS};
use crate::error::ApiError;
use crate::model::drill::{DrillImage, DrillWorld, Launch, SecurityGroup, Subnet, VolumeLaunch};
use crate::model::{Ec2Artifact, MANAGED_TAG};
use crate::sdk::{self, all_pages, none_if_not_found, Failure, ListedOperationsOnly};

/// Items per page of a listing (EC2's maximum for both operations is 1,000).
const PAGE: i32 = 500;

/// The EC2 client configuration: standard retries, timeouts, only the operations of
/// [`OPERATIONS`].
pub fn client_config(sdk: &SdkConfig) -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::from(sdk)
        .retry_config(sdk::read_retries())
        .timeout_config(sdk::timeouts())
        .interceptor(ListedOperationsOnly {
            service: "EC2",
            listed: OPERATIONS,
        })
}

/// The adapter over `aws-sdk-ec2`, in the function's region.
#[derive(Debug, Clone)]
pub struct SdkEc2 {
    pub(super) client: Client,
}

impl SdkEc2 {
    pub fn new(client: Client) -> SdkEc2 {
        SdkEc2 { client }
    }

    pub fn from_sdk_config(sdk: &SdkConfig) -> SdkEc2 {
        SdkEc2::new(Client::from_conf(client_config(sdk).build()))
    }
}

/// EC2's errors name themselves in one place (the XML `Code`), so the SDK's `code()` is read
/// as it is.
pub(super) fn api_error<E>(error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let message = match sdk::failure(&error) {
        Failure::Unanswered(api_error) => return api_error,
        Failure::Answered(message) => message,
    };
    let status = error.raw_response().map(|r| r.status().as_u16());
    let code = error.code().unwrap_or("Unknown").to_string();
    match code.as_str() {
        c if c.ends_with(".NotFound") || c == "InvalidAMIID.Unavailable" => {
            ApiError::NotFound(message)
        }
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" => {
            ApiError::Throttled(message)
        }
        "UnauthorizedOperation" | "AuthFailure" | "Blocked" | "OptInRequired" => {
            ApiError::AccessDenied(message)
        }
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable" => {
            ApiError::Transient(message)
        }
        c if c.ends_with(".InUse") => ApiError::Other { code, message },
        c if c.starts_with("Invalid") || c == "MissingParameter" => ApiError::InvalidInput(message),
        _ if status.is_some_and(|s| s >= 500) => ApiError::Transient(message),
        _ => ApiError::Other { code, message },
    }
}

fn managed_filter() -> Filter {
    Filter::builder()
        .name(format!("tag:{MANAGED_TAG}"))
        .values("true")
        .build()
}

impl Ec2 for SdkEc2 {
    async fn describe_image(&self, id: &str) -> Result<Option<Ec2Artifact>, ApiError> {
        match self.client.describe_images().image_ids(id).send().await {
            Ok(output) => Ok(output.images().first().map(convert::image)),
            Err(e) => none_if_not_found(api_error(e)),
        }
    }

    async fn describe_snapshot(&self, id: &str) -> Result<Option<Ec2Artifact>, ApiError> {
        match self
            .client
            .describe_snapshots()
            .snapshot_ids(id)
            .send()
            .await
        {
            Ok(output) => Ok(output.snapshots().first().map(convert::snapshot)),
            Err(e) => none_if_not_found(api_error(e)),
        }
    }

    async fn list_managed(&self) -> Result<Vec<Ec2Artifact>, ApiError> {
        let mut found = all_pages(|token| async move {
            let sent = self
                .client
                .describe_images()
                .owners("self")
                .filters(managed_filter())
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            let items = page.images().iter().map(convert::image).collect();
            Ok((items, page.next_token))
        })
        .await?;
        let snapshots = all_pages(|token| async move {
            let sent = self
                .client
                .describe_snapshots()
                .owner_ids("self")
                .filters(managed_filter())
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            let items = page.snapshots().iter().map(convert::snapshot).collect();
            Ok((items, page.next_token))
        });
        found.extend(snapshots.await?);
        Ok(found)
    }

    async fn create_tags(&self, ids: &[String], tags: &[(String, String)]) -> Result<(), ApiError> {
        let tags: Vec<Tag> = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        let sent = self
            .client
            .create_tags()
            .set_resources(Some(ids.to_vec()))
            .set_tags(Some(tags))
            .send();
        sent.await.map(|_| ()).map_err(api_error)
    }

    async fn deregister_image(&self, id: &str) -> Result<(), ApiError> {
        match self.client.deregister_image().image_id(id).send().await {
            Ok(_) => Ok(()),
            Err(e) => none_if_not_found::<()>(api_error(e)).map(|_| ()),
        }
    }

    async fn delete_snapshot(&self, id: &str) -> Result<(), ApiError> {
        match self.client.delete_snapshot().snapshot_id(id).send().await {
            Ok(_) => Ok(()),
            Err(e) => none_if_not_found::<()>(api_error(e)).map(|_| ()),
        }
    }

    async fn archive_snapshot(&self, id: &str) -> Result<(), ApiError> {
        let sent = self
            .client
            .modify_snapshot_tier()
            .snapshot_id(id)
            .storage_tier(TargetStorageTier::Archive)
            .send();
        sent.await.map(|_| ()).map_err(api_error)
    }

    async fn archiving(&self, ids: &[String]) -> Result<Vec<String>, ApiError> {
        let filter = Filter::builder()
            .name("snapshot-id")
            .set_values(Some(ids.to_vec()))
            .build();
        let filter = &filter;
        all_pages(|token| async move {
            let sent = self
                .client
                .describe_snapshot_tier_status()
                .filters(filter.clone())
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            let items = page
                .snapshot_tier_statuses()
                .iter()
                .filter(|s| {
                    s.last_tiering_operation_status()
                        == Some(&TieringOperationStatus::ArchivalInProgress)
                })
                .filter_map(|s| s.snapshot_id().map(str::to_string))
                .collect();
            Ok((items, page.next_token))
        })
        .await
    }

    // The drill's calls are in `drill.rs`.

    async fn drill_subnet(&self, subnet_id: Option<&str>) -> Result<Option<Subnet>, ApiError> {
        self.subnet(subnet_id).await
    }

    async fn find_group(&self, vpc: &str, name: &str) -> Result<Option<SecurityGroup>, ApiError> {
        self.group(vpc, name).await
    }

    async fn create_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<String, ApiError> {
        self.new_group(vpc_id, name, description, tags).await
    }

    async fn revoke_all(&self, group: &SecurityGroup) -> Result<(), ApiError> {
        self.revoke(group).await
    }

    async fn drill_image(&self, id: &str) -> Result<Option<DrillImage>, ApiError> {
        self.image(id).await
    }

    async fn run_instance(&self, launch: &Launch) -> Result<String, ApiError> {
        self.run(launch).await
    }

    async fn list_drills(&self) -> Result<DrillWorld, ApiError> {
        self.drills().await
    }

    async fn terminate(&self, ids: &[String]) -> Result<(), ApiError> {
        self.end(ids).await
    }

    async fn create_volume(&self, launch: &VolumeLaunch) -> Result<String, ApiError> {
        self.volume(launch).await
    }

    async fn delete_volume(&self, id: &str) -> Result<(), ApiError> {
        self.remove_volume(id).await
    }
}

impl SdkEc2 {
    /// How many AMIs and EBS snapshots the account owns in this region (the doctor's quota
    /// check): every one, not only the function's.
    pub async fn count_owned(&self) -> Result<crate::model::doctor::Ec2Counts, ApiError> {
        let images = all_pages(|token| async move {
            let sent = self
                .client
                .describe_images()
                .owners("self")
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            Ok((vec![page.images().len()], page.next_token))
        });
        let snapshots = all_pages(|token| async move {
            let sent = self
                .client
                .describe_snapshots()
                .owner_ids("self")
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            Ok((vec![page.snapshots().len()], page.next_token))
        });
        Ok(crate::model::doctor::Ec2Counts {
            images: images.await?.iter().sum(),
            snapshots: snapshots.await?.iter().sum(),
        })
    }
}
