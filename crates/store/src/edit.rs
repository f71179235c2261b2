//! Small edits to a stored study: codings added or removed, memos added, frameworks imported.
//! Each call is one transaction, and every check that decides it runs inside that
//! transaction, against the study as it is then: another process that replaces a transcript
//! or withdraws an informant meanwhile cannot slip between the check and the write.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::{
    CodeId, CoderId, Framework, FrameworkId, Memo, ModelError, Qualifier, QualifierId, Qualifiers,
    SourceId, Span, StudyId, Transcript, ValueId,
};

use crate::journal::{self, EditKind, Note, Touch, Undo};
use crate::{read, Store, StoreError};

/// A meaning unit as the caller saw it: where it lies, and the text it covered when the
/// caller read the source. A write is refused if the stored text has other text
/// there by the time it runs (it was replaced meanwhile), rather than coding the wrong words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    /// The source.
    pub source: SourceId,
    /// Where in its text.
    pub span: Span,
    /// The text at `span` when the caller read it.
    pub text: String,
}

impl UnitRef {
    /// The unit at `span` of a source's text the caller holds.
    pub fn of(transcript: &samskap_core::Transcript, span: Span) -> Self {
        Self {
            source: transcript.source().clone(),
            span,
            text: transcript.slice(span).to_owned(),
        }
    }

    /// Checks the unit against the source's text as stored now: `stored` is its length and
    /// the words at the unit's span (none when the span lies outside), or `None` when the
    /// source is not there.
    fn check(&self, stored: Option<(usize, Option<&str>)>) -> Result<(), StoreError> {
        let Some((len, words)) = stored else {
            return Err(StoreError::Conflict(format!(
                "source `{}` is not there any more (withdrawn or removed meanwhile); nothing was written",
                self.source
            )));
        };
        let same = self.span.end() <= len && words == Some(self.text.as_str());
        if same {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "the transcript of `{}` changed after it was read (offsets {}..{} no longer hold the quoted text); nothing was written: run the command again",
                self.source,
                self.span.start(),
                self.span.end()
            )))
        }
    }
}

/// Where a coding is, as a caller that names character offsets gives it (the API): the
/// source and the offsets, and the text the caller saw there when it read the source. Unlike
/// a [`UnitRef`], the caller need not have read the text: without `text`, the coding is of
/// whatever words the span holds when the write runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offsets {
    /// The source.
    pub source: SourceId,
    /// The first character's offset in the source's text (characters, as [`Span`] counts).
    pub start: usize,
    /// One past the last character's.
    pub end: usize,
    /// The words the caller saw at the span, if it read them; compared with the stored words
    /// after the one normalisation of text ([`samskap_core::normalize`]).
    pub text: Option<String>,
}

/// A coding as the store holds it, with the words of its unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredCoding {
    /// The source.
    pub source: SourceId,
    /// Where its unit starts, in characters.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// The unit's words.
    pub text: String,
    /// The framework of the code.
    pub framework: FrameworkId,
    /// The code.
    pub code: CodeId,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// The coder.
    pub coder: CoderId,
    /// The note on it.
    pub memo: Option<String>,
    /// The version of the codebook it was made under.
    pub version: u32,
}

/// Where a coding of a write is, as its caller named it.
#[derive(Clone, Copy)]
pub(crate) enum Place<'a> {
    /// A unit the caller read: any change to its words since is a conflict.
    Seen(&'a UnitRef),
    /// Offsets, checked against the text as stored now.
    At(&'a Offsets),
}

impl<'a> Place<'a> {
    fn source(self) -> &'a SourceId {
        match self {
            Place::Seen(u) => &u.source,
            Place::At(o) => &o.source,
        }
    }

    fn offsets(self) -> (usize, usize) {
        match self {
            Place::Seen(u) => (u.span.start(), u.span.end()),
            Place::At(o) => (o.start, o.end),
        }
    }
}

/// One coding of a write, borrowed from the caller's.
struct Item<'a> {
    place: Place<'a>,
    code: &'a CodeId,
    qualifiers: &'a Qualifiers,
    coder: &'a CoderId,
    memo: Option<&'a str>,
}

impl<'a> Item<'a> {
    fn of(c: &'a NewCoding) -> Self {
        Self {
            place: Place::Seen(&c.unit),
            code: &c.code,
            qualifiers: &c.qualifiers,
            coder: &c.coder,
            memo: c.memo.as_deref(),
        }
    }
}

/// A coding to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCoding {
    /// The meaning unit.
    pub unit: UnitRef,
    /// The code.
    pub code: CodeId,
    /// The values of the qualifiers the framework declares for the code.
    pub qualifiers: Qualifiers,
    /// The coder.
    pub coder: CoderId,
    /// A note on the coding.
    pub memo: Option<String>,
}

/// A coding as its caller read it: its unit, code, values and coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodingRef {
    /// Its unit.
    pub unit: UnitRef,
    /// Its code.
    pub code: CodeId,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// Its coder.
    pub coder: CoderId,
}

/// What to do with a coding that is there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Refuse the whole call.
    Refuse,
    /// Skip it and go on (reconciliation may run again).
    Skip,
}

/// The result of adding codings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Added {
    /// Codings written.
    pub added: usize,
    /// Codings that were there already and were skipped.
    pub skipped: usize,
}

/// What a framework import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkImport {
    /// A new framework.
    Added,
    /// The same framework was there already.
    Unchanged,
    /// An existing framework was updated in place (labels, definitions, colours, memos, new
    /// or moved codes, removed unused codes, changed qualifiers that every coding still
    /// fits).
    Updated,
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

