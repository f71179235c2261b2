//! The facilitators' HTTP API: a thin layer over `samskap-core` and `samskap-store`.
//!
//! Handlers decode the request, check the caller's access, call the store (which checks the
//! model's rules through core) and encode the answer; every error is RFC 9457 problem
//! details. [`serve`] takes a bound listener and a shutdown signal, so tests bind port 0.

mod auth;
mod decode;
mod error;
mod openapi;
mod routes;
mod server;
mod state;
mod throttle;
mod wire;

use std::future::Future;
use std::path::PathBuf;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

pub use auth::{AuditContext, Caller};
pub use decode::{read_body, BODY_LIMIT};
pub use error::{ApiError, Problem};
pub use routes::{contact_readable, member_of, new_id, readable_record, ApiDoc};
pub use server::{ClientAddr, Limits};
pub use state::AppState;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] samskap_store::StoreError),
    /// The listener failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// One log line per request: method, path, status, time taken.
async fn log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// The whole application over the store at `db`, within `limits`.
pub fn app(db: PathBuf, limits: &Limits) -> Result<axum::Router, ServeError> {
    Ok(app_with(AppState::new(db, limits)?, axum::Router::new()))
}

/// The API's routes over `state`, merged with `more` (routes other crates serve over the same
/// state, such as the browser pages), every request logged. `more` must bring no fallback of
/// its own at the top level: unknown paths get the API's 404.
pub fn app_with(state: AppState, more: axum::Router) -> axum::Router {
    routes::router(state)
        .merge(more)
        .layer(middleware::from_fn(log))
}

/// Serves the API on `listener` within [`Limits::default`] until `shutdown` completes, then
/// finishes the requests in flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_with(listener, db, Limits::default(), shutdown).await
}

/// [`serve`] within `limits`.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    db: PathBuf,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = app(db, &limits)?;
    serve_app(listener, app, &limits, shutdown).await
}

/// Serves `app` (made with [`app_with`]) on `listener` within `limits` until `shutdown`
/// completes, then finishes the requests in flight and returns.
pub async fn serve_app(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    server::run(listener, app, limits, shutdown).await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
