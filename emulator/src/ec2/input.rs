//! What the drill operations share: tag specifications, id checks, fingerprints of requests for
//! idempotency, and the deployed role's managed-tag conditions.

use super::{Ec2Error, Params};
use crate::ops::Ctx;
use crate::world::ec2::is_managed;
use crate::world::model::Tags;

/// `TagSpecification.N.ResourceType` with its `TagSpecification.N.Tag.M.Key/Value`.
pub fn tag_specs(params: &Params) -> Result<Vec<(String, Tags)>, Ec2Error> {
    let mut specs = Vec::new();
    for members in params.structs("TagSpecification") {
        let spec = Params::of(members);
        let kind = spec.get("ResourceType").unwrap_or_default().to_string();
        let tags = spec.tags()?;
        for (k, v) in &tags {
            check_tag(k, v)?;
        }
        specs.push((kind, tags));
    }
    Ok(specs)
}

/// EC2's limits on a tag: a key of 1 to 128 characters not under `aws:`, a value of at most 256.
pub fn check_tag(key: &str, value: &str) -> Result<(), Ec2Error> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(Ec2Error::invalid_value(format!(
            "Tag key '{key}' is invalid: a key is 1 to 128 characters"
        )));
    }
    if value.chars().count() > 256 {
        return Err(Ec2Error::invalid_value(format!(
            "Tag value of '{key}' exceeds the maximum length of 256 characters"
        )));
    }
    if key.starts_with("aws:") {
        return Err(Ec2Error::invalid_value(
            "Tag keys starting with 'aws:' are reserved for internal use",
        ));
    }
    Ok(())
}

/// The tags of `kind` in the specifications (later ones over earlier ones).
pub fn tags_for(specs: &[(String, Tags)], kind: &str) -> Tags {
    let mut tags: Tags = Vec::new();
    for (k, v) in specs.iter().filter(|(t, _)| t == kind).flat_map(|(_, t)| t) {
        tags.retain(|(tk, _)| tk != k);
        tags.push((k.clone(), v.clone()));
    }
    tags
}

/// Only the resource types each operation tags may appear (EC2 answers InvalidParameterValue).
pub fn check_kinds(specs: &[(String, Tags)], allowed: &[&str]) -> Result<(), Ec2Error> {
    match specs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(Ec2Error::invalid_value(format!(
            "'{k}' is not a valid taggable resource type for this operation."
        ))),
        None => Ok(()),
    }
}

pub fn required<'a>(params: &'a Params, key: &str) -> Result<&'a str, Ec2Error> {
    params
        .get(key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Ec2Error::missing(key))
}

/// `prefix-` and 8 or 17 lower-case hex digits.
pub fn is_id(id: &str, prefix: &str) -> bool {
    crate::scenario::ec2::is_id(id, prefix)
}

/// The first malformed id of `ids`, as EC2's `…Malformed` error.
pub fn check_ids(ids: &[String], prefix: &str, code: &'static str) -> Result<(), Ec2Error> {
    match ids.iter().find(|id| !is_id(id, prefix)) {
        Some(bad) => Err(Ec2Error::malformed(code, bad, prefix)),
        None => Ok(()),
    }
}

/// EC2's wording for ids that do not exist: "The instance ID 'i-…' does not exist".
pub fn not_found(code: &'static str, what: &str, ids: &[String]) -> Ec2Error {
    let message = match ids {
        [one] => format!("The {what} '{one}' does not exist"),
        many => format!("The {what}s '{}' do not exist", many.join(", ")),
    };
    Ec2Error::client(code, message)
}

/// A request's parameters but the token itself and DryRun, to tell a retry (same fingerprint)
/// from another request reusing a token.
pub fn fingerprint(params: &Params) -> String {
    params
        .pairs()
        .filter(|(k, _)| !matches!(k.as_str(), "ClientToken" | "DryRun" | "Version"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn idempotent_mismatch() -> Ec2Error {
    Ec2Error::client(
        "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
    )
}

/// `DryRun=true`: the request was allowed, and is not carried out.
pub fn dry_run(params: &Params) -> Result<(), Ec2Error> {
    if params.bool("DryRun")? {
        Err(Ec2Error::dry_run())
    } else {
        Ok(())
    }
}

/// The deployed role's condition (`ec2Policy.drillRequiresManagedTag`): refused unless `ok`.
pub fn allow(ctx: &Ctx<'_>, operation: &str, ok: bool, arn: &str) -> Result<(), Ec2Error> {
    if ctx.world.ec2_policy.drill_requires_managed_tag && !ok {
        Err(Ec2Error::unauthorized(operation, arn))
    } else {
        Ok(())
    }
}

/// `allow` on a resource's own tags (`aws:ResourceTag`).
pub fn allow_tagged(
    ctx: &Ctx<'_>,
    operation: &str,
    tags: &Tags,
    arn: &str,
) -> Result<(), Ec2Error> {
    allow(ctx, operation, is_managed(tags), arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_specifications_and_fingerprints() {
        let p = Params::parse(
            None,
            b"TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=a\
              &TagSpecification.1.Tag.1.Value=1&TagSpecification.2.ResourceType=volume\
              &TagSpecification.2.Tag.1.Key=b&ClientToken=t&DryRun=true&Version=x",
        );
        let specs = tag_specs(&p).unwrap();
        assert_eq!(tags_for(&specs, "instance"), [("a".into(), "1".into())]);
        assert_eq!(tags_for(&specs, "volume"), [("b".into(), "".into())]);
        assert!(check_kinds(&specs, &["instance"]).is_err());
        assert!(!fingerprint(&p).contains("ClientToken"));
        assert!(fingerprint(&p).contains("TagSpecification.1.Tag.1.Key=a"));
        let e = not_found("InvalidInstanceID.NotFound", "instance ID", &["i-1".into()]);
        assert_eq!(e.message, "The instance ID 'i-1' does not exist");
    }
}