impl Store {
    /// Adds codings to a study in one transaction, after checking every one against the
    /// study as the transaction sees it (the transcript still holds the unit's text, the code
    /// is in the framework, the qualifier values are those it declares for the code). The
    /// journal records the codings added (none: no entry); undoing removes them.
    pub fn add_codings(
        &mut self,
        study: &StudyId,
        codings: &[NewCoding],
        on_duplicate: OnDuplicate,
    ) -> Result<Added, StoreError> {
        let items: Vec<Item<'_>> = codings.iter().map(Item::of).collect();
        self.insert_codings(study, &items, on_duplicate, None)
            .map(|w| w.added)
            .map_err(as_invalid)
    }

    /// Records consensus codings, as [`add_codings`](Self::add_codings) with
    /// [`OnDuplicate::Skip`] does, in the journal as a reconcile of `coders`' codings: a later
    /// undo of one of their codings is refused, since the consensus was drawn from it.
    pub fn reconcile_codings(
        &mut self,
        study: &StudyId,
        codings: &[NewCoding],
        coders: &[CoderId],
    ) -> Result<Added, StoreError> {
        let items: Vec<Item<'_>> = codings.iter().map(Item::of).collect();
        self.insert_codings(study, &items, OnDuplicate::Skip, Some(coders))
            .map(|w| w.added)
            .map_err(as_invalid)
    }

    /// Adds one coding at character offsets of a source (the API's way in), checked as
    /// [`add_codings`](Self::add_codings) checks, and gives it back as stored. A refusal of
    /// the model is [`StoreError::Refused`] with core's error, so that a front end can tell
    /// which value was at fault: an unknown source, a span outside its text, an unknown code
    /// or qualifier values the code does not take; the same coding there already is a
    /// conflict. Words at the span other than the `text` given are [`StoreError::Conflict`].
    ///
    /// An audit entry left by [`SharedStore::write_audited`](crate::SharedStore::write_audited)
    /// is written in the same transaction, after its token is found still live. A server
    /// calls [`SharedStore::add_coding_at`](crate::SharedStore::add_coding_at) instead, which
    /// commits the codings of concurrent requests together.
    pub fn add_coding_at(
        &mut self,
        study: &StudyId,
        at: &Offsets,
        code: &CodeId,
        qualifiers: &Qualifiers,
        coder: &CoderId,
        memo: Option<&str>,
    ) -> Result<StoredCoding, StoreError> {
        self.coding_write(|tx, actor| {
            add_at_in(tx, actor, study, at, code, qualifiers, coder, memo)
        })
    }

    /// The write of codings: each checked and written in turn, in one transaction that reads
    /// only what the checks need (the study's framework id and qualifiers, each code named
    /// once, each source's text or the words at a span), never the whole study. Refusals of
    /// the model are [`StoreError::Refused`]; the callers that have always answered them as
    /// [`StoreError::Invalid`] map them back.
    fn insert_codings(
        &mut self,
        study: &StudyId,
        items: &[Item<'_>],
        on_duplicate: OnDuplicate,
        reconciled: Option<&[CoderId]>,
    ) -> Result<Written, StoreError> {
        self.coding_write(|tx, actor| {
            write_codings(tx, study, items, on_duplicate, reconciled, actor)
        })
    }

    /// Runs `write` in one transaction of codings, and commits it with the audit entry left
    /// by [`SharedStore::write_audited`](crate::SharedStore::write_audited), if any, once its
    /// token is found still live.
    fn coding_write<T>(
        &mut self,
        write: impl FnOnce(&Connection, &journal::Actor) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let audit = self.audit.take();
        let actor = self.actor.clone();
        let tx = self.coding_tx()?;
        let done = write(&tx, &actor).and_then(|out| {
            if let Some(entry) = &audit {
                crate::tokens::require_live(&tx, &entry.token_name)?;
                crate::tokens::insert_audit(&tx, entry)?;
            }
            tx.commit().map_err(StoreError::db)?;
            Ok(out)
        });
        if done.is_err() {
            // Rolled back with the write: the caller logs the refusal itself.
            self.audit = audit;
        }
        done
    }

    /// A write transaction of codings and meaning units. A server's copies in memory are
    /// studies' records, which hold neither, so they stay as they are (unlike
    /// [`write_tx`](Self::write_tx)).
    fn coding_tx(&mut self) -> Result<Transaction<'_>, StoreError> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::db)
    }

    /// Removes one coding; a meaning unit left with no coding goes too. The journal keeps
    /// the coding (with its memo), so that an undo puts it back.
    pub fn remove_coding(
        &mut self,
        study: &StudyId,
        at: &UnitRef,
        code: &CodeId,
        qualifiers: &Qualifiers,
        coder: &CoderId,
    ) -> Result<(), StoreError> {
        self.coding_write(|tx, actor| {
            remove_in(tx, actor, study, Place::Seen(at), code, qualifiers, coder)
        })
        .map(drop)
        .map_err(as_invalid)
    }

    /// Removes one coding at character offsets of a source (the API's way in), as
    /// [`remove_coding`](Self::remove_coding) does, and gives it back as it was stored. The
    /// offsets and `text` are checked as [`add_coding_at`](Self::add_coding_at) checks them;
    /// no such coding is [`StoreError::NotFound`].
    pub fn remove_coding_at(
        &mut self,
        study: &StudyId,
        at: &Offsets,
        code: &CodeId,
        qualifiers: &Qualifiers,
        coder: &CoderId,
    ) -> Result<StoredCoding, StoreError> {
        self.coding_write(|tx, actor| {
            remove_in(tx, actor, study, Place::At(at), code, qualifiers, coder)
        })
    }

