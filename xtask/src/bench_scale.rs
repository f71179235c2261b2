//! `cargo xtask bench scale`: every command of samskap on generated studies of growing size
//! (10k, 100k and 1M codings by default), timed with its peak memory beside the baselines
//! measured in the same run (`sqlite3 .import` of the same `codings.csv`, the Python
//! `krippendorff` package reading with pandas), the growth of the time per coding from one
//! size to the next, and a verdict per target. One table; `--json OUT` writes it as JSON too.
//! Each command gets a time limit and is killed past it, so a slow samskap gives a table
//! with FAIL in it, not a benchmark that never ends.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::json;

use crate::bench::{ensure_peer, large_case, peer_script, python, EXPECTED};
use crate::bench_api::{admin_token, ensure_tool, probe, Server};
use crate::gen::{self, Params};
use crate::measure::{fastest, measure, Outcome, Stdout};
use crate::{build_release, root};

const DEFAULT_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
const DEFAULT_LIMIT_S: u64 = 120;

// The targets of the scale issue, for 1M codings on 2 cores.
/// Each read command, at most.
const COMMAND_S: f64 = 1.0;
/// Peak memory of every samskap command, at most.
const MEMORY_MIB: f64 = 1024.0;
/// `import` against `sqlite3 .import` + index of the same file, at most this many times.
const IMPORT_VS_SQLITE: f64 = 3.0;
/// `agreement compute` against Python `krippendorff` with pandas, at least this much faster.
const COMPUTE_SPEEDUP: f64 = 10.0;
/// … in less memory than this.
const COMPUTE_MIB: f64 = 100.0;
/// The first API request after `samskap serve` starts ("about a second").
const FIRST_REQUEST_S: f64 = 1.0;
/// The longest an API read may wait while `import --replace` runs.
const STALL_S: f64 = 1.0;
/// From one size to the next the time per coding may grow by at most this factor: room for
/// noise, none for a quadratic step (which multiplies it by the size's own factor).
const GROWTH: f64 = 1.5;
/// Growth is judged only where the larger run takes this long: below it, process start-up
/// dominates and the ratio says nothing.
const GROWTH_FLOOR_S: f64 = 0.2;
/// How often the stall probe asks while `import --replace` runs.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// The word `search` looks for: one of the generator's (`tillit på tvers`).
const SEARCH_WORD: &str = "tillit";

const USAGE: &str = "usage: cargo xtask bench scale [--sizes 10000,100000,1000000] [--timeout SECS] [--runs N] [--json OUT]";

/// Runs of each read command and of `agreement compute` (and its peer), of which the table
/// gives the fastest.
const DEFAULT_RUNS: usize = 3;

#[derive(Debug)]
struct Options {
    sizes: Vec<usize>,
    limit: Duration,
    runs: usize,
    json: Option<PathBuf>,
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let mut o = Options {
        sizes: DEFAULT_SIZES.to_vec(),
        limit: Duration::from_secs(DEFAULT_LIMIT_S),
        runs: DEFAULT_RUNS,
        json: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--sizes" => {
                let v = value()?;
                o.sizes = v
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse::<usize>())
                    .collect::<Result<_, _>>()
                    .with_context(|| format!("--sizes: `{v}` is not a list of numbers"))?;
                anyhow::ensure!(
                    !o.sizes.is_empty() && o.sizes.iter().all(|&n| n > 0),
                    "--sizes: give one or more sizes above 0"
                );
                anyhow::ensure!(
                    o.sizes.windows(2).all(|w| w[0] < w[1]),
                    "--sizes: give the sizes in increasing order"
                );
            }
            "--timeout" => {
                let v = value()?;
                let s: u64 = v
                    .parse()
                    .with_context(|| format!("--timeout: `{v}` is not a number of seconds"))?;
                o.limit = Duration::from_secs(s.max(1));
            }
            "--runs" => {
                let v = value()?;
                o.runs = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .with_context(|| format!("--runs: `{v}` is not a number above 0"))?;
            }
            "--json" => o.json = Some(PathBuf::from(value()?)),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    Ok(o)
}

/// One figure of the table.
#[derive(Debug, Clone)]
enum Cell {
    Done {
        seconds: f64,
        mib: Option<f64>,
    },
    TimedOut(Duration),
    Failed(String),
    /// Not run, for the reason given.
    Skipped(String),
    /// This row has no figure at this size.
    Blank,
}

