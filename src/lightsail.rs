//! The only code that calls Lightsail: one adapter over `aws-sdk-lightsail` that pages, maps
//! errors to [`ApiError`] and returns plain domain values.
//!
//! Reads use the SDK's standard retries. Writes are not idempotent (an ExportSnapshot sent twice
//! starts two exports), so they are sent with the SDK's retries off and retried here only on
//! throttling, which proves the request was not applied. Any other failure of a write is left to
//! the next round, which observes the world first.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::timeout::TimeoutConfig;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lightsail::types::RegionName;
use aws_sdk_lightsail::Client;

pub use crate::api_error::ApiError;
use crate::clock::Clock;
use crate::decide::{AutoSnapshot, CopyState, ExportRecord, RecordState};
use crate::plan::ResourceType;

/// Attempts (first try included) of a read before its error is reported.
pub const READ_ATTEMPTS: u32 = 5;
/// Attempts of a write that keeps being throttled.
pub const WRITE_ATTEMPTS: u32 = 4;
/// A safety stop for a paging loop whose token never ends.
const MAX_PAGES: usize = 10_000;

/// An instance or a disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub resource_type: ResourceType,
    pub blueprint_id: String,
    pub blueprint_name: String,
    pub tags: Vec<(String, Option<String>)>,
    /// Whether the automatic-snapshot add-on is on (`None` when Lightsail did not say).
    pub auto_snapshots_enabled: Option<bool>,
    /// The add-on's `snapshotTimeOfDay` (`HH:00`, UTC): automatic snapshots start then and up to
    /// 45 minutes after.
    pub snapshot_time_of_day: Option<String>,
}

/// A manual snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub name: String,
    pub resource_type: ResourceType,
    pub state: CopyState,
    /// The instance or disk it was taken from.
    pub from_resource: Option<String>,
    pub tags: Vec<(String, Option<String>)>,
    /// Epoch seconds.
    pub created_at: Option<f64>,
    /// `isFromAutoSnapshot`: every copy the function makes is; a user's own snapshot is not.
    pub from_auto_snapshot: Option<bool>,
}

impl Copy {
    fn missing(name: &str, resource_type: ResourceType) -> Copy {
        Copy {
            name: name.to_string(),
            resource_type,
            state: CopyState::Missing,
            from_resource: None,
            tags: Vec::new(),
            created_at: None,
            from_auto_snapshot: None,
        }
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }
}

/// The Lightsail client configuration this function uses: standard retries for reads and
/// timeouts, so a hung connection costs seconds, not the Lambda's whole run.
pub fn client_config(sdk: &SdkConfig) -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::config::Builder::from(sdk)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(READ_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(Duration::from_secs(20))
                .operation_timeout(Duration::from_secs(60))
                .build(),
        )
}

#[derive(Debug, Clone)]
pub struct LightsailApi {
    /// The function's region: copies, exports and export records live here.
    client: Client,
    /// The source region: the resources and their automatic snapshots live here.
    source: Client,
    source_region: String,
    /// First backoff of a throttled write (doubles, with jitter).
    write_backoff: Duration,
    clock: Clock,
}

fn write_override() -> aws_sdk_lightsail::config::Builder {
    aws_sdk_lightsail::config::Builder::default().retry_config(RetryConfig::disabled())
}

impl LightsailApi {
    /// `client` talks to the function's region, `source` to `source_region`.
    pub fn new(client: Client, source: Client, source_region: impl Into<String>) -> LightsailApi {
        LightsailApi {
            client,
            source,
            source_region: source_region.into(),
            write_backoff: Duration::from_millis(500),
            clock: Clock::system(),
        }
    }

    /// Clients for the function's region and the source region (the same one when equal).
    pub fn from_sdk_config(sdk: &SdkConfig, source_region: Option<&str>) -> LightsailApi {
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let client = Client::from_conf(client_config(sdk).build());
        match source_region {
            Some(source_region) if source_region != region => {
                let source = Client::from_conf(
                    client_config(sdk)
                        .region(aws_sdk_lightsail::config::Region::new(
                            source_region.to_string(),
                        ))
                        .build(),
                );
                LightsailApi::new(client, source, source_region)
            }
            _ => LightsailApi::new(client.clone(), client, region),
        }
    }

