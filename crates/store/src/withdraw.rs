//! Withdrawing an informant in SQL, following core's declaration of the model's free texts
//! ([`FreeText`]): where each one lives in the schema, and which text columns hold no
//! personal text (a test checks that every text column of the schema is one or the other).

use rusqlite::{params, OptionalExtension, Transaction};
use samskap_core::facilitation::REMOVED_TEXT;
use samskap_core::quoting::QuoteFinder;
use samskap_core::source::Withdrawn;
use samskap_core::{
    ActiveConsent, Consent, FreeText, InformantId, OnWithdrawal, SourceId, Span, StudyId,
    Transcript, Withdrawal,
};

use crate::journal::{EditKind, Note, Touch, Undo};
use crate::{Store, StoreError};

/// What a withdrawal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawOutcome {
    /// What was removed.
    pub removed: Withdrawal,
    /// True when the informant had withdrawn before: nothing more was removed (the WAL was
    /// checkpointed again).
    pub already_withdrawn: bool,
    /// False when another process kept the WAL in use, so removed text may linger in the
    /// `-wal` file until it is checkpointed.
    pub wal_cleared: bool,
}

impl Store {
    /// Removes an informant's transcript, meaning units and codings, and every free text of
    /// the study that quotes them, as [`FreeText::on_withdrawal`] declares (memos deleted,
    /// notes cleared, required texts replaced by [`REMOVED_TEXT`]), and the assessment
    /// evidence that points into their transcript; keeps the informant's id as withdrawn
    /// with no personal data. One transaction. The WAL is then checkpointed and truncated so
    /// the removed text is gone from the files on disk; when another process keeps the WAL in
    /// use, the outcome says so and a later withdrawal of the same informant (which removes
    /// nothing more) tries the checkpoint again.
    pub fn withdraw(
        &mut self,
        study: &StudyId,
        informant: &InformantId,
    ) -> Result<WithdrawOutcome, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let already_withdrawn = consent_in(&tx, study, informant)? == Consent::Withdrawn;
        let removed = if already_withdrawn {
            Withdrawal::default()
        } else {
            let w = withdraw_in(&tx, study, informant)?;
            // Counts only: the journal keeps no word of theirs. The whole study is written,
            // so every earlier entry's payload (a memo's text, a coding's memo) goes.
            let summary = format!(
                "withdrew informant {informant}: removed {} sources whole and their turns from {} others, {} meaning units, {} codings, {} memos, {} evidence links, {} coding memos and {} other texts that quoted them",
                w.transcripts, w.turns, w.units, w.codings, w.memos, w.evidence, w.coding_memos,
                w.notes
            );
            let note = Note::final_(
                EditKind::Withdraw,
                Some(study.as_str()),
                summary,
                vec![Touch::Study(study.to_string())],
            );
            crate::journal::record(&tx, &actor, &note)?;
            w
        };
        tx.commit().map_err(StoreError::db)?;
        let wal_cleared = match self.checkpoint() {
            Ok(()) => true,
            Err(StoreError::Busy) => false,
            Err(e) => return Err(e),
        };
        Ok(WithdrawOutcome {
            removed,
            already_withdrawn,
            wal_cleared,
        })
    }

    /// Sets an informant's consent to given or pending, and returns what it was. Refused
    /// (`Conflict`) for an informant who has withdrawn: their material is deleted, and only
    /// [`withdraw`](Self::withdraw) sets that state. `NotFound` for an unknown informant.
    /// The journal records a change (none when the consent was that already); undoing it
    /// sets the consent back.
    pub fn set_consent(
        &mut self,
        study: &StudyId,
        informant: &InformantId,
        consent: ActiveConsent,
    ) -> Result<Consent, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let was = consent_in(&tx, study, informant)?;
        let to = match consent {
            ActiveConsent::Given => Consent::Given,
            ActiveConsent::Pending => Consent::Pending,
        };
        if was == Consent::Withdrawn {
            return Err(StoreError::Conflict(format!(
                "informant `{informant}` has withdrawn: their material is deleted, and consent cannot be set again"
            )));
        }
        if was != to {
            tx.execute(
                "UPDATE informant SET consent = ?3 WHERE study_id = ?1 AND id = ?2",
                [study.as_str(), informant.as_str(), to.as_str()],
            )
            .map_err(StoreError::db)?;
            let note = Note::undoable(
                EditKind::Consent,
                study.as_str(),
                format!(
                    "set the consent of informant {informant} from {} to {}",
                    was.as_str(),
                    to.as_str()
                ),
                Undo::Consent {
                    informant: informant.to_string(),
                    was: was.as_str().to_owned(),
                },
                vec![Touch::Informant {
                    study: study.to_string(),
                    informant: informant.to_string(),
                }],
            );
            crate::journal::record(&tx, &actor, &note)?;
        }
        tx.commit().map_err(StoreError::db)?;
        Ok(was)
    }

    /// Where an informant stands on consent (`NotFound` for an unknown one).
    pub fn consent(&self, study: &StudyId, informant: &InformantId) -> Result<Consent, StoreError> {
        consent_in(&self.conn, study, informant)
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

fn consent_in(
    conn: &rusqlite::Connection,
    study: &StudyId,
    informant: &InformantId,
) -> Result<Consent, StoreError> {
    let consent: String = conn
        .query_row(
            "SELECT consent FROM informant WHERE study_id = ?1 AND id = ?2",
            [study.as_str(), informant.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::db)?
        .ok_or_else(|| StoreError::NotFound {
            what: "informant",
            id: informant.to_string(),
        })?;
    match consent.as_str() {
        "pending" => Ok(Consent::Pending),
        "given" => Ok(Consent::Given),
        "withdrawn" => Ok(Consent::Withdrawn),
        other => Err(StoreError::Corrupt(format!(
            "informant `{informant}` has consent `{other}`"
        ))),
    }
}

/// The withdrawal of an informant who has not withdrawn yet, in the caller's transaction:
/// each source they speak in goes whole or loses their turns, as core's
/// [`Source::withdraw`](samskap_core::Source::withdraw) decides.
fn withdraw_in(
    tx: &Transaction<'_>,
    study: &StudyId,
    informant: &InformantId,
) -> Result<Withdrawal, StoreError> {
    let sid = study.as_str();
    let iid = informant.as_str();
    let mut report = Withdrawal::default();
    let theirs: Vec<SourceId> = crate::read::rows(
        tx,
        "SELECT source_id FROM source_informant WHERE study_id = ?1 AND informant_id = ?2
         ORDER BY source_id",
        [sid, iid],
        |r| crate::read::parse(crate::read::get(r, 0)?),
    )?;
    let mut finders = Vec::new();
    for id in &theirs {
        let (source, text) = crate::sources::read_one(tx, sid, id)?;
        let units: Vec<(i64, Span)> = crate::read::rows(
            tx,
            "SELECT id, start_char, end_char FROM meaning_unit
             WHERE study_id = ?1 AND source_id = ?2 ORDER BY id",
            [sid, id.as_str()],
            |r| {
                let (a, b): (i64, i64) = (crate::read::get(r, 1)?, crate::read::get(r, 2)?);
                Ok((
                    crate::read::get(r, 0)?,
                    text.span(a as usize, b as usize)
                        .map_err(StoreError::corrupt)?,
                ))
            },
        )?;
        let evidence: Vec<(i64, i64, i64)> = crate::read::rows(
            tx,
            "SELECT id, start_char, end_char FROM assessment_evidence
             WHERE study_id = ?1 AND source_id = ?2",
            [sid, id.as_str()],
            |r| {
                Ok((
                    crate::read::get(r, 0)?,
                    crate::read::get(r, 1)?,
                    crate::read::get(r, 2)?,
                ))
            },
        )?;
        match source.withdraw(&text, informant) {
            None => {}
            Some(Withdrawn::Whole) => {
                finders.push(QuoteFinder::new(
                    &text,
                    units.iter().map(|(_, span)| text.slice(*span)),
                ));
                report.codings += count_codings(tx, units.iter().map(|(row, _)| *row))?;
                report.units += units.len();
                report.evidence += evidence.len();
                // Units, codings, evidence, speakers and turns cascade from the source.
                report.transcripts += tx
                    .execute(
                        "DELETE FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                        [sid, id.as_str()],
                    )
                    .map_err(StoreError::db)?;
            }
            Some(Withdrawn::Redacted(r)) => {
                let gone: Vec<(i64, Span)> = units
                    .iter()
                    .filter(|(_, span)| r.span(*span).is_none())
                    .copied()
                    .collect();
                finders.push(QuoteFinder::new(
                    &Transcript::new(id.clone(), &r.words),
                    gone.iter().map(|(_, span)| text.slice(*span)),
                ));
                report.codings += count_codings(tx, gone.iter().map(|(row, _)| *row))?;
                report.units += gone.len();
                for (row, _) in &gone {
                    tx.execute("DELETE FROM meaning_unit WHERE id = ?1", [row])
                        .map_err(StoreError::db)?;
                }
                // Park every moving unit far beyond any text first, so that moving one onto
                // the old place of another never meets the uniqueness rule half-way.
                const PARK: i64 = 1 << 40;
                let moving: Vec<(i64, Span)> = units
                    .iter()
                    .filter_map(|(row, span)| r.span(*span).map(|to| (*row, to)))
                    .collect();
                for (row, _) in &moving {
                    tx.execute(
                        "UPDATE meaning_unit SET start_char = ?2 + id, end_char = ?2 + id + 1 WHERE id = ?1",
                        params![row, PARK],
                    )
                    .map_err(StoreError::db)?;
                }
                for (row, to) in &moving {
                    tx.execute(
                        "UPDATE meaning_unit SET start_char = ?2, end_char = ?3 WHERE id = ?1",
                        params![row, to.start() as i64, to.end() as i64],
                    )
                    .map_err(StoreError::db)?;
                }
                for (row, a, b) in evidence {
                    let moved = Span::new(a as usize, b as usize, usize::MAX)
                        .ok()
                        .and_then(|span| r.span(span));
                    match moved {
                        Some(to) => tx.execute(
                            "UPDATE assessment_evidence SET start_char = ?2, end_char = ?3 WHERE id = ?1",
                            params![row, to.start() as i64, to.end() as i64],
                        ),
                        None => {
                            report.evidence += 1;
                            tx.execute("DELETE FROM assessment_evidence WHERE id = ?1", [row])
                        }
                    }
                    .map_err(StoreError::db)?;
                }
                tx.execute(
                    "UPDATE transcript SET text = ?3, char_len = ?4 WHERE study_id = ?1 AND source_id = ?2",
                    params![sid, id.as_str(), r.text.text(), r.text.char_len() as i64],
                )
                .map_err(StoreError::db)?;
                // Who speaks, anew: their labels renamed, their row gone.
                for table in ["source_turn", "source_speaker", "source_informant"] {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE study_id = ?1 AND source_id = ?2"),
                        [sid, id.as_str()],
                    )
                    .map_err(StoreError::db)?;
                }
                crate::sources::write_voices(tx, sid, &r.source, r.text.text())?;
                report.turns += 1;
            }
        }
    }
    if !theirs.is_empty() {
        // The triggers took their terms out of the search indexes, of words and of stems
        // (secure-delete); merging each index's segments leaves no page that held them, and
        // secure_delete zeroes those.
        for index in ["transcript_fts", "transcript_stems"] {
            tx.execute(
                &format!("INSERT INTO {index} ({index}) VALUES ('optimize')"),
                [],
            )
            .map_err(StoreError::db)?;
        }
    }
    // After their own codings went, as core does, so the counts agree.
    for finder in &finders {
        for field in FreeText::ALL {
            let n = forget_quotes(tx, sid, field, finder)?;
            report.count(field, n);
        }
    }
    // The trigger `refi_attribute_withdrawn` deletes their case attributes.
    tx.execute(
        "UPDATE informant SET role = NULL, group_id = NULL, workplace = NULL, job_position = NULL,
                interview_date = NULL, consent = 'withdrawn'
         WHERE study_id = ?1 AND id = ?2",
        [sid, iid],
    )
    .map_err(StoreError::db)?;
    Ok(report)
}

/// How many codings the units with these row ids carry.
fn count_codings(
    tx: &Transaction<'_>,
    units: impl Iterator<Item = i64>,
) -> Result<usize, StoreError> {
    let mut st = tx
        .prepare_cached("SELECT count(*) FROM coding WHERE unit_id = ?1")
        .map_err(StoreError::db)?;
    let mut n = 0;
    for u in units {
        n += st
            .query_row([u], |r| r.get::<_, i64>(0))
            .map_err(StoreError::db)? as usize;
    }
    Ok(n)
}

/// Applies `field`'s [`OnWithdrawal`] to its rows of the study that quote; returns how many
/// texts went.
fn forget_quotes(
    tx: &Transaction<'_>,
    sid: &str,
    field: FreeText,
    finder: &QuoteFinder,
) -> Result<usize, StoreError> {
    let on = field.on_withdrawal();
    // ?1 is what takes the text's place, ?2 the row.
    let (action, instead) = match on {
        OnWithdrawal::Theirs | OnWithdrawal::Kept(_) => return Ok(0),
        OnWithdrawal::DeleteWhenQuoting => ("DELETE FROM {table} WHERE rowid = ?2", None),
        OnWithdrawal::ClearWhenQuoting => {
            ("UPDATE {table} SET {column} = ?1 WHERE rowid = ?2", None)
        }
        OnWithdrawal::ReplaceWhenQuoting => (
            "UPDATE {table} SET {column} = ?1 WHERE rowid = ?2",
            Some(REMOVED_TEXT),
        ),
    };
    let mut n = 0;
    for place in places(field) {
        let texts: Vec<(i64, String)> = {
            let mut st = tx
                .prepare(&format!(
                    "SELECT rowid, {column} FROM {table} WHERE {rows} AND {column} IS NOT NULL",
                    column = place.column,
                    table = place.table,
                    rows = place.rows.sql(),
                ))
                .map_err(StoreError::db)?;
            let rows = st
                .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::db)?;
            rows.collect::<Result<_, _>>().map_err(StoreError::db)?
        };
        let sql = action
            .replace("{table}", place.table)
            .replace("{column}", place.column);
        for (rowid, text) in texts {
            if finder.quotes(&text) {
                tx.execute(&sql, params![instead, rowid])
                    .map_err(StoreError::db)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Where a free text of the model lives in the schema.
#[derive(Debug, Clone, Copy)]
struct Place {
    table: &'static str,
    column: &'static str,
    rows: Rows,
}

/// Which rows of a table belong to one study (`?1`).
#[derive(Debug, Clone, Copy)]
enum Rows {
    /// Rows with `study_id = ?1`.
    Study,
    /// The study's own row.
    StudyRow,
    /// The codings of the study's meaning units.
    Coding,
    /// Rows that all studies share (frameworks).
    Shared,
}

impl Rows {
    fn sql(self) -> &'static str {
        match self {
            Rows::Study => "study_id = ?1",
            Rows::StudyRow => "id = ?1",
            Rows::Coding => "unit_id IN (SELECT id FROM meaning_unit WHERE study_id = ?1)",
            Rows::Shared => "?1 IS NOT NULL",
        }
    }
}

const fn at(table: &'static str, column: &'static str) -> Place {
    Place {
        table,
        column,
        rows: Rows::Study,
    }
}

const fn shared(table: &'static str, column: &'static str) -> Place {
    Place {
        table,
        column,
        rows: Rows::Shared,
    }
}

/// The columns that hold `field`.
fn places(field: FreeText) -> Vec<Place> {
    const fn study(column: &'static str) -> Place {
        Place {
            table: "study",
            column,
            rows: Rows::StudyRow,
        }
    }
    match field {
        FreeText::StudyTitle => vec![study("title")],
        FreeText::StudyResearchQuestion => vec![study("research_question")],
        FreeText::StudyMethod => vec![study("method")],
        FreeText::MunicipalityName => vec![at("municipality", "name")],
        FreeText::GroupName => vec![at("resource_group", "name")],
        FreeText::MemberService => vec![at("member", "service")],
        FreeText::AttributeText => vec![at("attribute", "label"), at("attribute_choice", "value")],
        FreeText::InformantAttribute => vec![at("informant_attribute", "value")],
        FreeText::MemberAttribute => vec![at("member_attribute", "value")],
        FreeText::GroupAttribute => vec![at("group_attribute", "value")],
        FreeText::SourceAttribute => vec![at("source_attribute", "value")],
        FreeText::InformantWorkplace => vec![at("informant", "workplace")],
        FreeText::InformantPosition => vec![at("informant", "job_position")],
        FreeText::Transcript => vec![at("transcript", "text")],
        FreeText::SourceTitle => vec![at("transcript", "title")],
        FreeText::SpeakerLabel => vec![at("source_speaker", "label"), at("source_turn", "label")],
        FreeText::CodingMemo => vec![Place {
            table: "coding",
            column: "memo",
            rows: Rows::Coding,
        }],
        FreeText::Memo => vec![at("memo", "text")],
        FreeText::FrameworkText => vec![
            shared("framework", "label"),
            shared("framework", "description"),
            // A version's whole framework (its file), what changed and why: texts about
            // the codebook, kept as the framework's own are.
            shared("framework_version", "toml"),
            shared("framework_version", "what"),
            shared("framework_version", "note"),
        ],
        FreeText::CodeText => vec![
            shared("code", "label"),
            shared("code", "definition"),
            shared("code", "memo"),
            shared("qualifier", "label"),
            shared("qualifier_value", "label"),
        ],
        FreeText::MeetingNote => vec![at("meeting", "note")],
        FreeText::RulesFrequency => vec![at("group_rules", "frequency")],
        FreeText::RulesPlace => vec![at("group_rules", "place")],
        FreeText::RulesLeader => vec![at("group_rules", "leader")],
        FreeText::RulesDisagreement => vec![at("group_rules", "disagreement")],
        FreeText::StatementText => vec![at("problem_statement", "text")],
        FreeText::MoveNote => vec![at("process_move", "note")],
        FreeText::PracticeDescription => vec![at("pd_practice", "description")],
        FreeText::ActionTitle => vec![at("action", "title")],
        FreeText::TransitionNote => vec![at("action_transition", "note")],
        FreeText::EventAudience => vec![at("dissemination", "audience")],
        FreeText::EventNote => vec![at("dissemination", "note")],
        FreeText::ContactNote => vec![at("contact", "note")],
        FreeText::AssessmentNote => vec![at("assessment", "note")],
        FreeText::AssessmentService => vec![
            at("assessment", "subject_service"),
            at("assessment", "actor_service"),
        ],
        FreeText::GuideText => vec![
            at("guide", "title"),
            at("guide_version", "note"),
            at("guide_theme", "title"),
            at("guide_question", "text"),
        ],
    }
}

/// Text columns that are not free text of the model but are the informant's own, and go with
/// them: (table, columns, how).
#[cfg(test)] // Read by the schema test below: a declaration, not used at run time.
const REMOVED_WITH_INFORMANT: &[(&str, &[&str], &str)] = &[
    (
        "informant",
        &["role", "group_id", "interview_date"],
        "set to NULL: a withdrawn informant keeps only study_id, id and consent",
    ),
    (
        "refi_attribute",
        &["study_id", "informant_id", "variable", "kind", "value"],
        "their case attributes: the rows are deleted by the trigger refi_attribute_withdrawn",
    ),
    (
        "journal",
        &["payload"],
        "what undoing an edit needs (a memo's text, a coding's memo): the withdrawal's own \
         entry clears it in every earlier entry of the study, none of which can be undone then",
    ),
];

/// Virtual tables whose content is derived from a text column, with how withdrawal reaches
/// it. Their shadow tables (`NAME_data`, `NAME_idx`, ...) go with them.
#[cfg(test)] // Read by the schema test below: a declaration, not used at run time.
const DERIVED: &[(&str, &str)] = &[
    (
        "transcript_fts",
        "the search index of transcript.text: the delete trigger removes a withdrawn \
         transcript's terms (secure-delete), then an `optimize` merge rewrites the segments",
    ),
    (
        "transcript_stems",
        "the search index of the stems of transcript.text's words (contentless: terms only): \
         the delete and update triggers remove a withdrawn or redacted transcript's stems \
         (secure-delete), then an `optimize` merge rewrites the segments",
    ),
];

/// Text columns that hold no personal text, each with the reason: (table, columns, reason).
#[cfg(test)] // Read by the schema test below: a declaration, not used at run time.
const FREE_OF_PERSONAL_TEXT: &[(&str, &[&str], &str)] = &[
    ("framework", &["id"], "an id"),
    ("framework_version", &["framework_id"], "an id"),
    ("framework_version", &["at"], "a timestamp"),
    (
        "framework_version",
        &["by"],
        "the user name of whoever changed the codebook (a coder's handle), never an informant's words",
    ),
    (
        "code",
        &["framework_id", "path"],
        "ids (a code's path is its ids)",
    ),
    (
        "code",
        &["colour"],
        "a colour, `#rrggbb` (checked by core and the schema)",
    ),
    (
        "qualifier",
        &["framework_id", "id", "codes"],
        "ids (`codes` is a JSON list of code paths)",
    ),
    (
        "qualifier_value",
        &["framework_id", "qualifier_id", "id"],
        "ids",
    ),
    ("study", &["id", "framework_id"], "ids"),
    ("study", &["period_start", "period_end"], "dates"),
    (
        "study",
        &["provenance"],
        "`research` or `illustrative` (a CHECK constraint)",
    ),
    ("study", &["language"], "a language tag, checked on reading"),
    ("municipality", &["study_id", "id"], "ids"),
    ("resource_group", &["study_id", "id"], "ids"),
    ("resource_group", &["period_start", "period_end"], "dates"),
    (
        "group_municipality",
        &["study_id", "group_id", "municipality_id"],
        "ids",
    ),
    ("member", &["study_id", "id", "group_id"], "ids"),
    ("member", &["sector"], "an enumeration"),
    ("attribute", &["study_id", "id"], "ids"),
    (
        "attribute",
        &["type"],
        "an enumeration (a CHECK constraint)",
    ),
    ("attribute_choice", &["study_id", "attribute_id"], "ids"),
    (
        "informant_attribute",
        &["study_id", "informant_id", "attribute_id"],
        "ids; the rows go with a withdrawn informant (trigger informant_attribute_withdrawn)",
    ),
    (
        "member_attribute",
        &["study_id", "member_id", "attribute_id"],
        "ids",
    ),
    (
        "group_attribute",
        &["study_id", "group_id", "attribute_id"],
        "ids",
    ),
    (
        "source_attribute",
        &["study_id", "source_id", "attribute_id"],
        "ids; the rows go with their source",
    ),
    (
        "informant",
        &["study_id", "id"],
        "ids, kept as the trace of the withdrawal",
    ),
    (
        "informant",
        &["consent"],
        "an enumeration, set to `withdrawn`",
    ),
    ("transcript", &["study_id", "source_id", "group_id"], "ids"),
    (
        "transcript",
        &["kind"],
        "an enumeration (a CHECK constraint)",
    ),
    ("transcript", &["made_on"], "a date"),
    ("transcript", &["guide_id", "meeting_id"], "ids"),
    ("guide", &["study_id", "id"], "ids"),
    ("guide_version", &["study_id", "guide_id"], "ids"),
    ("guide_theme", &["study_id", "guide_id"], "ids"),
    ("guide_question", &["study_id", "guide_id", "id"], "ids"),
    ("meaning_unit", &["study_id", "source_id"], "ids"),
    (
        "source_informant",
        &["study_id", "source_id", "informant_id"],
        "ids; a withdrawn informant's rows go",
    ),
    (
        "source_speaker",
        &["study_id", "source_id", "informant_id"],
        "ids",
    ),
    (
        "source_speaker",
        &["voice"],
        "an enumeration (a CHECK constraint)",
    ),
    ("source_turn", &["study_id", "source_id"], "ids"),
    (
        "coding",
        &["framework_id", "code", "coder"],
        "ids (a code's path is its ids; a coder is an id such as `A`)",
    ),
    (
        "coding",
        &["qualifiers"],
        "ids: qualifier values as core writes them (`polarity=barrier`)",
    ),
    (
        "memo",
        &["study_id", "framework_id", "code", "author"],
        "ids (an author is a coder id)",
    ),
    ("meeting", &["study_id", "id", "group_id"], "ids"),
    ("meeting", &["kind"], "an enumeration"),
    ("meeting", &["date"], "a date"),
    (
        "attendance",
        &["study_id", "meeting_id", "member_id"],
        "ids",
    ),
    ("attendance", &["presence"], "an enumeration"),
    ("group_rules", &["study_id", "group_id"], "ids"),
    ("problem_statement", &["study_id", "id", "group_id"], "ids"),
    ("problem_statement", &["drafted", "agreed"], "dates"),
    (
        "statement_participant",
        &["study_id", "statement_id", "member_id"],
        "ids",
    ),
    ("process_move", &["study_id", "group_id"], "ids"),
    ("process_move", &["date"], "a date"),
    ("process_move", &["phase", "step"], "enumerations"),
    ("pd_practice", &["study_id", "id", "group_id"], "ids"),
    ("pd_practice", &["level"], "an enumeration"),
    ("pd_practice", &["observed"], "a date"),
    ("action", &["study_id", "id", "group_id"], "ids"),
    ("action", &["kind"], "an enumeration"),
    ("action_transition", &["study_id", "action_id"], "ids"),
    ("action_transition", &["state"], "an enumeration"),
    ("action_transition", &["date"], "a date"),
    (
        "dissemination",
        &["study_id", "id", "group_id", "action_id"],
        "ids",
    ),
    ("dissemination", &["date"], "a date"),
    (
        "contact",
        &["study_id", "id", "member_a", "member_b"],
        "ids",
    ),
    ("contact", &["date"], "a date"),
    (
        "assessment",
        &["study_id", "id", "subject_group", "assessor"],
        "ids",
    ),
    (
        "assessment",
        &["logic"],
        "an enumeration (every set of logics, a CHECK constraint)",
    ),
    ("assessment", &["actor"], "an enumeration"),
    ("assessment", &["date"], "a date"),
    (
        "assessment_evidence",
        &[
            "study_id",
            "assessment_id",
            "source_id",
            "meeting_id",
            "statement_id",
            "practice_id",
            "action_id",
            "event_id",
            "contact_id",
        ],
        "ids",
    ),
    (
        "api_token",
        &["name"],
        "the name of an API user (a facilitator's handle), never an informant's words",
    ),
    ("api_token", &["role"], "an enumeration"),
    ("api_token", &["hash"], "a SHA-256 hash"),
    ("api_token", &["created", "revoked"], "timestamps"),
    ("api_token_group", &["study_id", "group_id"], "ids"),
    ("audit_log", &["at"], "a timestamp"),
    ("journal", &["study_id", "kind", "via"], "an id and enumerations"),
    ("journal", &["at"], "a timestamp"),
    (
        "journal",
        &["who"],
        "the user or token name of whoever made a change, never an informant's words",
    ),
    (
        "journal",
        &["summary", "touches"],
        "ids, spans, counts and qualifier values only: what an edit did and touched, never a text",
    ),
    ("web_session", &["hash"], "a SHA-256 hash"),
    ("web_preference", &["lang"], "an enumeration (a CHECK constraint)"),
    (
        "audit_log",
        &["token_name"],
        "the name of an API user, as in api_token",
    ),
    ("audit_log", &["method"], "an HTTP method"),
    (
        "audit_log",
        &["path", "object_id"],
        "request paths and object ids: ids only",
    ),
    (
        "refi_study_guid",
        &["study_id", "kind", "key"],
        "ids, spans and qualifier values (`I1:10-42:culture/x:polarity=barrier:A`)",
    ),
    ("refi_study_guid", &["guid"], "a GUID"),
    (
        "refi_framework_guid",
        &["framework_id", "kind", "key"],
        "ids and qualifier values (`culture/x#polarity=barrier`)",
    ),
    ("refi_framework_guid", &["guid"], "a GUID"),
    (
        "backup",
        &["path"],
        "the path a backup was written to, as the user chose it",
    ),
    ("backup", &["made"], "a timestamp"),
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Every column of every table that can hold text (declared type TEXT, a character or
    /// CLOB type, or no type at all), with whether it is NOT NULL; and the virtual tables
    /// that [`DERIVED`] does not declare.
    fn text_columns(store: &Store) -> (BTreeMap<(String, String), bool>, Vec<String>) {
        let conn = &store.conn;
        let tables: Vec<(String, String)> = conn
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut virtuals = BTreeSet::new();
        let mut undeclared = Vec::new();
        for (name, sql) in &tables {
            if sql.starts_with("CREATE VIRTUAL TABLE") {
                if !DERIVED.iter().any(|(t, _)| t == name) {
                    undeclared.push(format!("{name} (a virtual table)"));
                }
                virtuals.insert(name.clone());
            }
        }
        let mut out = BTreeMap::new();
        for (name, _) in &tables {
            let shadow = virtuals.iter().any(|v| {
                name.strip_prefix(v.as_str())
                    .is_some_and(|r| r.starts_with('_'))
            });
            if name.starts_with("sqlite_") || virtuals.contains(name) || shadow {
                continue;
            }
            let mut st = conn
                .prepare(&format!(
                    "SELECT name, type, \"notnull\" FROM pragma_table_info('{name}')"
                ))
                .unwrap();
            let cols = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                })
                .unwrap();
            for c in cols {
                let (column, ty, not_null) = c.unwrap();
                let ty = ty.to_uppercase();
                if ty.is_empty() || ["TEXT", "CHAR", "CLOB"].iter().any(|t| ty.contains(t)) {
                    out.insert((name.clone(), column), not_null);
                }
            }
        }
        (out, undeclared)
    }

    /// The text columns of the store's schema that are neither a place of a [`FreeText`] nor
    /// declared in [`REMOVED_WITH_INFORMANT`] or [`FREE_OF_PERSONAL_TEXT`]; and the declared
    /// columns the schema lacks.
    fn undeclared_and_stale(store: &Store) -> (Vec<String>, Vec<String>) {
        let (columns, mut undeclared) = text_columns(store);
        let mut declared: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut declare = |table: &str, column: &str, how: String| {
            let before = declared.insert((table.into(), column.into()), how);
            assert!(before.is_none(), "{table}.{column} is declared twice");
        };
        for field in FreeText::ALL {
            for p in places(field) {
                declare(p.table, p.column, format!("{field:?}"));
                if let Some(&not_null) = columns.get(&(p.table.into(), p.column.into())) {
                    assert!(
                        !(not_null && field.on_withdrawal() == OnWithdrawal::ClearWhenQuoting),
                        "{field:?} is cleared, but {}.{} is NOT NULL",
                        p.table,
                        p.column
                    );
                }
            }
        }
        for (table, cols, why) in REMOVED_WITH_INFORMANT.iter().chain(FREE_OF_PERSONAL_TEXT) {
            assert!(!why.is_empty());
            for c in *cols {
                declare(table, c, (*why).to_owned());
            }
        }
        let name = |(t, c): &(String, String)| format!("{t}.{c}");
        undeclared.extend(
            columns
                .keys()
                .filter(|k| !declared.contains_key(*k))
                .map(name),
        );
        let stale = declared
            .keys()
            .filter(|k| !columns.contains_key(*k))
            .map(name)
            .collect();
        (undeclared, stale)
    }

    #[test]
    fn every_text_column_is_a_declared_free_text_or_holds_no_personal_text() {
        let store = Store::open_in_memory().unwrap();
        let (undeclared, stale) = undeclared_and_stale(&store);
        assert!(
            undeclared.is_empty(),
            "text columns that are neither a FreeText of the model nor declared in \
             crates/store/src/withdraw.rs: {undeclared:?}"
        );
        assert!(
            stale.is_empty(),
            "declared columns the schema lacks: {stale:?}"
        );
    }

    #[test]
    fn a_new_text_column_or_virtual_table_fails_the_check() {
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "ALTER TABLE meeting ADD COLUMN summary TEXT;
                 ALTER TABLE contact ADD COLUMN said;
                 CREATE TABLE remark (id INTEGER PRIMARY KEY, body VARCHAR(200));",
            )
            .unwrap();
        store
            .conn
            .execute_batch("CREATE VIRTUAL TABLE memo_fts USING fts5(text)")
            .unwrap();
        let (undeclared, _) = undeclared_and_stale(&store);
        assert_eq!(
            undeclared,
            [
                "memo_fts (a virtual table)",
                "contact.said",
                "meeting.summary",
                "remark.body"
            ]
        );
    }
}
