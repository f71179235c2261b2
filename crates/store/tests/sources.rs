//! Sources in the store (schema 12): a focus group in speaker turns, interviews, minutes and a
//! document (`fixtures/sources`, made up to illustrate) go in and come back as they were;
//! the store's own readings of whose words a unit holds (the counting table, the streamed
//! quotes, each informant's units) agree with core's; and a withdrawal from a shared source
//! does in SQL what core does in memory.

use std::path::{Path, PathBuf};

use samskap_core::analysis::{quotes, Filter};
use samskap_core::{CodingTable, InformantId, Study, StudyId};
use samskap_store::{Replace, Store};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sources")
}

fn kilder() -> Study {
    samskap_bundle::read(&fixture()).unwrap()
}

fn sid() -> StudyId {
    "kilder".parse().unwrap()
}

fn json(study: &Study) -> serde_json::Value {
    serde_json::to_value(study).unwrap()
}

fn stored() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    store.import_study(&kilder(), Replace::No).unwrap();
    (dir, path, store)
}

#[test]
fn sources_of_every_kind_load_back_as_they_were_imported() {
    let (_dir, _path, store) = stored();
    let study = kilder();
    let loaded = store.load_study(&sid()).unwrap();
    assert_eq!(json(&loaded), json(&study));
    assert_eq!(loaded.sources(), study.sources());
    // The counting table reads whose words each unit holds from the stored turns, without
    // the texts: the same as core's from the texts.
    let table = store.coding_table(&sid(), None).unwrap();
    let expected = CodingTable::of(&study, None);
    assert_eq!(table, expected);
    assert!(
        table.has_shared_units(),
        "the fixture has a unit spanning turns"
    );
}

#[test]
fn streamed_quotes_follow_the_speakers_as_core_does() {
    let (_dir, _path, store) = stored();
    let study = kilder();
    let among: samskap_core::InformantSet =
        ["I2".parse::<InformantId>().unwrap()].into_iter().collect();
    let filters = [
        Filter::default(),
        Filter {
            group: Some("G1".parse().unwrap()),
            ..Filter::default()
        },
        Filter {
            role: Some(samskap_core::Role::Participant),
            ..Filter::default()
        },
        Filter {
            consented_only: true,
            ..Filter::default()
        },
        Filter {
            among: Some(among),
            ..Filter::default()
        },
        Filter {
            coder: Some("B".parse().unwrap()),
            ..Filter::default()
        },
    ];
    for f in filters {
        let mut streamed = Vec::new();
        store
            .quotes(&sid(), &f, |q, _| {
                streamed.push(q);
                Ok(())
            })
            .unwrap();
        let expected = quotes(&study, &f);
        assert!(!expected.is_empty(), "{f:?} selects nothing: a weak check");
        assert_eq!(streamed, expected, "{f:?}");
    }
    // The unit spanning two turns is both speakers'; the minutes' and the document's are
    // no one's; a report's filter leaves out the informant whose consent is pending.
    let all = quotes(&study, &Filter::default());
    assert!(all
        .iter()
        .any(|q| q.informants.len() == 2 && q.text.contains("B: Ingen har tid")));
    assert!(all
        .iter()
        .any(|q| q.source.as_str() == "plan" && q.informants.is_empty()));
    let reportable = quotes(
        &study,
        &Filter {
            consented_only: true,
            ..Filter::default()
        },
    );
    assert!(!reportable.iter().any(|q| q.source.as_str() == "int-i4"));
}

#[test]
fn each_informant_counts_the_units_that_hold_their_words() {
    let (_dir, _path, store) = stored();
    let (_, rows) = store.informants(&sid()).unwrap();
    let units: Vec<(String, usize)> = rows.iter().map(|(i, n)| (i.id.to_string(), *n)).collect();
    // I1: two units in their turns and the one spanning into I2's; I2: that one and their
    // own; I3: two in their turns (the interviewer's questions are no one's); I4: one.
    assert_eq!(
        units,
        [
            ("I1".to_owned(), 3),
            ("I2".to_owned(), 2),
            ("I3".to_owned(), 2),
            ("I4".to_owned(), 1)
        ]
    );
}

