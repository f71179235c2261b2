//! What can go wrong in the store, by meaning rather than by driver error code.

use std::path::PathBuf;

use samskap_core::facilitation::FacilitationError;
use samskap_core::ModelError;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store file where one was expected.
    #[error("no store at {0}: run `samskap init` or `samskap import DIR` first")]
    Missing(PathBuf),
    /// The file was made by a newer samskap.
    #[error("the store {path} has schema version {found}, newer than this samskap understands ({supported}); upgrade samskap to open it")]
    TooNew {
        /// The store's path.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Nothing with that id.
    #[error("no {what} `{id}` in the store")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The store holds no study yet.
    #[error("the store holds no study: import one with `samskap import DIR`")]
    NoStudy,
    /// Several studies and none chosen.
    #[error("the store holds several studies ({}); choose one with --study", .0.join(", "))]
    WhichStudy(Vec<String>),
    /// A value the model refuses (an unknown code, a span outside its transcript, ...).
    #[error("{0}")]
    Invalid(String),
    /// The write would contradict what the store holds.
    #[error("{0}")]
    Conflict(String),
    /// A checked change to a study that the model refused, with the model's own error, so
    /// that a front end can tell which value was at fault without reading the message.
    #[error("{reason}")]
    Refused {
        /// Why, as the model said it.
        reason: Refusal,
        /// True when the change contradicts what the store holds (a duplicate id, a second
        /// agreed problem statement, a lifecycle step or a date out of order with the stored
        /// history); false when it is wrong in itself.
        conflict: bool,
    },
    /// The token a write was made under is not live (revoked since the request was let in)
    /// when the write's transaction runs: nothing was written.
    #[error("the token `{0}` is revoked")]
    Revoked(String),
    /// `undo` found no entry of the study's journal that can be undone.
    #[error("nothing to undo in study `{0}`: no edit of it in the journal can be undone (`samskap history` lists them)")]
    NothingToUndo(String),
    /// Another process holds the database longer than the busy timeout.
    #[error("the store is busy (another samskap is writing to it); try again")]
    Busy,
    /// Stored data that the model refuses: the file was edited by hand or is damaged.
    #[error("the store holds data that samskap cannot read: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
    /// A file where samskap means to write one (a backup) exists already.
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    /// A file that should be a samskap store (a backup to restore) is not one.
    #[error("{} is not a samskap store: {reason}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// Another tool's file (a Taguette database) that samskap does not read: not a regular
    /// file, too large, not SQLite, damaged, or not the tool's shape.
    #[error("{}: {reason}", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// Why, naming what is missing or wrong.
        reason: String,
    },
    /// A file could not be read, written, renamed or removed.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A search that cannot run as asked: no word to search for, or FTS5 syntax it breaks.
    /// The user's to mend, not the store's.
    #[error(transparent)]
    Query(#[from] crate::search::QueryError),
}

/// The model's refusal of a checked change: core's error, kept typed.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The facilitation record refused it.
    #[error(transparent)]
    Facilitation(#[from] FacilitationError),
    /// The study refused it (a member).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The codebook refused an edit (an unknown code, a path taken, a move under itself, a
    /// recode the codings' qualifier values would not fit).
    #[error(transparent)]
    Codebook(#[from] samskap_core::codebook::EditError),
}

impl StoreError {
    pub(crate) fn db(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Database(e.to_string()),
        }
    }

    pub(crate) fn file(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| StoreError::File {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn corrupt(e: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
