//! Integration tests of the store: migrations, one-transaction imports, loading back, and
//! withdrawal down to the bytes of the database file.

use std::path::{Path, PathBuf};

use samskap_core::{Framework, InformantId, Study, StudyId};
use samskap_store::{Forms, Query, Replace, Store, StoreError, SCHEMA_VERSION};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo")
}

/// The demo study, titled by eight words and more of I3's (a quote the demo gives them), so
/// that withdrawing I3 reaches the study's title too.
fn thesis() -> Study {
    let tmp = titled_by_i3();
    samskap_bundle::read(tmp.path()).unwrap()
}

/// The demo study as `thesis` gives it, without its facilitation record, for tests that
/// build one themselves.
fn bare_thesis() -> Study {
    let tmp = titled_by_i3();
    std::fs::remove_file(tmp.path().join("facilitation.toml")).unwrap();
    samskap_bundle::read(tmp.path()).unwrap()
}

/// A copy of the demo bundle whose title quotes I3.
fn titled_by_i3() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_bundle(&fixture(), tmp.path());
    let path = tmp.path().join("study.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    let titled = toml.replacen(
        "title = \"Ressursgrupper mot utenforskap: en illustrasjon\"",
        "title = \"Det er ingen kommuner som har på plass det tverrfaglige som må til for at vi skal hindre utenforskap\"",
        1,
    );
    assert_ne!(titled, toml, "the demo's title changed: update this test");
    std::fs::write(&path, titled).unwrap();
    tmp
}

fn copy_bundle(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_bundle(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn json(study: &Study) -> serde_json::Value {
    serde_json::to_value(study).unwrap()
}

fn study_id() -> StudyId {
    "ung-inkludering-demo".parse().unwrap()
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
    // The counting commands' table, read without loading the study, is the study's.
    let table = store.coding_table(&study_id(), None).unwrap();
    assert_eq!(table, samskap_core::CodingTable::of(&study, None));
    assert_eq!(table.codings().len(), study.codings().len());
    assert_eq!(store.resolve_study(None).unwrap(), study_id());
    assert_eq!(store.frameworks().unwrap().len(), 1);
}

/// The schema as `sqlite_master` holds it, without SQLite's own entries.
fn schema(path: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut st = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// An import that brings more codings than the store holds drops the index of codings by
/// code and builds it again after the insert: the store then holds the schema migrating
/// made, index included, and a second, smaller import keeps it.
#[test]
fn an_import_leaves_the_schema_as_migrating_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let (fresh, imported) = (dir.path().join("fresh.db"), dir.path().join("imported.db"));
    drop(Store::open(&fresh).unwrap());
    let mut store = Store::open(&imported).unwrap();
    store.import_study(&thesis(), Replace::No).unwrap();
    store.import_study(&thesis(), Replace::Yes).unwrap();
    drop(store);
    let made = schema(&fresh);
    assert!(made.iter().any(|(_, name, _)| name == "coding_code"));
    assert_eq!(schema(&imported), made);
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
        .replace("en = \"Culture\"", "en = \"Kultur (changed)\"");
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
    let err = store
        .import_study(&edited, Replace::DiscardFacilitation)
        .unwrap_err();
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
    store
        .import_study(&edited, Replace::DiscardFacilitation)
        .unwrap();
    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(
        loaded.framework().codes()[0].label["en"],
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
    let i3_text = study.transcript(&id("I3")).unwrap().text().to_owned();
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

    // A facilitator's meeting note that quotes I3 (written as the API would).
    let quoting_note = format!("Fra intervjuet: «{}»", passages[0]);
    {
        let mut store = Store::open(&path).unwrap();
        store.import_study(&study, Replace::No).unwrap();
        let mut m = meeting("G1-quote", "G1", "2023-12-20");
        m.note = Some(quoting_note.clone());
        store.add_meeting(&study_id(), &m).unwrap();
        store.checkpoint().unwrap();
    }
    // The check can see text: before withdrawal it is there.
    assert!(passages.iter().all(|p| on_disk(&path, p)));
    assert!(on_disk(&path, "Tjeneste B"));
    assert!(on_disk(&path, "Fra intervjuet"));

    {
        let mut store = Store::open(&path).unwrap();
        let outcome = store.withdraw(&study_id(), &i3).unwrap();
        assert!(outcome.wal_cleared);
        let w = outcome.removed;
        assert_eq!(w.transcripts, 1);
        assert!(w.units > 0 && w.codings > 0);
        // The meeting note, and the study's title, which quotes eight words of I3: "Det er
        // ingen kommuner som har på plass det tverrfaglige ...".
        assert_eq!(w.notes, 2);
        let loaded = store.load_study(&study_id()).unwrap();
        let (m, _) = loaded
            .facilitation()
            .meeting(&"G1-quote".parse().unwrap())
            .unwrap();
        assert_eq!(m.note, None);
        assert_eq!(loaded.meta().title, REMOVED_TEXT);
        assert!(loaded.transcript(&id("I3")).is_none());
        assert!(loaded.units().iter().all(|u| u.source.as_str() != "I3"));
        assert!(loaded.informant(&i3).unwrap().details.is_none());
    }
    for p in &passages {
        assert!(!on_disk(&path, p), "still on disk: {p}");
    }
    assert!(
        !on_disk(&path, "Fra intervjuet"),
        "the quoting note is on disk"
    );
    // Workplace of I3 is gone too; other informants' words remain.
    assert!(!on_disk(&path, "Tjeneste B"));
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
        .search(
            &"s".parse().unwrap(),
            &Query::words("biblioteket", Forms::Inflected).unwrap(),
            None,
            None,
            |h| {
                hits.push(h);
                Ok(())
            },
        )
        .unwrap()
        .hits;
    assert_eq!(n, 1);
    assert_eq!((hits[0].start, hits[0].end), (13, 24));
    assert_eq!(hits[0].before, "Vi møttes på ");
}

/// Schema 18 computes the stems of the transcripts a store holds already: a store made at
/// schema 17 with a Norwegian study finds every form of a word once opened.
#[test]
fn a_schema_17_store_gets_the_stems_of_its_transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("17.db");
    let kilder = samskap_bundle::read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sources"),
    )
    .unwrap();
    let id = kilder.meta().id.clone();
    Store::open(&path)
        .unwrap()
        .import_study(&kilder, Replace::No)
        .unwrap();
    // Back to schema 17: what schemas 18 (the stems), 19 (the journal) and 20 (the pages'
    // sessions) added, gone.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER transcript_stems_insert;
             DROP TRIGGER transcript_stems_delete;
             DROP TRIGGER transcript_stems_update;
             DROP TRIGGER transcript_stems_language;
             DROP TABLE transcript_stems;
             DROP TABLE journal;
             DROP TABLE web_session;
             DROP TABLE web_preference;
             PRAGMA user_version = 17;",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    let mut found = Vec::new();
    let searched = store
        .search(
            &id,
            &Query::words("ressursgruppe", Forms::Inflected).unwrap(),
            None,
            None,
            |h| {
                found.push(h.matched);
                Ok(())
            },
        )
        .unwrap();
    assert!(searched.stemmed);
    found.sort();
    found.dedup();
    assert_eq!(found, ["ressursgruppe", "ressursgruppene"]);
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
            code: Some("structure".parse().unwrap()),
            qualifiers: "polarity=barrier".parse().unwrap(),
            ..Filter::default()
        },
        Filter {
            qualifiers: "polarity=opportunity".parse().unwrap(),
            coder: Some("A".parse().unwrap()),
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

// ---------------------------------------------------------------------------------------------
// Facilitation record, API tokens and audit log (schema 3).

use samskap_core::facilitation::{
    ActionKind, ActionState, Actor, Assessment, AssessmentValue, Attendance, Contact,
    Dissemination, Evidence, Facilitation, FacilitationError, Fact, GroupRules, InstitutionalLogic,
    Logics, Meeting, MeetingKind, PdPractice, PdStep, Phase, PracticeLevel, Presence,
    ProblemStatement, ProcessMove, Subject, Transition, TrialAction, REMOVED_TEXT,
};
use samskap_core::NaiveDate;
use samskap_store::{AuditEntry, Refusal, TokenRole};

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn meeting(m: &str, g: &str, date: &str) -> Meeting {
    Meeting {
        id: id(m),
        group: id(g),
        kind: MeetingKind::Group,
        date: day(date),
        note: None,
    }
}

fn present(members: &[&str]) -> Vec<Attendance> {
    members
        .iter()
        .map(|m| Attendance {
            member: id(m),
            presence: Presence::Present,
        })
        .collect()
}

fn step(state: ActionState, date: &str) -> Transition {
    Transition {
        state,
        date: day(date),
        note: None,
    }
}

fn planned_action(a: &str, g: &str) -> TrialAction {
    TrialAction {
        id: id(a),
        group: id(g),
        kind: ActionKind::TrialAction,
        title: format!("Prøvehandling {a}"),
        history: vec![step(ActionState::Planned, "2023-03-01")],
    }
}

/// The first `n` characters of an informant's transcript, as evidence.
fn evidence(study: &Study, informant: &str, start: usize, end: usize) -> Evidence {
    let t = study.transcript(&id(informant)).unwrap();
    t.span(start, end).expect("a span of the transcript");
    Evidence::Quote {
        source: id(informant),
        start,
        end,
    }
}

fn ladder(range: &str, actor: Option<Actor>) -> AssessmentValue {
    AssessmentValue::Ladder {
        range: range.parse().unwrap(),
        actor,
    }
}

/// The thesis study with a facilitation record of every kind, built through core.
fn thesis_with_record() -> Study {
    let mut study = bare_thesis();
    let ev_i3 = [
        evidence(&study, "I3", 0, 12),
        evidence(&study, "I3", 20, 40),
    ];
    let ev_i1 = evidence(&study, "I1", 5, 30);
    study
        .facilitate(|f, r| {
            f.add_meeting(r, meeting("st-m1", "G1", "2022-10-12"))?;
            f.add_meeting(
                r,
                Meeting {
                    kind: MeetingKind::Workshop,
                    note: Some("Verksted med ungdommer".into()),
                    ..meeting("st-m2", "G2", "2023-02-20")
                },
            )?;
            f.set_attendance(r, &id("st-m1"), present(&["G1-P3", "G1-P1", "G1-P2"]))?;
            f.set_attendance(
                r,
                &id("st-m2"),
                vec![
                    Attendance {
                        member: id("G2-P1"),
                        presence: Presence::Excused,
                    },
                    Attendance {
                        member: id("G2-P2"),
                        presence: Presence::Absent,
                    },
                ],
            )?;
            f.set_rules(
                r,
                id("G2"),
                GroupRules {
                    frequency: Some("monthly".into()),
                    ..GroupRules::default()
                },
            )?;
            f.set_rules(
                r,
                id("G1"),
                GroupRules {
                    place: Some("Biblioteket".into()),
                    leader: Some("Fasilitator".into()),
                    ..GroupRules::default()
                },
            )?;
            f.add_statement(
                r,
                ProblemStatement {
                    id: id("st-s1"),
                    group: id("G1"),
                    text: "Hvordan når vi ungdommene som ikke møter opp?".into(),
                    drafted: day("2022-11-01"),
                    agreed: Some(day("2022-12-01")),
                    participants: vec![id("G1-P2"), id("G1-P1")],
                },
            )?;
            f.add_statement(
                r,
                ProblemStatement {
                    id: id("st-s2"),
                    group: id("G1"),
                    text: "Et utkast".into(),
                    drafted: day("2022-11-15"),
                    agreed: None,
                    participants: vec![],
                },
            )?;
            for (g, date, phase, pd) in [
                ("G1", "2022-10-12", Phase::Challenge, PdStep::DefineProblem),
                ("G2", "2023-02-20", Phase::Challenge, PdStep::DefineProblem),
                ("G1", "2023-01-10", Phase::Explore, PdStep::IdentifyDeviants),
                ("G1", "2023-01-10", Phase::Challenge, PdStep::DefineProblem),
            ] {
                f.add_move(
                    r,
                    ProcessMove {
                        group: id(g),
                        date: day(date),
                        phase,
                        step: pd,
                        note: None,
                    },
                )?;
            }
            f.add_practice(
                r,
                PdPractice {
                    id: id("st-p1"),
                    group: id("G1"),
                    level: PracticeLevel::Organisation,
                    description: "Felles telefonliste".into(),
                    observed: Some(day("2023-01-05")),
                },
            )?;
            let mut a1 = planned_action("st-a1", "G1");
            a1.history.push(step(ActionState::Tried, "2023-03-15"));
            a1.history.push(Transition {
                note: Some("Virket".into()),
                ..step(ActionState::Evaluated, "2023-04-01")
            });
            f.add_action(r, a1)?;
            f.add_action(
                r,
                TrialAction {
                    kind: ActionKind::Intervention,
                    ..planned_action("st-a2", "G2")
                },
            )?;
            f.advance_action(&id("st-a1"), step(ActionState::Adopted, "2023-05-01"))?;
            f.add_event(
                r,
                Dissemination {
                    id: id("st-e1"),
                    group: id("G1"),
                    date: day("2023-06-01"),
                    audience: "Kommunestyret".into(),
                    action: Some(id("st-a1")),
                    note: None,
                },
            )?;
            f.add_contact(
                r,
                Contact {
                    id: id("st-c1"),
                    a: id("G1-P1"),
                    b: id("G2-P3"),
                    date: day("2023-03-01"),
                    note: Some("ringer hverandre".into()),
                },
            )?;
            f.add_assessment(
                r,
                Assessment {
                    id: id("st-as1"),
                    subject: Subject::Group(id("G1")),
                    value: ladder("3", None),
                    assessor: id("A"),
                    date: day("2023-06-10"),
                    note: None,
                    evidence: vec![ev_i3[0].clone(), ev_i1, ev_i3[1].clone()],
                },
            )?;
            f.add_assessment(
                r,
                Assessment {
                    id: id("st-as2"),
                    subject: Subject::Service("nav".into()),
                    value: AssessmentValue::Logic(
                        Logics::new([InstitutionalLogic::Npg, InstitutionalLogic::Npm]).unwrap(),
                    ),
                    assessor: id("B"),
                    date: day("2023-06-11"),
                    note: Some("styres av mål".into()),
                    evidence: vec![],
                },
            )?;
            f.add_assessment(
                r,
                Assessment {
                    id: id("st-as3"),
                    subject: Subject::Group(id("G1")),
                    value: ladder("2-4", Some(Actor::Youth)),
                    assessor: id("A"),
                    date: day("2023-06-12"),
                    note: None,
                    evidence: vec![
                        Evidence::Fact(Fact::Meeting(id("st-m1"))),
                        evidence(&bare_thesis(), "I3", 50, 60),
                        Evidence::Fact(Fact::Contact(id("st-c1"))),
                    ],
                },
            )
        })
        .unwrap();
    study
}

#[test]
fn a_facilitation_record_loads_back_as_it_was_imported() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis_with_record();
    store.import_study(&study, Replace::No).unwrap();
    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(loaded.facilitation(), study.facilitation());
    assert_eq!(json(&loaded), json(&study));
    assert_eq!(
        &store.facilitation(&study_id()).unwrap(),
        study.facilitation()
    );

    // Replacing the study whole takes its record with it; a plain replace would not.
    assert!(store.import_study(&bare_thesis(), Replace::Yes).is_err());
    store
        .import_study(&bare_thesis(), Replace::DiscardFacilitation)
        .unwrap();
    assert_eq!(
        store.facilitation(&study_id()).unwrap(),
        Facilitation::new()
    );
    store
        .import_study(&study, Replace::DiscardFacilitation)
        .unwrap();
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&study));
}

