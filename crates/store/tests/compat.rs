//! Stores written by earlier builds of samskap (`fixtures/stores/`, made by the commands its
//! README lists) open with today's code: they migrate, pass SQLite's and FTS5's integrity
//! checks, and hold the same studies, tokens and withdrawals as before; from schema 8 on,
//! every framework they held is version 1 and every coding was made under it.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use samskap_core::{Consent, Framework, InformantId, StudyId};
use samskap_store::{Forms, Query, Replace, Store, SCHEMA_VERSION};

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

/// A bundle's study as a store made before schema 9 holds it: the store knew no provenance,
/// so its studies read as research data, while today's fixtures say they are illustrative.
/// It knew no custom attributes either (schema 11), which `fixtures/thematic` has since.
fn before_provenance(bundle: &samskap_core::Study) -> serde_json::Value {
    let mut v = before_attributes(bundle);
    v["meta"].as_object_mut().unwrap().remove("provenance");
    v
}

/// The stores here were made from `fixtures/ung-inkludering` as it was then: the
/// illustrative bundle that is `fixtures/ung-inkludering-demo` today, before its study was
/// renamed and its informants' workplaces made fictional (issue 12). It is compared with
/// those set aside (`identity_aside`).
fn thesis_then() -> samskap_core::Study {
    samskap_bundle::read(&fixtures().join("ung-inkludering-demo")).unwrap()
}

/// A study as JSON without what the demo bundle changed since: the study's id, title and
/// method, and the informants' workplaces and positions.
fn identity_aside(mut v: serde_json::Value) -> serde_json::Value {
    for key in ["id", "title", "method"] {
        v["meta"][key] = serde_json::Value::Null;
    }
    for i in v["informants"].as_array_mut().unwrap() {
        if i["details"].is_object() {
            i["details"]["workplace"] = serde_json::Value::Null;
            i["details"]["position"] = serde_json::Value::Null;
        }
    }
    v
}

/// A bundle's study as a store made before schema 11 holds it: without attribute values.
fn before_attributes(bundle: &samskap_core::Study) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                o.remove("attributes");
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = json(bundle);
    strip(&mut v);
    v
}

/// A study as JSON without the assessments a store made before schema 17 could not hold:
/// those that place a ladder range or an actor, name several logics or cite a fact of the
/// record as evidence (today's `mini` has some; the assessments of the old model stay).
fn before_assessment_model(mut v: serde_json::Value) -> serde_json::Value {
    let new_model = |a: &serde_json::Value| {
        let value = &a["value"];
        value["ladder"]["range"].is_array()
            || value["ladder"].get("actor").is_some()
            || value["logic"].is_array()
            || a["evidence"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e.get("source").is_none()))
    };
    if let Some(all) = v["facilitation"]["assessments"].as_array_mut() {
        all.retain(|a| !new_model(a));
    }
    v
}

/// A search for the word `golfklubben`, which the thesis holds.
fn golfklubben() -> Query {
    Query::words("golfklubben", Forms::Inflected).unwrap()
}

/// The store at `path`, which has been opened: at today's schema, and sound.
fn migrated_and_sound(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let dangling: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(dangling, None, "a row refers to a missing row");
    conn
}

