//! Malformed JSON never reaches the handler (it takes a `serde_json::Value`): the Lambda service
//! refuses a non-JSON payload at Invoke (`InvalidRequestContentException`), and if one came
//! through the Runtime API anyway, `lambda_runtime` answers it with an invocation error of its own
//! and serves the next event. This test runs the function's real runtime loop (as src/main.rs
//! wires it) against a fake Lambda Runtime API on loopback, without cargo-lambda.
//!
//! The only test in this binary: it sets the runtime's environment variables.

mod common;

use std::time::Duration;

use common::runtime::FakeRuntimeApi;
use common::{config, ClientOptions, Harness, WORLD};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::test]
async fn malformed_json_is_answered_by_the_runtime_and_the_next_event_is_served() {
    let h: &'static Harness = Box::leak(Box::new(
        Harness::with_options(WORLD, config(&["web-1"]), &ClientOptions::default()).await,
    ));
    let api = FakeRuntimeApi::start().await;
    let events: [&[u8]; 6] = [
        b"{\"targets\": [",
        b"",
        b"{\"targets\": [\"web-1\"]} trailing",
        b"\xff\xfe not utf-8",
        b"{\"target\": [\"web-1\"]}",
        b"{\"targets\": [\"web-1\"]}",
    ];
    for event in events {
        api.push(event.to_vec());
    }
    let addr = api.addr;

    // What the Lambda service sets for a function (edition 2021: set_var is safe).
    std::env::set_var("AWS_LAMBDA_RUNTIME_API", addr.to_string());
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "lightsail-export");
    std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
    std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    let runtime = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        lightsail_export::handler(event, &h.app)
    }));
    let answered = async {
        while api.posted().len() < events.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        result = runtime => panic!("the runtime stopped: {result:?}"),
        _ = tokio::time::sleep(Duration::from_secs(30)) => {
            panic!("runtime answered only {:?}", api.posted())
        }
        _ = answered => {}
    }

    let posted = api.posted();
    for (i, p) in posted.iter().enumerate() {
        println!("event {}: {} {}", i + 1, p.kind, p.body);
    }
    for p in [&posted[0], &posted[1], &posted[3]] {
        assert_eq!(p.kind, "error", "{p:?}");
        assert_eq!(
            p.body["errorType"], "&lambda_runtime::deserializer::DeserializeError",
            "{p:?}"
        );
        let message = p.body["errorMessage"].as_str().unwrap_or_default();
        assert!(
            message.contains("failed to deserialize the incoming data"),
            "{message}"
        );
    }
    // lambda_runtime reads the first JSON value and ignores what follows it: the JSON prefix is
    // the event (the Lambda service itself refuses such a payload at Invoke).
    assert_eq!(posted[2].kind, "response", "{:?}", posted[2]);
    assert_eq!(posted[2].body["targets"][0]["actions"][0], "CopySnapshot");
    // Valid JSON reaches the handler: an unknown field is the handler's InvalidInput.
    assert_eq!(posted[4].kind, "error");
    assert_eq!(posted[4].body["errorType"], "InvalidInput");
    assert_eq!(posted[5].kind, "response");
    assert_eq!(posted[5].body["status"], "IN_PROGRESS");
    assert_eq!(posted[5].body["targets"][0]["phase"], "COPYING");
    let ids: Vec<&str> = posted.iter().map(|p| p.request_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "request-1",
            "request-2",
            "request-3",
            "request-4",
            "request-5",
            "request-6"
        ]
    );
    assert_eq!(
        h.applied("CopySnapshot"),
        1,
        "only the good event did anything"
    );
}
