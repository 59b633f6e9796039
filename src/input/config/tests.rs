use super::*;
use crate::model::keep::Span;
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
        (c.ec2_keep.last, c.ec2_keep.within),
        (Some(7), Some(Span::days(30)))
    );
    assert_eq!(c.prices.ec2_snapshot, 0.0125);
    assert_eq!(c.max_auto_snapshot_wait, Duration::from_secs(9_000));
    assert_eq!(c.max_retry_window, Duration::from_secs(2_700));
    assert!(c.delete_copy_after_export);
    assert_eq!(c.copies_keep.last, Some(7));
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
        ("EC2_KEEP_LAST", "0"),
        ("EC2_KEEP_DAILY", "seven"),
        ("EC2_KEEP_WEEKLY", "-5"),
        ("EC2_KEEP_MONTHLY", "10001"),
        ("EC2_KEEP_YEARLY", "1.5"),
        ("EC2_KEEP_WITHIN", "14"),
        ("EC2_KEEP_WITHIN", "2q"),
        ("EC2_KEEP_WITHIN", "12h"),
        ("COPIES_KEEP_DAILY", "0"),
        ("COPIES_KEEP_WITHIN", "forever"),
        ("EC2_ARCHIVE_AFTER", "90d"),
        ("EC2_ARCHIVE_PRICE", "free"),
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
fn keep_rules_and_their_older_names() {
    let c = config(&[
        ("EC2_KEEP_DAILY", "7"),
        ("EC2_KEEP_WEEKLY", "5"),
        ("EC2_KEEP_MONTHLY", "12"),
        ("EC2_KEEP_YEARLY", "7"),
        ("EC2_KEEP_WITHIN", "1y6m"),
        ("EC2_ARCHIVE_AFTER", "90d"),
        ("EC2_ARCHIVE_PRICE", "0.01"),
        ("COPIES_KEEP_LAST", "3"),
        ("COPIES_KEEP_WITHIN", "2w"),
    ])
    .unwrap();
    let rules = c.ec2_keep;
    assert_eq!(
        (
            rules.daily,
            rules.weekly,
            rules.monthly,
            rules.yearly,
            rules.last
        ),
        (Some(7), Some(5), Some(12), Some(7), None)
    );
    assert_eq!(rules.within.map(|s| s.to_string()).as_deref(), Some("1y6m"));
    assert_eq!(c.archive_after, Some(Span::days(90)));
    assert_eq!(c.prices.ec2_archive, 0.01);
    assert_eq!(
        (c.copies_keep.last, c.copies_keep.within),
        (Some(3), Some(Span::days(14)))
    );
    // The older names are rules; KEEP_COPIES=0 is off, as it always was.
    let old = config(&[
        ("EC2_KEEP", "3"),
        ("EC2_KEEP_DAYS", "30"),
        ("KEEP_COPIES", "0"),
    ])
    .unwrap();
    assert_eq!(
        (old.ec2_keep.last, old.ec2_keep.within),
        (Some(3), Some(Span::days(30)))
    );
    assert!(!old.copies_keep.enabled());
    assert_eq!(config(&[]).unwrap().prices.ec2_archive, 0.0125);
    // An older name beside its new one is refused, naming both.
    for (old, new) in [
        (("EC2_KEEP", "3"), ("EC2_KEEP_LAST", "3")),
        (("EC2_KEEP_DAYS", "3"), ("EC2_KEEP_WITHIN", "3d")),
        (("KEEP_COPIES", "2"), ("COPIES_KEEP_LAST", "2")),
    ] {
        let error = config(&[old, new]).unwrap_err();
        assert_eq!(error.error_type(), "InvalidConfiguration");
        let text = error.to_string();
        assert!(text.contains(old.0) && text.contains(new.0), "{text}");
    }
    // Archiving needs a rule it could apply to.
    let alone = config(&[("EC2_KEEP_DAILY", "7"), ("EC2_ARCHIVE_AFTER", "90d")]).unwrap_err();
    assert!(alone.to_string().contains("EC2_KEEP_MONTHLY"), "{alone}");
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
