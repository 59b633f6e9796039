use super::*;
use std::collections::HashMap;
use std::time::Duration;

fn config(pairs: &[(&str, &str)]) -> Result<Config, Error> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|key| map.get(key).cloned())
}

#[test]
fn defaults() {
    assert_eq!(config(&[]), Ok(Config::default()));
}

#[test]
fn reads_every_variable() {
    let c = config(&[
        ("TARGETS", " web-1, ,data-disk "),
        ("TARGET_TAG", "export=nightly"),
        ("SOURCE_REGION", "eu-west-1"),
        ("SNAPSHOT_NAME_FORMAT", "{resource}-{date}-ec2"),
        ("MAX_EXPORT_ATTEMPTS", "5"),
        ("CONCURRENCY", "2"),
        ("DRY_RUN", "true"),
        ("NEXT_CHECK_SECONDS", "60"),
        ("DELETE_COPY_AFTER_EXPORT", "yes"),
        ("KEEP_COPIES", "7"),
        ("METRICS", "false"),
        ("METRICS_NAMESPACE", "Backups"),
        ("MAX_AUTO_SNAPSHOT_WAIT", "2h30m"),
        ("MAX_RETRY_WINDOW", "45m"),
        ("EC2_TAGS", "team=web, cost-center = 42 ,empty="),
        ("EC2_KEEP", "7"),
        ("EC2_KEEP_DAYS", "30"),
        ("EC2_SNAPSHOT_PRICE", "0.0125"),
    ])
    .unwrap();
    assert_eq!(
        c.ec2_tags,
        [
            ("team".into(), "web".into()),
            ("cost-center".into(), "42".into()),
            ("empty".into(), String::new())
        ]
    );
    assert_eq!(
        (c.ec2_policy.keep, c.ec2_policy.keep_days),
        (Some(7), Some(30))
    );
    assert_eq!(c.prices.ec2_snapshot, 0.0125);
    assert_eq!(c.max_auto_snapshot_wait, Duration::from_secs(9_000));
    assert_eq!(c.max_retry_window, Duration::from_secs(2_700));
    assert!(c.delete_copy_after_export);
    assert_eq!(c.keep_copies, 7);
    assert!(!c.metrics);
    assert_eq!(c.metrics_namespace, "Backups");
    assert_eq!(c.targets, ["web-1", "data-disk"]);
    assert_eq!(
        c.target_tag,
        Some(TagFilter {
            key: "export".into(),
            value: Some("nightly".into())
        })
    );
    assert_eq!(c.source_region.as_deref(), Some("eu-west-1"));
    assert_eq!(c.name_format, "{resource}-{date}-ec2");
    assert_eq!(
        (
            c.max_export_attempts,
            c.concurrency,
            c.dry_run,
            c.next_check_seconds
        ),
        (5, 2, true, 60)
    );
}

#[test]
fn rejects_bad_values() {
    for pair in [
        ("MAX_EXPORT_ATTEMPTS", "0"),
        ("MAX_EXPORT_ATTEMPTS", "three"),
        ("CONCURRENCY", "1000"),
        ("DRY_RUN", "maybe"),
        ("KEEP_COPIES", "-1"),
        ("DELETE_COPY_AFTER_EXPORT", "sometimes"),
        ("TARGET_TAG", "=x"),
        ("SNAPSHOT_NAME_FORMAT", "{resource}"),
        ("MAX_AUTO_SNAPSHOT_WAIT", "forever"),
        ("MAX_AUTO_SNAPSHOT_WAIT", "13h"),
        ("MAX_AUTO_SNAPSHOT_WAIT", "-5"),
        ("MAX_RETRY_WINDOW", "12h"),
        ("MAX_RETRY_WINDOW", "soon"),
        ("EC2_KEEP", "0"),
        ("EC2_KEEP", "-1"),
        ("EC2_KEEP", "many"),
        ("EC2_KEEP_DAYS", "0"),
        ("EC2_KEEP_DAYS", "2.5"),
        ("EC2_TAGS", "team"),
        ("EC2_TAGS", "aws:x=1"),
        ("EC2_TAGS", "lightsail-export:managed=false"),
        ("EC2_SNAPSHOT_PRICE", "cheap"),
        ("LIGHTSAIL_SNAPSHOT_PRICE", "-1"),
        ("REGIONS", "us-east-1,Europe"),
        ("REGIONS", "us-east-1:web"),
    ] {
        let error = config(&[pair]).unwrap_err();
        assert_eq!(error.error_type(), "InvalidConfiguration", "{pair:?}");
        assert!(error.to_string().contains(pair.0), "{error}");
    }
}

#[test]
fn durations() {
    for (text, seconds) in [
        ("3h", 10_800),
        ("90m", 5_400),
        ("600", 600),
        ("0", 0),
        ("45s", 45),
    ] {
        assert_eq!(
            parse_duration("X", text, Duration::from_secs(43_200)),
            Ok(Duration::from_secs(seconds)),
            "{text}"
        );
    }
}

#[test]
fn regions() {
    let c = config(&[(
        "REGIONS",
        " us-east-1, eu-west-1,,us-east-1, us-gov-west-1 ",
    )])
    .unwrap();
    assert_eq!(c.regions, ["us-east-1", "eu-west-1", "us-gov-west-1"]);
    assert_eq!(config(&[]).unwrap().regions, Vec::<String>::new());
    let both = config(&[("REGIONS", "us-east-1"), ("SOURCE_REGION", "eu-west-1")]).unwrap_err();
    assert_eq!(both.error_type(), "InvalidConfiguration");
    assert!(both.to_string().contains("SOURCE_REGION"), "{both}");
}