    pub fn with_write_backoff(mut self, backoff: Duration) -> LightsailApi {
        self.write_backoff = backoff;
        self
    }

    /// Reads "now" from `clock` instead of the system clock (the emulator's simulated clock).
    pub fn with_clock(mut self, clock: Clock) -> LightsailApi {
        self.clock = clock;
        self
    }

    /// Epoch seconds on Lightsail's clock.
    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    pub fn region(&self) -> String {
        self.client
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    pub fn source_region(&self) -> &str {
        &self.source_region
    }

    /// The instance of that name in the source region, if any.
    pub async fn get_instance(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        match self.source.get_instance().instance_name(name).send().await {
            Ok(output) => Ok(output.instance.map(|i| instance(&i))),
            Err(error) => none_if_not_found(ApiError::from_sdk(error)),
        }
    }

    /// The disk of that name in the source region, if any.
    pub async fn get_disk(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        match self.source.get_disk().disk_name(name).send().await {
            Ok(output) => Ok(output.disk.map(|d| disk(&d))),
            Err(error) => none_if_not_found(ApiError::from_sdk(error)),
        }
    }

    /// Every instance and disk of the source region (all pages).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ApiError> {
        let mut resources = all_pages(|token| async move {
            let page = self
                .source
                .get_instances()
                .set_page_token(token)
                .send()
                .await;
            let page = page.map_err(ApiError::from_sdk)?;
            Ok((
                page.instances().iter().map(instance).collect(),
                page.next_page_token,
            ))
        })
        .await?;
        resources.extend(
            all_pages(|token| async move {
                let page = self.source.get_disks().set_page_token(token).send().await;
                let page = page.map_err(ApiError::from_sdk)?;
                Ok((
                    page.disks().iter().map(disk).collect(),
                    page.next_page_token,
                ))
            })
            .await?,
        );
        Ok(resources)
    }

    /// The automatic snapshots of an instance or disk, as GetAutoSnapshots lists them.
    pub async fn get_auto_snapshots(&self, resource: &str) -> Result<Vec<AutoSnapshot>, ApiError> {
        let output = self
            .source
            .get_auto_snapshots()
            .resource_name(resource)
            .send()
            .await
            .map_err(ApiError::from_sdk)?;
        Ok(output
            .auto_snapshots()
            .iter()
            .filter_map(|s| {
                Some(AutoSnapshot {
                    date: s.date()?.to_string(),
                    status: s
                        .status()
                        .map(|st| st.as_str().to_string())
                        .unwrap_or_default(),
                })
            })
            .collect())
    }

