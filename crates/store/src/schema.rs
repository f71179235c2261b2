//! Append-only migrations, versioned with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// The migrations in order; migration `i` brings the schema from version `i` to `i + 1`.
/// Never edit one that has shipped: add another.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_search.sql"),
    include_str!("../migrations/0003_facilitation.sql"),
    include_str!("../migrations/0004_refi.sql"),
    include_str!("../migrations/0005_backup.sql"),
    include_str!("../migrations/0006_search_rebuild.sql"),
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
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql).map_err(StoreError::db)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(StoreError::db)?;
    }
    tx.commit().map_err(StoreError::db)
}
