//! The admin API under `/_emulator/`: inspect and steer the emulator. Never faulted.

use std::collections::BTreeMap;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::Faults;
use crate::http::HttpResponse;
use crate::scenario::ec2::Ec2Policy;
use crate::scenario::Scenario;
use crate::state::Shared;
use crate::switches::CATALOG;

const MAX_BODY: usize = 64 << 20;

fn reply(status: StatusCode, body: Value) -> HttpResponse {
    let mut res = Response::new(Full::new(Bytes::from(body.to_string())));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn ok(body: Value) -> HttpResponse {
    reply(StatusCode::OK, body)
}

fn bad(message: impl std::fmt::Display) -> HttpResponse {
    reply(
        StatusCode::BAD_REQUEST,
        json!({ "error": message.to_string() }),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockChange {
    advance_seconds: Option<f64>,
    speed: Option<f64>,
}

pub async fn handle(state: &Shared, req: Request<Incoming>) -> HttpResponse {
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return bad(format!("could not read the body: {e}")),
    };
    let text = String::from_utf8_lossy(&body);
    match (method, path.as_str()) {
        (Method::GET, "/_emulator/health") => ok(json!({ "ok": true })),
        (Method::GET, "/_emulator/calls") => ok(json!(state.call_counts())),
        (Method::GET, "/_emulator/writes") => ok(json!(state.writes())),
        (Method::GET, "/_emulator/clock") => clock(state),
        (Method::POST, "/_emulator/clock") => set_clock(state, &text),
        (Method::GET, "/_emulator/faults") => ok(json!(state.faults())),
        (Method::PUT | Method::POST, "/_emulator/faults") => set_faults(state, &text),
        (Method::GET, "/_emulator/switches") => switches(state),
        (Method::PUT | Method::POST, "/_emulator/switches") => set_switches(state, &text),
        (Method::GET, "/_emulator/switches/catalog") => ok(json!(CATALOG)),
        (Method::GET, "/_emulator/ec2") => ec2(state),
        (Method::GET, "/_emulator/ec2/policy") => ok(json!(state.ec2_policy())),
        (Method::PUT | Method::POST, "/_emulator/ec2/policy") => set_ec2_policy(state, &text),
        (Method::POST, "/_emulator/reset") => {
            state.reset();
            ok(json!({ "ok": true }))
        }
        (Method::POST, "/_emulator/scenario") => {
            match Scenario::from_str(&text).and_then(|s| state.try_load(s)) {
                Ok(()) => ok(json!({ "ok": true })),
                Err(e) => bad(e),
            }
        }
        (m, p) => reply(
            StatusCode::NOT_FOUND,
            json!({ "error": format!("no admin route {m} {p}") }),
        ),
    }
}

fn set_clock(state: &Shared, text: &str) -> HttpResponse {
    let change = match serde_json::from_str::<ClockChange>(text) {
        Ok(change) => change,
        Err(e) => return bad(e),
    };
    if let Some(s) = change.advance_seconds {
        if !(s.is_finite() && s >= 0.0) {
            return bad("advanceSeconds must be a non-negative number");
        }
        state.advance(s);
    }
    if let Some(s) = change.speed {
        if !(s.is_finite() && s >= 0.0) {
            return bad("speed must be a non-negative number");
        }
        state.set_speed(s);
    }
    clock(state)
}

fn set_faults(state: &Shared, text: &str) -> HttpResponse {
    match serde_json::from_str::<Faults>(text) {
        Ok(f) => {
            state.set_faults(f);
            ok(json!(state.faults()))
        }
        Err(e) => bad(e),
    }
}

/// A partial object merged over the switches in force (an empty body changes nothing).
fn set_switches(state: &Shared, text: &str) -> HttpResponse {
    let parsed = if text.trim().is_empty() {
        Ok(Value::Null)
    } else {
        serde_json::from_str::<Value>(text)
    };
    match parsed {
        Ok(v) => match state.merge_switches(v) {
            Ok(_) => switches(state),
            Err(e) => bad(e),
        },
        Err(e) => bad(format!("not JSON: {e}")),
    }
}

fn set_ec2_policy(state: &Shared, text: &str) -> HttpResponse {
    match serde_json::from_str::<Ec2Policy>(text) {
        Ok(p) => {
            state.set_ec2_policy(p);
            ok(json!(state.ec2_policy()))
        }
        Err(e) => bad(e),
    }
}

/// Every switch with its value in force; `pageSize` is the effective one.
fn switches(state: &Shared) -> HttpResponse {
    let mut v = json!(state.switches());
    if let Value::Object(m) = &mut v {
        m.insert("pageSize".into(), json!(state.page_size()));
    }
    ok(v)
}

/// `{"policy": {...}, "regions": {"us-east-1": {"images": [...], "snapshots": [...],
/// "instances": [...], "volumes": [...], "securityGroups": [...]}}}`.
fn ec2(state: &Shared) -> HttpResponse {
    let mut regions: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    let mut add = |region: &str, key: &str, item: Value| {
        let r = regions.entry(region.to_string()).or_insert_with(|| {
            [
                "images",
                "snapshots",
                "instances",
                "volumes",
                "securityGroups",
            ]
            .iter()
            .map(|k| (k.to_string(), json!([])))
            .collect()
        });
        if let Some(Value::Array(list)) = r.get_mut(key) {
            list.push(item);
        }
    };
    for i in state.ec2_images() {
        add(&i.region, "images", json!(i));
    }
    for s in state.ec2_snapshots() {
        add(&s.region, "snapshots", json!(s));
    }
    for i in state.ec2_instances() {
        add(&i.region, "instances", json!(i));
    }
    for v in state.ec2_volumes() {
        add(&v.region, "volumes", json!(v));
    }
    for g in state.ec2_security_groups() {
        add(&g.region, "securityGroups", json!(g));
    }
    ok(json!({ "policy": state.ec2_policy(), "regions": regions }))
}

fn clock(state: &Shared) -> HttpResponse {
    ok(json!({ "now": state.now(), "speed": state.speed() }))
}
