//! Tags: how Lightsail lists them, and the filter that selects targets by tag.

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