    /// The manual snapshot of that name in the function's region, or `CopyState::Missing`.
    pub async fn get_copy(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> Result<Copy, ApiError> {
        let found = match resource_type {
            ResourceType::Instance => {
                let sent = self
                    .client
                    .get_instance_snapshot()
                    .instance_snapshot_name(name)
                    .send()
                    .await;
                match sent {
                    Ok(output) => output.instance_snapshot.as_ref().map(instance_snapshot),
                    Err(error) => none_if_not_found(ApiError::from_sdk(error))?,
                }
            }
            ResourceType::Disk => {
                let sent = self
                    .client
                    .get_disk_snapshot()
                    .disk_snapshot_name(name)
                    .send()
                    .await;
                match sent {
                    Ok(output) => output.disk_snapshot.as_ref().map(disk_snapshot),
                    Err(error) => none_if_not_found(ApiError::from_sdk(error))?,
                }
            }
        };
        Ok(found.unwrap_or_else(|| Copy::missing(name, resource_type)))
    }

    /// Every manual instance and disk snapshot of the function's region (all pages).
    pub async fn list_copies(&self) -> Result<Vec<Copy>, ApiError> {
        let mut copies = all_pages(|token| async move {
            let page = self
                .client
                .get_instance_snapshots()
                .set_page_token(token)
                .send()
                .await;
            let page = page.map_err(ApiError::from_sdk)?;
            let items = page
                .instance_snapshots()
                .iter()
                .map(instance_snapshot)
                .collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        copies.extend(
            all_pages(|token| async move {
                let page = self
                    .client
                    .get_disk_snapshots()
                    .set_page_token(token)
                    .send()
                    .await;
                let page = page.map_err(ApiError::from_sdk)?;
                let items = page.disk_snapshots().iter().map(disk_snapshot).collect();
                Ok((items, page.next_page_token))
            })
            .await?,
        );
        Ok(copies)
    }

    /// TagResource on a snapshot (or any resource) of the function's region.
    pub async fn tag_resource(
        &self,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<(), ApiError> {
        let tags: Vec<aws_sdk_lightsail::types::Tag> = tags
            .iter()
            .map(|(k, v)| {
                aws_sdk_lightsail::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
            })
            .collect();
        self.write(|| {
            self.client
                .tag_resource()
                .resource_name(name)
                .set_tags(Some(tags.clone()))
                .customize()
                .config_override(write_override())
                .send()
        })
        .await
        .map(|_| ())
    }

    /// DeleteInstanceSnapshot / DeleteDiskSnapshot.
    pub async fn delete_copy(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> Result<(), ApiError> {
        match resource_type {
            ResourceType::Instance => self
                .write(|| {
                    self.client
                        .delete_instance_snapshot()
                        .instance_snapshot_name(name)
                        .customize()
                        .config_override(write_override())
                        .send()
                })
                .await
                .map(|_| ()),
            ResourceType::Disk => self
                .write(|| {
                    self.client
                        .delete_disk_snapshot()
                        .disk_snapshot_name(name)
                        .customize()
                        .config_override(write_override())
                        .send()
                })
                .await
                .map(|_| ()),
        }
    }

    /// CopySnapshot of `resource`'s automatic snapshot of `date` (pinned by `restoreDate`, so the
    /// copy's content matches its name) into the function's region.
    pub async fn copy_snapshot(
        &self,
        resource: &str,
        date: &str,
        target_name: &str,
    ) -> Result<(), ApiError> {
        self.write(|| {
            self.client
                .copy_snapshot()
                .source_resource_name(resource)
                .restore_date(date)
                .source_region(RegionName::from(self.source_region.as_str()))
                .target_snapshot_name(target_name)
                .customize()
                .config_override(write_override())
                .send()
        })
        .await
        .map(|_| ())
    }

    /// ExportSnapshot of a ready manual snapshot.
    pub async fn export_snapshot(&self, snapshot: &str) -> Result<(), ApiError> {
        self.write(|| {
            self.client
                .export_snapshot()
                .source_snapshot_name(snapshot)
                .customize()
                .config_override(write_override())
                .send()
        })
        .await
        .map(|_| ())
    }

    /// Every export record of the function's region: all pages, in no particular order.
    pub async fn list_export_records(&self) -> Result<Vec<ExportRecord>, ApiError> {
        all_pages(|token| async move {
            let page = self
                .client
                .get_export_snapshot_records()
                .set_page_token(token)
                .send()
                .await;
            let page = page.map_err(ApiError::from_sdk)?;
            let items = page
                .export_snapshot_records()
                .iter()
                .filter_map(export_record)
                .collect();
            Ok((items, page.next_page_token))
        })
        .await
    }

    /// Sends a write, retrying it only while it is throttled.
    async fn write<T, E, F, Fut>(&self, send: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut backoff = self.write_backoff;
        let mut attempt = 1;
        loop {
            match send().await.map_err(ApiError::from_sdk) {
                Err(ApiError::Throttled(message)) if attempt < WRITE_ATTEMPTS => {
                    tracing::debug!(attempt, %message, "write throttled, retrying");
                    let jitter = backoff.mul_f64(fastrand::f64());
                    tokio::time::sleep(backoff / 2 + jitter / 2).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

fn none_if_not_found<T>(error: ApiError) -> Result<Option<T>, ApiError> {
    match error {
        ApiError::NotFound(_) => Ok(None),
        other => Err(other),
    }
}

/// Every item of a paged operation. `page(token)` fetches one page: its items and the next
/// token. Paging stops when there is no next token, or when the service repeats the token it was
/// given (a loop), or after [`MAX_PAGES`].
async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let (found, next) = page(token.clone()).await?;
        items.extend(found);
        token = match next {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => Some(next),
            _ => None,
        };
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

fn tags(tags: &[aws_sdk_lightsail::types::Tag]) -> Vec<(String, Option<String>)> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().map(str::to_string))))
        .collect()
}

fn instance(i: &aws_sdk_lightsail::types::Instance) -> Resource {
    let (enabled, time) = auto_snapshot_add_on(i.add_ons());
    Resource {
        name: i.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Instance,
        blueprint_id: i.blueprint_id().unwrap_or_default().to_string(),
        blueprint_name: i.blueprint_name().unwrap_or_default().to_string(),
        tags: tags(i.tags()),
        auto_snapshots_enabled: enabled,
        snapshot_time_of_day: time,
    }
}

/// Whether the automatic-snapshot add-on is on, and its time of day. A resource that never
/// had it lists no add-on at all (or an empty list); one being turned off lists it as
/// `Disabled`, `Disabling`, `Terminating`…: all of those are off. `Enabling` is on (its
/// snapshots are about to be taken). Sources: docs/evidence.md, "The AutoSnapshot add-on".
fn auto_snapshot_add_on(
    add_ons: &[aws_sdk_lightsail::types::AddOn],
) -> (Option<bool>, Option<String>) {
    let add_on = add_ons.iter().find(|a| {
        a.name()
            .is_some_and(|n| n.eq_ignore_ascii_case("AutoSnapshot"))
    });
    let enabled = add_on.is_some_and(|a| {
        a.status().is_some_and(|s| {
            s.eq_ignore_ascii_case("Enabled") || s.eq_ignore_ascii_case("Enabling")
        })
    });
    let time = add_on
        .and_then(|a| a.snapshot_time_of_day())
        .map(str::to_string);
    (Some(enabled), time)
}

fn instance_snapshot(s: &aws_sdk_lightsail::types::InstanceSnapshot) -> Copy {
    Copy {
        name: s.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Instance,
        state: CopyState::from_state(s.state().map(|st| st.as_str()).unwrap_or("")),
        from_resource: s.from_instance_name().map(str::to_string),
        tags: tags(s.tags()),
        created_at: s.created_at().map(|t| t.as_secs_f64()),
        from_auto_snapshot: s.is_from_auto_snapshot(),
    }
}

fn disk_snapshot(s: &aws_sdk_lightsail::types::DiskSnapshot) -> Copy {
    Copy {
        name: s.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Disk,
        state: CopyState::from_state(s.state().map(|st| st.as_str()).unwrap_or("")),
        from_resource: s.from_disk_name().map(str::to_string),
        tags: tags(s.tags()),
        created_at: s.created_at().map(|t| t.as_secs_f64()),
        from_auto_snapshot: s.is_from_auto_snapshot(),
    }
}

fn disk(d: &aws_sdk_lightsail::types::Disk) -> Resource {
    let (enabled, time) = auto_snapshot_add_on(d.add_ons());
    Resource {
        name: d.name().unwrap_or_default().to_string(),
        resource_type: ResourceType::Disk,
        blueprint_id: String::new(),
        blueprint_name: String::new(),
        tags: tags(d.tags()),
        auto_snapshots_enabled: enabled,
        snapshot_time_of_day: time,
    }
}

fn export_record(r: &aws_sdk_lightsail::types::ExportSnapshotRecord) -> Option<ExportRecord> {
    let state_text = r
        .state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let state = match state_text.as_str() {
        "Succeeded" => RecordState::Succeeded,
        "Failed" => RecordState::Failed,
        // `Started`, and anything new, counts as running: never start a second export over it.
        _ => RecordState::Started,
    };
    Some(ExportRecord {
        name: r.name()?.to_string(),
        arn: r.arn().map(str::to_string),
        state,
        state_text,
        created_at: r.created_at().map(|t| t.as_secs_f64()),
        source_name: r.source_info()?.name()?.to_string(),
        from_resource: r.source_info()?.from_resource_name().map(str::to_string),
        source_created_at: r.source_info()?.created_at().map(|t| t.as_secs_f64()),
        destination: r.destination_info().and_then(|d| {
            Some((
                d.id()?.to_string(),
                d.service().unwrap_or_default().to_string(),
            ))
        }),
    })
}
