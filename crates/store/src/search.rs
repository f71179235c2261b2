//! Full-text search over transcripts, with each hit in context and the codes on it.

use std::collections::hash_map::Entry;

use rusqlite::{params, OptionalExtension};
use samskap_core::{CodeId, CoderId, Qualifiers, SourceId, StudyId};
use serde::Serialize;

use crate::read::{get, text as text_of, Interner};
use crate::words::{self, Stemmer, Word};
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

/// How a search in words treats the other forms of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forms {
    /// Every form with the word's stem (`kommune` finds `kommunen`, `kommunene`,
    /// `kommunens`), where the study's language has a stemmer: Norwegian (`nb`, `nn`, `no`).
    /// Elsewhere, the words as written.
    Inflected,
    /// The words as written, case aside.
    AsWritten,
}

/// What a search looks for: made by [`Query::words`], which checks the text has a word, or
/// [`Query::fts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Text as a researcher types it. Its words (runs of letters and digits: the index's
    /// words; never empty) are found in this order, next to each other, whatever spaces or
    /// punctuation stand between them: `NAV-hatt` finds `NAV-hatt` and `NAV hatt`, `14.`
    /// finds `14`. Nothing in it is query syntax.
    Words { words: Vec<String>, forms: Forms },
    /// SQLite FTS5's query language, as written: words, "a phrase", prefix*, AND, OR, NOT,
    /// NEAR. The words as written.
    Fts(String),
}

impl Query {
    /// A search for the words of `text`, in order and next to each other; refused when it
    /// has none (`--`, `.`).
    pub fn words(text: &str, forms: Forms) -> Result<Self, QueryError> {
        let words: Vec<String> = words::words(text)
            .map(|w| text[w.start_byte..w.end_byte].to_owned())
            .collect();
        if words.is_empty() {
            return Err(QueryError::NoWords(text.to_owned()));
        }
        Ok(Self(Kind::Words { words, forms }))
    }

    /// A search in FTS5's query language.
    pub fn fts(text: &str) -> Self {
        Self(Kind::Fts(text.to_owned()))
    }

    /// How a search in words treats other forms of its words; `None` for an FTS5 query.
    pub fn forms(&self) -> Option<Forms> {
        match &self.0 {
            Kind::Words { forms, .. } => Some(*forms),
            Kind::Fts(_) => None,
        }
    }
}

/// A search that cannot run as asked: the asker's to mend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Plain text with no word in it.
    #[error("search `{0}`: no word to search for (a word is letters or digits; spaces and punctuation only separate words)")]
    NoWords(String),
    /// An FTS5 query that FTS5 refuses.
    #[error("--fts: `{query}` is not a valid FTS5 query ({reason}). The syntax (words, \"a phrase\", prefix*, AND, OR, NOT, NEAR) is described in docs/analysis.md (`search`) and at https://sqlite.org/fts5.html#full_text_query_syntax; without --fts the text is searched as plain words")]
    Syntax {
        /// The query as given.
        query: String,
        /// What FTS5 said was wrong.
        reason: String,
    },
}

/// What a search did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Searched {
    /// How many hits it handed on.
    pub hits: usize,
    /// Whether words were matched by their stems, so that other forms were found too.
    pub stemmed: bool,
}

/// How the hits in a candidate transcript are placed.
enum Place {
    /// By FTS5's highlight() marks.
    Marks,
    /// By finding the words' keys (folded, or stemmed by the stemmer) in a row.
    Words {
        keys: Vec<String>,
        stemmer: Option<Stemmer>,
    },
}

