//! Tonight's choice of drills.

use super::*;

#[test]
fn tonight_s_drills_are_the_oldest_due_within_the_budget() {
    let today = day("2026-12-04");
    type Case<'a> = (&'a str, Vec<Candidate<'a>>, DrillPolicy, &'a [&'a str]);
    let cases: Vec<Case<'_>> = vec![
        (
            "off",
            vec![candidate("a", true, None, false)],
            policy(None, 5),
            &[],
        ),
        (
            "never drilled goes first, then the oldest",
            vec![
                candidate("a", true, Some(9.0), false),
                candidate("b", true, None, false),
                candidate("c", true, Some(20.0), false),
            ],
            policy(Some(7), 2),
            &["b", "c"],
        ),
        (
            "not due yet",
            vec![candidate("a", true, Some(3.0), false)],
            policy(Some(7), 2),
            &[],
        ),
        (
            "due to the day",
            vec![candidate("a", true, Some(7.0), false)],
            policy(Some(7), 2),
            &["a"],
        ),
        (
            "not exported yet",
            vec![candidate("a", false, None, false)],
            policy(Some(1), 2),
            &[],
        ),
        (
            "a drill under way counts against the night and is not started again",
            vec![
                candidate("a", true, None, true),
                candidate("b", true, None, false),
            ],
            policy(Some(1), 1),
            &[],
        ),
        (
            "drilled today counts against the night",
            vec![
                candidate("a", true, Some(0.1), false),
                candidate("b", true, None, false),
                candidate("c", true, None, false),
            ],
            policy(Some(1), 2),
            &["b"],
        ),
        (
            "ties by name",
            vec![
                candidate("z", true, None, false),
                candidate("m", true, None, false),
            ],
            policy(Some(1), 1),
            &["m"],
        ),
    ];
    for (label, candidates, policy, expected) in cases {
        assert_eq!(
            names(chosen(&candidates, &policy, today)),
            expected,
            "{label}"
        );
    }
}

#[test]
fn on_demand_every_exported_target_not_drilled_today_is_drilled() {
    let today = day("2026-12-04");
    let on_demand = DrillPolicy {
        on_demand: true,
        ..policy(None, 1)
    };
    let candidates = [
        candidate("a", true, Some(1.0), false),
        candidate("b", true, Some(0.1), false),
        candidate("c", true, None, false),
        candidate("d", false, None, false),
    ];
    assert_eq!(names(chosen(&candidates, &on_demand, today)), ["a", "c"]);
}
