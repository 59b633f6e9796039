use super::*;
use crate::input::request::PreviousTarget;
use crate::model::TagFilter;
use serde_json::json;

fn parse(event: serde_json::Value) -> Request {
    crate::input::request::Invocation::parse(event)
        .unwrap()
        .into_request()
        .unwrap()
}

/// A region's targets and tag.
type Asked = Option<(Vec<String>, Option<String>)>;
/// (region, targets, tag) of each region with work; `None` for a region asked nothing.
type Shape = Vec<(String, Asked)>;

fn shape(plan: &RegionsPlan) -> Shape {
    plan.regions
        .iter()
        .map(|(region, part)| {
            let part = part
                .as_ref()
                .map(|p| (p.targets.clone().unwrap_or_default(), p.target_tag.clone()));
            (region.clone(), part)
        })
        .collect()
}

fn part(region: &str, targets: &[&str], tag: Option<&str>) -> (String, Asked) {
    let targets = targets.iter().map(|t| t.to_string()).collect();
    (region.to_string(), Some((targets, tag.map(str::to_string))))
}

fn env(regions: &[&str], targets: &[&str], tag: Option<&str>) -> Config {
    Config {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        target_tag: tag.map(|t| TagFilter::parse(t).unwrap()),
        ..Config::default()
    }
}

/// One table, longer than 80 lines because it holds a case per way to lay a run over regions.
#[test]
fn layouts() {
    let cases: Vec<(&str, Config, serde_json::Value, Shape, bool)> = vec![
        (
            "one region, as always",
            env(&[], &["web-1"], None),
            json!({}),
            vec![part("us-east-1", &["web-1"], None)],
            false,
        ),
        (
            "REGIONS with TARGET_TAG: the tag in every region",
            env(&["us-east-1", "eu-west-1"], &[], Some("export")),
            json!({}),
            vec![
                part("us-east-1", &[], Some("export")),
                part("eu-west-1", &[], Some("export")),
            ],
            true,
        ),
        (
            "bare names in the first region, qualified ones in theirs",
            env(&["eu-west-1", "us-east-1"], &[], None),
            json!({"targets": ["web-1", "us-east-1:web-2", "ap-south-1:web-3"]}),
            vec![
                part("eu-west-1", &["web-1"], None),
                part("us-east-1", &["web-2"], None),
                part("ap-south-1", &["web-3"], None),
            ],
            true,
        ),
        (
            "qualified names alone make a run multi-region",
            env(&[], &[], None),
            json!({"targets": "eu-west-1:web-1,web-2"}),
            vec![
                part("us-east-1", &["web-2"], None),
                part("eu-west-1", &["web-1"], None),
            ],
            true,
        ),
        (
            "the request's regions replace REGIONS; its selection replaces the environment's",
            env(&["us-east-1"], &["env-1"], Some("env")),
            json!({"regions": ["eu-west-1", {"region": "ap-south-1", "targetTag": "mumbai"}],
                   "targetTag": "export"}),
            vec![
                part("eu-west-1", &[], Some("export")),
                part("ap-south-1", &[], Some("mumbai")),
            ],
            true,
        ),
        (
            "a region of `regions` asked nothing is kept, empty",
            env(&[], &[], None),
            json!({"regions": ["us-east-1", {"region": "eu-west-1", "targets": ["db"]}]}),
            vec![("us-east-1".into(), None), part("eu-west-1", &["db"], None)],
            true,
        ),
        (
            "the environment's selection over the request's regions",
            env(&[], &["web-1"], Some("export")),
            json!({"regions": ["eu-west-1", "us-east-1"]}),
            vec![
                part("eu-west-1", &["web-1"], Some("export")),
                part("us-east-1", &[], Some("export")),
            ],
            true,
        ),
        (
            "a prefix that is no region leaves the name whole (refused as that target's)",
            env(&[], &[], None),
            json!({"targets": ["Europe:web-1"]}),
            vec![part("us-east-1", &["Europe:web-1"], None)],
            false,
        ),
        (
            "REGIONS with named targets: only the regions with work",
            env(&["us-east-1", "eu-west-1", "ap-south-1"], &[], None),
            json!({"targets": ["eu-west-1:web-9"]}),
            vec![part("eu-west-1", &["web-9"], None)],
            true,
        ),
    ];
    for (what, config, event, expected, multi) in cases {
        let plan = split(&config, &parse(event), "us-east-1").unwrap();
        assert_eq!(shape(&plan), expected, "{what}");
        assert_eq!(plan.multi, multi, "{what}");
    }
}

