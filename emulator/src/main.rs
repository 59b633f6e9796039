//! `lightsail-emulator --scenario <demo|PATH> [--host 127.0.0.1] [--port 9010] [--speed X]`

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use lightsail_emulator::{Emulator, Scenario};

#[derive(Parser)]
#[command(
    version,
    about = "A local Amazon Lightsail endpoint for lightsail-export"
)]
struct Args {
    /// `demo`, `two-regions`, or the path of a scenario file (JSON or YAML).
    #[arg(long, default_value = "demo")]
    scenario: String,
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 9010)]
    port: u16,
    /// Simulated seconds per real second (overrides the scenario's); 0 = manual clock.
    #[arg(long)]
    speed: Option<f64>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut scenario = match Scenario::named_or_file(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lightsail-emulator: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(speed) = args.speed {
        scenario.speed = speed;
    }
    let emulator = match Emulator::start_on(SocketAddr::new(args.host, args.port), scenario).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("lightsail-emulator: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", emulator.url());
    let _ = out.flush();
    tracing::info!(
        speed = emulator.speed(),
        "serving scenario {}",
        args.scenario
    );
    std::future::pending::<()>().await;
    std::process::ExitCode::SUCCESS
}
