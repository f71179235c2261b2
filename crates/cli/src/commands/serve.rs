//! `samskap serve`: the HTTP API, and the browser pages under `/app/`, until Ctrl-C or
//! SIGTERM.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::args::Cli;

/// Where to listen, and the limits on what clients may hold (defaults: `samskap_api::Limits`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, `HOST:PORT` (loopback by default; a name such as
    /// `localhost:7878` is looked up, and its first IPv4 address taken if it has one).
    #[arg(long, default_value = "127.0.0.1:7878", value_parser = parse_addr)]
    pub addr: std::net::SocketAddr,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = samskap_api::Limits::default().max_connections)]
    pub max_connections: usize,
    /// Seconds a connection has to send a request's head (also the idle keep-alive time).
    #[arg(long, value_name = "SECS", default_value_t = samskap_api::Limits::default().header_timeout.as_secs())]
    pub header_timeout: u64,
    /// Seconds a request has to send its body.
    #[arg(long, value_name = "SECS", default_value_t = samskap_api::Limits::default().body_timeout.as_secs())]
    pub body_timeout: u64,
    /// Create the store when there is none (as `samskap init` would), rather than refuse.
    #[arg(long)]
    pub create: bool,
    /// Failed authentications one client address may make per minute before it gets 429.
    #[arg(long, value_name = "N", default_value_t = samskap_api::Limits::default().auth_failures)]
    pub auth_failures: u32,
}

fn parse_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    let found: Vec<std::net::SocketAddr> = s
        .to_socket_addrs()
        .map_err(|e| format!("`{s}` is not HOST:PORT that resolves ({e})"))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| format!("`{s}` resolves to no address"))
}

pub fn run(cli: &Cli, args: &ServeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    // A mistyped --db must not quietly serve a new, empty store: refuse as every other
    // command does, unless asked to create it. Opening also brings an older store up to date.
    if args.create {
        samskap_store::Store::open(&cli.db)?;
    } else {
        super::open_store(cli)?;
    }
    let addr = args.addr;
    let limits = samskap_api::Limits {
        max_connections: args.max_connections,
        header_timeout: Duration::from_secs(args.header_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        auth_failures: args.auth_failures,
        ..samskap_api::Limits::default()
    };
    // One log line per request on stderr; RUST_LOG adjusts the level.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        writeln!(
            out,
            "serving {} on http://{}",
            cli.db.display(),
            listener.local_addr()?
        )?;
        out.flush()?;
        // The API and the browser pages over one state: one writer, one throttle.
        let state = samskap_api::AppState::new(cli.db.clone(), &limits)?;
        let app = samskap_api::app_with(state.clone(), samskap_web::pages(state));
        samskap_api::serve_app(listener, app, &limits, samskap_api::shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    writeln!(out, "stopped")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_addr;

    #[test]
    fn an_address_may_name_its_host() {
        assert_eq!(
            parse_addr("127.0.0.1:7878").unwrap().to_string(),
            "127.0.0.1:7878"
        );
        let local = parse_addr("localhost:7878").unwrap();
        assert!(local.ip().is_loopback() && local.port() == 7878, "{local}");
        assert!(parse_addr("localhost").is_err(), "a port is needed");
        assert!(parse_addr("[::1]:80").unwrap().is_ipv6());
    }
}
