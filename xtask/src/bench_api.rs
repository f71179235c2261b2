//! `cargo xtask bench api`: load on `samskap serve` over loopback. It builds release samskap,
//! writes a generated bundle (50 groups, 1,000 members, 5,000 meetings with attendance, an
//! interview of some 20,000 characters per group) to `target/bench/api/`, imports it, makes
//! an admin token, starts the server on 127.0.0.1 and drives it with `wrk` for a fixed time
//! per scenario: an analytics read, an attendance write, and coding writes from one client
//! and from 16 (each request a coding no other request makes, as a Taguette highlight
//! is). Throughput and p50/p99 latency are printed beside the targets and, for codings,
//! beside Taguette's figure; a coding scenario with any answer that is not 2xx, or with
//! fewer codings stored than answered, fails the run.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::{build_release, root, run};

/// The generated study.
const STUDY: &str = "bench-api";
const GROUPS: usize = 50;
const MEMBERS_PER_GROUP: usize = 20;
const MEETINGS_PER_GROUP: usize = 100;

/// Each scenario runs this long.
const DURATION: &str = "10s";
/// Open connections (spread over the wrk threads).
const CONNECTIONS: usize = 16;
const THREADS: usize = 2;
/// wrk counts a request slower than this as a timeout and leaves it out of the latencies.
const TIMEOUT: &str = "30s";

/// The targets.
const READ_RPS: f64 = 5_000.0;
const READ_P99_MS: f64 = 20.0;
const WRITE_RPS: f64 = 1_000.0;

/// Taguette 1.5.2 adding a highlight, measured on the machine these targets were set on:
/// about 9 ms a request, about 107 a second from one client.
const TAGUETTE_CODING_MS: f64 = 9.0;
const TAGUETTE_CODING_RPS: f64 = 107.0;
/// Codings from 16 clients: at least 50 times Taguette's, p99 under 20 ms.
const CODING_RPS: f64 = 50.0 * TAGUETTE_CODING_RPS;
const CODING_P99_MS: f64 = 20.0;

/// One interview per group, of at least this many characters: long enough that each wrk
/// thread's walk over spans never codes one twice within a run.
const TEXT_CHARS: usize = 20_000;
/// The walk's spans start below this, and are at most 70 characters long.
const SPAN_STARTS: usize = TEXT_CHARS - 200;
/// Codes of the built-in framework the coding writes cycle through (polarity is required).
const CODES: [&str; 6] = [
    "culture/holistic-approach",
    "structure/infrastructure",
    "competence-motivation/group-composition",
    "resources/time-people-money",
    "communication/group-communication",
    "culture/belief-in-change",
];
/// Words of the generated interviews: Norwegian, so that characters and bytes differ.
const WORDS: [&str; 24] = [
    "vi",
    "møtes",
    "på",
    "tvers",
    "av",
    "tjenestene",
    "og",
    "ungdommene",
    "sier",
    "det",
    "rett",
    "ut",
    "både",
    "skolen",
    "får",
    "tid",
    "til",
    "å",
    "lære",
    "hverandre",
    "først",
    "kanskje",
    "nærmere",
    "ærlig",
];

const SECTORS: [&str; 4] = ["public", "private", "voluntary", "citizen"];
const SERVICES: [&str; 6] = ["nav", "school", "health", "child-welfare", "slt", "culture"];
const PRESENCE: [&str; 3] = ["present", "present", "absent"];

fn member_id(g: usize, p: usize) -> String {
    format!("G{g}-P{p}")
}

fn meeting_id(g: usize, k: usize) -> String {
    format!("G{g}-m{k}")
}

/// The interview of group `g`'s informant: sentences of the words above, drawn by a small
/// seeded generator, until it holds [`TEXT_CHARS`] characters.
fn interview(g: usize) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ g as u64;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n
    };
    let (mut text, mut chars) = (String::new(), 0);
    while chars < TEXT_CHARS {
        let mut sentence = String::new();
        for w in 0..8 + next(9) {
            if w > 0 {
                sentence.push(' ');
            }
            sentence.push_str(WORDS[next(WORDS.len())]);
        }
        sentence.push_str(if next(8) == 0 { ".\n\n" } else { ". " });
        chars += sentence.chars().count();
        text.push_str(&sentence);
    }
    text
}

