//! `RESTORE_TEST_*`: the restore drill's settings (off unless `RESTORE_TEST_EVERY_DAYS` is set).

use std::time::Duration;

use super::{parse_duration, parse_number};
use crate::error::Error;

/// The default `RESTORE_TEST_TIMEOUT`: half an hour from the drill's start.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const SHORTEST_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const LONGEST_TIMEOUT: Duration = Duration::from_secs(6 * 3600);

/// What the configuration and the request say of restore drills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillPolicy {
    /// `RESTORE_TEST_EVERY_DAYS`: drill a target whose last drill is at least this old
    /// (`None`: unset or 0, no scheduled drills).
    pub every_days: Option<u32>,
    /// `RESTORE_TEST_MAX_PER_NIGHT`.
    pub max_per_night: u32,
    /// `RESTORE_TEST_TIMEOUT`: from the drill's start.
    pub timeout: Duration,
    /// `RESTORE_TEST_INSTANCE_TYPE`; `None`: by the bundle's memory
    /// (`decide::drill::instance_type`).
    pub instance_type: Option<String>,
    /// `RESTORE_TEST_SUBNET_ID`; `None`: the default subnet of the default VPC.
    pub subnet_id: Option<String>,
    /// `"restoreTest": true` in the request: every exported target of the run, tonight.
    pub on_demand: bool,
}

impl Default for DrillPolicy {
    fn default() -> Self {
        DrillPolicy {
            every_days: None,
            max_per_night: 1,
            timeout: DEFAULT_TIMEOUT,
            instance_type: None,
            subnet_id: None,
            on_demand: false,
        }
    }
}

impl DrillPolicy {
    pub fn enabled(&self) -> bool {
        self.every_days.is_some() || self.on_demand
    }
}

/// An EC2 instance type as RunInstances takes it: `family.size` (`t3.micro`, `m7i-flex.large`).
fn valid_instance_type(text: &str) -> bool {
    let Some((family, size)) = text.split_once('.') else {
        return false;
    };
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    word(family) && word(size) && text.len() <= 32
}

/// Reads the `RESTORE_TEST_*` variables (blank ones were dropped by the caller).
pub fn read(get: &impl Fn(&str) -> Option<String>) -> Result<DrillPolicy, Error> {
    let mut policy = DrillPolicy::default();
    if let Some(text) = get("RESTORE_TEST_EVERY_DAYS") {
        let days = parse_number("RESTORE_TEST_EVERY_DAYS", &text, 0, 3650)?;
        policy.every_days = (days > 0).then_some(days);
    }
    if let Some(text) = get("RESTORE_TEST_MAX_PER_NIGHT") {
        policy.max_per_night = parse_number("RESTORE_TEST_MAX_PER_NIGHT", &text, 1, 100)?;
    }
    if let Some(text) = get("RESTORE_TEST_TIMEOUT") {
        let timeout = parse_duration("RESTORE_TEST_TIMEOUT", &text, LONGEST_TIMEOUT)?;
        if timeout < SHORTEST_TIMEOUT {
            return Err(Error::InvalidConfiguration(format!(
                "RESTORE_TEST_TIMEOUT is `{text}`: at least 5m (an instance takes minutes to boot and pass its status checks)"
            )));
        }
        policy.timeout = timeout;
    }
    if let Some(text) = get("RESTORE_TEST_INSTANCE_TYPE") {
        let text = text.trim();
        if !valid_instance_type(text) {
            return Err(Error::InvalidConfiguration(format!(
                "RESTORE_TEST_INSTANCE_TYPE is `{text}`: expected an EC2 instance type such as t3.micro"
            )));
        }
        policy.instance_type = Some(text.to_string());
    }
    if let Some(text) = get("RESTORE_TEST_SUBNET_ID") {
        let text = text.trim();
        let hex = text.strip_prefix("subnet-").unwrap_or_default();
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::InvalidConfiguration(format!(
                "RESTORE_TEST_SUBNET_ID is `{text}`: expected a subnet id such as subnet-0123456789abcdef0"
            )));
        }
        policy.subnet_id = Some(text.to_string());
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_from(pairs: &[(&str, &str)]) -> Result<DrillPolicy, Error> {
        read(&|key: &str| {
            (pairs.iter())
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn off_by_default_and_read_when_set() {
        assert_eq!(read_from(&[]).unwrap(), DrillPolicy::default());
        assert!(!DrillPolicy::default().enabled());
        assert_eq!(
            read_from(&[("RESTORE_TEST_EVERY_DAYS", "0")])
                .unwrap()
                .every_days,
            None
        );
        let policy = read_from(&[
            ("RESTORE_TEST_EVERY_DAYS", "7"),
            ("RESTORE_TEST_MAX_PER_NIGHT", "2"),
            ("RESTORE_TEST_TIMEOUT", "45m"),
            ("RESTORE_TEST_INSTANCE_TYPE", "m7i-flex.large"),
            ("RESTORE_TEST_SUBNET_ID", "subnet-0123abcd"),
        ])
        .unwrap();
        assert_eq!(
            policy,
            DrillPolicy {
                every_days: Some(7),
                max_per_night: 2,
                timeout: Duration::from_secs(45 * 60),
                instance_type: Some("m7i-flex.large".into()),
                subnet_id: Some("subnet-0123abcd".into()),
                on_demand: false,
            }
        );
        assert!(policy.enabled());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (key, value) in [
            ("RESTORE_TEST_EVERY_DAYS", "weekly"),
            ("RESTORE_TEST_EVERY_DAYS", "-1"),
            ("RESTORE_TEST_MAX_PER_NIGHT", "0"),
            ("RESTORE_TEST_TIMEOUT", "1m"),
            ("RESTORE_TEST_TIMEOUT", "7h"),
            ("RESTORE_TEST_TIMEOUT", "soon"),
            ("RESTORE_TEST_INSTANCE_TYPE", "large"),
            ("RESTORE_TEST_INSTANCE_TYPE", "T3.Micro"),
            ("RESTORE_TEST_SUBNET_ID", "vpc-123"),
            ("RESTORE_TEST_SUBNET_ID", "subnet-xyz"),
        ] {
            let error = read_from(&[(key, value)]).unwrap_err();
            assert_eq!(error.error_type(), "InvalidConfiguration", "{key}={value}");
            assert!(error.to_string().contains(key), "{error}");
        }
    }
}
