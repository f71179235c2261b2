//! Writes: importing a whole study (with its facilitation record) in one transaction, and
//! withdrawing an informant.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::{
    memo_quotes, Consent, Framework, InformantId, Member, Study, StudyId, Transcript, Withdrawal,
};

use crate::facilitation::date_opt;
use crate::{read, Store, StoreError};
use samskap_core::facilitation::REMOVED_TEXT;

/// Whether an import may replace a study with the same id, and what becomes of the stored
/// facilitation record, which may hold what facilitators recorded through the API since the
/// study was last imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Refuse when the study exists.
    No,
    /// Replace it, in the same transaction, when the new study brings the same facilitation
    /// record as the stored one; refuse (a `Conflict`) when the records differ, so that
    /// nothing recorded since is lost unasked.
    Yes,
    /// Replace it but keep the stored facilitation record, checked again against the new
    /// study (a `Conflict` when it no longer fits, e.g. a member it names is gone).
    KeepFacilitation,
    /// Replace it whole: the new study's facilitation record replaces the stored one.
    DiscardFacilitation,
}

/// What a withdrawal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawOutcome {
    /// What was removed.
    pub removed: Withdrawal,
    /// False when another process kept the WAL in use, so removed text may linger in the
    /// `-wal` file until it is checkpointed.
    pub wal_cleared: bool,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Informants.
    pub informants: usize,
    /// Transcripts.
    pub transcripts: usize,
    /// Meaning units.
    pub units: usize,
    /// Codings.
    pub codings: usize,
    /// Memos.
    pub memos: usize,
    /// True when an older version of the study was replaced.
    pub replaced: bool,
}

impl Store {
    /// Writes a whole study. One transaction: on any error the store is as it was.
    pub fn import_study(
        &mut self,
        study: &Study,
        replace: Replace,
    ) -> Result<ImportSummary, StoreError> {
        let tx = self.write_tx()?;
        let summary = write_study(&tx, study, replace)?;
        tx.commit().map_err(StoreError::db)?;
        Ok(summary)
    }

    /// Removes an informant's transcript, meaning units, codings, the memos that quote them
    /// and the assessment evidence that points into their transcript; keeps the informant's
    /// id as withdrawn with no personal data. The WAL is then checkpointed and truncated so
    /// the removed text is gone from the files on disk; when another process keeps the WAL in
    /// use, the outcome says so and a later withdrawal of the same informant (which removes
    /// nothing more) tries the checkpoint again.
    pub fn withdraw(
        &mut self,
        study: &StudyId,
        informant: &InformantId,
    ) -> Result<WithdrawOutcome, StoreError> {
        let tx = self.write_tx()?;
        let removed = withdraw_in(&tx, study, informant)?;
        tx.commit().map_err(StoreError::db)?;
        let wal_cleared = match self.checkpoint() {
            Ok(()) => true,
            Err(StoreError::Busy) => false,
            Err(e) => return Err(e),
        };
        Ok(WithdrawOutcome {
            removed,
            wal_cleared,
        })
    }

    /// Copies the WAL into the main file and truncates it. Fails with `Busy` if a reader
    /// keeps an old snapshot open, so that a withdrawal never claims more than it did.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        if self.path.is_none() {
            return Ok(());
        }
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(StoreError::db)?;
        if busy != 0 {
            return Err(StoreError::Busy);
        }
        Ok(())
    }
}

fn write_framework(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let existing = read::framework_in(tx, f.id().as_str()).optional_missing()?;
    match existing {
        Some(e) if &e == f => return Ok(()),
        Some(_) => {
            let users = {
                let mut st = tx
                    .prepare("SELECT id FROM study WHERE framework_id = ?1 ORDER BY rowid")
                    .map_err(StoreError::db)?;
                let rows = st
                    .query_map([f.id().as_str()], |r| r.get::<_, String>(0))
                    .map_err(StoreError::db)?;
                rows.collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::db)?
            };
            if !users.is_empty() {
                return Err(StoreError::Conflict(format!(
                    "the store holds a different framework `{}`, used by study {}; give this one another id",
                    f.id(),
                    users.join(", ")
                )));
            }
            // No study codes against the old version any more (a --replace deleted it):
            // the edited framework takes its place.
            tx.execute("DELETE FROM framework WHERE id = ?1", [f.id().as_str()])
                .map_err(StoreError::db)?;
        }
        None => {}
    }
    insert_framework(tx, f)
}

/// Inserts a new framework with its categories and subthemes.
pub(crate) fn insert_framework(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let m = f.meta();
    tx.execute(
        "INSERT INTO framework (id, label_no, label_en, description) VALUES (?1, ?2, ?3, ?4)",
        params![m.id.as_str(), m.label_no, m.label_en, m.description],
    )
    .map_err(StoreError::db)?;
    insert_codes(tx, f)
}

