//! The HTTP side of EC2: which requests are EC2's, their parameters, faults, the write log, and
//! the XML answer.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};

use super::{named_ids, xml, Action, Ec2Error, Params};
use crate::faults::Injected;
use crate::http::{request_id, DropConnection, HttpResponse};
use crate::ops::Ctx;
use crate::protocol;
use crate::state::{lock, Inner, Shared};
use crate::WriteRecord;

/// Largest request body accepted (EC2 Query requests here are small).
const MAX_BODY: usize = 1 << 20;

/// Whether a request is for EC2: no `X-Amz-Target` (Lightsail's JSON protocol always sends
/// one), and a form body, an `Action` in the query string, or a SigV4 scope for `ec2`.
pub fn is_ec2<B>(req: &Request<B>) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("x-amz-target").is_some() {
        return false;
    }
    let form =
        header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let action = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("Action=")));
    let scope = header("authorization").and_then(protocol::service_from_authorization);
    form || action || scope == Some("ec2")
}

fn respond(status: u16, body: String, request_id: &str) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(xml::CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    res
}

fn error(e: &Ec2Error, request_id: &str) -> HttpResponse {
    respond(e.status, xml::error(e, request_id), request_id)
}

/// One request as read off the wire; `action` is its `Action` parameter, empty if none.
struct Received {
    rid: String,
    region: String,
    action: String,
    params: Params,
    signed: bool,
}

/// A request that passed the door: signed, and an operation served.
struct Call {
    rid: String,
    region: String,
    action: Action,
    params: Params,
}

async fn read(state: &Shared, req: Request<Incoming>) -> Result<Received, (String, Ec2Error)> {
    let rid = request_id();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let region = auth
        .as_deref()
        .and_then(protocol::region_from_authorization)
        .map_or_else(|| state.default_region(), str::to_string);
    let query = req.uri().query().map(str::to_string);
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let e = Ec2Error::invalid_value("The request body could not be read");
            return Err((rid, e));
        }
    };
    let params = Params::parse(query.as_deref(), &body);
    let action = params.get("Action").unwrap_or_default().to_string();
    Ok(Received {
        rid,
        region,
        action,
        params,
        signed: auth.is_some(),
    })
}

pub async fn handle(
    state: &Shared,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let received = match read(state, req).await {
        Ok(r) => r,
        Err((rid, e)) => return Ok(error(&e, &rid)),
    };
    if !received.action.is_empty() {
        Shared::count_call(&mut lock(&state.inner), &received.region, &received.action);
    }
    if !received.signed {
        return Ok(error(&Ec2Error::auth_failure(), &received.rid));
    }
    let action = match Action::parse(&received.action) {
        Ok(action) => action,
        Err(e) => return Ok(error(&e, &received.rid)),
    };
    let call = Call {
        rid: received.rid,
        region: received.region,
        action,
        params: received.params,
    };
    let latency = lock(&state.inner).faults.faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let now = state.now();
    let mut inner = lock(&state.inner);
    run(&mut inner, &call, now)
}

/// The write log entry of `call`, if it is a write (`created`: the id it made, as `source`).
fn log(inner: &mut Inner, call: &Call, now: f64, applied: bool, error: Option<&str>) {
    log_created(inner, call, now, (applied, None), error)
}

fn log_created(
    inner: &mut Inner,
    call: &Call,
    now: f64,
    (applied, created): (bool, Option<String>),
    error: Option<&str>,
) {
    if call.action.is_write() {
        Shared::log_write(
            inner,
            WriteRecord {
                seq: 0,
                at: now,
                region: call.region.clone(),
                operation: call.action.name().to_string(),
                target: call.action.write_target(&call.params),
                source: created,
                applied,
                error: error.map(str::to_string),
            },
        );
    }
}

/// Faults, then the operation, under the state's lock.
fn run(inner: &mut Inner, call: &Call, now: f64) -> Result<HttpResponse, DropConnection> {
    let fail = |inner: &mut Inner, e: Ec2Error| {
        log(inner, call, now, false, Some(e.code));
        Ok(error(&e, &call.rid))
    };
    // IAM refuses before anything else happens (and without drawing from the fault generator).
    let name = call.action.name();
    let ids = named_ids(&call.params);
    if inner.faults.unreachable(&call.region, true) {
        log(inner, call, now, false, Some("DroppedConnection"));
        return Err(DropConnection);
    }
    let region_denied = inner
        .faults
        .denied_region(&call.region)
        .then(|| name.to_string());
    if let Some(what) = region_denied.or_else(|| inner.faults.denied_ec2(name, &ids)) {
        let arn = if what == name { "*".to_string() } else { what };
        return fail(inner, Ec2Error::unauthorized(name, &arn));
    }
    match inner.faults.roll_before(name) {
        Injected::None => {}
        Injected::Drop => {
            log(inner, call, now, false, Some("DroppedConnection"));
            return Err(DropConnection);
        }
        Injected::Throttle => return fail(inner, Ec2Error::throttled()),
        Injected::ServerError => return fail(inner, Ec2Error::internal()),
    }
    if call.action.uses_network() {
        inner.world.ensure_network(&call.region);
    }
    let mut ctx = Ctx {
        world: &mut inner.world,
        faults: &mut inner.faults,
        region: &call.region,
        now,
    };
    match call.action.apply(&mut ctx, &call.params) {
        Ok(applied) => {
            let created = (true, applied.created);
            if call.action.is_write() && inner.faults.roll_drop_after_write(name) {
                log_created(inner, call, now, created, Some("DroppedConnection"));
                return Err(DropConnection);
            }
            log_created(inner, call, now, created, None);
            let body = xml::response(name, &call.rid, &applied.members);
            Ok(respond(200, body, &call.rid))
        }
        Err(e) => fail(inner, e),
    }
}
