//! The doctor's judgement, by table: each check, the schedule window, and what each read shows
//! of an emulator switch. The file is longer than 400 lines because rustfmt lays each table row
//! out over several lines, and the tables are the tests.

use serde_json::json;

use super::schedule::{check_window, DailyTime, Schedule};
use super::*;
use crate::decide::keep::{KeepRules, Span};
use crate::model::doctor::{
    AddOnShape, Caller, Decision, Ec2Counts, ErrorIdentity, Guess, Page, SeenRecord, SeenResource,
    Simulation,
};
use crate::model::time::test_util::{at, day};
use crate::model::{AutoSnapshot, TagFilter};

fn resource(name: &str, tags: &[(&str, Option<&str>)], add_on: Option<bool>) -> Resource {
    Resource {
        name: name.into(),
        resource_type: ResourceType::Instance,
        blueprint_id: "ubuntu_22_04".into(),
        blueprint_name: "Ubuntu".into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect(),
        auto_snapshots_enabled: add_on,
        snapshot_time_of_day: add_on.map(|_| "06:00".into()),
        ram_mib: None,
    }
}

fn seen(resource: Resource, add_on: AddOnShape) -> SeenResource {
    SeenResource { resource, add_on }
}

fn snapshots(dates: &[&str]) -> Vec<AutoSnapshot> {
    dates
        .iter()
        .map(|d| AutoSnapshot {
            date: day(d),
            status: AutoSnapshotStatus::Success,
        })
        .collect()
}

fn record(created: f64, state: &str, destination: bool, source: &str) -> SeenRecord {
    SeenRecord {
        created_at: Some(at(created)),
        state: state.into(),
        has_destination_info: destination,
        source_name: source.into(),
    }
}

/// A healthy account: one tagged instance with two automatic snapshots, and nothing else.
fn healthy() -> Facts {
    let web = resource("web-1", &[("export", Some("nightly"))], Some(true));
    Facts {
        region: "us-east-1".into(),
        source_region: "us-east-1".into(),
        now: Some(at(1_764_000_000.0)),
        caller: Read::Done(Caller {
            account: "123456789012".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/r/s".into(),
        }),
        resources: Read::Done(vec![seen(web, AddOnShape::Status("Enabled".into()))]),
        auto_snapshots: vec![(
            "web-1".into(),
            Read::Done(snapshots(&["2026-11-20", "2026-11-19"])),
        )],
        error_probe: Read::Done(ErrorIdentity {
            header: None,
            type_name: Some("NotFoundException".into()),
            code: Some("DoesNotExist".into()),
            status: Some(400),
        }),
        records: Read::Done(Vec::new()),
        manual_snapshots: Read::Done(Vec::new()),
        pages: Vec::new(),
        ec2: Read::Done(Ec2Counts {
            images: 0,
            snapshots: 0,
        }),
        service_linked_role: Read::Done(true),
        permissions: Read::Done(Simulation {
            source: "arn:aws:iam::123456789012:role/fn".into(),
            decisions: [
                "lightsail:CopySnapshot",
                "ec2:DescribeImages",
                "iam:CreateServiceLinkedRole",
            ]
            .iter()
            .map(|a| allowed(a, "allowed"))
            .collect(),
        }),
        invalid_configuration: None,
    }
}

fn allowed(action: &str, decision: &str) -> Decision {
    Decision {
        action: action.into(),
        decision: decision.into(),
        missing_context: Vec::new(),
    }
}

/// The healthy account's simulation with `action` decided `decision`.
fn decided(facts: &mut Facts, action: &str, decision: &str) {
    if let Read::Done(simulation) = &mut facts.permissions {
        for d in &mut simulation.decisions {
            if d.action == action {
                d.decision = decision.into();
            }
        }
    }
}

fn tagged() -> Config {
    Config {
        target_tag: TagFilter::parse("export=nightly").ok(),
        schedule_expression: Some("cron(0 7 * * ? *)".into()),
        ..Config::default()
    }
}

fn line<'a>(report: &'a Report, check: &str, subject: Option<&str>) -> &'a Check {
    report
        .checks
        .iter()
        .find(|c| c.check == check && c.subject.as_deref() == subject)
        .unwrap_or_else(|| panic!("no {check} {subject:?} line in {:#?}", report.checks))
}

