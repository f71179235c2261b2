//! The `samskap` command line: parse the arguments, call the library crates, print tables
//! for people or JSON for machines. Each subcommand lives in its own module under
//! `commands/` with its arguments and its `run`.

mod args;
mod commands;
mod output;
mod progress;
mod suggest;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Runs the command line and returns the process's exit code: 0 on success, 1 on any
/// error (printed on stderr with its causes, each once), 2 on a usage error (clap's own, a
/// bad flag value, or a command that cannot run as called, such as a withdrawal to confirm
/// with no terminal to ask on). With `--json` an error is JSON on stderr too:
/// `{"error": {"kind": "usage"|"error", "message": …, "field": …}}`.
pub fn run() -> ExitCode {
    // Asked before parsing, so that a usage error can answer in JSON too.
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // `--help` and `--version`: what was asked for, not an error.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if json => {
            let rendered = e.render().to_string();
            let message = rendered
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned();
            // `--metric <METRIC>` is the flag `--metric`, as our own errors name it.
            let field = match e.get(clap::error::ContextKind::InvalidArg) {
                Some(clap::error::ContextValue::String(s)) => {
                    Some(s.split_whitespace().next().unwrap_or(s).to_owned())
                }
                _ => None,
            };
            report_json("usage", &message, field);
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    // Buffered: a listing of a hundred thousand quotes is written in large blocks, not a
    // system call per line. What must show at once (`serve`'s address) is flushed.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = commands::run(&cli, &mut stdout).and_then(|()| Ok(stdout.flush()?));
    // What a failed command wrote comes out before its error, as it would unbuffered.
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let usage = e.downcast_ref::<commands::UsageError>().is_some();
            let message = message(&e);
            if cli.json {
                // A usage error of ours names its flag first (`--polarity: …`).
                let field = usage
                    .then(|| message.split_once(": "))
                    .flatten()
                    .map(|(f, _)| f)
                    .filter(|f| f.starts_with("--") && !f.contains(' '))
                    .map(str::to_owned);
                report_json(if usage { "usage" } else { "error" }, &message, field);
            } else {
                let _ = writeln!(std::io::stderr(), "{} {message}", label("error:", "1;31"));
            }
            if usage {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// An error and its causes, each said once: an I/O error that the context around it
/// already quotes (`sources/I9.txt: No such file or directory`) is not said again.
pub(crate) fn message(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let m = cause.to_string();
        if m.is_empty() || parts.iter().any(|p| p.contains(&m)) {
            continue;
        }
        // A cause that repeats the context before it and says more (`nosuchdir` then
        // `nosuchdir: not a directory`) takes its place.
        match parts.last_mut() {
            Some(last) if m.starts_with(&format!("{last}: ")) => *last = m,
            _ => parts.push(m),
        }
    }
    parts.join(": ")
}

fn report_json(kind: &str, message: &str, field: Option<String>) {
    let e = serde_json::json!({"error": {"kind": kind, "message": message, "field": field}});
    let _ = writeln!(std::io::stderr(), "{e}");
}

/// Says `message` on stderr as a `warning:`, which a terminal shows in yellow: something
/// the command did or found that the user should know of, though it did not fail.
pub(crate) fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "{} {message}", label("warning:", "1;33"));
}

/// `error:` (bold red, SGR `1;31`) or `warning:` (bold yellow) coloured on a terminal,
/// unless `NO_COLOR` is set (no-color.org); plain when stderr is a file or a pipe.
fn label(text: &str, sgr: &str) -> String {
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if colour {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
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

#[cfg(test)]
mod message_tests {
    use super::message;

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = anyhow::Error::new(io).context("No such file or directory");
        assert_eq!(message(&e), "No such file or directory");
        let e = anyhow::anyhow!("nosuchdir: not a directory").context("nosuchdir");
        assert_eq!(message(&e), "nosuchdir: not a directory");
        let e = anyhow::anyhow!("disk full").context("writing r/report.md");
        assert_eq!(message(&e), "writing r/report.md: disk full");
    }
}
