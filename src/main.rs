//! The Lambda bootstrap: tracing, configuration, one Lightsail client, the runtime loop.

use lambda_runtime::{service_fn, LambdaEvent};
use lightsail_export::{handler, init_tracing, App, Config};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = App::new(&sdk, Config::from_env());
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handler(event, &app))).await
}
