//! Progress of a local run on stderr: a bar per target on a terminal, a line per change
//! otherwise (CI logs, pipes).

use std::collections::HashMap;
use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::{Action, Phase};
use crate::report::{Output, TargetReport};

/// What a target is doing, in a few words: actions, copy, export and its EC2 id, error.
fn detail(target: &TargetReport) -> String {
    let mut detail = Vec::new();
    if !target.actions.is_empty() {
        detail.push(target.actions.join("+"));
    }
    if let Some(name) = &target.snapshot_name {
        detail.push(name.clone());
    }
    if let Some(record) = &target.export_record {
        match &record.destination {
            Some(d) => detail.push(format!(
                "export {} -> {} ({})",
                record.state, d.id, d.service
            )),
            None => detail.push(format!("export {}", record.state)),
        }
    }
    if let Some(today) = &target.auto_snapshot_today {
        let window = today
            .time_of_day
            .as_deref()
            .map_or(String::new(), |t| format!(", window {t} UTC"));
        detail.push(format!(
            "(today's automatic snapshot: {}{window})",
            today.status
        ));
    }
    if !target.ec2_actions.is_empty() {
        detail.push(format!("EC2 {}", target.ec2_actions.join("+")));
    }
    if let Some(ec2) = target.export_record.as_ref().and_then(|r| r.ec2.as_ref()) {
        detail.push(format!("EC2 {} ({} GiB)", ec2.state, ec2.size_gib));
    }
    if !target.retired.is_empty() {
        detail.push(format!("retired {}", target.retired.join(", ")));
    }
    if !target.deleted.is_empty() {
        detail.push(format!("deleted {}", target.deleted.join(", ")));
    }
    if let Some(error) = &target.error {
        detail.push(format!("{:?}: {}", error.kind, error.message));
    }
    if let Some(drill) = &target.restore_test {
        detail.push(drill_detail(drill));
    } else if let Some(last) = &target.last_restore_test {
        detail.push(format!(
            "last restore test {} {}",
            last.state.as_str(),
            last.finished_at
        ));
    }
    detail.join("  ")
}

/// A restore drill, in a few words: its state and step, what it booted, how long it took.
fn drill_detail(drill: &crate::report::drill::RestoreTestReport) -> String {
    let mut words = vec![format!("restore test {}", drill.state.as_str())];
    words.extend(drill.step.clone());
    words.extend(drill.id.clone());
    words.extend(drill.instance_type.clone());
    if let Some(boot) = drill.boot_seconds {
        words.push(format!("ready in {boot} s"));
    }
    if let Some(usd) = drill.estimated_usd {
        words.push(format!("~${usd:.4}"));
    }
    if let Some(reason) = &drill.reason {
        words.push(format!("({reason})"));
    }
    words.join(" ")
}

fn progress_line(round: u32, target: &TargetReport) -> String {
    let kind = target
        .resource_type
        .map_or("-".to_string(), |k| format!("{k:?}"));
    format!(
        "round {round:>2}  {:<24} {:<8} {:<10} {:<9}  {}",
        target.resource,
        kind,
        target.auto_snapshot_date.as_deref().unwrap_or("-"),
        target.phase.as_str(),
        detail(target)
    )
}

/// Progress: a bar per target on a terminal, else a line per change (logs, CI, pipes).
pub(super) enum Progress {
    Bars {
        multi: MultiProgress,
        bars: HashMap<String, ProgressBar>,
    },
    Lines {
        last: HashMap<String, String>,
    },
    Silent,
}

impl Progress {
    pub(super) fn new(quiet: bool) -> Progress {
        if quiet {
            Progress::Silent
        } else if std::io::stderr().is_terminal() {
            Progress::Bars {
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                bars: HashMap::new(),
            }
        } else {
            Progress::Lines {
                last: HashMap::new(),
            }
        }
    }

    pub(super) fn show(&mut self, round: u32, output: &Output) {
        match self {
            Progress::Silent => {}
            Progress::Lines { last } => {
                for target in &output.targets {
                    // Only what changed since the previous round, so progress reads as a story.
                    let line = progress_line(round, target);
                    let key = format!("{:?}{}", target.phase, detail(target));
                    if last.get(&target.resource) != Some(&key) {
                        eprintln!("{line}");
                        last.insert(target.resource.clone(), key);
                    }
                }
            }
            Progress::Bars { multi, bars } => {
                let style = ProgressStyle::with_template("{prefix:<24} [{bar:12}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                for target in &output.targets {
                    let bar = bars.entry(target.resource.clone()).or_insert_with(|| {
                        let bar = multi.add(ProgressBar::new(3));
                        bar.set_style(style.clone());
                        bar.set_prefix(target.resource.clone());
                        bar
                    });
                    if bar.is_finished() {
                        continue;
                    }
                    // copy made, exported: three steps; a failure freezes the bar where it was.
                    let step = match target.phase {
                        Phase::Copying
                            if target
                                .actions
                                .iter()
                                .any(|a| a == Action::CopySnapshot.as_str()) =>
                        {
                            1
                        }
                        Phase::Copying => bar.position(),
                        Phase::Exporting => 2,
                        Phase::Exported => 3,
                        Phase::Failed => bar.position(),
                    };
                    bar.set_position(step);
                    bar.set_message(format!(
                        "round {round}  {}  {}",
                        target.phase.as_str(),
                        detail(target)
                    ));
                    let drilling = (target.restore_test.as_ref())
                        .is_some_and(|d| d.state == crate::model::drill::DrillState::Running);
                    if !target.phase.in_progress() && !drilling {
                        bar.finish();
                    }
                }
            }
        }
    }
}

/// The keep rules' verdict per target, as a small table: each export (or run of exports)
/// kept, its date, id, tier and the rules that keep it, then what was retired tonight.
pub(super) fn kept_table(output: &Output) -> String {
    use crate::report::kept::KeptEntry;
    let id = |e: &KeptEntry| match (&e.id, e.count, &e.oldest) {
        (Some(id), _, _) => id.clone(),
        (None, Some(n), Some(oldest)) => format!("{n} exports from {oldest}"),
        (None, n, _) => format!("{} exports", n.unwrap_or(1)),
    };
    let mut lines = Vec::new();
    for target in output.targets.iter().filter(|t| !t.kept.is_empty()) {
        lines.push(format!("kept of {}:", target.resource));
        for entry in &target.kept {
            let rules: Vec<&str> = entry.rules.iter().map(|r| r.as_str()).collect();
            lines.push(format!(
                "  {:<10}  {:<32}  {:<8}  {}",
                entry.date.as_deref().unwrap_or("?"),
                id(entry),
                entry.tier.as_deref().unwrap_or("standard"),
                rules.join(", ")
            ));
        }
        for entry in &target.retired_tonight {
            lines.push(format!(
                "  {:<10}  {:<32}  retired tonight",
                entry.date.as_deref().unwrap_or("?"),
                id(entry)
            ));
        }
    }
    lines.join("\n")
}
