//! The Lightsail adapter at the SDK level, with `aws-smithy-mocks`: error mapping, paging, and
//! that writes are re-sent only when throttled.

use std::time::Duration;

use aws_sdk_lightsail::operation::get_export_snapshot_records::GetExportSnapshotRecordsOutput;
use aws_sdk_lightsail::types::{ExportSnapshotRecord, ExportSnapshotRecordSourceInfo, RecordState};
use aws_sdk_lightsail::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use lightsail_export::error::ApiError;
use lightsail_export::lightsail::{Lightsail, SdkLightsail};
use lightsail_export::model::ResourceType;

fn api(client: Client) -> SdkLightsail {
    SdkLightsail::new(client.clone(), client, "us-east-1")
        .with_write_backoff(Duration::from_millis(1))
}

fn error_body(kind: &str) -> Option<String> {
    Some(format!(
        r#"{{"__type":"{kind}","message":"{kind} from the mock"}}"#
    ))
}

fn record(source: &str, i: usize) -> ExportSnapshotRecord {
    ExportSnapshotRecord::builder()
        .name(format!("ExportSnapshotRecord-{i}"))
        .state(RecordState::Succeeded)
        .source_info(
            ExportSnapshotRecordSourceInfo::builder()
                .name(source)
                .build(),
        )
        .build()
}

#[tokio::test]
async fn export_records_are_read_through_every_page() {
    let page = |token: Option<&'static str>, next: Option<&'static str>, from: usize| {
        mock!(Client::get_export_snapshot_records)
            .match_requests(move |req| req.page_token() == token)
            .then_output(move || {
                GetExportSnapshotRecordsOutput::builder()
                    .set_export_snapshot_records(Some(
                        (from..from + 3).map(|i| record("snap", i)).collect(),
                    ))
                    .set_next_page_token(next.map(str::to_string))
                    .build()
            })
    };
    let rules = [
        page(None, Some("t1"), 0),
        page(Some("t1"), Some("t2"), 3),
        page(Some("t2"), Some("t3"), 6),
        page(Some("t3"), None, 9),
    ];
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, &rules);
    let records = api(client).list_export_records().await.unwrap();
    assert_eq!(records.len(), 12);
    let names: Vec<_> = records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"ExportSnapshotRecord-0"));
    assert_eq!(names.last(), Some(&"ExportSnapshotRecord-11"));
    for rule in &rules {
        assert_eq!(rule.num_calls(), 1);
    }
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_listing() {
    let rule = mock!(Client::get_export_snapshot_records).then_output(|| {
        GetExportSnapshotRecordsOutput::builder()
            .export_snapshot_records(record("snap", 0))
            .next_page_token("same")
            .build()
    });
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
    let records = api(client).list_export_records().await.unwrap();
    assert_eq!(
        records.len(),
        2,
        "first page, then the page of token `same`, whose next token repeats"
    );
}

#[tokio::test]
async fn errors_are_classified_by_code() {
    type Check = fn(&ApiError) -> bool;
    let cases: [(&str, u16, Check); 6] = [
        ("ThrottlingException", 400, |e| {
            matches!(e, ApiError::Throttled(_))
        }),
        ("NotFoundException", 400, |e| {
            matches!(e, ApiError::NotFound(_))
        }),
        ("InvalidInputException", 400, |e| {
            matches!(e, ApiError::InvalidInput(_))
        }),
        ("AccessDeniedException", 400, |e| {
            matches!(e, ApiError::AccessDenied(_))
        }),
        ("ServiceException", 500, |e| {
            matches!(e, ApiError::Transient(_))
        }),
        (
            "OperationFailureException",
            400,
            |e| matches!(e, ApiError::Other { code, .. } if code == "OperationFailureException"),
        ),
    ];
    for (kind, status, expected) in cases {
        let rule = mock!(Client::get_auto_snapshots)
            .sequence()
            .http_status(status, error_body(kind))
            .repeatedly()
            .build();
        let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
        let error = api(client).get_auto_snapshots("web-1").await.unwrap_err();
        assert!(expected(&error), "{kind}: got {error:?}");
        assert!(error.to_string().contains("from the mock"), "{error}");
    }
}

#[tokio::test]
async fn not_found_reads_are_none_not_errors() {
    let instance = mock!(Client::get_instance)
        .sequence()
        .http_status(400, error_body("NotFoundException"))
        .build();
    let snapshot = mock!(Client::get_disk_snapshot)
        .sequence()
        .http_status(400, error_body("NotFoundException"))
        .build();
    let client = mock_client!(
        aws_sdk_lightsail,
        RuleMode::MatchAny,
        [&instance, &snapshot]
    );
    let api = api(client);
    assert_eq!(api.get_instance("nope").await, Ok(None));
    let copy = api
        .get_snapshot("nope-export-2026-11-21", ResourceType::Disk)
        .await
        .unwrap();
    assert_eq!(copy.state, lightsail_export::model::SnapshotState::Missing);
}

#[tokio::test]
async fn throttled_writes_are_retried_in_place() {
    let rule = mock!(Client::export_snapshot)
        .sequence()
        .http_status(400, error_body("ThrottlingException"))
        .times(2)
        .output(|| {
            aws_sdk_lightsail::operation::export_snapshot::ExportSnapshotOutput::builder().build()
        })
        .build();
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
    api(client)
        .export_snapshot("web-1-export-2026-11-21")
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn a_write_that_may_have_been_applied_is_never_resent() {
    let rule = mock!(Client::export_snapshot)
        .sequence()
        .http_status(500, error_body("ServiceException"))
        .output(|| {
            aws_sdk_lightsail::operation::export_snapshot::ExportSnapshotOutput::builder().build()
        })
        .build();
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule]);
    let error = api(client)
        .export_snapshot("web-1-export-2026-11-21")
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Transient(_)), "{error:?}");
    assert_eq!(
        rule.num_calls(),
        1,
        "ExportSnapshot must not be re-sent after a 5xx"
    );
}

#[tokio::test]
async fn throttling_that_never_ends_gives_up() {
    let rule = mock!(Client::copy_snapshot)
        .sequence()
        .http_status(400, error_body("ThrottlingException"))
        .repeatedly()
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
    assert!(matches!(error, ApiError::Throttled(_)));
    assert_eq!(
        rule.num_calls(),
        lightsail_export::lightsail::WRITE_ATTEMPTS as usize
    );
}