impl Cell {
    fn from_outcome(o: Outcome) -> Cell {
        match o {
            Outcome::Done(m) => Cell::Done {
                seconds: m.seconds,
                mib: Some(m.peak_mib),
            },
            Outcome::TimedOut(limit) => Cell::TimedOut(limit),
            Outcome::Failed(e) => Cell::Failed(e),
        }
    }

    fn seconds(&self) -> Option<f64> {
        match self {
            Cell::Done { seconds, .. } => Some(*seconds),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Done { seconds, mib } => match mib {
                Some(mib) => format!("{} {mib:.0} MiB", secs(*seconds)),
                None => secs(*seconds),
            },
            Cell::TimedOut(limit) => format!(">{} s", limit.as_secs()),
            Cell::Failed(_) => "failed".into(),
            Cell::Skipped(_) => "not run".into(),
            Cell::Blank => "".into(),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Done { seconds, mib } => {
                json!({"status": "ok", "seconds": seconds, "peak_mib": mib})
            }
            Cell::TimedOut(limit) => json!({"status": "timeout", "limit_seconds": limit.as_secs()}),
            Cell::Failed(e) => json!({"status": "failed", "error": e}),
            Cell::Skipped(why) => json!({"status": "skipped", "reason": why}),
            Cell::Blank => serde_json::Value::Null,
        }
    }
}

