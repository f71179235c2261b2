//! The `samskap` command line: parse the arguments, call the library crates, print tables
//! for people or JSON for machines. Each subcommand lives in its own module under
//! `commands/` with its arguments and its `run`.

mod args;
mod commands;
mod output;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Runs the command line and returns the process's exit code: 0 on success, 1 on any
/// error (printed on stderr with its causes), 2 on a usage error (clap's own, or a command
/// that cannot run as called, such as a withdrawal to confirm with no terminal to ask on).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Buffered: a listing of a hundred thousand quotes is written in large blocks, not a
    // system call per line. What must show at once (`serve`'s address) is flushed.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = commands::run(&cli, &mut stdout).and_then(|()| Ok(stdout.flush()?));
    // What a failed command wrote comes out before its error, as it would unbuffered.
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<commands::UsageError>().is_some() => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `samskap quotes | head` closes our stdout early: that is the reader's choice, not an
/// error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
