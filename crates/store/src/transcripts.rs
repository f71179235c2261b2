//! A transcript replaced by an edited version, with every coding and every piece of assessment
//! evidence re-anchored to the new text.

use std::collections::HashMap;

use rusqlite::params;
use samskap_core::{
    Anchor, AssessmentId, Qualifiers, SourceId, Span, StudyId, TextQuote, Transcript,
};
use serde::Serialize;

use crate::read::{self, get, parse, rows};
use crate::{Store, StoreError};

/// A coding whose text is no longer in the new transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    /// The unit's text, with its context in the old version.
    pub quote: TextQuote,
    /// The code.
    pub code: String,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// Who coded it.
    pub coder: String,
}

/// Assessment evidence whose text is no longer in the new transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceOrphan {
    /// The assessment that cites it.
    pub assessment: AssessmentId,
    /// The cited text, with its context in the old version.
    pub quote: TextQuote,
}

/// What a replacement did (or, when orphans stopped it, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reanchored {
    /// Meaning units found again (at the same or new offsets).
    pub units_moved: usize,
    /// Codings whose text is gone.
    pub orphans: Vec<Orphan>,
    /// Assessment evidence whose text is gone; like orphaned codings, these stop the
    /// replacement unless they are dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_orphans: Vec<EvidenceOrphan>,
    /// False when orphans stopped the replacement: nothing was changed.
    pub applied: bool,
}

