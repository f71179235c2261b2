//! The journal of edits: every change is an entry written with it (a refused change leaves
//! none), each kind that can be undone is undone exactly, an undo is refused while a later
//! entry depends on the entry, and a withdrawal leaves no word of the informant's in it.

use std::path::{Path, PathBuf};

use samskap_core::codebook::Edit;
use samskap_core::{
    ActiveConsent, CodeId, CoderId, Consent, Memo, Qualifiers, Span, Study, StudyId, TextQuote,
};
use samskap_store::{
    Actor, Change, EditKind, JournalEntry, NewCoding, OnDuplicate, Pick, Replace, Store,
    StoreError, UnitRef, Via,
};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo")
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn sid() -> StudyId {
    id("ung-inkludering-demo")
}

/// The demo study in a store of its own, written through by `kari` on the command line.
fn store_at(path: Option<&Path>) -> (Store, Study) {
    let study = samskap_bundle::read(&fixture()).unwrap();
    let mut store = match path {
        Some(p) => Store::open(p).unwrap(),
        None => Store::open_in_memory().unwrap(),
    };
    store.act_as(Actor::new("kari", Via::Cli).unwrap());
    store.import_study(&study, Replace::No).unwrap();
    (store, study)
}

fn store() -> (Store, Study) {
    store_at(None)
}

/// The unit of `source` whose text is `quote`.
fn unit(study: &Study, source: &str, quote: &str) -> UnitRef {
    let t = study.transcript(&id(source)).unwrap();
    let span = t.locate(&TextQuote::exact(quote)).unwrap();
    UnitRef::of(t, span)
}

const I1_QUOTE: &str = "Du har jo ulike tradisjoner.";

fn coding(study: &Study, coder: &str, memo: Option<&str>) -> NewCoding {
    NewCoding {
        unit: unit(study, "I1", I1_QUOTE),
        code: id("culture/holistic-approach"),
        qualifiers: id("polarity=barrier"),
        coder: id(coder),
        memo: memo.map(str::to_owned),
    }
}

/// A memo by A.
fn memo(code: Option<&str>, text: &str) -> Memo {
    Memo {
        code: code.map(id),
        author: id("A"),
        text: text.into(),
    }
}

fn change() -> Change {
    Change {
        by: "kari".into(),
        at: "2025-01-01T00:00:00Z".into(),
        note: None,
    }
}

fn newest(store: &Store) -> JournalEntry {
    store.history(Some(&sid()), 1).unwrap().remove(0)
}

/// The study as JSON text, for comparing before and after (a hash on failure keeps the
/// message short).
fn state(store: &Store) -> State {
    State(serde_json::to_string(&store.load_study(&sid()).unwrap()).unwrap())
}

#[derive(PartialEq)]
struct State(String);

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        write!(f, "study of {} bytes, hash {:x}", self.0.len(), h.finish())
    }
}

fn memos(store: &Store) -> Vec<(i64, Option<String>, String)> {
    store
        .memos(&sid(), None)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.code.map(|c| c.to_string()), m.text))
        .collect()
}