impl Store {
    /// Searches a study's transcripts and hands each hit to `each`, one transcript at a time,
    /// so a large result is never held in memory whole.
    ///
    /// Candidate transcripts come from an index: `transcript_fts` for FTS5 queries and for
    /// words as written, `transcript_stems` for words in every form. In each candidate, a
    /// query in words is found again by its words' keys (so a hit spans the whole phrase,
    /// punctuation inside it too); an FTS5 query's hits are the terms FTS5 marks.
    pub fn search(
        &self,
        study: &StudyId,
        query: &Query,
        among: Option<&samskap_core::InformantSet>,
        sources: Option<&samskap_core::SourceSet>,
        mut each: impl FnMut(Hit) -> Result<(), StoreError>,
    ) -> Result<Searched, StoreError> {
        let (index, column, expression, place) = match &query.0 {
            Kind::Fts(q) => (
                "transcript_fts",
                "highlight(transcript_fts, 0, char(1), char(2))",
                q.clone(),
                Place::Marks,
            ),
            Kind::Words { words, forms } => {
                let stemmer = match forms {
                    Forms::Inflected => self.stemmer_of(study)?,
                    Forms::AsWritten => None,
                };
                let keys: Vec<String> = words.iter().map(|w| words::key(w, stemmer)).collect();
                // A word is letters and digits, so a phrase of words needs no escaping.
                let (index, phrase) = match stemmer {
                    Some(_) => ("transcript_stems", phrase(&keys)),
                    None => ("transcript_fts", phrase(words)),
                };
                (index, "t.text", phrase, Place::Words { keys, stemmer })
            }
        };
        let bad_query = |e: rusqlite::Error| match &query.0 {
            Kind::Fts(q) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::Unknown) => {
                let said = e.to_string();
                StoreError::Query(QueryError::Syntax {
                    query: q.clone(),
                    reason: said.strip_prefix("fts5: ").unwrap_or(&said).to_owned(),
                })
            }
            _ => StoreError::db(e),
        };
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT t.source_id, {column}
                 FROM {index} JOIN transcript t ON t.rowid = {index}.rowid
                 WHERE {index} MATCH ?1 AND t.study_id = ?2
                   AND (?3 IS NULL OR EXISTS (
                         SELECT 1 FROM source_informant si
                         WHERE si.study_id = t.study_id AND si.source_id = t.source_id
                           AND si.informant_id IN (SELECT value FROM json_each(?3))))
                   AND (?4 IS NULL OR t.source_id IN (SELECT value FROM json_each(?4)))
                 ORDER BY t.rowid"
            ))
            .map_err(StoreError::db)?;
        let mut rows = st
            .query(params![
                expression,
                study.as_str(),
                crate::quotes::among_json(among),
                sources.map(|set| {
                    serde_json::Value::Array(set.iter().map(|s| s.as_str().into()).collect())
                        .to_string()
                })
            ])
            .map_err(bad_query)?;
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
        while let Some(row) = rows.next().map_err(bad_query)? {
            let source: String = row.get(0).map_err(StoreError::db)?;
            let found: String = row.get(1).map_err(StoreError::db)?;
            let source: SourceId = source.parse().map_err(StoreError::corrupt)?;
            let marks = match &place {
                Place::Marks => unmark(&found),
                Place::Words { keys, stemmer } => Marks {
                    spans: find(&found, keys, *stemmer),
                    text: found,
                },
            };
            if marks.spans.is_empty() {
                continue;
            }
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
        Ok(Searched {
            hits: count,
            stemmed: matches!(
                place,
                Place::Words {
                    stemmer: Some(_),
                    ..
                }
            ),
        })
    }

    /// The stemmer of the study's language, if it names one that has a stemmer.
    fn stemmer_of(&self, study: &StudyId) -> Result<Option<Stemmer>, StoreError> {
        let language: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT language FROM study WHERE id = ?1",
                [study.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::db)?;
        Ok(language.flatten().as_deref().and_then(Stemmer::of_language))
    }
}

/// An FTS5 phrase of words that hold only letters and digits.
fn phrase(words: &[String]) -> String {
    debug_assert!(words.iter().all(|w| !w.contains('"')));
    format!("\"{}\"", words.join(" "))
}