/// Writes the bundle: `study.toml` (with an informant per group), an interview per
/// informant, an empty `codings.csv`, and `facilitation.toml`.
fn write_bundle(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut study = String::new();
    writeln!(
        study,
        "[study]\nid = \"{STUDY}\"\ntitle = \"Generated load-test study\"\nframework = \"bentzen-2018\"\n"
    )?;
    for g in 1..=GROUPS {
        writeln!(
            study,
            "[[municipality]]\nid = \"M{g}\"\nname = \"Kommune {g}\"\n"
        )?;
    }
    for g in 1..=GROUPS {
        writeln!(
            study,
            "[[group]]\nid = \"G{g}\"\nname = \"Ressursgruppe {g}\"\nmunicipalities = [\"M{g}\"]\nstudied = true\n"
        )?;
    }
    for g in 1..=GROUPS {
        for p in 1..=MEMBERS_PER_GROUP {
            let youth = p % 5 == 0;
            writeln!(
                study,
                "[[member]]\nid = \"{}\"\ngroup = \"G{g}\"\nsector = \"{}\"\nservice = \"{}\"\nyouth = {youth}\npd_youth = {}\n",
                member_id(g, p),
                SECTORS[p % SECTORS.len()],
                SERVICES[(g + p) % SERVICES.len()],
                youth && p % 10 == 0,
            )?;
        }
    }
    std::fs::create_dir_all(dir.join("transcripts"))?;
    for g in 1..=GROUPS {
        writeln!(
            study,
            "[[informant]]\nid = \"I{g}\"\nrole = \"participant\"\ngroup = \"G{g}\"\nworkplace = \"Kommune {g}\"\ninterview_date = \"2023-03-01\"\nconsent = \"given\"\n"
        )?;
        std::fs::write(dir.join(format!("transcripts/I{g}.txt")), interview(g))?;
    }
    std::fs::write(dir.join("study.toml"), study)?;
    std::fs::write(
        dir.join("codings.csv"),
        "transcript,prefix,exact,suffix,code,polarity,coder,memo\n",
    )?;

    let mut record = String::new();
    for g in 1..=GROUPS {
        for k in 0..MEETINGS_PER_GROUP {
            writeln!(
                record,
                "[[meeting]]\nid = \"{}\"\ngroup = \"G{g}\"\nkind = \"group\"\ndate = \"{}\"\n\n[meeting.attendance]",
                meeting_id(g, k),
                chrono_like_date(k * 7),
            )?;
            for p in 1..=MEMBERS_PER_GROUP {
                writeln!(
                    record,
                    "{} = \"{}\"",
                    member_id(g, p),
                    PRESENCE[(g + k + p) % PRESENCE.len()]
                )?;
            }
            record.push('\n');
        }
    }
    std::fs::write(dir.join("facilitation.toml"), record)?;
    Ok(())
}

/// `2022-01-03` plus `days`, without a date library: the weeks stay within 2022–2023.
fn chrono_like_date(days: usize) -> String {
    const MONTHS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut year, mut month, mut day) = (2022, 0usize, 3 + days);
    while day > MONTHS[month] {
        day -= MONTHS[month];
        month += 1;
        if month == 12 {
            month = 0;
            year += 1;
        }
    }
    format!("{year}-{:02}-{day:02}", month + 1)
}

