//! Lightsail's two error envelopes, at the SDK level with `aws-smithy-mocks`: every error class
//! the function handles is recognised whether the response names the exception in a header
//! (`X-Amzn-ErrorType`) or only in the body's `__type` beside Lightsail's own `code`, which is
//! what real Lightsail sends (docs/evidence.md, "Error envelope").

use std::time::Duration;

use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::error::ProvideErrorMetadata;
use aws_sdk_lightsail::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_types::body::SdkBody;
use lightsail_export::error::ApiError;
use lightsail_export::lightsail::{Lightsail, SdkLightsail};
use lightsail_export::model::ResourceType;

fn api(client: Client) -> SdkLightsail {
    SdkLightsail::new(client.clone(), client, "us-east-1")
        .with_write_backoff(Duration::from_millis(1))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Envelope {
    /// What real Lightsail sends: `__type`, `code`, `docs`, `message`, `tip`; no header.
    Code,
    /// `__type` and `message`, and the exception named again in `X-Amzn-ErrorType`.
    Header,
}

/// An error response of `exception` (with Lightsail's `code` in the body in `Code` form).
fn response(envelope: Envelope, status: u16, exception: &str, code: Option<&str>) -> HttpResponse {
    let message = format!("{exception} from the mock");
    let body = match (envelope, code) {
        (Envelope::Code, Some(code)) => serde_json::json!({
            "__type": exception, "code": code, "message": message,
            "docs": "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/",
            "tip": "Check the name and try again."
        }),
        _ => serde_json::json!({"__type": exception, "message": message}),
    };
    let mut response = HttpResponse::new(
        status.try_into().expect("status"),
        SdkBody::from(body.to_string()),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    if envelope == Envelope::Header {
        response
            .headers_mut()
            .insert("x-amzn-errortype", exception.to_string());
    }
    response
}

type Check = fn(&ApiError) -> bool;

/// (exception, Lightsail's code, HTTP status, what the function must make of it)
const CLASSES: &[(&str, Option<&str>, u16, Check)] = &[
    ("NotFoundException", Some("DoesNotExist"), 400, |e| {
        matches!(e, ApiError::NotFound(_))
    }),
    ("InvalidInputException", Some("NameExists"), 400, |e| {
        // In the header form nothing says "name", only "invalid input".
        matches!(e, ApiError::NameInUse(_) | ApiError::InvalidInput(_))
    }),
    ("InvalidInputException", Some("InvalidInput"), 400, |e| {
        matches!(e, ApiError::InvalidInput(_))
    }),
    (
        "OperationFailureException",
        Some("OperationFailure"),
        400,
        |e| e.is_operation_failure(),
    ),
    ("AccessDeniedException", Some("AccessDenied"), 400, |e| {
        matches!(e, ApiError::AccessDenied(_))
    }),
    (
        "UnauthenticatedException",
        Some("Unauthenticated"),
        400,
        |e| matches!(e, ApiError::AccessDenied(_)),
    ),
    ("ThrottlingException", None, 400, |e| {
        matches!(e, ApiError::Throttled(_))
    }),
    ("ServiceException", Some("InternalError"), 500, |e| {
        matches!(e, ApiError::Transient(_))
    }),
    (
        "BrandNewException",
        Some("BrandNewCode"),
        400,
        |e| matches!(e, ApiError::Other { code, .. } if code == "BrandNewException"),
    ),
];

#[tokio::test]
async fn every_error_class_is_recognised_in_both_envelopes() {
    for envelope in [Envelope::Code, Envelope::Header] {
        for (exception, code, status, expected) in CLASSES {
            let (exception, code, status) = (*exception, *code, *status);
            let rule = mock!(Client::get_auto_snapshots)
                .sequence()
                .http_response(move || response(envelope, status, exception, code))
                .repeatedly()
                .build();
            let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
            let error = api(client).get_auto_snapshots("web-1").await.unwrap_err();
            assert!(expected(&error), "{envelope:?} {exception}: got {error:?}");
            assert!(error.to_string().contains("from the mock"), "{error}");
        }
    }
}

#[tokio::test]
async fn name_in_use_is_told_apart_from_other_invalid_input_by_lightsails_code() {
    let rule = mock!(Client::copy_snapshot)
        .sequence()
        .http_response(|| {
            response(
                Envelope::Code,
                400,
                "InvalidInputException",
                Some("NameExists"),
            )
        })
        .build();
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
    let error = api(client)
        .copy_snapshot(
            "web-1",
            lightsail_export::model::Date::parse("2026-11-21").unwrap(),
            "web-1-export-2026-11-21",
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::NameInUse(_)), "{error:?}");
}

/// The defect this fixes: with the real envelope the SDK reports Lightsail's `code`, not the
/// exception, so a missing instance was an unknown `DoesNotExist` error instead of "no such
/// instance", and every disk target failed on its GetInstance.
#[tokio::test]
async fn a_missing_instance_or_copy_is_none_in_both_envelopes() {
    for envelope in [Envelope::Code, Envelope::Header] {
        let instance = mock!(Client::get_instance)
            .sequence()
            .http_response(move || {
                response(envelope, 400, "NotFoundException", Some("DoesNotExist"))
            })
            .build();
        let disk_snapshot = mock!(Client::get_disk_snapshot)
            .sequence()
            .http_response(move || {
                response(envelope, 400, "NotFoundException", Some("DoesNotExist"))
            })
            .build();
        let client = mock_client!(
            aws_sdk_lightsail,
            RuleMode::MatchAny,
            [&instance, &disk_snapshot]
        );
        let api = api(client);
        assert_eq!(
            api.get_instance("data-disk").await,
            Ok(None),
            "{envelope:?}"
        );
        let copy = api
            .get_snapshot("nope-export-2026-11-21", ResourceType::Disk)
            .await
            .unwrap();
        assert_eq!(copy.state, lightsail_export::model::SnapshotState::Missing);
    }
}

#[tokio::test]
async fn the_sdk_itself_reports_lightsails_code_in_the_real_envelope() {
    // Why the function reads the raw response: the SDK lets `code` win over `__type`.
    let rule = mock!(Client::get_instance)
        .sequence()
        .http_response(|| {
            response(
                Envelope::Code,
                400,
                "NotFoundException",
                Some("DoesNotExist"),
            )
        })
        .build();
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
    let error = client
        .get_instance()
        .instance_name("data-disk")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("DoesNotExist"));
    assert!(!error
        .as_service_error()
        .is_some_and(|e| e.is_not_found_exception()));
}