/// Applies each change both to a study in memory (through core) and to the store (through the
/// checked writes), so the store can be compared with the model after every step.
struct Twin {
    store: Store,
    model: Study,
}

impl Twin {
    fn new() -> Self {
        let model = bare_thesis();
        let mut store = Store::open_in_memory().unwrap();
        store.import_study(&model, Replace::No).unwrap();
        Twin { store, model }
    }

    fn check(&self) {
        assert_eq!(
            &self.store.facilitation(&study_id()).unwrap(),
            self.model.facilitation()
        );
    }
}

#[test]
fn checked_writes_keep_the_record_in_the_order_recorded() {
    let mut t = Twin::new();
    let s = study_id();
    let m1 = meeting("st-m1", "G1", "2022-10-12");
    let m2 = meeting("st-m2", "G2", "2023-02-20");
    t.store.add_meeting(&s, &m1).unwrap();
    t.store.add_meeting(&s, &m2).unwrap();
    let first = present(&["G1-P1", "G1-P2"]);
    let second = present(&["G1-P4", "G1-P2"]);
    t.store.set_attendance(&s, &m1.id, &first).unwrap();
    t.store.set_attendance(&s, &m1.id, &second).unwrap();
    let g1_rules = GroupRules {
        frequency: Some("weekly".into()),
        ..GroupRules::default()
    };
    let g1_later = GroupRules {
        place: Some("Rådhuset".into()),
        ..GroupRules::default()
    };
    let g2_rules = GroupRules {
        leader: Some("Leder".into()),
        ..GroupRules::default()
    };
    t.store.set_rules(&s, &id("G1"), &g1_rules).unwrap();
    t.store.set_rules(&s, &id("G2"), &g2_rules).unwrap();
    t.store.set_rules(&s, &id("G1"), &g1_later).unwrap();
    let mv = ProcessMove {
        group: id("G1"),
        date: day("2022-10-12"),
        phase: Phase::Challenge,
        step: PdStep::DefineProblem,
        note: Some("start".into()),
    };
    t.store.add_move(&s, &mv).unwrap();
    let action = planned_action("st-a1", "G1");
    t.store.add_action(&s, &action).unwrap();
    let tried = step(ActionState::Tried, "2023-03-10");
    t.store.advance_action(&s, &action.id, &tried).unwrap();
    let contact = Contact {
        id: id("st-c1"),
        a: id("G1-P1"),
        b: id("G1-P2"),
        date: day("2023-03-01"),
        note: None,
    };
    t.store.add_contact(&s, &contact).unwrap();
    let statement = ProblemStatement {
        id: id("st-s1"),
        group: id("G2"),
        text: "Problemstilling".into(),
        drafted: day("2023-03-01"),
        agreed: Some(day("2023-03-02")),
        participants: vec![id("G2-P1")],
    };
    t.store.add_statement(&s, &statement).unwrap();
    let practice = PdPractice {
        id: id("st-p1"),
        group: id("G2"),
        level: PracticeLevel::Individual,
        description: "Ringer foreldrene".into(),
        observed: None,
    };
    t.store.add_practice(&s, &practice).unwrap();
    let event = Dissemination {
        id: id("st-e1"),
        group: id("G1"),
        date: day("2023-06-01"),
        audience: "Skolene".into(),
        action: Some(action.id.clone()),
        note: None,
    };
    t.store.add_event(&s, &event).unwrap();
    let assessment = Assessment {
        id: id("st-as1"),
        subject: Subject::Group(id("G2")),
        value: ladder("2-3", Some(Actor::Youth)),
        assessor: id("A"),
        date: day("2023-06-10"),
        note: None,
        // Every kind of fact, between two quotes: the order holds across kinds.
        evidence: vec![
            evidence(&t.model, "I2", 0, 10),
            Evidence::Fact(Fact::Statement(statement.id.clone())),
            Evidence::Fact(Fact::Practice(practice.id.clone())),
            Evidence::Fact(Fact::Action(action.id.clone())),
            Evidence::Fact(Fact::Dissemination(event.id.clone())),
            Evidence::Fact(Fact::Contact(contact.id.clone())),
            Evidence::Fact(Fact::Meeting(m2.id.clone())),
            evidence(&t.model, "I2", 5, 15),
        ],
    };
    t.store.add_assessment(&s, &assessment).unwrap();

    t.model
        .facilitate(|f, r| {
            f.add_meeting(r, m1.clone())?;
            f.add_meeting(r, m2.clone())?;
            f.set_attendance(r, &m1.id, first)?;
            f.set_attendance(r, &m1.id, second)?;
            f.set_rules(r, id("G1"), g1_rules)?;
            f.set_rules(r, id("G2"), g2_rules)?;
            f.set_rules(r, id("G1"), g1_later)?;
            f.add_move(r, mv)?;
            f.add_action(r, action.clone())?;
            f.advance_action(&action.id, tried)?;
            f.add_contact(r, contact)?;
            f.add_statement(r, statement)?;
            f.add_practice(r, practice)?;
            f.add_event(r, event)?;
            f.add_assessment(r, assessment)
        })
        .unwrap();
    t.check();
    let f = t.store.facilitation(&s).unwrap();
    assert_eq!(
        f.rules()[0].0.as_str(),
        "G1",
        "an update keeps the group's place"
    );
    assert_eq!(f.meetings()[0].1[0].member.as_str(), "G1-P4");
    assert_eq!(f.action(&action.id).unwrap().state(), ActionState::Tried);
}

#[test]
fn a_lifecycle_skip_is_refused_and_changes_nothing() {
    let mut t = Twin::new();
    let s = study_id();
    let action = planned_action("st-a1", "G1");
    t.store.add_action(&s, &action).unwrap();
    t.model
        .facilitate(|f, r| f.add_action(r, action.clone()))
        .unwrap();
    let before = json(&t.store.load_study(&s).unwrap());

    let skip = step(ActionState::Evaluated, "2023-04-01");
    let err = t.store.advance_action(&s, &action.id, &skip).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("cannot go from planned to evaluated"),
        "{err}"
    );
    assert_eq!(json(&t.store.load_study(&s).unwrap()), before);

    // Dated before the step it follows: a conflict with the stored history too.
    let early = step(ActionState::Tried, "2023-01-01");
    let err = t.store.advance_action(&s, &action.id, &early).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );

    // The action the call is about does not exist.
    let err = t
        .store
        .advance_action(&s, &id("st-none"), &step(ActionState::Tried, "2023-04-01"))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "action", .. }),
        "{err:?}"
    );

    // A history given whole that skips a state is wrong in itself.
    let mut bad = planned_action("st-a2", "G1");
    bad.history.push(step(ActionState::Adopted, "2023-04-01"));
    let err = t.store.add_action(&s, &bad).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );

    // The same id again.
    let err = t.store.add_action(&s, &action).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );
    assert_eq!(json(&t.store.load_study(&s).unwrap()), before);
    t.check();

    // An unknown study.
    let err = t
        .store
        .add_action(&id("no-such-study"), &planned_action("st-a3", "G1"))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "study", .. }),
        "{err:?}"
    );
}