fn guess<'a>(report: &'a Report, switch: &str) -> &'a Guess {
    report.guesses.iter().find(|g| g.switch == switch).unwrap()
}

#[test]
fn a_healthy_account_is_ok_line_by_line() {
    let report = report(&healthy(), &tagged());
    assert_eq!(report.status, CheckStatus::Ok, "{:#?}", report.checks);
    assert_eq!(report.account.as_deref(), Some("123456789012"));
    for (check, subject) in [
        ("credentials", None),
        ("targets", None),
        ("autoSnapshots", Some("web-1")),
        ("schedule", Some("web-1")),
        ("exportRecords", None),
        ("quota", Some("AMIs")),
        ("quota", Some("EBS snapshots")),
        ("serviceLinkedRole", None),
        ("permissions", None),
    ] {
        assert_eq!(
            line(&report, check, subject).status,
            CheckStatus::Ok,
            "{check} {subject:?}"
        );
    }
    assert_eq!(
        line(&report, "quota", Some("Lightsail manual snapshots")).status,
        CheckStatus::Info
    );
}

/// Each way an account is not ready: the line it makes, its status, and words of its fix.
// longer than 80 lines because it is one table, a row per case.
#[test]
fn each_problem_has_its_line_and_its_fix() {
    type Change = fn(&mut Facts, &mut Config);
    /// A name, the change, the line's check and subject, its status, words of its fix.
    type Case = (
        &'static str,
        Change,
        &'static str,
        Option<&'static str>,
        CheckStatus,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "no credentials",
            |f, _| f.caller = Read::Failed("ExpiredToken".into()),
            "credentials",
            None,
            CheckStatus::Fail,
            "AWS_PROFILE",
        ),
        (
            "no selection",
            |_, c| c.target_tag = None,
            "targets",
            None,
            CheckStatus::Fail,
            "TARGET_TAG",
        ),
        (
            "nothing tagged",
            |_, c| c.target_tag = TagFilter::parse("backup").ok(),
            "targets",
            None,
            CheckStatus::Warn,
            "tag-resource --resource-name NAME --tags key=backup",
        ),
        (
            "a named target missing",
            |_, c| c.targets = vec!["gone".into()],
            "targets",
            Some("gone"),
            CheckStatus::Fail,
            "SOURCE_REGION",
        ),
        (
            "listing refused",
            |f, _| f.resources = Read::Failed("access denied".into()),
            "targets",
            None,
            CheckStatus::Fail,
            "lightsail:GetInstances",
        ),
        (
            "add-on off",
            |f, _| {
                if let Read::Done(seen) = &mut f.resources {
                    seen[0].resource.auto_snapshots_enabled = Some(false);
                }
            },
            "autoSnapshots",
            Some("web-1"),
            CheckStatus::Fail,
            "enable-add-on --resource-name web-1",
        ),
        (
            "no restorable snapshot yet",
            |f, _| f.auto_snapshots[0].1 = Read::Done(Vec::new()),
            "autoSnapshots",
            Some("web-1"),
            CheckStatus::Warn,
            "wait for the first",
        ),
        (
            "auto snapshots refused",
            |f, _| f.auto_snapshots[0].1 = Read::Failed("denied".into()),
            "autoSnapshots",
            Some("web-1"),
            CheckStatus::Fail,
            "lightsail:GetAutoSnapshots",
        ),
        (
            "blueprint not exportable",
            |f, _| {
                if let Read::Done(seen) = &mut f.resources {
                    seen[0].resource.blueprint_id = "cpanel_whm_linux".into();
                }
            },
            "blueprint",
            Some("web-1"),
            CheckStatus::Fail,
            "leave it out",
        ),
        (
            "schedule too early",
            |_, c| c.schedule_expression = Some("cron(30 6 * * ? *)".into()),
            "schedule",
            Some("web-1"),
            CheckStatus::Warn,
            "cron(0 7 * * ? *) or later",
        ),
        (
            "records refused",
            |f, _| f.records = Read::Failed("denied".into()),
            "exportRecords",
            None,
            CheckStatus::Fail,
            "GetExportSnapshotRecords",
        ),
        (
            "EC2 refused",
            |f, _| f.ec2 = Read::Failed("UnauthorizedOperation".into()),
            "quota",
            Some("EC2"),
            CheckStatus::Warn,
            "ec2:DescribeImages",
        ),
        (
            "AMIs near the quota",
            |f, _| {
                f.ec2 = Read::Done(Ec2Counts {
                    images: 40_000,
                    snapshots: 0,
                })
            },
            "quota",
            Some("AMIs"),
            CheckStatus::Warn,
            "--service-code ec2 --quota-code L-B665C33B",
        ),
        (
            "AMIs past the quota",
            |f, _| {
                f.ec2 = Read::Done(Ec2Counts {
                    images: 49_900,
                    snapshots: 0,
                })
            },
            "quota",
            Some("AMIs"),
            CheckStatus::Fail,
            "EC2_KEEP",
        ),
        (
            "EBS snapshots past the quota",
            |f, _| {
                f.ec2 = Read::Done(Ec2Counts {
                    images: 0,
                    snapshots: 99_700,
                })
            },
            "quota",
            Some("EBS snapshots"),
            CheckStatus::Fail,
            "--service-code ebs --quota-code L-309BACF6",
        ),
        (
            "a call refused",
            |f, _| decided(f, "lightsail:CopySnapshot", "implicitDeny"),
            "permissions",
            None,
            CheckStatus::Fail,
            "ReconcileFunctionRole",
        ),
        (
            "a call denied outright",
            |f, _| decided(f, "ec2:DescribeImages", "explicitDeny"),
            "permissions",
            None,
            CheckStatus::Fail,
            "explicit Deny",
        ),
        (
            "no simulation",
            |f, _| f.permissions = Read::Failed("AccessDenied".into()),
            "permissions",
            None,
            CheckStatus::Warn,
            "iam:SimulatePrincipalPolicy",
        ),
        (
            "no service-linked role, and none may be made",
            |f, _| {
                f.service_linked_role = Read::Done(false);
                decided(f, "iam:CreateServiceLinkedRole", "implicitDeny");
            },
            "serviceLinkedRole",
            None,
            CheckStatus::Fail,
            "create-service-linked-role --aws-service-name lightsail.amazonaws.com",
        ),
        (
            "no service-linked role, and no simulation",
            |f, _| {
                f.service_linked_role = Read::Done(false);
                f.permissions = Read::NotRead;
            },
            "serviceLinkedRole",
            None,
            CheckStatus::Warn,
            "create it now",
        ),
        (
            "the role cannot be read",
            |f, _| f.service_linked_role = Read::Failed("AccessDenied".into()),
            "serviceLinkedRole",
            None,
            CheckStatus::Warn,
            "iam:GetRole",
        ),
    ];
    for (name, change, check, subject, status, fix) in cases {
        let (mut facts, mut config) = (healthy(), tagged());
        change(&mut facts, &mut config);
        let report = report(&facts, &config);
        let found = line(&report, check, *subject);
        assert_eq!(found.status, *status, "{name}: {found:#?}");
        let text = found.fix.as_deref().unwrap_or_default();
        assert!(text.contains(fix), "{name}: fix {text:?} lacks {fix:?}");
        let worst = if *status == CheckStatus::Fail {
            CheckStatus::Fail
        } else {
            CheckStatus::Warn
        };
        assert_eq!(
            report.status, worst,
            "{name}: the report's status is its worst line"
        );
    }
}