/// Makes sure `binary` is on the PATH, installing Debian's `package` when it is not.
pub(crate) fn ensure_tool(binary: &str, package: &str, what: &str) -> anyhow::Result<()> {
    let found = || {
        Command::new(binary)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if found() {
        return Ok(());
    }
    eprintln!("{binary} ({what}) is missing: installing Debian's `{package}` package");
    let mut install = Command::new("apt-get");
    install.args(["install", "-y", package]);
    if run(&mut install).is_err() {
        eprintln!("apt-get install failed: refreshing the package lists and trying again");
        // A failure here is reported below, as the tool still missing.
        let _ = run(Command::new("apt-get").arg("update"));
        let _ = run(&mut install);
    }
    if !found() {
        bail!("{binary} is still missing: install it (Debian: apt-get install {package}) and run again");
    }
    Ok(())
}

/// A running `samskap serve`, stopped (SIGTERM, then SIGKILL) when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://ADDR`.
    pub(crate) base: String,
}

impl Server {
    /// Starts the server on a free loopback port and waits (at most `limit`) until it says
    /// where it listens.
    pub(crate) fn start(
        bin: &Path,
        db: &Path,
        log: &Path,
        limit: Duration,
    ) -> anyhow::Result<Self> {
        let log = std::fs::File::create(log)?;
        let mut child = Command::new(bin)
            .arg("--db")
            .arg(db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("starting samskap serve")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut server = Server {
            child,
            base: String::new(),
        };
        // Read on a thread, so that a server that never says where it listens is killed
        // (by the drop of `server`) instead of blocking the benchmark.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(limit).map_err(|_| {
            anyhow::anyhow!("samskap serve did not start listening within {limit:?}")
        })?;
        // "serving DB on http://ADDR"
        server.base = line
            .trim()
            .rsplit_once(" on ")
            .map(|(_, url)| url.to_owned())
            .with_context(|| format!("samskap serve printed {line:?}"))?;
        Ok(server)
    }

    /// The server's peak resident memory so far (Linux: `VmHWM`), in MiB.
    pub(crate) fn peak_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    }

    pub(crate) fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The wrk script: a request per call (a fixed read, or attendance writes cycling through
/// every meeting), and a summary line at the end for this program to read.
fn wrk_script(write: bool) -> String {
    let mut lua = String::new();
    lua.push_str(
        "local token = os.getenv(\"BENCH_TOKEN\")\n\
         local counter = 0\n\
         function setup(thread)\n\
           thread:set(\"id\", counter)\n\
           counter = counter + 1\n\
         end\n",
    );
    if write {
        writeln!(
            lua,
            "local groups, per_group, members = {GROUPS}, {MEETINGS_PER_GROUP}, {MEMBERS_PER_GROUP}\n\
             local presence = {{\"present\", \"absent\", \"excused\"}}\n\
             local n = 0\n\
             function init(args)\n\
               n = id\n\
             end\n\
             function request()\n\
               local m = n % (groups * per_group)\n\
               n = n + {THREADS}\n\
               local g = m % groups + 1\n\
               local k = math.floor(m / groups)\n\
               local entries = {{}}\n\
               for p = 1, members do\n\
                 entries[p] = string.format('{{\"member\":\"G%d-P%d\",\"presence\":\"%s\"}}', g, p, presence[(n + p) % 3 + 1])\n\
               end\n\
               local body = '{{\"attendance\":[' .. table.concat(entries, \",\") .. ']}}'\n\
               local path = string.format(\"/studies/{STUDY}/groups/G%d/meetings/G%d-m%d/attendance\", g, g, k)\n\
               return wrk.format(\"PUT\", path, {{[\"Authorization\"] = \"Bearer \" .. token, [\"Content-Type\"] = \"application/json\"}}, body)\n\
             end"
        )
        .expect("a String takes writes");
    } else {
        writeln!(
            lua,
            "function request()\n\
               return wrk.format(\"GET\", \"/studies/{STUDY}/groups/G7/attendance?by=service\", {{[\"Authorization\"] = \"Bearer \" .. token}})\n\
             end"
        )
        .expect("a String takes writes");
    }
    lua.push_str(SUMMARY_LUA);
    lua
}

/// The summary line every script prints at the end, for this program to read.
const SUMMARY_LUA: &str = "function done(summary, latency, requests)\n\
       local e = summary.errors\n\
       io.write(string.format(\"@@bench %d %d %d %d %d %d %d %d %d %d\\n\",\n\
         summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),\n\
         latency.max, e.connect, e.read, e.write, e.status, e.timeout))\n\
     end\n";

/// The wrk script of coding writes: each thread codes as its own coder (named for the
/// scenario and the thread) and walks the interviews and the spans in them, so that no two
/// requests of a run make the same coding. No `text` is sent: the words are whatever the span
/// holds, as Taguette's highlight request names offsets alone.
fn coding_script(scenario: &str) -> String {
    let codes: Vec<String> = CODES.iter().map(|c| format!("\"{c}\"")).collect();
    let mut lua = String::new();
    writeln!(
        lua,
        "local token = os.getenv(\"BENCH_TOKEN\")\n\
         local counter = 0\n\
         function setup(thread)\n\
           thread:set(\"id\", counter)\n\
           counter = counter + 1\n\
         end\n\
         local sources, starts = {GROUPS}, {SPAN_STARTS}\n\
         local codes = {{{}}}\n\
         local polarity = {{\"barrier\", \"opportunity\"}}\n\
         local headers = {{}}\n\
         local k, coder = 0, \"\"\n\
         function init(args)\n\
           coder = string.format(\"bench-{scenario}-t%d\", id)\n\
           headers[\"Authorization\"] = \"Bearer \" .. token\n\
           headers[\"Content-Type\"] = \"application/json\"\n\
         end\n\
         function request()\n\
           local source = k % sources + 1\n\
           local j = math.floor(k / sources)\n\
           k = k + 1\n\
           local start = (j * 7) % starts\n\
           local body = string.format('{{\"source\":\"I%d\",\"start\":%d,\"end\":%d,\"code\":\"%s\",\"qualifiers\":{{\"polarity\":\"%s\"}},\"coder\":\"%s\"}}',\n\
             source, start, start + 10 + j % 60, codes[j % #codes + 1], polarity[k % 2 + 1], coder)\n\
           return wrk.format(\"POST\", \"/studies/{STUDY}/codings\", headers, body)\n\
         end",
        codes.join(", ")
    )
    .expect("a String takes writes");
    lua.push_str(SUMMARY_LUA);
    lua
}

/// What wrk measured for one scenario.
struct Figures {
    requests: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Socket errors and timeouts.
    socket_errors: u64,
    /// Responses that were not 2xx or 3xx.
    bad_status: u64,
}

impl Figures {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// wrk's figures for `script` with `connections` clients over `threads` threads.
fn measure(
    base: &str,
    token: &str,
    script: &Path,
    threads: usize,
    connections: usize,
) -> anyhow::Result<Figures> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        &threads.to_string(),
        "-c",
        &connections.to_string(),
        "-d",
        DURATION,
        "--timeout",
        TIMEOUT,
        "-s",
    ])
    .arg(script)
    .arg(base);
    // The token goes in the environment, and is not printed.
    let shown: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    eprintln!("$ BENCH_TOKEN=... wrk {}", shown.join(" "));
    cmd.env("BENCH_TOKEN", token);
    let out = cmd.output().context("running wrk")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "wrk failed: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("@@bench "))
        .with_context(|| format!("wrk printed no summary:\n{stdout}"))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("wrk's summary {line:?}"))?;
    let [requests, micros, p50, p99, max, connect, read, write, status, timeout] = v[..] else {
        bail!("wrk's summary {line:?} has {} fields", v.len());
    };
    Ok(Figures {
        requests,
        seconds: micros as f64 / 1e6,
        p50_ms: p50 as f64 / 1e3,
        p99_ms: p99 as f64 / 1e3,
        max_ms: max as f64 / 1e3,
        socket_errors: connect + read + write + timeout,
        bad_status: status,
    })
}

