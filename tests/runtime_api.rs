//! Malformed JSON never reaches the handler (it takes a `serde_json::Value`): the Lambda service
//! refuses a non-JSON payload at Invoke (`InvalidRequestContentException`), and if one came
//! through the Runtime API anyway, `lambda_runtime` answers it with an invocation error of its own
//! and serves the next event. This test runs the function's real runtime loop (as src/main.rs
//! wires it) against a fake Lambda Runtime API on loopback, without cargo-lambda.
//!
//! The only test in this binary: it sets the runtime's environment variables.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{config, ClientOptions, Harness, WORLD};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
struct Posted {
    request_id: String,
    /// `response` or `error`.
    kind: String,
    body: Value,
}

#[derive(Default)]
struct FakeRuntimeApi {
    events: Mutex<VecDeque<Vec<u8>>>,
    posted: Mutex<Vec<Posted>>,
    served: Mutex<usize>,
}

async fn read_request(stream: &mut TcpStream) -> Option<(String, String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((method, path, body))
}

async fn serve(api: Arc<FakeRuntimeApi>, mut stream: TcpStream) {
    let Some((method, path, body)) = read_request(&mut stream).await else {
        return;
    };
    let response = if method == "GET" && path.ends_with("/runtime/invocation/next") {
        let next = api.events.lock().unwrap().pop_front();
        let Some(event) = next else {
            // No more events: hang, as the real Runtime API does between invocations.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        };
        let id = {
            let mut served = api.served.lock().unwrap();
            *served += 1;
            format!("request-{served}")
        };
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 60_000;
        let mut head = format!(
            "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {id}\r\n\
             Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
             Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:lightsail-export\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            event.len()
        )
        .into_bytes();
        head.extend_from_slice(&event);
        head
    } else if method == "POST" && path.contains("/runtime/invocation/") {
        let mut parts = path.rsplit('/');
        let kind = parts.next().unwrap_or_default().to_string();
        let request_id = parts.next().unwrap_or_default().to_string();
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        api.posted.lock().unwrap().push(Posted {
            request_id,
            kind,
            body,
        });
        b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_vec()
    } else {
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_answered_by_the_runtime_and_the_next_event_is_served() {
    let h: &'static Harness = Box::leak(Box::new(
        Harness::with_options(WORLD, config(&["web-1"]), &ClientOptions::default()).await,
    ));
    let api = Arc::new(FakeRuntimeApi::default());
    let events: [&[u8]; 6] = [
        b"{\"targets\": [",
        b"",
        b"{\"targets\": [\"web-1\"]} trailing",
        b"\xff\xfe not utf-8",
        b"{\"target\": [\"web-1\"]}",
        b"{\"targets\": [\"web-1\"]}",
    ];
    api.events
        .lock()
        .unwrap()
        .extend(events.iter().map(|e| e.to_vec()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = {
        let api = api.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(api.clone(), stream));
            }
        })
    };

    // What the Lambda service sets for a function (edition 2021: set_var is safe).
    std::env::set_var("AWS_LAMBDA_RUNTIME_API", addr.to_string());
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "lightsail-export");
    std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
    std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    let runtime = lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        lightsail_export::handler(event, &h.app)
    }));
    let answered = async {
        while api.posted.lock().unwrap().len() < events.len() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        result = runtime => panic!("the runtime stopped: {result:?}"),
        _ = tokio::time::sleep(Duration::from_secs(30)) => {
            panic!("runtime answered only {:?}", api.posted.lock().unwrap())
        }
        _ = answered => {}
    }
    server.abort();

    let posted = api.posted.lock().unwrap().clone();
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
