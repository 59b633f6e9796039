//! Tags: how Lightsail lists them, the filter that selects targets by tag, and the keys of the
//! function's own tags (one spelling each; the emulator keeps its own copy, named the same).

/// Every key the function writes starts with this; `EC2_TAGS` may not use it.
pub const TAG_PREFIX: &str = "lightsail-export:";

/// `true` on everything the function made and may delete: its Lightsail copies and its EC2
/// artifacts. Nothing without it is ever deleted.
pub const MANAGED_TAG: &str = "lightsail-export:managed";

/// The tags on a Lightsail copy (a manual snapshot the function made), beside [`MANAGED_TAG`].
pub mod copy_tag {
    /// The instance or disk the copy was taken from.
    pub const SOURCE: &str = "lightsail-export:source";
    /// The date of the automatic snapshot it copies.
    pub const AUTO_SNAPSHOT_DATE: &str = "lightsail-export:auto-snapshot-date";
}

/// The tags on an export's EC2 artifact (an AMI and its snapshots, or an EBS snapshot), beside
/// [`MANAGED_TAG`].
pub mod artifact_tag {
    /// The instance or disk exported.
    pub const RESOURCE: &str = "lightsail-export:resource";
    /// The date of the automatic snapshot exported.
    pub const DATE: &str = "lightsail-export:date";
    /// The Lightsail copy exported.
    pub const COPY: &str = "lightsail-export:copy";
    /// The export record whose destination the artifact is: what makes it traceable.
    pub const EXPORT_RECORD: &str = "lightsail-export:export-record";
}

/// Tags as Lightsail lists them: a key, and a value that a key-only tag may lack.
pub type Tags = Vec<(String, Option<String>)>;

/// The value of tag `key`, `""` for a key-only tag.
pub fn tag<'a>(tags: &'a Tags, key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_deref().unwrap_or(""))
}

/// `key` or `key=value`: resources carrying that tag are targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    pub value: Option<String>,
}

impl TagFilter {
    pub fn parse(text: &str) -> Result<TagFilter, String> {
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key.trim(), Some(value.trim().to_string())),
            None => (text.trim(), None),
        };
        if key.is_empty() {
            return Err(format!(
                "tag filter `{text}` has no key (use `key` or `key=value`)"
            ));
        }
        Ok(TagFilter {
            key: key.to_string(),
            value,
        })
    }

    /// Whether a resource's tag `key`/`value` satisfies this filter.
    pub fn matches(&self, key: &str, value: Option<&str>) -> bool {
        key == self.key
            && match &self.value {
                None => true,
                Some(wanted) => value.unwrap_or("") == wanted,
            }
    }

    /// Whether any of `tags` satisfies this filter.
    pub fn selects(&self, tags: &Tags) -> bool {
        tags.iter().any(|(k, v)| self.matches(k, v.as_deref()))
    }
}

impl std::fmt::Display for TagFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={}", self.key, value),
            None => write!(f, "{}", self.key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_functions_keys_share_the_reserved_prefix() {
        for key in [
            MANAGED_TAG,
            copy_tag::SOURCE,
            copy_tag::AUTO_SNAPSHOT_DATE,
            artifact_tag::RESOURCE,
            artifact_tag::DATE,
            artifact_tag::COPY,
            artifact_tag::EXPORT_RECORD,
        ] {
            assert!(key.starts_with(TAG_PREFIX), "{key}");
        }
    }

    #[test]
    fn tag_filters() {
        let key_only = TagFilter::parse("export").unwrap();
        assert!(key_only.matches("export", None));
        assert!(key_only.matches("export", Some("anything")));
        let pair = TagFilter::parse("export=nightly").unwrap();
        assert!(pair.matches("export", Some("nightly")));
        assert!(!pair.matches("export", Some("weekly")));
        assert!(!pair.matches("other", Some("nightly")));
        assert!(!pair.matches("export", None));
        let tags = vec![
            ("team".to_string(), None),
            ("export".into(), Some("nightly".into())),
        ];
        assert!(pair.selects(&tags));
        assert!(!TagFilter::parse("backup").unwrap().selects(&tags));
        assert!(TagFilter::parse("=x").is_err());
    }
}