    /// Moves one coding to another code (with the values that code takes), another unit of
    /// its source, or both, in one transaction: removed as
    /// [`remove_coding`](Self::remove_coding) removes it, and added with its coder and memo as
    /// [`add_codings`](Self::add_codings) adds one (refused when that coding is there
    /// already). The journal has the two entries, each undone on its own; an exemplar mark
    /// does not move with it (a new coding is chosen as an exemplar afterwards, if at all).
    pub fn move_coding(
        &mut self,
        study: &StudyId,
        from: &CodingRef,
        to: &UnitRef,
        code: &CodeId,
        qualifiers: &Qualifiers,
    ) -> Result<(), StoreError> {
        if to == &from.unit && code == &from.code && qualifiers == &from.qualifiers {
            return Err(StoreError::Invalid(format!(
                "nothing to move: the coding of {} {}..{} is at that code and place already",
                to.source,
                to.span.start(),
                to.span.end()
            )));
        }
        self.coding_write(|tx, actor| {
            let old = remove_in(
                tx,
                actor,
                study,
                Place::Seen(&from.unit),
                &from.code,
                &from.qualifiers,
                &from.coder,
            )?;
            let item = Item {
                place: Place::Seen(to),
                code,
                qualifiers,
                coder: &from.coder,
                memo: old.memo.as_deref(),
            };
            let items = std::slice::from_ref(&item);
            write_codings(tx, study, items, OnDuplicate::Refuse, None, actor).map(drop)
        })
        .map_err(as_invalid)
    }

    /// Adds a memo to a study; a memo on a code needs the code in the study's framework.
    /// Returns its id, by which `memos` lists it and `edit_memo` and `remove_memo` find it.
    pub fn add_memo(&mut self, study: &StudyId, memo: &Memo) -> Result<i64, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let mut model = read::load_study_in(&tx, study)?;
        model.add_memo(memo.clone()).map_err(invalid)?;
        let fid = memo
            .code
            .as_ref()
            .map(|_| model.framework().id().to_string());
        tx.execute(
            "INSERT INTO memo (study_id, framework_id, code, author, text)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                study.as_str(),
                fid,
                memo.code.as_ref().map(|c| c.as_str()),
                memo.author.as_str(),
                memo.text
            ],
        )
        .map_err(StoreError::db)?;
        let id = tx.last_insert_rowid();
        let row = MemoRow {
            id,
            code: memo.code.clone(),
            author: memo.author.clone(),
            text: memo.text.clone(),
        };
        let note = Note::undoable(
            EditKind::MemoAdd,
            study.as_str(),
            format!("added memo {}", row.describe()),
            Undo::MemoAdded { id },
            memo_touches(study, fid.as_deref(), &row),
        );
        journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)?;
        Ok(id)
    }

    /// A study's memos in the order they were added (by id), or only those on `code` and
    /// the codes under it.
    pub fn memos(
        &self,
        study: &StudyId,
        code: Option<&CodeId>,
    ) -> Result<Vec<MemoRow>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        read::study_exists(&tx, study.as_str())?;
        let all = read::rows(
            &tx,
            "SELECT id, code, author, text FROM memo WHERE study_id = ?1 ORDER BY id",
            [study.as_str()],
            |r| {
                Ok(MemoRow {
                    id: read::get(r, 0)?,
                    code: read::parse_opt(read::get(r, 1)?)?,
                    author: read::parse(read::get(r, 2)?)?,
                    text: read::get(r, 3)?,
                })
            },
        )?;
        Ok(match code {
            None => all,
            Some(c) => all
                .into_iter()
                .filter(|m| m.code.as_ref().is_some_and(|m| m.is_within(c)))
                .collect(),
        })
    }

    /// Replaces the text of a study's memo; `NotFound` for an id the study has no memo by.
    /// The journal keeps the text it had, so that an undo puts it back.
    pub fn edit_memo(&mut self, study: &StudyId, id: i64, text: &str) -> Result<(), StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let (row, fid) = memo_in(&tx, study, id)?;
        tx.execute("UPDATE memo SET text = ?2 WHERE id = ?1", params![id, text])
            .map_err(StoreError::db)?;
        let note = Note::undoable(
            EditKind::MemoEdit,
            study.as_str(),
            format!("changed the text of memo {}", row.describe()),
            Undo::MemoEdited {
                id,
                text: row.text.clone(),
            },
            memo_touches(study, fid.as_deref(), &row),
        );
        journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)
    }

    /// Removes a study's memo and returns it; `NotFound` for an id the study has no memo by.
    /// The journal keeps it, so that an undo puts it back with its id.
    pub fn remove_memo(&mut self, study: &StudyId, id: i64) -> Result<MemoRow, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let (row, fid) = memo_in(&tx, study, id)?;
        tx.execute("DELETE FROM memo WHERE id = ?1", [id])
            .map_err(StoreError::db)?;
        let note = Note::undoable(
            EditKind::MemoRemove,
            study.as_str(),
            format!("removed memo {}", row.describe()),
            Undo::MemoRemoved {
                id,
                framework: fid.clone(),
                code: row.code.as_ref().map(ToString::to_string),
                author: row.author.to_string(),
                text: row.text.clone(),
            },
            memo_touches(study, fid.as_deref(), &row),
        );
        journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)?;
        Ok(row)
    }

    /// Adds a framework, or updates one with the same id in place, recording a new version
    /// made by `change` (an unchanged framework records none). An update may relabel,
    /// redefine, recolour, add, move and reorder codes, drop codes nothing uses, and change
    /// the qualifiers; it is refused (a `Conflict`) when it would drop a code that codings or
    /// memos use or a qualifier value that codings carry, naming them, or when a coding of a
    /// study that uses the framework would no longer fit its qualifiers (one made required,
    /// or no longer declared for the coding's code).
    pub fn import_framework(
        &mut self,
        f: &Framework,
        change: &crate::Change,
    ) -> Result<FrameworkImport, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let existing = match read::framework_in(&tx, f.id().as_str()) {
            Ok(e) => Some(e),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let outcome = match existing {
            Some(e) if &e == f => FrameworkImport::Unchanged,
            Some(e) => {
                let fid = f.id().as_str();
                let mut in_use = Vec::new();
                let dropped: Vec<&CodeId> = e
                    .codes()
                    .iter()
                    .map(|c| &c.id)
                    .filter(|c| !f.contains(c))
                    .collect();
                for c in &dropped {
                    let n: i64 = tx
                        .query_row(
                            "SELECT (SELECT count(*) FROM coding WHERE framework_id = ?1 AND code = ?2)
                                  + (SELECT count(*) FROM memo WHERE framework_id = ?1 AND code = ?2)",
                            params![fid, c.as_str()],
                            |r| r.get(0),
                        )
                        .map_err(StoreError::db)?;
                    if n > 0 {
                        in_use.push(format!("code {c} ({n} codings or memos)"));
                    }
                }
                for (q, v) in dropped_values(&e, f) {
                    let n: i64 = tx
                        .query_row(
                            "SELECT count(*) FROM coding WHERE framework_id = ?1
                               AND instr(';' || qualifiers || ';', ';' || ?2 || ';') > 0",
                            params![fid, format!("{q}={v}")],
                            |r| r.get(0),
                        )
                        .map_err(StoreError::db)?;
                    if n > 0 {
                        in_use.push(format!("{q}={v} ({n} codings)"));
                    }
                }
                if !in_use.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "framework `{}` would lose what is in use: {}; recode or remove those codings first",
                        f.id(),
                        in_use.join(", ")
                    )));
                }
                update_framework(&tx, f, &dropped)?;
                // A qualifier made required, or narrowed to other codes, may not fit codings
                // that are there: every study that uses the framework is checked by core again,
                // as it would be read.
                if e.qualifiers() != f.qualifiers() {
                    check_users(&tx, f)?;
                }
                let what = format!("import: {}", samskap_core::codebook::diff(&e, f));
                let version = crate::versions::record(&tx, f, Some(change), &what)?;
                let summary = format!("updated framework {} to version {version}: {what}", f.id());
                framework_note(&tx, &actor, f, summary)?;
                FrameworkImport::Updated
            }
            None => {
                crate::write::insert_framework(&tx, f, Some(change))?;
                framework_note(&tx, &actor, f, format!("added framework {}", f.id()))?;
                FrameworkImport::Added
            }
        };
        tx.commit().map_err(StoreError::db)?;
        Ok(outcome)
    }

    /// A write transaction. On a server's writer connection it first drops the copies in
    /// memory, which only the checked writes keep up to date.
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>, StoreError> {
        if let Some(s) = &self.snapshots {
            s.clear();
        }
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::db)
    }
}

