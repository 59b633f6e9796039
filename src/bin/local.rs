//! `lightsail-export-local`: run the nightly job from a terminal, or see what exists
//! (see the README).

use clap::{Args, Parser, Subcommand, ValueEnum};
use lightsail_export::local::{checklist, inventory};
use lightsail_export::local::{doctor, run, status, Endpoint, RunOptions};
use lightsail_export::model::doctor::CheckStatus;
use lightsail_export::report::Status;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    version,
    about = "Run lightsail-export locally: against the embedded Lightsail emulator, a standalone one, or real AWS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Where {
    /// Run against the embedded emulator with this scenario (`demo` or a YAML/JSON file).
    /// Without it (and without --endpoint-url), talk to real AWS with your usual credentials.
    #[arg(long, value_name = "SCENARIO")]
    emulator: Option<String>,
    /// A Lightsail endpoint, e.g. a standalone emulator: http://127.0.0.1:9010
    #[arg(long, value_name = "URL", conflicts_with = "emulator")]
    endpoint_url: Option<String>,
    /// AWS region (real AWS: else AWS_REGION / your profile's).
    #[arg(long)]
    region: Option<String>,
    /// Instance or disk names (comma-separated); else TARGETS / TARGET_TAG.
    #[arg(long, value_delimiter = ',')]
    targets: Vec<String>,
    /// Resources with this tag (`key` or `key=value`).
    #[arg(long)]
    tag: Option<String>,
    /// `text` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run rounds until every target is exported or failed, showing progress; print the final
    /// output (the Step Functions execution output) on stdout.
    Run {
        #[command(flatten)]
        at: Where,
        /// Export the automatic snapshot of this date (YYYY-MM-DD) instead of the newest.
        #[arg(long)]
        restore_date: Option<String>,
        /// One round, no writes: show the writes that would be made.
        #[arg(long)]
        dry_run: bool,
        /// Stop after this many rounds even if work remains.
        #[arg(long, default_value_t = 100)]
        max_rounds: u32,
        /// With --emulator: simulated nights, one after the other (default 3: the third retires
        /// the first night's exports, EC2_KEEP being 2 unless set). Elsewhere: one.
        #[arg(long)]
        nights: Option<u32>,
    },
    /// A table of each target's latest copy and export record: state, AMI / EBS id, age.
    Status {
        #[command(flatten)]
        at: Where,
    },
    /// Read-only checks of an account before its first night, each with its fix, and what its
    /// Lightsail does wherever a harmless read shows it (docs/first-night.md). Exits 2 when a
    /// check fails.
    Doctor {
        #[command(flatten)]
        at: Where,
        /// The nights' EventBridge schedule, checked against each target's automatic
        /// snapshot time (else SCHEDULE_EXPRESSION, else the template's cron(0 7 * * ? *)).
        #[arg(long, value_name = "EXPRESSION")]
        schedule: Option<String>,
        /// The deployed function's role (name or ARN): its permissions are simulated with the
        /// IAM policy simulator (needs iam:SimulatePrincipalPolicy and iam:GetRole on it).
        #[arg(long, value_name = "ROLE")]
        function_role: Option<String>,
    },
}

fn endpoint(at: &Where) -> Endpoint {
    Endpoint {
        emulator: at.emulator.clone(),
        endpoint_url: at.endpoint_url.clone(),
        region: at.region.clone(),
    }
}

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("cannot print the output: {error}"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Run {
            at,
            restore_date,
            dry_run,
            max_rounds,
            nights,
        } => {
            let options = RunOptions {
                endpoint: endpoint(&at),
                targets: at.targets,
                tag: at.tag,
                restore_date,
                dry_run,
                max_rounds,
                nights,
                quiet: at.output == Format::Json,
            };
            match run(options).await {
                Ok(output) => {
                    print_json(&output);
                    match output.status {
                        Status::Failed => ExitCode::from(2),
                        _ => ExitCode::SUCCESS,
                    }
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Doctor {
            at,
            schedule,
            function_role,
        } => {
            let (targets, tag) = (at.targets.clone(), at.tag.clone());
            match doctor(endpoint(&at), targets, tag, schedule, function_role).await {
                Ok(report) => {
                    if at.output == Format::Json {
                        print_json(&serde_json::json!({ "doctor": &report }));
                    } else {
                        println!("{}", checklist::text(&report));
                    }
                    match report.status {
                        CheckStatus::Fail => ExitCode::from(2),
                        _ => ExitCode::SUCCESS,
                    }
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Status { at } => match status(endpoint(&at), at.targets, at.tag).await {
            Ok(rows) if at.output == Format::Json => {
                print_json(&rows);
                ExitCode::SUCCESS
            }
            Ok(rows) => {
                println!("{}", inventory::table(&rows));
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
