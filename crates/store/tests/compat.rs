//! Stores written by earlier builds of samskap (`fixtures/stores/`, made by the commands its
//! README lists) open with today's code: they migrate, pass SQLite's and FTS5's integrity
//! checks, and hold the same studies, tokens and withdrawals as before.

use std::path::{Path, PathBuf};

use samskap_core::{Consent, Framework, InformantId, StudyId};
use samskap_store::{Replace, Store, SCHEMA_VERSION};

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

    // The thesis study is the bundle it was imported from, field for field: its framework
    // the built-in one (a tree with polarity, and today's colours), its codings carrying
    // `polarity=...`, in the order they were added.
    let thesis: StudyId = "ung-inkludering".parse().unwrap();
    let bundle = samskap_bundle::read(&fixtures().join("ung-inkludering")).unwrap();
    let loaded = store.load_study(&thesis).unwrap();
    assert_eq!(json(&loaded), json(&bundle));
    assert_eq!(
        loaded.framework(),
        &Framework::builtin("bentzen-2018").unwrap()
    );
    assert!(loaded
        .codings()
        .iter()
        .all(|c| c.qualifiers.to_string().starts_with("polarity=")));

    // Mini is its bundle with I3 withdrawn, as core withdraws: no material, no details.
    let mini = store.load_study(&"mini".parse().unwrap()).unwrap();
    let i3: InformantId = "I3".parse().unwrap();
    assert_eq!(mini.informant(&i3).unwrap().consent(), Consent::Withdrawn);
    let mut expected = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    expected.withdraw(&i3).unwrap();
    assert_eq!(json(&mini), json(&expected));
    // Its own framework, written in the first format, reads the same from its file.
    let file = std::fs::read_to_string(fixtures().join("mini/framework.toml")).unwrap();
    assert_eq!(mini.framework(), &Framework::from_toml(&file).unwrap());

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

    // The stored built-in framework is today's built-in: another study on it comes in
    // (a framework that differed would be refused, the thesis using it).
    let mut store = store;
    let mut meta = bundle.meta().clone();
    meta.id = "again".parse().unwrap();
    let other =
        samskap_core::Study::new(meta, Framework::builtin("bentzen-2018").unwrap()).unwrap();
    store.import_study(&other, Replace::No).unwrap();
    assert_eq!(
        json(&store.load_study(&"again".parse().unwrap()).unwrap()),
        json(&other)
    );
}
