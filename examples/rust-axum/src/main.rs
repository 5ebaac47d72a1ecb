//! Serves the app on 0.0.0.0:$PORT (8080 by default) until SIGTERM or
//! Ctrl-C, then finishes the requests under way and exits.

use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let listener = TcpListener::bind(format!("0.0.0.0:{port}")).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, rust_axum::app())
        .with_graceful_shutdown(shutdown())
        .await
}

/// Resolves on SIGTERM (docker stop) or SIGINT: as PID 1 the app gets no
/// default handling of either.
async fn shutdown() {
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
