//! Developer tasks, reached by `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `tidy`: the architecture's rules that prose alone would let drift (also run as a test
//!   by `cargo test --workspace`, so CI enforces them).
//! - `demo`: the README's main job: build samskap, load the fixture study into a fresh
//!   store and write its report to `out/`.
//! - `bench agreement`: samskap's agreement against the Python `krippendorff` package on a
//!   10 coders × 1,000,000 units file, time and peak memory side by side.
//! - `bench api`: `samskap serve` under load on loopback (wrk): an analytics read, an
//!   attendance write and coding writes (from 1 and 16 clients) over a generated 50-group
//!   study, throughput and latency beside the targets and, for codings, Taguette's.
//! - `bench scale [--sizes N,N,…] [--timeout SECS] [--json OUT]`: every command on
//!   generated studies of 10k, 100k and 1M codings, beside the baselines (`sqlite3 .import`,
//!   Python `krippendorff` with pandas), the growth between sizes and a verdict per target.
//! - `gen --informants N --codings M [--coders K] [--groups G] [--seed S] [--force] OUT`: a
//!   synthetic study of any size as a bundle, the same bytes for the same parameters.
//! - `crash [TRIALS]`: the crash-safety test with many more SIGKILLs per operation than CI
//!   runs (default 200).
//! - `props [CASES]`: the property tests over untrusted input with many more cases than CI
//!   runs (default 20,000).
//! - `man`: the manual pages, `samskap.1` and one per subcommand, into `target/man/`.
//! - `help` (or `--help`, `-h`, no task): the tasks, and exit 0.

mod bench;
mod bench_api;
mod bench_scale;
mod gen;
mod measure;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "tidy" => {
            let problems = tidy::check(&root())?;
            for p in &problems {
                eprintln!("tidy: {p}");
            }
            if !problems.is_empty() {
                bail!("{} tidy problem(s)", problems.len());
            }
            println!("tidy: ok");
            Ok(())
        }
        "demo" => demo(),
        "bench" => match std::env::args().nth(2).as_deref() {
            Some("agreement") => bench::agreement(),
            Some("api") => bench_api::api(),
            Some("scale") => bench_scale::main(&std::env::args().skip(3).collect::<Vec<_>>()),
            _ => bail!("usage: cargo xtask bench <agreement|api|scale>"),
        },
        "gen" => gen::main(&std::env::args().skip(2).collect::<Vec<_>>()),
        "crash" => longer_test(
            &["-p", "samskap-cli", "--test", "crash"],
            "SAMSKAP_CRASH_TRIALS",
            "200",
        ),
        "props" => longer_test(
            &[
                "-p",
                "samskap-store",
                "--test",
                "untrusted",
                "-p",
                "samskap-core",
                "--test",
                "props",
            ],
            "PROPTEST_CASES",
            "20000",
        ),
        "man" => run(Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "-p", "samskap-cli", "--", "man", "--out"])
            .arg(root().join("target/man"))),
        "" | "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("no task `{other}`\n\n{USAGE}"),
    }
}

/// Runs a test target with a larger count than CI's, given as the task's second argument.
/// What `cargo xtask help` prints.
const USAGE: &str = "\
usage: cargo xtask <task>

  tidy                        the architecture's rules (also a test)
  demo                        the README's main job: the fixture study's report in out/
  bench agreement             agreement against Python's krippendorff, 10 coders x 1M units
  bench api                   samskap serve under load (wrk)
  bench scale [--sizes N,..] [--timeout SECS] [--json OUT]
                              every command on generated studies, beside the baselines
  gen OPTIONS OUT             a synthetic study as a bundle (--informants N --codings M ...)
  crash [TRIALS]              the crash-safety test with more SIGKILLs (default 200)
  props [CASES]               the property tests with more cases (default 20000)
  man                         the manual pages into target/man/
  help                        this
";

fn longer_test(target: &[&str], var: &str, default: &str) -> anyhow::Result<()> {
    let count = std::env::args()
        .nth(2)
        .unwrap_or_else(|| default.to_owned());
    anyhow::ensure!(
        count.parse::<u64>().is_ok(),
        "the count must be a number, not `{count}`"
    );
    run(Command::new(env!("CARGO"))
        .current_dir(root())
        .env(var, &count)
        .arg("test")
        .args(target)
        .args(["--", "--nocapture"]))
}

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

pub(crate) fn run(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Builds samskap in release mode and returns the binary's path.
pub(crate) fn build_release() -> anyhow::Result<PathBuf> {
    let root = root();
    run(Command::new(env!("CARGO")).current_dir(&root).args([
        "build",
        "--release",
        "-p",
        "samskap-cli",
    ]))?;
    // Where cargo put it: `CARGO_TARGET_DIR` when set (relative to the workspace), else
    // `target/`. A binary left in `target/` by an older build must never stand in for it.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| root.join("target"), |d| root.join(d));
    Ok(target.join("release/samskap"))
}

fn demo() -> anyhow::Result<()> {
    let root = root();
    let bin = build_release()?;
    let db = root.join("out/samskap.db");
    std::fs::create_dir_all(root.join("out"))?;
    for f in ["samskap.db", "samskap.db-wal", "samskap.db-shm"] {
        let _ = std::fs::remove_file(root.join("out").join(f));
    }
    let samskap = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.current_dir(&root).arg("--db").arg(&db).args(args);
        c
    };
    // Two studies, each said for what it is: the thesis's published material only, and an
    // illustration with fictional informants for what the thesis cannot supply.
    run(&mut samskap(&["import", "fixtures/ung-inkludering"]))?;
    run(&mut samskap(&["import", "fixtures/ung-inkludering-demo"]))?;
    println!(
        "\n== Research data: what the thesis published (fixtures/ung-inkludering) ==\n\
         Its 47 chapter-4 quotes as one document, placed where the thesis places them (coder\n\
         `thesis`); no quote is tied to an informant, so every count of informants is 0.\n"
    );
    let thesis = ["--study", "ung-inkludering"];
    run(&mut samskap(&[&thesis[..], &["sources"]].concat()))?;
    run(&mut samskap(
        &[&thesis[..], &["matrix", "--by", "top"]].concat(),
    ))?;
    run(&mut samskap(
        &[&thesis[..], &["report", "--out", "out/report"]].concat(),
    ))?;
    println!(
        "\n== Illustration, not research data: fictional informants (fixtures/ung-inkludering-demo) ==\n\
         The same quotes given to six made-up informants, a second coder and a facilitation\n\
         record, all invented, to show agreement between coders and the facilitators' record.\n"
    );
    let demo = ["--study", "ung-inkludering-demo"];
    run(&mut samskap(&[&demo[..], &["agreement"]].concat()))?;
    run(&mut samskap(&[&demo[..], &["assess", "list"]].concat()))?;
    run(&mut samskap(
        &[&demo[..], &["report", "--out", "out/report-demo"]].concat(),
    ))?;
    println!(
        "\nreports: out/report/report.{{md,html,docx}} (the thesis's material) and \
         out/report-demo/report.{{md,html,docx}} (the illustration, marked so on its first line)"
    );
    Ok(())
}
