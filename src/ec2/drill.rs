//! The restore drill's EC2 calls over `aws-sdk-ec2` (the `Ec2` trait's drill methods delegate
//! here). What is launched is decided in `decide::drill`; this file only builds the requests.

use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, Filter, InstanceNetworkInterfaceSpecification,
    ResourceType, ShutdownBehavior, Tag, TagSpecification, VolumeType,
};

use super::client::{api_error, SdkEc2};
use super::drill_convert as convert;
use crate::error::ApiError;
use crate::model::drill::{
    drill_tag, DrillImage, DrillWorld, Launch, SecurityGroup, Subnet, VolumeLaunch,
};
use crate::model::MANAGED_TAG;
use crate::sdk::{all_pages, none_if_not_found};

/// Items per page of DescribeInstances and DescribeVolumes (EC2 allows 5 to 1,000).
const PAGE: i32 = 500;
/// DescribeInstanceStatus takes at most 100 instance ids a call.
const STATUS_BATCH: usize = 100;

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// What finds a drill's instances and volumes: the function's tag and the drill's.
fn drill_filters() -> Vec<Filter> {
    vec![
        filter(&format!("tag:{MANAGED_TAG}"), "true"),
        filter("tag-key", drill_tag::OF),
    ]
}

fn tag_specification(kind: ResourceType, tags: &[(String, String)]) -> TagSpecification {
    let tags = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build());
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(tags.collect()))
        .build()
}

impl SdkEc2 {
    pub(super) async fn subnet(&self, subnet_id: Option<&str>) -> Result<Option<Subnet>, ApiError> {
        let asked = self.client.describe_subnets();
        let asked = match subnet_id {
            Some(id) => asked.subnet_ids(id),
            None => asked.filters(filter("default-for-az", "true")),
        };
        match asked.send().await {
            Ok(out) => {
                let mut subnets: Vec<Subnet> = out.subnets().iter().map(convert::subnet).collect();
                subnets.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
                Ok(subnets.into_iter().next())
            }
            Err(e) => none_if_not_found(api_error(e)),
        }
    }