#[test]
fn a_batch_of_items_and_a_previous_output() {
    let batch = parse(json!({
        "Items": [{"region": "eu-west-1", "resource": "a"}, {"region": "us-east-1", "resource": "b"},
                  {"region": "eu-west-1", "resource": "c"}],
        "BatchInput": {"restoreDate": "2026-11-20"}
    }));
    let plan = split(
        &env(&["us-east-1", "eu-west-1"], &[], Some("export")),
        &batch,
        "us-east-1",
    )
    .unwrap();
    assert_eq!(
        shape(&plan),
        vec![
            part("us-east-1", &["b"], None),
            part("eu-west-1", &["a", "c"], None)
        ],
        "a batch names its targets: the environment's tag does not apply"
    );
    let restore = plan.regions[1].1.as_ref().unwrap().restore_date.clone();
    assert_eq!(restore.as_deref(), Some("2026-11-20"));

    let previous = parse(json!({
        "status": "IN_PROGRESS", "summaryByRegion": {"eu-west-1": {}, "us-east-1": {}},
        "targets": [
            {"resource": "a", "region": "eu-west-1", "phase": "COPYING", "autoSnapshotDate": "2026-11-21"},
            {"resource": "b", "region": "us-east-1", "phase": "EXPORTED"}
        ]
    }));
    let plan = split(&Config::default(), &previous, "us-east-1").unwrap();
    assert!(plan.multi);
    let (region, part) = &plan.regions[0];
    assert_eq!(region, "eu-west-1");
    let part = part.as_ref().unwrap();
    assert_eq!(part.targets, Some(vec!["a".to_string()]));
    let pins: Vec<PreviousTarget> = part.previous.clone().unwrap();
    assert_eq!(pins.len(), 1);
    assert_eq!(pins[0].auto_snapshot_date.as_deref(), Some("2026-11-21"));
}

#[test]
fn refusals() {
    let cases: Vec<(Config, serde_json::Value, &str)> = vec![
        (
            Config::default(),
            json!({"regions": ["eu-west-1", "mars"]}),
            "`mars`",
        ),
        (Config::default(), json!({"regions": []}), "empty"),
        (
            Config {
                source_region: Some("eu-west-1".into()),
                ..Config::default()
            },
            json!({"targets": ["eu-west-1:web-1"]}),
            "SOURCE_REGION",
        ),
        (
            Config::default(),
            json!({"targets": (0..=MAX_TARGETS).map(|i| format!("eu-west-1:w{i}")).collect::<Vec<_>>()}),
            "at most",
        ),
    ];
    for (config, event, says) in cases {
        let error = split(&config, &parse(event.clone()), "us-east-1").unwrap_err();
        assert_eq!(error.error_type(), "InvalidInput", "{event}");
        assert!(error.to_string().contains(says), "{event}: {error}");
    }
}

#[test]
fn region_names() {
    for good in [
        "us-east-1",
        "eu-central-2",
        "ap-southeast-5",
        "us-gov-west-1",
        "il-central-1",
    ] {
        assert_eq!(validate_region(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "us-east",
        "US-EAST-1",
        "us_east_1",
        "useast1",
        "us-east-1a",
        "u-east-1",
        "eu-west-1:",
    ] {
        assert!(validate_region(bad).is_err(), "{bad}");
    }
}
