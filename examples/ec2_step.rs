//! The placement we measured and did not ship (BENCHMARKS.md, "Where the EC2 side runs"): the
//! EC2 side as a second small Lambda function, a later state of the state machine, given the
//! nightly function's output. It verifies each succeeded export's AMI or EBS snapshot, labels it,
//! and retires older exports as `EC2_KEEP` / `EC2_KEEP_DAYS` say, with the library's own EC2
//! adapter and decisions; it returns the output with `exportRecord.ec2` and `retired` filled in.
//!
//!     cargo lambda build --release --arm64 --example ec2_step
//!
//! The nightly function does all of this itself: this binary exists to be measured.

use lambda_runtime::{service_fn, LambdaEvent};
use lightsail_export::decide;
use lightsail_export::ec2::{Ec2, SdkEc2};
use lightsail_export::model::{ArtifactKind, Date, Ec2Artifact, Timestamp};
use lightsail_export::report::{Ec2Report, Output, TargetReport};
use lightsail_export::{init_tracing, Config, Error};

/// The EC2 side of one target: its artifact looked up and labelled, older exports retired.
async fn step(
    ec2: &SdkEc2,
    config: &Config,
    managed: &[Ec2Artifact],
    now: Timestamp,
    target: &mut TargetReport,
) -> Result<(), Error> {
    let failed = |e| Error::Retryable(format!("{}: {e}", target.resource));
    let Some(record) = target
        .export_record
        .clone()
        .filter(|r| r.state == "Succeeded")
    else {
        return Ok(());
    };
    let Some(destination) = record.destination.as_ref().map(|d| d.id.clone()) else {
        return Ok(());
    };
    let found = match ArtifactKind::of_id(&destination) {
        ArtifactKind::Image => ec2.describe_image(&destination).await,
        ArtifactKind::Snapshot => ec2.describe_snapshot(&destination).await,
    }
    .map_err(failed)?;
    let (Some(artifact), Some(date), Some(copy)) = (
        found,
        target
            .auto_snapshot_date
            .as_deref()
            .and_then(|d| Date::parse(d).ok()),
        target.snapshot_name.clone(),
    ) else {
        return Ok(());
    };
    let export = decide::artifact::Export {
        resource: &target.resource,
        date,
        copy: &copy,
        record: &record.name,
    };
    let labels = decide::artifact::labels(&export, &config.ec2_tags);
    if decide::artifact::needs_labels(&artifact, &labels) {
        let mut ids = vec![artifact.id.clone()];
        ids.extend(artifact.snapshot_ids.iter().cloned());
        ec2.create_tags(&ids, &labels).await.map_err(failed)?;
    }
    if let Some(shown) = target.export_record.as_mut() {
        shown.ec2 = Some(Ec2Report::of(&artifact));
    }
    let rules = &config.ec2_keep;
    for retirement in decide::artifact::to_retire(&target.resource, managed, &copy, rules, now) {
        if let Some(image) = &retirement.image {
            ec2.deregister_image(image).await.map_err(failed)?;
            target.retired.push(image.clone());
        }
        for snapshot in &retirement.snapshots {
            ec2.delete_snapshot(snapshot).await.map_err(failed)?;
            target.retired.push(snapshot.clone());
        }
    }
    Ok(())
}

async fn handler(
    event: LambdaEvent<Output>,
    ec2: &SdkEc2,
    config: &Result<Config, Error>,
) -> Result<Output, Error> {
    let config = config.as_ref().map_err(Clone::clone)?;
    let mut output = event.payload;
    let managed = ec2
        .list_managed()
        .await
        .map_err(|e| Error::Retryable(e.to_string()))?;
    let now = Timestamp::now_utc();
    for target in &mut output.targets {
        step(ec2, config, &managed, now, target).await?;
    }
    Ok(output)
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let ec2 = SdkEc2::from_sdk_config(&sdk);
    let config = Config::from_env();
    lambda_runtime::run(service_fn(|event| handler(event, &ec2, &config))).await
}