#[test]
fn a_year_of_exports_is_bounded_by_the_keep_rules() {
    let mut config = Config::default();
    assert_eq!(
        kept_per_target(&config),
        365,
        "nothing retired: a year of nights"
    );
    config.ec2_keep.last = Some(7);
    assert_eq!(kept_per_target(&config), 7);
    config.ec2_keep.within = Some(Span::days(30));
    assert_eq!(
        kept_per_target(&config),
        30,
        "either rule keeps: the larger (30 nights' dates are younger than 30 days at 07:00)"
    );
    config.ec2_keep.last = None;
    config.ec2_keep.within = Some(Span::days(1000));
    assert_eq!(
        kept_per_target(&config),
        365,
        "no more than a year of nights"
    );
    config.ec2_keep = KeepRules {
        daily: Some(7),
        weekly: Some(5),
        monthly: Some(12),
        yearly: Some(7),
        ..KeepRules::default()
    };
    // 2026 ends on a Thursday: 7 days, 3 more weeks (12-20, 12-13, 12-06), 11 more months.
    assert_eq!(kept_per_target(&config), 21, "a schedule: 7 + 3 + 11");
    // 364 AMIs now + 1 instance x 365 per year: 729, far from 50,000.
    let mut facts = healthy();
    facts.ec2 = Read::Done(Ec2Counts {
        images: 364,
        snapshots: 364,
    });
    let report = report(&facts, &tagged());
    assert!(line(&report, "quota", Some("AMIs"))
        .detail
        .contains("at least 729 after a year"));
}

