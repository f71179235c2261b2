//! Coded quotes straight from SQL, one row at a time, so that a listing of a large study
//! never holds the study in memory. The order and the filter are those of
//! `samskap_core::analysis::quotes`; a test keeps the two the same.

use rusqlite::params;
use samskap_core::analysis::{Filter, Quote};
use samskap_core::{CategoryId, CodeId, Framework, GroupId, StudyId, StudyMeta, Transcript};

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
        let mut st = self
            .conn
            .prepare(
                "SELECT u.informant_id, u.start_char, u.end_char,
                        c.category_id || '/' || c.subtheme_id, c.polarity, c.coder, c.memo,
                        i.group_id, t.rowid
                 FROM coding c
                 JOIN meaning_unit u ON u.id = c.unit_id
                 JOIN transcript t ON t.study_id = u.study_id AND t.informant_id = u.informant_id
                 JOIN informant i ON i.study_id = u.study_id AND i.id = u.informant_id
                 JOIN category k ON k.framework_id = c.framework_id AND k.id = c.category_id
                 JOIN subtheme s ON s.framework_id = c.framework_id AND s.category_id = c.category_id
                                AND s.id = c.subtheme_id
                 WHERE u.study_id = ?1
                   AND (?2 IS NULL OR c.category_id = ?2)
                   AND (?3 IS NULL OR (c.category_id = ?3 AND c.subtheme_id = ?4))
                   AND (?5 IS NULL OR c.polarity = ?5)
                   AND (?6 IS NULL OR i.group_id = ?6)
                   AND (?7 IS NULL OR c.coder = ?7)
                   AND (?8 IS NULL OR i.role = ?8)
                   AND (?9 = 0 OR i.consent = 'given')
                 ORDER BY k.rowid, s.rowid, c.polarity, i.rowid, u.start_char, u.end_char, c.coder",
            )
            .map_err(StoreError::db)?;
        let code = filter.code.as_ref();
        let mut rows = st
            .query(params![
                study.as_str(),
                filter.category.as_ref().map(CategoryId::as_str),
                code.map(|c| c.category.as_str()),
                code.map(|c| c.subtheme.as_str()),
                filter.polarity.map(|p| p.as_str()),
                filter.group.as_ref().map(GroupId::as_str),
                filter.coder.as_ref().map(|c| c.as_str()),
                filter.role.map(|r| r.as_str()),
                filter.consented_only,
            ])
            .map_err(StoreError::db)?;
        let needle = filter.text.as_ref().map(|t| t.to_lowercase());
        // Each transcript read once and sliced by its character index: SQL's substr counts
        // characters from the start of the text for every quote.
        let mut transcripts: foldhash::HashMap<i64, Transcript> = foldhash::HashMap::default();
        let mut n = 0;
        while let Some(r) = rows.next().map_err(StoreError::db)? {
            let transcript: i64 = r.get(8).map_err(StoreError::db)?;
            let (start, end) = (
                r.get::<_, i64>(1).map_err(StoreError::db)? as usize,
                r.get::<_, i64>(2).map_err(StoreError::db)? as usize,
            );
            let t = match transcripts.entry(transcript) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let (informant, text): (String, String) = self
                        .conn
                        .query_row(
                            "SELECT informant_id, text FROM transcript WHERE rowid = ?1",
                            [transcript],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .map_err(StoreError::db)?;
                    e.insert(Transcript::new(
                        informant.parse().map_err(StoreError::corrupt)?,
                        &text,
                    ))
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
            let code: CodeId = r
                .get::<_, String>(3)
                .map_err(StoreError::db)?
                .parse()
                .map_err(StoreError::corrupt)?;
            let get = |i| r.get::<_, String>(i).map_err(StoreError::db);
            let quote = Quote {
                code,
                polarity: get(4)?.parse().map_err(StoreError::corrupt)?,
                coder: get(5)?.parse().map_err(StoreError::corrupt)?,
                informant: get(0)?.parse().map_err(StoreError::corrupt)?,
                group: r
                    .get::<_, Option<String>>(7)
                    .map_err(StoreError::db)?
                    .map(|g| g.parse())
                    .transpose()
                    .map_err(StoreError::corrupt)?,
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
}
