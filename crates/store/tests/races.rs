//! Checked edits decide inside their own transaction: a caller that read a study before another
//! connection replaced a transcript or withdrew an informant is refused, and writes nothing.

use std::path::Path;

use samskap_core::{CodeId, CoderId, InformantId, Memo, Qualifiers, Study, StudyId, TextQuote};
use samskap_store::{NewCoding, OnDuplicate, Replace, Store, StoreError, UnitRef};

fn mini() -> Study {
    samskap_bundle::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini"))
        .unwrap()
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// Two connections to one store file, with the mini study in it.
fn two_connections(dir: &Path) -> (Store, Store, StudyId) {
    let path = dir.join("s.db");
    let mut a = Store::open(&path).unwrap();
    let study = mini();
    a.import_study(&study, Replace::No).unwrap();
    let b = Store::open_existing(&path).unwrap();
    (a, b, study.meta().id.clone())
}

const QUOTE: &str = "Jeg må prioritere egne brukere først";

/// The unit of `QUOTE` in I1, as a reader of `study` sees it.
fn stale_unit(study: &Study) -> UnitRef {
    let t = study.transcript(&id("I1")).unwrap();
    UnitRef::of(t, t.locate(&TextQuote::exact(QUOTE)).unwrap())
}

fn coding(unit: UnitRef) -> NewCoding {
    NewCoding {
        unit,
        code: id::<CodeId>("collaboration/time"),
        qualifiers: id::<Qualifiers>("polarity=barrier"),
        coder: id::<CoderId>("R"),
        memo: None,
    }
}

fn codings_by_r(store: &Store, sid: &StudyId) -> usize {
    let s = store.load_study(sid).unwrap();
    s.codings()
        .iter()
        .filter(|c| c.coder.as_str() == "R")
        .count()
}

#[test]
fn a_coding_located_before_a_transcript_replace_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut reader, mut other, sid) = two_connections(tmp.path());
    let seen = reader.load_study(&sid).unwrap();
    let unit = stale_unit(&seen);

    // Another process puts a line in front: every offset after it moves.
    let old = seen.transcript(&id("I1")).unwrap().text().to_owned();
    let r = other
        .replace_transcript(&sid, &id("I1"), &format!("Innledning.\n{old}"), false)
        .unwrap();
    assert!(r.applied);

    let err = reader
        .add_codings(&sid, &[coding(unit.clone())], OnDuplicate::Refuse)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("changed after it was read")),
        "{err}"
    );
    assert_eq!(codings_by_r(&reader, &sid), 0, "nothing written");

    // Located again, it goes in and covers the quoted words.
    let fresh = reader.load_study(&sid).unwrap();
    reader
        .add_codings(&sid, &[coding(stale_unit(&fresh))], OnDuplicate::Refuse)
        .unwrap();
    let after = reader.load_study(&sid).unwrap();
    let c = after
        .codings()
        .iter()
        .find(|c| c.coder.as_str() == "R")
        .unwrap();
    assert_eq!(after.unit_text(c.unit), QUOTE);
}

#[test]
fn a_coding_removed_by_a_stale_reader_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut reader, mut other, sid) = two_connections(tmp.path());
    let seen = reader.load_study(&sid).unwrap();
    let unit = stale_unit(&seen);
    reader
        .add_codings(&sid, &[coding(unit.clone())], OnDuplicate::Refuse)
        .unwrap();
    let old = seen.transcript(&id("I1")).unwrap().text().to_owned();
    other
        .replace_transcript(&sid, &id("I1"), &format!("Innledning.\n{old}"), false)
        .unwrap();
    let err = reader
        .remove_coding(
            &sid,
            &unit,
            &id("collaboration/time"),
            &id("polarity=barrier"),
            &id("R"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(codings_by_r(&reader, &sid), 1, "the coding stays");
}

#[test]
fn a_coding_of_an_informant_withdrawn_meanwhile_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut reader, mut other, sid) = two_connections(tmp.path());
    let seen = reader.load_study(&sid).unwrap();
    let unit = stale_unit(&seen);
    other.withdraw(&sid, &id::<InformantId>("I1")).unwrap();
    let err = reader
        .add_codings(&sid, &[coding(unit)], OnDuplicate::Refuse)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("not there any more")),
        "{err}"
    );
    let s = reader.load_study(&sid).unwrap();
    assert!(s.units().iter().all(|u| u.source.as_str() != "I1"));
}

#[test]
fn a_memo_on_a_code_dropped_meanwhile_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut reader, mut other, sid) = two_connections(tmp.path());
    // The framework gains a code; the reader sees it; another process drops it again.
    let framework = reader.load_study(&sid).unwrap().framework().clone();
    let mut codes = framework.codes().to_vec();
    let unused: CodeId = codes[0].id.child("extra").unwrap();
    let mut extra = codes[1].clone();
    extra.id = unused.clone();
    codes.push(extra);
    let larger = samskap_core::Framework::new(
        framework.meta().clone(),
        codes,
        framework.qualifiers().to_vec(),
    )
    .unwrap();
    other.import_framework(&larger, &change()).unwrap();
    let seen = reader.load_study(&sid).unwrap();
    assert!(seen.framework().contains(&unused));
    let smaller = framework;
    other.import_framework(&smaller, &change()).unwrap();

    let err = reader
        .add_memo(
            &sid,
            &Memo {
                code: Some(unused.clone()),
                author: id("R"),
                text: "Et notat.".into(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

/// A codebook change made by a test, at a fixed time.
fn change() -> samskap_store::Change {
    samskap_store::Change {
        by: "tester".into(),
        at: "2026-01-02T03:04:05Z".into(),
        note: None,
    }
}
