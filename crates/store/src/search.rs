//! Full-text search over transcripts, with each hit in context and the codes on it.

use std::collections::hash_map::Entry;

use rusqlite::params;
use samskap_core::{CodeId, CoderId, Qualifiers, SourceId, StudyId};
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
    /// The source whose text it is in.
    pub source: SourceId,
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
        among: Option<&samskap_core::InformantSet>,
        sources: Option<&samskap_core::SourceSet>,
        mut each: impl FnMut(Hit) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT t.source_id, highlight(transcript_fts, 0, char(1), char(2))
                 FROM transcript_fts JOIN transcript t ON t.rowid = transcript_fts.rowid
                 WHERE transcript_fts MATCH ?1 AND t.study_id = ?2
                   AND (?3 IS NULL OR EXISTS (
                         SELECT 1 FROM source_informant si
                         WHERE si.study_id = t.study_id AND si.source_id = t.source_id
                           AND si.informant_id IN (SELECT value FROM json_each(?3))))
                   AND (?4 IS NULL OR t.source_id IN (SELECT value FROM json_each(?4)))
                 ORDER BY t.rowid",
            )
            .map_err(StoreError::db)?;
        let mut rows = st
            .query(params![
                query,
                study.as_str(),
                crate::quotes::among_json(among),
                sources.map(|set| {
                    serde_json::Value::Array(set.iter().map(|s| s.as_str().into()).collect())
                        .to_string()
                })
            ])
            .map_err(|e| bad_query(query, e))?;
        // Each transcript's units are read once, by position (without their codings), and
        // each hit takes the ones it overlaps from that list; only those units' codings are
        // read. A query per hit would scan the transcript's units again for every hit, and
        // reading every unit's codings reads the whole study for a common word.
        let mut units = self
            .conn
            .prepare(
                "SELECT start_char, end_char, id FROM meaning_unit
                 WHERE study_id = ?1 AND source_id = ?2
                 ORDER BY start_char",
            )
            .map_err(StoreError::db)?;
        let mut codings = self
            .conn
            .prepare("SELECT id, code, qualifiers, coder FROM coding WHERE unit_id = ?1")
            .map_err(StoreError::db)?;
        let mut codes_of = Interner::<CodeId>::new();
        let mut sets_of = Interner::<Qualifiers>::new();
        let mut coders_of = Interner::<CoderId>::new();
        let mut count = 0;
        while let Some(row) = rows.next().map_err(|e| bad_query(query, e))? {
            let source: String = row.get(0).map_err(StoreError::db)?;
            let marked: String = row.get(1).map_err(StoreError::db)?;
            let source: SourceId = source.parse().map_err(StoreError::corrupt)?;
            let marks = unmark(&marked);
            // The codings of the units hits overlap, by unit row id, for this transcript.
            let mut codes_on: foldhash::HashMap<i64, Vec<(i64, HitCode)>> =
                foldhash::HashMap::default();
            // (start, end, unit's row id) of every unit, by start.
            let mut coded: Vec<(usize, usize, i64)> = Vec::new();
            let mut rows = units
                .query(params![study.as_str(), source.as_str()])
                .map_err(StoreError::db)?;
            while let Some(r) = rows.next().map_err(StoreError::db)? {
                coded.push((
                    get::<i64>(r, 0)? as usize,
                    get::<i64>(r, 1)? as usize,
                    get(r, 2)?,
                ));
            }
            let longest = coded.iter().map(|u| u.1 - u.0).max().unwrap_or(0);
            for hit in &marks.spans {
                let (start, end) = (hit.start_char, hit.end_char);
                // A unit that starts `longest` or more before the hit ends before it.
                let from = coded.partition_point(|u| u.0 + longest <= start);
                let to = coded.partition_point(|u| u.0 < end);
                // (coding's row id, code) of every coding on a unit the hit overlaps.
                let mut on: Vec<(i64, HitCode)> = Vec::new();
                for u in coded[from..to.max(from)].iter().filter(|u| u.1 > start) {
                    // A unit's codings are read once, however many hits it holds.
                    let found = match codes_on.entry(u.2) {
                        Entry::Occupied(e) => e.into_mut(),
                        Entry::Vacant(e) => {
                            let mut found = Vec::new();
                            let mut rows = codings.query([u.2]).map_err(StoreError::db)?;
                            while let Some(r) = rows.next().map_err(StoreError::db)? {
                                found.push((
                                    get(r, 0)?,
                                    HitCode {
                                        code: codes_of.get(text_of(r, 1)?)?,
                                        qualifiers: sets_of.get(text_of(r, 2)?)?,
                                        coder: coders_of.get(text_of(r, 3)?)?,
                                    },
                                ));
                            }
                            e.insert(found)
                        }
                    };
                    on.extend(found.iter().cloned());
                }
                on.sort_by_key(|u| u.0);
                let text = &marks.text;
                each(Hit {
                    source: source.clone(),
                    start,
                    end,
                    before: chars_before(&text[..hit.start_byte], CONTEXT).to_owned(),
                    matched: text[hit.start_byte..hit.end_byte].to_owned(),
                    after: chars_after(&text[hit.end_byte..], CONTEXT).to_owned(),
                    codes: on.into_iter().map(|u| u.1).collect(),
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

/// A marked span of a text, in characters and in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start_char: usize,
    end_char: usize,
    start_byte: usize,
    end_byte: usize,
}

/// A text without its marks, and the spans that were marked.
#[derive(Debug, PartialEq, Eq)]
struct Marks {
    text: String,
    spans: Vec<Span>,
}

/// The text without marks and the spans that were marked, counted in characters as it goes
/// (no copy of the text as characters). Adjacent marked terms of a phrase are joined into
/// one span.
fn unmark(marked: &str) -> Marks {
    let mut text = String::with_capacity(marked.len());
    let mut spans: Vec<Span> = Vec::new();
    let mut chars = 0;
    let mut open: Option<(usize, usize)> = None;
    for c in marked.chars() {
        match c {
            OPEN => open = Some((chars, text.len())),
            CLOSE => {
                if let Some((start_char, start_byte)) = open.take() {
                    match spans.last_mut() {
                        // "a phrase": terms separated by one space or less join up.
                        Some(last)
                            if start_char.saturating_sub(last.end_char) <= 1
                                && text[last.end_byte..start_byte].bytes().all(|b| b == b' ') =>
                        {
                            last.end_char = chars;
                            last.end_byte = text.len();
                        }
                        _ => spans.push(Span {
                            start_char,
                            end_char: chars,
                            start_byte,
                            end_byte: text.len(),
                        }),
                    }
                }
            }
            _ => {
                text.push(c);
                chars += 1;
            }
        }
    }
    Marks { text, spans }
}

/// The last `n` characters of `s` (all of it if shorter).
fn chars_before(s: &str, n: usize) -> &str {
    let at = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if n == 0 {
        ""
    } else {
        &s[at..]
    }
}

/// The first `n` characters of `s` (all of it if shorter).
fn chars_after(s: &str, n: usize) -> &str {
    &s[..s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)]
}

#[cfg(test)]
mod tests {
    use super::{chars_after, chars_before, unmark};
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
    fn marks_become_character_and_byte_spans() {
        let m = unmark("på \u{1}øya\u{2} og \u{1}på\u{2} \u{1}øya\u{2}");
        assert_eq!(m.text, "på øya og på øya");
        let chars: Vec<(usize, usize)> =
            m.spans.iter().map(|s| (s.start_char, s.end_char)).collect();
        assert_eq!(chars, vec![(3, 6), (10, 16)]);
        let words: Vec<&str> = m
            .spans
            .iter()
            .map(|s| &m.text[s.start_byte..s.end_byte])
            .collect();
        assert_eq!(words, vec!["øya", "på øya"]);
    }

    #[test]
    fn context_is_counted_in_characters() {
        assert_eq!(chars_before("æøå abc", 3), "abc");
        assert_eq!(chars_before("æøå abc", 5), "å abc");
        assert_eq!(chars_before("æø", 5), "æø");
        assert_eq!(chars_before("æø", 0), "");
        assert_eq!(chars_after("æøå abc", 2), "æø");
        assert_eq!(chars_after("æø", 5), "æø");
        assert_eq!(chars_after("æø", 0), "");
    }
}