// longer than 80 lines because it is one table, a row per case.
#[test]
fn the_snapshot_window_by_table() {
    assert_eq!(DailyTime::parse_hh_mm("06:00"), Some(DailyTime(360)));
    assert_eq!(DailyTime::parse_hh_mm("24:00"), None);
    assert_eq!(DailyTime::parse_hh_mm("6"), None);
    for (expression, time) in [
        ("cron(0 7 * * ? *)", Some(420)),
        ("cron(15 23 ? * * *)", Some(1395)),
        ("cron(0 7 ? * MON-FRI *)", None),
        ("cron(0 7,19 * * ? *)", None),
        ("cron(0 7 * * ?)", None),
        ("rate(1 day)", None),
    ] {
        assert_eq!(
            DailyTime::of_daily_cron(expression),
            time.map(DailyTime),
            "{expression}"
        );
    }
    let utc = |expression| Schedule {
        expression: Some(expression),
        timezone: None,
    };
    let cases: &[(&str, Option<&str>, Schedule, CheckStatus)] = &[
        (
            "an hour after",
            Some("06:00"),
            utc("cron(0 7 * * ? *)"),
            CheckStatus::Ok,
        ),
        (
            "half an hour after",
            Some("06:00"),
            utc("cron(30 6 * * ? *)"),
            CheckStatus::Warn,
        ),
        (
            "at the snapshot time",
            Some("06:00"),
            utc("cron(0 6 * * ? *)"),
            CheckStatus::Warn,
        ),
        (
            "across midnight",
            Some("23:00"),
            utc("cron(30 0 * * ? *)"),
            CheckStatus::Ok,
        ),
        (
            "across midnight, too soon",
            Some("23:00"),
            utc("cron(40 23 * * ? *)"),
            CheckStatus::Warn,
        ),
        (
            "just before the snapshot",
            Some("06:00"),
            utc("cron(59 5 * * ? *)"),
            CheckStatus::Ok,
        ),
        (
            "not a daily cron",
            Some("06:00"),
            utc("rate(1 hour)"),
            CheckStatus::Info,
        ),
        (
            "no schedule known",
            Some("06:00"),
            Schedule::default(),
            CheckStatus::Info,
        ),
        (
            "another time zone",
            Some("06:00"),
            Schedule {
                expression: Some("cron(0 7 * * ? *)"),
                timezone: Some("Europe/Paris"),
            },
            CheckStatus::Info,
        ),
        (
            "UTC by name",
            Some("06:00"),
            Schedule {
                expression: Some("cron(0 7 * * ? *)"),
                timezone: Some("Etc/UTC"),
            },
            CheckStatus::Ok,
        ),
        (
            "no snapshot time",
            None,
            utc("cron(0 7 * * ? *)"),
            CheckStatus::Warn,
        ),
    ];
    for (name, time, schedule, status) in cases {
        let line = check_window("web-1", *time, *schedule);
        assert_eq!(line.status, *status, "{name}: {line:#?}");
        assert_eq!(
            line.status == CheckStatus::Ok,
            line.fix.is_none(),
            "{name}: a fix unless ok"
        );
    }
}

