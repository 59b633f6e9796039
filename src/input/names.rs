//! Resource names as Lightsail accepts them, and the deterministic name of a target's copy.
//!
//! The copy's name is the engine's only memory: it is derived from the resource and the date of
//! the automatic snapshot it copies, so a later round (or another invocation) finds the same copy
//! and its export records again. Resource names may contain dots; snapshot names may not
//! (`\w[\w\-]*\w`), hence the sanitising.

use crate::model::{Date, ResourceType};

/// Longest resource or snapshot name we accept or build (Lightsail's documented maximum for
/// resource names; the snapshot maximum is not documented, see the README's guesses).
pub const MAX_NAME_LEN: usize = 255;

/// The default `SNAPSHOT_NAME_FORMAT`.
pub const DEFAULT_FORMAT: &str = "{resource}-export-{date}";

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Checks a resource (instance or disk) name: letters, digits, `_`, `-` and `.`, starting and
/// ending with a letter, digit or `_`, at most [`MAX_NAME_LEN`] characters.
pub fn validate_resource_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a resource name is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "resource name `{}…` is {} characters long, more than {MAX_NAME_LEN}",
            name.chars().take(20).collect::<String>(),
            name.len()
        ));
    }
    let bad = name
        .chars()
        .find(|c| !(is_word(*c) || *c == '-' || *c == '.'));
    if let Some(c) = bad {
        return Err(format!(
            "resource name `{name}` contains `{}`: only letters, digits, `_`, `-` and `.` are allowed",
            c.escape_default()
        ));
    }
    let first_last_ok =
        name.chars().next().is_some_and(is_word) && name.chars().next_back().is_some_and(is_word);
    if !first_last_ok {
        return Err(format!(
            "resource name `{name}` must start and end with a letter, a digit or `_`"
        ));
    }
    Ok(())
}

/// Checks a snapshot name against Lightsail's pattern `\w[\w\-]*\w` and length.
pub fn validate_snapshot_name(name: &str) -> Result<(), String> {
    let chars_ok = name.chars().all(|c| is_word(c) || c == '-');
    let ends_ok = name.len() >= 2
        && name.chars().next().is_some_and(is_word)
        && name.chars().next_back().is_some_and(is_word);
    if !chars_ok || !ends_ok {
        return Err(format!(
            "snapshot name `{name}` does not match Lightsail's pattern \\w[\\w\\-]*\\w"
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "snapshot name is {} characters long, more than {MAX_NAME_LEN}",
            name.len()
        ));
    }
    Ok(())
}

/// The resource name as it appears inside a snapshot name: every character a snapshot name may
/// not hold (`.`, in practice) becomes `-`. Two resources that sanitise alike would share a copy
/// name, which the engine refuses for both.
pub fn sanitise(resource: &str) -> String {
    resource
        .chars()
        .map(|c| if is_word(c) || c == '-' { c } else { '-' })
        .collect()
}

