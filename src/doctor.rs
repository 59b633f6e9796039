//! The doctor's reads: everything it looks at in an account, read-only and each on its own (a
//! read that fails is a line of the report, and the others go on), then judged by
//! `decide::doctor`. Run by `{"doctor": true}` and by `cargo local doctor`.

use crate::decide::doctor::{report, targets};
use crate::ec2::SdkEc2;
use crate::input::config::Config;
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::model::doctor::{Facts, Read, Report};
use crate::sts::SdkSts;

/// What the doctor reads with: the function's adapters, and STS when there is one.
pub struct Doctor<'a> {
    pub lightsail: &'a SdkLightsail,
    pub ec2: &'a SdkEc2,
    pub sts: Option<&'a SdkSts>,
}

impl Doctor<'_> {
    /// Reads the account and judges it.
    pub async fn examine(&self, config: &Config) -> Report {
        let facts = self.read(config).await;
        report(&facts, config)
    }

    /// Every read of the doctor, concurrently where they do not depend on each other.
    pub async fn read(&self, config: &Config) -> Facts {
        let api = self.lightsail;
        let caller = async {
            match self.sts {
                Some(sts) => Read::from_result(sts.caller().await),
                None => Read::NotRead,
            }
        };
        let (caller, resources, envelope, records, manual, ec2) = tokio::join!(
            caller,
            api.probe_resources(),
            api.probe_error_envelope(),
            api.probe_records(),
            api.probe_manual_snapshots(),
            self.ec2.count_owned(),
        );
        let mut pages = Vec::new();
        let resources = Read::from_result(resources.map(|(seen, first)| {
            pages.extend(first);
            seen
        }));
        let records = Read::from_result(records.map(|(records, first)| {
            pages.push(first);
            records
        }));
        let manual_snapshots = Read::from_result(manual.map(|(names, first)| {
            pages.extend(first);
            names
        }));
        let mut facts = Facts {
            region: api.region(),
            source_region: api.source_region().to_string(),
            now: Some(api.now()),
            caller,
            resources,
            auto_snapshots: Vec::new(),
            error_probe: Read::from_result(envelope),
            records,
            manual_snapshots,
            pages,
            ec2: Read::from_result(ec2),
        };
        let (chosen, _) = targets(&facts, config);
        let reads = chosen.iter().map(|resource| async move {
            let read = Read::from_result(api.get_auto_snapshots(&resource.name).await);
            (resource.name.clone(), read)
        });
        facts.auto_snapshots = futures_util::future::join_all(reads).await;
        facts
    }
}