/// What a write of codings made: how many, under which framework and version, and the
/// words of each unit given by offsets (in order).
struct Written {
    added: Added,
    framework: FrameworkId,
    version: u32,
    words: Vec<String>,
}

/// A refusal of the model as the callers of [`Store::add_codings`] have always had it.
fn as_invalid(e: StoreError) -> StoreError {
    match e {
        StoreError::Refused { reason, .. } => StoreError::Invalid(reason.to_string()),
        e => e,
    }
}

fn model_refused(e: ModelError, conflict: bool) -> StoreError {
    StoreError::Refused {
        reason: e.into(),
        conflict,
    }
}

/// What the checks of one write of codings read of a study, each part once.
struct Reader<'c> {
    conn: &'c Connection,
    study: &'c StudyId,
    framework: FrameworkId,
    qualifiers: Vec<Qualifier>,
    /// Codes found in the framework.
    known: foldhash::HashSet<&'c CodeId>,
    /// The sources the write codes more than once: their texts are read whole, once.
    several: foldhash::HashSet<&'c SourceId>,
    /// Those texts (`None`: not in the study).
    texts: foldhash::HashMap<&'c SourceId, Option<Transcript>>,
}

impl<'c> Reader<'c> {
    /// A reader for a write of codings of `sources` (one per coding).
    fn new(
        conn: &'c Connection,
        study: &'c StudyId,
        sources: impl Iterator<Item = &'c SourceId>,
    ) -> Result<Self, StoreError> {
        let framework: String = conn
            .prepare_cached("SELECT framework_id FROM study WHERE id = ?1")
            .and_then(|mut st| st.query_row([study.as_str()], |r| r.get(0)).optional())
            .map_err(StoreError::db)?
            .ok_or_else(|| StoreError::NotFound {
                what: "study",
                id: study.to_string(),
            })?;
        let qualifiers = read::qualifiers_in(conn, &framework)?;
        let mut seen = foldhash::HashSet::default();
        let several = sources.filter(|s| !seen.insert(*s)).collect();
        Ok(Self {
            conn,
            study,
            framework: read::parse(framework)?,
            qualifiers,
            known: foldhash::HashSet::default(),
            several,
            texts: foldhash::HashMap::default(),
        })
    }

