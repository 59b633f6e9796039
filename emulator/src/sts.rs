//! The part of AWS STS the function's doctor reads: `GetCallerIdentity` (AWS Query protocol,
//! 2011-06-15), answering as the role the function runs as in the emulator's one account.
//! Every other action is refused as real STS refuses an unknown one (`InvalidAction`).

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
use crate::world::model::ACCOUNT;

const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const MAX_BODY: usize = 1 << 16;

/// The identity every signed caller has: the function's role, assumed by Lambda.
pub const CALLER_ARN: &str = "arn:aws:sts::123456789012:assumed-role/lightsail-export/emulator";
const USER_ID: &str = "AROAEMULATOREXAMPLE01:emulator";

/// Whether a request is for STS: a SigV4 credential scope for `sts`.
pub fn is_sts<B>(req: &Request<B>) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(protocol::service_from_authorization)
        == Some("sts")
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

/// The Query protocol's error document (`<ErrorResponse><Error><Type>Sender</Type>…`).
fn error(status: u16, code: &str, message: &str, rid: &str) -> HttpResponse {
    let body = format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(code),
        escape(message),
        escape(rid)
    );
    respond(status, body, rid)
}

pub async fn handle(
    state: &Shared,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let rid = request_id();
    let region = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(protocol::region_from_authorization)
        .map_or_else(|| state.default_region(), str::to_string);
    let query = req.uri().query().map(str::to_string);
    let Ok(body) = Limited::new(req.into_body(), MAX_BODY).collect().await else {
        return Ok(error(
            400,
            "InvalidInput",
            "The request body could not be read",
            &rid,
        ));
    };
    let params = Params::parse(query.as_deref(), &body.to_bytes());
    let action = params.get("Action").unwrap_or_default().to_string();
    {
        let mut inner = lock(&state.inner);
        Shared::count_call(&mut inner, &region, &action);
        if inner.faults.unreachable(&region, false) {
            return Err(DropConnection);
        }
    }
    if action != "GetCallerIdentity" {
        let message = format!("Could not find operation {action} for version 2011-06-15");
        return Ok(error(400, "InvalidAction", &message, &rid));
    }
    let mut xml = Xml::new();
    xml.open("GetCallerIdentityResult")
        .leaf("Arn", CALLER_ARN)
        .leaf("UserId", USER_ID)
        .leaf("Account", ACCOUNT)
        .close("GetCallerIdentityResult")
        .open("ResponseMetadata")
        .leaf("RequestId", &rid)
        .close("ResponseMetadata");
    let body = format!(
        "<GetCallerIdentityResponse xmlns=\"{NAMESPACE}\">{}</GetCallerIdentityResponse>",
        xml.finish()
    );
    Ok(respond(200, body, &rid))
}