#[test]
fn a_schema_4_store_migrates_and_its_search_index_is_sound() {
    let (_dir, path) = copy_of("schema-4.db");
    let store = Store::open_existing(&path).unwrap();
    first_versions(&store, &path);

    let conn = migrated_and_sound(&path);
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
    let bundle = thesis_then();
    let loaded = store.load_study(&thesis).unwrap();
    assert_eq!(loaded.meta().provenance, samskap_core::Provenance::Research);
    assert_eq!(
        identity_aside(json(&loaded)),
        identity_aside(before_provenance(&bundle))
    );
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
    assert_eq!(
        json(&mini),
        before_assessment_model(before_provenance(&expected))
    );
    // Its own framework, written in the first format, reads the same from its file.
    let file = std::fs::read_to_string(fixtures().join("mini/framework.toml")).unwrap();
    assert_eq!(mini.framework(), &Framework::from_toml(&file).unwrap());

    // Search finds the thesis's words again; the token is still there.
    let mut hits = 0;
    store
        .search(
            &thesis,
            &Query::words("kommunen", Forms::Inflected).unwrap(),
            None,
            None,
            |_| {
                hits += 1;
                Ok(())
            },
        )
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

/// Schema 8 recorded version 1 of every framework from what the store held, and every
/// coding as made under it.
fn first_versions(store: &Store, path: &Path) {
    for f in store.frameworks().unwrap() {
        let log = store.framework_log(f.id()).unwrap();
        assert_eq!(log.len(), 1, "{}", f.id());
        assert_eq!(log[0].version, 1);
        assert!(log[0].what.contains("schema 8"), "{}", log[0].what);
        assert_eq!((log[0].at.as_deref(), log[0].by.as_deref()), (None, None));
        assert_eq!(store.framework_at(f.id(), 1).unwrap(), f);
        assert_eq!(store.framework_version(f.id()).unwrap(), 1);
    }
    for s in store.studies().unwrap() {
        assert_eq!(
            store.coding_table(&s.id, Some(1)).unwrap().codings(),
            store.coding_table(&s.id, None).unwrap().codings()
        );
    }
    let conn = rusqlite::Connection::open(path).unwrap();
    let other: i64 = conn
        .query_row("SELECT count(*) FROM coding WHERE version <> 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(other, 0);
}

/// Rows that must come through a migration as they were, as text, table by table.
fn rows_of(path: &Path) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    [
        "SELECT id, unit_id, framework_id, code, qualifiers, coder, ifnull(memo, '') FROM coding ORDER BY id",
        "SELECT id, study_id, ifnull(framework_id, ''), ifnull(code, ''), author, text FROM memo ORDER BY id",
        "SELECT study_id, kind, key, guid FROM refi_study_guid ORDER BY 1, 2, 3",
        "SELECT framework_id, kind, key, guid FROM refi_framework_guid ORDER BY 1, 2, 3",
        "SELECT framework_id, path, rank, label, definition, ifnull(colour, ''), ifnull(memo, '') FROM code ORDER BY 1, 3",
        "SELECT name, role FROM api_token ORDER BY rowid",
    ]
    .iter()
    .map(|sql| {
        let mut st = conn.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| v.join("|"))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
    })
    .collect()
}

#[test]
fn a_schema_7_store_migrates_with_nothing_lost() {
    let (_dir, path) = copy_of("schema-7.db");
    let before = rows_of(&path);
    assert!(
        before.iter().all(|t| !t.is_empty()),
        "every table holds rows"
    );
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    first_versions(&store, &path);
    let check: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // The bundles' studies are their bundles; the REFI project's study loads, with the
    // GUIDs it kept.
    let loaded = store
        .load_study(&"ung-inkludering".parse().unwrap())
        .unwrap();
    assert_eq!(
        identity_aside(json(&loaded)),
        identity_aside(before_provenance(&thesis_then()))
    );
    let bundle = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    let loaded = store.load_study(&"mini".parse().unwrap()).unwrap();
    assert_eq!(
        json(&loaded),
        before_assessment_model(before_provenance(&bundle))
    );
    let hand: StudyId = "hand".parse().unwrap();
    assert_eq!(store.load_study(&hand).unwrap().codings().len(), 6);
    let record = store.refi_record(&hand).unwrap();
    assert!(record.study_guids.iter().any(|g| g.kind == "coding"));
    assert!(record.framework_guids.iter().any(|g| g.kind == "qualified"));
    assert!(store
        .list_tokens()
        .unwrap()
        .iter()
        .any(|t| t.name == "kari"));
}

#[test]
fn a_schema_8_store_migrates_and_keeps_its_codebook_history() {
    let (_dir, path) = copy_of("schema-8.db");
    let before = rows_of(&path);
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    let check: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // Every study reads as research data: the store knew no provenance.
    let studies = store.studies().unwrap();
    assert_eq!(studies.len(), 3);
    assert!(studies
        .iter()
        .all(|s| s.provenance == samskap_core::Provenance::Research));

    // The rename made under schema 8 is still version 2, with who, when and the note; the
    // thesis's codings moved with it and the bundle is otherwise the study.
    let bentzen = "bentzen-2018".parse().unwrap();
    let log = store.framework_log(&bentzen).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].by.as_deref(), Some("lead"));
    assert_eq!(log[1].note.as_deref(), Some("compat fixture"));
    assert!(
        log[1].what.contains("structure/cross-sector"),
        "{}",
        log[1].what
    );
    let thesis = store
        .load_study(&"ung-inkludering".parse().unwrap())
        .unwrap();
    assert!(thesis
        .codings()
        .iter()
        .all(|c| c.code.as_str() != "structure/infrastructure"));
    assert_eq!(thesis.codings().len(), 110);
    let thematic = store.load_study(&"thematic".parse().unwrap()).unwrap();
    let bundle = samskap_bundle::read(&fixtures().join("thematic")).unwrap();
    assert_eq!(json(&thematic), before_provenance(&bundle));
    // The Taguette project came in whole.
    let taguette = store
        .load_study(&"ung-inkludering-taguette".parse().unwrap())
        .unwrap();
    assert_eq!(taguette.codings().len(), 11);
}