    /// The length of a source's stored text and its words at `start..end` (none when that is
    /// no span of it); `None` when the study has no such source. A text coded once in the
    /// write is not read whole: SQLite cuts the words out (its `substr` counts characters,
    /// as a [`Span`] does, and `char_len` is the stored length every write keeps).
    fn words(
        &mut self,
        source: &'c SourceId,
        start: usize,
        end: usize,
    ) -> Result<Option<(usize, Option<String>)>, StoreError> {
        if !self.several.contains(source) {
            return self
                .conn
                .prepare_cached(
                    "SELECT char_len,
                            CASE WHEN ?3 < ?4 AND ?4 <= char_len
                                 THEN substr(text, ?3 + 1, ?4 - ?3) END
                     FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                )
                .and_then(|mut st| {
                    st.query_row(
                        params![
                            self.study.as_str(),
                            source.as_str(),
                            start as i64,
                            end as i64
                        ],
                        |r| Ok((r.get::<_, i64>(0)? as usize, r.get(1)?)),
                    )
                    .optional()
                })
                .map_err(StoreError::db);
        }
        if !self.texts.contains_key(source) {
            let text: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT text FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                )
                .and_then(|mut st| {
                    st.query_row(params![self.study.as_str(), source.as_str()], |r| r.get(0))
                        .optional()
                })
                .map_err(StoreError::db)?;
            self.texts
                .insert(source, text.map(|t| Transcript::new(source.clone(), &t)));
        }
        Ok(self.texts[source].as_ref().map(|t| {
            let words = t.span(start, end).ok().map(|s| t.slice(s).to_owned());
            (t.char_len(), words)
        }))
    }

    /// Where an item's coding goes, with the words there, refused when the source or its
    /// text is not as the caller says.
    fn place(&mut self, place: Place<'c>) -> Result<(Span, String), StoreError> {
        let (start, end) = place.offsets();
        let stored = self.words(place.source(), start, end)?;
        match place {
            Place::Seen(u) => {
                u.check(stored.as_ref().map(|(len, w)| (*len, w.as_deref())))?;
                Ok((u.span, u.text.clone()))
            }
            Place::At(o) => {
                let Some((len, words)) = stored else {
                    return Err(model_refused(
                        ModelError::UnknownSource(o.source.clone()),
                        false,
                    ));
                };
                let span = Span::new(start, end, len).map_err(|e| model_refused(e, false))?;
                let words = words.unwrap_or_default();
                if let Some(seen) = &o.text {
                    if samskap_core::normalize(seen) != words {
                        return Err(StoreError::Conflict(format!(
                            "the text of `{}` at offsets {start}..{end} is not the text given: \
                             the transcript changed after it was read, or the offsets are not \
                             where the text is; nothing was written",
                            o.source
                        )));
                    }
                }
                Ok((span, words))
            }
        }
    }

    /// Core's checks of a code and its qualifier values against the framework.
    fn check_code(&mut self, code: &'c CodeId, values: &Qualifiers) -> Result<(), StoreError> {
        if !self.known.contains(code) {
            let found = self
                .conn
                .prepare_cached("SELECT 1 FROM code WHERE framework_id = ?1 AND path = ?2")
                .and_then(|mut st| st.exists(params![self.framework.as_str(), code.as_str()]))
                .map_err(StoreError::db)?;
            if !found {
                return Err(model_refused(
                    ModelError::UnknownCode {
                        code: code.clone(),
                        framework: self.framework.clone(),
                    },
                    false,
                ));
            }
            self.known.insert(code);
        }
        Qualifier::check_values(&self.qualifiers, code, values).map_err(|e| model_refused(e, false))
    }
}

/// Checks and writes codings in `tx`, each in turn: a refusal leaves the caller to roll back.
fn write_codings<'c>(
    tx: &'c Connection,
    study: &'c StudyId,
    items: &'c [Item<'c>],
    on_duplicate: OnDuplicate,
    reconciled: Option<&[CoderId]>,
    actor: &journal::Actor,
) -> Result<Written, StoreError> {
    let mut reader = Reader::new(tx, study, items.iter().map(|i| i.place.source()))?;
    let fid = reader.framework.to_string();
    let version = crate::versions::current(tx, &fid)?;
    let mut result = Added::default();
    let mut writes = Vec::with_capacity(items.len());
    let mut words = Vec::new();
    for c in items {
        let (span, text) = reader.place(c.place)?;
        reader.check_code(c.code, c.qualifiers)?;
        let unit = unit_row(tx, study, c.place.source(), span)?;
        // The table's unique key is the model's rule of one coding per unit, code, values and
        // coder: a coding there already (or earlier in this write) inserts nothing.
        let inserted = tx
            .prepare_cached(
                "INSERT INTO coding
                     (unit_id, framework_id, code, qualifiers, coder, memo, version, exemplar)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)
                 ON CONFLICT (unit_id, code, qualifiers, coder) DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    unit,
                    fid,
                    c.code.as_str(),
                    c.qualifiers.to_string(),
                    c.coder.as_str(),
                    c.memo,
                    version,
                ])
            })
            .map_err(StoreError::db)?;
        if inserted == 0 {
            match on_duplicate {
                OnDuplicate::Skip => {
                    result.skipped += 1;
                    continue;
                }
                OnDuplicate::Refuse => {
                    return Err(model_refused(
                        ModelError::DuplicateCoding {
                            coder: c.coder.clone(),
                            code: c.code.clone(),
                            qualifiers: c.qualifiers.clone(),
                        },
                        true,
                    ))
                }
            }
        }
        if matches!(c.place, Place::At(_)) {
            words.push(text);
        }
        writes.push(Touch::Coding(coding_key(study, &fid, c, span)));
        result.added += 1;
    }
    if !writes.is_empty() {
        journal::record(tx, actor, &added_note(study, writes, &result, reconciled))?;
    }
    Ok(Written {
        added: result,
        framework: reader.framework,
        version,
        words,
    })
}

/// The journal's entry for codings added (or recorded as a consensus of `reconciled`).
fn added_note(
    study: &StudyId,
    writes: Vec<Touch>,
    result: &Added,
    reconciled: Option<&[CoderId]>,
) -> Note {
    let keys = writes.iter().filter_map(|t| match t {
        Touch::Coding(k) => Some(k),
        _ => None,
    });
    match reconciled {
        None => Note::undoable(
            EditKind::CodingAdd,
            study.as_str(),
            format!("coded {}", listed(keys, writes.len())),
            Undo::DeleteCodings,
            writes,
        ),
        Some(coders) => {
            let names: Vec<&str> = coders.iter().map(CoderId::as_str).collect();
            let n = writes.len();
            let mut note = Note::undoable(
                EditKind::Reconcile,
                study.as_str(),
                format!(
                    "recorded {n} consensus {} from coders {} ({} there already)",
                    if n == 1 { "coding" } else { "codings" },
                    names.join(", "),
                    result.skipped
                ),
                Undo::DeleteCodings,
                writes,
            );
            note.touches.reads = coders
                .iter()
                .map(|c| Touch::CoderCodings {
                    study: study.to_string(),
                    coder: c.to_string(),
                })
                .collect();
            note
        }
    }
}

