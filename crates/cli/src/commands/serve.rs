//! `samskap serve`: the HTTP API until Ctrl-C or SIGTERM.

use std::io::Write;

use anyhow::Context;

use crate::args::Cli;

pub fn run(cli: &Cli, addr: std::net::SocketAddr, out: &mut dyn Write) -> anyhow::Result<()> {
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
        samskap_api::serve(listener, cli.db.clone(), samskap_api::shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    writeln!(out, "stopped")?;
    Ok(())
}
