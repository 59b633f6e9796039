//! A fake Lambda Runtime API on loopback: serves queued events to the function's runtime loop
//! (`/runtime/invocation/next` waits until one is queued) and records what it posts back.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Posted {
    pub request_id: String,
    /// `response` or `error`.
    pub kind: String,
    pub body: Value,
}

#[derive(Default)]
pub struct FakeRuntimeApi {
    events: Mutex<VecDeque<Vec<u8>>>,
    pub posted: Mutex<Vec<Posted>>,
    served: Mutex<usize>,
}

/// A running fake Runtime API; dropping it does not stop it (tests end the process).
pub struct RuntimeApi {
    pub addr: SocketAddr,
    pub state: Arc<FakeRuntimeApi>,
}

impl FakeRuntimeApi {
    pub async fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(FakeRuntimeApi::default());
        let api = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(api.clone(), stream));
            }
        });
        RuntimeApi { addr, state }
    }
}

impl RuntimeApi {
    pub fn push(&self, event: Vec<u8>) {
        self.state.events.lock().unwrap().push_back(event);
    }

    pub fn posted(&self) -> Vec<Posted> {
        self.state.posted.lock().unwrap().clone()
    }
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
        // Wait for an event, as the real Runtime API does between invocations.
        let event = loop {
            if let Some(event) = api.events.lock().unwrap().pop_front() {
                break event;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
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