/// Adds one coding at offsets in `tx` and journals it: [`Store::add_coding_at`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_at_in(
    tx: &Connection,
    actor: &journal::Actor,
    study: &StudyId,
    at: &Offsets,
    code: &CodeId,
    qualifiers: &Qualifiers,
    coder: &CoderId,
    memo: Option<&str>,
) -> Result<StoredCoding, StoreError> {
    let item = Item {
        place: Place::At(at),
        code,
        qualifiers,
        coder,
        memo,
    };
    let mut w = write_codings(
        tx,
        study,
        std::slice::from_ref(&item),
        OnDuplicate::Refuse,
        None,
        actor,
    )?;
    Ok(StoredCoding {
        source: at.source.clone(),
        start: at.start,
        end: at.end,
        text: w.words.pop().unwrap_or_default(),
        framework: w.framework,
        code: code.clone(),
        qualifiers: qualifiers.clone(),
        coder: coder.clone(),
        memo: memo.map(str::to_owned),
        version: w.version,
    })
}

/// Removes one coding in `tx` and journals it; a unit left with no coding goes too.
pub(crate) fn remove_in(
    tx: &Connection,
    actor: &journal::Actor,
    study: &StudyId,
    place: Place<'_>,
    code: &CodeId,
    qualifiers: &Qualifiers,
    coder: &CoderId,
) -> Result<StoredCoding, StoreError> {
    let source = place.source();
    let (span, text) = Reader::new(tx, study, std::iter::once(source))?.place(place)?;
    let unit: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM meaning_unit
             WHERE study_id = ?1 AND source_id = ?2 AND start_char = ?3 AND end_char = ?4",
        )
        .and_then(|mut st| {
            st.query_row(
                params![
                    study.as_str(),
                    source.as_str(),
                    span.start() as i64,
                    span.end() as i64
                ],
                |r| r.get(0),
            )
            .optional()
        })
        .map_err(StoreError::db)?;
    let found: Option<(i64, String, Option<String>, u32, bool)> = match unit {
        None => None,
        Some(unit) => tx
            .prepare_cached(
                "SELECT id, framework_id, memo, version, exemplar FROM coding
                 WHERE unit_id = ?1 AND code = ?2 AND qualifiers = ?3 AND coder = ?4",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![unit, code.as_str(), qualifiers.to_string(), coder.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()
            })
            .map_err(StoreError::db)?,
    };
    let (Some(unit), Some((row, fid, memo, version, exemplar))) = (unit, found) else {
        let values = if qualifiers.is_empty() {
            String::new()
        } else {
            format!(" ({qualifiers})")
        };
        return Err(StoreError::NotFound {
            what: "coding",
            id: format!(
                "{source} {}..{} {code}{values} by {coder}",
                span.start(),
                span.end()
            ),
        });
    };
    tx.execute("DELETE FROM coding WHERE id = ?1", [row])
        .map_err(StoreError::db)?;
    tx.execute(
        "DELETE FROM meaning_unit WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM coding WHERE unit_id = ?1)",
        [unit],
    )
    .map_err(StoreError::db)?;
    let key = crate::journal::CodingKey {
        study: study.to_string(),
        source: source.to_string(),
        start: span.start(),
        end: span.end(),
        framework: fid.clone(),
        code: code.to_string(),
        qualifiers: qualifiers.to_string(),
        coder: coder.to_string(),
    };
    let note = Note::undoable(
        EditKind::CodingRemove,
        study.as_str(),
        format!("removed the coding of {}", key.describe()),
        Undo::RestoreCoding {
            row,
            unit,
            memo: memo.clone(),
            version,
            exemplar,
        },
        vec![Touch::Coding(key)],
    );
    journal::record(tx, actor, &note)?;
    Ok(StoredCoding {
        source: source.clone(),
        start: span.start(),
        end: span.end(),
        text,
        framework: read::parse(fid)?,
        code: code.clone(),
        qualifiers: qualifiers.clone(),
        coder: coder.clone(),
        memo,
        version,
    })
}

/// The row id of a meaning unit, made if new.
pub(crate) fn unit_row(
    tx: &Connection,
    study: &StudyId,
    source: &SourceId,
    span: Span,
) -> Result<i64, StoreError> {
    let p = params![
        study.as_str(),
        source.as_str(),
        span.start() as i64,
        span.end() as i64
    ];
    let found: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM meaning_unit
             WHERE study_id = ?1 AND source_id = ?2 AND start_char = ?3 AND end_char = ?4",
        )
        .and_then(|mut st| st.query_row(p, |r| r.get(0)).optional())
        .map_err(StoreError::db)?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.prepare_cached(
        "INSERT INTO meaning_unit (study_id, source_id, start_char, end_char)
         VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut st| st.insert(p))
    .map_err(StoreError::db)
}

/// The qualifier values of `old` that `new` lacks (with the qualifiers it lacks).
fn dropped_values<'a>(old: &'a Framework, new: &Framework) -> Vec<(&'a QualifierId, &'a ValueId)> {
    old.qualifiers()
        .iter()
        .flat_map(|q| q.values.iter().map(move |v| (&q.id, &v.id)))
        .filter(|(q, v)| new.qualifier(q).is_none_or(|n| n.value_rank(v).is_none()))
        .collect()
}