#[test]
fn every_edit_is_an_entry_with_who_when_and_what() {
    let before = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let (mut store, study) = store();
    let import = newest(&store);
    assert_eq!(import.kind, EditKind::StudyImport);
    assert_eq!(
        import.summary,
        "imported study ung-inkludering-demo: 6 informants, 6 sources, 56 meaning units, 110 codings, 11 memos"
    );
    assert!(!import.undoable, "an import is not undone");

    store
        .add_codings(&sid(), &[coding(&study, "C", None)], OnDuplicate::Refuse)
        .unwrap();
    let e = newest(&store);
    assert_eq!(e.kind, EditKind::CodingAdd);
    assert_eq!(
        e.summary,
        "coded I1 0..28 as culture/holistic-approach (polarity=barrier) by C"
    );
    assert_eq!((e.who.as_str(), e.via), ("kari", Via::Cli));
    assert!(
        e.at >= before
            && e.at <= chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()),
        "{}",
        e.at
    );
    assert!(e.undoable && e.undone_by.is_none());

    let memo = store
        .add_memo(&sid(), &memo(Some("structure/infrastructure"), "Et notat"))
        .unwrap();
    assert_eq!(
        newest(&store).summary,
        format!("added memo {memo} on structure/infrastructure by A")
    );
    store
        .set_consent(&sid(), &id("I2"), ActiveConsent::Pending)
        .unwrap();
    assert_eq!(
        newest(&store).summary,
        "set the consent of informant I2 from given to pending"
    );

    // Newest first, and the limit counts from the newest.
    let kinds: Vec<EditKind> = store
        .history(Some(&sid()), 10)
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EditKind::Consent,
            EditKind::MemoAdd,
            EditKind::CodingAdd,
            EditKind::StudyImport
        ]
    );
    assert_eq!(store.history(Some(&sid()), 2).unwrap().len(), 2);
    let ids: Vec<i64> = store
        .history(None, 10)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    // A change that changes nothing (the same consent again) is no entry.
    store
        .set_consent(&sid(), &id("I2"), ActiveConsent::Pending)
        .unwrap();
    assert_eq!(store.history(Some(&sid()), 10).unwrap().len(), 4);
}

#[test]
fn a_refused_change_leaves_no_entry() {
    let (mut store, study) = store();
    let count = |s: &Store| s.history(None, 100).unwrap().len();
    let dup = coding(&study, "A", None);
    store
        .add_codings(&sid(), std::slice::from_ref(&dup), OnDuplicate::Refuse)
        .unwrap();
    let before = count(&store);
    assert!(store
        .add_codings(&sid(), std::slice::from_ref(&dup), OnDuplicate::Refuse)
        .is_err());
    assert!(store
        .remove_coding(
            &sid(),
            &dup.unit,
            &id("culture/belief-in-change"),
            &Qualifiers::default(),
            &id("A")
        )
        .is_err());
    assert!(matches!(
        store.edit_memo(&sid(), 9999, "x"),
        Err(StoreError::NotFound { what: "memo", .. })
    ));
    assert!(store
        .set_consent(&sid(), &id("I99"), ActiveConsent::Given)
        .is_err());
    assert!(store
        .edit_codebook(
            &sid(),
            &Edit::Rename {
                from: id("culture"),
                to: id("structure")
            },
            &[],
            &change()
        )
        .is_err());
    assert_eq!(count(&store), before);
}

#[test]
fn each_kind_of_coding_edit_is_undone_exactly() {
    let (mut store, study) = store();
    let start = state(&store);

    // A coding added: gone again with its unit.
    store
        .add_codings(
            &sid(),
            &[coding(&study, "C", Some("mitt notat"))],
            OnDuplicate::Refuse,
        )
        .unwrap();
    assert_ne!(state(&store), start);
    let undone = store.undo(&sid(), None).unwrap();
    assert_eq!(undone.reverted.kind, EditKind::CodingAdd);
    assert_eq!(state(&store), start);

    // A coding removed (one with a memo, on a unit of its own): back as it was.
    let mine = coding(&study, "C", Some("mitt notat"));
    store
        .add_codings(&sid(), std::slice::from_ref(&mine), OnDuplicate::Refuse)
        .unwrap();
    let added = state(&store);
    store
        .remove_coding(
            &sid(),
            &mine.unit,
            &mine.code,
            &mine.qualifiers,
            &mine.coder,
        )
        .unwrap();
    assert_eq!(state(&store), start);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), added);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);

    // A coding removed from among others (with an exemplar mark): back in its place.
    let i3: UnitRef = unit(
        &study,
        "I3",
        "Da er prosjektperioden for kort, rett og slett.",
    );
    let code: CodeId = id("resources/time-people-money");
    store.set_exemplar(&sid(), &i3, &code, true).unwrap();
    let marked = state(&store);
    store
        .remove_coding(&sid(), &i3, &code, &id("polarity=barrier"), &id("A"))
        .unwrap();
    assert_ne!(state(&store), marked);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), marked);
    // The exemplar mark, then.
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);

    // A reconcile: its consensus codings go.
    let consensus = NewCoding {
        coder: id("consensus"),
        ..coding(&study, "A", None)
    };
    let added = store
        .reconcile_codings(&sid(), &[consensus], &[id("A"), id("B")])
        .unwrap();
    assert_eq!(added.added, 1);
    assert_eq!(newest(&store).kind, EditKind::Reconcile);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);
}