#[test]
fn attendance_of_a_member_of_another_group_is_refused() {
    let mut t = Twin::new();
    let s = study_id();
    let m = meeting("st-m1", "G1", "2022-10-12");
    t.store.add_meeting(&s, &m).unwrap();
    t.store
        .set_attendance(&s, &m.id, &present(&["G1-P1"]))
        .unwrap();
    t.model
        .facilitate(|f, r| {
            f.add_meeting(r, m.clone())?;
            f.set_attendance(r, &m.id, present(&["G1-P1"]))
        })
        .unwrap();

    let err = t
        .store
        .set_attendance(&s, &m.id, &present(&["G1-P2", "G2-P1"]))
        .unwrap_err();
    // The model's own error comes through typed, for a front end to name the field.
    assert!(
        matches!(
            &err,
            StoreError::Refused {
                reason: Refusal::Facilitation(FacilitationError::NotInGroup { member, .. }),
                conflict: false,
            } if member.as_str() == "G2-P1"
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "member `G2-P1` is not in group `G1`");
    t.check();

    let err = t
        .store
        .set_attendance(&s, &m.id, &present(&["G1-P2", "G1-P2"]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );
    let err = t
        .store
        .set_attendance(&s, &id("st-m9"), &present(&["G1-P2"]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "meeting",
                ..
            }
        ),
        "{err:?}"
    );
    // A meeting of an unknown group is wrong in itself, not a missing target.
    let err = t
        .store
        .add_meeting(&s, &meeting("st-m2", "G9", "2022-10-12"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );
    let err = t.store.add_meeting(&s, &m).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );
    t.check();
}

#[test]
fn other_refusals_map_to_conflict_or_invalid() {
    let mut t = Twin::new();
    let s = study_id();
    let agreed = ProblemStatement {
        id: id("st-s1"),
        group: id("G1"),
        text: "Første".into(),
        drafted: day("2023-01-01"),
        agreed: Some(day("2023-01-02")),
        participants: vec![],
    };
    t.store.add_statement(&s, &agreed).unwrap();
    let second = ProblemStatement {
        id: id("st-s2"),
        ..agreed.clone()
    };
    let err = t.store.add_statement(&s, &second).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );
    let reversed = ProblemStatement {
        id: id("st-s3"),
        group: id("G2"),
        agreed: Some(day("2022-12-01")),
        ..agreed.clone()
    };
    let err = t.store.add_statement(&s, &reversed).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );

    let mv = |date: &str| ProcessMove {
        group: id("G1"),
        date: day(date),
        phase: Phase::Explore,
        step: PdStep::ExplorePractices,
        note: None,
    };
    t.store.add_move(&s, &mv("2023-02-01")).unwrap();
    let err = t.store.add_move(&s, &mv("2023-01-01")).unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );

    let contact = Contact {
        id: id("st-c1"),
        a: id("G1-P1"),
        b: id("G1-P1"),
        date: day("2023-03-01"),
        note: None,
    };
    let err = t.store.add_contact(&s, &contact).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );

    let assessment = Assessment {
        id: id("st-as1"),
        subject: Subject::Group(id("G1")),
        value: ladder("3", Some(Actor::Service("no-such-service".into()))),
        assessor: id("A"),
        date: day("2023-06-10"),
        note: None,
        evidence: vec![],
    };
    let err = t.store.add_assessment(&s, &assessment).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );
    let missing = Assessment {
        value: ladder("2", None),
        evidence: vec![Evidence::Fact(Fact::Action(id("st-none")))],
        ..assessment.clone()
    };
    let err = t.store.add_assessment(&s, &missing).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );
    let outside = Assessment {
        value: ladder("2", None),
        evidence: vec![Evidence::Quote {
            source: id("I1"),
            start: 0,
            end: 10_000_000,
        }],
        ..assessment
    };
    let err = t.store.add_assessment(&s, &outside).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );

    let event = Dissemination {
        id: id("st-e1"),
        group: id("G1"),
        date: day("2023-06-01"),
        audience: "Skolene".into(),
        action: Some(id("st-none")),
        note: None,
    };
    let err = t.store.add_event(&s, &event).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                conflict: false,
                ..
            }
        ),
        "{err:?}"
    );

    let err = t
        .store
        .set_rules(&s, &id("G9"), &GroupRules::default())
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "group", .. }),
        "{err:?}"
    );

    t.model
        .facilitate(|f, r| {
            f.add_statement(r, agreed)?;
            f.add_move(r, mv("2023-02-01"))
        })
        .unwrap();
    t.check();
}

#[test]
fn withdrawal_removes_the_informants_evidence_and_keeps_the_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis_with_record();
    let i3: InformantId = id("I3");
    let mut store = Store::open(&path).unwrap();
    store.import_study(&study, Replace::No).unwrap();

    let outcome = store.withdraw(&study_id(), &i3).unwrap();
    assert_eq!(outcome.removed.evidence, 3);
    let mut expected = study.clone();
    let core = expected.withdraw(&i3).unwrap();
    assert_eq!(outcome.removed, core);
    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(json(&loaded), json(&expected));
    let a = &loaded.facilitation().assessments()[0];
    assert!(
        matches!(&a.evidence[..], [Evidence::Quote { source, .. }] if source.as_str() == "I1"),
        "{:?}",
        a.evidence
    );
    // The facts cited stay: they are the record's, not I3's words.
    assert_eq!(
        loaded.facilitation().assessments()[2].evidence,
        [
            Evidence::Fact(Fact::Meeting(id("st-m1"))),
            Evidence::Fact(Fact::Contact(id("st-c1"))),
        ]
    );
    let rows: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM assessment_evidence WHERE source_id = 'I3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0);
    // Again: nothing more to remove.
    let again = store.withdraw(&study_id(), &i3).unwrap();
    assert_eq!(again.removed.evidence, 0);
}

/// Eight words of I3 in a row, in other case and punctuation.
const PARTIAL_I3: &str = "Jf. «silo henger litt igjen – MEN VI ER PÅ vei»";

/// The thesis with its record, and a text quoting eight words of I3 in every free text of the
/// model that withdrawal reads (and can be set through core).
fn thesis_quoting_i3() -> Study {
    let mut study = thesis_with_record();
    let unit = study
        .locate_unit(
            &id("I1"),
            &samskap_core::TextQuote::exact("Du har jo ulike tradisjoner."),
        )
        .unwrap();
    study
        .add_coding(samskap_core::Coding {
            unit,
            code: id("culture/holistic-approach"),
            qualifiers: id("polarity=barrier"),
            coder: id("C"),
            memo: Some(PARTIAL_I3.into()),
            exemplar: false,
        })
        .unwrap();
    study
        .add_memo(samskap_core::Memo {
            code: None,
            author: id("C"),
            text: PARTIAL_I3.into(),
        })
        .unwrap();
    let q = || Some(PARTIAL_I3.to_owned());
    study
        .facilitate(|f, r| {
            f.add_meeting(
                r,
                Meeting {
                    note: q(),
                    ..meeting("st-q1", "G1", "2023-08-01")
                },
            )?;
            f.set_rules(
                r,
                id("G2"),
                GroupRules {
                    frequency: q(),
                    place: q(),
                    leader: q(),
                    disagreement: q(),
                },
            )?;
            f.add_statement(
                r,
                ProblemStatement {
                    id: id("st-qs"),
                    group: id("G2"),
                    text: PARTIAL_I3.into(),
                    drafted: day("2023-08-01"),
                    agreed: None,
                    participants: vec![],
                },
            )?;
            f.add_move(
                r,
                ProcessMove {
                    group: id("G2"),
                    date: day("2023-08-01"),
                    phase: Phase::Explore,
                    step: PdStep::ExplorePractices,
                    note: q(),
                },
            )?;
            f.add_practice(
                r,
                PdPractice {
                    id: id("st-qp"),
                    group: id("G2"),
                    level: PracticeLevel::Group,
                    description: PARTIAL_I3.into(),
                    observed: None,
                },
            )?;
            f.add_action(
                r,
                TrialAction {
                    title: PARTIAL_I3.into(),
                    history: vec![Transition {
                        note: q(),
                        ..step(ActionState::Planned, "2023-08-01")
                    }],
                    ..planned_action("st-qa", "G2")
                },
            )?;
            f.add_event(
                r,
                Dissemination {
                    id: id("st-qe"),
                    group: id("G2"),
                    date: day("2023-08-02"),
                    audience: PARTIAL_I3.into(),
                    action: None,
                    note: q(),
                },
            )?;
            f.add_contact(
                r,
                Contact {
                    id: id("st-qc"),
                    a: id("G2-P1"),
                    b: id("G2-P2"),
                    date: day("2023-08-02"),
                    note: q(),
                },
            )?;
            f.add_assessment(
                r,
                Assessment {
                    id: id("st-qas"),
                    subject: Subject::Group(id("G2")),
                    value: ladder("2", None),
                    assessor: id("C"),
                    date: day("2023-08-03"),
                    note: q(),
                    evidence: vec![],
                },
            )
        })
        .unwrap();
    study
}

#[test]
fn the_store_withdraws_what_core_withdraws_from_every_free_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis_quoting_i3();
    let i3: InformantId = id("I3");
    let mut store = Store::open(&path).unwrap();
    store.import_study(&study, Replace::No).unwrap();
    assert!(on_disk(&path, "MEN VI ER"));

    let outcome = store.withdraw(&study_id(), &i3).unwrap();
    assert!(!outcome.already_withdrawn);
    let mut expected = study.clone();
    let core = expected.withdraw(&i3).unwrap();
    assert_eq!(outcome.removed, core);
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&expected)
    );
    assert_eq!((core.memos, core.coding_memos), (1, 1));
    // Fourteen texts of the record, and the study's title.
    assert_eq!(core.notes, 15);
    drop(store);
    assert!(!on_disk(&path, "MEN VI ER"), "a partial quote is on disk");

    let mut store = Store::open(&path).unwrap();
    let again = store.withdraw(&study_id(), &i3).unwrap();
    assert!(again.already_withdrawn);
    assert_eq!(again.removed, samskap_core::Withdrawal::default());
}

