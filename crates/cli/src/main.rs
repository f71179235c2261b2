//! The `samskap` binary: everything happens in the library's `run`.

fn main() -> std::process::ExitCode {
    samskap_cli::run()
}
