//! The part of AWS IAM the function's doctor reads (AWS Query protocol, 2010-05-08): `GetRole`
//! of the function's own role and of Lightsail's service-linked role, and
//! `SimulatePrincipalPolicy` of the function's role. The world's one account has two roles at
//! most: the function's (`lightsail-export`, the role STS answers for) and
//! `AWSServiceRoleForLightsail` once it exists (the scenario's `serviceLinkedRole`, or after the
//! first ExportSnapshot).
//!
//! The simulation follows the emulator's own model of IAM, its faults: an action whose operation
//! `accessDeniedFor` names is `implicitDeny` (what the role's policy does not allow), one whose
//! `aws:RequestedRegion` context is in `deniedRegions` is `explicitDeny` (as under an SCP, which
//! the simulator evaluates: IAM API reference, SimulatePrincipalPolicy), under `lightsailPolicy`
//! a snapshot delete without `aws:ResourceTag/lightsail-export:managed` = `true` in the context
//! is `implicitDeny` (the template's condition), so are under `ec2Policy` an EC2 retirement or
//! restore-drill teardown without that key and a drill's launch without
//! `aws:RequestTag/lightsail-export:managed` = `true`, and everything else is `allowed`. Shapes and errors follow botocore's IAM model and the API reference; an
//! assumed-role ARN as `PolicySourceArn` is `InvalidInput`, as real IAM answers it
//! (aws-containers/amazon-ecs-exec-checker#10).

use hyper::body::Incoming;
use hyper::Request;

use crate::ec2::xml::Xml;
use crate::ec2::Params;
use crate::http::{DropConnection, HttpResponse};
use crate::query::{self, Call};
use crate::state::{lock, Inner, Shared};
use crate::world::model::ACCOUNT;

const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
/// The function's role: the one STS's GetCallerIdentity answers for.
pub const FUNCTION_ROLE: &str = "lightsail-export";
pub const SERVICE_LINKED_ROLE: &str = "AWSServiceRoleForLightsail";
const SERVICE_LINKED_PATH: &str = "/aws-service-role/lightsail.amazonaws.com/";
const CREATED: &str = "2026-01-05T10:00:00Z";
/// SimulatePrincipalPolicy's default `MaxItems`.
const DEFAULT_MAX_ITEMS: usize = 100;

pub async fn handle(
    state: &Shared,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let call = match query::read(state, req, NAMESPACE).await? {
        Ok(call) => call,
        Err(refused) => return Ok(refused),
    };
    let inner = lock(&state.inner);
    Ok(match call.action.as_str() {
        "GetRole" => get_role(&inner, &call),
        "SimulatePrincipalPolicy" => simulate(&inner, &call),
        _ => query::unknown_action(NAMESPACE, &call, "2010-05-08"),
    })
}

fn role_arn(path: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role{path}{name}")
}

/// The path and id of the role of that name, if the world has it.
fn role(inner: &Inner, name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        FUNCTION_ROLE => Some(("/", "AROAEMULATOREXAMPLE01")),
        SERVICE_LINKED_ROLE if inner.world.service_linked_role => {
            Some((SERVICE_LINKED_PATH, "AROAEMULATORLIGHTSAIL"))
        }
        _ => None,
    }
}

fn no_such_role(call: &Call, name: &str) -> HttpResponse {
    let message = format!("The role with name {name} cannot be found.");
    query::error(NAMESPACE, 404, "NoSuchEntity", &message, &call.rid)
}

fn get_role(inner: &Inner, call: &Call) -> HttpResponse {
    let Some(name) = call.params.get("RoleName").filter(|n| !n.is_empty()) else {
        let message = "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null";
        return query::error(NAMESPACE, 400, "ValidationError", message, &call.rid);
    };
    let Some((path, id)) = role(inner, name) else {
        return no_such_role(call, name);
    };
    let principal = if path == "/" {
        "lambda.amazonaws.com"
    } else {
        "lightsail.amazonaws.com"
    };
    let trust = format!(
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22{principal}%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
    );
    let mut xml = Xml::new();
    xml.open("Role")
        .leaf("Path", path)
        .leaf("RoleName", name)
        .leaf("RoleId", id)
        .leaf("Arn", role_arn(path, name))
        .leaf("CreateDate", CREATED)
        .leaf("AssumeRolePolicyDocument", trust)
        .leaf("MaxSessionDuration", 3600)
        .close("Role");
    query::success(NAMESPACE, &call.action, xml, &call.rid)
}

/// The values of context key `key` in `ContextEntries`, if given.
fn context(params: &Params, key: &str) -> Vec<String> {
    (1..)
        .map_while(|n| {
            let entry = format!("ContextEntries.member.{n}");
            let name = params.get(&format!("{entry}.ContextKeyName"))?;
            Some((
                name.to_string(),
                params.list(&format!("{entry}.ContextKeyValues.member")),
            ))
        })
        .filter(|(name, _)| name.eq_ignore_ascii_case(key))
        .flat_map(|(_, values)| values)
        .collect()
}