fn secs(s: f64) -> String {
    if s < 0.1 {
        format!("{s:.3} s")
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// What a row is judged against.
#[derive(Debug, Clone)]
enum Target {
    /// A baseline: not judged.
    Baseline,
    /// At most this long at the largest size, within the memory limit, no growth.
    Within(f64),
    /// `import`: at most `IMPORT_VS_SQLITE` × the baseline row at the largest size.
    VsSqlite,
    /// `agreement compute`: the peer's figures, and whether both values were right.
    VsPython {
        peer: Cell,
        values: Result<(), String>,
    },
}

struct Row {
    name: String,
    cells: Vec<Cell>,
    target: Target,
    notes: Vec<String>,
}

impl Row {
    fn new(name: impl Into<String>, sizes: usize, target: Target) -> Row {
        Row {
            name: name.into(),
            cells: vec![Cell::Blank; sizes],
            target,
            notes: Vec::new(),
        }
    }
}

/// When the larger size was killed at the limit: the least its ratio can be.
fn ratios_at_least(row: &Row, sizes: &[usize]) -> Vec<Option<f64>> {
    sizes
        .windows(2)
        .zip(row.cells.windows(2))
        .map(|(n, c)| {
            let a = c[0].seconds()?;
            let Cell::TimedOut(limit) = c[1] else {
                return None;
            };
            (a > 0.0).then(|| (limit.as_secs_f64() / n[1] as f64) / (a / n[0] as f64))
        })
        .collect()
}

/// Time per coding of the larger size over that of the smaller, per neighbouring sizes.
fn ratios(row: &Row, sizes: &[usize]) -> Vec<Option<f64>> {
    sizes
        .windows(2)
        .zip(row.cells.windows(2))
        .map(|(n, c)| {
            let (a, b) = (c[0].seconds()?, c[1].seconds()?);
            (a > 0.0).then(|| (b / n[1] as f64) / (a / n[0] as f64))
        })
        .collect()
}

fn target_text(t: &Target) -> String {
    match t {
        Target::Baseline => "(baseline)".into(),
        Target::Within(s) => format!("≤ {s} s, ≤ {MEMORY_MIB:.0} MiB"),
        Target::VsSqlite => format!("≤ {IMPORT_VS_SQLITE}× sqlite3, ≤ {MEMORY_MIB:.0} MiB"),
        Target::VsPython { .. } => {
            format!("≥ {COMPUTE_SPEEDUP}× python, < {COMPUTE_MIB:.0} MiB")
        }
    }
}

/// PASS, or FAIL with what failed.
fn verdict(row: &Row, sizes: &[usize], baseline: &Row) -> String {
    if matches!(row.target, Target::Baseline) {
        return "—".into();
    }
    let mut failed: Vec<String> = Vec::new();
    for (cell, &n) in row.cells.iter().zip(sizes) {
        match cell {
            Cell::TimedOut(_) => failed.push(format!("timeout at {}", size_name(n))),
            Cell::Failed(_) => failed.push(format!("error at {}", size_name(n))),
            Cell::Skipped(_) => failed.push(format!("not run at {}", size_name(n))),
            Cell::Done { mib: Some(mib), .. } => {
                let limit = match row.target {
                    Target::VsPython { .. } => COMPUTE_MIB,
                    _ => MEMORY_MIB,
                };
                if *mib > limit {
                    failed.push(format!("memory at {}", size_name(n)));
                }
            }
            Cell::Done { .. } | Cell::Blank => {}
        }
    }
    let last = row.cells.last().and_then(Cell::seconds);
    match (&row.target, last) {
        (Target::Within(limit), Some(s)) if s > *limit => failed.push("time".into()),
        (Target::VsSqlite, Some(s)) => match baseline.cells.last().and_then(Cell::seconds) {
            Some(b) if s > IMPORT_VS_SQLITE * b => {
                failed.push(format!("time ({:.1}× sqlite3)", s / b))
            }
            Some(_) => {}
            None => failed.push("no baseline".into()),
        },
        (Target::VsPython { peer, values }, Some(s)) => {
            match peer.seconds() {
                Some(p) if p / s < COMPUTE_SPEEDUP => {
                    failed.push(format!("speed ({:.1}× python)", p / s))
                }
                Some(_) => {}
                None => failed.push("no python figure".into()),
            }
            if values.is_err() {
                failed.push("values differ".into());
            }
        }
        _ => {}
    }
    if !matches!(row.target, Target::VsPython { .. }) {
        let grew = sizes
            .windows(2)
            .zip(row.cells.windows(2))
            .zip(ratios(row, sizes))
            .any(|((_, c), r)| {
                r.is_some_and(|r| r > GROWTH) && c[1].seconds().is_some_and(|s| s >= GROWTH_FLOOR_S)
            });
        let grew = grew
            || ratios_at_least(row, sizes)
                .into_iter()
                .flatten()
                .any(|r| r > GROWTH);
        if grew {
            failed.push("growth".into());
        }
    }
    if failed.is_empty() {
        "PASS".into()
    } else {
        format!("FAIL: {}", failed.join(", "))
    }
}

fn size_name(n: usize) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// The bundle for `params`, generated once into `target/bench-scale/gen/KEY/` (written
/// beside and renamed, so an interrupted run leaves no half bundle to reuse).
fn cached_bundle(work: &Path, params: &Params) -> anyhow::Result<PathBuf> {
    let dir = work.join("gen").join(params.key());
    if dir.exists() {
        eprintln!("reusing the generated study {}", dir.display());
        return Ok(dir);
    }
    let tmp = work.join("gen").join(format!("{}.partial", params.key()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    gen::prepare_dir(&tmp, false)?;
    let started = Instant::now();
    let s = gen::generate(params, &tmp)?;
    std::fs::rename(&tmp, &dir)?;
    eprintln!(
        "generated {} ({} informants, {} units, {} codings, {:.0} MB) in {:.1?}",
        dir.display(),
        s.informants,
        s.units,
        s.codings,
        s.bytes as f64 / 1e6,
        started.elapsed()
    );
    Ok(dir)
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// `samskap --db DB ARGS…`, as arguments for [`measure`].
fn samskap_args(db: &Path, args: Vec<OsString>) -> Vec<OsString> {
    let mut v = vec![OsString::from("--db"), db.into()];
    v.extend(args);
    v
}

/// The read commands on the imported store, by row name.
fn read_commands(run: &Path) -> Vec<(&'static str, Vec<OsString>)> {
    let mut report = os(&["report", "--out"]);
    report.push(run.join("report").into());
    // `--force`: every run after the first writes over the bundle the one before wrote.
    let mut export = os(&["export", "--force"]);
    export.push(run.join("export").into());
    vec![
        ("study show", os(&["study", "show"])),
        ("informants", os(&["informants"])),
        ("matrix --by category", os(&["matrix", "--by", "category"])),
        ("cooccur", os(&["cooccur"])),
        ("saturation", os(&["saturation"])),
        ("agreement (units+chars)", os(&["agreement"])),
        (
            "agreement --ignore-polarity",
            os(&["agreement", "--ignore-polarity"]),
        ),
        ("report --out DIR", report),
        ("export DIR", export),
        (
            "quotes --category structure --coder A",
            os(&["quotes", "--category", "structure", "--coder", "A"]),
        ),
        ("search tillit", os(&["search", SEARCH_WORD])),
    ]
}

/// The API's read route that the probes ask: one group's attendance by service.
fn read_route() -> String {
    "/studies/synthetic/groups/G1/attendance?by=service".into()
}

/// What one size's API run measured.
struct ApiFigures {
    first: Cell,
    stall: Cell,
    notes: Vec<String>,
}

/// Starts `samskap serve` on the store, times the first read; then runs `import --replace`
/// of the same bundle in another process while a probe reads every `POLL_EVERY`, and
/// reports the slowest read.
fn api(bin: &Path, db: &Path, bundle: &Path, run: &Path, limit: Duration) -> ApiFigures {
    let mut notes = Vec::new();
    let failed = |e: anyhow::Error| ApiFigures {
        first: Cell::Failed(format!("{e:#}")),
        stall: Cell::Skipped("the server did not answer".into()),
        notes: vec![format!("serve: {e:#}")],
    };
    let token = match admin_token(bin, db) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let log = run.join("serve.log");
    let server = match Server::start(bin, db, &log, limit) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let route = read_route();
    let started = Instant::now();
    let first = match probe(&server.base, &token, &route, limit) {
        Ok(status) if status.contains(" 200 ") => Cell::Done {
            seconds: started.elapsed().as_secs_f64(),
            mib: server.peak_mib(),
        },
        Ok(status) => Cell::Failed(format!("GET {route} answered {status:?}")),
        Err(_) if started.elapsed() >= limit => Cell::TimedOut(limit),
        Err(e) => Cell::Failed(format!("GET {route}: {e:#}")),
    };
    if first.seconds().is_none() {
        return ApiFigures {
            first,
            stall: Cell::Skipped("the first read failed".into()),
            notes,
        };
    }

    // The probe: sequential reads, each timed from request to whole response. It goes on
    // until a read sent after the import ended has answered, because the first read after
    // the replacement (which may load the new study) can be the slowest of all.
    let import_ended = Arc::new(AtomicBool::new(false));
    let prober = {
        let (ended, base, token, route) = (
            import_ended.clone(),
            server.base.clone(),
            token,
            route.clone(),
        );
        std::thread::spawn(move || {
            let began = Instant::now();
            let (mut slowest, mut slowest_at) = (Duration::ZERO, Duration::ZERO);
            let (mut reads, mut bad) = (0usize, Vec::new());
            loop {
                let last = ended.load(Ordering::SeqCst);
                let t = Instant::now();
                let answer = probe(&base, &token, &route, limit);
                let took = t.elapsed();
                if took > slowest {
                    (slowest, slowest_at) = (took, t - began);
                }
                reads += 1;
                match answer {
                    Ok(status) if status.contains(" 200 ") => {}
                    Ok(status) => bad.push(status),
                    Err(e) => bad.push(format!("{e:#}")),
                }
                if last {
                    break;
                }
                std::thread::sleep(POLL_EVERY.saturating_sub(took));
            }
            (slowest, slowest_at, reads, bad)
        })
    };
    let mut args = os(&["--db"]);
    args.push(db.into());
    args.extend(os(&["import", "--replace"]));
    args.push(bundle.into());
    let replace = measure(bin, &args, Stdout::Discard, Some(limit));
    import_ended.store(true, Ordering::SeqCst);
    let (slowest, slowest_at, reads, bad) = prober.join().expect("the probe does not panic");
    let mib = server.peak_mib();
    drop(server);
    let stall = match replace {
        Ok(Outcome::Done(m)) => {
            notes.push(format!(
                "import --replace took {} while {reads} reads were made (the last after it \
                 ended); the slowest ({}) was sent {} after the import started",
                secs(m.seconds),
                secs(slowest.as_secs_f64()),
                secs(slowest_at.as_secs_f64())
            ));
            if bad.is_empty() {
                Cell::Done {
                    seconds: slowest.as_secs_f64(),
                    mib,
                }
            } else {
                Cell::Failed(format!(
                    "{} of {reads} reads failed during import --replace, first: {}",
                    bad.len(),
                    bad[0]
                ))
            }
        }
        Ok(Outcome::TimedOut(limit)) => {
            notes.push(format!(
                "import --replace was killed after {limit:?}; the slowest of {reads} reads until then took {}",
                secs(slowest.as_secs_f64())
            ));
            Cell::TimedOut(limit)
        }
        Ok(Outcome::Failed(e)) => Cell::Failed(format!("import --replace: {e}")),
        Err(e) => Cell::Failed(format!("import --replace: {e:#}")),
    };
    ApiFigures {
        first,
        stall,
        notes,
    }
}

/// `agreement compute` against the Python peer (pandas) on the 10 × 1M file, per level.
fn compute_rows(bin: &Path, limit: Duration, sizes: usize, runs: usize) -> Vec<Row> {
    let root = root();
    let prepared =
        ensure_peer(&["krippendorff", "numpy", "pandas"]).and_then(|()| large_case(&root));
    let mut rows = Vec::new();
    for (level, expected) in EXPECTED {
        let name = format!("agreement compute {level} (10×1M units)");
        let data = match &prepared {
            Ok(d) => d.clone(),
            Err(e) => {
                let mut row = Row::new(
                    name,
                    sizes,
                    Target::VsPython {
                        peer: Cell::Failed(format!("{e:#}")),
                        values: Err("not run".into()),
                    },
                );
                row.cells[sizes - 1] = Cell::Skipped(format!("{e:#}"));
                row.notes
                    .push(format!("the Python peer or its data: {e:#}"));
                rows.push(row);
                continue;
            }
        };
        let ours = fastest(runs, || {
            measure(
                bin,
                &[
                    OsString::from("--json"),
                    "agreement".into(),
                    "compute".into(),
                    data.clone().into(),
                    "--metric".into(),
                    "krippendorff_alpha".into(),
                    "--level".into(),
                    level.into(),
                ],
                Stdout::Keep,
                Some(limit),
            )
        });
        let theirs = fastest(runs, || {
            measure(
                &python(),
                &[
                    peer_script(&root).into_os_string(),
                    data.clone().into(),
                    level.into(),
                    "pandas".into(),
                ],
                Stdout::Keep,
                Some(limit),
            )
        });
        let value_of = |o: &anyhow::Result<Outcome>, json: bool| -> Option<f64> {
            let Ok(Outcome::Done(m)) = o else { return None };
            if json {
                serde_json::from_str::<serde_json::Value>(&m.stdout).ok()?["value"].as_f64()
            } else {
                m.stdout.trim().parse().ok()
            }
        };
        let (a, b) = (value_of(&ours, true), value_of(&theirs, false));
        let values = match (a, b) {
            (Some(a), Some(b)) if (a - expected).abs() < 1e-9 && (b - expected).abs() < 1e-9 => {
                Ok(())
            }
            _ => Err(format!(
                "values: samskap {a:?}, python {b:?}, expected {expected}"
            )),
        };
        let to_cell = |o: anyhow::Result<Outcome>| match o {
            Ok(o) => Cell::from_outcome(o),
            Err(e) => Cell::Failed(format!("{e:#}")),
        };
        let mut row = Row::new(
            name,
            sizes,
            Target::VsPython {
                peer: to_cell(theirs),
                values: values.clone(),
            },
        );
        row.cells[sizes - 1] = to_cell(ours);
        if let Err(e) = values {
            row.notes.push(e);
        }
        rows.push(row);
    }
    rows
}

pub fn main(args: &[String]) -> anyhow::Result<()> {
    let opts = parse(args)?;
    let sizes = &opts.sizes;
    let n = sizes.len();
    let limit = opts.limit;
    let bin = build_release()?;
    ensure_tool("sqlite3", "sqlite3", "SQLite's command-line shell")?;
    let sqlite3 = PathBuf::from(
        String::from_utf8(
            Command::new("sh")
                .args(["-c", "command -v sqlite3"])
                .output()?
                .stdout,
        )?
        .trim(),
    );
    let work = root().join("target/bench-scale");

    let mut baseline = Row::new("sqlite3 .import + index + GROUP BY", n, Target::Baseline);
    let mut import = Row::new("import", n, Target::VsSqlite);
    let mut reads: Vec<Row> = read_commands(Path::new(""))
        .into_iter()
        .map(|(name, _)| Row::new(name, n, Target::Within(COMMAND_S)))
        .collect();
    let mut first = Row::new("serve: first GET", n, Target::Within(FIRST_REQUEST_S));
    let mut stall = Row::new(
        "serve: slowest GET during import --replace",
        n,
        Target::Within(STALL_S),
    );

    for (col, &size) in sizes.iter().enumerate() {
        let bundle = cached_bundle(&work, &Params::for_codings(size))?;
        let run = work.join("run").join(size.to_string());
        if run.exists() {
            std::fs::remove_dir_all(&run)?;
        }
        std::fs::create_dir_all(&run)?;
        let codings = bundle.join("codings.csv");

        // The baseline: load the same CSV into a table, index it, and query it once.
        let mut sql: Vec<OsString> = vec![run.join("baseline.db").into()];
        let mut import_cmd = OsString::from(".import --csv ");
        import_cmd.push(&codings);
        import_cmd.push(" codings");
        sql.push(import_cmd);
        sql.extend(os(&[
            "CREATE INDEX codings_unit ON codings(transcript, code, coder);",
            "SELECT code, polarity, count(*) FROM codings GROUP BY code, polarity;",
        ]));
        baseline.cells[col] = cell(measure(&sqlite3, &sql, Stdout::Discard, Some(limit)));

        let db = run.join("samskap.db");
        let mut import_args = os(&["import"]);
        import_args.push(bundle.clone().into());
        import.cells[col] = cell(measure(
            &bin,
            &samskap_args(&db, import_args),
            Stdout::Discard,
            Some(limit),
        ));
        if import.cells[col].seconds().is_none() {
            let why = format!("import did not finish at {}", size_name(size));
            for row in reads.iter_mut().chain([&mut first, &mut stall]) {
                row.cells[col] = Cell::Skipped(why.clone());
            }
            continue;
        }
        for ((_, args), row) in read_commands(&run).into_iter().zip(reads.iter_mut()) {
            let args = samskap_args(&db, args);
            row.cells[col] = cell(fastest(opts.runs, || {
                measure(&bin, &args, Stdout::Discard, Some(limit))
            }));
        }
        let figures = api(&bin, &db, &bundle, &run, limit);
        first.cells[col] = figures.first;
        stall.cells[col] = figures.stall;
        stall.notes.extend(
            figures
                .notes
                .into_iter()
                .map(|note| format!("{}: {note}", size_name(size))),
        );
    }
    let compute = compute_rows(&bin, limit, n, opts.runs);

    let mut rows = vec![baseline, import];
    rows.extend(reads);
    rows.extend([first, stall]);
    rows.extend(compute);
    print_table(&rows, sizes, limit, opts.runs);
    if let Some(path) = &opts.json {
        let value = to_json(&rows, sizes, limit, opts.runs);
        std::fs::write(path, serde_json::to_string_pretty(&value)? + "\n")
            .with_context(|| path.display().to_string())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn cell(o: anyhow::Result<Outcome>) -> Cell {
    match o {
        Ok(o) => Cell::from_outcome(o),
        Err(e) => Cell::Failed(format!("{e:#}")),
    }
}

fn baseline_text(row: &Row, baseline: &Row) -> String {
    match &row.target {
        Target::VsSqlite => baseline.cells.last().and_then(Cell::seconds).map_or_else(
            || "sqlite3: none".into(),
            |s| format!("sqlite3 {}", secs(s)),
        ),
        Target::VsPython { peer, .. } => format!("python {}", peer.text()),
        _ => String::new(),
    }
}

fn print_table(rows: &[Row], sizes: &[usize], limit: Duration, runs: usize) {
    let baseline = &rows[0];
    let mut header: Vec<String> = vec!["measurement".into()];
    header.extend(sizes.iter().map(|&n| size_name(n)));
    header.extend(
        sizes
            .windows(2)
            .map(|w| format!("×{}/{}", size_name(w[1]), size_name(w[0]))),
    );
    header.extend(["target".into(), "baseline".into(), "verdict".into()]);
    let mut lines: Vec<Vec<String>> = vec![header];
    for row in rows {
        let mut line = vec![row.name.clone()];
        line.extend(row.cells.iter().map(Cell::text));
        line.extend(
            ratios(row, sizes)
                .into_iter()
                .zip(ratios_at_least(row, sizes))
                .map(|(r, least)| match (r, least) {
                    (Some(r), _) => format!("{r:.2}"),
                    (None, Some(least)) => format!(">{least:.2}"),
                    (None, None) => String::new(),
                }),
        );
        line.push(target_text(&row.target));
        line.push(baseline_text(row, baseline));
        line.push(verdict(row, sizes, baseline));
        lines.push(line);
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let largest = *sizes.last().expect("one size at least");
    println!();
    println!(
        "samskap at scale: generated studies (1,000 codings per transcript, 2 coders), release \
         build, {} cores, each command killed after {} s; read commands and agreement \
         compute (and its peer): the fastest of {runs} runs",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        limit.as_secs()
    );
    if largest != 1_000_000 {
        println!(
            "note: the targets are for 1M codings; the verdicts here judge {} codings",
            size_name(largest)
        );
    }
    for (k, line) in lines.iter().enumerate() {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = w - c.chars().count();
                // Names and words to the left, figures to the right.
                if i == 0 || i >= line.len() - 3 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
        if k == 0 {
            println!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
            );
        }
    }
    println!(
        "× columns: time per coding at the larger size over the smaller (>x: the larger was \
         killed at the limit); growth fails above {GROWTH} where the larger run takes \
         {GROWTH_FLOOR_S} s or more."
    );
    for row in rows {
        for (cell, &n) in row.cells.iter().zip(sizes) {
            if let Cell::Failed(e) = cell {
                println!("{} at {}: {e}", row.name, size_name(n));
            }
        }
        if let Target::VsPython {
            peer: Cell::Failed(e),
            ..
        } = &row.target
        {
            println!("{}: python: {e}", row.name);
        }
        for note in &row.notes {
            println!("{}: {note}", row.name);
        }
    }
}

fn to_json(rows: &[Row], sizes: &[usize], limit: Duration, runs: usize) -> serde_json::Value {
    let baseline = &rows[0];
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned());
    json!({
        "commit": commit,
        "sizes": sizes,
        "size_names": sizes.iter().map(|&n| size_name(n)).collect::<Vec<_>>(),
        "limit_seconds": limit.as_secs(),
        "runs": runs,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "targets": {
            "command_seconds": COMMAND_S,
            "memory_mib": MEMORY_MIB,
            "import_vs_sqlite": IMPORT_VS_SQLITE,
            "compute_speedup": COMPUTE_SPEEDUP,
            "compute_mib": COMPUTE_MIB,
            "first_request_seconds": FIRST_REQUEST_S,
            "stall_seconds": STALL_S,
            "growth": GROWTH,
            "growth_floor_seconds": GROWTH_FLOOR_S,
        },
        "rows": rows.iter().map(|row| json!({
            "name": row.name,
            "cells": row.cells.iter().map(Cell::json).collect::<Vec<_>>(),
            "growth": ratios(row, sizes),
            "growth_at_least": ratios_at_least(row, sizes),
            "target": target_text(&row.target),
            "baseline": match &row.target {
                Target::VsPython { peer, .. } => peer.json(),
                Target::VsSqlite => baseline.cells.last().map_or(serde_json::Value::Null, Cell::json),
                _ => serde_json::Value::Null,
            },
            "verdict": verdict(row, sizes, baseline),
            "notes": row.notes,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(seconds: f64, mib: f64) -> Cell {
        Cell::Done {
            seconds,
            mib: Some(mib),
        }
    }

    const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

    fn row(target: Target, cells: Vec<Cell>) -> Row {
        Row {
            name: "x".into(),
            cells,
            target,
            notes: Vec::new(),
        }
    }

    fn base() -> Row {
        row(
            Target::Baseline,
            vec![done(0.1, 10.0), done(1.0, 10.0), done(10.0, 10.0)],
        )
    }

    #[test]
    fn linear_and_fast_passes_and_quadratic_fails_on_growth() {
        let linear = row(
            Target::Within(1.0),
            vec![done(0.01, 20.0), done(0.09, 30.0), done(0.9, 40.0)],
        );
        assert_eq!(verdict(&linear, &SIZES, &base()), "PASS");
        let quadratic = row(
            Target::Within(100.0),
            vec![done(0.01, 20.0), done(0.5, 30.0), done(50.0, 40.0)],
        );
        assert_eq!(verdict(&quadratic, &SIZES, &base()), "FAIL: growth");
        // Start-up time at small sizes is not growth.
        let startup = row(
            Target::Within(1.0),
            vec![done(0.01, 5.0), done(0.01, 5.0), done(0.15, 5.0)],
        );
        assert_eq!(verdict(&startup, &SIZES, &base()), "PASS");
    }

    #[test]
    fn each_target_fails_for_its_own_reason() {
        let slow = row(
            Target::Within(1.0),
            vec![done(0.01, 20.0), done(0.1, 30.0), done(1.2, 2000.0)],
        );
        assert_eq!(verdict(&slow, &SIZES, &base()), "FAIL: memory at 1M, time");
        let import = row(
            Target::VsSqlite,
            vec![done(0.3, 20.0), done(3.0, 30.0), done(31.0, 40.0)],
        );
        assert_eq!(
            verdict(&import, &SIZES, &base()),
            "FAIL: time (3.1× sqlite3)"
        );
        let stopped = row(
            Target::Within(1.0),
            vec![
                done(0.01, 20.0),
                Cell::TimedOut(Duration::from_secs(120)),
                Cell::Skipped("import".into()),
            ],
        );
        assert_eq!(
            verdict(&stopped, &SIZES, &base()),
            "FAIL: timeout at 100k, not run at 1M, growth"
        );
        let compute = |peer: f64, ours: f64, values| {
            row(
                Target::VsPython {
                    peer: done(peer, 700.0),
                    values,
                },
                vec![Cell::Blank, Cell::Blank, done(ours, 30.0)],
            )
        };
        assert_eq!(verdict(&compute(5.0, 0.4, Ok(())), &SIZES, &base()), "PASS");
        assert_eq!(
            verdict(&compute(5.0, 1.0, Ok(())), &SIZES, &base()),
            "FAIL: speed (5.0× python)"
        );
        assert_eq!(
            verdict(&compute(5.0, 0.4, Err("x".into())), &SIZES, &base()),
            "FAIL: values differ"
        );
    }

    #[test]
    fn ratios_are_time_per_coding() {
        let r = row(
            Target::Within(1.0),
            vec![done(1.0, 1.0), done(20.0, 1.0), Cell::Skipped("x".into())],
        );
        let got = ratios(&r, &SIZES);
        assert_eq!(got.len(), 2);
        assert!((got[0].unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(got[1], None);
        assert_eq!(ratios_at_least(&r, &SIZES), [None, None]);
    }

    #[test]
    fn a_timeout_bounds_the_growth_from_below() {
        // 8 s at 100k, killed at 120 s at 1M: at least 1.5× the time per coding.
        let r = row(
            Target::Within(1.0),
            vec![
                done(0.8, 1.0),
                done(8.0, 1.0),
                Cell::TimedOut(Duration::from_secs(120)),
            ],
        );
        let least = ratios_at_least(&r, &SIZES);
        assert_eq!(least[0], None);
        assert!((least[1].unwrap() - 1.5).abs() < 1e-12);
        assert_eq!(verdict(&r, &SIZES, &base()), "FAIL: timeout at 1M");
        // 7 s at 100k: at least 1.7×.
        let r = row(
            Target::Within(1.0),
            vec![
                done(0.7, 1.0),
                done(7.0, 1.0),
                Cell::TimedOut(Duration::from_secs(120)),
            ],
        );
        assert_eq!(verdict(&r, &SIZES, &base()), "FAIL: timeout at 1M, growth");
    }

    #[test]
    fn arguments_are_checked() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let o = parse(&args(
            "--sizes 10_000,50000 --timeout 30 --runs 5 --json out.json",
        ))
        .unwrap();
        assert_eq!(o.sizes, [10_000, 50_000]);
        assert_eq!(o.limit, Duration::from_secs(30));
        assert_eq!(o.runs, 5);
        assert_eq!(parse(&[]).unwrap().runs, DEFAULT_RUNS);
        assert_eq!(o.json, Some(PathBuf::from("out.json")));
        assert_eq!(parse(&[]).unwrap().sizes, DEFAULT_SIZES);
        for (bad, says) in [
            ("--sizes 100,10", "increasing"),
            ("--sizes 10,x", "not a list"),
            ("--timeout", "needs a value"),
            ("--runs 0", "above 0"),
            ("--fast", "unknown argument"),
        ] {
            let e = parse(&args(bad)).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
