//! `lightsail-emulator --scenario <demo|PATH> [--host 127.0.0.1] [--port 9010] [--speed X]
//! [--switch NAME=VALUE]...`, or `lightsail-emulator --list-switches`.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use lightsail_emulator::{Emulator, Scenario, Switches, CATALOG};
use serde_json::{Map, Value};

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
    /// Sets a switch (repeatable), after the scenario's and LIGHTSAIL_EMULATOR_SWITCHES; VALUE is
    /// read as JSON if it parses, else as a string: `--switch errorEnvelope=header --switch pageSize=100`.
    #[arg(long = "switch", value_name = "NAME=VALUE")]
    switches: Vec<String>,
    /// Prints every switch, its values (the default first) and its evidence as JSON, and exits.
    #[arg(long)]
    list_switches: bool,
}

/// The `--switch` arguments as one partial object, checked against the catalog.
fn switch_overrides(args: &[String]) -> Result<Value, String> {
    let mut m = Map::new();
    for arg in args {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("--switch {arg:?} is not NAME=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
        m.insert(name.to_string(), value);
    }
    let m = Value::Object(m);
    Switches::default()
        .merge(m.clone())
        .map_err(|e| format!("--switch: {e}"))?;
    Ok(m)
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
    if args.list_switches {
        let list = serde_json::to_string_pretty(CATALOG).unwrap_or_else(|_| "[]".into());
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{list}");
        return std::process::ExitCode::SUCCESS;
    }
    let overrides = match switch_overrides(&args.switches) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("lightsail-emulator: {e}");
            return std::process::ExitCode::from(2);
        }
    };
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
    let addr = SocketAddr::new(args.host, args.port);
    let emulator = match Emulator::start_with_switches(addr, scenario, overrides).await {
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
