//! The HTTP side of Lightsail: the request's operation (parsed once from `X-Amz-Target`),
//! region and body; IAM denials and faults; the write log; and the JSON answer, in the error
//! envelope the `errorEnvelope` switch asks for.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

use super::{Ctx, Operation};
use crate::faults::Injected;
use crate::http::{request_id, DropConnection, HttpResponse};
use crate::protocol::{self, ApiError};
use crate::state::{lock, Inner, Shared};
use crate::switches::ErrorEnvelope;
use crate::WriteRecord;

/// Largest request body accepted (Lightsail requests are small).
const MAX_BODY: usize = 1 << 20;

/// Answers one Lightsail request: refused at the door, or run under the state's lock.
pub async fn handle(
    state: &Shared,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let call = match accept(state, req).await {
        Ok(call) => call,
        Err(refusal) => return Ok(refusal),
    };
    let latency = lock(&state.inner).faults.faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let now = state.now();
    let mut inner = lock(&state.inner);
    call.run(&mut inner, now)
}

/// A request that passed the door: signed, `POST /`, an operation served, its body read.
struct Call {
    rid: String,
    region: String,
    envelope: ErrorEnvelope,
    operation: Operation,
    /// The body as JSON. A body that is not JSON is refused only after IAM and the faults.
    input: Result<Value, serde_json::Error>,
    /// The write log's `target` and `source` (empty for reads and for bodies that are not JSON).
    target: String,
    source: Option<String>,
}

/// Why a call got no answer from its operation.
enum Refusal {
    Error(ApiError),
    /// Drop the connection without a response.
    Drop,
}

fn header<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Counts the call (unknown operations too), then checks what every request must be: a
/// refusal here is an error without an operation's `docs` page, and never logged as a write.
async fn accept(state: &Shared, req: Request<Incoming>) -> Result<Call, HttpResponse> {
    let rid = request_id();
    let target = header(&req, "x-amz-target").map(str::to_string);
    let signed = header(&req, "authorization").is_some();
    let region = header(&req, "authorization")
        .and_then(protocol::region_from_authorization)
        .map_or_else(|| state.default_region(), str::to_string);
    let envelope = {
        let mut inner = lock(&state.inner);
        if let Some(name) = target
            .as_deref()
            .and_then(|t| t.strip_prefix(protocol::TARGET_PREFIX))
        {
            Shared::count_call(&mut inner, &region, name);
        }
        inner.world.switches.error_envelope
    };
    let refuse = |e: ApiError| error(&e, &rid, envelope, None);
    if !signed {
        return Err(refuse(ApiError::missing_auth()));
    }
    if req.method() != Method::POST || req.uri().path() != "/" {
        return Err(refuse(ApiError::unknown_operation(
            "Only POST / is supported",
        )));
    }
    let operation = Operation::from_target(target.as_deref()).map_err(refuse)?;
    let Ok(body) = Limited::new(req.into_body(), MAX_BODY).collect().await else {
        return Err(refuse(ApiError::serialization(
            "The request body could not be read",
        )));
    };
    let body = body.to_bytes();
    let input = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(&body)
    };
    let (target, source) = match &input {
        Ok(v) => operation.write_target(v),
        Err(_) => (String::new(), None),
    };
    Ok(Call {
        rid,
        region,
        envelope,
        operation,
        input,
        target,
        source,
    })
}

impl Call {
    /// IAM, then the faults, then the operation; every write is logged, whatever its end.
    fn run(self, inner: &mut Inner, now: f64) -> Result<HttpResponse, DropConnection> {
        let result = self.admit(inner).and_then(|input| {
            let mut ctx = Ctx {
                world: &mut inner.world,
                faults: &mut inner.faults,
                region: &self.region,
                now,
            };
            self.operation
                .apply(&mut ctx, input)
                .map_err(Refusal::Error)
        });
        let answer = match result {
            Ok(answer) => answer,
            Err(Refusal::Drop) => {
                self.log(inner, now, false, Some("DroppedConnection"));
                return Err(DropConnection);
            }
            Err(Refusal::Error(e)) => {
                self.log(inner, now, false, Some(e.kind));
                return Ok(self.error(&e));
            }
        };
        if self.operation.is_write() && inner.faults.roll_drop_after_write(self.operation.name()) {
            self.log(inner, now, true, Some("DroppedConnection"));
            return Err(DropConnection);
        }
        self.log(inner, now, true, None);
        Ok(respond(200, answer.to_string(), &self.rid, None))
    }

    /// What refuses the call before it is applied, in order: IAM (which draws nothing from the
    /// fault generator), the rolled faults, then a body that is not JSON.
    fn admit(&self, inner: &mut Inner) -> Result<&Value, Refusal> {
        let name = self.operation.name();
        if inner.faults.unreachable(&self.region, false) {
            return Err(Refusal::Drop);
        }
        let denied = match inner.faults.denied_region(&self.region) {
            true => Some(format!("* (region {} is denied)", self.region)),
            false => self
                .input
                .as_ref()
                .ok()
                .and_then(|input| inner.faults.denied(name, input)),
        };
        if let Some(what) = denied {
            return Err(Refusal::Error(ApiError::access_denied(name, &what)));
        }
        match inner.faults.roll_before(name) {
            Injected::None => {}
            Injected::Drop => return Err(Refusal::Drop),
            Injected::Throttle => return Err(Refusal::Error(ApiError::throttling())),
            Injected::ServerError => return Err(Refusal::Error(ApiError::service())),
        }
        self.input.as_ref().map_err(|e| {
            Refusal::Error(ApiError::serialization(format!(
                "The request body is not valid JSON: {e}"
            )))
        })
    }

    /// The write log's entry of this call, if it is a write.
    fn log(&self, inner: &mut Inner, now: f64, applied: bool, error: Option<&str>) {
        if self.operation.is_write() {
            Shared::log_write(
                inner,
                WriteRecord {
                    seq: 0,
                    at: now,
                    region: self.region.clone(),
                    operation: self.operation.name().to_string(),
                    target: self.target.clone(),
                    source: self.source.clone(),
                    applied,
                    error: error.map(str::to_string),
                },
            );
        }
    }

    fn error(&self, e: &ApiError) -> HttpResponse {
        error(e, &self.rid, self.envelope, Some(self.operation.name()))
    }
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