#[test]
fn memos_and_consent_are_undone_exactly() {
    let (mut store, _) = store();
    let start = (state(&store), memos(&store));
    let id7 = store.add_memo(&sid(), &memo(None, "Om studien")).unwrap();
    store.edit_memo(&sid(), id7, "Om studien, igjen").unwrap();
    let first = memos(&store)[0].0;
    let removed = store.remove_memo(&sid(), first).unwrap();
    assert_eq!(removed.id, first);
    store
        .set_consent(&sid(), &id("I1"), ActiveConsent::Pending)
        .unwrap();
    assert_eq!(store.consent(&sid(), &id("I1")).unwrap(), Consent::Pending);

    store.undo(&sid(), None).unwrap();
    assert_eq!(store.consent(&sid(), &id("I1")).unwrap(), Consent::Given);
    store.undo(&sid(), None).unwrap();
    // Back with its id, first again.
    assert_eq!(memos(&store)[0].0, first);
    assert_eq!(memos(&store)[0].2, removed.text);
    store.undo(&sid(), None).unwrap();
    assert_eq!(memos(&store).last().unwrap().2, "Om studien");
    store.undo(&sid(), None).unwrap();
    assert_eq!((state(&store), memos(&store)), start);

    // Only the import is left, and it cannot be undone.
    let e = store.undo(&sid(), None).unwrap_err();
    assert!(matches!(e, StoreError::NothingToUndo(_)), "{e}");
    assert!(
        e.to_string()
            .contains("nothing to undo in study `ung-inkludering-demo`"),
        "{e}"
    );
}

#[test]
fn renames_moves_and_splits_are_undone_exactly() {
    let (mut store, study) = store();
    let start = state(&store);
    let fw = study.framework().id().clone();
    let versions = store.framework_version(&fw).unwrap();

    // A move of a middle sibling (with its codings): back in its place among its siblings.
    store
        .edit_codebook(
            &sid(),
            &Edit::Rename {
                from: id("culture/own-organisation-anchoring"),
                to: id("structure/own-organisation-anchoring"),
            },
            &[],
            &change(),
        )
        .unwrap();
    assert_ne!(state(&store), start);
    let undone = store.undo(&sid(), None).unwrap();
    assert!(undone.reverted.summary.starts_with(
        "move culture/own-organisation-anchoring → structure/own-organisation-anchoring"
    ));
    assert_eq!(state(&store), start);
    // Each undo of a codebook edit is a version of its own, saying so.
    let log = store.framework_log(&fw).unwrap();
    assert_eq!(log.len() as u32, versions + 2);
    assert_eq!(
        log.last().unwrap().note.as_deref(),
        Some(format!("undo of journal entry #{}", undone.reverted.id).as_str())
    );

    store
        .edit_codebook(
            &sid(),
            &Edit::Rename {
                from: id("culture"),
                to: id("kultur"),
            },
            &[],
            &change(),
        )
        .unwrap();
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);

    let t = study.transcript(&id("I1")).unwrap();
    let span = t
        .locate(&TextQuote::exact(
            "Du har jo ulike tradisjoner. Ulike kulturer i de ulike tjenesteområdene",
        ))
        .unwrap();
    let whole = study
        .units()
        .iter()
        .find(|u| u.source.as_str() == "I1" && u.span.start() == span.start())
        .unwrap()
        .span;
    store
        .edit_codebook(
            &sid(),
            &Edit::Split {
                from: id("culture/holistic-approach"),
                into: id("culture/holistic-b"),
            },
            &[Pick {
                source: id("I1"),
                start: whole.start(),
                end: whole.end(),
                coder: None,
            }],
            &change(),
        )
        .unwrap();
    assert_ne!(state(&store), start);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);

    // A merge is recorded, and cannot be undone.
    store
        .edit_codebook(
            &sid(),
            &Edit::Merge {
                from: vec![id("culture/belief-in-change")],
                into: id("culture/holistic-approach"),
            },
            &[],
            &change(),
        )
        .unwrap();
    let merge = newest(&store);
    assert!(!merge.undoable);
    let e = store.undo(&sid(), Some(merge.id)).unwrap_err();
    assert!(e.to_string().contains("a merge or a delete cannot"), "{e}");
}

