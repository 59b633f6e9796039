//! What the AWS Query services the emulator answers beside EC2 share (STS, IAM): how a request is
//! recognised (its SigV4 credential scope), read (region, `Action`, parameters) and answered
//! (`<ActionResponse><ActionResult>…`, `<ErrorResponse><Error>…`).

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};

use crate::ec2::xml::{escape, Xml};
use crate::ec2::Params;
use crate::http::{request_id, DropConnection, HttpResponse};
use crate::protocol;
use crate::state::{lock, Shared};

const MAX_BODY: usize = 1 << 16;

/// Whether a request is signed for `service` (`sts`, `iam`).
pub fn signed_for<B>(req: &Request<B>, service: &str) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(protocol::service_from_authorization)
        == Some(service)
}

/// A request read: its `Action`, parameters and request id. The call is counted, and
/// dropped unanswered when its region is unreachable (`unreachableRegions`).
pub struct Call {
    pub action: String,
    pub params: Params,
    pub rid: String,
}

pub async fn read(
    state: &Shared,
    req: Request<Incoming>,
    namespace: &str,
) -> Result<Result<Call, HttpResponse>, DropConnection> {
    let rid = request_id();
    let region = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(protocol::region_from_authorization)
        .map_or_else(|| state.default_region(), str::to_string);
    let query = req.uri().query().map(str::to_string);
    let Ok(body) = Limited::new(req.into_body(), MAX_BODY).collect().await else {
        let message = "The request body could not be read";
        return Ok(Err(error(namespace, 400, "InvalidInput", message, &rid)));
    };
    let params = Params::parse(query.as_deref(), &body.to_bytes());
    let action = params.get("Action").unwrap_or_default().to_string();
    let mut inner = lock(&state.inner);
    Shared::count_call(&mut inner, &region, &action);
    if inner.faults.unreachable(&region, false) {
        return Err(DropConnection);
    }
    Ok(Ok(Call {
        action,
        params,
        rid,
    }))
}

fn respond(status: u16, body: String, rid: &str) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(rid) {
        h.insert("x-amzn-RequestId", v);
    }
    res
}

/// The Query protocol's error document.
pub fn error(namespace: &str, status: u16, code: &str, message: &str, rid: &str) -> HttpResponse {
    let body = format!(
        "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(code),
        escape(message),
        escape(rid)
    );
    respond(status, body, rid)
}

/// `<{action}Response><{action}Result>{result}</…Result><ResponseMetadata>…` (200).
pub fn success(namespace: &str, action: &str, result: Xml, rid: &str) -> HttpResponse {
    let body = format!(
        "<{action}Response xmlns=\"{namespace}\"><{action}Result>{}</{action}Result><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        result.finish(),
        escape(rid)
    );
    respond(200, body, rid)
}

/// The refusal of an action the service does not serve here.
pub fn unknown_action(namespace: &str, call: &Call, version: &str) -> HttpResponse {
    let message = format!(
        "Could not find operation {} for version {version}",
        call.action
    );
    error(namespace, 400, "InvalidAction", &message, &call.rid)
}
