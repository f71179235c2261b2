//! Backups: an online copy of the store (SQLite's backup API), checked and catalogued; a
//! backup restored in place of the store; and a withdrawal reaching the catalogued copies.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::backup::StepResult;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use samskap_core::{Consent, InformantId, StudyId};

use crate::schema::SCHEMA_VERSION;
use crate::{Store, StoreError, WithdrawOutcome};

/// A backup the store made, as its catalogue keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    /// Where it was written (absolute).
    pub path: PathBuf,
    /// When.
    pub made: DateTime<Utc>,
    /// The schema version of the copy.
    pub schema_version: i64,
}

/// Whether a catalogued backup still holds an informant's material.
#[derive(Debug)]
pub enum BackupHolding {
    /// The informant is there and has not withdrawn: their words are in the copy.
    Holds,
    /// The informant has withdrawn in the copy, or is not in it.
    Clear,
    /// No file at the catalogued path any more.
    Missing,
    /// The file could not be read as a samskap store: it may still hold their words.
    Unreadable(StoreError),
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The schema version of the backup, before it was brought up to date.
    pub from_version: i64,
    /// The backup of the store as it was before the restore, if one was asked for.
    pub kept: Option<BackupEntry>,
    /// Informants who had withdrawn in the store but not yet in the backup, and were
    /// withdrawn again in the restored store.
    pub withdrawn_again: Vec<(StudyId, InformantId)>,
    /// False when another process kept the WAL in use (see [`WithdrawOutcome::wal_cleared`]).
    pub wal_cleared: bool,
}

/// The tables without which a file is not a samskap store, whatever its version.
const CORE_TABLES: [&str; 6] = [
    "study",
    "informant",
    "transcript",
    "meaning_unit",
    "coding",
    "memo",
];

impl Store {
    /// Writes a copy of the store to `out` with SQLite's online backup (safe while other
    /// connections, a server's too, read and write), as one self-contained file (rollback
    /// journal, no `-wal`), checks it with `PRAGMA integrity_check`, and records it in the
    /// catalogue. The copy is written beside `out` and renamed into place, so `out` is never
    /// a half-written file. An existing `out` is refused unless `overwrite`.
    pub fn backup(&self, out: &Path, overwrite: bool) -> Result<BackupEntry, StoreError> {
        let out = resolved(out)?;
        self.refuse_own_files(&out)?;
        if out.is_dir() {
            return Err(StoreError::Invalid(format!(
                "{} is a directory; name the backup file",
                out.display()
            )));
        }
        if out.exists() && !overwrite {
            return Err(StoreError::Exists(out));
        }
        let tmp = beside(&out, "backup");
        let written = write_copy(&self.conn, &tmp).and_then(|version| {
            std::fs::rename(&tmp, &out).map_err(StoreError::file(&out))?;
            Ok(version)
        });
        let schema_version = match written {
            Ok(v) => v,
            Err(e) => {
                remove_with_journals(&tmp);
                return Err(e);
            }
        };
        let entry = BackupEntry {
            path: out,
            made: now(),
            schema_version,
        };
        record(&self.conn, &entry)?;
        Ok(entry)
    }

    /// The backups this store made, oldest first.
    pub fn backups(&self) -> Result<Vec<BackupEntry>, StoreError> {
        catalogue(&self.conn)
    }

    /// Each catalogued backup, with whether it still holds the informant's material. A file
    /// that cannot be read is reported as such, never taken as clear.
    pub fn backups_holding(
        &self,
        study: &StudyId,
        informant: &InformantId,
    ) -> Result<Vec<(BackupEntry, BackupHolding)>, StoreError> {
        Ok(self
            .backups()?
            .into_iter()
            .map(|e| {
                let h = holding(&e.path, study, informant);
                (e, h)
            })
            .collect())
    }

