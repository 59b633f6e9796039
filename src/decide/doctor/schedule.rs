//! Whether the nightly schedule runs after a target's automatic snapshot has been taken.
//!
//! Lightsail starts an automatic snapshot at the add-on's `snapshotTimeOfDay` (UTC, on the hour)
//! "or up to 45 minutes after" (developer guide, "Changing the automatic snapshot time"); a night
//! that starts sooner than an hour after it finds that day's snapshot not yet taken or still
//! being taken, and exports the day before's (or waits, `MAX_AUTO_SNAPSHOT_WAIT`).

use crate::model::doctor::{Check, CheckStatus};

use super::check;

/// The part of an automatic snapshot's window the night must clear, in minutes after the
/// snapshot time: the 45-minute start window, and a margin for the snapshot itself.
pub const CLEAR_AFTER_MINUTES: u32 = 60;

/// A time of day, UTC, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyTime(pub u32);

impl DailyTime {
    /// `HH:MM` (Lightsail's `snapshotTimeOfDay`).
    pub fn parse_hh_mm(text: &str) -> Option<DailyTime> {
        let (h, m) = text.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(DailyTime(h * 60 + m))
    }

    /// The time of an EventBridge `cron(M H * * ? *)` that runs once a day, every day (the day
    /// fields `*` or `?`); `None` for any other expression (`rate(…)`, lists, ranges, steps).
    pub fn of_daily_cron(expression: &str) -> Option<DailyTime> {
        let inner = expression.trim().strip_prefix("cron(")?.strip_suffix(')')?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minute, hour, rest @ ..] = fields.as_slice() else {
            return None;
        };
        if rest.len() != 4 || !rest.iter().all(|f| *f == "*" || *f == "?") {
            return None;
        }
        let (m, h): (u32, u32) = (minute.parse().ok()?, hour.parse().ok()?);
        (h < 24 && m < 60).then_some(DailyTime(h * 60 + m))
    }

    /// Minutes from `earlier` to this time, going forward (0 to 1,439).
    pub fn minutes_after(self, earlier: DailyTime) -> u32 {
        (self.0 + 1440 - earlier.0) % 1440
    }
}

impl std::fmt::Display for DailyTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

fn lag(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The nights' schedule: `SCHEDULE_EXPRESSION` in `SCHEDULE_TIMEZONE`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Schedule<'a> {
    pub expression: Option<&'a str>,
    pub timezone: Option<&'a str>,
}

/// Time zones that are UTC all year.
fn is_utc(zone: &str) -> bool {
    matches!(
        zone,
        "UTC"
            | "Etc/UTC"
            | "Etc/UCT"
            | "UCT"
            | "Etc/GMT"
            | "GMT"
            | "Etc/Universal"
            | "Universal"
            | "Zulu"
            | "Etc/Zulu"
    )
}

/// The schedule line of a target whose automatic snapshots start at `time_of_day`.
pub fn check_window(name: &str, time_of_day: Option<&str>, schedule: Schedule) -> Check {
    let subject = Some(name);
    let Some(snapshot) = time_of_day.and_then(DailyTime::parse_hh_mm) else {
        return check("schedule", subject, CheckStatus::Warn, format!("Lightsail did not give `{name}`'s automatic snapshot time ({time_of_day:?})"))
            .fix("aws lightsail get-instances / get-disks: see addOns[].snapshotTimeOfDay, and schedule the nights an hour after it");
    };
    let earliest = DailyTime((snapshot.0 + CLEAR_AFTER_MINUTES) % 1440);
    let Some(expression) = schedule.expression else {
        return check("schedule", subject, CheckStatus::Info, format!("automatic snapshots start at {snapshot} UTC (or up to 45 min later); the schedule is not known here"))
            .fix(format!("schedule the nights at {earliest} UTC or later (ScheduleExpression cron({} {} * * ? *))", earliest.0 % 60, earliest.0 / 60));
    };
    if let Some(zone) = schedule.timezone.filter(|z| !is_utc(z)) {
        // No time-zone database in the function: a zone's offset (and its daylight saving)
        // is not known here.
        return check("schedule", subject, CheckStatus::Info, format!("the nights run on `{expression}` in {zone}; automatic snapshots start at {snapshot} UTC (or up to 45 min later)"))
            .fix(format!("make sure each night starts at {earliest} UTC or later, in every season of {zone}"));
    }
    let Some(night) = DailyTime::of_daily_cron(expression) else {
        return check("schedule", subject, CheckStatus::Info, format!("cannot tell when `{expression}` runs; automatic snapshots start at {snapshot} UTC (or up to 45 min later)"))
            .fix(format!("make sure each night starts at {earliest} UTC or later"));
    };
    let after = night.minutes_after(snapshot);
    if after < CLEAR_AFTER_MINUTES {
        return check("schedule", subject, CheckStatus::Warn, format!("the nights start at {night} UTC, {} after the automatic snapshot time {snapshot} UTC: that day's snapshot may not be taken yet (Lightsail starts it up to 45 min late), so the night exports the day before's or waits for it", lag(after)))
            .fix(format!("ScheduleExpression cron({} {} * * ? *) or later, or move the snapshot time earlier: aws lightsail enable-add-on --resource-name {name} --add-on-request 'addOnType=AutoSnapshot,autoSnapshotAddOnRequest={{snapshotTimeOfDay=HH:00}}'", earliest.0 % 60, earliest.0 / 60));
    }
    check(
        "schedule",
        subject,
        CheckStatus::Ok,
        format!(
            "the nights start at {night} UTC, {} after the automatic snapshot time {snapshot} UTC",
            lag(after)
        ),
    )
}