/// Rewrites a framework's rows in place: codes that stay keep their rows (codings point at
/// them by path) and take their new rank and texts, dropped codes go, and the qualifiers are
/// written anew (codings carry their values as text, so nothing points at those rows).
pub(crate) fn update_framework(
    tx: &Transaction<'_>,
    f: &Framework,
    dropped: &[&CodeId],
) -> Result<(), StoreError> {
    let fid = f.id().as_str();
    for c in dropped {
        tx.execute(
            "DELETE FROM code WHERE framework_id = ?1 AND path = ?2",
            params![fid, c.as_str()],
        )
        .map_err(StoreError::db)?;
    }
    let m = f.meta();
    tx.execute(
        "UPDATE framework SET label = ?2, description = ?3 WHERE id = ?1",
        params![fid, read::labels_json(&m.label), m.description],
    )
    .map_err(StoreError::db)?;
    crate::write::upsert_codes(tx, f)?;
    tx.execute("DELETE FROM qualifier WHERE framework_id = ?1", [fid])
        .map_err(StoreError::db)?;
    crate::write::insert_qualifiers(tx, f)
}

/// Loads every study that uses `f` (as stored in `tx`, with `f` written), so that core
/// checks each coding against it; the first that does not fit refuses the update.
pub(crate) fn check_users(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let users = read::rows(
        tx,
        "SELECT id FROM study WHERE framework_id = ?1 ORDER BY rowid",
        [f.id().as_str()],
        |r| read::parse::<StudyId>(read::get(r, 0)?),
    )?;
    for s in users {
        if let Err(e) = read::load_study_in(tx, &s) {
            return Err(match e {
                StoreError::Corrupt(why) => StoreError::Conflict(format!(
                    "framework `{}` does not fit the codings of study `{s}`: {why}; recode \
                     those codings first",
                    f.id()
                )),
                e => e,
            });
        }
    }
    Ok(())
}

/// A unit the analyst chose to illustrate a code, as `samskap code exemplar list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exemplar {
    /// The code it illustrates.
    pub code: CodeId,
    /// The source of the unit.
    pub source: SourceId,
    /// Where the unit starts in the source's text, in characters.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Its words.
    pub text: String,
}

impl Store {
    /// Marks (`chosen`) or unmarks every coder's codings of `code` on the unit `at` as an
    /// exemplar of the code. Returns how many codings there are; refused when there is
    /// none (a unit illustrates a code it is coded with).
    pub fn set_exemplar(
        &mut self,
        study: &StudyId,
        at: &UnitRef,
        code: &CodeId,
        chosen: bool,
    ) -> Result<usize, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        Reader::new(&tx, study, std::iter::once(&at.source))?.place(Place::Seen(at))?;
        // Every coding of the code on the unit, with whether its mark changes.
        let marked: Vec<(String, String, String, bool)> = read::rows(
            &tx,
            "SELECT c.framework_id, c.qualifiers, c.coder, c.exemplar FROM coding c
             JOIN meaning_unit u ON u.id = c.unit_id
             WHERE u.study_id = ?1 AND u.source_id = ?2 AND u.start_char = ?3
               AND u.end_char = ?4 AND c.code = ?5
             ORDER BY c.id",
            params![
                study.as_str(),
                at.source.as_str(),
                at.span.start() as i64,
                at.span.end() as i64,
                code.as_str()
            ],
            |r| {
                Ok((
                    read::get(r, 0)?,
                    read::get(r, 1)?,
                    read::get(r, 2)?,
                    read::get(r, 3)?,
                ))
            },
        )?;
        if marked.is_empty() {
            return Err(StoreError::NotFound {
                what: "coding of the code on that unit",
                id: format!(
                    "{code} on {} {}..{}",
                    at.source,
                    at.span.start(),
                    at.span.end()
                ),
            });
        }
        tx.execute(
            "UPDATE coding SET exemplar = ?5
             WHERE code = ?4 AND unit_id = (
                 SELECT id FROM meaning_unit WHERE study_id = ?1 AND source_id = ?2
                   AND start_char = ?3 AND end_char = ?6)",
            params![
                study.as_str(),
                at.source.as_str(),
                at.span.start() as i64,
                code.as_str(),
                chosen,
                at.span.end() as i64
            ],
        )
        .map_err(StoreError::db)?;
        let changed: Vec<Touch> = marked
            .iter()
            .filter(|(.., was)| *was != chosen)
            .map(|(fid, qualifiers, coder, _)| {
                Touch::Coding(crate::journal::CodingKey {
                    study: study.to_string(),
                    source: at.source.to_string(),
                    start: at.span.start(),
                    end: at.span.end(),
                    framework: fid.clone(),
                    code: code.to_string(),
                    qualifiers: qualifiers.clone(),
                    coder: coder.clone(),
                })
            })
            .collect();
        if let (Some(Touch::Coding(k)), n) = (changed.first(), changed.len()) {
            let mut writes = vec![Touch::UnitCode {
                study: study.to_string(),
                source: k.source.clone(),
                start: k.start,
                end: k.end,
                framework: k.framework.clone(),
                code: k.code.clone(),
            }];
            writes.extend(changed.iter().cloned());
            let (kind, verb) = if chosen {
                (EditKind::ExemplarAdd, "chose")
            } else {
                (EditKind::ExemplarRemove, "no longer chose")
            };
            let note = Note::undoable(
                kind,
                study.as_str(),
                format!(
                    "{verb} {} {}..{} as an exemplar of {code} ({n} {})",
                    k.source,
                    k.start,
                    k.end,
                    if n == 1 { "coding" } else { "codings" }
                ),
                Undo::Exemplar { chosen },
                writes,
            );
            journal::record(&tx, &actor, &note)?;
        }
        tx.commit().map_err(StoreError::db)?;
        Ok(marked.len())
    }

    /// The units chosen as exemplars, each with its code once, in the framework's order of
    /// codes, then sources as added, then position.
    pub fn exemplars(&self, study: &StudyId) -> Result<Vec<Exemplar>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        crate::read::study_exists(&tx, study.as_str())?;
        let mut texts: foldhash::HashMap<String, samskap_core::Transcript> =
            foldhash::HashMap::default();
        let rows = read::rows(
            &tx,
            "SELECT DISTINCT c.code, u.source_id, u.start_char, u.end_char, k.rank, t.rowid
             FROM coding c JOIN meaning_unit u ON u.id = c.unit_id
             JOIN transcript t ON t.study_id = u.study_id AND t.source_id = u.source_id
             JOIN code k ON k.framework_id = c.framework_id AND k.path = c.code
             WHERE u.study_id = ?1 AND c.exemplar
             ORDER BY k.rank, t.rowid, u.start_char, u.end_char",
            [study.as_str()],
            |r| {
                Ok((
                    read::get::<String>(r, 0)?,
                    read::get::<String>(r, 1)?,
                    read::get::<i64>(r, 2)? as usize,
                    read::get::<i64>(r, 3)? as usize,
                ))
            },
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (code, source, start, end) in rows {
            if !texts.contains_key(&source) {
                let text: String = tx
                    .query_row(
                        "SELECT text FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                        params![study.as_str(), source],
                        |r| r.get(0),
                    )
                    .map_err(StoreError::db)?;
                let id: SourceId = source.parse().map_err(StoreError::corrupt)?;
                texts.insert(source.clone(), samskap_core::Transcript::new(id, &text));
            }
            let t = &texts[&source];
            let span = Span::new(start, end, t.char_len()).map_err(StoreError::corrupt)?;
            out.push(Exemplar {
                code: code.parse().map_err(StoreError::corrupt)?,
                source: t.source().clone(),
                start,
                end,
                text: t.slice(span).to_owned(),
            });
        }
        Ok(out)
    }
}

