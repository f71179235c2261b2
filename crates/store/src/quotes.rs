//! Coded quotes straight from SQL, one row at a time, so that a listing of a large study
//! never holds the study in memory. The order and the filter are those of
//! `samskap_core::analysis::quotes`; a test keeps the two the same.

use rusqlite::params;
use samskap_core::analysis::{Filter, Quote};
use samskap_core::{
    CodeId, CoderId, Framework, GroupId, Qualifiers, SourceId, StudyId, StudyMeta, Transcript,
    NO_ONE,
};

use crate::read::Interner;
use crate::{read, Store, StoreError};

/// What a filter is checked against: the study's head, framework and group ids.
#[derive(Debug, Clone)]
pub struct Outline {
    /// The study's head.
    pub meta: StudyMeta,
    /// Its framework.
    pub framework: Framework,
    /// Its groups, in order.
    pub groups: Vec<GroupId>,
}

impl Store {
    /// The head, framework and group ids of a study, without its transcripts and codings.
    pub fn outline(&self, study: &StudyId) -> Result<Outline, StoreError> {
        let meta = read::studies(&self.conn)?
            .into_iter()
            .find(|s| &s.id == study)
            .ok_or_else(|| StoreError::NotFound {
                what: "study",
                id: study.to_string(),
            })?;
        let framework = read::framework_in(&self.conn, meta.framework.as_str())?;
        let mut st = self
            .conn
            .prepare("SELECT id FROM resource_group WHERE study_id = ?1 ORDER BY rowid")
            .map_err(StoreError::db)?;
        let groups = st
            .query_map([study.as_str()], |r| r.get::<_, String>(0))
            .map_err(StoreError::db)?
            .map(|g| {
                g.map_err(StoreError::db)?
                    .parse()
                    .map_err(StoreError::corrupt)
            })
            .collect::<Result<Vec<GroupId>, _>>()?;
        Ok(Outline {
            meta,
            framework,
            groups,
        })
    }

