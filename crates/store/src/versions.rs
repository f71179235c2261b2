//! Codebook versions (schema 8): every change to a framework is recorded as a new version
//! with who made it, when, what it did and a note, and the framework as it then was (its
//! TOML text), so that any version can be shown or compared with another.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::{Framework, FrameworkId};

use crate::read::{get, parse, rows};
use crate::{Store, StoreError};

/// Who changes a codebook, when, and why. The store takes the time as given: the caller
/// decides it (the CLI passes the time now, a test a fixed one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Who (a user name).
    pub by: String,
    /// When, as RFC 3339 text.
    pub at: String,
    /// Why, in the author's words.
    pub note: Option<String>,
}

/// One recorded version of a framework.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FrameworkVersion {
    /// The framework.
    pub framework: FrameworkId,
    /// Its number, from 1.
    pub version: u32,
    /// When (RFC 3339); `None` for a first version nobody recorded a time for (one that was
    /// in the store before versions were kept, or came in with a study).
    pub at: Option<String>,
    /// Who; `None` as for `at`.
    pub by: Option<String>,
    /// What changed, in one line (`rename a/b → a/c`).
    pub what: String,
    /// The author's note.
    pub note: Option<String>,
}

/// The version a framework is at now (its last recorded one).
pub(crate) fn current(conn: &Connection, framework: &str) -> Result<u32, StoreError> {
    // Cached: every write of codings asks.
    let v: Option<u32> = conn
        .prepare_cached("SELECT max(version) FROM framework_version WHERE framework_id = ?1")
        .and_then(|mut st| st.query_row([framework], |r| r.get(0)))
        .map_err(StoreError::db)?;
    v.ok_or_else(|| StoreError::Corrupt(format!("framework `{framework}` has no version")))
}

/// Records `f` as the next version of its framework (version 1 when none is recorded).
pub(crate) fn record(
    tx: &Transaction<'_>,
    f: &Framework,
    change: Option<&Change>,
    what: &str,
) -> Result<u32, StoreError> {
    let fid = f.id().as_str();
    let last: Option<u32> = tx
        .query_row(
            "SELECT max(version) FROM framework_version WHERE framework_id = ?1",
            [fid],
            |r| r.get(0),
        )
        .map_err(StoreError::db)?;
    let version = last.map_or(1, |v| v + 1);
    tx.execute(
        "INSERT INTO framework_version (framework_id, version, at, by, what, note, toml)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            fid,
            version,
            change.map(|c| &c.at),
            change.map(|c| &c.by),
            what,
            change.and_then(|c| c.note.as_ref()),
            f.to_toml()
        ],
    )
    .map_err(StoreError::db)?;
    Ok(version)
}

impl Store {
    /// The versions of a framework, oldest first.
    pub fn framework_log(
        &self,
        framework: &FrameworkId,
    ) -> Result<Vec<FrameworkVersion>, StoreError> {
        let log = rows(
            &self.conn,
            "SELECT framework_id, version, at, by, what, note FROM framework_version
             WHERE framework_id = ?1 ORDER BY version",
            [framework.as_str()],
            |r| {
                Ok(FrameworkVersion {
                    framework: parse(get(r, 0)?)?,
                    version: get(r, 1)?,
                    at: get(r, 2)?,
                    by: get(r, 3)?,
                    what: get(r, 4)?,
                    note: get(r, 5)?,
                })
            },
        )?;
        if log.is_empty() {
            return Err(StoreError::NotFound {
                what: "framework",
                id: framework.to_string(),
            });
        }
        Ok(log)
    }

    /// The version a framework is at now.
    pub fn framework_version(&self, framework: &FrameworkId) -> Result<u32, StoreError> {
        self.framework_log(framework)?;
        current(&self.conn, framework.as_str())
    }

    /// A framework as it was at `version`.
    pub fn framework_at(
        &self,
        framework: &FrameworkId,
        version: u32,
    ) -> Result<Framework, StoreError> {
        let toml: Option<String> = self
            .conn
            .query_row(
                "SELECT toml FROM framework_version WHERE framework_id = ?1 AND version = ?2",
                params![framework.as_str(), version],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::db)?;
        let toml = toml.ok_or_else(|| StoreError::NotFound {
            what: "framework version",
            id: format!("{framework} version {version}"),
        })?;
        Framework::from_toml(&toml).map_err(StoreError::corrupt)
    }
}

impl Store {
    /// How many of `coder`'s codings in a study were made under each version of the
    /// study's framework, oldest first.
    pub fn coding_versions(
        &self,
        study: &samskap_core::StudyId,
        coder: &samskap_core::CoderId,
    ) -> Result<Vec<(u32, usize)>, StoreError> {
        rows(
            &self.conn,
            "SELECT c.version, count(*) FROM coding c JOIN meaning_unit u ON u.id = c.unit_id
             WHERE u.study_id = ?1 AND c.coder = ?2 GROUP BY c.version ORDER BY c.version",
            [study.as_str(), coder.as_str()],
            |r| Ok((get(r, 0)?, get::<i64>(r, 1)? as usize)),
        )
    }
}
