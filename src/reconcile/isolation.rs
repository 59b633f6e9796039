//! Where a round's restore drills boot: the subnet, and the isolated security group (one per
//! VPC, made by the function, with no rule either way), found or made once per round and
//! shared by every drill of it.

use tokio::sync::OnceCell;

use crate::ec2::Ec2;
use crate::error::ApiError;
use crate::model::drill::{SecurityGroup, Subnet, ISOLATED_GROUP_NAME};
use crate::model::{Ec2Action, MANAGED_TAG};

const DESCRIPTION: &str = "lightsail-export restore drills: no inbound, no outbound";

/// The round's subnet and group, each looked up (and the group made) at most once.
#[derive(Default)]
pub struct Isolation {
    subnet: OnceCell<Result<Subnet, ApiError>>,
    group: OnceCell<Result<(String, Vec<Ec2Action>), ApiError>>,
}

impl Isolation {
    /// The subnet drills boot in: `RESTORE_TEST_SUBNET_ID`, else the default VPC's default
    /// subnet (the first zone's).
    pub async fn subnet<E: Ec2>(&self, ec2: &E, asked: Option<&str>) -> Result<Subnet, ApiError> {
        let found = self.subnet.get_or_init(|| async {
            match ec2.drill_subnet(asked).await {
                Ok(Some(subnet)) => Ok(subnet),
                Ok(None) => Err(ApiError::InvalidInput(match asked {
                    Some(id) => format!("subnet {id} (RESTORE_TEST_SUBNET_ID) does not exist"),
                    None => "this region has no default VPC with a default subnet: set RESTORE_TEST_SUBNET_ID".into(),
                })),
                Err(error) => Err(error),
            }
        });
        found.await.clone()
    }

    /// The isolated group's id in the subnet's VPC, and the writes made to get it.
    pub async fn group<E: Ec2>(
        &self,
        ec2: &E,
        subnet: &Subnet,
    ) -> Result<(String, Vec<Ec2Action>), ApiError> {
        let made = self
            .group
            .get_or_init(|| isolated_group(ec2, &subnet.vpc_id));
        made.await.clone()
    }
}

fn rules(group: &SecurityGroup) -> usize {
    group.ingress.len() + group.egress.len()
}

/// Finds the function's group in the VPC or makes it, then revokes whatever rule it has (a new
/// group allows every outbound connection; someone may have added one since), and checks
/// again. A group of that name without the function's tag is someone else's: refused.
async fn isolated_group<E: Ec2>(
    ec2: &E,
    vpc_id: &str,
) -> Result<(String, Vec<Ec2Action>), ApiError> {
    let mut acted = Vec::new();
    let group = match ec2.find_group(vpc_id, ISOLATED_GROUP_NAME).await? {
        Some(group) => group,
        None => {
            let tags = [(MANAGED_TAG.to_string(), "true".to_string())];
            match ec2
                .create_group(vpc_id, ISOLATED_GROUP_NAME, DESCRIPTION, &tags)
                .await
            {
                Ok(_) => acted.push(Ec2Action::CreateSecurityGroup),
                // Made by a concurrent round (or a lost answer): found below.
                Err(ApiError::InvalidInput(m)) if m.contains("already exists") => {}
                Err(error) => return Err(error),
            }
            let found = ec2.find_group(vpc_id, ISOLATED_GROUP_NAME).await?;
            found.ok_or_else(|| {
                ApiError::Transient(format!("{ISOLATED_GROUP_NAME} not visible yet in {vpc_id}"))
            })?
        }
    };
    if group
        .tags
        .iter()
        .all(|(k, v)| k != MANAGED_TAG || v.as_deref() != Some("true"))
    {
        return Err(ApiError::Other {
            code: "ForeignSecurityGroup".into(),
            message: format!(
                "security group {} ({ISOLATED_GROUP_NAME}) in {vpc_id} was not made by lightsail-export: drills will not boot in it; delete or rename it",
                group.id
            ),
        });
    }
    if rules(&group) > 0 {
        ec2.revoke_all(&group).await?;
        acted.push(Ec2Action::RevokeSecurityGroupRules);
        let again = ec2.find_group(vpc_id, ISOLATED_GROUP_NAME).await?;
        if let Some(left) = again.filter(|g| rules(g) > 0) {
            return Err(ApiError::Transient(format!(
                "security group {} still has {} rule(s) after revoking them",
                left.id,
                rules(&left)
            )));
        }
    }
    Ok((group.id, acted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::fake::FakeEc2;
    use crate::model::drill::Rule;

    fn everywhere() -> Rule {
        Rule {
            protocol: "-1".into(),
            ipv4_ranges: vec!["0.0.0.0/0".into()],
            ..Rule::default()
        }
    }

    #[tokio::test]
    async fn the_group_is_made_once_and_closed_both_ways() {
        let ec2 = FakeEc2::default();
        let isolation = Isolation::default();
        let subnet = isolation.subnet(&ec2, None).await.unwrap();
        let (id, acted) = isolation.group(&ec2, &subnet).await.unwrap();
        assert_eq!(
            acted,
            [
                Ec2Action::CreateSecurityGroup,
                Ec2Action::RevokeSecurityGroupRules
            ]
        );
        let group = ec2.world().drill.groups[0].clone();
        assert_eq!(
            (group.id.as_str(), group.name.as_str()),
            (id.as_str(), ISOLATED_GROUP_NAME)
        );
        assert!(
            group.ingress.is_empty() && group.egress.is_empty(),
            "{group:?}"
        );
        // Shared by the round: asked once.
        isolation.group(&ec2, &subnet).await.unwrap();
        let creates = ec2
            .operations()
            .iter()
            .filter(|o| **o == "CreateSecurityGroup")
            .count();
        assert_eq!(creates, 1);
    }

    #[tokio::test]
    async fn a_rule_added_since_is_revoked_and_someone_else_s_group_is_refused() {
        let ec2 = FakeEc2::default();
        let isolation = Isolation::default();
        let subnet = isolation.subnet(&ec2, None).await.unwrap();
        isolation.group(&ec2, &subnet).await.unwrap();
        ec2.world().drill.groups[0].ingress.push(everywhere());
        let (_, acted) = Isolation::default().group(&ec2, &subnet).await.unwrap();
        assert_eq!(acted, [Ec2Action::RevokeSecurityGroupRules]);
        assert!(ec2.world().drill.groups[0].ingress.is_empty());

        ec2.world().drill.groups[0].tags.clear();
        let refused = Isolation::default().group(&ec2, &subnet).await.unwrap_err();
        assert!(
            refused.to_string().contains("not made by lightsail-export"),
            "{refused}"
        );

        ec2.world().drill.subnet = None;
        let none = Isolation::default().subnet(&ec2, None).await.unwrap_err();
        assert!(
            none.to_string().contains("RESTORE_TEST_SUBNET_ID"),
            "{none}"
        );
    }
}
