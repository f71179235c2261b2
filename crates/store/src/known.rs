//! The ids a study has of each kind, so that a front end can answer an unknown one with the
//! closest ("did you mean `G1`?") rather than with nothing.

use rusqlite::params;
use samskap_core::{CoderId, StudyId};

use crate::{Store, StoreError};

/// Things a study names by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Informants (withdrawn ones too: their ids stay).
    Informant,
    /// Sources: interviews, focus groups, minutes, ...
    Source,
    /// Resource groups.
    Group,
    /// Members of resource groups.
    Member,
}

impl Known {
    /// The name the store's errors use for it (`no informant `I9` in the store`).
    pub fn from_what(what: &str) -> Option<Self> {
        Some(match what {
            "informant" => Self::Informant,
            "source" | "transcript" => Self::Source,
            "group" | "resource group" => Self::Group,
            "member" => Self::Member,
            _ => return None,
        })
    }
}

impl Store {
    /// Every id of a kind in a study, in order.
    pub fn known_ids(&self, study: &StudyId, kind: Known) -> Result<Vec<String>, StoreError> {
        let sql = match kind {
            Known::Informant => "SELECT id FROM informant WHERE study_id = ?1 ORDER BY id",
            Known::Source => {
                "SELECT source_id FROM transcript WHERE study_id = ?1 ORDER BY source_id"
            }
            Known::Group => "SELECT id FROM resource_group WHERE study_id = ?1 ORDER BY id",
            Known::Member => "SELECT id FROM member WHERE study_id = ?1 ORDER BY id",
        };
        let mut st = self.conn.prepare_cached(sql).map_err(StoreError::db)?;
        let ids = st
            .query_map(params![study.as_str()], |r| r.get::<_, String>(0))
            .map_err(StoreError::db)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::db)?;
        Ok(ids)
    }

    /// True when `coder` made at least one coding in the study: it stops at the first.
    pub fn has_coder(&self, study: &StudyId, coder: &CoderId) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM coding c JOIN meaning_unit u ON u.id = c.unit_id
                                WHERE u.study_id = ?1 AND c.coder = ?2)",
                params![study.as_str(), coder.as_str()],
                |r| r.get(0),
            )
            .map_err(StoreError::db)
    }

    /// The coders of a study's codings, in order (a pass over its codings: for an answer
    /// to a coder that has none, not for every run).
    pub fn coders(&self, study: &StudyId) -> Result<Vec<CoderId>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT c.coder FROM coding c JOIN meaning_unit u ON u.id = c.unit_id
                 WHERE u.study_id = ?1 ORDER BY c.coder",
            )
            .map_err(StoreError::db)?;
        let rows = st
            .query_map(params![study.as_str()], |r| r.get::<_, String>(0))
            .map_err(StoreError::db)?;
        rows.map(|r| {
            let s = r.map_err(StoreError::db)?;
            s.parse()
                .map_err(|e| StoreError::Corrupt(format!("coder `{s}`: {e}")))
        })
        .collect()
    }
}
