//! What one invocation was asked to do, from any of the three event forms of the contract:
//! a plain request, an EventBridge envelope whose `detail` is the request, or the function's own
//! previous output (a Step Functions loop feeds it back).

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::{Phase, ResourceType};
use crate::report::{AutoSnapshotToday, ExportRecordReport};

/// A target carried over from the previous output: it stays on the date it started on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousTarget {
    pub resource: String,
    #[serde(default)]
    pub resource_type: Option<ResourceType>,
    #[serde(default)]
    pub auto_snapshot_date: Option<String>,
    #[serde(default)]
    pub phase: Option<Phase>,
    /// RFC 3339: since when the target waits on an automatic snapshot.
    #[serde(default)]
    pub waiting_since: Option<String>,
    /// The export record shown last round: an EXPORTED target stays so, even if Lightsail
    /// forgets the record once the copy is deleted (a guess the emulator can play).
    #[serde(default)]
    pub export_record: Option<ExportRecordReport>,
    #[serde(default)]
    pub auto_snapshot_today: Option<AutoSnapshotToday>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub targets: Option<Vec<String>>,
    pub target_tag: Option<String>,
    pub restore_date: Option<String>,
    pub dry_run: Option<bool>,
    /// Set when the event was a previous output: its targets, in order.
    pub previous: Option<Vec<PreviousTarget>>,
}

/// `targets` may be a list of names or one comma-separated string (handier in a schedule's input).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "`targets` must be a list of names or one comma-separated string"
)]
enum Names {
    List(Vec<String>),
    Text(String),
}

/// The plain request. Unknown fields are refused: a misspelt `target` must not silently export
/// the environment's default targets instead.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlainRequest {
    targets: Option<Names>,
    target_tag: Option<String>,
    restore_date: Option<String>,
    dry_run: Option<bool>,
}

/// The previous output. Its other members (status, summary, …) are ignored, so an output of a
/// newer version of the function is still understood.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviousOutput {
    targets: Vec<PreviousTarget>,
    #[serde(default)]
    restore_date: Option<String>,
    #[serde(default)]
    dry_run: Option<bool>,
}

fn invalid(what: &str, error: serde_json::Error) -> Error {
    Error::InvalidInput(format!("{what}: {error}"))
}

fn is_previous_output(object: &serde_json::Map<String, Value>) -> bool {
    object.contains_key("status")
        && matches!(object.get("targets"), Some(Value::Array(items)) if items.iter().all(Value::is_object))
}

impl Request {
    /// Reads any of the three forms. `null` and `{}` are an empty request (the environment decides).
    pub fn parse(event: Value) -> Result<Request, Error> {
        match event {
            Value::Null => Ok(Request::default()),
            Value::Object(object) if object.contains_key("detail-type") => {
                let envelope: EventBridgeEvent<Value> =
                    serde_json::from_value(Value::Object(object))
                        .map_err(|e| invalid("EventBridge event", e))?;
                match envelope.detail {
                    Value::Null => Ok(Request::default()),
                    Value::Object(detail) if is_previous_output(&detail) => {
                        Request::from_previous(Value::Object(detail))
                    }
                    Value::Object(detail) if !detail.contains_key("detail-type") => {
                        Request::from_plain(Value::Object(detail))
                    }
                    other => Err(Error::InvalidInput(format!(
                        "EventBridge event: `detail` must be a request object, got {}",
                        kind(&other)
                    ))),
                }
            }
            Value::Object(object) if is_previous_output(&object) => {
                Request::from_previous(Value::Object(object))
            }
            Value::Object(object) => Request::from_plain(Value::Object(object)),
            other => Err(Error::InvalidInput(format!(
                "the input must be a JSON object, got {}",
                kind(&other)
            ))),
        }
    }

    fn from_plain(value: Value) -> Result<Request, Error> {
        let plain: PlainRequest = serde_json::from_value(value).map_err(|e| invalid("input", e))?;
        Ok(Request {
            targets: plain.targets.map(|names| match names {
                Names::List(list) => list,
                Names::Text(text) => super::config::split_names(&text),
            }),
            target_tag: plain.target_tag,
            restore_date: plain.restore_date,
            dry_run: plain.dry_run,
            previous: None,
        })
    }

