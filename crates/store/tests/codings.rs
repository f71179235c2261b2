//! Codings written without loading the study: each check of the model still decides
//! (source, span, words, code, qualifier values, duplicates), in the caller's terms, and a
//! refused write leaves nothing, not even a journal entry.

use std::path::Path;

use samskap_core::codebook::Edit;
use samskap_core::{ModelError, Qualifiers, Study, StudyId, TextQuote};
use samskap_store::{
    Change, NewCoding, Offsets, OnDuplicate, Refusal, Replace, Store, StoreError, UnitRef,
};

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn sid() -> StudyId {
    id("mini")
}

fn store() -> (Store, Study) {
    let study =
        samskap_bundle::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini"))
            .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&study, Replace::No).unwrap();
    (store, study)
}

/// Ends in an emoji, one character outside the Basic Multilingual Plane (two in UTF-16).
const EMOJI: &str = "Det var en øyeåpner! 💡";
const I1_QUOTE: &str = "Jeg må prioritere egne brukere først";

fn unit(study: &Study, source: &str, quote: &str) -> UnitRef {
    let t = study.transcript(&id(source)).unwrap();
    UnitRef::of(t, t.locate(&TextQuote::exact(quote)).unwrap())
}

fn offsets(u: &UnitRef, text: Option<&str>) -> Offsets {
    Offsets {
        source: u.source.clone(),
        start: u.span.start(),
        end: u.span.end(),
        text: text.map(str::to_owned),
    }
}

/// Every coding and journal entry of the store, to show that a refusal wrote nothing.
fn state(store: &Store) -> (usize, usize, usize) {
    let s = store.load_study(&sid()).unwrap();
    (
        s.codings().len(),
        s.units().len(),
        store.history(None, 1000).unwrap().len(),
    )
}

fn add_at(
    store: &mut Store,
    at: &Offsets,
    code: &str,
    qualifiers: &str,
) -> Result<samskap_store::StoredCoding, StoreError> {
    store.add_coding_at(
        &sid(),
        at,
        &id(code),
        &id::<Qualifiers>(qualifiers),
        &id("R"),
        None,
    )
}

#[test]
fn a_coding_at_offsets_codes_the_words_there_counted_in_characters() {
    let (mut store, study) = store();
    let u = unit(&study, "I2", EMOJI);
    let before = state(&store);
    let stored = store
        .add_coding_at(
            &sid(),
            &offsets(&u, None),
            &id("participation/youth-voice"),
            &id("polarity=opportunity"),
            &id("R"),
            Some("a note"),
        )
        .unwrap();
    assert_eq!(stored.text, EMOJI);
    assert_eq!((stored.start, stored.end), (u.span.start(), u.span.end()));
    assert_eq!(stored.framework.as_str(), "mini-samarbeid");
    assert_eq!(stored.version, 1);
    assert_eq!(stored.memo.as_deref(), Some("a note"));
    // The unit was there already (coder B's): the coding joins it.
    let after = store.load_study(&sid()).unwrap();
    assert_eq!(after.units().len(), before.1);
    let c = after
        .codings()
        .iter()
        .find(|c| c.coder.as_str() == "R")
        .unwrap();
    assert_eq!(after.unit_text(c.unit), EMOJI);
    assert_eq!(c.memo.as_deref(), Some("a note"));
    let entry = &store.history(Some(&sid()), 1).unwrap()[0];
    assert_eq!(
        entry.summary,
        format!(
            "coded I2 {}..{} as participation/youth-voice (polarity=opportunity) by R",
            u.span.start(),
            u.span.end()
        )
    );

    // A new unit, and the text as the caller saw it, in another normal form (NFD): the same
    // words.
    let u = unit(&study, "I1", I1_QUOTE);
    let decomposed = I1_QUOTE.replace('å', "a\u{30a}");
    let stored = add_at(
        &mut store,
        &offsets(&u, Some(&decomposed)),
        "collaboration/time",
        "polarity=barrier",
    )
    .unwrap();
    assert_eq!(stored.text, I1_QUOTE);
    let (codings, units, entries) = state(&store);
    assert_eq!(
        (codings, units, entries),
        (before.0 + 2, before.1 + 1, before.2 + 2)
    );
}

