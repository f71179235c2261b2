//! Append-only migrations, versioned with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::StoreError;

/// Work a migration does in Rust after its SQL.
type Then = fn(&Transaction<'_>) -> Result<(), StoreError>;

/// One step of the schema: its SQL, and what must follow it in Rust, written against the
/// schema as the step leaves it (not as later steps change it).
struct Migration {
    sql: &'static str,
    then: Option<Then>,
}

const fn sql(sql: &'static str) -> Migration {
    Migration { sql, then: None }
}

/// The migrations in order; migration `i` brings the schema from version `i` to `i + 1`.
/// Never edit one that has shipped: add another.
const MIGRATIONS: &[Migration] = &[
    sql(include_str!("../migrations/0001_initial.sql")),
    sql(include_str!("../migrations/0002_search.sql")),
    sql(include_str!("../migrations/0003_facilitation.sql")),
    sql(include_str!("../migrations/0004_refi.sql")),
    sql(include_str!("../migrations/0005_backup.sql")),
    sql(include_str!("../migrations/0006_search_rebuild.sql")),
    Migration {
        sql: include_str!("../migrations/0007_codebooks.sql"),
        then: Some(builtin_colours),
    },
    Migration {
        sql: include_str!("../migrations/0008_codebook_versions.sql"),
        then: Some(first_versions),
    },
    sql(include_str!("../migrations/0009_provenance.sql")),
    Migration {
        sql: include_str!("../migrations/0010_transcript_length.sql"),
        then: Some(transcript_lengths),
    },
    sql(include_str!("../migrations/0011_attributes.sql")),
    sql(include_str!("../migrations/0012_sources.sql")),
    sql(include_str!("../migrations/0013_guides.sql")),
    sql(include_str!("../migrations/0014_source_links.sql")),
    sql(include_str!("../migrations/0015_exemplars.sql")),
    sql(include_str!("../migrations/0016_study_language.sql")),
    sql(include_str!("../migrations/0017_assessments.sql")),
    sql(include_str!("../migrations/0018_search_stems.sql")),
    sql(include_str!("../migrations/0019_journal.sql")),
    sql(include_str!("../migrations/0020_web_sessions.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &mut Connection, path: Option<&Path>) -> Result<(), StoreError> {
    // A store that is up to date needs no write lock: opening one (as every CLI command and
    // every new reader connection of a server does) must not wait on, or block, a writer.
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(StoreError::db)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    // A step that builds a referenced table anew must not cascade when it drops the old
    // one: keys are off while the steps run (the pragma is a no-op inside a transaction, so
    // it is set here), checked before the steps commit, and on again after.
    conn.execute_batch("PRAGMA foreign_keys = OFF;")
        .map_err(StoreError::db)?;
    let result = run_migrations(conn, path);
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(StoreError::db)?;
    result
}

fn run_migrations(conn: &mut Connection, path: Option<&Path>) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(StoreError::db)?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(StoreError::db)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.map_or_else(|| ":memory:".into(), |p| p.display().to_string()),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(m.sql).map_err(StoreError::db)?;
        if let Some(then) = m.then {
            then(&tx)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(StoreError::db)?;
    }
    let broken: Option<(String, i64, String)> = tx
        .query_row("PRAGMA foreign_key_check", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .map_err(StoreError::db)?;
    if let Some((table, row, parent)) = broken {
        return Err(StoreError::Corrupt(format!(
            "after migrating, row {row} of `{table}` refers to a missing row of `{parent}`"
        )));
    }
    tx.commit().map_err(StoreError::db)
}

/// Schema 10's step in Rust: the length in characters of every stored transcript, counted
/// as the model counts it (SQLite's `length` stops at a NUL character, which a text may
/// hold).
fn transcript_lengths(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let lengths: Vec<(i64, i64)> = {
        let mut st = tx
            .prepare("SELECT rowid, text FROM transcript")
            .map_err(StoreError::db)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get_ref(1)?.as_str()?.chars().count() as i64,
                ))
            })
            .map_err(StoreError::db)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::db)?
    };
    let mut set = tx
        .prepare("UPDATE transcript SET char_len = ?2 WHERE rowid = ?1")
        .map_err(StoreError::db)?;
    for (row, len) in lengths {
        set.execute([row, len]).map_err(StoreError::db)?;
    }
    Ok(())
}

/// Schema 7's step in Rust. The built-in frameworks gained colours with schema 7, which
/// older stores had no place for: a stored copy of a built-in framework that is the built-in
/// but for them (the codes, labels, definitions and order it shipped with, and no colour or
/// memo) gets them, so that it stays equal to the built-in it came from. A copy that differs
/// otherwise (edited under the built-in's id) is left as it is.
fn builtin_colours(tx: &Transaction<'_>) -> Result<(), StoreError> {
    use samskap_core::Framework;
    for id in Framework::builtin_ids() {
        let builtin = Framework::builtin(id).map_err(StoreError::corrupt)?;
        let head: Option<(String, String)> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT label, description FROM framework WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
        .map_err(StoreError::db)?;
        let Some((label, description)) = head else {
            continue;
        };
        let stored = crate::read::rows(
            tx,
            "SELECT path, label, definition, colour IS NULL AND memo IS NULL FROM code
             WHERE framework_id = ?1 ORDER BY rank",
            [id],
            |r| {
                Ok((
                    crate::read::get::<String>(r, 0)?,
                    crate::read::labels(&crate::read::get::<String>(r, 1)?)?,
                    crate::read::get::<String>(r, 2)?,
                    crate::read::get::<bool>(r, 3)?,
                ))
            },
        )?;
        let m = builtin.meta();
        let same = crate::read::labels(&label)? == m.label
            && description == m.description
            && stored.len() == builtin.codes().len()
            && stored
                .iter()
                .zip(builtin.codes())
                .all(|(s, c)| s.0 == c.id.as_str() && s.1 == c.label && s.2 == c.definition && s.3);
        if !same {
            continue;
        }
        for c in builtin.codes() {
            tx.execute(
                "UPDATE code SET colour = ?3, memo = ?4 WHERE framework_id = ?1 AND path = ?2",
                rusqlite::params![id, c.id.as_str(), c.colour, c.memo],
            )
            .map_err(StoreError::db)?;
        }
    }
    Ok(())
}

/// Schema 8's step in Rust: version 1 of every framework in the store, from what the store
/// holds (as schema 8 leaves the tables: every coding is of version 1 already, by the
/// column's default).
fn first_versions(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let ids = crate::read::rows(tx, "SELECT id FROM framework ORDER BY rowid", [], |r| {
        crate::read::get::<String>(r, 0)
    })?;
    for id in ids {
        let f = crate::read::framework_in(tx, &id)?;
        crate::versions::record(tx, &f, None, FIRST_VERSION_MIGRATED)?;
    }
    Ok(())
}

/// What version 1 says of a framework that was in the store before versions were kept.
const FIRST_VERSION_MIGRATED: &str = "first version recorded (the store was migrated to schema 8)";