#[test]
fn a_schema_9_store_migrates_and_knows_each_transcripts_length() {
    let (_dir, path) = copy_of("schema-9.db");
    let before = rows_of(&path);
    let store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Every transcript's length was counted in characters when the store migrated.
    let mut st = conn
        .prepare("SELECT text, char_len FROM transcript")
        .unwrap();
    let lengths: Vec<(String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(lengths.len() >= 10);
    for (text, len) in &lengths {
        assert_eq!(text.chars().count() as i64, *len);
    }
    // The counting commands' table, read with those lengths, is the loaded study's, for
    // each of the three studies (the thesis, thematic, the Taguette project).
    let studies = store.studies().unwrap();
    assert_eq!(studies.len(), 3);
    for s in &studies {
        let study = store.load_study(&s.id).unwrap();
        let table = store.coding_table(&s.id, None).unwrap();
        assert_eq!(
            table,
            samskap_core::CodingTable::of(&study, None),
            "{}",
            s.id
        );
        assert!(!table.codings().is_empty(), "{}", s.id);
    }
    // The search index was not rebuilt by the new column: it still finds what it found.
    let thesis: samskap_core::StudyId = "ung-inkludering".parse().unwrap();
    let hits = store
        .search(&thesis, &golfklubben(), None, None, |_| Ok(()))
        .unwrap();
    assert!(hits.hits > 0);
}

#[test]
fn a_schema_10_store_migrates_and_takes_attributes() {
    let (_dir, path) = copy_of("schema-10.db");
    let before = rows_of(&path);
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    migrated_and_sound(&path);
    // Each study reads as its bundle did then: no attributes, the withdrawal kept.
    for name in ["ung-inkludering", "mini"] {
        let loaded = store.load_study(&name.parse().unwrap()).unwrap();
        assert!(loaded.attributes().is_empty());
        if name == "ung-inkludering" {
            assert_eq!(
                identity_aside(json(&loaded)),
                identity_aside(json(&thesis_then()))
            );
        } else {
            assert_eq!(
                loaded.informant(&"I3".parse().unwrap()).unwrap().consent(),
                samskap_core::Consent::Withdrawn
            );
        }
    }
    let thematic: samskap_core::StudyId = "thematic".parse().unwrap();
    let bundle = samskap_bundle::read(&fixtures().join("thematic")).unwrap();
    assert_eq!(
        json(&store.load_study(&thematic).unwrap()),
        before_attributes(&bundle)
    );
    // Today's bundle, attributes and all, replaces it in the migrated store.
    store
        .import_study(&bundle, samskap_store::Replace::Yes)
        .unwrap();
    let again = store.load_study(&thematic).unwrap();
    assert_eq!(json(&again), json(&bundle));
    assert_eq!(again.attributes(), bundle.attributes());
    assert_eq!(again.attributes().len(), 4);
}

#[test]
fn a_schema_11_store_migrates_its_transcripts_to_interviews() {
    let (_dir, path) = copy_of("schema-11.db");
    let before = rows_of(&path);
    let mut store = Store::open_existing(&path).unwrap();
    // Units and codings keep their row ids: codings still point at their units.
    assert_eq!(rows_of(&path), before);
    let conn = migrated_and_sound(&path);
    // Each transcript became an interview of the informant it was named for.
    let interviews: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT t.source_id, t.kind, si.informant_id FROM transcript t
             JOIN source_informant si ON si.study_id = t.study_id AND si.source_id = t.source_id
             WHERE t.study_id = 'mini' ORDER BY t.rowid",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!interviews.is_empty());
    assert!(interviews
        .iter()
        .all(|(s, k, i)| s == i && k == "interview" && s != "I3"));
    // The first-layout bundles the store was made from read the same as what it holds now,
    // withdrawal kept; the search index still finds their words.
    let thematic = samskap_bundle::read(&fixtures().join("thematic")).unwrap();
    let loaded = store.load_study(&"thematic".parse().unwrap()).unwrap();
    assert_eq!(json(&loaded), json(&thematic));
    let loaded = store
        .load_study(&"ung-inkludering".parse().unwrap())
        .unwrap();
    assert_eq!(
        identity_aside(json(&loaded)),
        identity_aside(json(&thesis_then()))
    );
    // The counting commands' table (which holds no attribute values) reads the same too:
    // the same sources, units and codings.
    let table = store
        .coding_table(&"ung-inkludering".parse().unwrap(), None)
        .unwrap();
    let then = samskap_core::CodingTable::of(&thesis_then(), None);
    assert_eq!(table.sources(), then.sources());
    assert_eq!(table.units(), then.units());
    assert_eq!(table.codings(), then.codings());
    assert_eq!(table.coders(), then.coders());
    assert_eq!(table.qualifier_sets(), then.qualifier_sets());
    let mini: samskap_core::StudyId = "mini".parse().unwrap();
    assert_eq!(
        store
            .load_study(&mini)
            .unwrap()
            .informant(&"I3".parse().unwrap())
            .unwrap()
            .consent(),
        samskap_core::Consent::Withdrawn
    );
    let thesis: samskap_core::StudyId = "ung-inkludering".parse().unwrap();
    assert!(
        store
            .search(&thesis, &golfklubben(), None, None, |_| Ok(()))
            .unwrap()
            .hits
            > 0
    );
    // A study of the new layout, with a focus group and a document, goes in beside them.
    let kilder = samskap_bundle::read(&fixtures().join("sources")).unwrap();
    store
        .import_study(&kilder, samskap_store::Replace::No)
        .unwrap();
    assert_eq!(
        json(&store.load_study(&kilder.meta().id).unwrap()),
        json(&kilder)
    );
}

/// A study as JSON without its interview guides and the guide each source followed: a
/// store made before schema 13 held none, while today's fixtures have some.
fn before_guides(study: &samskap_core::Study) -> serde_json::Value {
    let mut v = before_source_links(study);
    v.as_object_mut().unwrap().remove("guides");
    for s in v["sources"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("guide");
    }
    v
}

/// A study as a store made before schema 14 holds it: no attribute of sources (declared
/// or held) and no source linked to a meeting.
/// A study's JSON as the fixture bundles were when the stores here were made: without the
/// marks of chosen exemplars (the thesis's Table 2 quotes) and the study's language
/// (`kilder` is in Norwegian), which the bundles have gained since.
fn as_the_bundles_were(mut v: serde_json::Value) -> serde_json::Value {
    v["meta"].as_object_mut().unwrap().remove("language");
    if let Some(codings) = v.get_mut("codings").and_then(|c| c.as_array_mut()) {
        for c in codings {
            c.as_object_mut().unwrap().remove("exemplar");
        }
    }
    v
}

fn before_source_links(study: &samskap_core::Study) -> serde_json::Value {
    let mut v = json(study);
    if let Some(declared) = v.get_mut("attributes").and_then(|a| a.as_array_mut()) {
        declared.retain(|a| a["for"] != serde_json::json!(["source"]));
        if declared.is_empty() {
            v.as_object_mut().unwrap().remove("attributes");
        }
    }
    for s in v["sources"].as_array_mut().unwrap() {
        let s = s.as_object_mut().unwrap();
        s.remove("attributes");
        s.remove("meeting");
    }
    v
}

#[test]
fn a_schema_12_store_migrates_and_takes_guides() {
    let (_dir, path) = copy_of("schema-12.db");
    let before = rows_of(&path);
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    let conn = migrated_and_sound(&path);
    let following: i64 = conn
        .query_row(
            "SELECT count(*) FROM transcript WHERE guide_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(following, 0, "no source of an older store follows a guide");
    // Every study reads as the bundle it was made from, guides aside (the bundles have
    // gained some since); nothing is lost.
    for (study, bundle) in [
        ("ung-inkludering", "ung-inkludering"),
        ("ung-inkludering-demo", "ung-inkludering-demo"),
        ("thematic", "thematic"),
        ("kilder", "sources"),
    ] {
        let from_bundle = samskap_bundle::read(&fixtures().join(bundle)).unwrap();
        let mut then = as_the_bundles_were(before_guides(&from_bundle));
        let mut loaded = before_guides(&store.load_study(&study.parse().unwrap()).unwrap());
        if bundle == "sources" {
            // Its interview `int-i3` has gained question marks since, which moved the
            // spans of its units; the units are the same, in the same order, so the
            // codings on them compare as they are.
            // It has gained a facilitation record since, too: the meeting its minutes are
            // of.
            for v in [&mut then, &mut loaded] {
                v["transcripts"] = serde_json::Value::Null;
                v["units"] = serde_json::Value::Null;
                v["facilitation"] = serde_json::Value::Null;
            }
        }
        assert_eq!(loaded, then, "{study}");
    }
    let mini: StudyId = "mini".parse().unwrap();
    let i3: InformantId = "I3".parse().unwrap();
    // `mini` as its bundle reads with I3 withdrawn in memory: the store's withdrawal and
    // core's follow one declaration.
    let mut withdrawn = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    withdrawn.withdraw(&i3).unwrap();
    let loaded = store.load_study(&mini).unwrap();
    assert_eq!(loaded.informant(&i3).unwrap().consent(), Consent::Withdrawn);
    assert_eq!(json(&loaded), before_assessment_model(json(&withdrawn)));
    assert_eq!(store.list_tokens().unwrap().len(), 1);
    // A study with guides goes in beside them and reads back whole.
    let thesis = samskap_bundle::read(&fixtures().join("ung-inkludering")).unwrap();
    assert_eq!(thesis.guides().len(), 1);
    store.import_study(&thesis, Replace::Yes).unwrap();
    assert_eq!(
        json(&store.load_study(&thesis.meta().id).unwrap()),
        json(&thesis)
    );
}

#[test]
fn a_schema_13_store_migrates_and_takes_attributes_of_sources_and_meeting_links() {
    let (_dir, path) = copy_of("schema-13.db");
    let before = rows_of(&path);
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    let conn = migrated_and_sound(&path);
    let (linked, held): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM transcript WHERE meeting_id IS NOT NULL),
                    (SELECT count(*) FROM source_attribute)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((linked, held), (0, 0), "an older store links nothing");
    // Every study reads as the bundle it was made from, with what schema 14 added aside;
    // the guides came with schema 13 and are there.
    for (study, bundle) in [
        ("ung-inkludering", "ung-inkludering"),
        ("ung-inkludering-demo", "ung-inkludering-demo"),
        ("thematic", "thematic"),
        ("kilder", "sources"),
    ] {
        let from_bundle = samskap_bundle::read(&fixtures().join(bundle)).unwrap();
        let mut then = as_the_bundles_were(before_source_links(&from_bundle));
        let mut loaded = before_source_links(&store.load_study(&study.parse().unwrap()).unwrap());
        if bundle == "sources" {
            // The meeting its minutes are of came with the links.
            for v in [&mut then, &mut loaded] {
                v["facilitation"] = serde_json::Value::Null;
            }
        }
        assert_eq!(loaded, then, "{study}");
    }
    let mini: StudyId = "mini".parse().unwrap();
    let mut withdrawn = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    withdrawn
        .withdraw(&"I3".parse::<InformantId>().unwrap())
        .unwrap();
    assert_eq!(
        json(&store.load_study(&mini).unwrap()),
        before_assessment_model(json(&withdrawn))
    );
    assert_eq!(store.list_tokens().unwrap().len(), 1);
    // Today's `kilder` replaces the old one and reads back whole: attributes, link and all.
    // Its minutes name a meeting the stored (empty) record lacks, so keeping that record
    // is refused, and the store is left as it was.
    let kilder = samskap_bundle::read(&fixtures().join("sources")).unwrap();
    let e = store
        .import_study(&kilder, Replace::KeepFacilitation)
        .unwrap_err();
    assert!(e.to_string().contains("G1-2023-04"), "{e}");
    assert!(
        json(&store.load_study(&kilder.meta().id).unwrap())["sources"][0]
            .get("attributes")
            .is_none()
    );
    store
        .import_study(&kilder, Replace::DiscardFacilitation)
        .unwrap();
    let loaded = store.load_study(&kilder.meta().id).unwrap();
    assert_eq!(json(&loaded), json(&kilder));
    let minutes = loaded.source(&"ref-g1-2023-04".parse().unwrap()).unwrap().0;
    assert_eq!(minutes.meeting, Some("G1-2023-04".parse().unwrap()));
    assert_eq!(minutes.attributes.len(), 1);
}

#[test]
fn a_schema_15_store_migrates_its_assessments_and_takes_ranges_actors_logics_and_facts() {
    use samskap_core::facilitation::{
        Actor, Assessment, AssessmentValue, Evidence, Fact, InstitutionalLogic, Logics, Subject,
    };
    let (_dir, path) = copy_of("schema-15.db");
    let before = rows_of(&path);
    let read = |sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let assessments_then = read(
        "SELECT rowid || '|' || study_id || '|' || id || '|' || ifnull(ladder, '-') || '|'
                || ifnull(logic, '-') FROM assessment ORDER BY rowid",
    );
    let evidence_then = read(
        "SELECT id || '|' || assessment_id || '|' || source_id || '|' || start_char || '|'
                || end_char FROM assessment_evidence ORDER BY id",
    );
    assert!(assessments_then.iter().any(|a| a.ends_with("|4|-")));
    assert!(!evidence_then.is_empty());
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    migrated_and_sound(&path);
    // Every row came over: a step is a range of one step, a logic a set of one, a piece of
    // evidence a quote, each with its row id (the record's order).
    let assessments_now = read(
        "SELECT rowid || '|' || study_id || '|' || id || '|' || ifnull(ladder_low, '-') || '|'
                || ifnull(logic, '-') FROM assessment
         WHERE ladder_low IS ladder_high AND actor IS NULL AND actor_service IS NULL
         ORDER BY rowid",
    );
    assert_eq!(assessments_now, assessments_then);
    let evidence_now = read(
        "SELECT id || '|' || assessment_id || '|' || source_id || '|' || start_char || '|'
                || end_char FROM assessment_evidence
         WHERE coalesce(meeting_id, statement_id, practice_id, action_id, event_id, contact_id)
               IS NULL
         ORDER BY id",
    );
    assert_eq!(evidence_now, evidence_then);
    // Every study reads as the bundle it was made from, but for the assessments `mini` has
    // gained since; the withdrawal is kept.
    for (study, bundle) in [
        ("ung-inkludering", "ung-inkludering"),
        ("ung-inkludering-demo", "ung-inkludering-demo"),
        ("thematic", "thematic"),
        ("kilder", "sources"),
    ] {
        let from_bundle = samskap_bundle::read(&fixtures().join(bundle)).unwrap();
        let loaded = store.load_study(&study.parse().unwrap()).unwrap();
        assert_eq!(
            json(&loaded),
            as_the_bundles_were(json(&from_bundle)),
            "{study}"
        );
    }
    let mini: StudyId = "mini".parse().unwrap();
    let mut withdrawn = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    withdrawn
        .withdraw(&"I3".parse::<InformantId>().unwrap())
        .unwrap();
    assert_eq!(withdrawn.facilitation().assessments().len(), 8);
    let loaded = store.load_study(&mini).unwrap();
    assert_eq!(loaded.facilitation().assessments().len(), 4);
    assert_eq!(json(&loaded), before_assessment_model(json(&withdrawn)));
    assert_eq!(store.list_tokens().unwrap().len(), 1);

    // The migrated store takes what schemas 16 and 17 added, through its checked writes.
    let placed = Assessment {
        id: "AS9".parse().unwrap(),
        subject: Subject::Group("G1".parse().unwrap()),
        value: AssessmentValue::Ladder {
            range: "3-5".parse().unwrap(),
            actor: Some(Actor::Service("nav".into())),
        },
        assessor: "A".parse().unwrap(),
        date: "2025-01-10".parse().unwrap(),
        note: None,
        evidence: vec![
            Evidence::Fact(Fact::Meeting("G1-2024-03".parse().unwrap())),
            Evidence::Quote {
                source: "I1".parse().unwrap(),
                start: 0,
                end: 10,
            },
        ],
    };
    let logics = Assessment {
        id: "AS10".parse().unwrap(),
        subject: Subject::Service("school".into()),
        value: AssessmentValue::Logic(
            Logics::new([InstitutionalLogic::Npg, InstitutionalLogic::Tb]).unwrap(),
        ),
        evidence: vec![Evidence::Fact(Fact::Contact("C2".parse().unwrap()))],
        ..placed.clone()
    };
    store.add_assessment(&mini, &placed).unwrap();
    store.add_assessment(&mini, &logics).unwrap();
    let all = store.load_study(&mini).unwrap();
    assert_eq!(all.facilitation().assessments()[4..], [placed, logics]);
    migrated_and_sound(&path);

    // Search, in words and in FTS5's syntax. `kilder` named no language when the store was
    // made, so its words are found as written; imported again from its bundle, which names
    // Norwegian, other forms of them are found too.
    let kilder: StudyId = "kilder".parse().unwrap();
    let search = |store: &Store, query: &Query| {
        let mut found = Vec::new();
        let searched = store
            .search(&kilder, query, None, None, |h| {
                found.push(h.matched);
                Ok(())
            })
            .unwrap();
        (found, searched.stemmed)
    };
    let møte = Query::words("Møte", Forms::Inflected).unwrap();
    assert_eq!(
        search(&store, &møte),
        (vec!["møte".into(), "møte".into()], false)
    );
    assert_eq!(
        search(&store, &Query::fts("møte*")).0,
        ["møtene", "møter", "møter", "møte", "møte", "møtes"]
    );
    store
        .import_study(
            &samskap_bundle::read(&fixtures().join("sources")).unwrap(),
            Replace::Yes,
        )
        .unwrap();
    let (found, stemmed) = search(&store, &møte);
    assert!(stemmed);
    assert_eq!(found, ["møtene", "møter", "møter", "møte", "møte", "møtes"]);
    let conn = migrated_and_sound(&path);
    for index in ["transcript_fts", "transcript_stems"] {
        conn.execute(
            &format!("INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)"),
            [],
        )
        .unwrap();
    }
}

#[test]
fn a_schema_20_store_opens_with_its_journal_stems_and_tokens_and_takes_new_writes() {
    let (_dir, path) = copy_of("schema-20.db");
    let before = rows_of(&path);
    let mut store = Store::open_existing(&path).unwrap();
    assert_eq!(rows_of(&path), before);
    migrated_and_sound(&path);
    // Every study reads as its bundle does today, but for what was written to it then: the
    // withdrawal in `mini`, a coding and a memo in the demo.
    for (study, bundle) in [
        ("ung-inkludering", "ung-inkludering"),
        ("thematic", "thematic"),
        ("kilder", "sources"),
    ] {
        let from_bundle = samskap_bundle::read(&fixtures().join(bundle)).unwrap();
        let loaded = store.load_study(&study.parse().unwrap()).unwrap();
        assert_eq!(json(&loaded), json(&from_bundle), "{study}");
    }
    let mini: StudyId = "mini".parse().unwrap();
    let mut withdrawn = samskap_bundle::read(&fixtures().join("mini")).unwrap();
    withdrawn
        .withdraw(&"I3".parse::<InformantId>().unwrap())
        .unwrap();
    assert_eq!(json(&store.load_study(&mini).unwrap()), json(&withdrawn));
    assert_eq!(store.list_tokens().unwrap().len(), 1);
    // The journal of then: the coding and the memo, each undone now.
    let demo: StudyId = "ung-inkludering-demo".parse().unwrap();
    let bundle = samskap_bundle::read(&fixtures().join("ung-inkludering-demo")).unwrap();
    let history = store.history(Some(&demo), 10).unwrap();
    assert_eq!(
        history[0].summary,
        "added memo 26 on structure/local-anchoring by C"
    );
    assert!(history[1]
        .summary
        .starts_with("coded I1 0..28 as structure/local-anchoring"));
    assert_ne!(json(&store.load_study(&demo).unwrap()), json(&bundle));
    store.undo(&demo, None).unwrap();
    store.undo(&demo, None).unwrap();
    assert_eq!(json(&store.load_study(&demo).unwrap()), json(&bundle));
    // The stems of a Norwegian study, kept by their triggers: found in other forms.
    let kilder: StudyId = "kilder".parse().unwrap();
    let mut found = Vec::new();
    let searched = store
        .search(
            &kilder,
            &Query::words("Møte", Forms::Inflected).unwrap(),
            None,
            None,
            |h| {
                found.push(h.matched);
                Ok(())
            },
        )
        .unwrap();
    assert!(searched.stemmed);
    assert!(found.len() > 2, "{found:?}");
    migrated_and_sound(&path);
}