/// The model's refusal inside a store error.
fn model(e: &StoreError) -> (&ModelError, bool) {
    match e {
        StoreError::Refused {
            reason: Refusal::Model(m),
            conflict,
        } => (m, *conflict),
        e => panic!("not a refusal of the model: {e:?}"),
    }
}

#[test]
fn offsets_are_refused_in_the_callers_terms_and_nothing_is_written() {
    let (mut store, study) = store();
    let u = unit(&study, "I1", I1_QUOTE);
    let len = study.transcript(&id("I1")).unwrap().char_len();
    let at = offsets(&u, None);
    add_at(&mut store, &at, "collaboration/time", "polarity=barrier").unwrap();
    let before = state(&store);

    let e = add_at(
        &mut store,
        &Offsets {
            source: id("I9"),
            ..at.clone()
        },
        "collaboration/time",
        "polarity=barrier",
    )
    .unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::UnknownSource(s), false) if s.as_str() == "I9"),
        "{e}"
    );
    for (start, end) in [(len - 2, len + 1), (5, 5), (7, 3)] {
        let e = add_at(
            &mut store,
            &Offsets {
                start,
                end,
                ..at.clone()
            },
            "collaboration/time",
            "polarity=barrier",
        )
        .unwrap_err();
        assert!(
            matches!(model(&e), (ModelError::SpanOutside { len: l, .. }, false) if *l == len),
            "{e}"
        );
    }
    let e = add_at(&mut store, &at, "collaboration/nope", "polarity=barrier").unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::UnknownCode { .. }, false)),
        "{e}"
    );
    assert!(e.to_string().contains("collaboration/nope"), "{e}");
    let e = add_at(&mut store, &at, "collaboration/time", "polarity=grey").unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::QualifierValue { .. }, false)),
        "{e}"
    );
    let e = add_at(&mut store, &at, "collaboration/time", "").unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::QualifierMissing { .. }, false)),
        "{e}"
    );
    let e = add_at(
        &mut store,
        &at,
        "collaboration/time",
        "polarity=barrier;level=group",
    )
    .unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::QualifierNotDeclared { .. }, false)),
        "{e}"
    );
    // The same coding again: a conflict with what is stored, named as the model names it.
    let e = add_at(&mut store, &at, "collaboration/time", "polarity=barrier").unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::DuplicateCoding { .. }, true)),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "coder `R` already coded this unit as `collaboration/time` (polarity=barrier)"
    );
    // Words the caller saw that are not there (now).
    let e = add_at(
        &mut store,
        &offsets(&u, Some("Jeg må prioritere andre først")),
        "collaboration/meeting-place",
        "polarity=barrier",
    )
    .unwrap_err();
    assert!(
        matches!(&e, StoreError::Conflict(m) if m.contains("not the text given")),
        "{e}"
    );
    let e = store
        .add_coding_at(
            &id("no-such-study"),
            &at,
            &id("collaboration/time"),
            &id("polarity=barrier"),
            &id("R"),
            None,
        )
        .unwrap_err();
    assert!(
        matches!(e, StoreError::NotFound { what: "study", .. }),
        "{e}"
    );
    assert_eq!(state(&store), before);
}

#[test]
fn the_checks_read_the_framework_as_it_is_now() {
    let (mut store, study) = store();
    let at = offsets(&unit(&study, "I1", I1_QUOTE), None);
    store
        .edit_codebook(
            &sid(),
            &Edit::Rename {
                from: id("collaboration/time"),
                to: id("collaboration/priorities"),
            },
            &[],
            &Change {
                by: "kari".into(),
                at: "2025-01-01T00:00:00Z".into(),
                note: None,
            },
        )
        .unwrap();
    let e = add_at(&mut store, &at, "collaboration/time", "polarity=barrier").unwrap_err();
    assert!(
        matches!(model(&e), (ModelError::UnknownCode { .. }, false)),
        "{e}"
    );
    let stored = add_at(
        &mut store,
        &at,
        "collaboration/priorities",
        "polarity=barrier",
    )
    .unwrap();
    assert_eq!(stored.version, 2, "made under the codebook's version now");
}

fn new_coding(u: &UnitRef, code: &str, coder: &str) -> NewCoding {
    NewCoding {
        unit: u.clone(),
        code: id(code),
        qualifiers: id("polarity=barrier"),
        coder: id(coder),
        memo: None,
    }
}