/// One request by curl-less std: the status line of a GET, once the whole response is in.
pub(crate) fn probe(
    base: &str,
    token: &str,
    path: &str,
    limit: Duration,
) -> anyhow::Result<String> {
    get(base, token, path, limit).map(|(status, _)| status)
}

/// A GET's status line and body.
fn get(base: &str, token: &str, path: &str, limit: Duration) -> anyhow::Result<(String, String)> {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").context("an http:// base")?;
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(limit))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    Ok((status, body))
}

/// How many codings the study holds, as `GET /studies/{study}/sources` counts them.
fn stored_codings(base: &str, token: &str) -> anyhow::Result<u64> {
    let path = format!("/studies/{STUDY}/sources");
    let (status, body) = get(base, token, &path, Duration::from_secs(60))?;
    if !status.contains(" 200 ") {
        bail!("GET {path} answered {status:?}");
    }
    let sources: serde_json::Value =
        serde_json::from_str(&body).with_context(|| format!("GET {path}: {body}"))?;
    sources
        .as_array()
        .context("the sources are a list")?
        .iter()
        .map(|s| s["codings"].as_u64().context("a source's `codings`"))
        .sum()
}

/// A new admin token in the store at `db`: its secret, which `token create` prints once.
pub(crate) fn admin_token(bin: &Path, db: &Path) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .arg("--db")
        .arg(db)
        .args(["token", "create", "--name", "bench", "--role", "admin"])
        .output()
        .context("running samskap token create")?;
    if !out.status.success() {
        bail!(
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .next()
        .context("token create printed no secret")?
        .to_owned())
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

/// Lets requests still in flight when wrk stopped finish before the next scenario (none
/// takes longer than the slowest one measured, give or take).
fn settle(f: &Figures) {
    std::thread::sleep(Duration::from_millis(f.max_ms as u64) + Duration::from_secs(1));
}

/// "12.3× Taguette's" (a rate) or "Taguette's 9 ms" beside a latency.
fn against_taguette(f: &Figures) -> String {
    format!(
        "{:.0}x Taguette's {TAGUETTE_CODING_RPS:.0}/s; p50 {:.1} ms against its ~{TAGUETTE_CODING_MS:.0} ms",
        f.rps() / TAGUETTE_CODING_RPS,
        f.p50_ms
    )
}

pub fn api() -> anyhow::Result<()> {
    let root = root();
    let bin = build_release()?;
    ensure_tool("wrk", "wrk", "the HTTP load generator")?;
    let work: PathBuf = root.join("target/bench/api");
    let bundle = work.join("bundle");
    eprintln!(
        "writing a bundle of {GROUPS} groups, {} members, {} meetings (with attendance) and {GROUPS} interviews of {TEXT_CHARS}+ characters to {}",
        GROUPS * MEMBERS_PER_GROUP,
        GROUPS * MEETINGS_PER_GROUP,
        bundle.display()
    );
    write_bundle(&bundle)?;
    let db = work.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(work.join(format!("bench.db{suffix}")));
    }
    let samskap = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.arg("--db").arg(&db).args(args);
        c
    };
    let started = Instant::now();
    run(samskap(&["import"]).arg(&bundle).stdout(Stdio::null()))?;
    eprintln!("imported in {:.1?}", started.elapsed());
    let token = admin_token(&bin, &db)?;

    let log = work.join("serve.log");
    let mut server = Server::start(&bin, &db, &log, Duration::from_secs(60))?;
    eprintln!(
        "samskap serve on {} (request log: {})",
        server.base,
        log.display()
    );
    let read_path = format!("/studies/{STUDY}/groups/G7/attendance?by=service");
    let t = Instant::now();
    let status = probe(&server.base, &token, &read_path, Duration::from_secs(60))?;
    if !status.contains(" 200 ") {
        bail!("GET {read_path} answered {status:?}");
    }
    eprintln!("one read alone: {:.1?}", t.elapsed());

    let read_script = work.join("read.lua");
    let write_script = work.join("write.lua");
    std::fs::write(&read_script, wrk_script(false))?;
    std::fs::write(&write_script, wrk_script(true))?;
    eprintln!("reads: GET {read_path} for {DURATION}");
    let reads = measure(&server.base, &token, &read_script, THREADS, CONNECTIONS)?;
    settle(&reads);
    eprintln!(
        "writes: PUT .../meetings/{{m}}/attendance (20 members), cycling meetings, for {DURATION}"
    );
    let writes = measure(&server.base, &token, &write_script, THREADS, CONNECTIONS)?;
    settle(&writes);

    // Coding writes, from one client and from 16; each run codes as coders of its own.
    let mut codings = Vec::new();
    let before = stored_codings(&server.base, &token)?;
    for (clients, threads) in [(1, 1), (CONNECTIONS, THREADS)] {
        let script = work.join(format!("codings-{clients}.lua"));
        std::fs::write(&script, coding_script(&format!("c{clients}")))?;
        eprintln!(
            "codings: POST /studies/{STUDY}/codings from {clients} client(s), each a new coding, for {DURATION}"
        );
        let f = measure(&server.base, &token, &script, threads, clients)?;
        settle(&f);
        codings.push((clients, f));
    }
    // Every answer counted was a 201, so at least as many codings are stored (a few more
    // when wrk stopped with requests in flight, which the server still answered).
    let stored = stored_codings(&server.base, &token)? - before;
    server.stop();
    drop(server);

    println!(
        "samskap serve, loopback, {DURATION} each; study: {GROUPS} groups, {} members, {} meetings, {GROUPS} interviews",
        GROUPS * MEMBERS_PER_GROUP,
        GROUPS * MEETINGS_PER_GROUP
    );
    println!(
        "{:<12} {:>7} {:>10} {:>9} {:>9} {:>9} {:>8} {:>8}   target",
        "", "clients", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    let mut rows = vec![
        (
            "read",
            CONNECTIONS,
            &reads,
            format!(
                ">= {READ_RPS:.0} req/s ({}), p99 < {READ_P99_MS:.0} ms ({})",
                verdict(reads.rps() >= READ_RPS),
                verdict(reads.p99_ms < READ_P99_MS)
            ),
        ),
        (
            "write",
            CONNECTIONS,
            &writes,
            format!(
                ">= {WRITE_RPS:.0} req/s ({})",
                verdict(writes.rps() >= WRITE_RPS)
            ),
        ),
    ];
    for (clients, f) in &codings {
        let target = if *clients == CONNECTIONS {
            format!(
                ">= {CODING_RPS:.0} req/s ({}), p99 < {CODING_P99_MS:.0} ms ({}); {}",
                verdict(f.rps() >= CODING_RPS),
                verdict(f.p99_ms < CODING_P99_MS),
                against_taguette(f)
            )
        } else {
            against_taguette(f)
        };
        rows.push(("coding write", *clients, f, target));
    }
    for (name, clients, f, target) in &rows {
        println!(
            "{:<12} {:>7} {:>10} {:>9.1} {:>9.2} {:>9.2} {:>8.0} {:>8}   {target}",
            name,
            clients,
            f.requests,
            f.rps(),
            f.p50_ms,
            f.p99_ms,
            f.max_ms,
            f.socket_errors + f.bad_status,
        );
    }
    for (name, clients, f, _) in &rows {
        if f.bad_status > 0 || f.socket_errors > 0 {
            println!(
                "{name} ({clients} clients): {} responses were not 2xx and {} requests failed or timed out (see {})",
                f.bad_status,
                f.socket_errors,
                log.display()
            );
        }
    }
    let answered: u64 = codings.iter().map(|(_, f)| f.requests).sum();
    println!("codings stored by the coding writes: {stored} (answered: {answered})");
    // A benchmark of refusals measures nothing: every coding request must have made a coding.
    if codings
        .iter()
        .any(|(_, f)| f.bad_status > 0 || f.socket_errors > 0)
    {
        bail!("coding writes were answered with errors: the figures above are not of codings made");
    }
    if stored < answered {
        bail!("only {stored} codings were stored for {answered} coding requests answered");
    }
    Ok(())
}
