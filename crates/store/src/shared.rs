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
//!
//! Codings added or removed over the API are committed in groups: a request puts its write
//! in a queue, and whichever request holds the writer connection next runs every write
//! queued, each in a savepoint of its own (a refused one is rolled back alone), and commits
//! them in one transaction, so that concurrent requests share the commit's `fsync` and the
//! pages it writes. Each write is still checked, journaled and audited as if alone, and its
//! request is answered only once the commit is done.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockWriteGuard};

use rusqlite::Connection;
use samskap_core::{Study, StudyId};

use crate::read::load_record_in;
use crate::{AuditEntry, Store, StoreError};

/// A write of codings waiting in [`SharedStore`]'s queue.
trait Queued: Send {
    /// Runs the write on the writer's open transaction; true when it was made.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the request: with the write's outcome, or `failed` when the commit failed.
    fn finish(self: Box<Self>, failed: Option<&StoreError>);
}

/// A queued write and the request that waits for it.
struct Job<T, F> {
    write: Option<F>,
    out: Option<Result<T, StoreError>>,
    answer: std::sync::mpsc::Sender<Result<T, StoreError>>,
}

impl<T: Send, F: FnOnce(&Connection) -> Result<T, StoreError> + Send> Queued for Job<T, F> {
    fn run(&mut self, conn: &Connection) -> bool {
        let out = match self.write.take() {
            Some(write) => write(conn),
            None => Err(StoreError::Database("a queued write ran twice".into())),
        };
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn finish(self: Box<Self>, failed: Option<&StoreError>) {
        let out = match (self.out, failed) {
            (Some(Err(e)), _) => Err(e),
            (_, Some(StoreError::Busy)) => Err(StoreError::Busy),
            (_, Some(e)) => Err(StoreError::Database(e.to_string())),
            (Some(Ok(v)), None) => Ok(v),
            (None, None) => Err(StoreError::Database("a queued write did not run".into())),
        };
        // The request may have gone (its thread panicked); nothing waits for the answer then.
        let _ = self.answer.send(out);
    }
}

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
    /// Runs queued writes of codings in one transaction, each in its own savepoint, and
    /// answers each once the transaction is committed (or failed).
    fn run_queued(&mut self, mut jobs: Vec<Box<dyn Queued>>) {
        let failed = (|| {
            // Codings and units: the copies in memory stay (see the module docs).
            let mut tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::db)?;
            for job in &mut jobs {
                let sp = tx.savepoint().map_err(StoreError::db)?;
                if job.run(&sp) {
                    sp.commit().map_err(StoreError::db)?;
                }
                // A refused write's savepoint rolls back as it drops.
            }
            tx.commit().map_err(StoreError::db)
        })()
        .err();
        for job in jobs {
            job.finish(failed.as_ref());
        }
    }

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
    /// Writes of codings waiting for the writer connection (see the module docs).
    queue: Mutex<Vec<Box<dyn Queued>>>,
    readers: Mutex<Vec<Store>>,
    snapshots: Arc<Snapshots>,
}

impl SharedStore {
    /// Opens the store at `path` (created and migrated if missing).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let snapshots = Arc::new(Snapshots::default());
        let mut writer = Store::open(path)?;
        // The server's writer commits in WAL mode without waiting for the disk on each
        // commit (SQLite's `synchronous = NORMAL`): the file stays consistent whatever
        // happens, and a power cut (not a crash of samskap) can lose only the last commits
        // before it, those not yet written through at a checkpoint. The command line keeps
        // `FULL`: its writes are few and large.
        writer
            .conn
            .execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(StoreError::db)?;
        writer.snapshots = Some(snapshots.clone());
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            queue: Mutex::new(Vec::new()),
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

    /// Adds one coding at offsets, as [`Store::add_coding_at`] does, made by `entry`'s token:
    /// journaled under its name and audited with `entry`, in the same transaction, which
    /// other requests' writes of codings may share (see the module docs).
    #[allow(clippy::too_many_arguments)]
    pub fn add_coding_at(
        &self,
        entry: AuditEntry,
        study: StudyId,
        at: crate::Offsets,
        code: samskap_core::CodeId,
        qualifiers: samskap_core::Qualifiers,
        coder: samskap_core::CoderId,
        memo: Option<String>,
    ) -> Result<crate::StoredCoding, StoreError> {
        self.queued(entry, move |conn, actor| {
            crate::edit::add_at_in(
                conn,
                actor,
                &study,
                &at,
                &code,
                &qualifiers,
                &coder,
                memo.as_deref(),
            )
        })
    }