    /// Hands each quote that `filter` selects to `each`, in the order of
    /// `samskap_core::analysis::quotes`. Returns how many there were.
    pub fn quotes(
        &self,
        study: &StudyId,
        filter: &Filter,
        mut each: impl FnMut(Quote, Option<String>) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let order = self.qualifier_order(study, filter)?;
        // Whose words a unit holds follows from its source's turns: SQL narrows the codings
        // to the sources where the filter can keep any words, and each unit's voices are
        // tested here, by core's rule.
        let people = crate::sources::People::read(&self.conn, study.as_str())?;
        let speakers = filter.speakers(&people.informants);
        let candidates = people.candidates(filter, &speakers).map(|list| {
            serde_json::Value::Array(list.iter().map(|s| s.as_str().into()).collect()).to_string()
        });
        // The sets of values are few: matched through an index SQLite builds once on the
        // materialised list, not by a scan of the list per coding. The codings are read in
        // one pass in row order, each finding its unit by row id (CROSS JOIN fixes that
        // order; NOT INDEXED keeps SQLite off an index it would read in another order): a
        // plan led by the study's units looks each unit's codings up in an index instead,
        // three times slower on a million codings.
        let mut st = self
            .conn
            .prepare(
                "WITH q (key, rank) AS MATERIALIZED (SELECT key, value FROM json_each(?2))
                 SELECT u.source_id, u.start_char, u.end_char, c.code, c.qualifiers, c.coder,
                        c.memo, t.rowid
                 FROM coding c NOT INDEXED
                 CROSS JOIN meaning_unit u ON u.id = c.unit_id
                 JOIN transcript t ON t.study_id = u.study_id AND t.source_id = u.source_id
                 JOIN code k ON k.framework_id = c.framework_id AND k.path = c.code
                 JOIN q ON q.key = c.qualifiers
                 WHERE u.study_id = ?1
                   AND (?3 IS NULL OR c.code = ?3 OR substr(c.code, 1, length(?3) + 1) = ?3 || '/')
                   AND (?4 IS NULL OR c.coder = ?4)
                   AND (?5 IS NULL OR u.source_id IN (SELECT value FROM json_each(?5)))
                 ORDER BY k.rank, q.rank, t.rowid, u.start_char, u.end_char, c.coder",
            )
            .map_err(StoreError::db)?;
        let mut rows = st
            .query(params![
                study.as_str(),
                order,
                filter.code.as_ref().map(CodeId::as_str),
                filter.coder.as_ref().map(|c| c.as_str()),
                candidates,
            ])
            .map_err(StoreError::db)?;
        let needle = filter.text.as_ref().map(|t| t.to_lowercase());
        // Each transcript read once and sliced by its character index: SQL's substr counts
        // characters from the start of the text for every quote.
        let mut transcripts: foldhash::HashMap<i64, Transcript> = foldhash::HashMap::default();
        let mut codes: Interner<CodeId> = Interner::new();
        let mut qualifiers: Interner<Qualifiers> = Interner::new();
        let mut coders: Interner<CoderId> = Interner::new();
        let mut sources: Interner<SourceId> = Interner::new();
        let mut voices = Vec::new();
        let mut n = 0;
        while let Some(r) = rows.next().map_err(StoreError::db)? {
            let source = sources.get(read::text(r, 0)?)?;
            let transcript: i64 = r.get(7).map_err(StoreError::db)?;
            let (start, end) = (
                r.get::<_, i64>(1).map_err(StoreError::db)? as usize,
                r.get::<_, i64>(2).map_err(StoreError::db)? as usize,
            );
            let (source_voices, source_group) = people.sources.get(&source).ok_or_else(|| {
                StoreError::Corrupt(format!("a unit's source `{source}` is not described"))
            })?;
            let span =
                samskap_core::Span::new(start, end, usize::MAX).map_err(StoreError::corrupt)?;
            source_voices.of(span, &mut voices);
            if voices.is_empty() {
                voices.push(NO_ONE);
            }
            if !speakers.keeps(&voices, filter.keeps_no_one(source_group.as_ref())) {
                continue;
            }
            let t = match transcripts.entry(transcript) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let text: String = self
                        .conn
                        .query_row(
                            "SELECT text FROM transcript WHERE rowid = ?1",
                            [transcript],
                            |r| r.get(0),
                        )
                        .map_err(StoreError::db)?;
                    e.insert(Transcript::new(source.clone(), &text))
                }
            };
            let text = t
                .slice(t.span(start, end).map_err(StoreError::corrupt)?)
                .to_owned();
            // Case folding in Rust: SQLite's lower() knows only ASCII, not æøå.
            if needle
                .as_ref()
                .is_some_and(|t| !text.to_lowercase().contains(t))
            {
                continue;
            }
            let speaking: Vec<&samskap_core::Informant> = voices
                .iter()
                .filter(|&&v| v != NO_ONE)
                .map(|&v| &people.informants[v as usize])
                .collect();
            let quote = Quote {
                code: codes.get(read::text(r, 3)?)?,
                qualifiers: qualifiers.get(read::text(r, 4)?)?,
                coder: coders.get(read::text(r, 5)?)?,
                group: match speaking.first() {
                    Some(i) => i.group().cloned(),
                    None => source_group.clone(),
                },
                informants: speaking.iter().map(|i| i.id.clone()).collect(),
                source,
                start,
                end,
                text,
            };
            let memo: Option<String> = r.get(6).map_err(StoreError::db)?;
            each(quote, memo)?;
            n += 1;
        }
        Ok(n)
    }

    /// The sets of qualifier values that the study's codings carry and `filter` admits, as a
    /// JSON object from each (as stored) to its place in core's order: by the framework's
    /// order of qualifiers and of their values (see `samskap_core::analysis::Filter::codings`).
    /// A study has a few such sets, so they are ranked here once, not per coding in SQL.
    fn qualifier_order(&self, study: &StudyId, filter: &Filter) -> Result<String, StoreError> {
        let framework: String = self
            .conn
            .query_row(
                "SELECT framework_id FROM study WHERE id = ?1",
                [study.as_str()],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound {
                    what: "study",
                    id: study.to_string(),
                },
                e => StoreError::db(e),
            })?;
        let framework = read::framework_in(&self.conn, &framework)?;
        // The distinct sets of the framework's codings, found per code by seeking in the
        // index on (framework, code, qualifiers): a few lookups each, not a scan of the
        // codings. (Sets only other studies carry do no harm: no coding of this study has them.)
        let mut found: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let mut first = self
            .conn
            .prepare_cached(
                "SELECT min(qualifiers) FROM coding WHERE framework_id = ?1 AND code = ?2",
            )
            .map_err(StoreError::db)?;
        let mut next = self
            .conn
            .prepare_cached(
                "SELECT min(qualifiers) FROM coding
                 WHERE framework_id = ?1 AND code = ?2 AND qualifiers > ?3",
            )
            .map_err(StoreError::db)?;
        let fid = framework.id().as_str();
        for c in framework.codes() {
            let mut at: Option<String> = first
                .query_row(params![fid, c.id.as_str()], |r| r.get(0))
                .map_err(StoreError::db)?;
            while let Some(set) = at {
                at = next
                    .query_row(params![fid, c.id.as_str(), set], |r| r.get(0))
                    .map_err(StoreError::db)?;
                found.insert(set);
            }
        }
        let mut sets: Vec<(Vec<(usize, usize)>, String)> = Vec::new();
        for text in found {
            let q: Qualifiers = text.parse().map_err(StoreError::corrupt)?;
            if filter.qualifiers.iter().all(|(id, v)| q.get(id) == Some(v)) {
                sets.push((value_ranks(&framework, &q), text));
            }
        }
        sets.sort();
        let order: serde_json::Map<String, serde_json::Value> = sets
            .into_iter()
            .enumerate()
            .map(|(i, (_, text))| (text, i.into()))
            .collect();
        Ok(serde_json::Value::Object(order).to_string())
    }
}

/// A set of qualifier values as positions in the framework's order (qualifiers as declared,
/// values as listed), sorted: what core sorts codings by after their code.
fn value_ranks(f: &Framework, q: &Qualifiers) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = q
        .iter()
        .filter_map(|(id, value)| {
            let at = f.qualifiers().iter().position(|d| &d.id == id)?;
            Some((at, f.qualifiers()[at].value_rank(value)?))
        })
        .collect();
    v.sort_unstable();
    v
}

/// A selection of informants as the JSON array SQL reads with `json_each`, in SQL before
/// the sort, so that a narrow `--where` does not pay for every coding; `None` for all.
pub(crate) fn among_json(among: Option<&samskap_core::InformantSet>) -> Option<String> {
    among.map(|set| {
        serde_json::Value::Array(set.iter().map(|i| i.as_str().into()).collect()).to_string()
    })
}