#[test]
fn an_undo_is_refused_while_a_later_entry_depends_on_it() {
    let (mut store, study) = store();
    store
        .add_codings(&sid(), &[coding(&study, "C", None)], OnDuplicate::Refuse)
        .unwrap();
    let added = newest(&store);
    let consensus = NewCoding {
        coder: id("consensus"),
        ..coding(&study, "C", None)
    };
    store
        .reconcile_codings(&sid(), &[consensus], &[id("A"), id("C")])
        .unwrap();
    let reconciled = newest(&store);

    // The consensus was drawn from C's coding: that cannot go first.
    let e = store.undo(&sid(), Some(added.id)).unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    let m = e.to_string();
    assert!(
        m.contains(&format!("entry #{} (coding.reconcile", reconciled.id)),
        "{m}"
    );
    assert!(m.contains("by kari at"), "{m}");
    assert!(
        m.contains(&format!("`samskap undo {}`", reconciled.id)),
        "{m}"
    );

    // A memo on another code, a consent: independent of the coding.
    store
        .add_memo(&sid(), &memo(Some("structure/infrastructure"), "Et notat"))
        .unwrap();
    store
        .set_consent(&sid(), &id("I2"), ActiveConsent::Pending)
        .unwrap();
    // In the order asked: the reconcile, then the coding, with the others left standing.
    let undone = store.undo(&sid(), Some(reconciled.id)).unwrap();
    assert_eq!(undone.entry.undoes, Some(reconciled.id));
    assert_eq!(undone.reverted.undone_by, Some(undone.entry.id));
    assert_eq!(undone.entry.kind, EditKind::Undo);
    assert!(undone.entry.summary.starts_with(&format!(
        "undid #{}: recorded 1 consensus coding",
        reconciled.id
    )));
    store.undo(&sid(), Some(added.id)).unwrap();
    assert_eq!(store.consent(&sid(), &id("I2")).unwrap(), Consent::Pending);
    // Undone once is undone: not again.
    let e = store.undo(&sid(), Some(added.id)).unwrap_err();
    assert!(e.to_string().contains("was undone already"), "{e}");

    // A rename of the code a later coding uses cannot be undone under it.
    store
        .edit_codebook(
            &sid(),
            &Edit::Rename {
                from: id("culture/holistic-approach"),
                to: id("culture/holistic"),
            },
            &[],
            &change(),
        )
        .unwrap();
    let rename = newest(&store);
    let renamed = NewCoding {
        code: id("culture/holistic"),
        ..coding(&study, "D", None)
    };
    store
        .add_codings(&sid(), &[renamed], OnDuplicate::Refuse)
        .unwrap();
    let e = store.undo(&sid(), Some(rename.id)).unwrap_err();
    assert!(e.to_string().contains("(coding.add: coded I1"), "{e}");
}