    pub(super) async fn group(
        &self,
        vpc_id: &str,
        name: &str,
    ) -> Result<Option<SecurityGroup>, ApiError> {
        let sent = (self.client.describe_security_groups())
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("group-name", name))
            .send();
        let out = sent.await.map_err(api_error)?;
        Ok(out.security_groups().first().map(convert::group))
    }

    pub(super) async fn new_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<String, ApiError> {
        let sent = (self.client.create_security_group())
            .vpc_id(vpc_id)
            .group_name(name)
            .description(description)
            .tag_specifications(tag_specification(ResourceType::SecurityGroup, tags))
            .send();
        let out = sent.await.map_err(api_error)?;
        Ok(out.group_id().unwrap_or_default().to_string())
    }

    pub(super) async fn revoke(&self, group: &SecurityGroup) -> Result<(), ApiError> {
        if !group.ingress.is_empty() {
            let sent = (self.client.revoke_security_group_ingress())
                .group_id(&group.id)
                .set_ip_permissions(Some(
                    group.ingress.iter().map(convert::permission).collect(),
                ))
                .send();
            sent.await.map_err(api_error)?;
        }
        if !group.egress.is_empty() {
            let sent = (self.client.revoke_security_group_egress())
                .group_id(&group.id)
                .set_ip_permissions(Some(group.egress.iter().map(convert::permission).collect()))
                .send();
            sent.await.map_err(api_error)?;
        }
        Ok(())
    }

    pub(super) async fn image(&self, id: &str) -> Result<Option<DrillImage>, ApiError> {
        match self.client.describe_images().image_ids(id).send().await {
            Ok(out) => Ok(out.images().first().map(convert::image)),
            Err(e) => none_if_not_found(api_error(e)),
        }
    }

    /// One instance, in the subnet and group given, with no public address, no key pair, ended
    /// (not stopped) by a shutdown from inside, its volumes deleted with it.
    pub(super) async fn run(&self, launch: &Launch) -> Result<String, ApiError> {
        let interface = InstanceNetworkInterfaceSpecification::builder()
            .device_index(0)
            .subnet_id(&launch.subnet_id)
            .groups(&launch.group_id)
            .associate_public_ip_address(false)
            .delete_on_termination(true)
            .build();
        let devices = launch.devices.iter().map(|device| {
            let ebs = EbsBlockDevice::builder()
                .delete_on_termination(true)
                .build();
            BlockDeviceMapping::builder()
                .device_name(device)
                .ebs(ebs)
                .build()
        });
        let sent = (self.client.run_instances())
            .image_id(&launch.image_id)
            .instance_type(launch.instance_type.as_str().into())
            .min_count(1)
            .max_count(1)
            .network_interfaces(interface)
            .set_block_device_mappings(Some(devices.collect()))
            .instance_initiated_shutdown_behavior(ShutdownBehavior::Terminate)
            .tag_specifications(tag_specification(ResourceType::Instance, &launch.tags))
            .tag_specifications(tag_specification(ResourceType::Volume, &launch.tags))
            .client_token(&launch.client_token)
            .send();
        let out = sent.await.map_err(api_error)?;
        let id = out.instances().first().and_then(|i| i.instance_id());
        Ok(id.unwrap_or_default().to_string())
    }

    pub(super) async fn drills(&self) -> Result<DrillWorld, ApiError> {
        let mut instances = all_pages(|token| async move {
            let sent = (self.client.describe_instances())
                .set_filters(Some(drill_filters()))
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            let items = (page.reservations().iter())
                .flat_map(|r| r.instances())
                .map(convert::instance)
                .collect();
            Ok((items, page.next_token))
        })
        .await?;
        let ids: Vec<String> = instances.iter().map(|i| i.id.clone()).collect();
        for batch in ids.chunks(STATUS_BATCH) {
            let sent = (self.client.describe_instance_status())
                .set_instance_ids(Some(batch.to_vec()))
                .include_all_instances(true)
                .send();
            // Just launched, an instance may not be known to this call yet: no checks yet.
            let statuses = match sent.await.map_err(api_error) {
                Ok(out) => out.instance_statuses().to_vec(),
                Err(ApiError::NotFound(_)) => Vec::new(),
                Err(other) => return Err(other),
            };
            for status in &statuses {
                let found =
                    (instances.iter_mut()).find(|i| Some(i.id.as_str()) == status.instance_id());
                if let Some(instance) = found {
                    instance.checks = Some(convert::checks(status));
                }
            }
        }
        let volumes = all_pages(|token| async move {
            let sent = (self.client.describe_volumes())
                .set_filters(Some(drill_filters()))
                .max_results(PAGE)
                .set_next_token(token)
                .send();
            let page = sent.await.map_err(api_error)?;
            let items = page.volumes().iter().map(convert::volume).collect();
            Ok((items, page.next_token))
        })
        .await?;
        Ok(DrillWorld { instances, volumes })
    }

    pub(super) async fn end(&self, ids: &[String]) -> Result<(), ApiError> {
        let sent = (self.client.terminate_instances())
            .set_instance_ids(Some(ids.to_vec()))
            .send();
        match sent.await {
            Ok(_) => Ok(()),
            Err(e) => none_if_not_found::<()>(api_error(e)).map(|_| ()),
        }
    }

    pub(super) async fn volume(&self, launch: &VolumeLaunch) -> Result<String, ApiError> {
        let sent = (self.client.create_volume())
            .snapshot_id(&launch.snapshot_id)
            .availability_zone(&launch.availability_zone)
            .volume_type(VolumeType::Gp3)
            .tag_specifications(tag_specification(ResourceType::Volume, &launch.tags))
            .client_token(&launch.client_token)
            .send();
        let out = sent.await.map_err(api_error)?;
        Ok(out.volume_id().unwrap_or_default().to_string())
    }

    pub(super) async fn remove_volume(&self, id: &str) -> Result<(), ApiError> {
        match self.client.delete_volume().volume_id(id).send().await {
            Ok(_) => Ok(()),
            Err(e) => none_if_not_found::<()>(api_error(e)).map(|_| ()),
        }
    }
}