    fn from_previous(value: Value) -> Result<Request, Error> {
        let previous: PreviousOutput =
            serde_json::from_value(value).map_err(|e| invalid("previous output", e))?;
        Ok(Request {
            targets: Some(
                previous
                    .targets
                    .iter()
                    .map(|t| t.resource.clone())
                    .collect(),
            ),
            target_tag: None,
            restore_date: previous.restore_date,
            dry_run: previous.dry_run,
            previous: Some(previous.targets),
        })
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_requests() {
        let request = Request::parse(json!({
            "targets": ["web-1", "data-disk"], "targetTag": "export=nightly",
            "restoreDate": "2026-11-20", "dryRun": true
        }))
        .unwrap();
        assert_eq!(
            request.targets,
            Some(vec!["web-1".into(), "data-disk".into()])
        );
        assert_eq!(request.target_tag.as_deref(), Some("export=nightly"));
        assert_eq!(request.restore_date.as_deref(), Some("2026-11-20"));
        assert_eq!(request.dry_run, Some(true));
        assert_eq!(request.previous, None);

        let text = Request::parse(json!({"targets": "web-1, web-2"})).unwrap();
        assert_eq!(text.targets, Some(vec!["web-1".into(), "web-2".into()]));
        assert_eq!(Request::parse(json!({})).unwrap(), Request::default());
        assert_eq!(Request::parse(Value::Null).unwrap(), Request::default());
    }

    #[test]
    fn eventbridge_envelopes() {
        let scheduled = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-22T06:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/nightly"], "detail": {}
        });
        assert_eq!(Request::parse(scheduled).unwrap(), Request::default());

        let custom = json!({
            "detail-type": "Export", "source": "ops", "detail": {"targets": ["web-1"], "dryRun": true}
        });
        let request = Request::parse(custom).unwrap();
        assert_eq!(request.targets, Some(vec!["web-1".into()]));
        assert_eq!(request.dry_run, Some(true));
    }

    #[test]
    fn previous_output() {
        let previous = json!({
            "status": "IN_PROGRESS", "nextCheckSeconds": 300,
            "summary": {"total": 2, "exported": 1, "inProgress": 1, "failed": 0},
            "restoreDate": "2026-11-20", "dryRun": false,
            "targets": [
                {"resource": "web-1", "resourceType": "Instance", "autoSnapshotDate": "2026-11-20",
                 "snapshotName": "web-1-export-2026-11-20", "phase": "EXPORTED", "actions": [],
                 "exportRecord": null, "error": null},
                {"resource": "data-disk", "resourceType": null, "autoSnapshotDate": null,
                 "snapshotName": null, "phase": "COPYING", "actions": [], "exportRecord": null,
                 "error": {"type": "Retryable", "message": "throttled"}}
            ]
        });
        let request = Request::parse(previous).unwrap();
        assert_eq!(
            request.targets,
            Some(vec!["web-1".into(), "data-disk".into()])
        );
        assert_eq!(request.restore_date.as_deref(), Some("2026-11-20"));
        let pins = request.previous.unwrap();
        assert_eq!(pins[0].auto_snapshot_date.as_deref(), Some("2026-11-20"));
        assert_eq!(pins[0].resource_type, Some(ResourceType::Instance));
        assert_eq!(pins[1].auto_snapshot_date, None);
    }

    #[test]
    fn bad_input_is_invalid_input() {
        let cases = [
            json!([1, 2]),
            json!("web-1"),
            json!(42),
            json!({"targets": [1, 2]}),
            json!({"targets": "web-1", "dryRun": "yes"}),
            json!({"target": ["web-1"]}),
            json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": "x"}),
            json!({"detail-type": "Scheduled Event", "detail": {}}),
            json!({"status": "IN_PROGRESS", "targets": [{"phase": "COPYING"}]}),
        ];
        for case in cases {
            let error = Request::parse(case.clone()).unwrap_err();
            assert_eq!(error.error_type(), "InvalidInput", "{case}");
        }
        let unknown = Request::parse(json!({"target": ["web-1"]})).unwrap_err();
        assert!(
            unknown.to_string().contains("unknown field `target`"),
            "{unknown}"
        );
    }
}
