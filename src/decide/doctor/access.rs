//! The doctor's IAM lines: Lightsail's service-linked role, and what the IAM policy simulator
//! says of the function's role and each call it makes.

use crate::model::doctor::{Check, CheckStatus, Decision, Facts, Read, Simulation};

use super::check;

const CREATE_ROLE: &str = "iam:CreateServiceLinkedRole";

fn decision<'a>(simulation: &'a Simulation, action: &str) -> Option<&'a Decision> {
    simulation.decisions.iter().find(|d| d.action == action)
}

/// The service-linked role line: there, or creatable by the function's first export.
pub fn service_linked_role(facts: &Facts) -> Option<Check> {
    const NAME: &str = "serviceLinkedRole";
    let create = "aws iam create-service-linked-role --aws-service-name lightsail.amazonaws.com";
    let line = match &facts.service_linked_role {
        Read::NotRead => return None,
        Read::Done(true) => check(NAME, None, CheckStatus::Ok, "AWSServiceRoleForLightsail exists: exports to EC2 can run".into()),
        Read::Failed(error) => check(NAME, None, CheckStatus::Warn, format!("cannot tell whether AWSServiceRoleForLightsail exists: {error}"))
            .fix(format!("allow iam:GetRole on it (the template's policy does), or look: aws iam get-role --role-name AWSServiceRoleForLightsail; without it, {create}")),
        Read::Done(false) => {
            let allowed = facts.permissions.value().and_then(|s| decision(s, CREATE_ROLE)).map(|d| d.decision == "allowed");
            match allowed {
                Some(true) => check(NAME, None, CheckStatus::Info, "AWSServiceRoleForLightsail does not exist yet: Lightsail creates it at the first export, and the function's role may (iam:CreateServiceLinkedRole)".into()),
                Some(false) => check(NAME, None, CheckStatus::Fail, "AWSServiceRoleForLightsail does not exist, and the function's role may not create it: the first export would fail".into())
                    .fix(format!("{create}, or allow iam:CreateServiceLinkedRole for lightsail.amazonaws.com (the template's policy does)")),
                None => check(NAME, None, CheckStatus::Warn, "AWSServiceRoleForLightsail does not exist yet: the first export creates it if the function's role may (iam:CreateServiceLinkedRole)".into())
                    .fix(format!("deploy the template's role (it may), or create it now: {create}")),
            }
        }
    };
    Some(line)
}

/// The permissions line: every call of the function allowed to its role, or which are not.
pub fn permissions(facts: &Facts) -> Check {
    const NAME: &str = "permissions";
    let simulation = match &facts.permissions {
        Read::Done(simulation) => simulation,
        Read::NotRead => {
            return check(NAME, None, CheckStatus::Info, "the function's role is not known here, so its permissions are not simulated".into())
                .fix("run {\"doctor\": true} on the deployed function, or cargo local doctor --function-role ROLE")
        }
        Read::Failed(error) => {
            return check(NAME, None, CheckStatus::Warn, format!("the IAM policy simulator could not be asked: {error}"))
                .fix("allow iam:SimulatePrincipalPolicy and iam:GetRole on the function's role (the template's policy does)")
        }
    };
    // An action asked on two sets of resources (ec2:CreateTags: on exports, and at a restore
    // drill's creation) counts once, refused if either is.
    let mut refused: Vec<&Decision> = Vec::new();
    for d in simulation
        .decisions
        .iter()
        .filter(|d| d.decision != "allowed")
    {
        if !refused.iter().any(|r| r.action == d.action) {
            refused.push(d);
        }
    }
    let total = (simulation.decisions.iter())
        .map(|d| d.action.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let role = &simulation.source;
    if refused.is_empty() {
        return check(NAME, None, CheckStatus::Ok, format!("all {total} actions the function calls are allowed to {role} (IAM policy simulator, with its regions and tags as context)"));
    }
    let listed: Vec<String> = refused
        .iter()
        .map(|d| match d.missing_context.as_slice() {
            [] => format!("{} ({})", d.action, d.decision),
            keys => format!(
                "{} ({}; the policy needs {})",
                d.action,
                d.decision,
                keys.join(", ")
            ),
        })
        .collect();
    let explicit = refused.iter().any(|d| d.decision == "explicitDeny");
    let fix = if explicit {
        "an explicit Deny (a policy of the role, its permissions boundary, or an organization SCP) refuses these: lift it for the function's role"
    } else {
        "deploy the template's role policy (template.yaml, ReconcileFunctionRole), or grant these actions to the role"
    };
    check(
        NAME,
        None,
        CheckStatus::Fail,
        format!(
            "{} of {total} actions the function calls are refused to {role}: {}",
            refused.len(),
            listed.join(", ")
        ),
    )
    .fix(fix)
}