/// Inserts a framework's categories and subthemes, in order.
pub(crate) fn insert_codes(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let m = f.meta();
    for c in f.categories() {
        tx.execute(
            "INSERT INTO category (framework_id, id, label_no, label_en, definition)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                m.id.as_str(),
                c.id.as_str(),
                c.label_no,
                c.label_en,
                c.definition
            ],
        )
        .map_err(StoreError::db)?;
        for s in &c.subthemes {
            tx.execute(
                "INSERT INTO subtheme (framework_id, category_id, id, label_no, label_en, definition)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    m.id.as_str(),
                    c.id.as_str(),
                    s.id.as_str(),
                    s.label_no,
                    s.label_en,
                    s.definition
                ],
            )
            .map_err(StoreError::db)?;
        }
    }
    Ok(())
}

trait OptionalMissing<T> {
    fn optional_missing(self) -> Result<Option<T>, StoreError>;
}

impl<T> OptionalMissing<T> for Result<T, StoreError> {
    fn optional_missing(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The study to write in place of a stored one with the same id, under `replace`: the same
/// study, or (keeping the stored record) a copy with the stored record; refused when
/// replacing would lose a stored record unasked. See [`Replace`].
fn replacement(
    tx: &Transaction<'_>,
    study: &Study,
    replace: Replace,
) -> Result<Option<Study>, StoreError> {
    let stored = match replace {
        Replace::No | Replace::DiscardFacilitation => return Ok(None),
        Replace::Yes | Replace::KeepFacilitation => match read::load_study_in(tx, &study.meta().id)
        {
            Ok(s) => s,
            Err(StoreError::NotFound { what: "study", .. }) => return Ok(None),
            Err(e) => return Err(e),
        },
    };
    // Members added through the API are facilitators' records too.
    let roster = study.roster();
    let added: Vec<&Member> = stored
        .members()
        .iter()
        .filter(|m| roster.member(&m.id).is_none())
        .collect();
    let id = &study.meta().id;
    match replace {
        Replace::Yes if stored.facilitation() != study.facilitation() || !added.is_empty() => {
            let members = if added.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = added.iter().map(|m| m.id.as_str()).collect();
                format!("; members only in the store: {}", ids.join(", "))
            };
            Err(StoreError::Conflict(format!(
                "the store's facilitation record of `{id}` differs from the one being \
                 imported, and may hold what facilitators recorded through the API since \
                 (stored: {}; imported: {}{members}). Export the study first and bring its \
                 facilitation.toml and members into the bundle, or keep the stored record \
                 and members (--keep-facilitation) or replace them (--discard-facilitation)",
                stored.facilitation().summary(),
                study.facilitation().summary(),
            )))
        }
        Replace::KeepFacilitation => {
            let misfit = |e: &dyn std::fmt::Display| {
                StoreError::Conflict(format!(
                    "the stored facilitation record of `{id}` does not fit the study being \
                     imported: {e}"
                ))
            };
            let mut s = study.clone();
            for m in added {
                s.add_member(m.clone()).map_err(|e| misfit(&e))?;
            }
            s.replace_facilitation(stored.facilitation())
                .map_err(|e| misfit(&e))?;
            Ok(Some(s))
        }
        _ => Ok(None),
    }
}

pub(crate) fn write_study(
    tx: &Transaction<'_>,
    study: &Study,
    replace: Replace,
) -> Result<ImportSummary, StoreError> {
    let kept = replacement(tx, study, replace)?;
    let study = kept.as_ref().unwrap_or(study);
    let meta = study.meta();
    let sid = meta.id.as_str();
    let exists: bool = tx
        .query_row("SELECT 1 FROM study WHERE id = ?1", [sid], |_| Ok(()))
        .optional()
        .map_err(StoreError::db)?
        .is_some();
    let mut summary = ImportSummary::default();
    if exists {
        if replace == Replace::No {
            return Err(StoreError::Conflict(format!(
                "the store already holds study `{sid}`; use --replace to replace it"
            )));
        }
        delete_study(tx, sid)?;
        summary.replaced = true;
    }
    write_framework(tx, study.framework())?;
    tx.execute(
        "INSERT INTO study (id, title, research_question, method, period_start, period_end, framework_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            sid,
            meta.title,
            meta.research_question,
            meta.method,
            date_opt(meta.period_start),
            date_opt(meta.period_end),
            meta.framework.as_str()
        ],
    )
    .map_err(StoreError::db)?;
    for m in study.municipalities() {
        tx.execute(
            "INSERT INTO municipality (study_id, id, name) VALUES (?1, ?2, ?3)",
            params![sid, m.id.as_str(), m.name],
        )
        .map_err(StoreError::db)?;
    }
    for g in study.groups() {
        tx.execute(
            "INSERT INTO resource_group (study_id, id, name, period_start, period_end, studied)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sid,
                g.id.as_str(),
                g.name,
                date_opt(g.period_start),
                date_opt(g.period_end),
                g.studied
            ],
        )
        .map_err(StoreError::db)?;
        for m in &g.municipalities {
            tx.execute(
                "INSERT INTO group_municipality (study_id, group_id, municipality_id) VALUES (?1, ?2, ?3)",
                params![sid, g.id.as_str(), m.as_str()],
            )
            .map_err(StoreError::db)?;
        }
    }
    for m in study.members() {
        insert_member(tx, sid, m)?;
    }
    for i in study.informants() {
        let d = i.details.as_ref();
        tx.execute(
            "INSERT INTO informant (study_id, id, role, group_id, workplace, job_position, interview_date, consent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                sid,
                i.id.as_str(),
                d.map(|d| d.role.as_str()),
                d.and_then(|d| d.group.as_ref().map(|g| g.as_str())),
                d.and_then(|d| d.workplace.as_deref()),
                d.and_then(|d| d.position.as_deref()),
                date_opt(d.and_then(|d| d.interview_date)),
                i.consent().as_str()
            ],
        )
        .map_err(StoreError::db)?;
        summary.informants += 1;
    }
    for t in study.transcripts() {
        tx.execute(
            "INSERT INTO transcript (study_id, informant_id, text) VALUES (?1, ?2, ?3)",
            params![sid, t.informant().as_str(), t.text()],
        )
        .map_err(StoreError::db)?;
        summary.transcripts += 1;
    }
    let mut unit_rows = Vec::with_capacity(study.units().len());
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO meaning_unit (study_id, informant_id, start_char, end_char) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(StoreError::db)?;
        for u in study.units() {
            ins.execute(params![
                sid,
                u.informant.as_str(),
                u.span.start() as i64,
                u.span.end() as i64
            ])
            .map_err(StoreError::db)?;
            unit_rows.push(tx.last_insert_rowid());
        }
        summary.units = unit_rows.len();
    }
    {
        let fid = study.framework().id().as_str();
        let mut ins = tx
            .prepare(
                "INSERT INTO coding (unit_id, framework_id, category_id, subtheme_id, polarity, coder, memo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(StoreError::db)?;
        for c in study.codings() {
            ins.execute(params![
                unit_rows[c.unit.index()],
                fid,
                c.code.category.as_str(),
                c.code.subtheme.as_str(),
                c.polarity.as_str(),
                c.coder.as_str(),
                c.memo
            ])
            .map_err(StoreError::db)?;
            summary.codings += 1;
        }
    }
    for m in study.memos() {
        let fid = m.code.as_ref().map(|_| study.framework().id().as_str());
        tx.execute(
            "INSERT INTO memo (study_id, framework_id, category_id, subtheme_id, author, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sid,
                fid,
                m.code.as_ref().map(|c| c.category.as_str()),
                m.code.as_ref().map(|c| c.subtheme.as_str()),
                m.author.as_str(),
                m.text
            ],
        )
        .map_err(StoreError::db)?;
        summary.memos += 1;
    }
    crate::facilitation::write_all(tx, sid, study.facilitation())?;
    Ok(summary)
}

