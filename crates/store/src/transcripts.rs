//! A transcript replaced by an edited version, with every coding and every piece of assessment
//! evidence re-anchored to the new text.

use std::collections::HashMap;

use rusqlite::params;
use samskap_core::{
    Anchor, AssessmentId, Qualifiers, Revision, SourceId, Span, StudyId, TextQuote, Transcript,
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

/// What became of a meaning unit whose place or text changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitFate {
    /// Its text is unchanged, at new offsets.
    Moved,
    /// Its text was edited; the unit now spans the new version of it.
    Edited,
    /// Its text is gone (less than half of it is left); its codings are the orphans.
    Orphaned,
}

/// A meaning unit that moved, was edited or is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitChange {
    /// What became of it.
    pub fate: UnitFate,
    /// Where it was in the old text (characters).
    pub from: Span,
    /// Where it is in the new text; none for an orphan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Span>,
    /// Its text in the old version.
    pub text: String,
    /// Its text in the new version, when edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_text: Option<String>,
    /// How many codings it carries.
    pub codings: usize,
}

/// What a replacement did (or, when orphans stopped it, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reanchored {
    /// Meaning units whose text and offsets are as they were.
    pub units_unchanged: usize,
    /// Meaning units whose text is as it was, at new offsets.
    pub units_moved: usize,
    /// Meaning units whose text was edited: stretched over inserted words, shrunk by
    /// deleted ones.
    pub units_edited: usize,
    /// Meaning units whose text is gone.
    pub units_orphaned: usize,
    /// Each unit that moved, was edited or is gone, in the order of the old text.
    pub units: Vec<UnitChange>,
    /// Codings whose text is gone.
    pub orphans: Vec<Orphan>,
    /// Assessment evidence whose text is gone; like orphaned codings, these stop the
    /// replacement unless they are dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_orphans: Vec<EvidenceOrphan>,
    /// False when orphans stopped the replacement: nothing was changed.
    pub applied: bool,
}

impl Reanchored {
    /// Meaning units found again in the new text: unchanged, moved or edited.
    pub fn units_reanchored(&self) -> usize {
        self.units_unchanged + self.units_moved + self.units_edited
    }
}

impl Store {
    /// Replaces a source's text with an edited version. The old and new texts are diffed
    /// once, and every meaning unit is re-anchored through the diff (see [`Revision`]): moved
    /// when its text is unchanged, stretched or shrunk over an edit inside it, an orphan when
    /// less than half of it is left. Codings on orphaned units are listed, and the
    /// replacement goes ahead only with `drop_orphans`, which removes them; otherwise nothing
    /// changes. Assessment evidence in the transcript is re-anchored the same way, and its
    /// orphans are treated alike.
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

        // The source's units in text order, and how many codings each carries.
        let mut units: Vec<Span> = model
            .units()
            .iter()
            .filter(|u| &u.source == source)
            .map(|u| u.span)
            .collect();
        units.sort_unstable();
        units.dedup();
        let mut carried: HashMap<Span, usize> = HashMap::new();
        for c in model.codings() {
            let u = &model.units()[c.unit.index()];
            if &u.source == source {
                *carried.entry(u.span).or_default() += 1;
            }
        }
        let evidence = rows(
            &tx,
            "SELECT id, assessment_id, start_char, end_char FROM assessment_evidence
             WHERE study_id = ?1 AND source_id = ?2 ORDER BY id",
            [sid, iid],
            |r| {
                let (start, end) = (get::<i64>(r, 2)?, get::<i64>(r, 3)?);
                Ok((
                    get::<i64>(r, 0)?,
                    parse::<AssessmentId>(get(r, 1)?)?,
                    old.span(start as usize, end as usize)
                        .map_err(StoreError::corrupt)?,
                ))
            },
        )?;

        // One diff for the whole text; every unit and every piece of evidence through it.
        let spans: Vec<Span> = units
            .iter()
            .copied()
            .chain(evidence.iter().map(|e| e.2))
            .collect();
        let mut anchors = Revision::new(old, &new).anchor_all(&spans);
        let evidence_anchors = anchors.split_off(units.len());

        let mut counts = [0usize; 4];
        let mut changes = Vec::new();
        // The units that stay where they were.
        let mut stay: Vec<Span> = Vec::new();
        // Old span -> new span, for the units whose span changes; the orphans' quotes.
        let mut moves: Vec<(Span, Span)> = Vec::new();
        let mut lost: HashMap<Span, TextQuote> = HashMap::new();
        for (&from, anchor) in units.iter().zip(anchors) {
            let (fate, to) = match anchor {
                Anchor::Kept(to) if to == from => {
                    counts[0] += 1;
                    stay.push(from);
                    continue;
                }
                Anchor::Kept(to) => (UnitFate::Moved, Some(to)),
                Anchor::Edited(to) => (UnitFate::Edited, Some(to)),
                Anchor::Orphan(q) => {
                    lost.insert(from, q);
                    (UnitFate::Orphaned, None)
                }
            };
            counts[1 + fate as usize] += 1;
            if let Some(to) = to {
                moves.push((from, to));
            }
            changes.push(UnitChange {
                fate,
                from,
                to,
                text: old.slice(from).to_owned(),
                new_text: to
                    .filter(|_| fate == UnitFate::Edited)
                    .map(|to| new.slice(to).to_owned()),
                codings: carried.get(&from).copied().unwrap_or(0),
            });
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
        for ((row, assessment, _), anchor) in evidence.into_iter().zip(evidence_anchors) {
            evidence_moves.push((row, anchor.span()));
            if let Anchor::Orphan(quote) = anchor {
                evidence_orphans.push(EvidenceOrphan { assessment, quote });
            }
        }
        let [units_unchanged, units_moved, units_edited, units_orphaned] = counts;
        let mut result = Reanchored {
            units_unchanged,
            units_moved,
            units_edited,
            units_orphaned,
            units: changes,
            orphans,
            evidence_orphans,
            applied: false,
        };
        let lost_any = !result.orphans.is_empty() || !result.evidence_orphans.is_empty();
        if lost_any && !drop_orphans {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(result);
        }

        // Every unit of the source by its span, read once.
        let unit_ids: HashMap<Span, i64> = rows(
            &tx,
            "SELECT id, start_char, end_char FROM meaning_unit WHERE study_id = ?1 AND source_id = ?2",
            [sid, iid],
            |r| {
                let (start, end) = (get::<i64>(r, 1)?, get::<i64>(r, 2)?);
                let span = old
                    .span(start as usize, end as usize)
                    .map_err(StoreError::corrupt)?;
                Ok((span, get::<i64>(r, 0)?))
            },
        )?
        .into_iter()
        .collect();
        let unit_id = |span: &Span| {
            unit_ids.get(span).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("no stored meaning unit of {iid} at {span:?}"))
            })
        };
        for span in lost.keys() {
            let id = unit_id(span)?;
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
            let id = unit_id(from)?;
            tx.execute(
                "UPDATE meaning_unit SET start_char = ?2 + id, end_char = ?2 + id + 1 WHERE id = ?1",
                params![id, PARK],
            )
            .map_err(StoreError::db)?;
            ids.push(id);
        }
        // The units that stay where they are hold their places; a unit that lands on one
        // joins it.
        let mut placed: HashMap<Span, i64> = HashMap::with_capacity(units.len());
        for span in &stay {
            placed.insert(*span, unit_id(span)?);
        }
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
                result.units_reanchored(),
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
