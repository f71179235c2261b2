//! Small edits to a stored study: codings added or removed, memos added, frameworks imported.
//! Each call is one transaction, and every check that decides it runs inside that
//! transaction, against the study as it is then: another process that replaces a transcript
//! or withdraws an informant meanwhile cannot slip between the check and the write.

use rusqlite::{params, OptionalExtension, Transaction};
use samskap_core::{
    CodeId, CoderId, Coding, Framework, InformantId, Memo, Polarity, Span, StudyId,
};

use crate::{read, Store, StoreError};

/// A meaning unit as the caller saw it: where it lies, and the text it covered when the
/// caller read the transcript. A write is refused if the stored transcript has other text
/// there by the time it runs (it was replaced meanwhile), rather than coding the wrong words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    /// Whose transcript.
    pub informant: InformantId,
    /// Where in it.
    pub span: Span,
    /// The text at `span` when the caller read it.
    pub text: String,
}

impl UnitRef {
    /// The unit at `span` of a transcript the caller holds.
    pub fn of(transcript: &samskap_core::Transcript, span: Span) -> Self {
        Self {
            informant: transcript.informant().clone(),
            span,
            text: transcript.slice(span).to_owned(),
        }
    }

    /// Checks the unit against the transcript as stored now.
    fn check(&self, now: Option<&samskap_core::Transcript>) -> Result<(), StoreError> {
        let Some(t) = now else {
            return Err(StoreError::Conflict(format!(
                "informant `{}` has no transcript any more (withdrawn or removed meanwhile); nothing was written",
                self.informant
            )));
        };
        let same = self.span.end() <= t.char_len() && t.slice(self.span) == self.text;
        if same {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "the transcript of `{}` changed after it was read (offsets {}..{} no longer hold the quoted text); nothing was written: run the command again",
                self.informant,
                self.span.start(),
                self.span.end()
            )))
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
    /// The polarity.
    pub polarity: Polarity,
    /// The coder.
    pub coder: CoderId,
    /// A note on the coding.
    pub memo: Option<String>,
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
    /// An existing framework was updated in place (labels, definitions, new codes, removed
    /// unused codes).
    Updated,
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

