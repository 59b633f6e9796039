//! `lightsail-export-local`: run the nightly job from a terminal (see the README).

use clap::{Parser, Subcommand};
use lightsail_export::local::{run, RunOptions};

#[derive(Parser)]
#[command(
    version,
    about = "Run lightsail-export locally: against the embedded Lightsail emulator, or real AWS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run rounds until every target is exported or failed, showing progress.
    Run {
        /// Run against the embedded emulator with this scenario (`demo` or a YAML/JSON file).
        /// Without it, the run talks to real AWS with your usual credentials.
        #[arg(long, value_name = "SCENARIO")]
        emulator: Option<String>,
        /// AWS region (real AWS: else AWS_REGION / your profile's).
        #[arg(long)]
        region: Option<String>,
        /// Instance or disk names (comma-separated); else TARGETS / TARGET_TAG.
        #[arg(long, value_delimiter = ',')]
        targets: Vec<String>,
        /// Export resources with this tag (`key` or `key=value`).
        #[arg(long)]
        tag: Option<String>,
        /// Export the automatic snapshot of this date (YYYY-MM-DD) instead of the newest.
        #[arg(long)]
        restore_date: Option<String>,
        /// Make no writes; show the writes that would be made.
        #[arg(long)]
        dry_run: bool,
        /// Stop after this many rounds even if work remains.
        #[arg(long, default_value_t = 100)]
        max_rounds: u32,
        /// `text`: progress on stderr and the final output on stdout; `json`: only the output.
        #[arg(long, default_value = "text")]
        output: String,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let Cli {
        command:
            Command::Run {
                emulator,
                region,
                targets,
                tag,
                restore_date,
                dry_run,
                max_rounds,
                output,
            },
    } = Cli::parse();
    let options = RunOptions {
        emulator,
        region,
        targets,
        tag,
        restore_date,
        dry_run,
        max_rounds,
        quiet: output == "json",
    };
    match run(options).await {
        Ok(output) => {
            match serde_json::to_string_pretty(&output) {
                Ok(text) => println!("{text}"),
                Err(error) => eprintln!("cannot print the output: {error}"),
            }
            match output.status {
                lightsail_export::report::Status::Failed => std::process::ExitCode::from(2),
                _ => std::process::ExitCode::SUCCESS,
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