/// The context key whose value must be `true` for the deployed role's policy to allow
/// `action`, if its statement is conditioned on the function's tag: without it in the context
/// the Allow does not match. Under `lightsailPolicy` the snapshot deletes (on the snapshot's
/// tag); under `ec2Policy` the retirements and a restore drill's teardown (on the resource's
/// tag) and a drill's launch, volume and group (on the tag in the request).
fn required_tag(inner: &Inner, action: &str, operation: &str) -> Option<&'static str> {
    const ON_RESOURCE: &str = "aws:ResourceTag/lightsail-export:managed";
    const IN_REQUEST: &str = "aws:RequestTag/lightsail-export:managed";
    let lightsail = inner.world.lightsail_policy.template;
    let ec2 = &inner.world.ec2_policy;
    let on_ec2 = action.starts_with("ec2:");
    match operation {
        "DeleteInstanceSnapshot" | "DeleteDiskSnapshot" if lightsail => Some(ON_RESOURCE),
        "DeregisterImage" | "DeleteSnapshot" | "ModifySnapshotTier"
            if on_ec2 && ec2.delete_requires_managed_tag =>
        {
            Some(ON_RESOURCE)
        }
        "TerminateInstances"
        | "DeleteVolume"
        | "RevokeSecurityGroupIngress"
        | "RevokeSecurityGroupEgress"
            if on_ec2 && ec2.drill_requires_managed_tag =>
        {
            Some(ON_RESOURCE)
        }
        "RunInstances" | "CreateVolume" | "CreateSecurityGroup"
            if on_ec2 && ec2.drill_requires_managed_tag =>
        {
            Some(IN_REQUEST)
        }
        _ => None,
    }
}

fn decision(inner: &Inner, action: &str, params: &Params) -> &'static str {
    let regions = context(params, "aws:RequestedRegion");
    if regions.iter().any(|r| inner.faults.denied_region(r)) {
        return "explicitDeny";
    }
    let operation = action.split_once(':').map_or(action, |(_, op)| op);
    if let Some(key) = required_tag(inner, action, operation) {
        if context(params, key) != ["true"] {
            return "implicitDeny";
        }
    }
    let denied = &inner.faults.faults.access_denied_for;
    if denied.iter().any(|d| d == operation || d == action) {
        "implicitDeny"
    } else {
        "allowed"
    }
}

fn simulate(inner: &Inner, call: &Call) -> HttpResponse {
    let invalid = |message: &str| query::error(NAMESPACE, 400, "InvalidInput", message, &call.rid);
    let source = call.params.get("PolicySourceArn").unwrap_or_default();
    if source.contains(":assumed-role/") {
        return invalid(&format!(
            "Invalid Entity Arn: {source} does not clearly define entity type and name."
        ));
    }
    let Some(name) = source.strip_prefix(&format!("arn:aws:iam::{ACCOUNT}:role")) else {
        return invalid(&format!(
            "Invalid Entity Arn: {source} is not a role of this account."
        ));
    };
    let known = role(inner, name.rsplit('/').next().unwrap_or_default())
        .filter(|(path, _)| role_arn(path, name.rsplit('/').next().unwrap_or_default()) == source);
    if known.is_none() {
        return no_such_role(call, name.rsplit('/').next().unwrap_or_default());
    }
    let actions = call.params.list("ActionNames.member");
    if actions.is_empty() {
        return invalid("ActionNames must not be empty.");
    }
    let resource = call.params.list("ResourceArns.member").into_iter().next();
    let max = call
        .params
        .get("MaxItems")
        .and_then(|m| m.parse().ok())
        .unwrap_or(DEFAULT_MAX_ITEMS)
        .clamp(1, 1000);
    let start: usize = call
        .params
        .get("Marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let page: Vec<&String> = actions.iter().skip(start).take(max).collect();
    let next = start + page.len();
    let mut xml = Xml::new();
    xml.open("EvaluationResults");
    for action in page {
        xml.open("member")
            .leaf("EvalActionName", action)
            .leaf("EvalResourceName", resource.as_deref().unwrap_or("*"))
            .leaf("EvalDecision", decision(inner, action, &call.params))
            .open("MatchedStatements")
            .close("MatchedStatements")
            .open("MissingContextValues")
            .close("MissingContextValues")
            .close("member");
    }
    xml.close("EvaluationResults");
    xml.leaf("IsTruncated", next < actions.len());
    if next < actions.len() {
        xml.leaf("Marker", next);
    }
    query::success(NAMESPACE, &call.action, xml, &call.rid)
}