fn delete_study(tx: &Transaction<'_>, sid: &str) -> Result<(), StoreError> {
    // Codings hang off units, which hang off transcripts: cascades reach them all.
    tx.execute("DELETE FROM study WHERE id = ?1", [sid])
        .map_err(StoreError::db)?;
    Ok(())
}

fn withdraw_in(
    tx: &Transaction<'_>,
    study: &StudyId,
    informant: &InformantId,
) -> Result<Withdrawal, StoreError> {
    let sid = study.as_str();
    let iid = informant.as_str();
    let consent: String = tx
        .query_row(
            "SELECT consent FROM informant WHERE study_id = ?1 AND id = ?2",
            [sid, iid],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::db)?
        .ok_or_else(|| StoreError::NotFound {
            what: "informant",
            id: iid.to_owned(),
        })?;
    let mut report = Withdrawal::default();
    if consent == Consent::Withdrawn.as_str() {
        return Ok(report);
    }
    // Assessments keep their judgement; only their links to this informant's words go.
    report.evidence = crate::facilitation::forget_informant(tx, sid, iid)?;
    let text: Option<String> = tx
        .query_row(
            "SELECT text FROM transcript WHERE study_id = ?1 AND informant_id = ?2",
            [sid, iid],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::db)?;
    if let Some(text) = text {
        let transcript = Transcript::new(informant.clone(), &text);
        let spans: Vec<(i64, i64)> = {
            let mut st = tx
                .prepare(
                    "SELECT start_char, end_char FROM meaning_unit WHERE study_id = ?1 AND informant_id = ?2",
                )
                .map_err(StoreError::db)?;
            let rows = st
                .query_map([sid, iid], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::db)?;
            rows.collect::<Result<_, _>>().map_err(StoreError::db)?
        };
        let mut unit_texts = Vec::with_capacity(spans.len());
        for (a, b) in spans {
            let span = transcript
                .span(a as usize, b as usize)
                .map_err(StoreError::corrupt)?;
            unit_texts.push(transcript.slice(span).to_owned());
        }
        let memos: Vec<(i64, String)> = {
            let mut st = tx
                .prepare("SELECT id, text FROM memo WHERE study_id = ?1")
                .map_err(StoreError::db)?;
            let rows = st
                .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::db)?;
            rows.collect::<Result<_, _>>().map_err(StoreError::db)?
        };
        for (id, memo) in memos {
            if memo_quotes(&memo, &transcript, unit_texts.iter().map(String::as_str)) {
                tx.execute("DELETE FROM memo WHERE id = ?1", [id])
                    .map_err(StoreError::db)?;
                report.memos += 1;
            }
        }
        report.notes = forget_quotes(tx, sid, |text| {
            memo_quotes(text, &transcript, unit_texts.iter().map(String::as_str))
        })?;
        report.codings = tx
            .execute(
                "DELETE FROM coding WHERE unit_id IN
                   (SELECT id FROM meaning_unit WHERE study_id = ?1 AND informant_id = ?2)",
                [sid, iid],
            )
            .map_err(StoreError::db)?;
        report.units = tx
            .execute(
                "DELETE FROM meaning_unit WHERE study_id = ?1 AND informant_id = ?2",
                [sid, iid],
            )
            .map_err(StoreError::db)?;
        report.transcripts = tx
            .execute(
                "DELETE FROM transcript WHERE study_id = ?1 AND informant_id = ?2",
                [sid, iid],
            )
            .map_err(StoreError::db)?;
        // The trigger took the terms out of the search index (secure-delete); merging the
        // index's segments leaves no page that held them, and secure_delete zeroes those.
        tx.execute(
            "INSERT INTO transcript_fts (transcript_fts) VALUES ('optimize')",
            [],
        )
        .map_err(StoreError::db)?;
    }
    tx.execute(
        "UPDATE informant SET role = NULL, group_id = NULL, workplace = NULL, job_position = NULL,
                interview_date = NULL, consent = 'withdrawn'
         WHERE study_id = ?1 AND id = ?2",
        [sid, iid],
    )
    .map_err(StoreError::db)?;
    Ok(report)
}