#[test]
fn withdrawing_a_speaker_of_a_focus_group_cuts_their_turns_as_core_does() {
    let (_dir, path, mut store) = stored();
    let mut expected = kilder();
    let i1: InformantId = "I1".parse().unwrap();
    let report = expected.withdraw(&i1).unwrap();
    assert_eq!((report.transcripts, report.turns), (0, 1));
    let outcome = store.withdraw(&sid(), &i1).unwrap();
    assert_eq!(outcome.removed, report);
    let loaded = store.load_study(&sid()).unwrap();
    assert_eq!(json(&loaded), json(&expected));
    assert_eq!(
        store.coding_table(&sid(), None).unwrap(),
        CodingTable::of(&expected, None)
    );
    // Their words and their label are gone from the file; the other speaker's stay.
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(!has("Vi rekker ingenting"));
    assert!(!has("Faste m\u{f8}ter hver m\u{e5}ned"));
    assert!(has("lederne prioriterer det ikke"));
}

#[test]
fn withdrawing_the_one_speaker_of_an_interview_removes_it_whole() {
    let (_dir, _path, mut store) = stored();
    let mut expected = kilder();
    let i3: InformantId = "I3".parse().unwrap();
    let report = expected.withdraw(&i3).unwrap();
    assert_eq!((report.transcripts, report.turns), (1, 0));
    assert_eq!(store.withdraw(&sid(), &i3).unwrap().removed, report);
    let loaded = store.load_study(&sid()).unwrap();
    assert_eq!(json(&loaded), json(&expected));
    assert!(loaded.source(&"int-i3".parse().unwrap()).is_none());
}

#[test]
fn replacing_a_source_text_moves_its_turns_with_it() {
    let (_dir, _path, mut store) = stored();
    let study = kilder();
    let fg: samskap_core::SourceId = "fg-g1".parse().unwrap();
    let old = study.transcript(&fg).unwrap().text().to_owned();
    let new = format!("Innledning lagt til.\n\n{old}");
    let r = store.replace_transcript(&sid(), &fg, &new, false).unwrap();
    assert!(r.applied && r.orphans.is_empty());
    let loaded = store.load_study(&sid()).unwrap();
    // Whose words each unit holds is unchanged: the turns moved with the text.
    assert_eq!(
        store.coding_table(&sid(), None).unwrap(),
        CodingTable::of(&loaded, None)
    );
    let shared = quotes(&loaded, &Filter::default())
        .into_iter()
        .find(|q| q.text.contains("B: Ingen har tid"))
        .unwrap();
    assert_eq!(shared.informants.len(), 2);
}

#[test]
fn sources_are_listed_with_their_counts_and_added_one_at_a_time() {
    let (_dir, _path, mut store) = stored();
    let list = store.sources(&sid()).unwrap();
    let ids: Vec<(&str, usize, usize)> = list
        .iter()
        .map(|r| (r.source.id.as_str(), r.units, r.codings))
        .collect();
    assert_eq!(
        ids,
        [
            ("fg-g1", 5, 6),
            ("int-i3", 2, 3),
            ("int-i4", 1, 1),
            ("ref-g1-2023-04", 2, 2),
            ("plan", 1, 1)
        ]
    );
    assert_eq!(list[0].source, kilder().sources()[0]);
    // A new source is checked as a study checks it, and refused whole.
    let notes = samskap_core::Source {
        id: "obs-1".parse().unwrap(),
        kind: samskap_core::SourceKind::Observation,
        title: Some("Feltnotater".into()),
        date: None,
        informants: vec!["I9".parse().unwrap()],
        speakers: vec![],
        group: None,
        guide: None,
        meeting: None,
        attributes: Default::default(),
    };
    let text = samskap_core::Transcript::new(notes.id.clone(), "Seks møtte.");
    let err = store
        .add_source(&sid(), notes.clone(), text.clone())
        .unwrap_err();
    assert!(err.to_string().contains("unknown informant `I9`"), "{err}");
    let taken = samskap_core::Source {
        id: "plan".parse().unwrap(),
        ..notes.clone()
    };
    let err = store
        .add_source(
            &sid(),
            taken,
            samskap_core::Transcript::new("plan".parse().unwrap(), "x"),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("already has a source `plan`"),
        "{err}"
    );
    assert_eq!(store.sources(&sid()).unwrap().len(), 5);
    let notes = samskap_core::Source {
        informants: vec!["I2".parse().unwrap()],
        ..notes
    };
    store
        .add_source(&sid(), notes.clone(), text.clone())
        .unwrap();
    let (back, back_text) = store.source(&sid(), &notes.id).unwrap();
    assert_eq!((back, back_text), (notes, text));
    assert_eq!(store.load_study(&sid()).unwrap().sources().len(), 6);
}
