//! Full-text search over transcripts, with each hit in context and the codes on it.

use rusqlite::params;
use samskap_core::{CodeId, CoderId, InformantId, Qualifiers, StudyId};
use serde::Serialize;

use crate::read::{get, text as text_of, Interner};
use crate::{Store, StoreError};

/// Characters of context on each side of a hit.
const CONTEXT: usize = 60;

/// Marks FTS5's highlight() puts around matched terms: control characters that a
/// normalised transcript does not contain.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

/// A code on text that a hit touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HitCode {
    /// The code.
    pub code: CodeId,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// Who coded it.
    pub coder: CoderId,
}

/// One match of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Whose transcript.
    pub informant: InformantId,
    /// Start of the matched text (characters).
    pub start: usize,
    /// End of the matched text.
    pub end: usize,
    /// Up to 60 characters before it.
    pub before: String,
    /// The matched text.
    pub matched: String,
    /// Up to 60 characters after it.
    pub after: String,
    /// Codes of meaning units that overlap the match.
    pub codes: Vec<HitCode>,
}

impl Store {
    /// Runs an FTS5 query (words, "phrases", prefix*, AND/OR/NOT, NEAR) over a study's
    /// transcripts and hands each hit to `each`, one transcript at a time, so a large result
    /// is never held in memory whole. Returns the number of hits.
    pub fn search(
        &self,
        study: &StudyId,
        query: &str,
        mut each: impl FnMut(Hit) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT t.informant_id, highlight(transcript_fts, 0, char(1), char(2))
                 FROM transcript_fts JOIN transcript t ON t.rowid = transcript_fts.rowid
                 WHERE transcript_fts MATCH ?1 AND t.study_id = ?2
                 ORDER BY (SELECT i.rowid FROM informant i
                           WHERE i.study_id = t.study_id AND i.id = t.informant_id)",
            )
            .map_err(StoreError::db)?;
        let mut rows = st
            .query(params![query, study.as_str()])
            .map_err(|e| bad_query(query, e))?;
        // Each transcript's coded units are read once, by position, and each hit takes the
        // ones it overlaps from that list: a query per hit would scan the transcript's units
        // again for every hit.
        let mut units = self
            .conn
            .prepare(
                "SELECT u.start_char, u.end_char, c.id, c.code, c.qualifiers, c.coder
                 FROM meaning_unit u JOIN coding c ON c.unit_id = u.id
                 WHERE u.study_id = ?1 AND u.informant_id = ?2
                 ORDER BY u.start_char",
            )
            .map_err(StoreError::db)?;
        let mut codes_of = Interner::<CodeId>::new();
        let mut sets_of = Interner::<Qualifiers>::new();
        let mut coders_of = Interner::<CoderId>::new();
        let mut count = 0;
        while let Some(row) = rows.next().map_err(|e| bad_query(query, e))? {
            let informant: String = row.get(0).map_err(StoreError::db)?;
            let marked: String = row.get(1).map_err(StoreError::db)?;
            let informant: InformantId = informant.parse().map_err(StoreError::corrupt)?;
            let (text, spans) = unmark(&marked);
            // (start, end, coding's row id, code) of every coding, by start.
            let mut coded: Vec<(usize, usize, i64, HitCode)> = Vec::new();
            let mut rows = units
                .query(params![study.as_str(), informant.as_str()])
                .map_err(StoreError::db)?;
            while let Some(r) = rows.next().map_err(StoreError::db)? {
                coded.push((
                    get::<i64>(r, 0)? as usize,
                    get::<i64>(r, 1)? as usize,
                    get(r, 2)?,
                    HitCode {
                        code: codes_of.get(text_of(r, 3)?)?,
                        qualifiers: sets_of.get(text_of(r, 4)?)?,
                        coder: coders_of.get(text_of(r, 5)?)?,
                    },
                ));
            }
            let longest = coded.iter().map(|u| u.1 - u.0).max().unwrap_or(0);
            for (start, end) in spans {
                // A unit that starts `longest` or more before the hit ends before it.
                let from = coded.partition_point(|u| u.0 + longest <= start);
                let to = coded.partition_point(|u| u.0 < end);
                let mut on: Vec<&(usize, usize, i64, HitCode)> = coded[from..to.max(from)]
                    .iter()
                    .filter(|u| u.1 > start)
                    .collect();
                on.sort_by_key(|u| u.2);
                let codes = on.into_iter().map(|u| u.3.clone()).collect();
                let slice = |a: usize, b: usize| text[a..b].iter().collect::<String>();
                each(Hit {
                    informant: informant.clone(),
                    start,
                    end,
                    before: slice(start.saturating_sub(CONTEXT), start),
                    matched: slice(start, end),
                    after: slice(end, (end + CONTEXT).min(text.len())),
                    codes,
                })?;
                count += 1;
            }
        }
        Ok(count)
    }
}

fn bad_query(query: &str, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Busy
        }
        _ => StoreError::Invalid(format!(
            "search `{query}`: {e} (use words, \"a phrase\", prefix*, AND, OR, NOT)"
        )),
    }
}

/// The text without marks, as characters, and the character spans that were marked.
/// Adjacent marked terms of a phrase are joined into one span.
fn unmark(marked: &str) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut text = Vec::with_capacity(marked.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            OPEN => open = Some(text.len()),
            CLOSE => {
                if let Some(start) = open.take() {
                    match spans.last_mut() {
                        // "a phrase": terms separated by one space or less join up.
                        Some(last)
                            if start.saturating_sub(last.1) <= 1
                                && text[last.1..start].iter().all(|c| *c == ' ') =>
                        {
                            last.1 = text.len();
                        }
                        _ => spans.push((start, text.len())),
                    }
                }
            }
            _ => text.push(c),
        }
    }
    (text, spans)
}

#[cfg(test)]
mod tests {
    use super::unmark;
    use crate::{Replace, Store};

    fn fts_integrity(store: &Store) -> rusqlite::Result<usize> {
        store.conn.execute(
            "INSERT INTO transcript_fts (transcript_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
    }

    /// SQLite 3.46's FTS5 secure-delete left a malformed index when a transaction deleted
    /// rows and inserted new ones under the same rowids, as `import --replace` does; the
    /// bundled SQLite must be one that does not (3.47 and later).
    #[test]
    fn replacing_a_study_keeps_the_search_index_sound() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini");
        let study = samskap_bundle::read(&dir).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        store.import_study(&study, Replace::No).unwrap();
        fts_integrity(&store).unwrap();
        store.import_study(&study, Replace::Yes).unwrap();
        fts_integrity(&store).unwrap();
    }

    #[test]
    fn marks_become_character_spans() {
        let (text, spans) = unmark("på \u{1}øya\u{2} og \u{1}på\u{2} \u{1}øya\u{2}");
        let text: String = text.into_iter().collect();
        assert_eq!(text, "på øya og på øya");
        assert_eq!(spans, vec![(3, 6), (10, 16)]);
    }
}
