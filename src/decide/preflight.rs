//! What one target's observations and failures mean: which resource a name is, whether it may
//! be copied at all, what a failed call does to the target, and how its round ends. Pure
//! functions, tested by table. A refused copy is in `copy`.

use super::target::DateChoice;
use crate::error::{TargetError, TargetErrorKind};
use crate::input::names;
use crate::model::{ManualSnapshot, Phase, Resource, ResourceType};

/// A name that is no resource name, or that gives another target's copy name, goes no further.
pub fn check_name(name: &str, conflict: bool) -> Result<(), TargetError> {
    names::validate_resource_name(name)
        .map_err(|reason| TargetError::new(TargetErrorKind::InvalidResourceName, reason))?;
    if conflict {
        return Err(TargetError::new(
            TargetErrorKind::CopyNameConflict,
            format!(
                "`{name}` and another target give the same copy name (`{}`): rename one",
                names::sanitise(name)
            ),
        ));
    }
    Ok(())
}

/// Which resource a name is, from GetInstance and GetDisk: a name that is both is refused (which
/// one to export is not guessed).
pub fn identify(
    name: &str,
    region: &str,
    instance: Option<Resource>,
    disk: Option<Resource>,
) -> Result<Resource, TargetError> {
    match (instance, disk) {
        (Some(_), Some(_)) => Err(TargetError::new(
            TargetErrorKind::AmbiguousResource,
            format!(
                "`{name}` is both an instance and a disk: export one of them under another name"
            ),
        )),
        (Some(resource), None) | (None, Some(resource)) => Ok(resource),
        (None, None) => Err(TargetError::new(
            TargetErrorKind::ResourceNotFound,
            format!("no instance or disk named `{name}` in {region}"),
        )),
    }
}

/// Snapshots of cPanel & WHM, Django and Ghost instances cannot be exported to EC2.
pub fn exportable_blueprint(blueprint_id: &str, blueprint_name: &str) -> bool {
    let text = format!("{blueprint_id} {blueprint_name}").to_ascii_lowercase();
    !["cpanel", "django", "ghost"]
        .iter()
        .any(|b| text.contains(b))
}

/// The checks on the resource itself, so that nothing useless is ever copied. A date given (the
/// run asked for one or started on one) may still export a snapshot taken before the add-on was
/// turned off: a backfill.
pub fn check_resource(resource: &Resource, date: &DateChoice) -> Result<(), TargetError> {
    let chosen_date = matches!(date, DateChoice::Given(_));
    let name = &resource.name;
    if resource.resource_type == ResourceType::Instance
        && !exportable_blueprint(&resource.blueprint_id, &resource.blueprint_name)
    {
        return Err(TargetError::new(
            TargetErrorKind::NotExportable,
            format!(
                "instance `{name}` runs blueprint `{}`: Lightsail cannot export snapshots of cPanel & WHM, Django or Ghost instances",
                resource.blueprint_id
            ),
        ));
    }
    if resource.auto_snapshots_enabled == Some(false) && !chosen_date {
        return Err(TargetError::new(
            TargetErrorKind::AutoSnapshotsDisabled,
            format!(
                "the automatic-snapshot add-on of `{name}` is off: enable it (Lightsail console, Snapshots tab) to export it nightly"
            ),
        ));
    }
    Ok(())
}

