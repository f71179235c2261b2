//! Integration tests of the store: migrations, one-transaction imports, loading back, and
//! withdrawal down to the bytes of the database file.

use std::path::{Path, PathBuf};

use samskap_core::{Framework, InformantId, Study, StudyId};
use samskap_store::{Replace, Store, StoreError, SCHEMA_VERSION};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering")
}

fn thesis() -> Study {
    samskap_bundle::read(&fixture()).unwrap()
}

fn json(study: &Study) -> serde_json::Value {
    serde_json::to_value(study).unwrap()
}

fn study_id() -> StudyId {
    "ung-inkludering".parse().unwrap()
}

#[test]
fn migrates_an_empty_file_and_sets_wal_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Opening again is a no-op migration.
    Store::open(&path).unwrap();
}

#[test]
fn a_store_from_a_newer_samskap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 7)
        .unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("newer than this samskap"), "{msg}");
    assert!(msg.contains(&(SCHEMA_VERSION + 7).to_string()), "{msg}");
}

#[test]
fn open_existing_needs_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open_existing(&dir.path().join("none.db"))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("samskap init"), "{err}");
    assert!(!dir.path().join("none.db").exists());
}

#[test]
fn a_study_loads_back_as_it_was_imported() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    let s = store.import_study(&study, Replace::No).unwrap();
    assert_eq!(
        (s.informants, s.transcripts, s.codings),
        (6, 6, study.codings().len())
    );
    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(json(&loaded), json(&study));
    assert_eq!(store.resolve_study(None).unwrap(), study_id());
    assert_eq!(store.frameworks().unwrap().len(), 1);
}

#[test]
fn importing_a_study_twice_is_refused_and_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    let err = store.import_study(&study, Replace::No).unwrap_err();
    assert!(err.to_string().contains("--replace"), "{err}");
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&study));
    let replaced = store.import_study(&study, Replace::Yes).unwrap();
    assert!(replaced.replaced);
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&study));
}

fn changed_framework(study: &Study) -> Framework {
    let toml = study
        .framework()
        .to_toml()
        .replace("label_en = \"Culture\"", "label_en = \"Kultur (changed)\"");
    Framework::from_toml(&toml).unwrap()
}

#[test]
fn a_replace_that_fails_midway_rolls_back_the_delete() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    // A second study codes against the same framework, so it cannot change.
    let mut meta = study.meta().clone();
    meta.id = "other".parse().unwrap();
    store
        .import_study(
            &Study::new(meta, study.framework().clone()).unwrap(),
            Replace::No,
        )
        .unwrap();

    // Same study id, same framework id, different framework content: the old study is
    // deleted first inside the transaction, then the framework conflicts.
    let edited = Study::new(study.meta().clone(), changed_framework(&study)).unwrap();
    let err = store.import_study(&edited, Replace::Yes).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("used by study other"), "{err}");
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&study));
}

#[test]
fn replacing_a_study_may_change_its_framework_when_no_other_study_uses_it() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    let edited = Study::new(study.meta().clone(), changed_framework(&study)).unwrap();
    store.import_study(&edited, Replace::Yes).unwrap();
    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(
        loaded.framework().categories()[0].label_en,
        "Kultur (changed)"
    );
    assert_eq!(store.frameworks().unwrap().len(), 1);
}

#[test]
fn several_studies_need_a_choice() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    let mut meta = study.meta().clone();
    meta.id = "other".parse().unwrap();
    let other = Study::new(meta, study.framework().clone()).unwrap();
    store.import_study(&other, Replace::No).unwrap();
    let err = store.resolve_study(None).unwrap_err();
    assert!(err.to_string().contains("--study"), "{err}");
    let picked = store
        .resolve_study(Some(&"other".parse().unwrap()))
        .unwrap();
    assert_eq!(picked.as_str(), "other");
}

/// True when `needle` occurs in the bytes of the database file or its WAL.
fn on_disk(path: &Path, needle: &str) -> bool {
    let mut files = vec![path.to_owned()];
    files.push(PathBuf::from(format!("{}-wal", path.display())));
    files.iter().any(|f| {
        std::fs::read(f)
            .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    })
}

