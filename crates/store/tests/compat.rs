//! Stores written by earlier builds of samskap (`fixtures/stores/`, made by the commands its
//! README lists) open with today's code: they migrate, pass SQLite's and FTS5's integrity
//! checks, and hold the same studies, tokens and withdrawals as before.

use std::path::{Path, PathBuf};

use samskap_core::{Consent, StudyId};
use samskap_store::{Store, SCHEMA_VERSION};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A copy of a fixture store in a scratch directory: opening migrates it in place.
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixtures().join("stores").join(name), &path).unwrap();
    (dir, path)
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn a_schema_4_store_migrates_and_its_search_index_is_sound() {
    let (_dir, path) = copy_of("schema-4.db");
    let store = Store::open_existing(&path).unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The old build's `import --replace` left this malformed; schema 6 rebuilt it.
    conn.execute(
        "INSERT INTO transcript_fts (transcript_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();

    // The thesis study is the bundle it was imported from, field for field.
    let thesis: StudyId = "ung-inkludering".parse().unwrap();
    let bundle = samskap_bundle::read(&fixtures().join("ung-inkludering")).unwrap();
    assert_eq!(json(&store.load_study(&thesis).unwrap()), json(&bundle));

    // The withdrawal it recorded holds: I3 of mini has no material and no details.
    let mini = store.load_study(&"mini".parse().unwrap()).unwrap();
    let i3 = mini.informant(&"I3".parse().unwrap()).unwrap();
    assert_eq!(i3.consent(), Consent::Withdrawn);
    assert!(mini.units().iter().all(|u| u.informant.as_str() != "I3"));

    // Search finds the thesis's words again; the token is still there.
    let mut hits = 0;
    store
        .search(&thesis, "kommunen", |_| {
            hits += 1;
            Ok(())
        })
        .unwrap();
    assert!(hits > 0);
    let tokens = store.list_tokens().unwrap();
    assert!(
        tokens.iter().any(|t| t.name == "kari"),
        "{:?}",
        tokens.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
}
