//! The doctor's reads of Lightsail: the same operations the engine calls (nothing outside
//! [`super::OPERATIONS`]), answered with the shapes of the response that the engine's domain
//! values do not keep (an absent `addOns` against an empty one, a record's `destinationInfo`,
//! the first page of a listing, the error envelope).

use aws_sdk_lightsail::types as sdk;

use super::client::SdkLightsail;
use super::convert;
use super::error::{self, ErrorIdentity};
use crate::error::ApiError;
use crate::model::doctor::{AddOnShape, Page, SeenRecord, SeenResource};
use crate::model::Timestamp;
use crate::sdk::{all_pages_noting_first, failure, Failure};

/// The name the error-envelope probe asks for: one nobody names an instance, so the answer is
/// the service's "not found" (were it found, the probe says so and shows no envelope).
pub const NO_SUCH_INSTANCE: &str = "lightsail-export-doctor-no-such-instance";

fn add_on_shape(add_ons: Option<&[sdk::AddOn]>) -> AddOnShape {
    let Some(add_ons) = add_ons else {
        return AddOnShape::NoKey;
    };
    if add_ons.is_empty() {
        return AddOnShape::EmptyList;
    }
    add_ons
        .iter()
        .find(|a| {
            a.name()
                .is_some_and(|n| n.eq_ignore_ascii_case("AutoSnapshot"))
        })
        .map_or(AddOnShape::Others, |a| {
            AddOnShape::Status(a.status().unwrap_or_default().to_string())
        })
}

fn page(operation: &'static str, first: crate::sdk::FirstPage) -> Page {
    Page {
        operation,
        items: first.items,
        more: first.more,
    }
}

impl SdkLightsail {
    /// Every instance and disk of the source region, with their add-on shapes, and the first
    /// page of each listing.
    pub async fn probe_resources(&self) -> Result<(Vec<SeenResource>, Vec<Page>), ApiError> {
        let (mut seen, first) = all_pages_noting_first(|token| async move {
            let page = self.source.get_instances().set_page_token(token).send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page
                .instances()
                .iter()
                .map(|i| SeenResource {
                    resource: convert::instance(i),
                    add_on: add_on_shape(i.add_ons.as_deref()),
                })
                .collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        let mut pages = vec![page("GetInstances", first)];
        let (disks, first) = all_pages_noting_first(|token| async move {
            let page = self.source.get_disks().set_page_token(token).send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page
                .disks()
                .iter()
                .map(|d| SeenResource {
                    resource: convert::disk(d),
                    add_on: add_on_shape(d.add_ons.as_deref()),
                })
                .collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        pages.push(page("GetDisks", first));
        seen.extend(disks);
        Ok((seen, pages))
    }

    /// How a "not found" names itself: a GetInstance of [`NO_SUCH_INSTANCE`]. An answer that
    /// is no error, or no answer at all, is the probe's error.
    pub async fn probe_error_envelope(&self) -> Result<ErrorIdentity, ApiError> {
        let sent = self.source.get_instance().instance_name(NO_SUCH_INSTANCE);
        match sent.send().await {
            Ok(_) => Err(ApiError::Other {
                code: "Unexpected".into(),
                message: format!("GetInstance of `{NO_SUCH_INSTANCE}` found an instance"),
            }),
            Err(e) => {
                if let Failure::Unanswered(api_error) = failure(&e) {
                    return Err(api_error);
                }
                match e.raw_response() {
                    Some(response) => Ok(ErrorIdentity::from_response(response)),
                    None => Err(error::from_sdk(e)),
                }
            }
        }
    }

    /// Every export record of the function's region, in the order listed across pages.
    pub async fn probe_records(&self) -> Result<(Vec<SeenRecord>, Page), ApiError> {
        let (records, first) = all_pages_noting_first(|token| async move {
            let sent = self
                .client
                .get_export_snapshot_records()
                .set_page_token(token);
            let page = sent.send().await.map_err(error::from_sdk)?;
            let items = page
                .export_snapshot_records()
                .iter()
                .map(|r| SeenRecord {
                    created_at: r
                        .created_at()
                        .map(|t| Timestamp::from_epoch_seconds(t.as_secs_f64())),
                    state: r
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    has_destination_info: r.destination_info().is_some(),
                    source_name: r
                        .source_info()
                        .and_then(|s| s.name())
                        .unwrap_or_default()
                        .to_string(),
                })
                .collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        Ok((records, page("GetExportSnapshotRecords", first)))
    }

    /// The names of every manual instance and disk snapshot of the function's region.
    pub async fn probe_manual_snapshots(&self) -> Result<(Vec<String>, Vec<Page>), ApiError> {
        let (mut names, first) = all_pages_noting_first(|token| async move {
            let sent = self.client.get_instance_snapshots().set_page_token(token);
            let page = sent.send().await.map_err(error::from_sdk)?;
            let items = page.instance_snapshots().iter();
            let items = items.filter_map(|s| s.name().map(str::to_string)).collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        let mut pages = vec![page("GetInstanceSnapshots", first)];
        let (disks, first) = all_pages_noting_first(|token| async move {
            let sent = self.client.get_disk_snapshots().set_page_token(token);
            let page = sent.send().await.map_err(error::from_sdk)?;
            let items = page.disk_snapshots().iter();
            let items = items.filter_map(|s| s.name().map(str::to_string)).collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        pages.push(page("GetDiskSnapshots", first));
        names.extend(disks);
        Ok((names, pages))
    }
}