#[test]
fn withdrawal_leaves_no_text_of_the_informant_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis();
    let i3: InformantId = "I3".parse().unwrap();
    let i3_text = study.transcript(&i3).unwrap().text().to_owned();
    // Passages of I3's transcript: every line long enough to be unmistakable.
    let passages: Vec<&str> = i3_text.lines().filter(|l| l.len() > 40).collect();
    assert!(passages.len() >= 3);
    let other = study
        .transcript(&"I1".parse().unwrap())
        .unwrap()
        .text()
        .lines()
        .find(|l| l.len() > 40)
        .unwrap()
        .to_owned();

    {
        let mut store = Store::open(&path).unwrap();
        store.import_study(&study, Replace::No).unwrap();
        store.checkpoint().unwrap();
    }
    // The check can see text: before withdrawal it is there.
    assert!(passages.iter().all(|p| on_disk(&path, p)));
    assert!(on_disk(&path, "SLT koordinator"));

    {
        let mut store = Store::open(&path).unwrap();
        let outcome = store.withdraw(&study_id(), &i3).unwrap();
        assert!(outcome.wal_cleared);
        let w = outcome.removed;
        assert_eq!(w.transcripts, 1);
        assert!(w.units > 0 && w.codings > 0);
        let loaded = store.load_study(&study_id()).unwrap();
        assert!(loaded.transcript(&i3).is_none());
        assert!(loaded.units().iter().all(|u| u.informant != i3));
        assert!(loaded.informant(&i3).unwrap().details.is_none());
    }
    for p in &passages {
        assert!(!on_disk(&path, p), "still on disk: {p}");
    }
    // Workplace of I3 is gone too; other informants' words remain.
    assert!(!on_disk(&path, "SLT koordinator"));
    assert!(on_disk(&path, &other));
}

#[test]
fn withdrawing_an_unknown_informant_is_an_error() {
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&thesis(), Replace::No).unwrap();
    let err = store
        .withdraw(&study_id(), &"I42".parse().unwrap())
        .unwrap_err();
    assert_eq!(err.to_string(), "no informant `I42` in the store");
}

#[test]
fn a_schema_1_store_is_upgraded_and_its_transcripts_become_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO framework VALUES ('f', 'F', 'F', '');
             INSERT INTO study (id, title, framework_id) VALUES ('s', 'S', 'f');
             INSERT INTO informant (study_id, id, role, consent) VALUES ('s', 'I1', 'participant', 'given');
             INSERT INTO transcript VALUES ('s', 'I1', 'Vi møttes på biblioteket i går.');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let mut hits = Vec::new();
    let n = store
        .search(&"s".parse().unwrap(), "biblioteket", |h| {
            hits.push(h);
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!((hits[0].start, hits[0].end), (13, 24));
    assert_eq!(hits[0].before, "Vi møttes på ");
}

#[test]
fn streamed_quotes_match_the_core_analysis_for_every_filter() {
    use samskap_core::analysis::{quotes, Filter};
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    let filters = [
        Filter::default(),
        Filter {
            category: Some("structure".parse().unwrap()),
            polarity: Some(samskap_core::Polarity::Barrier),
            ..Filter::default()
        },
        Filter {
            code: Some("resources/time-people-money".parse().unwrap()),
            coder: Some("B".parse().unwrap()),
            ..Filter::default()
        },
        Filter {
            group: Some("G1".parse().unwrap()),
            role: Some(samskap_core::Role::Participant),
            text: Some("KOMMUNEN".into()),
            ..Filter::default()
        },
        Filter {
            role: Some(samskap_core::Role::Facilitator),
            consented_only: true,
            ..Filter::default()
        },
    ];
    for f in filters {
        let mut streamed = Vec::new();
        let n = store
            .quotes(&study_id(), &f, |q, _| {
                streamed.push(q);
                Ok(())
            })
            .unwrap();
        let expected = quotes(&study, &f);
        assert!(!expected.is_empty(), "{f:?} selects nothing: a weak check");
        assert_eq!(n, expected.len());
        assert_eq!(streamed, expected, "{f:?}");
    }
    let outline = store.outline(&study_id()).unwrap();
    assert_eq!(outline.groups.len(), 5);
    assert_eq!(&outline.framework, study.framework());
}
