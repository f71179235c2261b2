//! Crash safety: an import, an import `--replace`, a withdrawal and a REFI import are killed
//! with SIGKILL at random moments; afterwards the store passes `PRAGMA integrity_check` and
//! holds exactly the state before or exactly the state after, never a mixture.
//!
//! Trials per operation: `SAMSKAP_CRASH_TRIALS` (default 6, for CI); `cargo xtask crash`
//! runs many more. The moments are drawn from a seeded generator, so a failing trial can be
//! repeated: the message names its seed and delay.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_dir, fixtures, thesis, zip_dir, Env};

fn trials() -> u64 {
    std::env::var("SAMSKAP_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

/// Every row of every table but the search index's own (whose pages a merge may reshape
/// without changing what it finds), in order: two equal dumps are two equal stores. The
/// journal's entries are compared without the time they were made at, which differs from
/// one run of the same operation to the next.
fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "integrity_check of {}", db.display());
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
               AND name NOT LIKE 'transcript_fts%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let columns = if t == "journal" {
            "id, study_id, who, via, kind, summary, payload, touches, undoes, undone_by"
        } else {
            "*"
        };
        let mut st = conn
            .prepare(&format!("SELECT {columns} FROM \"{t}\""))
            .unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    // What search finds is part of the state, even if the index's pages are not.
    let mut st = conn
        .prepare("SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH 'det' ORDER BY rowid")
        .unwrap();
    let hits = st.query_map([], |r| r.get::<_, i64>(0)).unwrap();
    out.extend(hits.map(|h| format!("fts hit: {}", h.unwrap())));
    out
}

/// A copy of a store file, with its WAL folded in first so that one file is the whole state.
fn settle(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
}

fn samskap(db: &Path, args: &[String]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_samskap"));
    c.env_remove("SAMSKAP_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// xorshift64*: a seeded sequence of delays, no dependency needed.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Runs `args` on copies of the store at `old`, killing it at random moments, and checks
/// each copy afterwards.
fn kill_at_random(name: &str, old: &Path, args: &[String], seed: u64) {
    settle(old);
    let before = dump(old);
    let scratch = tempfile::tempdir().unwrap();

    // The state after, and how long the operation takes when left alone.
    let whole = scratch.path().join("whole.db");
    std::fs::copy(old, &whole).unwrap();
    let started = Instant::now();
    let status = samskap(&whole, args).status().unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{name}: {args:?} failed when left alone");
    let after = dump(&whole);
    assert_ne!(before, after, "{name}: the operation changes nothing");

    let mut seq = Seq(seed);
    let (mut saw_before, mut saw_after) = (0, 0);
    for trial in 0..trials() {
        let db = scratch.path().join(format!("t{trial}.db"));
        std::fs::copy(old, &db).unwrap();
        // Anywhere from the start to a little past the usual end.
        let delay = Duration::from_micros(seq.next() % (took.as_micros() as u64 * 6 / 5 + 1));
        let mut child = samskap(&db, args).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL: no destructor, no rollback of its own.
        child.wait().unwrap();
        let state = dump(&db);
        if state == before {
            saw_before += 1;
        } else if state == after {
            saw_after += 1;
        } else {
            let diff: Vec<&String> = state
                .iter()
                .filter(|r| !before.contains(r) && !after.contains(r))
                .take(5)
                .collect();
            panic!(
                "{name}: killed after {delay:?} (seed {seed}, trial {trial}), the store is neither the old state nor the new: {diff:?}"
            );
        }
    }
    eprintln!("{name}: {saw_before} trials left the old state, {saw_after} the new");
}

fn store_with(bundle: &Path, dir: &Path) -> PathBuf {
    let db = dir.join("old.db");
    let status = samskap(&db, &["import".into(), bundle.display().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    db
}

#[test]
fn a_killed_import_leaves_the_old_or_the_new_store() {
    let env = Env::new();
    let old = store_with(&fixtures().join("mini"), env.dir.path());
    let args = ["import".into(), thesis().display().to_string()];
    kill_at_random("import", &old, &args, 0x5eed_0001);
}

#[test]
fn a_killed_replace_leaves_the_old_or_the_new_store() {
    let env = Env::new();
    let old = store_with(&thesis(), env.dir.path());
    // The same study with one transcript edited and its title changed.
    let edited = env.path("edited");
    copy_dir(&thesis(), &edited);
    let study = std::fs::read_to_string(edited.join("study.toml")).unwrap();
    std::fs::write(
        edited.join("study.toml"),
        study.replacen("title = \"", "title = \"Revidert: ", 1),
    )
    .unwrap();
    let args = [
        "import".into(),
        "--replace".into(),
        edited.display().to_string(),
    ];
    kill_at_random("import --replace", &old, &args, 0x5eed_0002);
}

#[test]
fn a_killed_withdrawal_leaves_the_old_or_the_new_store() {
    let env = Env::new();
    let old = store_with(&thesis(), env.dir.path());
    let args = [
        "informant".into(),
        "withdraw".into(),
        "I3".into(),
        "--yes".into(),
    ];
    kill_at_random("withdraw", &old, &args, 0x5eed_0003);
}

#[test]
fn a_killed_refi_import_leaves_the_old_or_the_new_store() {
    let env = Env::new();
    let old = store_with(&fixtures().join("mini"), env.dir.path());
    let qdpx = env.path("hand.qdpx");
    zip_dir(&fixtures().join("refi/hand"), &qdpx);
    let args = [
        "refi".into(),
        "import".into(),
        qdpx.display().to_string(),
        "--id".into(),
        "hand".into(),
        "--default-polarity".into(),
        "barrier".into(),
    ];
    kill_at_random("refi import", &old, &args, 0x5eed_0004);
}
