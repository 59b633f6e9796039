//! Fuzzing the input side: arbitrary JSON events through `Invocation::parse` and `Plan::new`, and
//! arbitrary strings through the name, date, tag, format and configuration checks. Nothing may
//! panic; every refusal is a whole-invocation error with a contract name; whatever is accepted
//! is valid. Deterministic (fixed seed); `PROPTEST_CASES` multiplies nothing, it replaces the
//! per-test number of cases.

use lightsail_export::input::names;
use lightsail_export::input::plan::{Plan, MAX_TARGETS};
use lightsail_export::input::request::Invocation;
use lightsail_export::model::Date;
use lightsail_export::model::ResourceType;
use lightsail_export::model::TagFilter;
use lightsail_export::Config;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    TestRunner::new_with_rng(
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]),
    )
}

/// Strings with the characters that matter: ASCII, separators, dots, digits, unicode, control.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[a-z0-9._ -]{0,30}",
        "[0-9-]{0,12}",
        "[a-zA-Z0-9_{}=,.-]{0,60}",
        Just(String::new()),
        Just("{resource}-{date}".to_string()),
        (0usize..600).prop_map(|n| "a".repeat(n)),
    ]
}

/// Any JSON value, up to a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Object keys: mostly the ones the contract knows, so the interesting paths are reached.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "targets", "targetTag", "restoreDate", "dryRun", "detail-type", "detail", "status",
            "resource", "resourceType", "autoSnapshotDate", "phase", "source", "version", "id",
            "time", "region", "account", "resources", "summary", "nextCheckSeconds",
        ])
        .prop_map(str::to_string),
        1 => text(),
    ]
}

/// Events shaped like the three forms of the contract, with random members.
fn shaped_event() -> impl Strategy<Value = Value> {
    let plain = prop::collection::btree_map(key(), json_value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()));
    let targets = prop_oneof![
        prop::collection::vec(text().prop_map(Value::String), 0..6).prop_map(Value::Array),
        text().prop_map(Value::String),
        json_value(),
    ];
    let request = (
        prop::option::of(targets),
        prop::option::of(text()),
        prop::option::of(prop_oneof![text(), "[0-9]{4}-[0-9]{2}-[0-9]{2}"]),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(targets, tag, date, dry)| {
            let mut m = Map::new();
            if let Some(t) = targets {
                m.insert("targets".into(), t);
            }
            if let Some(t) = tag {
                m.insert("targetTag".into(), Value::String(t));
            }
            if let Some(d) = date {
                m.insert("restoreDate".into(), Value::String(d));
            }
            if let Some(d) = dry {
                m.insert("dryRun".into(), Value::Bool(d));
            }
            Value::Object(m)
        })
        .boxed();
    let previous_target = (
        text(),
        prop::option::of(prop::sample::select(vec!["Instance", "Disk", "Bucket"])),
        prop::option::of(prop_oneof![text(), "20[0-9]{2}-[01][0-9]-[0-3][0-9]"]),
        prop::option::of(prop::sample::select(vec![
            "COPYING", "EXPORTING", "EXPORTED", "FAILED", "LOST",
        ])),
    )
        .prop_map(|(resource, kind, date, phase)| {
            json!({"resource": resource, "resourceType": kind, "autoSnapshotDate": date, "phase": phase})
        });
    let previous = (
        prop::collection::vec(previous_target, 0..5),
        prop::option::of(text()),
        json_value(),
    )
        .prop_map(|(targets, date, extra)| {
            json!({"status": "IN_PROGRESS", "targets": targets, "restoreDate": date, "extra": extra})
        })
        .boxed();
    let envelope = (
        prop_oneof![request.clone(), previous.clone(), json_value()],
        text(),
    )
        .prop_map(|(detail, kind)| {
            json!({"version": "0", "id": "x", "detail-type": kind, "source": "aws.events",
                   "account": "123456789012", "time": "2026-11-22T06:00:00Z",
                   "region": "us-east-1", "resources": [], "detail": detail})
        });
    prop_oneof![plain, request, previous, envelope, json_value()]
}

static TRIED: AtomicUsize = AtomicUsize::new(0);