    /// Withdraws the informant in a catalogued backup, as [`Store::withdraw`] does in the
    /// store: the copy is scrubbed in place (not deleted), brought up to this schema if it
    /// is older, and left as one self-contained file again. Its catalogue entry is updated.
    pub fn purge_backup(
        &self,
        backup: &BackupEntry,
        study: &StudyId,
        informant: &InformantId,
    ) -> Result<WithdrawOutcome, StoreError> {
        self.refuse_own_files(&backup.path)?;
        // Only a samskap store: opening anything else as one would write samskap's schema
        // into it.
        inspect(&backup.path)?;
        let mut copy = Store::open_existing(&backup.path)?;
        copy.actor = self.actor.clone();
        let outcome = copy.withdraw(study, informant)?;
        rollback_journal(&copy.conn)?;
        drop(copy);
        record(
            &self.conn,
            &BackupEntry {
                schema_version: SCHEMA_VERSION,
                ..backup.clone()
            },
        )?;
        Ok(outcome)
    }

    /// Puts the backup `from` in place of this store's content, in one step that other
    /// connections see as one commit:
    ///
    /// - `from` must be a samskap store (an SQLite file with samskap's tables) that passes
    ///   `PRAGMA integrity_check`, and not newer than this samskap; an older one is brought
    ///   up to date (in a copy: `from` itself is only read);
    /// - every study in it must load (the model's checks);
    /// - `keep`, when given, first receives a backup of the store as it is;
    /// - informants withdrawn in the store are withdrawn again in the restored content, so a
    ///   backup from before a withdrawal does not bring their words back;
    /// - the catalogue of backups keeps the store's entries (and `keep`'s) besides the
    ///   backup's own.
    ///
    /// Everything else (studies, tokens, the audit log) is as it was in the backup.
    pub fn restore(&mut self, from: &Path, keep: Option<&Path>) -> Result<Restored, StoreError> {
        let own = self
            .path
            .clone()
            .ok_or_else(|| StoreError::Invalid("only a store file can be restored".into()))?;
        let from = resolved(from)?;
        self.refuse_own_files(&from)?;
        let from_version = inspect(&from)?;
        let kept = keep.map(|k| self.backup(k, false)).transpose()?;
        let withdrawn: Vec<(String, String)> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT study_id, id FROM informant WHERE consent = 'withdrawn' ORDER BY rowid",
                )
                .map_err(StoreError::db)?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(StoreError::db)?;
            rows.collect::<Result<_, _>>().map_err(StoreError::db)?
        };
        let entries = self.backups()?;
        let staging = beside(&own, "restore");
        let staged = stage(&from, &staging, &withdrawn, &entries, &self.actor);
        let result = staged.and_then(|(staged, withdrawn_again)| {
            if let Some(s) = &self.snapshots {
                s.clear();
            }
            copy(&staged.conn, &mut self.conn)?;
            Ok(withdrawn_again)
        });
        remove_with_journals(&staging);
        let withdrawn_again = result?;
        let wal_cleared = match self.checkpoint() {
            Ok(()) => true,
            Err(StoreError::Busy) => false,
            Err(e) => return Err(e),
        };
        Ok(Restored {
            from_version,
            kept,
            withdrawn_again,
            wal_cleared,
        })
    }

    /// Refuses `path` when it is this store's file or one of its journals: writing a backup
    /// there, or reading one from there, would destroy the store.
    fn refuse_own_files(&self, path: &Path) -> Result<(), StoreError> {
        let Some(own) = &self.path else {
            return Ok(());
        };
        let own = resolved(own)?;
        let journals = ["", "-wal", "-shm", "-journal"].map(|suffix| {
            let mut p = own.clone().into_os_string();
            p.push(suffix);
            PathBuf::from(p)
        });
        if journals.iter().any(|j| j == path) {
            return Err(StoreError::Invalid(format!(
                "{} is the store itself or one of its journals",
                path.display()
            )));
        }
        Ok(())
    }
}

/// Copies `from` into a new file at `tmp` (rollback journal, integrity checked); returns the
/// copy's schema version.
fn write_copy(from: &Connection, tmp: &Path) -> Result<i64, StoreError> {
    remove_with_journals(tmp);
    let mut dst = Connection::open(tmp).map_err(StoreError::db)?;
    copy(from, &mut dst)?;
    rollback_journal(&dst)?;
    integrity(&dst, tmp)?;
    let version = user_version(&dst)?;
    dst.close().map_err(|(_, e)| StoreError::db(e))?;
    Ok(version)
}