    /// Removes one coding at offsets, as [`Store::remove_coding_at`] does, made and audited
    /// as [`add_coding_at`](Self::add_coding_at) is.
    pub fn remove_coding_at(
        &self,
        entry: AuditEntry,
        study: StudyId,
        at: crate::Offsets,
        code: samskap_core::CodeId,
        qualifiers: samskap_core::Qualifiers,
        coder: samskap_core::CoderId,
    ) -> Result<crate::StoredCoding, StoreError> {
        self.queued(entry, move |conn, actor| {
            crate::edit::remove_in(
                conn,
                actor,
                &study,
                crate::edit::Place::At(&at),
                &code,
                &qualifiers,
                &coder,
            )
        })
    }

    /// Queues `write` (with the request's audit entry, once its token is found still live)
    /// and waits until a commit has made it, or it was refused.
    fn queued<T: Send + 'static>(
        &self,
        entry: AuditEntry,
        write: impl FnOnce(&Connection, &crate::Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = std::sync::mpsc::channel();
        let actor = crate::Actor::token(&entry.token_name);
        let job = Job {
            write: Some(move |conn: &Connection| {
                let out = write(conn, &actor)?;
                crate::tokens::require_live(conn, &entry.token_name)?;
                crate::tokens::insert_audit(conn, &entry)?;
                Ok(out)
            }),
            out: None,
            answer,
        };
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(job));
        {
            // Whoever holds the writer runs what is queued; ours may be among what the
            // request before us ran, and then the queue is empty or holds others' writes.
            let mut writer = self.writer();
            let jobs =
                std::mem::take(&mut *self.queue.lock().unwrap_or_else(PoisonError::into_inner));
            if !jobs.is_empty() {
                writer.run_queued(jobs);
            }
        }
        answered
            .recv()
            .unwrap_or_else(|_| Err(StoreError::Database("a queued write was lost".into())))
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

    /// The server's writer waits for the disk at checkpoints, not at each commit; a store
    /// opened by the command line waits at each.
    #[test]
    fn the_server_s_writer_syncs_at_checkpoints_and_the_command_line_at_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let synchronous = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        let shared = SharedStore::open(&path).unwrap();
        assert_eq!(synchronous(&shared.writer()), 1, "NORMAL");
        assert_eq!(synchronous(&Store::open(&path).unwrap()), 2, "FULL");
    }

    /// Writes run together: a refused one in the middle takes nothing with it, and each is
    /// answered with its own outcome once the one commit is done.
    #[test]
    fn queued_writes_commit_together_and_a_refusal_stays_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let mini = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini");
        store
            .import_study(&samskap_bundle::read(&mini).unwrap(), crate::Replace::No)
            .unwrap();
        let sid: StudyId = "mini".parse().unwrap();
        let coding = |start: usize, code: &str| {
            let (sid, code) = (sid.clone(), code.parse().unwrap());
            move |conn: &Connection| {
                crate::edit::add_at_in(
                    conn,
                    &crate::Actor::token("t"),
                    &sid,
                    &crate::Offsets {
                        source: "I1".parse().unwrap(),
                        start,
                        end: start + 10,
                        text: None,
                    },
                    &code,
                    &"polarity=barrier".parse().unwrap(),
                    &"Q".parse().unwrap(),
                    None,
                )
            }
        };
        let mut answers = Vec::new();
        let mut jobs: Vec<Box<dyn Queued>> = Vec::new();
        for (start, code) in [
            (0, "collaboration/time"),
            (5, "collaboration/nope"),
            (0, "collaboration/time"),
            (20, "collaboration/time"),
        ] {
            let (answer, answered) = std::sync::mpsc::channel();
            answers.push(answered);
            jobs.push(Box::new(Job {
                write: Some(coding(start, code)),
                out: None,
                answer,
            }));
        }
        store.run_queued(jobs);
        let got: Vec<Result<usize, String>> = answers
            .iter()
            .map(|a| {
                a.recv()
                    .unwrap()
                    .map(|c| c.start)
                    .map_err(|e| e.to_string())
            })
            .collect();
        assert_eq!(got[0], Ok(0));
        assert!(
            got[1].as_ref().unwrap_err().contains("unknown code"),
            "{got:?}"
        );
        assert!(
            got[2].as_ref().unwrap_err().contains("already coded"),
            "{got:?}"
        );
        assert_eq!(got[3], Ok(20));
        let study = store.load_study(&sid).unwrap();
        let mine: Vec<usize> = study
            .codings()
            .iter()
            .filter(|c| c.coder.as_str() == "Q")
            .map(|c| study.units()[c.unit.index()].span.start())
            .collect();
        assert_eq!(mine, [0, 20]);
        assert_eq!(
            store
                .history(Some(&sid), 10)
                .unwrap()
                .iter()
                .filter(|e| e.who == "t")
                .count(),
            2
        );
    }

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
