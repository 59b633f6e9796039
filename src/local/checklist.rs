//! The doctor's report for a person (`cargo local doctor`): one line per check with its fix,
//! then what this account's Lightsail showed of each emulator switch.

use crate::model::doctor::{CheckStatus, Report};

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => "[ok]  ",
        CheckStatus::Info => "[info]",
        CheckStatus::Warn => "[warn]",
        CheckStatus::Fail => "[FAIL]",
    }
}

/// The checklist, then the guesses, as plain text.
pub fn text(report: &Report) -> String {
    let account = report.account.as_deref().unwrap_or("unknown account");
    let mut lines = vec![format!(
        "lightsail-export doctor: {account}, region {} (resources in {}): {}",
        report.region,
        report.source_region,
        report.status.as_str()
    )];
    lines.push(String::new());
    for check in &report.checks {
        let about = match &check.subject {
            Some(subject) => format!("{} {subject}", check.check),
            None => check.check.to_string(),
        };
        lines.push(format!("{} {about}: {}", mark(check.status), check.detail));
        if let Some(fix) = &check.fix {
            lines.push(format!("       fix: {fix}"));
        }
    }
    lines.push(String::new());
    lines.push("What this account's Lightsail does (the emulator's switch of each; attach this to an issue):".into());
    for guess in &report.guesses {
        let value = guess.value.as_ref().map_or_else(
            || "?".to_string(),
            |v| v.to_string().trim_matches('"').to_string(),
        );
        lines.push(format!(
            "  {:<30} {:<14} {}",
            guess.switch, value, guess.observed
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::doctor::{Check, Guess};

    #[test]
    fn a_failed_check_shows_its_fix_and_an_unknown_guess_a_question_mark() {
        let report = Report {
            status: CheckStatus::Fail,
            account: Some("123456789012".into()),
            region: "us-east-1".into(),
            source_region: "us-east-1".into(),
            checks: vec![Check {
                check: "autoSnapshots",
                subject: Some("web-1".into()),
                status: CheckStatus::Fail,
                detail: "automatic snapshots are off".into(),
                fix: Some("aws lightsail enable-add-on".into()),
            }],
            guesses: vec![
                Guess {
                    switch: "pageSize",
                    value: Some(20.into()),
                    observed: "first pages".into(),
                },
                Guess {
                    switch: "destinationInfo",
                    value: None,
                    observed: "no export is Started".into(),
                },
            ],
        };
        let text = text(&report);
        assert!(
            text.starts_with("lightsail-export doctor: 123456789012, region us-east-1"),
            "{text}"
        );
        assert!(text.contains("[FAIL] autoSnapshots web-1: automatic snapshots are off\n       fix: aws lightsail enable-add-on"), "{text}");
        assert!(text.contains("pageSize") && text.contains(" 20 "), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("destinationInfo") && l.contains(" ? ")),
            "{text}"
        );
    }
}
