//! The Lightsail calls of the SDK adapter: one SDK operation (or one paged listing) each,
//! answered in domain words.

use aws_sdk_lightsail::types::{RegionName, Tag};

use super::client::{write_override, SdkLightsail};
use super::{convert, error, Lightsail};
use crate::error::ApiError;
use crate::model::{
    AutoSnapshot, Date, ExportRecord, ManualSnapshot, Resource, ResourceType, Timestamp,
};
use crate::sdk::{all_pages, none_if_not_found};

impl Lightsail for SdkLightsail {
    fn region(&self) -> String {
        self.client
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    fn source_region(&self) -> &str {
        &self.source_region
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    async fn get_instance(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        match self.source.get_instance().instance_name(name).send().await {
            Ok(output) => Ok(output.instance.as_ref().map(convert::instance)),
            Err(e) => none_if_not_found(error::from_sdk(e)),
        }
    }

    async fn get_disk(&self, name: &str) -> Result<Option<Resource>, ApiError> {
        match self.source.get_disk().disk_name(name).send().await {
            Ok(output) => Ok(output.disk.as_ref().map(convert::disk)),
            Err(e) => none_if_not_found(error::from_sdk(e)),
        }
    }

    async fn list_resources(&self) -> Result<Vec<Resource>, ApiError> {
        let mut resources = all_pages(|token| async move {
            let page = self.source.get_instances().set_page_token(token).send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page.instances().iter().map(convert::instance).collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        let disks = all_pages(|token| async move {
            let page = self.source.get_disks().set_page_token(token).send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page.disks().iter().map(convert::disk).collect();
            Ok((items, page.next_page_token))
        });
        resources.extend(disks.await?);
        Ok(resources)
    }

    async fn get_auto_snapshots(&self, resource: &str) -> Result<Vec<AutoSnapshot>, ApiError> {
        let sent = self
            .source
            .get_auto_snapshots()
            .resource_name(resource)
            .send();
        let output = sent.await.map_err(error::from_sdk)?;
        Ok(output
            .auto_snapshots()
            .iter()
            .filter_map(convert::auto_snapshot)
            .collect())
    }

    async fn get_snapshot(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> Result<ManualSnapshot, ApiError> {
        let found = match resource_type {
            ResourceType::Instance => {
                let sent = self
                    .client
                    .get_instance_snapshot()
                    .instance_snapshot_name(name);
                match sent.send().await {
                    Ok(output) => output
                        .instance_snapshot
                        .as_ref()
                        .map(convert::instance_snapshot),
                    Err(e) => none_if_not_found(error::from_sdk(e))?,
                }
            }
            ResourceType::Disk => {
                let sent = self.client.get_disk_snapshot().disk_snapshot_name(name);
                match sent.send().await {
                    Ok(output) => output.disk_snapshot.as_ref().map(convert::disk_snapshot),
                    Err(e) => none_if_not_found(error::from_sdk(e))?,
                }
            }
        };
        Ok(found.unwrap_or_else(|| ManualSnapshot::missing(name, resource_type)))
    }

    async fn list_snapshots(&self) -> Result<Vec<ManualSnapshot>, ApiError> {
        let mut snapshots = all_pages(|token| async move {
            let page = self
                .client
                .get_instance_snapshots()
                .set_page_token(token)
                .send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page
                .instance_snapshots()
                .iter()
                .map(convert::instance_snapshot)
                .collect();
            Ok((items, page.next_page_token))
        })
        .await?;
        let disks = all_pages(|token| async move {
            let page = self
                .client
                .get_disk_snapshots()
                .set_page_token(token)
                .send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page
                .disk_snapshots()
                .iter()
                .map(convert::disk_snapshot)
                .collect();
            Ok((items, page.next_page_token))
        });
        snapshots.extend(disks.await?);
        Ok(snapshots)
    }

    async fn list_export_records(&self) -> Result<Vec<ExportRecord>, ApiError> {
        all_pages(|token| async move {
            let page = self
                .client
                .get_export_snapshot_records()
                .set_page_token(token)
                .send();
            let page = page.await.map_err(error::from_sdk)?;
            let items = page
                .export_snapshot_records()
                .iter()
                .filter_map(convert::export_record)
                .collect();
            Ok((items, page.next_page_token))
        })
        .await
    }

    /// Pinned by `restoreDate`, so the copy's content matches its name (never
    /// `useLatestRestorableAutoSnapshot`, which could copy a newer snapshot than the name says).
    async fn copy_snapshot(
        &self,
        resource: &str,
        date: Date,
        target: &str,
    ) -> Result<(), ApiError> {
        self.write(|| {
            self.client
                .copy_snapshot()
                .source_resource_name(resource)
                .restore_date(date.to_string())
                .source_region(RegionName::from(self.source_region.as_str()))
                .target_snapshot_name(target)
                .customize()
                .config_override(write_override())
                .send()
        })
        .await
        .map(|_| ())
    }

    async fn export_snapshot(&self, snapshot: &str) -> Result<(), ApiError> {
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

    async fn tag_resource(&self, name: &str, tags: &[(String, String)]) -> Result<(), ApiError> {
        let tags: Vec<Tag> = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
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

    async fn delete_snapshot(
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
}
