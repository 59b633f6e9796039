//! The HTTP server: accepts connections, routes `/_emulator/` to the admin API, EC2 Query
//! requests to EC2 (`ec2::serve`) and everything else to Lightsail, and injects faults.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::faults::Injected;
use crate::http::{request_id, DropConnection, HttpResponse};
use crate::ops::{self, Ctx};
use crate::protocol::{self, ApiError};
use crate::state::{lock, Shared};
use crate::switches::ErrorEnvelope;
use crate::WriteRecord;

/// Largest request body accepted (Lightsail requests are small).
const MAX_BODY: usize = 1 << 20;

pub struct ServerHandle {
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl ServerHandle {
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.accept.abort();
    }
}

pub async fn serve(
    addr: SocketAddr,
    state: Arc<Shared>,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let accept = tokio::spawn(accept_loop(listener, state, stopped));
    Ok((local, ServerHandle { stop, accept }))
}

async fn accept_loop(listener: TcpListener, state: Arc<Shared>, stopped: watch::Receiver<bool>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // Idle keep-alive connections stay open until the client closes them: a server-side
                // close racing with the SDK's reuse of a pooled connection would look like a fault.
                .header_read_timeout(None)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                result = conn => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                }
                _ = stopped.changed() => {}
            }
        });
    }
}

async fn handle(
    state: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    if req.uri().path().starts_with("/_emulator/") {
        return Ok(crate::admin::handle(&state, req).await);
    }
    if crate::ec2::serve::is_ec2(&req) {
        return crate::ec2::serve::handle(&state, req).await;
    }
    lightsail(&state, req).await
}

fn respond(status: u16, body: String, request_id: &str, error_type: Option<&str>) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(protocol::CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    if let Some(t) = error_type.and_then(|t| HeaderValue::from_str(t).ok()) {
        h.insert("x-amzn-ErrorType", t);
    }
    res
}

/// An error response in the envelope the `errorEnvelope` switch asks for; `operation` names
/// the API reference page of its `docs`.
fn error(
    e: &ApiError,
    request_id: &str,
    envelope: ErrorEnvelope,
    operation: Option<&str>,
) -> HttpResponse {
    respond(
        e.status,
        e.body(envelope, operation),
        request_id,
        e.header(envelope),
    )
}

fn header<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn lightsail(state: &Shared, req: Request<Incoming>) -> Result<HttpResponse, DropConnection> {
    let rid = request_id();
    let target = header(&req, "x-amz-target").map(str::to_string);
    let operation = target
        .as_deref()
        .and_then(|t| t.strip_prefix(protocol::TARGET_PREFIX))
        .map(str::to_string);
    let auth = header(&req, "authorization").map(str::to_string);
    let region = match auth
        .as_deref()
        .and_then(protocol::region_from_authorization)
    {
        Some(r) => r.to_string(),
        None => state.default_region(),
    };
    let envelope = {
        let mut inner = lock(&state.inner);
        if let Some(op) = &operation {
            Shared::count_call(&mut inner, &region, op);
        }
        inner.world.switches.error_envelope
    };
    let refuse = |e: ApiError| Ok(error(&e, &rid, envelope, None));
    if auth.is_none() {
        return refuse(ApiError::missing_auth());
    }
    if req.method() != Method::POST || req.uri().path() != "/" {
        return refuse(ApiError::unknown_operation("Only POST / is supported"));
    }
    let Some(operation) = operation else {
        let what = target.map_or("missing".to_string(), |t| format!("{t:?}"));
        return refuse(ApiError::unknown_operation(format!(
            "The X-Amz-Target header is {what}"
        )));
    };
    if !ops::OPERATIONS.contains(&operation.as_str()) {
        return refuse(ApiError::unknown_operation(format!(
            "Unknown operation {operation}"
        )));
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return refuse(ApiError::serialization(
                "The request body could not be read",
            ))
        }
    };
    let latency = lock(&state.inner).faults.faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let parsed: Result<Value, _> = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(&body)
    };
    let is_write = ops::is_write(&operation);
    let (target, source) = match &parsed {
        Ok(v) if is_write => ops::write_target(&operation, v),
        _ => (String::new(), None),
    };

    let now = state.now();
    let mut inner = lock(&state.inner);
    let log = |inner: &mut crate::state::Inner, applied: bool, error: Option<String>| {
        if is_write {
            Shared::log_write(
                inner,
                WriteRecord {
                    seq: 0,
                    at: now,
                    region: region.clone(),
                    operation: operation.clone(),
                    target: target.clone(),
                    source: source.clone(),
                    applied,
                    error,
                },
            );
        }
    };
    // IAM refuses before anything else happens (and without drawing from the fault generator).
    let denied = match inner.faults.denied_region(&region) {
        true => Some(format!("* (region {region} is denied)")),
        false => parsed
            .as_ref()
            .ok()
            .and_then(|input| inner.faults.denied(&operation, input)),
    };
    if let Some(what) = denied {
        let e = ApiError::access_denied(&operation, &what);
        log(&mut inner, false, Some(e.kind.to_string()));
        return Ok(error(&e, &rid, envelope, Some(&operation)));
    }
    let injected = inner.faults.roll_before(&operation);
    let fault = match injected {
        Injected::None => None,
        Injected::Drop => {
            log(&mut inner, false, Some("DroppedConnection".into()));
            return Err(DropConnection);
        }
        Injected::Throttle => Some(ApiError::throttling()),
        Injected::ServerError => Some(ApiError::service()),
    };
    if let Some(e) = fault {
        log(&mut inner, false, Some(e.kind.to_string()));
        return Ok(error(&e, &rid, envelope, Some(&operation)));
    }
    let input = match parsed {
        Ok(v) => v,
        Err(e) => {
            let e = ApiError::serialization(format!("The request body is not valid JSON: {e}"));
            log(&mut inner, false, Some(e.kind.to_string()));
            return Ok(error(&e, &rid, envelope, Some(&operation)));
        }
    };
    let inner = &mut *inner;
    let mut ctx = Ctx {
        world: &mut inner.world,
        faults: &mut inner.faults,
        region: &region,
        now,
    };
    let result = ops::dispatch(&mut ctx, &operation, &input).unwrap_or_else(|| {
        Err(ApiError::unknown_operation(format!(
            "Unknown operation {operation}"
        )))
    });
    match result {
        Ok(v) => {
            if is_write && inner.faults.roll_drop_after_write(&operation) {
                log(inner, true, Some("DroppedConnection".into()));
                return Err(DropConnection);
            }
            log(inner, true, None);
            Ok(respond(200, v.to_string(), &rid, None))
        }
        Err(e) => {
            log(inner, false, Some(e.kind.to_string()));
            Ok(error(&e, &rid, envelope, Some(&operation)))
        }
    }
}
