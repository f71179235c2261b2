//! A transcript replaced by an edited version, with every coding re-anchored to the new text.

use std::collections::HashMap;

use rusqlite::params;
use samskap_core::{Anchor, InformantId, Polarity, Span, StudyId, TextQuote, Transcript};
use serde::Serialize;

use crate::{Store, StoreError};

/// A coding whose text is no longer in the new transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    /// The unit's text, with its context in the old version.
    pub quote: TextQuote,
    /// The code.
    pub code: String,
    /// Its polarity.
    pub polarity: Polarity,
    /// Who coded it.
    pub coder: String,
}

/// What a replacement did (or, when orphans stopped it, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reanchored {
    /// Meaning units found again (at the same or new offsets).
    pub units_moved: usize,
    /// Codings whose text is gone.
    pub orphans: Vec<Orphan>,
    /// False when orphans stopped the replacement: nothing was changed.
    pub applied: bool,
}

impl Store {
    /// Replaces an informant's transcript with an edited version. Every meaning unit is
    /// looked for in the new text (see [`Transcript::reanchor`]) and moved there. Codings
    /// whose text is gone are orphans: they are listed, and the replacement goes ahead only
    /// with `drop_orphans`, which removes them; otherwise nothing changes.
    pub fn replace_transcript(
        &mut self,
        study: &StudyId,
        informant: &InformantId,
        raw: &str,
        drop_orphans: bool,
    ) -> Result<Reanchored, StoreError> {
        let model = self.load_study(study)?;
        let old = model
            .transcript(informant)
            .ok_or_else(|| StoreError::NotFound {
                what: "transcript of informant",
                id: informant.to_string(),
            })?;
        let new = Transcript::new(informant.clone(), raw);
        let sid = study.as_str();
        let iid = informant.as_str();

        // Old span -> new span, or the orphan's quote.
        let mut moves: Vec<(Span, Span)> = Vec::new();
        let mut lost: HashMap<Span, TextQuote> = HashMap::new();
        for u in model.units().iter().filter(|u| &u.informant == informant) {
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
            if let Some(q) = lost.get(&u.span).filter(|_| &u.informant == informant) {
                orphans.push(Orphan {
                    quote: q.clone(),
                    code: c.code.to_string(),
                    polarity: c.polarity,
                    coder: c.coder.to_string(),
                });
            }
        }
        let mut result = Reanchored {
            units_moved: moves.len(),
            orphans,
            applied: false,
        };
        if !result.orphans.is_empty() && !drop_orphans {
            return Ok(result);
        }

        let tx = self.write_tx()?;
        let unit_id = |span: Span| -> Result<i64, StoreError> {
            tx.query_row(
                "SELECT id FROM meaning_unit WHERE study_id = ?1 AND informant_id = ?2
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
        tx.execute(
            "UPDATE transcript SET text = ?3 WHERE study_id = ?1 AND informant_id = ?2",
            params![sid, iid, new.text()],
        )
        .map_err(StoreError::db)?;
        tx.commit().map_err(StoreError::db)?;
        result.applied = true;
        Ok(result)
    }
}
