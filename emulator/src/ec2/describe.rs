//! DescribeImages and DescribeSnapshots: by id, by owner, by filter, paged.

use std::collections::{BTreeMap, BTreeSet};

use super::filter::{check_image_filters, check_snapshot_filters, image_matches, snapshot_matches};
use super::render;
use super::xml::Xml;
use super::{Ec2Error, Params};
use crate::ops::paging::{page, read_token};
use crate::ops::Ctx;
use crate::scenario::ec2::is_id;
use crate::switches::DeregisteredImage;
use crate::world::ec2::{EbsSnapshot, Image};
use crate::world::model::ACCOUNT;

/// The page size asked for. The older API references give DescribeSnapshots 5 to 1,000 (more
/// is cut to 1,000); DescribeImages is held to the same, so a client that pages within that
/// range works against both.
pub fn max_results(params: &Params) -> Result<Option<usize>, Ec2Error> {
    match params.int("MaxResults")? {
        None => Ok(None),
        Some(n) if n < 5 => Err(Ec2Error::invalid_value(format!(
            "Value ( {n} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000."
        ))),
        Some(n) => Ok(Some(n.min(1000) as usize)),
    }
}

/// The id a `NextToken` resumes after (a token names the last id of the previous page).
pub fn after(params: &Params) -> Result<Option<String>, Ec2Error> {
    match params.get("NextToken") {
        None | Some("") => Ok(None),
        Some(t) => read_token::<String>(t).map(Some).ok_or_else(|| {
            Ec2Error::client(
                "InvalidPaginationToken",
                format!("The pagination token {t} is invalid or has expired."),
            )
        }),
    }
}

/// Whether an `Owner.N` list admits the account's own artifacts (all the emulator holds).
fn owned(owners: &[String]) -> bool {
    owners.is_empty() || owners.iter().any(|o| o == "self" || o == ACCOUNT)
}

pub fn describe_images(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("ImageId");
    if let Some(bad) = ids.iter().find(|id| !is_id(id, "ami")) {
        return Err(Ec2Error::malformed("InvalidAMIID.Malformed", bad, "ami"));
    }
    let filters = params.filters()?;
    check_image_filters(&filters)?;
    let size = max_results(params)?;
    let after = after(params)?;
    let mine = owned(&params.list("Owner"));
    let shown = ctx.world.switches.deregistered_image;
    let none = BTreeMap::new();
    let images = ctx.world.region(ctx.region).map_or(&none, |rs| &rs.images);
    // Asked for by id: an unknown one (and, under `notFound`, a deregistered one) fails the
    // whole request, as EC2 does.
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| match images.get(*id) {
            None => true,
            Some(img) => img.deregistered && shown == DeregisteredImage::NotFound,
        })
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Ec2Error::image_not_found(&missing));
    }
    let wanted: BTreeSet<&String> = ids.iter().collect();
    let now = ctx.now;
    let keep = |img: &Image| {
        mine && (wanted.is_empty() || wanted.contains(&img.id))
            && (!img.deregistered || shown == DeregisteredImage::Deregistered)
            && image_matches(img, &filters, now)
    };
    let size = size.unwrap_or(images.len()).max(1);
    let (items, next) = page(images, after.as_ref(), size, keep);
    let mut x = Xml::new();
    x.open("imagesSet");
    for img in items {
        render::image(&mut x, img, now);
    }
    x.close("imagesSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}

pub fn describe_snapshots(ctx: &mut Ctx<'_>, params: &Params) -> Result<String, Ec2Error> {
    let ids = params.list("SnapshotId");
    if let Some(bad) = ids.iter().find(|id| !is_id(id, "snap")) {
        return Err(Ec2Error::malformed(
            "InvalidSnapshotID.Malformed",
            bad,
            "snap",
        ));
    }
    let filters = params.filters()?;
    check_snapshot_filters(&filters)?;
    let size = max_results(params)?;
    if size.is_some() && !ids.is_empty() {
        // The older API reference: "You cannot specify this parameter and the parameter
        // SnapshotIds in the same request."
        return Err(Ec2Error::client(
            "InvalidParameterCombination",
            "The parameter SnapshotIds cannot be used with the parameter MaxResults",
        ));
    }
    let after = after(params)?;
    let mut owners = params.list("Owner");
    owners.extend(params.list("OwnerId"));
    let mine = owned(&owners);
    let none = BTreeMap::new();
    let snapshots = ctx
        .world
        .region(ctx.region)
        .map_or(&none, |rs| &rs.ebs_snapshots);
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !snapshots.contains_key(*id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Ec2Error::snapshot_not_found(&missing));
    }
    let wanted: BTreeSet<&String> = ids.iter().collect();
    let now = ctx.now;
    let keep = |s: &EbsSnapshot| {
        mine && (wanted.is_empty() || wanted.contains(&s.id)) && snapshot_matches(s, &filters, now)
    };
    let size = size.unwrap_or(snapshots.len()).max(1);
    let (items, next) = page(snapshots, after.as_ref(), size, keep);
    let mut x = Xml::new();
    x.open("snapshotSet");
    for s in items {
        render::snapshot(&mut x, s, now);
    }
    x.close("snapshotSet");
    if let Some(t) = next {
        x.leaf("nextToken", t);
    }
    Ok(x.finish())
}