/// The backup `from`, copied to `staging`, brought up to date, with the store's withdrawals
/// applied again, its studies loaded once, and the store's catalogue merged in; with who was
/// withdrawn again.
fn stage(
    from: &Path,
    staging: &Path,
    withdrawn: &[(String, String)],
    entries: &[BackupEntry],
    actor: &crate::Actor,
) -> Result<(Store, Vec<(StudyId, InformantId)>), StoreError> {
    remove_with_journals(staging);
    {
        let src = open_read_only(from)?;
        let mut dst = Connection::open(staging).map_err(StoreError::db)?;
        copy(&src, &mut dst)?;
    }
    let mut staged = Store::open(staging)?;
    staged.actor = actor.clone();
    let mut again = Vec::new();
    for (s, i) in withdrawn {
        let (Ok(study), Ok(informant)) = (s.parse::<StudyId>(), i.parse::<InformantId>()) else {
            continue;
        };
        match staged.consent(&study, &informant) {
            Ok(Consent::Withdrawn) | Err(StoreError::NotFound { .. }) => {}
            Ok(_) => {
                staged.withdraw(&study, &informant)?;
                again.push((study, informant));
            }
            Err(e) => return Err(e),
        }
    }
    for meta in staged.studies()? {
        staged
            .load_study(&meta.id)
            .map_err(|e| StoreError::NotAStore {
                path: from.to_owned(),
                reason: format!("its study `{}` does not load: {e}", meta.id),
            })?;
    }
    for e in entries {
        record(&staged.conn, e)?;
    }
    // The journal from here on is the backup's, with the restore as its last entry (the
    // store's own journal up to now is in the backup the restore kept, if it kept one).
    let name = from.file_name().map_or_else(
        || from.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let note = crate::journal::Note::final_(
        crate::EditKind::Restore,
        None,
        format!(
            "restored the store from the backup {name}; {} informants withdrawn again",
            again.len()
        ),
        vec![crate::journal::Touch::All],
    );
    crate::journal::record(&staged.conn, actor, &note)?;
    staged.checkpoint()?;
    Ok((staged, again))
}

/// The schema version of the samskap store at `path`, read only; refused when it is not one
/// (not SQLite, no samskap tables, damaged) or is newer than this samskap.
fn inspect(path: &Path) -> Result<i64, StoreError> {
    let not = |reason: String| StoreError::NotAStore {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(StoreError::File {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let conn = open_read_only(path)?;
    let version = user_version(&conn).map_err(|e| not(format!("not an SQLite database ({e})")))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let mut missing = Vec::new();
    for t in CORE_TABLES {
        let found: bool = conn
            .query_row(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [t],
                |_| Ok(()),
            )
            .optional()
            .map_err(|e| not(format!("its schema cannot be read ({e})")))?
            .is_some();
        if !found {
            missing.push(t);
        }
    }
    if version < 1 || !missing.is_empty() {
        return Err(not(format!(
            "an SQLite database (schema version {version}) without samskap's tables{}",
            if missing.is_empty() {
                String::new()
            } else {
                format!(" ({})", missing.join(", "))
            }
        )));
    }
    integrity(&conn, path)?;
    Ok(version)
}

/// Whether the backup at `path` holds the informant's material.
fn holding(path: &Path, study: &StudyId, informant: &InformantId) -> BackupHolding {
    if !path.exists() {
        return BackupHolding::Missing;
    }
    let consent = open_read_only(path).and_then(|conn| {
        conn.query_row(
            "SELECT consent FROM informant WHERE study_id = ?1 AND id = ?2",
            [study.as_str(), informant.as_str()],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(|e| StoreError::NotAStore {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    });
    match consent {
        Ok(Some(c)) if c != Consent::Withdrawn.as_str() => BackupHolding::Holds,
        Ok(_) => BackupHolding::Clear,
        Err(e) => BackupHolding::Unreadable(e),
    }
}

/// Copies the whole database `from` into `to` in one step, so the copy is one snapshot of
/// `from` and `to` changes in one commit. Waits, up to the busy timeout, while another
/// connection holds a lock.
fn copy(from: &Connection, to: &mut Connection) -> Result<(), StoreError> {
    let backup = rusqlite::backup::Backup::new(from, to).map_err(StoreError::db)?;
    let deadline = Instant::now() + crate::BUSY_TIMEOUT;
    loop {
        match backup.step(-1).map_err(StoreError::db)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ if Instant::now() >= deadline => return Err(StoreError::Busy),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Puts a copy in rollback-journal mode: a backup of a WAL store would otherwise open in WAL
/// mode and want `-wal` and `-shm` files beside it.
fn rollback_journal(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(StoreError::db)?;
    if mode != "delete" {
        return Err(StoreError::Busy);
    }
    Ok(())
}

fn integrity(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let failed = |problems: String| {
        StoreError::Corrupt(format!(
            "{} fails SQLite's integrity check: {problems}",
            path.display()
        ))
    };
    // A damaged file may fail the check itself ("malformed") rather than list problems.
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>())
        .map_err(|e| failed(e.to_string()))?;
    if problems == ["ok"] {
        Ok(())
    } else {
        Err(failed(problems.join("; ")))
    }
}

fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(StoreError::db)
}

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::db)?;
    conn.busy_timeout(crate::BUSY_TIMEOUT)
        .map_err(StoreError::db)?;
    Ok(conn)
}

fn catalogue(conn: &Connection) -> Result<Vec<BackupEntry>, StoreError> {
    let mut st = conn
        .prepare("SELECT path, made, schema_version FROM backup ORDER BY made, id")
        .map_err(StoreError::db)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(StoreError::db)?;
    let mut out = Vec::new();
    for row in rows {
        let (path, made, schema_version) = row.map_err(StoreError::db)?;
        let made = DateTime::parse_from_rfc3339(&made)
            .map_err(|e| StoreError::Corrupt(format!("backup made `{made}`: {e}")))?
            .with_timezone(&Utc);
        out.push(BackupEntry {
            path: PathBuf::from(path),
            made,
            schema_version,
        });
    }
    Ok(out)
}

fn record(conn: &Connection, e: &BackupEntry) -> Result<(), StoreError> {
    let path = e.path.to_str().ok_or_else(|| {
        StoreError::Invalid(format!(
            "{} is not valid UTF-8; choose another path for the backup",
            e.path.display()
        ))
    })?;
    conn.execute(
        "INSERT INTO backup (path, made, schema_version) VALUES (?1, ?2, ?3)
         ON CONFLICT (path) DO UPDATE SET made = excluded.made,
                                          schema_version = excluded.schema_version",
        params![
            path,
            e.made.to_rfc3339_opts(SecondsFormat::Secs, true),
            e.schema_version
        ],
    )
    .map_err(StoreError::db)?;
    Ok(())
}

/// Now, to the second, as the catalogue keeps it.
fn now() -> DateTime<Utc> {
    let t = DateTime::<Utc>::from(std::time::SystemTime::now());
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// `path` made absolute, with its directory's symlinks and `..` resolved, so that two names
/// of one file compare equal.
fn resolved(path: &Path) -> Result<PathBuf, StoreError> {
    let abs = std::path::absolute(path).map_err(StoreError::file(path))?;
    if let Ok(p) = abs.canonicalize() {
        return Ok(p);
    }
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => Ok(dir
            .canonicalize()
            .map_err(StoreError::file(dir))?
            .join(name)),
        _ => Ok(abs),
    }
}

/// A scratch file beside `path`, in the same directory so that a rename is atomic.
fn beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{what}-{}.tmp", std::process::id()))
}

/// Removes a scratch database and its journals; what is not there is no error.
fn remove_with_journals(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.to_owned().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
