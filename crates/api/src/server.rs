//! The connection loop: hyper's HTTP/1 server driven by hand rather than through
//! `axum::serve`, which sets no timer, so that a connection that never finishes its request
//! head is closed, the number of open connections is capped, and shutdown still lets the
//! requests in flight finish.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The numbers that bound what one client can hold of the server. `samskap serve` takes each
/// as a flag; [`Limits::default`] is what it uses without them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once. Past it the server stops accepting until one closes, so
    /// further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Time a connection has to deliver a request head, counted from the moment the server
    /// waits for one: from the accept, and again after each response on a kept-alive
    /// connection. hyper runs the two on one clock, so this is also the idle keep-alive
    /// timeout. The connection is closed when it runs out.
    pub header_timeout: Duration,
    /// Time a request has to deliver its whole body once the server starts reading it
    /// (408 after).
    pub body_timeout: Duration,
    /// Failed authentications a client address may make within `auth_window`; past it the
    /// address gets 429 until its window ends.
    pub auth_failures: u32,
    /// The window failed authentications are counted in.
    pub auth_window: Duration,
    /// Client addresses whose failures are counted at once (the table's cap).
    pub auth_clients: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            auth_failures: 20,
            auth_window: Duration::from_secs(60),
            auth_clients: 10_000,
        }
    }
}

/// The address a request came from, as the connection saw it (a reverse proxy's, behind
/// one).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// Accepts connections on `listener` and serves `app` on each until `shutdown` completes;
/// then stops accepting, lets every connection finish the request it is serving, and
/// returns.
pub async fn run(
    listener: TcpListener,
    app: axum::Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A slot first, then the accept: past the cap, connections wait in the backlog
        // rather than being accepted and left unserved.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let conn = http.serve_connection(TokioIo::new(stream), service(app.clone(), peer));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // Timeouts and clients that go away end here; they are no server error.
                tracing::debug!(error = %e, %peer, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The router as hyper calls it, with the peer's address on every request.
fn service(
    app: axum::Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ClientAddr(peer.ip()));
        // A router is always ready: axum documents calling it without `poll_ready`.
        let mut app = app.clone();
        tower_service::Service::call(&mut app, req)
    })
}

/// An accept that failed: a connection reset before it was accepted is the client's
/// business; anything else (out of file descriptors, say) is logged and waited out briefly,
/// as a busy loop would only fail again.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
