//! The EC2 Query protocol's request side: `application/x-www-form-urlencoded` parameters, with
//! lists flattened as `Name.N` and structures as `Name.N.Member` (`Filter.1.Value.2`).

use std::collections::BTreeMap;

use super::Ec2Error;

/// The decoded parameters of one request (the query string's, then the body's over them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(BTreeMap<String, String>);

/// A `Filter.N` of a Describe request.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    // A stray `%` is kept as it is, as lenient form decoders do.
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The index and the rest of a key below `prefix` (`Filter.3.Value.1` below `Filter` is
/// `(3, ".Value.1")`).
fn indexed<'a>(key: &'a str, prefix: &str) -> Option<(u64, &'a str)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('.')?;
    let end = rest.find('.').unwrap_or(rest.len());
    let n = rest[..end].parse().ok()?;
    Some((n, &rest[end..]))
}

impl Params {
    pub fn parse(query: Option<&str>, body: &[u8]) -> Params {
        let mut map = BTreeMap::new();
        let body = String::from_utf8_lossy(body);
        for part in query.into_iter().chain([body.as_ref()]) {
            for pair in part.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                map.insert(decode(k), decode(v));
            }
        }
        Params(map)
    }

    /// The members of one `prefix.N` (from [`Params::structs`]) as parameters of their own.
    pub fn of(members: BTreeMap<String, String>) -> Params {
        Params(members)
    }

    /// Every key and value (for a request's fingerprint).
    pub fn pairs(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The values of the list `prefix.1`, `prefix.2`, … in index order.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        let mut items: Vec<(u64, String)> = self
            .0
            .iter()
            .filter_map(|(k, v)| match indexed(k, prefix) {
                Some((n, "")) => Some((n, v.clone())),
                _ => None,
            })
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// The members `prefix.N.<member>` of each `prefix.N`, in index order.
    pub fn structs(&self, prefix: &str) -> Vec<BTreeMap<String, String>> {
        let mut by_index: BTreeMap<u64, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in &self.0 {
            if let Some((n, rest)) = indexed(k, prefix) {
                if let Some(member) = rest.strip_prefix('.') {
                    by_index
                        .entry(n)
                        .or_default()
                        .insert(member.to_string(), v.clone());
                }
            }
        }
        by_index.into_values().collect()
    }

    /// `Filter.N.Name` with its `Filter.N.Value.M`.
    pub fn filters(&self) -> Result<Vec<Filter>, Ec2Error> {
        let mut filters = Vec::new();
        for members in self.structs("Filter") {
            let Some(name) = members.get("Name").cloned() else {
                return Err(Ec2Error::missing("Filter.Name"));
            };
            let values = Params(members).list("Value");
            filters.push(Filter { name, values });
        }
        Ok(filters)
    }

    /// `Tag.N.Key` / `Tag.N.Value` (a missing value is empty, as EC2 stores it).
    pub fn tags(&self) -> Result<Vec<(String, String)>, Ec2Error> {
        self.structs("Tag")
            .into_iter()
            .map(|m| match m.get("Key") {
                Some(k) => Ok((k.clone(), m.get("Value").cloned().unwrap_or_default())),
                None => Err(Ec2Error::missing("Tag.Key")),
            })
            .collect()
    }

    pub fn bool(&self, key: &str) -> Result<bool, Ec2Error> {
        match self.get(key) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Ec2Error::invalid_value(format!(
                "Invalid value '{v}' for {key}, expected true or false"
            ))),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Ec2Error> {
        self.get(key)
            .map(|v| {
                v.parse()
                    .map_err(|_| Ec2Error::invalid_value(format!("Invalid value '{v}' for {key}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_filters_and_tags() {
        let p = Params::parse(
            Some("Action=DescribeImages"),
            b"Version=2016-11-15&ImageId.2=ami-2&ImageId.1=ami-1&ImageId.10=ami-10\
              &Filter.1.Name=tag%3Alightsail-export%3Amanaged&Filter.1.Value.1=true\
              &Filter.2.Name=state&Filter.2.Value.2=b&Filter.2.Value.1=a+b\
              &Tag.1.Key=k&Tag.2.Key=x&Tag.2.Value=%E2%9C%93",
        );
        assert_eq!(p.get("Action"), Some("DescribeImages"));
        assert_eq!(p.list("ImageId"), ["ami-1", "ami-2", "ami-10"]);
        let f = p.filters().unwrap();
        assert_eq!(f[0].name, "tag:lightsail-export:managed");
        assert_eq!(f[0].values, ["true"]);
        assert_eq!(f[1].values, ["a b", "b"]);
        assert_eq!(
            p.tags().unwrap(),
            [("k".into(), "".into()), ("x".into(), "✓".into())]
        );
        assert!(p.list("Owner").is_empty());
        assert_eq!(decode("100%"), "100%");
    }
}