/// One member's row.
pub(crate) fn insert_member(
    conn: &Connection,
    sid: &str,
    m: &samskap_core::Member,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO member (study_id, id, group_id, sector, service, youth, pd_youth)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            sid,
            m.id.as_str(),
            m.group.as_str(),
            m.sector.as_str(),
            m.service,
            m.youth,
            m.pd_youth
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

/// The free texts of the facilitation record, as (table, column, required): a note that
/// quotes a withdrawn informant is cleared, a required text replaced by [`REMOVED_TEXT`].
/// The same texts as [`samskap_core::facilitation::Facilitation::forget_quotes`].
const RECORD_TEXTS: &[(&str, &str, bool)] = &[
    ("meeting", "note", false),
    ("group_rules", "frequency", false),
    ("group_rules", "place", false),
    ("group_rules", "leader", false),
    ("group_rules", "disagreement", false),
    ("problem_statement", "text", true),
    ("process_move", "note", false),
    ("pd_practice", "description", true),
    ("action", "title", true),
    ("action_transition", "note", false),
    ("dissemination", "audience", true),
    ("dissemination", "note", false),
    ("contact", "note", false),
    ("assessment", "note", false),
];

fn forget_quotes(
    tx: &Transaction<'_>,
    sid: &str,
    quotes: impl Fn(&str) -> bool,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for (table, column, required) in RECORD_TEXTS {
        let texts: Vec<(i64, String)> = {
            let mut st = tx
                .prepare(&format!(
                    "SELECT rowid, {column} FROM {table} WHERE study_id = ?1 AND {column} IS NOT NULL"
                ))
                .map_err(StoreError::db)?;
            let rows = st
                .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::db)?;
            rows.collect::<Result<_, _>>().map_err(StoreError::db)?
        };
        let instead = required.then_some(REMOVED_TEXT);
        for (rowid, text) in texts {
            if quotes(&text) {
                tx.execute(
                    &format!("UPDATE {table} SET {column} = ?1 WHERE rowid = ?2"),
                    params![instead, rowid],
                )
                .map_err(StoreError::db)?;
                n += 1;
            }
        }
    }
    Ok(n)
}
