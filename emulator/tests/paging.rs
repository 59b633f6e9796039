//! Paging: tokens, page sizes, and the order of the listings.

mod common;

use common::*;

#[tokio::test]
async fn export_records_page_consistently_in_a_shuffled_order() {
    let emu = emulator().await;
    let c = client(&emu);
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = c
            .get_export_snapshot_records()
            .set_page_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.export_snapshot_records().len() <= 3);
        names.extend(
            out.export_snapshot_records()
                .iter()
                .map(|r| r.name().unwrap().to_string()),
        );
        token = out.next_page_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names.len(), 10);
    assert_eq!(pages, 4);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 10, "no duplicates across pages");
    // Same world, same order: paging again gives the same sequence.
    let again: Vec<String> = all_records(&c)
        .await
        .iter()
        .map(|r| r.name().unwrap().to_string())
        .collect();
    assert_eq!(again, names);

    let err = c
        .get_export_snapshot_records()
        .page_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "InvalidInputException/InvalidInput");
}

#[tokio::test]
async fn get_instances_and_operations_page() {
    let emu = emulator().await;
    let c = client(&emu);
    let first = c.get_instances().send().await.unwrap();
    assert_eq!(first.instances().len(), 3);
    let token = first.next_page_token().unwrap().to_string();
    let mut all: Vec<String> = first
        .instances()
        .iter()
        .map(|i| i.name().unwrap().to_string())
        .collect();
    let mut next = Some(token);
    while let Some(t) = next {
        let page = c.get_instances().page_token(t).send().await.unwrap();
        all.extend(
            page.instances()
                .iter()
                .map(|i| i.name().unwrap().to_string()),
        );
        next = page.next_page_token().map(str::to_string);
    }
    // us-east-1 only: eu-web-1 lives in eu-west-1.
    assert_eq!(all.len(), 8);
    assert!(!all.contains(&"eu-web-1".to_string()));

    for i in 0..4 {
        c.tag_resource()
            .resource_name("web-2")
            .tags(tag("k", &i.to_string()))
            .send()
            .await
            .unwrap();
    }
    let ops = c.get_operations().send().await.unwrap();
    assert_eq!(ops.operations().len(), 3);
    let rest = c
        .get_operations()
        .page_token(ops.next_page_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.operations().len(), 1);
    assert!(rest.next_page_token().is_none());
}

fn tag(k: &str, v: &str) -> aws_sdk_lightsail::types::Tag {
    aws_sdk_lightsail::types::Tag::builder()
        .key(k)
        .value(v)
        .build()
}
