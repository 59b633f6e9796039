//! Reading request members with the errors Lightsail gives for wrong ones.

use serde_json::Value;

use crate::protocol::ApiError;

/// An optional string member; a member of the wrong JSON type is a SerializationException,
/// as the JSON 1.1 deserializer would report it.
pub fn opt_str<'a>(input: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::serialization(format!(
            "STRING_VALUE can not be converted to a String for {key}"
        ))),
    }
}

pub fn req_str<'a>(input: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    match opt_str(input, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::invalid(format!(
            "{key} is required and must not be empty"
        ))),
    }
}

pub fn opt_bool(input: &Value, key: &str) -> Result<Option<bool>, ApiError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::serialization(format!(
            "Expected a boolean for {key}"
        ))),
    }
}

pub fn opt_array<'a>(input: &'a Value, key: &str) -> Result<Option<&'a Vec<Value>>, ApiError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(ApiError::serialization(format!(
            "Expected a list for {key}"
        ))),
    }
}

/// Lightsail's ResourceName pattern `\w[\w\-]*\w` (ASCII word characters; no dots).
pub fn is_resource_name(name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<char> = name.chars().collect();
    chars.len() >= 2
        && chars.len() <= 255
        && word(chars[0])
        && word(chars[chars.len() - 1])
        && chars.iter().all(|&c| word(c) || c == '-')
}

pub fn resource_name<'a>(input: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    let name = req_str(input, key)?;
    if is_resource_name(name) {
        Ok(name)
    } else {
        Err(ApiError::invalid(format!(
            "{key} {name:?} is invalid: it must match \\w[\\w\\-]*\\w (letters, numbers, underscores and hyphens, starting and ending with a letter, number or underscore)"
        )))
    }
}

/// The regions of botocore's RegionName enum.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-2",
    "ca-central-1",
    "ap-east-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "sa-east-1",
];

#[cfg(test)]
mod tests {
    use super::is_resource_name;

    #[test]
    fn names() {
        assert!(is_resource_name("web-1-export-2026-11-21"));
        assert!(is_resource_name("a_b"));
        assert!(!is_resource_name("shop.example.com-export"));
        assert!(!is_resource_name("-a"));
        assert!(!is_resource_name("a-"));
        assert!(!is_resource_name("a"));
    }
}
