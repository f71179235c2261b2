//! A store shared by the threads of a server: one connection that writes, a few that read,
//! and each study kept in memory between changes, so that a request about one group neither
//! reloads nor re-checks the whole study.
//!
//! The copy in memory stays true to the file like this:
//! - Every write the server makes goes through the one writer connection. A checked write
//!   applies its change to the copy under the copy's lock, in the same step as it commits the
//!   rows; if the commit fails, the copy is dropped.
//! - Any other change to the file (the CLI importing, a second server) is seen through
//!   `PRAGMA data_version` on the writer connection, which changes exactly when another
//!   connection has committed. Every request looks at it first; when it has moved, every copy
//!   is dropped and the next request loads the study afresh.
//! - A write on the writer connection that is not a checked write (an import, a withdrawal)
//!   drops every copy as it begins, except a write of codings and meaning units, which no
//!   copy holds (a copy is a study's record: [`Store::load_record`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockWriteGuard};

use rusqlite::Connection;
use samskap_core::{Study, StudyId};

use crate::read::load_record_in;
use crate::{AuditEntry, Store, StoreError};

/// One study's copy: `None` until a request loads it, or after it was dropped.
type Slot = Arc<RwLock<Option<Study>>>;

/// The studies held in memory, and the `data_version` they were checked against.
#[derive(Default)]
pub(crate) struct Snapshots {
    inner: Mutex<SnapshotState>,
}

#[derive(Default)]
struct SnapshotState {
    seen: Option<i64>,
    slots: HashMap<StudyId, Slot>,
}

impl Snapshots {
    fn state(&self) -> MutexGuard<'_, SnapshotState> {
        // The state is a cache: after a panic elsewhere it is still a valid (if maybe stale)
        // map, and clearing it is always safe.
        self.inner.lock().unwrap_or_else(|e| {
            let mut s = e.into_inner();
            s.slots.clear();
            s.seen = None;
            s
        })
    }

    /// Drops every copy: the file changed in a way the copies do not follow.
    pub(crate) fn clear(&self) {
        let mut s = self.state();
        s.slots.clear();
        s.seen = None;
    }

    /// The slot of `study`, after dropping every copy if the file changed since the last
    /// look (`data_version` as read on the writer connection).
    fn slot(&self, data_version: i64, study: &StudyId) -> Slot {
        let mut s = self.state();
        if s.seen != Some(data_version) {
            s.slots.clear();
            s.seen = Some(data_version);
        }
        s.slots.entry(study.clone()).or_default().clone()
    }

    /// Forgets the slot of a study that could not be loaded (it may not exist), so that
    /// requests for made-up studies do not fill the map.
    /// Only `slot` itself goes, and only when no one holds it: this never waits on a slot
    /// while it holds the map.
    fn forget_empty(&self, study: &StudyId, slot: &Slot) {
        let mut s = self.state();
        let empty = s.slots.get(study).is_some_and(|held| {
            Arc::ptr_eq(held, slot) && held.try_read().is_ok_and(|g| g.is_none())
        });
        if empty {
            s.slots.remove(study);
        }
    }
}

/// The write lock of a slot. A panic while it was held may have left the copy half changed,
/// so a poisoned slot is emptied and loaded again.
fn lock_slot(slot: &Slot) -> RwLockWriteGuard<'_, Option<Study>> {
    match slot.write() {
        Ok(g) => g,
        Err(e) => {
            let mut g = e.into_inner();
            *g = None;
            slot.clear_poison();
            g
        }
    }
}

fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.prepare_cached("PRAGMA data_version")
        .and_then(|mut st| st.query_row([], |r| r.get(0)))
        .map_err(StoreError::db)
}

impl Store {
    /// One checked write against the copy in memory: the change is applied to the copy and
    /// the rows written and committed while the copy is locked. See the module docs.
    /// `guard` runs first inside the transaction (the caller's token is still live), and
    /// nothing happens unless it passes.
    pub(crate) fn write_through<T>(
        &mut self,
        snapshots: &Snapshots,
        study: &StudyId,
        guard: impl FnOnce(&Connection) -> Result<(), StoreError>,
        change: impl FnOnce(&mut Study) -> Result<T, StoreError>,
        write: impl FnOnce(&Connection, &str) -> Result<(), StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::db)?;
        guard(&tx)?;
        let slot = snapshots.slot(data_version(&tx)?, study);
        let mut copy = lock_slot(&slot);
        let model = match &mut *copy {
            Some(model) => model,
            // The record, as `record` loads it: no copy holds meaning units or codings, so
            // the writes of codings leave the copies as they are.
            empty => match load_record_in(&tx, study) {
                Ok(loaded) => empty.insert(loaded),
                Err(e) => {
                    drop(copy);
                    snapshots.forget_empty(study, &slot);
                    return Err(e);
                }
            },
        };
        // The model changes nothing when it refuses, so the copy stays as stored.
        let out = change(model)?;
        let done = write(&tx, study.as_str()).and_then(|()| tx.commit().map_err(StoreError::db));
        if done.is_err() {
            *copy = None;
        }
        done.map(|()| out)
    }
}

