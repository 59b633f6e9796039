//! The function as Lambda runs it: the release `lightsail-export` binary in its own process,
//! talking to a tiny fake Lambda Runtime API served here (the four routes a runtime uses).
//!
//! Start-up is timed from spawn to the first `GET /2018-06-01/runtime/invocation/next`, an
//! invocation from handing out the event to receiving its response, and memory is the process's
//! own `VmHWM` (peak resident set) read from /proc before it is stopped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::Fallible;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
/// Longest a single round may take before the benchmark calls the function hung.
const ROUND_TIMEOUT: Duration = Duration::from_secs(180);
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What the function answered.
struct Answer {
    delivered: Instant,
    received: Instant,
    result: Result<Value, String>,
}

struct Event {
    id: String,
    payload: Vec<u8>,
    answer: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct Shared {
    first_poll: Mutex<Option<Instant>>,
    init_error: Mutex<Option<String>>,
    /// Invocations handed out and not answered yet: when each was delivered, where to answer.
    in_flight: Mutex<HashMap<String, (Instant, oneshot::Sender<Answer>)>>,
    woke: Notify,
}

/// The fake Runtime API: `GET next` long-polls until the benchmark queues an event.
struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    events: mpsc::Sender<Event>,
    server: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    async fn start() -> Fallible<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let (events, queue) = mpsc::channel::<Event>(1);
        let queue = Arc::new(tokio::sync::Mutex::new(queue));
        let state = shared.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, queue) = (state.clone(), queue.clone());
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request| route(request, state.clone(), queue.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            shared,
            events,
            server,
        })
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
}

async fn route(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    queue: Arc<tokio::sync::Mutex<mpsc::Receiver<Event>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    if method == Method::GET && path == NEXT {
        shared
            .first_poll
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        shared.woke.notify_waiters();
        let Some(event) = queue.lock().await.recv().await else {
            return Ok(reply(StatusCode::GONE, "{}"));
        };
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            + 900_000;
        let delivered = Instant::now();
        shared
            .in_flight
            .lock()
            .unwrap()
            .insert(event.id.clone(), (delivered, event.answer));
        let mut response = Response::new(Full::new(Bytes::from(event.payload)));
        let headers = response.headers_mut();
        headers.insert("lambda-runtime-aws-request-id", event.id.parse().unwrap());
        headers.insert(
            "lambda-runtime-deadline-ms",
            deadline.to_string().parse().unwrap(),
        );
        headers.insert(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:lightsail-export"
                .parse()
                .unwrap(),
        );
        headers.insert(
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000;Sampled=0"
                .parse()
                .unwrap(),
        );
        return Ok(response);
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).to_string();
    if method == Method::POST && path == INIT_ERROR {
        *shared.init_error.lock().unwrap() = Some(text);
        shared.woke.notify_waiters();
        return Ok(reply(StatusCode::ACCEPTED, "{}"));
    }
    if method == Method::POST {
        if let Some(rest) = path.strip_prefix(INVOCATION) {
            if let Some((id, kind)) = rest.split_once('/') {
                let received = Instant::now();
                let result = match kind {
                    "response" => serde_json::from_slice(&body).map_err(|e| e.to_string()),
                    _ => Err(text),
                };
                if let Some((delivered, answer)) = shared.in_flight.lock().unwrap().remove(id) {
                    let _ = answer.send(Answer {
                        delivered,
                        received,
                        result,
                    });
                }
                return Ok(reply(StatusCode::ACCEPTED, "{}"));
            }
        }
    }
    Ok(reply(StatusCode::NOT_FOUND, "{}"))
}

/// One live function process.
pub struct Function {
    api: RuntimeApi,
    child: Child,
    stderr: tokio::task::JoinHandle<String>,
    /// Spawn to the first `GET next`.
    pub ready: Duration,
    /// Resident set once ready, before any event.
    pub idle_rss_kib: u64,
    invocations: u64,
}

impl Function {
    /// Spawns `binary` as Lambda would, with `env` on top of the runtime's own variables.
    pub async fn start(binary: &Path, env: &[(&str, String)]) -> Fallible<Function> {
        let api = RuntimeApi::start().await?;
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "lightsail-export")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/lightsail-export")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
            .env("AWS_SECRET_ACCESS_KEY", "bench")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            // The JSON log lines: Lambda sends them to CloudWatch through a pipe; dropped here.
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("spawning {}: {e}", binary.display()))?;
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        });
        let mut function = Function {
            api,
            child,
            stderr,
            ready: Duration::ZERO,
            idle_rss_kib: 0,
            invocations: 0,
        };
        let until = spawned + START_TIMEOUT;
        let shared = function.api.shared.clone();
        loop {
            let woke = shared.woke.notified();
            if let Some(at) = *shared.first_poll.lock().unwrap() {
                function.ready = at - spawned;
                break;
            }
            if let Some(error) = shared.init_error.lock().unwrap().clone() {
                return Err(format!("the function reported an init error: {error}").into());
            }
            if let Some(status) = function.child.try_wait()? {
                return Err(function.died(status).await.into());
            }
            if Instant::now() > until {
                return Err("the function did not poll for an event within 30 s".into());
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), woke).await;
        }
        function.idle_rss_kib = status_kib(function.pid(), "VmRSS:");
        Ok(function)
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    async fn died(&mut self, status: std::process::ExitStatus) -> String {
        let stderr = (&mut self.stderr).await.unwrap_or_default();
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("the function exited ({status}):\n{}", tail.join("\n"))
    }

    /// One invocation: the event in, the result out, and how long the function took.
    pub async fn invoke(&mut self, event: &Value) -> Fallible<(Duration, Value)> {
        self.invocations += 1;
        let (answer, answered) = oneshot::channel();
        let event = Event {
            id: format!("bench-{:06}", self.invocations),
            payload: serde_json::to_vec(event)?,
            answer,
        };
        self.api
            .events
            .send(event)
            .await
            .map_err(|_| "the runtime API stopped")?;
        let mut answered = std::pin::pin!(answered);
        let until = Instant::now() + ROUND_TIMEOUT;
        loop {
            match tokio::time::timeout(Duration::from_millis(200), &mut answered).await {
                Ok(Ok(answer)) => {
                    let took = answer.received - answer.delivered;
                    return match answer.result {
                        Ok(output) => Ok((took, output)),
                        Err(error) => Err(format!("the invocation failed: {error}").into()),
                    };
                }
                Ok(Err(_)) => return Err("the runtime API dropped the invocation".into()),
                Err(_) => {
                    if let Some(status) = self.child.try_wait()? {
                        return Err(self.died(status).await.into());
                    }
                    if Instant::now() > until {
                        return Err("no answer within 180 s".into());
                    }
                }
            }
        }
    }

    /// The process's peak resident set so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        status_kib(self.pid(), "VmHWM:")
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