#[test]
fn replacing_a_transcript_re_anchors_evidence_and_refuses_to_lose_it_silently() {
    let mut store = Store::open_in_memory().unwrap();
    let mut study = bare_thesis();
    let text = study.transcript(&id("I1")).unwrap().text().to_owned();
    let quoted: String = text.chars().skip(5).take(25).collect();
    study
        .facilitate(|f, r| {
            f.add_assessment(
                r,
                Assessment {
                    id: id("st-as1"),
                    subject: Subject::Service("nav".into()),
                    value: AssessmentValue::Logic(Logics::one(InstitutionalLogic::Tb)),
                    assessor: id("A"),
                    date: day("2023-06-10"),
                    note: None,
                    evidence: vec![Evidence::Quote {
                        source: id("I1"),
                        start: 5,
                        end: 30,
                    }],
                },
            )
        })
        .unwrap();
    store.import_study(&study, Replace::No).unwrap();

    // Text put in front: the evidence moves with its words.
    let edited = format!("Innledning.\n{text}");
    let r = store
        .replace_transcript(&study_id(), &id("I1"), &edited, false)
        .unwrap();
    assert!(r.applied && r.evidence_orphans.is_empty(), "{r:?}");
    let loaded = store.load_study(&study_id()).unwrap();
    let Evidence::Quote { start, end, .. } = loaded.facilitation().assessments()[0].evidence[0]
    else {
        panic!("a quote was stored");
    };
    let t = loaded.transcript(&id("I1")).unwrap();
    assert_eq!(t.slice(t.span(start, end).unwrap()), quoted);
    assert_eq!(start, 5 + "Innledning.\n".chars().count());

    // The cited words gone: nothing changes unless the orphans are dropped.
    let cut: String = edited.replace(&quoted, "");
    let r = store
        .replace_transcript(&study_id(), &id("I1"), &cut, false)
        .unwrap();
    assert!(!r.applied);
    assert_eq!(r.evidence_orphans.len(), 1);
    assert_eq!(r.evidence_orphans[0].assessment.as_str(), "st-as1");
    assert_eq!(r.evidence_orphans[0].quote.exact, quoted);
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&loaded));
    let r = store
        .replace_transcript(&study_id(), &id("I1"), &cut, true)
        .unwrap();
    assert!(r.applied);
    let loaded = store.load_study(&study_id()).unwrap();
    assert!(loaded.facilitation().assessments()[0].evidence.is_empty());
}

#[test]
fn a_schema_2_store_is_upgraded_and_takes_a_facilitation_record_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../migrations/0002_search.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO framework VALUES ('f', 'F', 'F', '');
             INSERT INTO category VALUES ('f', 'c', 'C', 'C', '');
             INSERT INTO subtheme VALUES ('f', 'c', 's', 'S', 'S', '');
             INSERT INTO study (id, title, framework_id) VALUES ('s', 'S', 'f');
             INSERT INTO municipality VALUES ('s', 'M1', 'Kommune 1');
             INSERT INTO resource_group VALUES ('s', 'G1', 'Gruppe 1', NULL, NULL, 1);
             INSERT INTO group_municipality VALUES ('s', 'G1', 'M1');
             INSERT INTO member VALUES ('s', 'P1', 'G1', 'public', 'nav', 0, 0);
             INSERT INTO member VALUES ('s', 'P2', 'G1', 'citizen', NULL, 1, 1);",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let s: StudyId = id("s");
    assert_eq!(store.facilitation(&s).unwrap(), Facilitation::new());
    let m = meeting("m1", "G1", "2023-01-01");
    store.add_meeting(&s, &m).unwrap();
    store
        .set_attendance(&s, &m.id, &present(&["P2", "P1"]))
        .unwrap();
    let f = store.facilitation(&s).unwrap();
    assert_eq!(f.meetings()[0].1.len(), 2);
    let secret = store
        .create_token("fasilitator", TokenRole::Facilitator, &[(s, id("G1"))])
        .unwrap();
    assert!(store.verify_token(&secret).unwrap().is_some());
}

#[test]
fn a_token_verifies_until_it_is_revoked() {
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&bare_thesis(), Replace::No).unwrap();
    let groups = [(study_id(), id("G1")), (study_id(), id("G2"))];
    let secret = store
        .create_token("kari", TokenRole::Facilitator, &groups)
        .unwrap();
    assert!(secret.starts_with("sk_"), "{secret}");
    assert_eq!(secret.len(), 3 + 64);
    assert!(secret[3..].chars().all(|c| c.is_ascii_hexdigit()));
    let admin = store.create_token("admin", TokenRole::Admin, &[]).unwrap();
    assert_ne!(admin, secret);

    let info = store.verify_token(&secret).unwrap().expect("a live token");
    assert_eq!(info.name, "kari");
    assert_eq!(info.role, TokenRole::Facilitator);
    assert_eq!(info.groups, groups.to_vec());
    assert_eq!(info.revoked, None);
    assert_eq!(
        store.verify_token(&admin).unwrap().unwrap().role,
        TokenRole::Admin
    );
    assert_eq!(store.verify_token("sk_0123").unwrap(), None);
    assert_eq!(store.verify_token("").unwrap(), None);
    assert_eq!(store.verify_token(&secret[3..]).unwrap(), None);

    store.revoke_token("kari").unwrap();
    assert_eq!(store.verify_token(&secret).unwrap(), None);
    store.revoke_token("kari").unwrap();
    assert!(store.verify_token(&admin).unwrap().is_some());
    let err = store.revoke_token("nobody").unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "token", .. }),
        "{err:?}"
    );

    let listed = store.list_tokens().unwrap();
    assert_eq!(
        listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["kari", "admin"]
    );
    assert!(listed[0].revoked.is_some_and(|r| r >= listed[0].created));
    assert_eq!(listed[0].groups, groups.to_vec());
    assert!(listed[1].revoked.is_none() && listed[1].groups.is_empty());
    // The listing says nothing of secrets or hashes.
    let text = serde_json::to_string(&listed).unwrap();
    assert!(
        !text.contains(&secret[3..]) && !text.contains("hash"),
        "{text}"
    );
}

#[test]
fn tokens_are_checked_when_made() {
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&bare_thesis(), Replace::No).unwrap();
    let g1 = [(study_id(), id("G1"))];
    let err = store
        .create_token("f", TokenRole::Facilitator, &[])
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = store
        .create_token("a", TokenRole::Analyst, &g1)
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = store
        .create_token("f", TokenRole::Facilitator, &[(study_id(), id("G9"))])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "group", .. }),
        "{err:?}"
    );
    for bad in ["", " f", "a\nb"] {
        let err = store.create_token(bad, TokenRole::Admin, &[]).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{bad:?}: {err:?}");
    }
    assert!(store.list_tokens().unwrap().is_empty());

    store
        .create_token("f", TokenRole::Facilitator, &g1)
        .unwrap();
    store.revoke_token("f").unwrap();
    // A name is never reused, so the audit log's names stay unambiguous.
    let err = store.create_token("f", TokenRole::Admin, &[]).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    // A facilitator keeps their groups when the study is replaced.
    store
        .create_token("g", TokenRole::Facilitator, &g1)
        .unwrap();
    store.import_study(&bare_thesis(), Replace::Yes).unwrap();
    assert_eq!(store.list_tokens().unwrap()[1].groups, g1.to_vec());
}

#[test]
fn a_tokens_secret_is_never_stored_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let secret = {
        let mut store = Store::open(&path).unwrap();
        let secret = store.create_token("admin", TokenRole::Admin, &[]).unwrap();
        store.checkpoint().unwrap();
        secret
    };
    let hash: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT hash FROM api_token", [], |r| r.get(0))
        .unwrap();
    assert_eq!(hash.len(), 64);
    assert!(on_disk(&path, &hash), "the check can see the hash");
    assert!(!on_disk(&path, &secret));
    assert!(!on_disk(&path, &secret[3..]));
    assert!(!on_disk(&path, &secret[3..35]));
    let store = Store::open(&path).unwrap();
    assert_eq!(store.verify_token(&secret).unwrap().unwrap().name, "admin");
}

#[test]
fn audit_entries_append_and_list_in_order() {
    let store = Store::open_in_memory().unwrap();
    assert!(store.audit_log(10).unwrap().is_empty());
    let entry = |i: u16| AuditEntry {
        token_name: format!("t{i}"),
        method: if i.is_multiple_of(2) { "POST" } else { "GET" }.into(),
        path: format!("/studies/ung-inkludering-demo/meetings/m{i}"),
        object_id: i.is_multiple_of(2).then(|| format!("m{i}")),
        status: 200 + i,
    };
    let now = || chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    // Stored to the microsecond: allow for the truncation.
    let before = now() - chrono::TimeDelta::milliseconds(1);
    for i in 0..5 {
        store.append_audit(&entry(i)).unwrap();
    }
    let all = store.audit_log(100).unwrap();
    assert_eq!(all.len(), 5);
    for (i, r) in all.iter().enumerate() {
        let e = entry(i as u16);
        assert_eq!(
            (&r.token_name, &r.method, &r.path, &r.object_id, r.status),
            (&e.token_name, &e.method, &e.path, &e.object_id, e.status)
        );
        assert!(r.at >= before && r.at <= now());
    }
    assert!(all
        .windows(2)
        .all(|w| w[0].id < w[1].id && w[0].at <= w[1].at));
    // The latest two, oldest first.
    let last = store.audit_log(2).unwrap();
    assert_eq!(
        last.iter()
            .map(|r| r.token_name.as_str())
            .collect::<Vec<_>>(),
        ["t3", "t4"]
    );
    assert!(store.audit_log(0).unwrap().is_empty());
}

#[test]
fn a_replace_never_loses_what_facilitators_recorded_unasked() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    // A facilitator records a meeting through the API.
    store
        .add_meeting(&study_id(), &meeting("G1-api", "G1", "2024-01-15"))
        .unwrap();
    let recorded = json(&store.load_study(&study_id()).unwrap());

    // A plain replace would drop it: refused, and nothing changes.
    let err = store.import_study(&study, Replace::Yes).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("--keep-facilitation"), "{msg}");
    assert!(msg.contains(&format!(
        "stored: {} meetings",
        study.facilitation().meetings().len() + 1
    )));
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), recorded);

    // Keeping the stored record keeps the meeting, checked against the new study.
    store
        .import_study(&study, Replace::KeepFacilitation)
        .unwrap();
    let kept = store.load_study(&study_id()).unwrap();
    assert!(kept
        .facilitation()
        .meeting(&"G1-api".parse().unwrap())
        .is_some());
    assert_eq!(json(&kept), recorded);

    // Discarding it is asked for in so many words.
    store
        .import_study(&study, Replace::DiscardFacilitation)
        .unwrap();
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), json(&study));
}

#[test]
fn members_added_since_are_kept_with_the_record_or_the_replace_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    // A member who joined through the API, and came to a meeting.
    let newcomer = samskap_core::Member {
        attributes: Default::default(),
        id: id("G1-NY"),
        group: id("G1"),
        sector: samskap_core::Sector::Citizen,
        service: None,
        youth: true,
        pd_youth: false,
    };
    store.add_member(&study_id(), &newcomer).unwrap();
    store
        .add_meeting(&study_id(), &meeting("G1-api", "G1", "2024-01-15"))
        .unwrap();
    store
        .set_attendance(&study_id(), &id("G1-api"), &present(&["G1-NY"]))
        .unwrap();
    let recorded = json(&store.load_study(&study_id()).unwrap());

    // The bundle knows neither: a plain replace names the member and changes nothing.
    let err = store.import_study(&study, Replace::Yes).unwrap_err();
    assert!(
        err.to_string().contains("members only in the store: G1-NY"),
        "{err}"
    );
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), recorded);

    // Keeping the record keeps the member it names.
    store
        .import_study(&study, Replace::KeepFacilitation)
        .unwrap();
    let kept = store.load_study(&study_id()).unwrap();
    assert!(kept.roster().member(&id("G1-NY")).is_some());
    assert_eq!(json(&kept), recorded);

    // A study without the groups the record is about cannot keep it.
    let empty = Study::new(study.meta().clone(), study.framework().clone()).unwrap();
    let err = store
        .import_study(&empty, Replace::KeepFacilitation)
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("does not fit"), "{err}");
    assert_eq!(json(&store.load_study(&study_id()).unwrap()), recorded);
}

