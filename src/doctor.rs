//! The doctor's reads: everything it looks at in an account, read-only and each on its own (a
//! read that fails is a line of the report, and the others go on), then judged by
//! `decide::doctor`. Run by `{"doctor": true}` and by `cargo local doctor`.

use crate::decide::doctor::{report, targets};
use crate::ec2::SdkEc2;
use crate::error::ApiError;
use crate::iam::{SdkIam, SERVICE_LINKED_ROLE};
use crate::input::config::Config;
use crate::lightsail::{Lightsail, SdkLightsail};
use crate::model::doctor::{Caller, Facts, Read, Report, Simulation};
use crate::sts::SdkSts;

mod questions;

pub use questions::questions;

/// Whose permissions the doctor simulates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleToCheck {
    /// The credentials' own role: the function's, when the doctor runs inside it.
    Caller,
    /// A role by name or ARN (`cargo local doctor --function-role`).
    Named(String),
    /// None: the doctor runs with someone else's credentials.
    Unknown,
}

/// What the doctor reads with: the function's adapters, STS and IAM when there are.
pub struct Doctor<'a> {
    pub lightsail: &'a SdkLightsail,
    pub ec2: &'a SdkEc2,
    pub sts: Option<&'a SdkSts>,
    pub iam: Option<&'a SdkIam>,
    pub role: RoleToCheck,
}

/// `arn:P:sts::A:assumed-role/ROLE/SESSION` -> `ROLE`.
fn assumed_role(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":assumed-role/")?;
    rest.split('/').next().filter(|name| !name.is_empty())
}

impl Doctor<'_> {
    /// Reads the account and judges it. `invalid` is why the function's configuration was
    /// refused, if it was (`config` is then the defaults).
    pub async fn examine(&self, config: &Config, invalid: Option<String>) -> Report {
        let mut facts = self.read(config).await;
        facts.invalid_configuration = invalid;
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
        let service_linked_role = async {
            match self.iam {
                Some(iam) => Read::from_result(
                    iam.role_arn(SERVICE_LINKED_ROLE)
                        .await
                        .map(|arn| arn.is_some()),
                ),
                None => Read::NotRead,
            }
        };
        let (caller, resources, envelope, records, manual, ec2, service_linked_role) = tokio::join!(
            caller,
            api.probe_resources(),
            api.probe_error_envelope(),
            api.probe_records(),
            api.probe_manual_snapshots(),
            self.ec2.count_owned(),
            service_linked_role,
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
            service_linked_role,
            permissions: Read::NotRead,
            invalid_configuration: None,
        };
        let (chosen, _) = targets(&facts, config);
        let reads = chosen.iter().map(|resource| async move {
            let read = Read::from_result(api.get_auto_snapshots(&resource.name).await);
            (resource.name.clone(), read)
        });
        let (auto_snapshots, permissions) = tokio::join!(
            futures_util::future::join_all(reads),
            self.permissions(&facts)
        );
        facts.auto_snapshots = auto_snapshots;
        facts.permissions = permissions;
        facts
    }

    /// The simulator's decisions for the role to check, when there is one and the caller is
    /// known (its account and partition name the ARNs asked about).
    async fn permissions(&self, facts: &Facts) -> Read<Simulation> {
        let (Some(iam), Read::Done(caller)) = (self.iam, &facts.caller) else {
            return Read::NotRead;
        };
        let source = match self.source(iam, caller).await {
            Ok(Some(source)) => source,
            Ok(None) => return Read::NotRead,
            Err(error) => return Read::Failed(error.to_string()),
        };
        let partition = caller.arn.split(':').nth(1).unwrap_or("aws");
        let mut decisions = Vec::new();
        for question in questions(
            &facts.region,
            &facts.source_region,
            partition,
            &caller.account,
        ) {
            match iam.simulate(&source, &question).await {
                Ok(found) => decisions.extend(found),
                Err(error) => {
                    return Read::Failed(format!("SimulatePrincipalPolicy of {source}: {error}"))
                }
            }
        }
        Read::Done(Simulation { source, decisions })
    }

    /// The ARN to simulate: the role's, its path included (an STS ARN drops it).
    async fn source(&self, iam: &SdkIam, caller: &Caller) -> Result<Option<String>, ApiError> {
        let name = match &self.role {
            RoleToCheck::Unknown => return Ok(None),
            RoleToCheck::Named(role) if role.starts_with("arn:") => return Ok(Some(role.clone())),
            RoleToCheck::Named(role) => role.clone(),
            RoleToCheck::Caller => match assumed_role(&caller.arn) {
                Some(role) => role.to_string(),
                // An IAM user's ARN is what the simulator takes as it is.
                None => return Ok(Some(caller.arn.clone())),
            },
        };
        match iam.role_arn(&name).await? {
            Some(arn) => Ok(Some(arn)),
            None => Err(ApiError::NotFound(format!("no IAM role named `{name}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_role_names_its_role() {
        assert_eq!(
            assumed_role("arn:aws:sts::1:assumed-role/fn-role/fn"),
            Some("fn-role")
        );
        assert_eq!(assumed_role("arn:aws:iam::1:user/alice"), None);
    }
}