/// Each switch's guess, from the facts that show it: the value named, or `null`.
// longer than 80 lines because it is one table, a row per case.
#[test]
fn each_switch_is_named_from_what_shows_it() {
    type Change = fn(&mut Facts);
    let cases: &[(&str, Change, serde_json::Value)] = &[
        ("errorEnvelope", |_| {}, json!("code")),
        (
            "errorEnvelope",
            |f| {
                f.error_probe = Read::Done(ErrorIdentity {
                    header: Some("NotFoundException".into()),
                    type_name: None,
                    code: None,
                    status: Some(400),
                })
            },
            json!("header"),
        ),
        (
            "errorEnvelope",
            |f| f.error_probe = Read::Done(ErrorIdentity::default()),
            json!(null),
        ),
        (
            "errorEnvelope",
            |f| f.error_probe = Read::Failed("timeout".into()),
            json!(null),
        ),
        ("pageSize", |_| {}, json!(null)),
        (
            "pageSize",
            |f| {
                f.pages = vec![
                    Page {
                        operation: "GetInstances",
                        items: 3,
                        more: false,
                    },
                    Page {
                        operation: "GetExportSnapshotRecords",
                        items: 25,
                        more: true,
                    },
                ]
            },
            json!(25),
        ),
        (
            "pageSize",
            |f| {
                f.pages = vec![
                    Page {
                        operation: "GetInstances",
                        items: 20,
                        more: true,
                    },
                    Page {
                        operation: "GetExportSnapshotRecords",
                        items: 25,
                        more: true,
                    },
                ]
            },
            json!(null),
        ),
        (
            "exportRecordOrder",
            |f| {
                f.records = Read::Done(vec![
                    record(3.0, "Succeeded", true, "a"),
                    record(2.0, "Succeeded", true, "a"),
                    record(1.0, "Succeeded", true, "a"),
                ])
            },
            json!("newestFirst"),
        ),
        (
            "exportRecordOrder",
            |f| {
                f.records = Read::Done(vec![
                    record(1.0, "Succeeded", true, "a"),
                    record(2.0, "Succeeded", true, "a"),
                    record(3.0, "Succeeded", true, "a"),
                ])
            },
            json!("oldestFirst"),
        ),
        (
            "exportRecordOrder",
            |f| {
                f.records = Read::Done(vec![
                    record(2.0, "Succeeded", true, "a"),
                    record(3.0, "Succeeded", true, "a"),
                    record(1.0, "Succeeded", true, "a"),
                ])
            },
            json!("shuffled"),
        ),
        (
            "exportRecordOrder",
            |f| {
                f.records = Read::Done(vec![
                    record(2.0, "Succeeded", true, "a"),
                    record(1.0, "Succeeded", true, "a"),
                ])
            },
            json!(null),
        ),
        (
            "exportRecordsOnSnapshotDelete",
            |f| f.records = Read::Done(vec![record(1.0, "Succeeded", true, "gone")]),
            json!("kept"),
        ),
        (
            "exportRecordsOnSnapshotDelete",
            |f| {
                f.records = Read::Done(vec![record(1.0, "Succeeded", true, "here")]);
                f.manual_snapshots = Read::Done(vec!["here".into()]);
            },
            json!(null),
        ),
        (
            "destinationInfo",
            |f| {
                f.records = Read::Done(vec![
                    record(1.0, "Started", true, "a"),
                    record(2.0, "Succeeded", true, "a"),
                ])
            },
            json!("whileStarted"),
        ),
        (
            "destinationInfo",
            |f| f.records = Read::Done(vec![record(1.0, "Started", false, "a")]),
            json!("onceSucceeded"),
        ),
        (
            "destinationInfo",
            |f| {
                f.records = Read::Done(vec![
                    record(1.0, "Started", false, "a"),
                    record(2.0, "Started", true, "a"),
                ])
            },
            json!(null),
        ),
        (
            "destinationInfo",
            |f| f.records = Read::Done(vec![record(1.0, "Succeeded", true, "a")]),
            json!(null),
        ),
        ("addOnWhenDisabled", |_| {}, json!(null)),
        (
            "addOnWhenDisabled",
            |f| add(f, AddOnShape::NoKey),
            json!("absent"),
        ),
        (
            "addOnWhenDisabled",
            |f| add(f, AddOnShape::EmptyList),
            json!("empty"),
        ),
        (
            "addOnWhenDisabled",
            |f| add(f, AddOnShape::Status("Disabled".into())),
            json!("disabled"),
        ),
        (
            "addOnWhenDisabled",
            |f| {
                add(f, AddOnShape::NoKey);
                add(f, AddOnShape::EmptyList)
            },
            json!(null),
        ),
        ("autoSnapshotOrder", |_| {}, json!("newestFirst")),
        (
            "autoSnapshotOrder",
            |f| f.auto_snapshots[0].1 = Read::Done(snapshots(&["2026-11-19", "2026-11-20"])),
            json!("oldestFirst"),
        ),
        (
            "autoSnapshotOrder",
            |f| f.auto_snapshots[0].1 = Read::Done(snapshots(&["2026-11-19"])),
            json!(null),
        ),
        (
            "autoSnapshotOrder",
            |f| {
                f.auto_snapshots.push((
                    "db".into(),
                    Read::Done(snapshots(&["2026-11-19", "2026-11-20"])),
                ))
            },
            json!(null),
        ),
        ("tagValueWhenKeyOnly", |_| {}, json!(null)),
        ("tagValueWhenKeyOnly", |f| tag(f, None), json!("absent")),
        ("tagValueWhenKeyOnly", |f| tag(f, Some("")), json!("empty")),
    ];
    fn add(facts: &mut Facts, shape: AddOnShape) {
        if let Read::Done(seen_list) = &mut facts.resources {
            let n = seen_list.len();
            seen_list.push(seen(resource(&format!("off-{n}"), &[], Some(false)), shape));
        }
    }
    fn tag(facts: &mut Facts, value: Option<&str>) {
        if let Read::Done(seen_list) = &mut facts.resources {
            seen_list[0]
                .resource
                .tags
                .push(("backup".into(), value.map(str::to_string)));
        }
    }
    for (switch, change, expected) in cases {
        let mut facts = healthy();
        change(&mut facts);
        let report = report(&facts, &tagged());
        let found = guess(&report, switch);
        let value = found.value.clone().unwrap_or(serde_json::Value::Null);
        assert_eq!(&value, expected, "{switch}: {found:#?}");
        assert!(!found.observed.is_empty(), "{switch}: says what it saw");
    }
}