#[test]
fn opening_an_up_to_date_store_waits_for_no_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path).unwrap();
    // Another process in the middle of a write.
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Opening (as every CLI command and a server's new reader connections do) needs no
    // write lock: it would otherwise wait out the busy timeout and fail with Busy.
    let store = Store::open(&path).unwrap();
    assert!(store.studies().unwrap().is_empty());
    writer.execute_batch("ROLLBACK").unwrap();
}

// ---------------------------------------------------------------------------------------------
// Backups and restore (schema 5).

use samskap_store::BackupHolding;

fn journal_mode(path: &Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.to_owned().into_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// A file store holding the thesis, in `dir`.
fn thesis_store(dir: &Path) -> (PathBuf, Store) {
    let path = dir.join("s.db");
    let mut store = Store::open(&path).unwrap();
    store.import_study(&thesis(), Replace::No).unwrap();
    (path, store)
}

#[test]
fn a_backup_is_one_checked_file_of_the_store_and_is_catalogued() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = thesis_store(dir.path());
    let out = dir.path().join("b.db");
    let entry = store.backup(&out, false).unwrap();
    assert_eq!(entry.path, out.canonicalize().unwrap());
    assert_eq!(entry.schema_version, SCHEMA_VERSION);
    assert!(!with_suffix(&out, "-wal").exists());
    assert_eq!(journal_mode(&out), "delete");
    let copy = Store::open_existing(&out).unwrap();
    assert_eq!(
        json(&copy.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
    drop(copy);
    assert_eq!(store.backups().unwrap(), [entry]);

    // Not over an existing file unless asked, and never over the store itself.
    let err = store.backup(&out, false).unwrap_err();
    assert!(matches!(err, StoreError::Exists(_)), "{err}");
    let again = store.backup(&out, true).unwrap();
    assert_eq!(store.backups().unwrap(), [again]);
    for own in [path.clone(), with_suffix(&path, "-wal")] {
        let err = store.backup(&own, true).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    }
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
    // No scratch file left beside the backup.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_backup_copies_what_another_connection_committed_while_it_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let backer = Store::open(&path).unwrap();
    // Another process (a running server, say) writes and stays open: its commit is in the
    // WAL, not yet in the main file.
    let mut other = Store::open(&path).unwrap();
    other.import_study(&thesis(), Replace::No).unwrap();
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM study;")
        .unwrap();
    let out = dir.path().join("b.db");
    backer.backup(&out, false).unwrap();
    reader.execute_batch("COMMIT").unwrap();
    let copy = Store::open_existing(&out).unwrap();
    assert_eq!(
        json(&copy.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
    // The writer goes on.
    other
        .add_meeting(&study_id(), &meeting("after-backup", "G1", "2024-01-10"))
        .unwrap();
}

#[test]
fn restore_refuses_what_is_not_a_samskap_store_or_is_newer_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = thesis_store(dir.path());
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "these are notes, not a database\n".repeat(200)).unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('x');")
        .unwrap();
    let newer = dir.path().join("newer.db");
    store.backup(&newer, false).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let keep = dir.path().join("keep.db");

    let err = store.restore(&text, Some(&keep)).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    let err = store.restore(&other, Some(&keep)).unwrap_err();
    assert!(
        err.to_string().contains("without samskap's tables"),
        "{err}"
    );
    let err = store.restore(&newer, Some(&keep)).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    let err = store
        .restore(&dir.path().join("none.db"), Some(&keep))
        .unwrap_err();
    assert!(matches!(err, StoreError::File { .. }), "{err}");

    assert!(!keep.exists(), "nothing kept for a refused restore");
    assert_eq!(store.backups().unwrap().len(), 1);
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
    // The backup file was only read.
    assert_eq!(
        rusqlite::Connection::open(&other)
            .unwrap()
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r
                .get::<_, i64>(0))
            .unwrap(),
        1
    );
}

#[test]
fn restore_puts_a_backup_in_place_and_keeps_the_store_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = thesis_store(dir.path());
    let b1 = dir.path().join("b1.db");
    store.backup(&b1, false).unwrap();
    // Later work: a meeting, and a second study.
    store
        .add_meeting(&study_id(), &meeting("later", "G1", "2024-01-10"))
        .unwrap();
    let mini = samskap_bundle::read(&fixture().join("../mini")).unwrap();
    store.import_study(&mini, Replace::No).unwrap();
    let later = json(&store.load_study(&study_id()).unwrap());

    // A second connection (a server) sees the restore as one change.
    let watcher = Store::open(&path).unwrap();
    assert_eq!(watcher.studies().unwrap().len(), 2);

    let keep = dir.path().join("before-restore.db");
    let r = store.restore(&b1, Some(&keep)).unwrap();
    assert_eq!(r.from_version, SCHEMA_VERSION);
    assert!(r.withdrawn_again.is_empty());
    assert!(r.wal_cleared);
    assert_eq!(r.kept.as_ref().unwrap().path, keep.canonicalize().unwrap());
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
    assert_eq!(store.studies().unwrap().len(), 1);
    assert_eq!(watcher.studies().unwrap().len(), 1);
    // The store as it was is in `keep`, and both backups stay catalogued.
    let kept = Store::open_existing(&keep).unwrap();
    assert_eq!(json(&kept.load_study(&study_id()).unwrap()), later);
    let paths: Vec<PathBuf> = store
        .backups()
        .unwrap()
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(
        paths,
        [b1.canonicalize().unwrap(), keep.canonicalize().unwrap()]
    );
    // No scratch files left.
    let scratch: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(scratch.is_empty(), "{scratch:?}");
}

#[test]
fn restoring_a_backup_from_before_a_withdrawal_withdraws_again() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = thesis_store(dir.path());
    let i3: InformantId = id("I3");
    let passage = thesis()
        .transcript(&id("I3"))
        .unwrap()
        .text()
        .lines()
        .find(|l| l.len() > 40)
        .unwrap()
        .to_owned();
    let b1 = dir.path().join("b1.db");
    store.backup(&b1, false).unwrap();
    store.withdraw(&study_id(), &i3).unwrap();

    let r = store.restore(&b1, None).unwrap();
    assert_eq!(r.withdrawn_again, [(study_id(), i3.clone())]);
    assert_eq!(
        store.consent(&study_id(), &i3).unwrap(),
        samskap_core::Consent::Withdrawn
    );
    let mut expected = thesis();
    expected.withdraw(&i3).unwrap();
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&expected)
    );
    drop(store);
    assert!(
        !on_disk(&path, &passage),
        "restored words of a withdrawn informant"
    );
}

#[test]
fn a_withdrawal_finds_the_backups_that_hold_the_informant_and_scrubs_them() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = thesis_store(dir.path());
    let i3: InformantId = id("I3");
    let passage = thesis()
        .transcript(&id("I3"))
        .unwrap()
        .text()
        .lines()
        .find(|l| l.len() > 40)
        .unwrap()
        .to_owned();
    let [held, gone, broken] = ["held.db", "gone.db", "broken.db"].map(|n| dir.path().join(n));
    for b in [&held, &gone, &broken] {
        store.backup(b, false).unwrap();
    }
    std::fs::remove_file(&gone).unwrap();
    std::fs::write(&broken, "overwritten by something else").unwrap();
    assert!(on_disk(&held, &passage));

    store.withdraw(&study_id(), &i3).unwrap();
    let found = store.backups_holding(&study_id(), &i3).unwrap();
    let states: Vec<(&Path, &str)> = found
        .iter()
        .map(|(e, h)| {
            let s = match h {
                BackupHolding::Holds => "holds",
                BackupHolding::Clear => "clear",
                BackupHolding::Missing => "missing",
                BackupHolding::Unreadable(_) => "unreadable",
            };
            (e.path.as_path(), s)
        })
        .collect();
    let canon = |p: &Path| {
        p.parent()
            .unwrap()
            .canonicalize()
            .unwrap()
            .join(p.file_name().unwrap())
    };
    assert_eq!(
        states,
        [
            (canon(&held).as_path(), "holds"),
            (canon(&gone).as_path(), "missing"),
            (canon(&broken).as_path(), "unreadable"),
        ]
    );

    let outcome = store.purge_backup(&found[0].0, &study_id(), &i3).unwrap();
    assert!(!outcome.already_withdrawn && outcome.removed.transcripts == 1);
    assert!(
        !on_disk(&held, &passage),
        "the backup still holds I3's words"
    );
    assert!(!with_suffix(&held, "-wal").exists());
    assert_eq!(journal_mode(&held), "delete");
    let after = store.backups_holding(&study_id(), &i3).unwrap();
    assert!(matches!(after[0].1, BackupHolding::Clear));
    // Scrubbing a file that is no samskap store is refused, and leaves it as it was.
    let err = store
        .purge_backup(&found[2].0, &study_id(), &i3)
        .unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "overwritten by something else"
    );
}

/// A store as samskap made it at schema 4 (before the backup catalogue): the first four
/// migrations, and rows written as that version wrote them.
fn schema_4_store(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    for sql in [
        include_str!("../migrations/0001_initial.sql"),
        include_str!("../migrations/0002_search.sql"),
        include_str!("../migrations/0003_facilitation.sql"),
        include_str!("../migrations/0004_refi.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 4;
         INSERT INTO framework VALUES ('f', 'F', 'F', '');
         INSERT INTO category (framework_id, id, label_no, label_en, definition)
             VALUES ('f', 'c', 'C', 'C', '');
         INSERT INTO subtheme (framework_id, category_id, id, label_no, label_en, definition)
             VALUES ('f', 'c', 's', 'S', 'S', '');
         INSERT INTO study (id, title, framework_id) VALUES ('s', 'S', 'f');
         INSERT INTO informant (study_id, id, role, consent) VALUES ('s', 'I1', 'participant', 'given');
         INSERT INTO transcript VALUES ('s', 'I1', 'Vi møttes på biblioteket i går.');
         INSERT INTO meaning_unit (study_id, informant_id, start_char, end_char) VALUES ('s', 'I1', 0, 9);
         INSERT INTO coding (unit_id, framework_id, category_id, subtheme_id, polarity, coder, memo)
             VALUES (1, 'f', 'c', 's', 'barrier', 'A', 'Vi møttes på biblioteket i går.');
         INSERT INTO refi_attribute VALUES ('s', 'I1', 'alder', 'Integer', '40');",
    )
    .unwrap();
}

#[test]
fn a_schema_4_store_opens_migrates_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    schema_4_store(&path);
    let store = Store::open_existing(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert!(store.backups().unwrap().is_empty());
    let study = store.load_study(&id("s")).unwrap();
    assert_eq!(study.codings().len(), 1);
    store.backup(&dir.path().join("b.db"), false).unwrap();
    assert_eq!(store.backups().unwrap().len(), 1);
}

#[test]
fn a_schema_4_backup_is_restored_brought_up_to_date_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    schema_4_store(&old);
    // Made by an older samskap and copied as a file: WAL mode, no -wal beside it.
    let before = std::fs::read(&old).unwrap();
    let (_, mut store) = thesis_store(dir.path());
    let r = store.restore(&old, None).unwrap();
    assert_eq!(r.from_version, 4);
    assert_eq!(store.resolve_study(None).unwrap(), id::<StudyId>("s"));
    assert_eq!(store.load_study(&id("s")).unwrap().codings().len(), 1);
    assert_eq!(
        std::fs::read(&old).unwrap(),
        before,
        "the backup was changed"
    );
    // The restored content takes a withdrawal like any other.
    let out = store.withdraw(&id("s"), &id("I1")).unwrap();
    assert_eq!((out.removed.codings, out.removed.transcripts), (1, 1));
}