impl Store {
    /// Adds codings to a study in one transaction, after checking every one against the
    /// study as the transaction sees it (the transcript still holds the unit's text, the code
    /// is in the framework).
    pub fn add_codings(
        &mut self,
        study: &StudyId,
        codings: &[NewCoding],
        on_duplicate: OnDuplicate,
    ) -> Result<Added, StoreError> {
        let tx = self.write_tx()?;
        let mut model = read::load_study_in(&tx, study)?;
        let mut todo = Vec::with_capacity(codings.len());
        let mut result = Added::default();
        for c in codings {
            let u = &c.unit;
            u.check(model.transcript(&u.informant))?;
            let unit = model.unit(&u.informant, u.span).map_err(invalid)?;
            match model.add_coding(Coding {
                unit,
                code: c.code.clone(),
                polarity: c.polarity,
                coder: c.coder.clone(),
                memo: c.memo.clone(),
            }) {
                Ok(()) => todo.push(c),
                Err(samskap_core::ModelError::DuplicateCoding { .. })
                    if on_duplicate == OnDuplicate::Skip =>
                {
                    result.skipped += 1;
                }
                Err(e) => return Err(invalid(e)),
            }
        }
        let fid = model.framework().id().to_string();
        for c in todo {
            let unit = unit_row(&tx, study, &c.unit.informant, c.unit.span)?;
            tx.execute(
                "INSERT INTO coding (unit_id, framework_id, category_id, subtheme_id, polarity, coder, memo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    unit,
                    fid,
                    c.code.category.as_str(),
                    c.code.subtheme.as_str(),
                    c.polarity.as_str(),
                    c.coder.as_str(),
                    c.memo
                ],
            )
            .map_err(StoreError::db)?;
            result.added += 1;
        }
        tx.commit().map_err(StoreError::db)?;
        Ok(result)
    }

    /// Removes one coding; a meaning unit left with no coding goes too.
    pub fn remove_coding(
        &mut self,
        study: &StudyId,
        at: &UnitRef,
        code: &CodeId,
        polarity: Polarity,
        coder: &CoderId,
    ) -> Result<(), StoreError> {
        let (informant, span) = (&at.informant, at.span);
        let tx = self.write_tx()?;
        let now: Option<String> = tx
            .query_row(
                "SELECT text FROM transcript WHERE study_id = ?1 AND informant_id = ?2",
                params![study.as_str(), informant.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::db)?;
        at.check(
            now.map(|text| samskap_core::Transcript::new(informant.clone(), &text))
                .as_ref(),
        )?;
        let unit: Option<i64> = tx
            .query_row(
                "SELECT id FROM meaning_unit
                 WHERE study_id = ?1 AND informant_id = ?2 AND start_char = ?3 AND end_char = ?4",
                params![
                    study.as_str(),
                    informant.as_str(),
                    span.start() as i64,
                    span.end() as i64
                ],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::db)?;
        let removed = match unit {
            None => 0,
            Some(unit) => tx
                .execute(
                    "DELETE FROM coding WHERE unit_id = ?1 AND category_id = ?2 AND subtheme_id = ?3
                       AND polarity = ?4 AND coder = ?5",
                    params![
                        unit,
                        code.category.as_str(),
                        code.subtheme.as_str(),
                        polarity.as_str(),
                        coder.as_str()
                    ],
                )
                .map_err(StoreError::db)?,
        };
        if removed == 0 {
            return Err(StoreError::NotFound {
                what: "coding",
                id: format!(
                    "{informant} {}..{} {code} ({polarity}) by {coder}",
                    span.start(),
                    span.end()
                ),
            });
        }
        tx.execute(
            "DELETE FROM meaning_unit WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM coding WHERE unit_id = ?1)",
            [unit],
        )
        .map_err(StoreError::db)?;
        tx.commit().map_err(StoreError::db)
    }

    /// Adds a memo to a study; a memo on a code needs the code in the study's framework.
    pub fn add_memo(&mut self, study: &StudyId, memo: &Memo) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        let mut model = read::load_study_in(&tx, study)?;
        model.add_memo(memo.clone()).map_err(invalid)?;
        let fid = memo
            .code
            .as_ref()
            .map(|_| model.framework().id().to_string());
        tx.execute(
            "INSERT INTO memo (study_id, framework_id, category_id, subtheme_id, author, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                study.as_str(),
                fid,
                memo.code.as_ref().map(|c| c.category.as_str()),
                memo.code.as_ref().map(|c| c.subtheme.as_str()),
                memo.author.as_str(),
                memo.text
            ],
        )
        .map_err(StoreError::db)?;
        tx.commit().map_err(StoreError::db)
    }

    /// Adds a framework, or updates one with the same id in place. An update may relabel,
    /// redefine, add and reorder codes, and drop codes nothing uses; it is refused when it
    /// would drop a code that codings or memos use, naming those codes.
    pub fn import_framework(&mut self, f: &Framework) -> Result<FrameworkImport, StoreError> {
        let tx = self.write_tx()?;
        let existing = match read::framework_in(&tx, f.id().as_str()) {
            Ok(e) => Some(e),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let outcome = match existing {
            Some(e) if &e == f => FrameworkImport::Unchanged,
            Some(e) => {
                let dropped: Vec<CodeId> = e.codes().filter(|c| !f.contains(c)).collect();
                let mut in_use = Vec::new();
                for c in &dropped {
                    let n: i64 = tx
                        .query_row(
                            "SELECT (SELECT count(*) FROM coding WHERE framework_id = ?1 AND category_id = ?2 AND subtheme_id = ?3)
                                  + (SELECT count(*) FROM memo WHERE framework_id = ?1 AND category_id = ?2 AND subtheme_id = ?3)",
                            params![f.id().as_str(), c.category.as_str(), c.subtheme.as_str()],
                            |r| r.get(0),
                        )
                        .map_err(StoreError::db)?;
                    if n > 0 {
                        in_use.push(format!("{c} ({n} codings or memos)"));
                    }
                }
                if !in_use.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "framework `{}` would lose codes that are in use: {}; recode or remove those codings first",
                        f.id(),
                        in_use.join(", ")
                    )));
                }
                update_framework(&tx, f, &dropped)?;
                FrameworkImport::Updated
            }
            None => {
                crate::write::insert_framework(&tx, f)?;
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

/// The row id of a meaning unit, made if new.
fn unit_row(
    tx: &Transaction<'_>,
    study: &StudyId,
    informant: &InformantId,
    span: Span,
) -> Result<i64, StoreError> {
    let p = params![
        study.as_str(),
        informant.as_str(),
        span.start() as i64,
        span.end() as i64
    ];
    tx.execute(
        "INSERT OR IGNORE INTO meaning_unit (study_id, informant_id, start_char, end_char)
         VALUES (?1, ?2, ?3, ?4)",
        p,
    )
    .map_err(StoreError::db)?;
    tx.query_row(
        "SELECT id FROM meaning_unit
         WHERE study_id = ?1 AND informant_id = ?2 AND start_char = ?3 AND end_char = ?4",
        p,
        |r| r.get(0),
    )
    .map_err(StoreError::db)
}

/// Rewrites a framework's rows in place. Rows keep their order by being re-inserted in the
/// new order; codings keep pointing at them because their keys do not change. Foreign keys
/// are checked at commit, so the rows may be briefly absent.
fn update_framework(
    tx: &Transaction<'_>,
    f: &Framework,
    dropped: &[CodeId],
) -> Result<(), StoreError> {
    let fid = f.id().as_str();
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")
        .map_err(StoreError::db)?;
    for c in dropped {
        tx.execute(
            "DELETE FROM subtheme WHERE framework_id = ?1 AND category_id = ?2 AND id = ?3",
            params![fid, c.category.as_str(), c.subtheme.as_str()],
        )
        .map_err(StoreError::db)?;
    }
    // Delete and re-insert the rest, in the new order, without cascading to codings: the
    // cascade runs only from `framework`, which stays.
    tx.execute("DELETE FROM subtheme WHERE framework_id = ?1", [fid])
        .map_err(StoreError::db)?;
    tx.execute("DELETE FROM category WHERE framework_id = ?1", [fid])
        .map_err(StoreError::db)?;
    let m = f.meta();
    tx.execute(
        "UPDATE framework SET label_no = ?2, label_en = ?3, description = ?4 WHERE id = ?1",
        params![fid, m.label_no, m.label_en, m.description],
    )
    .map_err(StoreError::db)?;
    crate::write::insert_codes(tx, f)
}