/// FNV-1a: a tiny, stable hash, so a shortened name stays distinct and the same on every run
/// (std's hasher is randomly seeded).
fn fnv1a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Checks a `SNAPSHOT_NAME_FORMAT`: it must name the resource and the date (or copies of
/// different resources or dates would collide) and produce valid snapshot names.
pub fn validate_format(format: &str) -> Result<(), String> {
    if !format.contains("{resource}") || !format.contains("{date}") {
        return Err(format!(
            "SNAPSHOT_NAME_FORMAT `{format}` must contain both {{resource}} and {{date}}"
        ));
    }
    let sample = render(format, "web-1", ResourceType::Instance, "2026-11-21");
    validate_snapshot_name(&sample)
        .map_err(|reason| format!("SNAPSHOT_NAME_FORMAT `{format}` gives bad names: {reason}"))
}

fn render(format: &str, resource: &str, resource_type: ResourceType, date: &str) -> String {
    format
        .replace("{resource}", resource)
        .replace("{date}", date)
        .replace("{type}", resource_type.lowercase())
}

/// The name of the manual copy of `resource`'s automatic snapshot of `date`.
///
/// Too long a name is shortened by cutting the resource part and appending a hash of the full
/// resource name, so it stays deterministic and distinct.
pub fn copy_name(
    format: &str,
    resource: &str,
    resource_type: ResourceType,
    date: Date,
) -> Result<String, String> {
    let sanitised = sanitise(resource);
    let date = date.to_string();
    let mut name = render(format, &sanitised, resource_type, &date);
    if name.len() > MAX_NAME_LEN {
        let suffix = format!("-{:08x}", fnv1a(resource));
        let fixed = name.len() - sanitised.len();
        let keep = MAX_NAME_LEN.saturating_sub(fixed + suffix.len());
        // Sanitised names are ASCII, so slicing by bytes is slicing by characters.
        let mut short = sanitised[..keep.min(sanitised.len())].to_string();
        short.push_str(&suffix);
        name = render(format, &short, resource_type, &date);
    }
    validate_snapshot_name(&name)?;
    Ok(name)
}

/// Checks a region name (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`): letters, then
/// digits, in dash-separated parts as AWS names its regions.
pub fn validate_region(name: &str) -> Result<(), String> {
    let lower = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase());
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = name.split('-').collect();
    let ok = match parts.as_slice() {
        [geo, area, n] => geo.len() == 2 && lower(geo) && lower(area) && digits(n),
        [geo, "gov", area, n] => geo.len() == 2 && lower(geo) && lower(area) && digits(n),
        _ => false,
    };
    match ok {
        true => Ok(()),
        false => Err(format!(
            "`{name}` is not an AWS region name such as eu-west-1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::time::test_util::day;

    #[test]
    fn resource_names() {
        let cases: &[(&str, bool)] = &[
            ("web-1", true),
            ("shop.example.com", true),
            ("a", true),
            ("data_disk_2", true),
            ("", false),
            ("-web", false),
            ("web.", false),
            ("web 1", false),
            ("web/1", false),
            ("wéb", false),
        ];
        for (name, ok) in cases {
            assert_eq!(validate_resource_name(name).is_ok(), *ok, "{name}");
        }
        assert!(validate_resource_name(&"a".repeat(255)).is_ok());
        assert!(validate_resource_name(&"a".repeat(256)).is_err());
    }

    #[test]
    fn copy_names_are_sanitised_and_deterministic() {
        let cases = [
            ("web-1", "web-1-export-2026-11-21"),
            ("shop.example.com", "shop-example-com-export-2026-11-21"),
            ("db_main", "db_main-export-2026-11-21"),
        ];
        for (resource, expected) in cases {
            let name = copy_name(
                DEFAULT_FORMAT,
                resource,
                ResourceType::Instance,
                day("2026-11-21"),
            );
            assert_eq!(name.as_deref(), Ok(expected));
        }
        let custom = copy_name(
            "nightly-{type}-{resource}-{date}",
            "d.1",
            ResourceType::Disk,
            day("2026-01-02"),
        );
        assert_eq!(custom.as_deref(), Ok("nightly-disk-d-1-2026-01-02"));
    }

    #[test]
    fn long_names_are_shortened_distinctly() {
        let a = format!("{}a", "x".repeat(254));
        let b = format!("{}b", "x".repeat(254));
        let name_a = copy_name(
            DEFAULT_FORMAT,
            &a,
            ResourceType::Instance,
            day("2026-11-21"),
        )
        .unwrap();
        let name_b = copy_name(
            DEFAULT_FORMAT,
            &b,
            ResourceType::Instance,
            day("2026-11-21"),
        )
        .unwrap();
        assert_eq!(name_a.len(), MAX_NAME_LEN);
        assert!(name_a.ends_with("-export-2026-11-21"));
        assert_ne!(name_a, name_b);
        assert_eq!(
            name_a,
            copy_name(
                DEFAULT_FORMAT,
                &a,
                ResourceType::Instance,
                day("2026-11-21")
            )
            .unwrap()
        );
    }

    #[test]
    fn formats() {
        assert!(validate_format(DEFAULT_FORMAT).is_ok());
        assert!(validate_format("{resource}").is_err());
        assert!(validate_format("{date}").is_err());
        assert!(validate_format("{resource}.{date}").is_err());
        assert!(validate_format("-{resource}-{date}").is_err());
    }

    #[test]
    fn snapshot_names() {
        for (name, ok) in [
            ("ab", true),
            ("a-b_c", true),
            ("a", false),
            ("a.b", false),
            ("-ab", false),
            ("ab-", false),
        ] {
            assert_eq!(validate_snapshot_name(name).is_ok(), ok, "{name}");
        }
    }
}