#[test]
fn a_withdrawal_is_final_and_leaves_no_word_of_theirs_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (mut store, study) = store_at(Some(&path));
    let i3 = study.transcript(&id("I3")).unwrap();
    // Words of I3's, quoted in memos and a coding's memo.
    let said = "ingen kommuner som har på plass det tverrfaglige som må til for at vi skal hindre";
    assert!(i3.text().contains(said));
    let quoting = format!("Se I3: «{said}»");
    let m1 = store.add_memo(&sid(), &memo(None, &quoting)).unwrap();
    let m2 = store.add_memo(&sid(), &memo(None, &quoting)).unwrap();
    // Edited away from the quote, and removed: the journal held the quote for an undo.
    store.edit_memo(&sid(), m1, "Omskrevet").unwrap();
    store.remove_memo(&sid(), m2).unwrap();
    store
        .add_codings(
            &sid(),
            &[coding(&study, "C", Some(&quoting))],
            OnDuplicate::Refuse,
        )
        .unwrap();
    store.checkpoint().unwrap();
    let journal_holds = |store: &Store| {
        store
            .history(None, 1000)
            .unwrap()
            .iter()
            .any(|e| serde_json::to_string(e).unwrap().contains(said))
    };
    assert!(!journal_holds(&store), "a summary never holds a text");
    // The payloads hold the quote (for an undo), where the check below must not find it.
    let in_payloads = || -> i64 {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM journal WHERE instr(payload, ?1) > 0",
                [said],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(
        in_payloads() > 0,
        "the payloads of the memo edits hold the quote"
    );

    let outcome = store.withdraw(&sid(), &id("I3")).unwrap();
    assert!(outcome.wal_cleared);
    let w = newest(&store);
    assert_eq!(w.kind, EditKind::Withdraw);
    assert!(
        w.summary
            .starts_with("withdrew informant I3: removed 1 sources whole"),
        "{}",
        w.summary
    );
    assert!(!w.undoable);
    assert!(!journal_holds(&store));
    assert_eq!(in_payloads(), 0, "a payload still quotes I3");
    drop(store);
    assert!(
        !on_disk(&path, said),
        "a word of I3's is still in the store's files"
    );

    let mut store = Store::open(&path).unwrap();
    // Nothing before the withdrawal can be undone now; the withdrawal itself never.
    assert!(store
        .history(Some(&sid()), 100)
        .unwrap()
        .iter()
        .all(|e| !e.undoable));
    let e = store.undo(&sid(), Some(w.id)).unwrap_err();
    assert!(e.to_string().contains("a withdrawal deletes"), "{e}");
    let e = store.undo(&sid(), None).unwrap_err();
    assert!(matches!(e, StoreError::NothingToUndo(_)), "{e}");
    // Consent of a withdrawn informant cannot be set again.
    let e = store
        .set_consent(&sid(), &id("I3"), ActiveConsent::Given)
        .unwrap_err();
    assert!(e.to_string().contains("has withdrawn"), "{e}");
}

/// True when `needle` occurs in the bytes of the database file or its WAL.
fn on_disk(path: &Path, needle: &str) -> bool {
    [
        path.to_owned(),
        PathBuf::from(format!("{}-wal", path.display())),
    ]
    .iter()
    .any(|f| {
        std::fs::read(f).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    })
}

#[test]
fn store_wide_changes_are_entries_of_no_study() {
    let (mut store, _) = store();
    store
        .create_token("fasilitator", samskap_store::TokenRole::Admin, &[])
        .unwrap();
    store.revoke_token("fasilitator").unwrap();
    let h = store.history(Some(&sid()), 2).unwrap();
    assert_eq!(
        h.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EditKind::TokenRevoke, EditKind::TokenCreate]
    );
    assert!(h.iter().all(|e| e.study.is_none()));
    assert_eq!(h[1].summary, "made the admin token `fasilitator`");
    let e = store.undo(&sid(), Some(h[0].id)).unwrap_err();
    assert!(
        e.to_string().contains("changed the store as a whole"),
        "{e}"
    );
}

