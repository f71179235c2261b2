//! Running one command under GNU time for the benchmarks: wall seconds and the child's
//! peak resident memory, with a time limit after which the command is killed.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Wall seconds (from spawning to exit) and peak resident memory (MiB) of one command that
/// succeeded.
#[derive(Debug, Clone)]
pub struct Measured {
    pub seconds: f64,
    pub peak_mib: f64,
    /// What it printed, when asked for; empty otherwise.
    pub stdout: String,
}

/// How a measured command ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done(Measured),
    /// Killed at the time limit.
    TimedOut(Duration),
    /// Exited with an error: the end of its stderr.
    Failed(String),
}

/// The fastest of `runs` runs of `once` (a busy machine only ever adds time, so the fastest
/// run is the closest to what the command costs); a run that does not finish ends it and is
/// returned instead.
pub fn fastest(
    runs: usize,
    mut once: impl FnMut() -> anyhow::Result<Outcome>,
) -> anyhow::Result<Outcome> {
    let mut best: Option<Measured> = None;
    for _ in 0..runs.max(1) {
        match once()? {
            Outcome::Done(m) => {
                if best.as_ref().is_none_or(|b| m.seconds < b.seconds) {
                    best = Some(m);
                }
            }
            other => return Ok(other),
        }
    }
    Ok(Outcome::Done(best.expect("one run at least")))
}

impl Outcome {
    /// The figures, or an error that says why there are none.
    pub fn done(self) -> anyhow::Result<Measured> {
        match self {
            Outcome::Done(m) => Ok(m),
            Outcome::TimedOut(limit) => bail!("killed after {limit:?}"),
            Outcome::Failed(e) => bail!("{e}"),
        }
    }
}

/// What to do with the command's standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdout {
    /// Keep it, for [`Measured::stdout`].
    Keep,
    /// Throw it away (`/dev/null`): large outputs cost no memory here.
    Discard,
}

/// Scratch files of one measurement, removed when dropped.
struct Scratch(Vec<PathBuf>);

impl Scratch {
    fn new() -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base = std::env::temp_dir().join(format!("xtask-measure-{}-{n}", std::process::id()));
        Scratch(
            ["time", "out", "err"]
                .iter()
                .map(|ext| base.with_extension(ext))
                .collect(),
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn time_binary() -> anyhow::Result<&'static Path> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        bail!("/usr/bin/time is missing: install it (Debian: apt-get install time)");
    }
    Ok(time)
}

/// Runs `program args` under GNU time, which reports the child's own maximum resident set
/// size. With a `limit`, the command's whole process group is killed when it runs longer.
pub fn measure<S: AsRef<OsStr>>(
    program: &Path,
    args: &[S],
    stdout: Stdout,
    limit: Option<Duration>,
) -> anyhow::Result<Outcome> {
    let scratch = Scratch::new();
    let [time_file, out_file, err_file] = &scratch.0[..] else {
        unreachable!("three scratch files")
    };
    let mut cmd = Command::new(time_binary()?);
    cmd.args(["-f", "%M", "-o"])
        .arg(time_file)
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(std::fs::File::create(err_file)?)
        // Its own process group, so that a kill at the limit reaches the measured command
        // and not only GNU time. (The price: a Ctrl-C stops xtask, not the command, which
        // then runs until it ends or reaches its limit.)
        .process_group(0);
    match stdout {
        Stdout::Keep => cmd.stdout(std::fs::File::create(out_file)?),
        Stdout::Discard => cmd.stdout(Stdio::null()),
    };
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
    eprintln!("$ {} {}", program.display(), shown.join(" "));
    let mut child = cmd
        .spawn()
        .with_context(|| format!("running {}", program.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(limit) = limit {
            if started.elapsed() > limit {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                return Ok(Outcome::TimedOut(limit));
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Our own clock: GNU time's %e counts hundredths, too coarse for the small commands.
    let seconds = started.elapsed().as_secs_f64();
    let stderr = std::fs::read_to_string(err_file).unwrap_or_default();
    if !status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Ok(Outcome::Failed(format!("{status}: {}", tail.join(" | "))));
    }
    let figures = std::fs::read_to_string(time_file).context("GNU time wrote no figures")?;
    let line = figures
        .lines()
        .last()
        .context("GNU time wrote no figures")?;
    let kib: f64 = line
        .trim()
        .parse()
        .with_context(|| format!("GNU time wrote {line:?}"))?;
    Ok(Outcome::Done(Measured {
        seconds,
        peak_mib: kib / 1024.0,
        stdout: match stdout {
            Stdout::Keep => std::fs::read_to_string(out_file)?,
            Stdout::Discard => String::new(),
        },
    }))
}