#[test]
fn the_output_is_camel_case_and_lowercase() {
    let report = report(&healthy(), &tagged());
    let value =
        serde_json::to_value(crate::model::doctor::DoctorOutput { doctor: report }).unwrap();
    let doctor = &value["doctor"];
    assert_eq!(doctor["status"], "ok");
    assert_eq!(doctor["sourceRegion"], "us-east-1");
    assert_eq!(doctor["checks"][0]["check"], "credentials");
    assert!(
        doctor["checks"][0].get("fix").is_none(),
        "no fix on an ok line"
    );
    assert_eq!(doctor["guesses"][0]["switch"], "errorEnvelope");
}

#[test]
fn a_role_the_first_export_may_create_and_an_unknown_role_are_information() {
    let mut facts = healthy();
    facts.service_linked_role = Read::Done(false);
    let judged = report(&facts, &tagged());
    assert_eq!(
        line(&judged, "serviceLinkedRole", None).status,
        CheckStatus::Info
    );
    assert_eq!(judged.status, CheckStatus::Ok, "information only");
    facts.permissions = Read::NotRead;
    facts.service_linked_role = Read::Done(true);
    let judged = report(&facts, &tagged());
    let unknown = line(&judged, "permissions", None);
    assert_eq!(unknown.status, CheckStatus::Info);
    assert!(unknown.fix.as_deref().unwrap().contains("--function-role"));
    facts.service_linked_role = Read::NotRead;
    let judged = report(&facts, &tagged());
    assert!(
        judged.checks.iter().all(|c| c.check != "serviceLinkedRole"),
        "not read, no line"
    );
}

#[test]
fn an_action_asked_on_two_sets_of_resources_counts_once_refused_if_either_is() {
    let mut facts = healthy();
    if let Read::Done(simulation) = &mut facts.permissions {
        simulation
            .decisions
            .push(allowed("ec2:CreateTags", "allowed"));
        simulation
            .decisions
            .push(allowed("ec2:CreateTags", "implicitDeny"));
    }
    let permissions = line(&report(&facts, &tagged()), "permissions", None).clone();
    assert_eq!(permissions.status, CheckStatus::Fail);
    assert!(
        permissions
            .detail
            .starts_with("1 of 4 actions the function calls are refused"),
        "{}",
        permissions.detail
    );
    assert_eq!(permissions.detail.matches("ec2:CreateTags").count(), 1);
}
