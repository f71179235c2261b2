//! The samskap store: one SQLite file shared by the CLI, the API and the report exporter.
//!
//! This is the only crate that speaks SQL. Its public API takes and returns the types of
//! `samskap-core` and its own [`StoreError`], never the driver's, so another database could
//! stand behind it without the front ends noticing.
//!
//! ```
//! let store = samskap_store::Store::open_in_memory()?;
//! assert!(store.studies()?.is_empty());
//! # Ok::<(), samskap_store::StoreError>(())
//! ```

mod attributes;
mod backup;
mod codebook;
mod coded;
mod edit;
mod error;
mod facilitation;
mod guides;
mod journal;
mod known;
mod quotes;
mod read;
mod refi;
mod schema;
mod search;
mod sessions;
mod shared;
mod sources;
mod table;
mod taguette;
mod tokens;
mod transcripts;
mod versions;
mod withdraw;
mod words;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use samskap_core::{StudyId, StudyMeta};

pub use backup::{BackupEntry, BackupHolding, Restored};
pub use codebook::{Edited, Pick};
pub use coded::{CodedSource, SourceCoding};
pub use edit::{
    Added, CodingRef, Exemplar, FrameworkImport, MemoRow, NewCoding, Offsets, OnDuplicate,
    StoredCoding, UnitRef,
};
pub use error::{Refusal, StoreError};
pub use journal::{Actor, EditKind, JournalEntry, Undone, Via};
pub use known::Known;
pub use quotes::Outline;
pub use read::{InformantRow, Snapshot, StudySummary};
pub use refi::{RefiAttribute, RefiGuid, RefiRecord};
pub use schema::SCHEMA_VERSION;
pub use search::{Forms, Hit, HitCode, Query, QueryError, Searched};
pub use sessions::{SessionLimits, WebSession};
pub use shared::SharedStore;
pub use sources::SourceRow;
pub use taguette::TaguetteFile;
pub use tokens::{AuditEntry, AuditRecord, TokenInfo, TokenRole, UnknownRole};
pub use transcripts::{EvidenceOrphan, Orphan, Reanchored, UnitChange, UnitFate};
pub use versions::{Change, FrameworkVersion};
pub use withdraw::WithdrawOutcome;
pub use write::{ImportSummary, Replace};

/// How long a writer waits for another process's transaction before giving up. The CLI and
/// a running server share the file, so short waits are normal.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// An open store.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The copies in memory this connection keeps true, when it is a server's writer.
    snapshots: Option<std::sync::Arc<shared::Snapshots>>,
    /// An audit entry for the next checked write to commit with its change.
    audit: Option<AuditEntry>,
    /// Who the journal records as making the changes written through this connection.
    actor: journal::Actor,
}

impl Store {
    /// Opens the store at `path`, creating the file and schema when they do not exist.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(StoreError::db)?;
        Self::setup(conn, Some(path.to_owned()))
    }

    /// Opens the store at `path`, which must exist already.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        Self::open(path)
    }

    /// A private in-memory store, for tests and one-off work.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(StoreError::db)?;
        Self::setup(conn, None)
    }

    fn setup(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::db)?;
        // secure_delete: freed pages are zeroed, so withdrawn text does not linger in the file.
        // A 64 MiB page cache keeps a large study's indexes in memory while it is written or
        // read; temporary tables (an import stages transcripts in one) never touch the disk.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA cache_size = -65536;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(StoreError::db)?;
        if path.is_some() {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(StoreError::db)?;
            debug_assert_eq!(mode.to_lowercase(), "wal");
        }
        // Before migrating: schema 18's step and its triggers call it.
        words::register(&conn).map_err(StoreError::db)?;
        schema::migrate(&mut conn, path.as_deref())?;
        Ok(Self {
            conn,
            path,
            snapshots: None,
            audit: None,
            actor: journal::Actor::default(),
        })
    }

    /// Where the store lives; `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The studies in the store, in the order they were imported.
    pub fn studies(&self) -> Result<Vec<StudyMeta>, StoreError> {
        read::studies(&self.conn)
    }

    /// The one study in the store when `id` is `None`, or `id` when it exists.
    pub fn resolve_study(&self, id: Option<&StudyId>) -> Result<StudyId, StoreError> {
        let studies = self.studies()?;
        match id {
            Some(id) => studies
                .iter()
                .find(|s| &s.id == id)
                .map(|s| s.id.clone())
                .ok_or_else(|| StoreError::NotFound {
                    what: "study",
                    id: id.to_string(),
                }),
            None => match studies.as_slice() {
                [one] => Ok(one.id.clone()),
                [] => Err(StoreError::NoStudy),
                many => Err(StoreError::WhichStudy(
                    many.iter().map(|s| s.id.to_string()).collect(),
                )),
            },
        }
    }
}
