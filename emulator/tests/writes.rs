//! TagResource / UntagResource and the snapshot deletes, through the SDK.

mod common;

use common::*;

#[tokio::test]
async fn tags_on_instances_disks_and_snapshots() {
    let emu = emulator().await;
    let c = client(&emu);
    c.tag_resource()
        .resource_name("data-disk")
        .tags(tag("owner", "ops"))
        .send()
        .await
        .unwrap();
    let disk = c
        .get_disk()
        .disk_name("data-disk")
        .send()
        .await
        .unwrap()
        .disk
        .unwrap();
    assert!(disk
        .tags()
        .iter()
        .any(|t| t.key() == Some("owner") && t.value() == Some("ops")));
    c.untag_resource()
        .resource_name("data-disk")
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    let disk = c
        .get_disk()
        .disk_name("data-disk")
        .send()
        .await
        .unwrap()
        .disk
        .unwrap();
    assert!(!disk.tags().iter().any(|t| t.key() == Some("owner")));

    c.tag_resource()
        .resource_name("blog-1-manual")
        .tags(tag("keep", "yes"))
        .send()
        .await
        .unwrap();
    let s = c
        .get_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap();
    assert_eq!(s.instance_snapshot().unwrap().tags()[0].key(), Some("keep"));

    c.tag_resource()
        .resource_name("shop.example.com")
        .tags(tag("export", "nightly"))
        .send()
        .await
        .unwrap();
    let err = c
        .tag_resource()
        .resource_name("ghost")
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "NotFoundException/DoesNotExist");
}

#[tokio::test]
async fn delete_snapshots() {
    let emu = emulator().await;
    let c = client(&emu);
    c.delete_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap();
    let err = c
        .get_instance_snapshot()
        .instance_snapshot_name("blog-1-manual")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "NotFoundException/DoesNotExist");
    let err = c
        .delete_disk_snapshot()
        .disk_snapshot_name("app-1-manual")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        kind(&err),
        "NotFoundException/DoesNotExist",
        "a disk delete does not find an instance snapshot"
    );
}

fn tag(k: &str, v: &str) -> aws_sdk_lightsail::types::Tag {
    aws_sdk_lightsail::types::Tag::builder()
        .key(k)
        .value(v)
        .build()
}