#[test]
fn restore_refuses_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = thesis_store(dir.path());
    let b = dir.path().join("b.db");
    store.backup(&b, false).unwrap();
    // Scribble over the last pages (the transcripts' and the index's), keeping the schema
    // on page 1 readable.
    let mut bytes = std::fs::read(&b).unwrap();
    let len = bytes.len();
    for x in &mut bytes[len - 3 * 4096..len - 4096] {
        *x = 0x5a;
    }
    std::fs::write(&b, bytes).unwrap();
    let err = store.restore(&b, None).unwrap_err();
    assert!(err.to_string().contains("integrity check"), "{err}");
    assert_eq!(
        json(&store.load_study(&study_id()).unwrap()),
        json(&thesis())
    );
}

// ---------------------------------------------------------------------------------------------
// Codebooks (schema 7): trees of any depth, labels by language, qualifiers.

/// A framework three levels deep with two qualifiers: `tone` (required everywhere, its values
/// not in alphabetical order) and `level` (optional, on `a/b` and below), declared tone
/// first although `level` sorts first by id: core's order of codings is the framework's, not
/// the text's, which the store must follow.
const CODEBOOK: &str = r##"
[framework]
id = "tree"
label = { nb = "Tre", en = "Tree", se = "Muorra" }
description = "A codebook for tests."

[[qualifier]]
id = "tone"
label = { en = "Tone" }
required = true

[[qualifier.value]]
id = "positive"
label = { en = "Positive" }

[[qualifier.value]]
id = "negative"
label = { en = "Negative" }

[[qualifier]]
id = "level"
label = { en = "Level" }
codes = ["a/b"]

[[qualifier.value]]
id = "organisation"

[[qualifier.value]]
id = "individual"

[[qualifier.value]]
id = "group"

[[code]]
id = "d"
label = { en = "D" }

[[code]]
id = "a"
label = { nb = "A", en = "A" }
definition = "The first."
colour = "#1b9e77"
memo = "A memo on a."

[[code.code]]
id = "b"
label = { en = "B" }

[[code.code.code]]
id = "c"
label = { en = "C" }

[[code.code]]
id = "x"
label = { en = "X" }
"##;

/// A study over [`CODEBOOK`]: two informants, codings at every depth with every kind of
/// qualifier set, and memos on a deep code and on the study.
fn codebook_study(framework: &str) -> Study {
    use samskap_core::{ActiveConsent, Coding, Informant, InformantDetails, Role, Transcript};
    let f = Framework::from_toml(framework).unwrap();
    let mut s = Study::new(
        samskap_core::StudyMeta {
            id: id("tree-study"),
            title: "Tree".into(),
            research_question: None,
            method: None,
            period_start: None,
            period_end: None,
            framework: f.id().clone(),
            provenance: samskap_core::Provenance::Illustrative,
            language: None,
        },
        f,
    )
    .unwrap();
    for (i, text) in [
        (
            "I1",
            "Vi møtes hver uke. Lederen sier nei. Ungdommene bestemmer selv.",
        ),
        ("I2", "Det mangler tid. Kommunen lytter. Skolen er med."),
    ] {
        s.add_informant(Informant {
            id: id(i),
            details: Some(InformantDetails {
                attributes: Default::default(),
                role: Role::Participant,
                group: None,
                workplace: None,
                position: None,
                interview_date: None,
                consent: ActiveConsent::Given,
            }),
        })
        .unwrap();
        s.add_source(
            samskap_core::Source::interview(&id(i)),
            Transcript::new(id(i), text),
        )
        .unwrap();
    }
    let codings = [
        ("I2", 0, 16, "a/b/c", "tone=negative;level=group", "A"),
        ("I1", 0, 18, "a", "tone=positive", "A"),
        ("I1", 0, 18, "a/b", "tone=negative", "B"),
        ("I1", 19, 36, "a/b", "level=individual;tone=positive", "A"),
        ("I1", 19, 36, "a/b", "level=group;tone=positive", "B"),
        ("I2", 17, 33, "d", "tone=negative", "A"),
        ("I1", 37, 63, "a/b/c", "tone=positive", "A"),
        ("I2", 34, 48, "a/x", "tone=positive", "B"),
        (
            "I1",
            37,
            63,
            "a/b/c",
            "level=organisation;tone=negative",
            "B",
        ),
        ("I2", 0, 16, "a/b", "tone=positive", "A"),
    ];
    for (i, start, end, code, qualifiers, coder) in codings {
        let span = s.transcript(&id(i)).unwrap().span(start, end).unwrap();
        let unit = s.unit(&id(i), span).unwrap();
        s.add_coding(Coding {
            unit,
            code: id(code),
            qualifiers: id(qualifiers),
            coder: id(coder),
            memo: (coder == "B").then(|| format!("{code} by B")),
            exemplar: false,
        })
        .unwrap();
    }
    s.add_memo(samskap_core::Memo {
        code: Some(id("a/b/c")),
        author: id("A"),
        text: "Deep.".into(),
    })
    .unwrap();
    s.add_memo(samskap_core::Memo {
        code: None,
        author: id("B"),
        text: "On the study.".into(),
    })
    .unwrap();
    s
}

fn codebook_store() -> (Store, Study) {
    let mut store = Store::open_in_memory().unwrap();
    let study = codebook_study(CODEBOOK);
    store.import_study(&study, Replace::No).unwrap();
    (store, study)
}