/// A store opened for a server: see the module docs.
pub struct SharedStore {
    path: PathBuf,
    writer: Mutex<Store>,
    readers: Mutex<Vec<Store>>,
    snapshots: Arc<Snapshots>,
}

impl SharedStore {
    /// Opens the store at `path` (created and migrated if missing).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let snapshots = Arc::new(Snapshots::default());
        let mut writer = Store::open(path)?;
        writer.snapshots = Some(snapshots.clone());
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            snapshots,
        })
    }

    fn writer(&self) -> MutexGuard<'_, Store> {
        // A panic during a write rolled its transaction back (the guard's drop) and, if it
        // held a copy, poisoned that copy's lock; the connection itself is fine.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the writer connection. Checked writes keep the copies in memory; any other
    /// write drops them (see the module docs).
    pub fn write<T, E>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> Result<T, E> {
        let mut writer = self.writer();
        // An entry left by a call that panicked belongs to no one now.
        writer.audit = None;
        writer.actor = crate::Actor::default();
        f(&mut writer)
    }

    /// [`write`](Self::write), with `entry` written to the audit log in the same transaction
    /// as the checked write `f` makes, so that a request and its audit entry commit together.
    /// The token the entry names must still be live inside that transaction: a token revoked
    /// while its request was in flight makes no write ([`StoreError::Revoked`]).
    /// Gives the entry back when nothing committed it (`f` was refused, or made no checked
    /// write), for the caller to log with the status it answers. The journal records what `f`
    /// changes as made by the entry's token, through the API.
    pub fn write_audited<T, E>(
        &self,
        entry: AuditEntry,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> (Result<T, E>, Option<AuditEntry>) {
        let mut writer = self.writer();
        writer.actor = crate::Actor::token(&entry.token_name);
        writer.audit = Some(entry);
        let out = f(&mut writer);
        writer.actor = crate::Actor::default();
        (out, writer.audit.take())
    }

    /// Runs `f` on a reader connection (one per concurrent call, kept for the next).
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let taken = self.readers.lock().map(|mut v| v.pop()).unwrap_or(None);
        let store = match taken {
            Some(s) => s,
            None => Store::open(&self.path)?,
        };
        let out = f(&store);
        if let Ok(mut idle) = self.readers.lock() {
            idle.push(store);
        }
        out
    }

    /// Runs `f` on the study's record as stored ([`Store::load_record`]: the study without
    /// its meaning units and codings, which the facilitators' API never shows), from
    /// the copy in memory (loaded first if need be).
    pub fn record<T>(&self, study: &StudyId, f: impl FnOnce(&Study) -> T) -> Result<T, StoreError> {
        let slot = {
            let writer = self.writer();
            let version = data_version(&writer.conn)?;
            self.snapshots.slot(version, study)
        };
        loop {
            if let Ok(copy) = slot.read() {
                if let Some(model) = copy.as_ref() {
                    return Ok(f(model));
                }
            }
            let mut copy = lock_slot(&slot);
            if copy.is_none() {
                // Loaded under the slot's lock: a checked write of this study waits for it,
                // so the copy cannot miss a write committed while it loads.
                match self.read(|r| r.load_record(study)) {
                    Ok(model) => *copy = Some(model),
                    Err(e) => {
                        drop(copy);
                        self.snapshots.forget_empty(study, &slot);
                        return Err(e);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_studies_leave_no_slots() {
        let dir = tempfile::tempdir().unwrap();
        let shared = SharedStore::open(&dir.path().join("s.db")).unwrap();
        for i in 0..10 {
            let sid: StudyId = format!("nope-{i}").parse().unwrap();
            let err = shared.record(&sid, |_| ()).unwrap_err();
            assert!(
                matches!(err, StoreError::NotFound { what: "study", .. }),
                "{err:?}"
            );
            // A write to a study that is not there leaves nothing behind either.
            let meeting = samskap_core::facilitation::Meeting {
                id: "m1".parse().unwrap(),
                group: "G1".parse().unwrap(),
                kind: samskap_core::facilitation::MeetingKind::Group,
                date: "2024-01-01".parse().unwrap(),
                note: None,
            };
            let err = shared.write(|w| w.add_meeting(&sid, &meeting)).unwrap_err();
            assert!(
                matches!(err, StoreError::NotFound { what: "study", .. }),
                "{err:?}"
            );
        }
        assert!(shared.snapshots.state().slots.is_empty());
    }
}