#[test]
fn a_split_of_some_codings_is_undone_with_them() {
    // Guards the unit test above against a pick that happens to take every coding.
    let (mut store, study) = store();
    let coder: CoderId = id("A");
    let n = |store: &Store, code: &str| {
        store
            .load_study(&sid())
            .unwrap()
            .codings()
            .iter()
            .filter(|c| c.code.as_str() == code && c.coder == coder)
            .count()
    };
    let before = n(&store, "culture/holistic-approach");
    assert!(before > 1);
    let span: Span = unit(
        &study,
        "I5",
        "De har hatt en veldig lukka kultur, og de jobber med stengte dører og nedtrukne gardiner, for å si det sånn.",
    )
    .span;
    store
        .edit_codebook(
            &sid(),
            &Edit::Split {
                from: id("culture/holistic-approach"),
                into: id("culture/closed"),
            },
            &[Pick {
                source: id("I5"),
                start: span.start(),
                end: span.end(),
                coder: Some(coder.clone()),
            }],
            &change(),
        )
        .unwrap();
    assert_eq!(n(&store, "culture/holistic-approach"), before - 1);
    store.undo(&sid(), None).unwrap();
    assert_eq!(n(&store, "culture/holistic-approach"), before);
    assert_eq!(n(&store, "culture/closed"), 0);
}

#[test]
fn a_coding_moved_keeps_its_memo_and_each_half_is_undone() {
    let (mut store, study) = store();
    let start = state(&store);
    let mine = coding(&study, "C", Some("mitt notat"));
    store
        .add_codings(&sid(), std::slice::from_ref(&mine), OnDuplicate::Refuse)
        .unwrap();
    let added = state(&store);
    let from = samskap_store::CodingRef {
        unit: mine.unit.clone(),
        code: mine.code.clone(),
        qualifiers: mine.qualifiers.clone(),
        coder: mine.coder.clone(),
    };
    // To the same code and place: nothing to move, nothing written.
    let same = store
        .move_coding(&sid(), &from, &mine.unit, &mine.code, &mine.qualifiers)
        .unwrap_err();
    assert!(same.to_string().contains("nothing to move"), "{same}");
    // To another code, and a shorter unit of the same words.
    let to = unit(&study, "I1", "Du har jo ulike tradisjoner");
    let code: CodeId = id("structure/local-anchoring");
    let values: Qualifiers = id("polarity=opportunity");
    store
        .move_coding(&sid(), &from, &to, &code, &values)
        .unwrap();
    let moved = store
        .coded_source(&sid(), &id("I1"))
        .unwrap()
        .codings
        .into_iter()
        .filter(|c| c.coder.as_str() == "C")
        .collect::<Vec<_>>();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].span, to.span);
    assert_eq!(moved[0].code, code);
    assert_eq!(moved[0].qualifiers, values);
    assert_eq!(moved[0].memo.as_deref(), Some("mitt notat"));
    let kinds: Vec<EditKind> = store
        .history(Some(&sid()), 2)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EditKind::CodingAdd, EditKind::CodingRemove]);
    // Moving the old one again: it is not there; nothing changes.
    let before = state(&store);
    let gone = store
        .move_coding(&sid(), &from, &to, &code, &values)
        .unwrap_err();
    assert!(matches!(gone, StoreError::NotFound { .. }), "{gone}");
    assert_eq!(state(&store), before);
    // Undone half by half: the new one goes, then the old one is back as it was.
    store.undo(&sid(), None).unwrap();
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), added);
    store.undo(&sid(), None).unwrap();
    assert_eq!(state(&store), start);
    // Onto a coding there already: refused, the old one left where it was.
    let there = NewCoding {
        unit: to.clone(),
        code: code.clone(),
        qualifiers: values.clone(),
        coder: mine.coder.clone(),
        memo: None,
    };
    store
        .add_codings(&sid(), &[mine.clone(), there], OnDuplicate::Refuse)
        .unwrap();
    let both = state(&store);
    let taken = store
        .move_coding(&sid(), &from, &to, &code, &values)
        .unwrap_err();
    assert!(taken.to_string().contains("already"), "{taken}");
    assert_eq!(state(&store), both);
}