/// The parser and the planner on one event: no panic, refusals by contract name, accepted plans
/// valid.
fn check_event(event: Value) {
    TRIED.fetch_add(1, Ordering::Relaxed);
    let configs = [
        Config::default(),
        Config {
            targets: vec!["web-1".into()],
            ..Config::default()
        },
    ];
    let request = match Invocation::parse(event.clone()).map(Invocation::into_request) {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(error) => {
            assert_eq!(error.error_type(), "InvalidInput", "{event}: {error}");
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    for config in &configs {
        match Plan::new(
            config,
            request.clone(),
            lightsail_export::model::Timestamp::UNIX_EPOCH,
        ) {
            Ok(plan) => {
                assert!(plan.targets.len() <= MAX_TARGETS);
                assert!(!plan.targets.is_empty() || plan.tag.is_some(), "{event}");
                let mut seen = std::collections::HashSet::new();
                assert!(plan.targets.iter().all(|t| seen.insert(t.name.clone())));
                if let Some(date) = &plan.restore_date {
                    assert!(Date::parse(&date.to_string()).is_ok());
                }
                for t in &plan.targets {
                    if let Some(date) = &t.pinned_date {
                        assert!(Date::parse(&date.to_string()).is_ok());
                    }
                }
            }
            Err(error) => {
                assert!(
                    matches!(error.error_type(), "InvalidInput" | "NoTargets"),
                    "{event}: {error:?}"
                );
                assert!(!error.to_string().is_empty());
            }
        }
    }
}

#[test]
fn arbitrary_json_events_never_panic_the_parser_or_the_planner() {
    runner(6000)
        .run(&json_value(), |event| {
            check_event(event);
            Ok(())
        })
        .unwrap();
    runner(6000)
        .run(&shaped_event(), |event| {
            check_event(event);
            Ok(())
        })
        .unwrap();
    println!(
        "FIGURES fuzz events: {} JSON events through Invocation::parse + Plan::new, 0 panics",
        TRIED.load(Ordering::Relaxed)
    );
}

#[test]
fn arbitrary_strings_never_panic_the_checks_and_accepted_names_are_valid() {
    let strategy = (
        text(),
        text(),
        text(),
        prop_oneof![text(), Just(names::DEFAULT_FORMAT.to_string())],
        prop::sample::select(vec![ResourceType::Instance, ResourceType::Disk]),
    );
    let tried = AtomicUsize::new(0);
    runner(20000)
        .run(&strategy, |(name, date, tag, format, kind)| {
            let name_ok = names::validate_resource_name(&name).is_ok();
            let date_ok = Date::parse(&date).is_ok();
            if date_ok {
                prop_assert!(date.len() == 10 && date.as_bytes()[4] == b'-');
            }
            let _ = TagFilter::parse(&tag);
            let format_ok = names::validate_format(&format).is_ok();
            if name_ok && format_ok {
                let date = Date::parse(&date)
                    .or_else(|_| Date::parse("2026-11-21"))
                    .expect("a date");
                if let Ok(copy) = names::copy_name(&format, &name, kind, date) {
                    prop_assert!(names::validate_snapshot_name(&copy).is_ok());
                    prop_assert!(copy.len() <= names::MAX_NAME_LEN);
                    prop_assert_eq!(
                        Ok(copy),
                        names::copy_name(&format, &name, kind, date),
                        "deterministic"
                    );
                }
            }
            let env = [
                ("TARGETS", name.clone()),
                ("TARGET_TAG", tag.clone()),
                ("SNAPSHOT_NAME_FORMAT", format.clone()),
                ("MAX_EXPORT_ATTEMPTS", date.clone()),
                ("CONCURRENCY", tag.clone()),
                ("DRY_RUN", name.clone()),
                ("NEXT_CHECK_SECONDS", date.clone()),
            ];
            for (key, value) in &env {
                let result = Config::from_lookup(|k| (k == *key).then(|| value.clone()));
                if let Err(error) = result {
                    prop_assert_eq!(error.error_type(), "InvalidConfiguration");
                }
            }
            tried.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    let tried = tried.load(Ordering::Relaxed);
    println!("FIGURES fuzz strings: {tried} x (name, date, tag, format, 7 variables), 0 panics");
}
