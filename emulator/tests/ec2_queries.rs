//! EC2 reads and tags through the real `aws-sdk-ec2` client: filters, owners, paging,
//! CreateTags, regions, and every value of the `deregisteredImage` switch.

mod ec2_support;

use ec2_support::*;
use lightsail_emulator::{DeregisteredImage, Switches};

#[tokio::test]
async fn filters_by_tag_tag_key_state_id_and_wildcards() {
    let emu = emulator().await;
    let c = ec2(&emu);
    let all = image_ids(&c, &[]).await;
    assert_eq!(
        all.len(),
        3,
        "web-1-old's export, my-golden-image, managed-old-1: {all:?}"
    );
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "listed in id order");
    let managed = image_ids(&c, &[filter(&format!("tag:{MANAGED}"), &["true"])]).await;
    assert_eq!(managed.len(), 2);
    assert!(!managed.contains(&GOLDEN_AMI.to_string()));
    assert_eq!(
        image_ids(&c, &[filter("tag-key", &["team"])]).await,
        [GOLDEN_AMI]
    );
    assert_eq!(
        image_ids(&c, &[filter("tag:team", &["o*"])]).await,
        [GOLDEN_AMI],
        "wildcards"
    );
    assert!(image_ids(&c, &[filter("tag:team", &["dev", "qa"])])
        .await
        .is_empty());
    assert_eq!(
        image_ids(
            &c,
            &[
                filter("image-id", &[GOLDEN_AMI]),
                filter("state", &["available"])
            ]
        )
        .await,
        [GOLDEN_AMI]
    );
    assert!(image_ids(&c, &[filter("state", &["pending"])])
        .await
        .is_empty());
    assert_eq!(
        image_ids(
            &c,
            &[filter("block-device-mapping.snapshot-id", &[GOLDEN_SNAP])]
        )
        .await,
        [GOLDEN_AMI]
    );
    let err = c
        .describe_images()
        .filters(filter("colour", &["blue"]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err), message(&err)),
        (
            "InvalidParameterValue".into(),
            "The filter 'colour' is invalid".into()
        )
    );
    let out = c
        .describe_snapshots()
        .owner_ids("self")
        .filters(filter("status", &["error"]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.snapshots().len(), 1, "bad-snap's export");
    let out = c
        .describe_snapshots()
        .filters(filter("description", &["my *"]))
        .filters(filter("volume-size", &["10"]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.snapshots()[0].snapshot_id(), Some(BACKUP_SNAP));
}

#[tokio::test]
async fn owners_and_regions_scope_the_listing() {
    let emu = emulator().await;
    let c = ec2(&emu);
    let count = |o: aws_sdk_ec2::operation::describe_images::DescribeImagesOutput| o.images().len();
    assert_eq!(
        count(c.describe_images().owners("self").send().await.unwrap()),
        3
    );
    assert_eq!(
        count(
            c.describe_images()
                .owners("123456789012")
                .send()
                .await
                .unwrap()
        ),
        3
    );
    assert_eq!(
        count(c.describe_images().owners("amazon").send().await.unwrap()),
        0
    );
    let eu = ec2_in(&emu, "eu-west-1");
    let names: Vec<String> = eu
        .describe_images()
        .send()
        .await
        .unwrap()
        .images()
        .iter()
        .filter_map(|i| i.name().map(str::to_string))
        .collect();
    assert_eq!(names, ["eu-image"]);
    let err = eu
        .describe_images()
        .image_ids(GOLDEN_AMI)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.NotFound", "AMIs are regional");
}

#[tokio::test]
async fn max_results_and_next_token_page_through_everything_once() {
    let emu = emulator().await;
    let c = ec2(&emu);
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = c
            .describe_snapshots()
            .owner_ids("self")
            .max_results(5)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(out.snapshots().len() <= 5);
        seen.extend(
            out.snapshots()
                .iter()
                .filter_map(|s| s.snapshot_id().map(str::to_string)),
        );
        pages += 1;
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    // 3 of web-1-old's AMI, slow-snap, bad-snap, 1 + 1 of the hand-made AMIs, 2 loose ones.
    assert_eq!(seen.len(), 9, "{seen:?}");
    assert_eq!(pages, 2);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    seen.sort();
    assert_eq!(unique, seen);
    let all = c.describe_snapshots().send().await.unwrap();
    assert_eq!(all.snapshots().len(), 9, "no MaxResults: one page");
    assert!(all.next_token().is_none());
    let err = c.describe_images().max_results(2).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let err = c
        .describe_snapshots()
        .snapshot_ids(BACKUP_SNAP)
        .max_results(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterCombination");
    let err = c
        .describe_images()
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidPaginationToken");
}

#[tokio::test]
async fn create_tags_adds_and_overwrites_on_images_and_snapshots_all_or_nothing() {
    let emu = emulator().await;
    let c = ec2(&emu);
    c.create_tags()
        .resources(GOLDEN_AMI)
        .resources(BACKUP_SNAP)
        .tags(tag("team", "platform"))
        .tags(tag(MANAGED, "true"))
        .send()
        .await
        .unwrap();
    let out = c
        .describe_images()
        .image_ids(GOLDEN_AMI)
        .send()
        .await
        .unwrap();
    let tags: Vec<(&str, &str)> = out.images()[0]
        .tags()
        .iter()
        .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
        .collect();
    assert_eq!(tags, [("team", "platform"), (MANAGED, "true")]);
    let snap = emu
        .ec2_snapshots()
        .into_iter()
        .find(|s| s.snapshot_id == BACKUP_SNAP)
        .unwrap();
    assert_eq!(snap.tags.get(MANAGED).map(String::as_str), Some("true"));
    // One unknown resource: nothing is tagged.
    let err = c
        .create_tags()
        .resources(GOLDEN_SNAP)
        .resources("ami-99999999999999999")
        .tags(tag("x", "y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.NotFound");
    let err = c
        .create_tags()
        .resources("snap-99999999999999999")
        .tags(tag("x", "y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidSnapshot.NotFound");
    let err = c
        .create_tags()
        .resources(GOLDEN_SNAP)
        .tags(tag("aws:reserved", "y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    let untouched = emu
        .ec2_snapshots()
        .into_iter()
        .find(|s| s.snapshot_id == GOLDEN_SNAP)
        .unwrap();
    assert!(untouched.tags.is_empty());
    let last = emu.writes().pop().unwrap();
    assert_eq!(
        (last.operation.as_str(), last.target.as_str(), last.applied),
        ("CreateTags", GOLDEN_SNAP, false)
    );
    assert_eq!(last.error.as_deref(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn every_value_of_deregistered_image_shows_a_deregistered_ami_its_way() {
    for value in DeregisteredImage::VALUES {
        let emu = emulator().await;
        let mut sw = Switches::default();
        sw.merge(serde_json::json!({ "deregisteredImage": value }))
            .unwrap();
        emu.set_switches(sw);
        let c = ec2(&emu);
        c.create_tags()
            .resources(GOLDEN_AMI)
            .tags(tag(MANAGED, "true"))
            .send()
            .await
            .unwrap();
        c.deregister_image()
            .image_id(GOLDEN_AMI)
            .send()
            .await
            .unwrap();
        let by_id = c.describe_images().image_ids(GOLDEN_AMI).send().await;
        let listed = image_ids(&c, &[]).await.contains(&GOLDEN_AMI.to_string());
        let again = c
            .deregister_image()
            .image_id(GOLDEN_AMI)
            .send()
            .await
            .unwrap_err();
        match *value {
            "notFound" => {
                assert_eq!(code(&by_id.unwrap_err()), "InvalidAMIID.NotFound");
                assert!(!listed);
                assert_eq!(code(&again), "InvalidAMIID.NotFound");
            }
            "empty" => {
                assert!(by_id.unwrap().images().is_empty());
                assert!(!listed);
                assert_eq!(code(&again), "InvalidAMIID.Unavailable");
            }
            "deregistered" => {
                let out = by_id.unwrap();
                assert_eq!(
                    out.images()[0].state().map(|s| s.as_str()),
                    Some("deregistered")
                );
                assert!(listed);
                assert_eq!(code(&again), "InvalidAMIID.Unavailable");
            }
            other => panic!("untested value {other}"),
        }
        // Under every value the snapshot stays (untagged: the role may not delete it yet).
        let err = c
            .delete_snapshot()
            .snapshot_id(GOLDEN_SNAP)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "UnauthorizedOperation");
        c.create_tags()
            .resources(GOLDEN_SNAP)
            .tags(tag(MANAGED, "true"))
            .send()
            .await
            .unwrap();
        c.delete_snapshot()
            .snapshot_id(GOLDEN_SNAP)
            .send()
            .await
            .unwrap();
    }
}