/// A snapshot of the copy's name taken from another resource is somebody else's.
pub fn check_owner(resource: &str, copy: &ManualSnapshot) -> Result<(), TargetError> {
    match copy.from_resource.as_deref() {
        Some(from) if from != resource => Err(TargetError::new(
            TargetErrorKind::CopyNameConflict,
            format!(
                "snapshot `{}` already exists but was taken from `{from}`, not `{resource}`",
                copy.name
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether an existing copy of this run's name is to be tagged as the function's: it exists, is
/// not tagged yet, and was copied from an automatic snapshot (a user's own snapshot bearing the
/// name is never tagged, so retention never deletes it).
pub fn adopt_by_tagging(copy: &ManualSnapshot, managed_tag: &str) -> bool {
    copy.state != crate::model::SnapshotState::Missing
        && copy.from_auto_snapshot != Some(false)
        && copy.tag(managed_tag).is_none()
}

/// How a target's round ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    pub phase: Phase,
    /// Whether the target is still held up, so that its `waitingSince` goes on.
    pub still_waiting: bool,
}

/// How a target's round ends, from the phase it reached and its error: an error that is not
/// transient makes it FAILED; a transient one leaves it in progress (never EXPORTED or FAILED
/// by a transient error). The wait on an automatic snapshot goes on only while the target is
/// held up by one.
pub fn ending(phase: Phase, error: Option<&TargetError>) -> Ending {
    let phase = match error {
        Some(error) if !error.kind.is_transient() => Phase::Failed,
        Some(_) if !phase.in_progress() => Phase::Copying,
        _ => phase,
    };
    let still_waiting = error.is_some_and(|e| {
        e.kind.is_transient() || e.kind == TargetErrorKind::AutoSnapshotWaitExceeded
    });
    Ending {
        phase,
        still_waiting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date given (`true`), or the newest to be chosen.
    fn date_choice(given: bool) -> DateChoice {
        match given {
            true => DateChoice::Given(crate::model::time::test_util::day("2026-11-20")),
            false => DateChoice::Newest,
        }
    }

    fn resource(name: &str, kind: ResourceType, blueprint: &str, add_on: Option<bool>) -> Resource {
        Resource {
            blueprint_id: blueprint.into(),
            auto_snapshots_enabled: add_on,
            ..Resource::test(name, kind)
        }
    }

    #[test]
    fn names_and_identities() {
        assert_eq!(
            check_name("web/1", false).unwrap_err().kind,
            TargetErrorKind::InvalidResourceName
        );
        assert_eq!(
            check_name("web.1", true).unwrap_err().kind,
            TargetErrorKind::CopyNameConflict
        );
        assert!(check_name("web-1", false).is_ok());
        let i = resource("x", ResourceType::Instance, "ubuntu", None);
        let d = resource("x", ResourceType::Disk, "", None);
        let both = identify("x", "us-east-1", Some(i.clone()), Some(d.clone()));
        assert_eq!(both.unwrap_err().kind, TargetErrorKind::AmbiguousResource);
        assert_eq!(
            identify("x", "us-east-1", None, Some(d))
                .unwrap()
                .resource_type,
            ResourceType::Disk
        );
        let none = identify("x", "eu-west-1", None, None).unwrap_err();
        assert_eq!(none.kind, TargetErrorKind::ResourceNotFound);
        assert!(none.message.contains("eu-west-1"));
    }

    #[test]
    fn resource_checks() {
        use TargetErrorKind::*;
        let cases = [
            (
                resource("w", ResourceType::Instance, "ubuntu_22_04", Some(true)),
                false,
                None,
            ),
            (
                resource("g", ResourceType::Instance, "ghost_5", Some(true)),
                false,
                Some(NotExportable),
            ),
            (
                resource("d", ResourceType::Disk, "", Some(false)),
                false,
                Some(AutoSnapshotsDisabled),
            ),
            (
                resource("d", ResourceType::Disk, "", Some(false)),
                true,
                None,
            ),
            (resource("d", ResourceType::Disk, "", None), false, None),
        ];
        for (r, chosen, expected) in cases {
            assert_eq!(
                check_resource(&r, &date_choice(chosen))
                    .err()
                    .map(|e| e.kind),
                expected,
                "{r:?}"
            );
        }
        for (id, name, ok) in [
            ("ubuntu_22_04", "Ubuntu", true),
            ("wordpress", "WordPress", true),
            ("ghost_5", "Ghost", false),
            ("django_4_2", "Django", false),
            ("cpanel_whm_linux", "cPanel & WHM for Linux", false),
            ("custom", "cPanel & WHM", false),
        ] {
            assert_eq!(exportable_blueprint(id, name), ok, "{id}");
        }
    }

    #[test]
    fn endings() {
        use TargetErrorKind::*;
        let error = |kind| TargetError::new(kind, "x");
        for (phase, kind, ends, waits) in [
            (Phase::Exported, Some(Retryable), Phase::Copying, true),
            (Phase::Exporting, Some(Retryable), Phase::Exporting, true),
            (
                Phase::Copying,
                Some(AutoSnapshotWaitExceeded),
                Phase::Failed,
                true,
            ),
            (Phase::Exporting, Some(CopyFailed), Phase::Failed, false),
            (Phase::Exporting, None, Phase::Exporting, false),
            (Phase::Exported, None, Phase::Exported, false),
        ] {
            let got = ending(phase, kind.map(error).as_ref());
            assert_eq!(
                (got.phase, got.still_waiting),
                (ends, waits),
                "{phase:?} {kind:?}"
            );
        }
    }

    #[test]
    fn adopting() {
        use crate::model::SnapshotState;
        let mut copy = ManualSnapshot::missing("c", ResourceType::Instance);
        assert!(!adopt_by_tagging(&copy, "m"));
        copy.state = SnapshotState::Ready;
        assert!(adopt_by_tagging(&copy, "m"));
        copy.from_auto_snapshot = Some(false);
        assert!(
            !adopt_by_tagging(&copy, "m"),
            "a user's snapshot is never tagged"
        );
        copy.from_auto_snapshot = Some(true);
        copy.tags.push(("m".into(), Some("true".into())));
        assert!(!adopt_by_tagging(&copy, "m"));
        let theirs = ManualSnapshot {
            from_resource: Some("other".into()),
            ..copy
        };
        assert_eq!(
            check_owner("web", &theirs).unwrap_err().kind,
            TargetErrorKind::CopyNameConflict
        );
    }
}