/// A memo as `samskap memo list` shows it: with the id the store gave it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemoRow {
    /// Its id in the store (an import that replaces the study numbers memos anew).
    pub id: i64,
    /// The code it is on; none for a memo on the study.
    pub code: Option<CodeId>,
    /// Who wrote it.
    pub author: CoderId,
    /// The text.
    pub text: String,
}

impl MemoRow {
    /// `7 on a/b by A` or `7 on the study by A`: what the journal says of it (never its
    /// text).
    fn describe(&self) -> String {
        match &self.code {
            Some(c) => format!("{} on {c} by {}", self.id, self.author),
            None => format!("{} on the study by {}", self.id, self.author),
        }
    }
}

/// A study's memo by id, with its framework; `NotFound` when the study has none by it.
fn memo_in(
    tx: &Transaction<'_>,
    study: &StudyId,
    id: i64,
) -> Result<(MemoRow, Option<String>), StoreError> {
    read::study_exists(tx, study.as_str())?;
    let found = read::rows(
        tx,
        "SELECT code, author, text, framework_id FROM memo WHERE id = ?1 AND study_id = ?2",
        params![id, study.as_str()],
        |r| {
            Ok((
                MemoRow {
                    id,
                    code: read::parse_opt(read::get(r, 0)?)?,
                    author: read::parse(read::get(r, 1)?)?,
                    text: read::get(r, 2)?,
                },
                read::get::<Option<String>>(r, 3)?,
            ))
        },
    )?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound {
            what: "memo",
            id: id.to_string(),
        })
}

/// What a change to a memo writes: the memo, and (on a code) the memo as on that code.
fn memo_touches(study: &StudyId, framework: Option<&str>, m: &MemoRow) -> Vec<Touch> {
    let mut out = vec![Touch::Memo {
        study: study.to_string(),
        id: m.id,
    }];
    if let (Some(f), Some(c)) = (framework, &m.code) {
        out.push(Touch::MemoOn {
            study: study.to_string(),
            id: m.id,
            framework: f.to_owned(),
            code: c.to_string(),
        });
    }
    out
}

/// A new coding's key in the journal.
fn coding_key(
    study: &StudyId,
    framework: &str,
    c: &Item<'_>,
    span: Span,
) -> crate::journal::CodingKey {
    crate::journal::CodingKey {
        study: study.to_string(),
        source: c.place.source().to_string(),
        start: span.start(),
        end: span.end(),
        framework: framework.to_owned(),
        code: c.code.to_string(),
        qualifiers: c.qualifiers.to_string(),
        coder: c.coder.to_string(),
    }
}

/// The first few codings named, and how many more: a summary stays one line whatever the
/// number.
pub(crate) fn listed<'a>(
    keys: impl Iterator<Item = &'a crate::journal::CodingKey>,
    n: usize,
) -> String {
    const SHOWN: usize = 3;
    let named: Vec<String> = keys.take(SHOWN).map(|k| k.describe()).collect();
    match n {
        0 | 1 => named.join(""),
        _ if n <= SHOWN => format!("{n} codings: {}", named.join("; ")),
        _ => format!("{n} codings: {} and {} more", named.join("; "), n - SHOWN),
    }
}

/// The journal's entry for a framework added or updated from a file: the store as a whole
/// (every study on the framework) changes.
fn framework_note(
    tx: &Transaction<'_>,
    actor: &crate::journal::Actor,
    f: &Framework,
    summary: String,
) -> Result<(), StoreError> {
    let note = Note::final_(
        EditKind::FrameworkImport,
        None,
        summary,
        vec![Touch::Framework(f.id().to_string())],
    );
    journal::record(tx, actor, &note).map(drop)
}