impl Store {
    /// Replaces a source's text with an edited version. Every meaning unit is
    /// looked for in the new text (see [`Transcript::reanchor`]) and moved there. Codings
    /// whose text is gone are orphans: they are listed, and the replacement goes ahead only
    /// with `drop_orphans`, which removes them; otherwise nothing changes. Assessment evidence
    /// in the transcript is re-anchored the same way, and its orphans are treated alike.
    pub fn replace_transcript(
        &mut self,
        study: &StudyId,
        source: &SourceId,
        raw: &str,
        drop_orphans: bool,
    ) -> Result<Reanchored, StoreError> {
        // Read and checked inside the write's transaction: a coding added or an informant
        // withdrawn by another process cannot fall between the re-anchoring and the write.
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let model = read::load_study_in(&tx, study)?;
        let (described, old) = model.source(source).ok_or_else(|| StoreError::NotFound {
            what: "source",
            id: source.to_string(),
        })?;
        let new = Transcript::new(source.clone(), raw);
        let sid = study.as_str();
        let iid = source.as_str();

        // Old span -> new span, or the orphan's quote.
        let mut moves: Vec<(Span, Span)> = Vec::new();
        let mut lost: HashMap<Span, TextQuote> = HashMap::new();
        for u in model.units().iter().filter(|u| &u.source == source) {
            match old.reanchor(u.span, &new) {
                Anchor::Moved(to) => moves.push((u.span, to)),
                Anchor::Orphan(q) => {
                    lost.insert(u.span, q);
                }
            }
        }
        let mut orphans = Vec::new();
        for c in model.codings() {
            let u = &model.units()[c.unit.index()];
            if let Some(q) = lost.get(&u.span).filter(|_| &u.source == source) {
                orphans.push(Orphan {
                    quote: q.clone(),
                    code: c.code.to_string(),
                    qualifiers: c.qualifiers.clone(),
                    coder: c.coder.to_string(),
                });
            }
        }
        // Evidence row -> its new span, or the orphan (deleted when the replacement applies).
        let mut evidence_moves: Vec<(i64, Option<Span>)> = Vec::new();
        let mut evidence_orphans = Vec::new();
        for (row, assessment, start, end) in rows(
            &tx,
            "SELECT id, assessment_id, start_char, end_char FROM assessment_evidence
             WHERE study_id = ?1 AND source_id = ?2 ORDER BY id",
            [sid, iid],
            |r| {
                Ok((
                    get::<i64>(r, 0)?,
                    parse::<AssessmentId>(get(r, 1)?)?,
                    get::<i64>(r, 2)?,
                    get::<i64>(r, 3)?,
                ))
            },
        )? {
            let span = old
                .span(start as usize, end as usize)
                .map_err(StoreError::corrupt)?;
            match old.reanchor(span, &new) {
                Anchor::Moved(to) => evidence_moves.push((row, Some(to))),
                Anchor::Orphan(quote) => {
                    evidence_moves.push((row, None));
                    evidence_orphans.push(EvidenceOrphan { assessment, quote });
                }
            }
        }
        let mut result = Reanchored {
            units_moved: moves.len(),
            orphans,
            evidence_orphans,
            applied: false,
        };
        let lost_any = !result.orphans.is_empty() || !result.evidence_orphans.is_empty();
        if lost_any && !drop_orphans {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(result);
        }

        let unit_id = |span: Span| -> Result<i64, StoreError> {
            tx.query_row(
                "SELECT id FROM meaning_unit WHERE study_id = ?1 AND source_id = ?2
                   AND start_char = ?3 AND end_char = ?4",
                params![sid, iid, span.start() as i64, span.end() as i64],
                |r| r.get(0),
            )
            .map_err(StoreError::db)
        };
        for span in lost.keys() {
            let id = unit_id(*span)?;
            tx.execute("DELETE FROM coding WHERE unit_id = ?1", [id])
                .map_err(StoreError::db)?;
            tx.execute("DELETE FROM meaning_unit WHERE id = ?1", [id])
                .map_err(StoreError::db)?;
        }
        // Park every moving unit far beyond any text first, so that moving one onto the old
        // place of another never meets the uniqueness rule half-way.
        const PARK: i64 = 1 << 40;
        let mut ids = Vec::with_capacity(moves.len());
        for (from, _) in &moves {
            let id = unit_id(*from)?;
            tx.execute(
                "UPDATE meaning_unit SET start_char = ?2 + id, end_char = ?2 + id + 1 WHERE id = ?1",
                params![id, PARK],
            )
            .map_err(StoreError::db)?;
            ids.push(id);
        }
        let mut placed: HashMap<Span, i64> = HashMap::new();
        for (id, (_, to)) in ids.into_iter().zip(&moves) {
            if let Some(&keep) = placed.get(to) {
                // Two old units became one: its codings join the first, duplicates go.
                tx.execute(
                    "UPDATE OR IGNORE coding SET unit_id = ?1 WHERE unit_id = ?2",
                    [keep, id],
                )
                .map_err(StoreError::db)?;
                tx.execute("DELETE FROM coding WHERE unit_id = ?1", [id])
                    .map_err(StoreError::db)?;
                tx.execute("DELETE FROM meaning_unit WHERE id = ?1", [id])
                    .map_err(StoreError::db)?;
            } else {
                tx.execute(
                    "UPDATE meaning_unit SET start_char = ?2, end_char = ?3 WHERE id = ?1",
                    params![id, to.start() as i64, to.end() as i64],
                )
                .map_err(StoreError::db)?;
                placed.insert(*to, id);
            }
        }
        for (row, to) in evidence_moves {
            match to {
                Some(to) => tx.execute(
                    "UPDATE assessment_evidence SET start_char = ?2, end_char = ?3 WHERE id = ?1",
                    params![row, to.start() as i64, to.end() as i64],
                ),
                None => tx.execute("DELETE FROM assessment_evidence WHERE id = ?1", [row]),
            }
            .map_err(StoreError::db)?;
        }
        tx.execute(
            "UPDATE transcript SET text = ?3, char_len = ?4 WHERE study_id = ?1 AND source_id = ?2",
            params![sid, iid, new.text(), new.char_len() as i64],
        )
        .map_err(StoreError::db)?;
        // The turns follow the new text.
        crate::sources::write_turns(&tx, sid, described, new.text())?;
        let note = crate::journal::Note::final_(
            crate::EditKind::SourceReplace,
            Some(sid),
            format!(
                "replaced the text of source {source}: {} meaning units found again, {} codings and \
                 {} evidence links dropped",
                result.units_moved,
                result.orphans.len(),
                result.evidence_orphans.len()
            ),
            vec![crate::journal::Touch::Source {
                study: sid.to_owned(),
                source: source.to_string(),
            }],
        );
        crate::journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)?;
        result.applied = true;
        Ok(result)
    }
}
