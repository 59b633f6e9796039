//! The HTTP server: accepts connections and routes `/_emulator/` to the admin API, requests
//! signed for STS to `sts`, for IAM to `iam`, EC2 Query requests to EC2 (`ec2::serve`) and everything else to
//! Lightsail (`ops::serve`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http::{DropConnection, HttpResponse};
use crate::state::Shared;

pub struct ServerHandle {
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl ServerHandle {
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.accept.abort();
    }
}

pub async fn serve(
    addr: SocketAddr,
    state: Arc<Shared>,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let accept = tokio::spawn(accept_loop(listener, state, stopped));
    Ok((local, ServerHandle { stop, accept }))
}

async fn accept_loop(listener: TcpListener, state: Arc<Shared>, stopped: watch::Receiver<bool>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // Idle keep-alive connections stay open until the client closes them: a server-side
                // close racing with the SDK's reuse of a pooled connection would look like a fault.
                .header_read_timeout(None)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                result = conn => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                }
                _ = stopped.changed() => {}
            }
        });
    }
}

async fn handle(
    state: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    if req.uri().path().starts_with("/_emulator/") {
        return Ok(crate::admin::handle(&state, req).await);
    }
    if crate::query::signed_for(&req, "sts") {
        return crate::sts::handle(&state, req).await;
    }
    if crate::query::signed_for(&req, "iam") {
        return crate::iam::handle(&state, req).await;
    }
    if crate::ec2::serve::is_ec2(&req) {
        return crate::ec2::serve::handle(&state, req).await;
    }
    crate::ops::serve::handle(&state, req).await
}