#[test]
fn add_codings_keeps_its_refusals_and_checks_every_coding_before_any_is_kept() {
    let (mut store, study) = store();
    let u = unit(&study, "I1", I1_QUOTE);
    let good = new_coding(&u, "collaboration/time", "R");
    let before = state(&store);
    // A good coding first does not stay when a later one is refused.
    for (bad, why) in [
        (new_coding(&u, "collaboration/nope", "R"), "unknown code"),
        (
            NewCoding {
                qualifiers: id("polarity=grey"),
                ..good.clone()
            },
            "grey",
        ),
        (good.clone(), "already coded this unit"),
    ] {
        let e = store
            .add_codings(&sid(), &[good.clone(), bad], OnDuplicate::Refuse)
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
        assert!(e.to_string().contains(why), "{e}");
        assert_eq!(state(&store), before);
    }
    // Text that changed, and a span past the end of the text: the caller's reading is stale.
    for stale in [
        UnitRef {
            text: "something else".into(),
            ..u.clone()
        },
        UnitRef {
            span: samskap_core::Span::new(u.span.start(), 100_000, usize::MAX).unwrap(),
            ..u.clone()
        },
    ] {
        let e = store
            .add_codings(
                &sid(),
                &[new_coding(&stale, "collaboration/time", "R")],
                OnDuplicate::Refuse,
            )
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Conflict(m) if m.contains("changed after it was read")),
            "{e}"
        );
    }
    assert_eq!(state(&store), before);

    // Skipped duplicates are counted, those in the same call too; several codings of one
    // source (its text read once) and of another (its words cut out by SQL) all go in.
    let other = unit(&study, "I2", EMOJI);
    let added = store
        .add_codings(
            &sid(),
            &[
                good.clone(),
                good.clone(),
                new_coding(&u, "collaboration/anchoring", "R"),
                new_coding(&other, "collaboration/anchoring", "R"),
            ],
            OnDuplicate::Skip,
        )
        .unwrap();
    assert_eq!((added.added, added.skipped), (3, 1));
    let added = store
        .add_codings(&sid(), std::slice::from_ref(&good), OnDuplicate::Skip)
        .unwrap();
    assert_eq!((added.added, added.skipped), (0, 1));
    let s = store.load_study(&sid()).unwrap();
    let mut mine: Vec<(String, &str)> = s
        .codings()
        .iter()
        .filter(|c| c.coder.as_str() == "R")
        .map(|c| (s.unit_text(c.unit).to_owned(), c.code.as_str()))
        .collect();
    mine.sort();
    assert_eq!(
        mine,
        [
            (EMOJI.to_owned(), "collaboration/anchoring"),
            (I1_QUOTE.to_owned(), "collaboration/anchoring"),
            (I1_QUOTE.to_owned(), "collaboration/time"),
        ]
    );
    // One entry for the call that added, none for the one that only skipped.
    assert_eq!(state(&store).2, before.2 + 1);
}

#[test]
fn a_coding_is_removed_at_offsets() {
    let (mut store, study) = store();
    let u = unit(&study, "I1", I1_QUOTE);
    let before = state(&store);
    add_at(
        &mut store,
        &offsets(&u, None),
        "collaboration/time",
        "polarity=barrier",
    )
    .unwrap();
    let remove = |store: &mut Store, at: &Offsets| {
        store.remove_coding_at(
            &sid(),
            at,
            &id("collaboration/time"),
            &id("polarity=barrier"),
            &id("R"),
        )
    };
    let e = remove(&mut store, &offsets(&u, Some("other words"))).unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    let removed = remove(&mut store, &offsets(&u, Some(I1_QUOTE))).unwrap();
    assert_eq!(removed.text, I1_QUOTE);
    assert_eq!(removed.code.as_str(), "collaboration/time");
    // The unit, coded by no one else, went with it; the journal has both.
    assert_eq!(state(&store), (before.0, before.1, before.2 + 2));
    let e = remove(&mut store, &offsets(&u, None)).unwrap_err();
    assert!(
        matches!(e, StoreError::NotFound { what: "coding", .. }),
        "{e}"
    );
    // An undo of the removal puts it back.
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store).0, before.0 + 1);
}