#[tokio::test]
async fn a_throttled_write_is_resent_in_both_envelopes_and_a_5xx_never() {
    for envelope in [Envelope::Code, Envelope::Header] {
        let throttled = mock!(Client::export_snapshot)
            .sequence()
            .http_response(move || response(envelope, 400, "ThrottlingException", None))
            .times(2)
            .output(|| {
                aws_sdk_lightsail::operation::export_snapshot::ExportSnapshotOutput::builder()
                    .build()
            })
            .build();
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&throttled]);
        api(client)
            .export_snapshot("web-1-export-2026-11-21")
            .await
            .unwrap();
        assert_eq!(throttled.num_calls(), 3, "{envelope:?}");

        let failed = mock!(Client::export_snapshot)
            .sequence()
            .http_response(move || {
                response(envelope, 500, "ServiceException", Some("InternalError"))
            })
            .output(|| {
                aws_sdk_lightsail::operation::export_snapshot::ExportSnapshotOutput::builder()
                    .build()
            })
            .build();
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&failed]);
        let error = api(client)
            .export_snapshot("web-1-export-2026-11-21")
            .await
            .unwrap_err();
        assert!(matches!(error, ApiError::Transient(_)), "{error:?}");
        assert_eq!(
            failed.num_calls(),
            1,
            "{envelope:?}: never re-sent after a 5xx"
        );
    }
}