/// Where the words of `text` whose keys are `keys`, in order, stand: each span from the
/// first word's start to the last word's end, the next looked for after it.
fn find(text: &str, keys: &[String], stemmer: Option<Stemmer>) -> Vec<Span> {
    let found: Vec<(Word, String)> = words::words(text)
        .map(|w| (w, words::key(&text[w.start_byte..w.end_byte], stemmer)))
        .collect();
    let n = keys.len();
    let mut spans = Vec::new();
    let mut i = 0;
    while n > 0 && i + n <= found.len() {
        if found[i..i + n].iter().map(|(_, k)| k).eq(keys.iter()) {
            let (first, last) = (found[i].0, found[i + n - 1].0);
            spans.push(Span {
                start_char: first.start_char,
                end_char: last.end_char,
                start_byte: first.start_byte,
                end_byte: last.end_byte,
            });
            i += n;
        } else {
            i += 1;
        }
    }
    spans
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
    use samskap_core::StudyId;

    use super::{chars_after, chars_before, unmark, Forms, Hit, Query, QueryError, Searched};
    use crate::{Replace, Store, StoreError};

    fn fts_integrity(store: &Store) -> rusqlite::Result<usize> {
        store.conn.execute(
            "INSERT INTO transcript_fts (transcript_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )?;
        store.conn.execute(
            "INSERT INTO transcript_stems (transcript_stems, rank) VALUES ('integrity-check', 1)",
            [],
        )
    }

    fn fixture(name: &str) -> samskap_core::Study {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(name);
        samskap_bundle::read(&dir).unwrap()
    }

    /// A store holding the thesis (`ung-inkludering`, which names no language), and its id.
    fn thesis() -> (Store, StudyId) {
        let mut store = Store::open_in_memory().unwrap();
        let study = fixture("ung-inkludering");
        store.import_study(&study, Replace::No).unwrap();
        (store, study.meta().id.clone())
    }

    fn hits(store: &Store, study: &StudyId, query: &Query) -> (Vec<Hit>, Searched) {
        let mut hits = Vec::new();
        let searched = store
            .search(study, query, None, None, |h| {
                hits.push(h);
                Ok(())
            })
            .unwrap();
        assert_eq!(searched.hits, hits.len());
        (hits, searched)
    }

    fn words(text: &str, forms: Forms) -> Query {
        Query::words(text, forms).unwrap()
    }

    fn matched(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.matched.as_str()).collect()
    }

    #[test]
    fn plain_text_is_searched_as_words_whatever_its_punctuation() {
        let (store, id) = thesis();
        for (text, found) in [
            ("NAV-hatt", "NAV-hatt"),
            ("nav hatt", "NAV-hatt"),
            ("PP-tjenesten", "PP-tjenesten"),
            ("14.", "14"),
            ("\"hele kommunen\"", "hele kommunen"),
        ] {
            for forms in [Forms::Inflected, Forms::AsWritten] {
                let (hits, searched) = hits(&store, &id, &words(text, forms));
                assert!(!hits.is_empty(), "{text}");
                assert!(hits.iter().all(|h| h.matched == found), "{text}: {hits:?}");
                assert!(!searched.stemmed, "the thesis names no language");
            }
        }
        // A hit spans the whole phrase, from its first word to its last, punctuation and
        // all, as FTS5 marks a phrase.
        let (plain, _) = hits(&store, &id, &words("NAV-hatt", Forms::AsWritten));
        let (fts, _) = hits(&store, &id, &Query::fts("\"NAV hatt\""));
        assert_eq!(plain, fts);
        // Words that are not next to each other are not a hit.
        let (none, _) = hits(&store, &id, &words("hatt NAV", Forms::AsWritten));
        assert!(none.is_empty());
    }

    #[test]
    fn a_word_with_an_apostrophe_is_its_two_words() {
        let mut store = Store::open_in_memory().unwrap();
        let kilder = fixture("sources");
        store.import_study(&kilder, Replace::No).unwrap();
        let id = kilder.meta().id.clone();
        let note = samskap_core::Source {
            id: "notat".parse().unwrap(),
            kind: samskap_core::SourceKind::Document,
            title: None,
            date: None,
            informants: vec![],
            speakers: vec![],
            group: None,
            guide: None,
            meeting: None,
            attributes: Default::default(),
        };
        let text = "Det var kommune's ansvar, og kommune’s plan. En kommune, så s.";
        store
            .add_source(
                &id,
                note.clone(),
                samskap_core::Transcript::new(note.id.clone(), text),
            )
            .unwrap();
        for forms in [Forms::Inflected, Forms::AsWritten] {
            let (hits, _) = hits(&store, &id, &words("kommune's", forms));
            assert_eq!(matched(&hits), ["kommune's", "kommune’s"], "{forms:?}");
            assert_eq!((hits[0].start, hits[0].end), (8, 17));
        }
    }

    #[test]
    fn text_without_a_word_is_refused_and_no_text_is_fts_syntax() {
        for text in ["--", ".", "", "  ", "'\"*()", "-- . --", "\"\"\""] {
            assert_eq!(
                Query::words(text, Forms::Inflected),
                Err(QueryError::NoWords(text.to_owned()))
            );
        }
        let (store, id) = thesis();
        // What FTS5 reads as syntax is only words here.
        for text in [
            "AND",
            "a OR",
            "NOT kommunen",
            "\"unclosed",
            "møtearena*",
            "text:kommunen",
            "NEAR(a b",
            "^kommunen",
            "-kommunen",
            "{text}: x",
            "x + y",
            "\u{1E030}",
            "a\u{10D4A}b",
        ] {
            for forms in [Forms::Inflected, Forms::AsWritten] {
                store
                    .search(&id, &words(text, forms), None, None, |_| Ok(()))
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
            }
        }
        let (hits, _) = hits(&store, &id, &words("møtearena*", Forms::AsWritten));
        assert!(hits.is_empty(), "a plain `*` is no prefix: {hits:?}");
        // Nor anything else typed: FTS5's operators and punctuation, and letters newer than
        // the Unicode tables of SQLite's tokenizer (U+1E030, U+10D4A), which it takes for
        // separators.
        let mut runner =
            proptest::test_runner::TestRunner::new(proptest::test_runner::Config::with_cases(300));
        runner
            .run(
                &"(AND|OR|NOT|NEAR|[a-zæøåA-Z0-9 \"*()\\-+:^{}'.,’\u{1E030}\u{10D4A}\u{301}]){0,6}",
                |text| {
                    for forms in [Forms::Inflected, Forms::AsWritten] {
                        match Query::words(&text, forms) {
                            Ok(q) => {
                                store.search(&id, &q, None, None, |_| Ok(())).unwrap();
                            }
                            Err(QueryError::NoWords(_)) => {}
                            Err(e) => panic!("{text}: {e}"),
                        }
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn an_fts_query_that_fts5_refuses_is_a_query_error() {
        let (store, id) = thesis();
        for text in [
            "AND",
            "\"unclosed",
            "NAV-hatt",
            "PP-tjenesten",
            "14.",
            "kommune's",
        ] {
            match store.search(&id, &Query::fts(text), None, None, |_| Ok(())) {
                Err(StoreError::Query(QueryError::Syntax { query, reason })) => {
                    assert_eq!(query, text);
                    assert!(!reason.starts_with("fts5:"), "{reason}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        let e = store
            .search(&id, &Query::fts("AND"), None, None, |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--fts: `AND` is not a valid FTS5 query"),
            "{e}"
        );
        assert!(e.contains("docs/analysis.md"), "{e}");
        // The query language works as before.
        let (hits, _) = hits(&store, &id, &Query::fts("møtearena*"));
        assert!(!hits.is_empty());
    }

    /// A word searched as written finds exactly what FTS5 marks for it: same spans, same
    /// context, same codes.
    #[test]
    fn a_word_as_written_has_the_hits_fts5_marks() {
        let (store, id) = thesis();
        for word in [
            "golfklubben",
            "på",
            "kommunen",
            "NAV",
            "Det",
            "møtearenaene",
            "14",
        ] {
            let (plain, _) = hits(&store, &id, &words(word, Forms::AsWritten));
            let (fts, _) = hits(&store, &id, &Query::fts(word));
            assert!(!plain.is_empty(), "{word}");
            assert_eq!(plain, fts, "{word}");
        }
        let (plain, _) = hits(&store, &id, &words("hele kommunen", Forms::AsWritten));
        let (fts, _) = hits(&store, &id, &Query::fts("\"hele kommunen\""));
        assert_eq!(plain, fts);
    }

    #[test]
    fn a_norwegian_study_finds_every_form_of_a_word() {
        let (store, id) = thesis();
        let (written, searched) = hits(&store, &id, &words("kommune", Forms::Inflected));
        assert!(!searched.stemmed);
        assert_eq!(matched(&written), ["kommune", "kommune"]);
        // The study's language decides: named Norwegian, its transcripts' stems are indexed
        // anew (the language trigger) and searched.
        store
            .conn
            .execute(
                "UPDATE study SET language = 'nb-NO' WHERE id = ?1",
                [id.as_str()],
            )
            .unwrap();
        let forms = |text: &str| {
            let (hits, searched) = hits(&store, &id, &words(text, Forms::Inflected));
            assert!(searched.stemmed);
            let mut found: Vec<String> = hits.iter().map(|h| h.matched.to_lowercase()).collect();
            found.sort();
            found.dedup();
            (hits, found)
        };
        let (all, found) = forms("kommune");
        assert_eq!(found, ["kommune", "kommunen", "kommunene", "kommuner"]);
        assert_eq!(all.len(), 14);
        // Any form finds every other; a longer word with the same start is another word.
        for form in ["kommunen", "Kommunene", "kommunens", "kommuner"] {
            assert_eq!(forms(form).0, all, "{form}");
        }
        assert!(found.iter().all(|w| !w.starts_with("kommuned")));
        // A hit on a form as written is the same hit as when searched as written.
        let (exact, searched) = hits(&store, &id, &words("kommunen", Forms::AsWritten));
        assert!(!searched.stemmed);
        let stemmed_kommunen: Vec<Hit> = all
            .into_iter()
            .filter(|h| h.matched.to_lowercase() == "kommunen")
            .collect();
        assert_eq!(stemmed_kommunen, exact);
        // A phrase of stems is a phrase.
        let (phrase, _) = forms("hele kommune");
        assert!(
            phrase.iter().all(|h| h.matched == "hele kommunen"),
            "{phrase:?}"
        );
        assert_eq!(phrase.len(), 2);
        // A language with no stemmer: as written.
        store
            .conn
            .execute(
                "UPDATE study SET language = 'en' WHERE id = ?1",
                [id.as_str()],
            )
            .unwrap();
        let (hits, searched) = hits(&store, &id, &words("kommune", Forms::Inflected));
        assert!(!searched.stemmed);
        assert_eq!(hits, written);
        fts_integrity(&store).unwrap();
    }

    /// The words of the stems index: every term of `transcript_stems`.
    fn stem_terms(store: &Store) -> Vec<String> {
        store
            .conn
            .execute_batch(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_terms
                 USING fts5vocab(main, transcript_stems, row)",
            )
            .unwrap();
        let mut st = store
            .conn
            .prepare("SELECT term FROM temp.stem_terms ORDER BY term")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn the_stems_index_follows_every_write_of_a_transcript() {
        let mut store = Store::open_in_memory().unwrap();
        let kilder = fixture("sources");
        store.import_study(&kilder, Replace::No).unwrap();
        let id = kilder.meta().id.clone();
        let stemmed = |store: &Store, text: &str| {
            let (hits, searched) = hits(store, &id, &words(text, Forms::Inflected));
            assert!(searched.stemmed, "kilder is in Norwegian");
            matched(&hits)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            stemmed(&store, "møte"),
            ["møtene", "møter", "møter", "møte", "møte", "møtes"]
        );
        assert!(stem_terms(&store).contains(&"tjenest".to_owned()));
        // A replaced transcript is searched as it is now.
        let plan: samskap_core::SourceId = "plan".parse().unwrap();
        assert_eq!(stemmed(&store, "tjeneste"), ["tjenester", "tjenestenes"]);
        store
            .replace_transcript(&id, &plan, "Helt nye ord om tjenesteytingen.", true)
            .unwrap();
        assert_eq!(stemmed(&store, "tjeneste"), ["tjenester"]);
        assert_eq!(stemmed(&store, "ordene"), ["ord"]);
        // A withdrawn informant's words leave the index of stems too.
        let said_by_i3 = "oppstarten";
        assert!(!stemmed(&store, said_by_i3).is_empty());
        store.withdraw(&id, &"I3".parse().unwrap()).unwrap();
        assert!(stemmed(&store, said_by_i3).is_empty());
        assert!(!stem_terms(&store).contains(&"oppstart".to_owned()));
        // Importing the study again keeps both indexes sound.
        store.import_study(&kilder, Replace::Yes).unwrap();
        fts_integrity(&store).unwrap();
        assert!(!stemmed(&store, said_by_i3).is_empty());
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
        // And so for the index of stems, in a study whose language has them.
        let kilder = fixture("sources");
        store.import_study(&kilder, Replace::No).unwrap();
        store.import_study(&kilder, Replace::Yes).unwrap();
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