fn all_quotes(
    store: &Store,
    f: &samskap_core::analysis::Filter,
) -> Vec<samskap_core::analysis::Quote> {
    let mut out = Vec::new();
    store
        .quotes(&id("tree-study"), f, |q, _| {
            out.push(q);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn a_study_over_a_deep_tree_with_qualifiers_loads_back_as_it_was() {
    let (store, study) = codebook_store();
    let loaded = store.load_study(&id("tree-study")).unwrap();
    assert_eq!(json(&loaded), json(&study));
    assert_eq!(loaded.framework(), study.framework());
    assert_eq!(store.frameworks().unwrap(), [study.framework().clone()]);
}

#[test]
fn streamed_quotes_match_the_core_analysis_over_a_tree_with_qualifiers() {
    use samskap_core::analysis::{quotes, Filter};
    let (store, study) = codebook_store();
    let filters = [
        Filter::default(),
        Filter {
            code: Some(id("a")),
            ..Filter::default()
        },
        Filter {
            code: Some(id("a/b")),
            qualifiers: id("level=group"),
            ..Filter::default()
        },
        Filter {
            qualifiers: id("tone=negative"),
            ..Filter::default()
        },
        Filter {
            code: Some(id("a/b/c")),
            qualifiers: id("tone=negative;level=organisation"),
            coder: Some(id("B")),
            ..Filter::default()
        },
        // A selection of informants (`--where`): the first one only.
        Filter {
            among: Some([study.informants()[0].id.clone()].into_iter().collect()),
            ..Filter::default()
        },
    ];
    for f in filters {
        let expected = quotes(&study, &f);
        assert!(!expected.is_empty(), "{f:?} selects nothing: a weak check");
        assert_eq!(all_quotes(&store, &f), expected, "{f:?}");
    }
    // The order is the framework's: `tone` before `level`, `positive` before `negative`,
    // which is not the order of the text the store keeps.
    let under_ab: Vec<String> = all_quotes(
        &store,
        &Filter {
            code: Some(id("a/b")),
            ..Filter::default()
        },
    )
    .iter()
    .filter(|q| q.code.as_str() == "a/b")
    .map(|q| q.qualifiers.to_string())
    .collect();
    assert_eq!(
        under_ab,
        [
            "tone=positive",
            "level=individual;tone=positive",
            "level=group;tone=positive",
            "tone=negative",
        ]
    );
    // A filter on a code outside the framework, or a value no coding has, selects nothing.
    assert!(all_quotes(
        &store,
        &Filter {
            qualifiers: id("level=nowhere"),
            ..Filter::default()
        }
    )
    .is_empty());
}

#[test]
fn codings_are_added_and_removed_by_their_qualifier_values() {
    use samskap_store::{NewCoding, OnDuplicate, UnitRef};
    let (mut store, study) = codebook_store();
    let t = study.transcript(&id("I2")).unwrap();
    let unit = UnitRef::of(t, t.span(17, 33).unwrap());
    let coding = |code: &str, qualifiers: &str| NewCoding {
        unit: unit.clone(),
        code: id(code),
        qualifiers: id(qualifiers),
        coder: id("C"),
        memo: None,
    };
    // Core's checks: a qualifier the code does not take, a missing required one.
    for (bad, why) in [
        (coding("d", "tone=negative;level=group"), "level"),
        (coding("d", ""), "tone"),
        (coding("a/b", "tone=grey"), "grey"),
    ] {
        let err = store
            .add_codings(&id("tree-study"), &[bad], OnDuplicate::Refuse)
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        assert!(err.to_string().contains(why), "{err}");
    }
    let added = store
        .add_codings(
            &id("tree-study"),
            &[
                coding("a/b", "tone=negative;level=individual"),
                coding("a/b", "tone=negative"),
            ],
            OnDuplicate::Refuse,
        )
        .unwrap();
    assert_eq!(added.added, 2);
    let loaded = store.load_study(&id("tree-study")).unwrap();
    assert_eq!(loaded.codings().len(), study.codings().len() + 2);
    // The same code with other values is another coding; removing one leaves the other.
    store
        .remove_coding(
            &id("tree-study"),
            &unit,
            &id("a/b"),
            &id("tone=negative"),
            &id("C"),
        )
        .unwrap();
    let err = store
        .remove_coding(
            &id("tree-study"),
            &unit,
            &id("a/b"),
            &id("tone=negative"),
            &id("C"),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("a/b (tone=negative) by C"),
        "{err}"
    );
    let left: Vec<String> = store
        .load_study(&id("tree-study"))
        .unwrap()
        .codings()
        .iter()
        .filter(|c| c.coder.as_str() == "C")
        .map(|c| format!("{} {}", c.code, c.qualifiers))
        .collect();
    assert_eq!(left, ["a/b level=individual;tone=negative"]);
}

#[test]
fn a_framework_update_keeps_what_codings_carry_or_is_refused() {
    use samskap_store::FrameworkImport;
    let (mut store, study) = codebook_store();
    let before = store.load_study(&id("tree-study")).unwrap();
    let refused = [
        // A value in use.
        (
            CODEBOOK.replace("[[qualifier.value]]\nid = \"group\"\n", ""),
            "level=group (2 codings)",
        ),
        // A code in use (by a memo and codings), with the code under it.
        (
            CODEBOOK.replace(
                "[[code.code.code]]\nid = \"c\"\nlabel = { en = \"C\" }\n",
                "",
            ),
            "code a/b/c (4 codings or memos)",
        ),
        // Made required: codings of `a/b` without a level no longer fit.
        (
            CODEBOOK.replace("codes = [\"a/b\"]", "codes = [\"a/b\"]\nrequired = true"),
            "study `tree-study`",
        ),
        // Narrowed to `a/b/c`: codings of `a/b` with a level no longer fit.
        (
            CODEBOOK.replace("codes = [\"a/b\"]", "codes = [\"a/b/c\"]"),
            "study `tree-study`",
        ),
    ];
    for (toml, what) in refused {
        let f = Framework::from_toml(&toml).unwrap();
        let err = store.import_framework(&f, &change()).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
        assert_eq!(
            json(&store.load_study(&id("tree-study")).unwrap()),
            json(&before)
        );
    }
    // Reordered values and codes, relabelled, recoloured, a value and a code added, an
    // unused code dropped: updated in place, and the quotes follow the new order.
    let edited = CODEBOOK
        .replace(
            "[[qualifier.value]]\nid = \"positive\"\nlabel = { en = \"Positive\" }\n\n[[qualifier.value]]\nid = \"negative\"\nlabel = { en = \"Negative\" }\n",
            "[[qualifier.value]]\nid = \"negative\"\nlabel = { en = \"Negative\", nb = \"Negativ\" }\n\n[[qualifier.value]]\nid = \"neutral\"\n\n[[qualifier.value]]\nid = \"positive\"\nlabel = { en = \"Positive\" }\n",
        )
        .replace("colour = \"#1b9e77\"", "colour = \"#d95f02\"")
        .replace("[[code]]\nid = \"d\"\nlabel = { en = \"D\" }\n", "")
        + "\n[[code]]\nid = \"d\"\nlabel = { en = \"D, last\" }\n\n[[code.code]]\nid = \"e\"\n";
    let f = Framework::from_toml(&edited).unwrap();
    assert_eq!(
        store.import_framework(&f, &change()).unwrap(),
        FrameworkImport::Updated
    );
    assert_eq!(
        store.import_framework(&f, &change()).unwrap(),
        FrameworkImport::Unchanged
    );
    let loaded = store.load_study(&id("tree-study")).unwrap();
    assert_eq!(loaded.framework(), &f);
    assert_eq!(loaded.codings(), study.codings());
    let f = samskap_core::analysis::Filter::default();
    assert_eq!(
        all_quotes(&store, &f),
        samskap_core::analysis::quotes(&loaded, &f)
    );
    let unused =
        Framework::from_toml(&edited.replace("\n[[code.code]]\nid = \"e\"\n", "")).unwrap();
    assert_eq!(
        store.import_framework(&unused, &change()).unwrap(),
        FrameworkImport::Updated
    );
    assert!(!store.frameworks().unwrap()[0].contains(&id("d/e")));
}

/// A codebook change made by a test, at a fixed time.
fn change() -> samskap_store::Change {
    samskap_store::Change {
        by: "tester".into(),
        at: "2026-01-02T03:04:05Z".into(),
        note: None,
    }
}

// ---------------------------------------------------------------------------------------
// Editing a codebook in use (schema 8): codings, memos and kept GUIDs follow, one version
// per edit, and a refused edit changes nothing.

use samskap_core::codebook::Edit;
use samskap_store::{Change, Pick, RefiGuid, RefiRecord};

fn guid(kind: &str, key: &str, n: u8) -> RefiGuid {
    RefiGuid {
        kind: kind.into(),
        key: key.into(),
        guid: format!("6f0d3c2b-1a2b-4c3d-8e9f-0123456789{n:02}"),
    }
}

/// The tree study with a coding of `d` on the unit where A coded `a` (same values), stored
/// with GUIDs kept for codes, a qualified code, codings, a coding's note and a memo.
fn edited_store() -> Store {
    use samskap_core::Coding;
    let mut study = codebook_study(CODEBOOK);
    let span = study.transcript(&id("I1")).unwrap().span(0, 18).unwrap();
    let unit = study.unit(&id("I1"), span).unwrap();
    study
        .add_coding(Coding {
            unit,
            code: id("d"),
            qualifiers: id("tone=positive"),
            coder: id("A"),
            memo: Some("d here too".into()),
            exemplar: false,
        })
        .unwrap();
    let record = RefiRecord {
        study_guids: vec![
            guid("coding", "I1:0-18:a:tone=positive:A", 1),
            guid("coding", "I1:0-18:d:tone=positive:A", 2),
            guid("coding", "I2:17-33:d:tone=negative:A", 3),
            guid("coding-note", "I2:17-33:d:tone=negative:A", 4),
            guid(
                "coding",
                "I1:37-63:a/b/c:level=organisation;tone=negative:B",
                5,
            ),
            guid("note", "a/b/c|A|0011223344556677|0", 6),
        ],
        framework_guids: vec![
            guid("code", "a/b", 7),
            guid("code", "a/b/c", 8),
            guid("qualified", "a/b#level=group;tone=positive", 9),
            guid("code", "d", 10),
            guid("qualified", "d#tone=negative", 11),
        ],
        attributes: Vec::new(),
    };
    let mut store = Store::open_in_memory().unwrap();
    store
        .import_refi_study(&study, &record, Replace::No)
        .unwrap();
    store
}

fn by(note: &str) -> Change {
    Change {
        by: "kari".into(),
        at: "2026-03-04T05:06:07Z".into(),
        note: Some(note.into()),
    }
}

/// Everything an edit may touch, to compare before and after.
fn state(store: &Store) -> serde_json::Value {
    let f: samskap_core::FrameworkId = id("tree");
    serde_json::json!({
        "study": json(&store.load_study(&id("tree-study")).unwrap()),
        "log": store.framework_log(&f).unwrap(),
        "guids": format!("{:?}", store.refi_record(&id("tree-study")).unwrap()),
    })
}

fn guid_keys(store: &Store) -> (Vec<String>, Vec<String>) {
    let r = store.refi_record(&id("tree-study")).unwrap();
    let keys = |g: &[RefiGuid]| {
        g.iter()
            .map(|g| format!("{} {} {}", g.kind, g.key, &g.guid[34..]))
            .collect()
    };
    (keys(&r.study_guids), keys(&r.framework_guids))
}

fn codes_of(study: &Study) -> Vec<(String, String, String)> {
    study
        .codings()
        .iter()
        .map(|c| {
            let u = &study.units()[c.unit.index()];
            (
                format!("{}:{}-{}", u.source, u.span.start(), u.span.end()),
                c.code.to_string(),
                c.coder.to_string(),
            )
        })
        .collect()
}

#[test]
fn a_rename_moves_the_subtree_its_codings_memos_qualifier_and_guids() {
    let mut store = edited_store();
    let before = store.load_study(&id("tree-study")).unwrap();
    let done = store
        .edit_codebook(
            &id("tree-study"),
            &Edit::Rename {
                from: id("a/b"),
                to: id("a/bee"),
            },
            &[],
            &by("a clearer name"),
        )
        .unwrap();
    assert_eq!(
        (done.version, done.codings, done.merged, done.memos),
        (2, 7, 0, 1)
    );
    assert_eq!(done.what, "rename a/b → a/bee");
    let after = store.load_study(&id("tree-study")).unwrap();
    // The same codings, in the same order, each with its code renamed.
    let renamed: Vec<_> = codes_of(&before)
        .into_iter()
        .map(|(u, c, coder)| (u, c.replace("a/b", "a/bee"), coder))
        .collect();
    assert_eq!(codes_of(&after), renamed);
    assert_eq!(after.codings().len(), before.codings().len());
    assert_eq!(after.memos()[0].code, Some(id("a/bee/c")));
    assert_eq!(after.framework().qualifiers()[1].codes, [id("a/bee")]);
    let (study_keys, framework_keys) = guid_keys(&store);
    assert!(
        study_keys
            .contains(&"coding I1:37-63:a/bee/c:level=organisation;tone=negative:B 05".to_owned()),
        "{study_keys:?}"
    );
    assert!(
        study_keys.contains(&"note a/bee/c|A|0011223344556677|0 06".to_owned()),
        "{study_keys:?}"
    );
    for k in [
        "code a/bee 07",
        "code a/bee/c 08",
        "qualified a/bee#level=group;tone=positive 09",
    ] {
        assert!(
            framework_keys.contains(&k.to_owned()),
            "{k}: {framework_keys:?}"
        );
    }
    assert!(!framework_keys
        .iter()
        .any(|k| k.contains("a/b#") || k.contains("a/b ")));
    // Version 2 is recorded with who, when, what and why; version 1 is what was stored.
    let log = store.framework_log(&id("tree")).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].what, "first version");
    assert_eq!((log[0].at.as_deref(), log[0].by.as_deref()), (None, None));
    assert_eq!(log[1].at.as_deref(), Some("2026-03-04T05:06:07Z"));
    assert_eq!(log[1].by.as_deref(), Some("kari"));
    assert_eq!(log[1].note.as_deref(), Some("a clearer name"));
    assert_eq!(
        &store.framework_at(&id("tree"), 1).unwrap(),
        before.framework()
    );
    assert_eq!(
        &store.framework_at(&id("tree"), 2).unwrap(),
        after.framework()
    );
    assert_eq!(store.framework_version(&id("tree")).unwrap(), 2);
    assert!(matches!(
        store.framework_at(&id("tree"), 3),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_merge_makes_codings_that_coincide_one_and_joins_their_memos() {
    let mut store = edited_store();
    let done = store
        .edit_codebook(
            &id("tree-study"),
            &Edit::Merge {
                from: vec![id("d")],
                into: id("a"),
            },
            &[],
            &by("d was a kind of a"),
        )
        .unwrap();
    // A's `a` on I1:0-18 and A's `d` there (same values) are one coding now; the other
    // coding of `d` moves.
    assert_eq!((done.codings, done.merged), (1, 1));
    let after = store.load_study(&id("tree-study")).unwrap();
    assert!(!after.codings().iter().any(|c| c.code == id("d")));
    let on_unit: Vec<_> = after
        .codings()
        .iter()
        .filter(|c| c.code == id("a") && c.coder == id("A"))
        .collect();
    assert_eq!(on_unit.len(), 2);
    assert_eq!(on_unit[0].memo.as_deref(), Some("d here too"));
    let (study_keys, framework_keys) = guid_keys(&store);
    assert!(study_keys.contains(&"coding I1:0-18:a:tone=positive:A 01".to_owned()));
    assert!(
        !study_keys.iter().any(|k| k.ends_with(" 02")),
        "the merged coding's GUID goes"
    );
    assert!(study_keys.contains(&"coding I2:17-33:a:tone=negative:A 03".to_owned()));
    assert!(study_keys.contains(&"coding-note I2:17-33:a:tone=negative:A 04".to_owned()));
    // `a` was there: it keeps its own (derived) GUID rather than taking `d`'s.
    assert!(
        !framework_keys
            .iter()
            .any(|k| k.ends_with(" 10") || k.ends_with(" 11")),
        "{framework_keys:?}"
    );
    // Merged again into a new code, which takes the GUID of the first code merged.
    let mut store = edited_store();
    store
        .edit_codebook(
            &id("tree-study"),
            &Edit::Merge {
                from: vec![id("d"), id("a/x")],
                into: id("dx"),
            },
            &[],
            &by("one"),
        )
        .unwrap();
    let (_, framework_keys) = guid_keys(&store);
    assert!(
        framework_keys.contains(&"code dx 10".to_owned()),
        "{framework_keys:?}"
    );
    assert!(framework_keys.contains(&"qualified dx#tone=negative 11".to_owned()));
}

#[test]
fn a_split_moves_the_codings_picked_and_versions_tell_codings_apart() {
    let mut store = edited_store();
    let picks = [Pick {
        source: id("I1"),
        start: 19,
        end: 36,
        coder: Some(id("B")),
    }];
    let done = store
        .edit_codebook(
            &id("tree-study"),
            &Edit::Split {
                from: id("a/b"),
                into: id("a/b2"),
            },
            &picks,
            &by("two senses of b"),
        )
        .unwrap();
    assert_eq!((done.version, done.codings), (2, 1));
    let after = store.load_study(&id("tree-study")).unwrap();
    let split: Vec<_> = codes_of(&after)
        .into_iter()
        .filter(|(_, c, _)| c == "a/b2")
        .collect();
    assert_eq!(split, [("I1:19-36".into(), "a/b2".into(), "B".into())]);
    // The new code takes `level`, as its source does: the coding keeps its value.
    assert!(after.framework().qualifiers()[1].applies_to(&id("a/b2")));
    // Without a coder, every coder's coding of the code on the unit; a unit with none of
    // them is refused.
    store
        .edit_codebook(
            &id("tree-study"),
            &Edit::Delete {
                code: id("a/x"),
                recode_to: Some(id("a")),
            },
            &[],
            &by("too few"),
        )
        .unwrap();
    // Codings remember the version they were made under; new ones take the version now.
    let add = samskap_store::NewCoding {
        unit: samskap_store::UnitRef::of(
            after.transcript(&id("I2")).unwrap(),
            after.transcript(&id("I2")).unwrap().span(34, 48).unwrap(),
        ),
        code: id("a/b2"),
        qualifiers: id("tone=negative"),
        coder: id("C"),
        memo: None,
    };
    store
        .add_codings(
            &id("tree-study"),
            &[add],
            samskap_store::OnDuplicate::Refuse,
        )
        .unwrap();
    let v3 = store.coding_table(&id("tree-study"), Some(3)).unwrap();
    let listed: Vec<(String, String, String)> = v3
        .codings()
        .iter()
        .map(|c| {
            let u = v3.units()[c.unit as usize];
            (
                format!(
                    "{}:{}-{}",
                    v3.sources()[u.source as usize].id,
                    u.span.start(),
                    u.span.end()
                ),
                v3.code(c).to_string(),
                v3.coders()[c.coder as usize].to_string(),
            )
        })
        .collect();
    assert_eq!(listed, [("I2:34-48".into(), "a/b2".into(), "C".into())]);
    let v1 = store.coding_table(&id("tree-study"), Some(1)).unwrap();
    assert_eq!(v1.codings().len(), 11);
    assert!(store
        .coding_table(&id("tree-study"), Some(2))
        .unwrap()
        .codings()
        .is_empty());
    let log = store.framework_log(&id("tree")).unwrap();
    let what: Vec<&str> = log.iter().map(|v| v.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "first version",
            "split a/b → a/b2",
            "delete a/x (recoded to a)"
        ]
    );
}

#[test]
fn a_refused_edit_changes_nothing() {
    let mut store = edited_store();
    let before = state(&store);
    let pick = |i: &str, s, e| Pick {
        source: id(i),
        start: s,
        end: e,
        coder: None,
    };
    let refused: Vec<(Edit, Vec<Pick>, &str)> = vec![
        (
            Edit::Delete {
                code: id("a/b"),
                recode_to: None,
            },
            vec![],
            "`a/b` (4 codings, 0 memos), `a/b/c` (3 codings, 1 memos) in use",
        ),
        (
            Edit::Rename {
                from: id("a"),
                to: id("a/b/z"),
            },
            vec![],
            "cannot go under itself",
        ),
        (
            Edit::Rename {
                from: id("nope"),
                to: id("z"),
            },
            vec![],
            "no code `nope`",
        ),
        (
            Edit::Merge {
                from: vec![id("a/b/c")],
                into: id("d"),
            },
            vec![],
            "carry qualifier `level`, which `d` does not take",
        ),
        (
            Edit::Split {
                from: id("a/x"),
                into: id("a/y"),
            },
            vec![pick("I2", 34, 48), pick("I1", 0, 18)],
            "no coding of `a/x` at I1:0-18 by any coder",
        ),
        (
            Edit::Split {
                from: id("a/x"),
                into: id("a/y"),
            },
            vec![],
            "needs the codings",
        ),
        (
            Edit::Rename {
                from: id("d"),
                to: id("e"),
            },
            vec![pick("I2", 34, 48)],
            "only a split",
        ),
    ];
    for (edit, picks, why) in refused {
        let err = store
            .edit_codebook(&id("tree-study"), &edit, &picks, &by("no"))
            .unwrap_err();
        assert!(err.to_string().contains(why), "{edit}: {err}");
        assert_eq!(state(&store), before, "{edit}");
    }
}

#[test]
fn an_updated_framework_file_is_a_new_version_named_by_its_diff() {
    let (mut store, _) = codebook_store();
    let f = Framework::from_toml(
        &CODEBOOK.replace("label = { en = \"D\" }", "label = { en = \"Dee\" }"),
    )
    .unwrap();
    store.import_framework(&f, &by("relabelled")).unwrap();
    let log = store.framework_log(&id("tree")).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].what, "import: changed d");
    assert_eq!(log[1].note.as_deref(), Some("relabelled"));
    // The same file again changes nothing and records nothing.
    store.import_framework(&f, &by("again")).unwrap();
    assert_eq!(store.framework_log(&id("tree")).unwrap().len(), 2);
}

/// Custom attributes come back as they went in, and an informant's go when they withdraw,
/// while the others' and the group's stay.
#[test]
fn attributes_load_back_and_go_with_a_withdrawn_informant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/thematic");
    let study = samskap_bundle::read(&root).unwrap();
    let sid: StudyId = "thematic".parse().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    store.import_study(&study, Replace::No).unwrap();
    let loaded = store.load_study(&sid).unwrap();
    assert_eq!(json(&loaded), json(&study));
    assert_eq!(loaded.attributes(), study.attributes());

    let values = |holder: &str| -> i64 {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row(
            &format!("SELECT count(*) FROM {holder}_attribute WHERE study_id = 'thematic'"),
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!((values("informant"), values("group")), (3, 3));
    let e1: InformantId = "E1".parse().unwrap();
    store.withdraw(&sid, &e1).unwrap();
    assert_eq!((values("informant"), values("group")), (1, 3));
    let loaded = store.load_study(&sid).unwrap();
    assert!(loaded.informant(&e1).unwrap().details.is_none());
    let e2 = loaded.informant(&"E2".parse().unwrap()).unwrap();
    assert_eq!(
        e2.details
            .as_ref()
            .unwrap()
            .attributes
            .get(&"grade".parse().unwrap()),
        Some(&samskap_core::AttributeValue::Number(
            samskap_core::Number::new(10.0).unwrap()
        ))
    );
}

/// A word changed inside a long coded unit: the unit is stretched over the new word and keeps
/// every coding; the units after it move by the difference; the report says so.
#[test]
fn replacing_a_transcript_stretches_an_edited_unit_and_keeps_its_codings() {
    use samskap_store::UnitFate;
    let mut store = Store::open_in_memory().unwrap();
    let study = thesis();
    store.import_study(&study, Replace::No).unwrap();
    let i1: samskap_core::SourceId = id("I1");
    let text = study.transcript(&i1).unwrap();
    // I1's longest coded unit, and a word of it found nowhere else in the text.
    let unit = study
        .units()
        .iter()
        .filter(|u| u.source == i1)
        .map(|u| u.span)
        .max_by_key(|s| (s.len(), std::cmp::Reverse(s.start())))
        .unwrap();
    let passage = text.slice(unit);
    assert!(passage.chars().count() > 150, "{passage}");
    let word = passage
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.chars().count() >= 6 && text.text().matches(*w).count() == 1)
        .expect("a word the unit alone has");
    let edited = text.text().replacen(word, "ganske annerledes", 1);
    let grown = "ganske annerledes".chars().count() as i64 - word.chars().count() as i64;
    let codings_of = |study: &Study, from: samskap_core::Span| {
        let mut on: Vec<String> = study
            .codings()
            .iter()
            .filter(|c| {
                let u = &study.units()[c.unit.index()];
                u.source == i1 && u.span == from
            })
            .map(|c| format!("{} {} {}", c.code, c.qualifiers, c.coder))
            .collect();
        on.sort();
        on
    };
    let before = codings_of(&study, unit);
    assert!(!before.is_empty());

    let r = store
        .replace_transcript(&study_id(), &i1, &edited, false)
        .unwrap();
    assert!(r.applied && r.orphans.is_empty(), "{r:?}");
    assert_eq!(r.units_orphaned, 0);
    let change = r.units.iter().find(|c| c.from == unit).unwrap();
    assert_eq!(change.fate, UnitFate::Edited);
    assert_eq!(change.codings, before.len());
    assert_eq!(change.text, passage);
    let to = change.to.unwrap();
    let new_text = passage.replacen(word, "ganske annerledes", 1);
    assert_eq!(change.new_text.as_deref(), Some(new_text.as_str()));
    assert_eq!(
        (to.start(), to.len() as i64),
        (unit.start(), unit.len() as i64 + grown)
    );

    let loaded = store.load_study(&study_id()).unwrap();
    assert_eq!(codings_of(&loaded, to), before);
    assert_eq!(loaded.codings().len(), study.codings().len());
    // Each unit that begins after the edit moved by the difference, its text unchanged; the
    // units that do not reach the edit did not move.
    let new = loaded.transcript(&i1).unwrap();
    let at = text.text()[..text.text().find(word).unwrap()]
        .chars()
        .count();
    for u in study.units().iter().filter(|u| u.source == i1) {
        let c = r.units.iter().find(|c| c.from == u.span);
        if u.span.start() > at {
            let c = c.unwrap();
            assert_eq!(c.fate, UnitFate::Moved);
            assert_eq!(c.to.unwrap().start() as i64, u.span.start() as i64 + grown);
            assert_eq!(new.slice(c.to.unwrap()), text.slice(u.span));
        } else if u.span.end() <= at {
            assert!(c.is_none(), "{c:?}");
        }
    }
    assert_eq!(
        r.units_unchanged + r.units_moved + r.units_edited,
        study.units().iter().filter(|u| u.source == i1).count()
    );
}
