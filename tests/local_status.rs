//! The local runner's `run` and `status` against the embedded emulator.
#![cfg(feature = "local")]

use lightsail_export::local::{run, status, Endpoint, RunOptions};
use lightsail_export::report::Status;

#[tokio::test]
async fn status_shows_each_targets_latest_copy_and_export_after_a_run() {
    // The embedded emulator is per call, so `status` on a fresh demo world shows no copies yet…
    let endpoint = Endpoint {
        emulator: Some("demo".into()),
        ..Endpoint::default()
    };
    let rows = status(endpoint.clone(), vec![], Some("export=nightly".into()))
        .await
        .unwrap();
    let mut names: Vec<&str> = rows.iter().map(|r| r.resource.as_str()).collect();
    names.sort();
    assert_eq!(names, ["data-disk", "shop.example.com", "web-1"]);
    assert!(rows.iter().all(|r| r.copy.is_none()));

    // …and `run` drives the demo to the end, quietly, with its fast clock.
    let output = run(RunOptions {
        endpoint,
        max_rounds: 50,
        quiet: true,
        ..RunOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(output.status, Status::Succeeded);
    assert!(output.targets.iter().all(|t| t
        .export_record
        .as_ref()
        .and_then(|r| r.destination.as_ref())
        .is_some()));
}
