-- Schema 5: the catalogue of the backups this store made (`samskap backup`), so that a
-- withdrawal can find the copies that still hold a person's words and scrub them too.
--
-- `path` is absolute, as the backup was written; a backup written again to the same path
-- replaces its row. `made` is UTC (RFC 3339); `schema_version` is the copy's schema.
CREATE TABLE backup (
    id             INTEGER PRIMARY KEY,
    path           TEXT NOT NULL UNIQUE,
    made           TEXT NOT NULL,
    schema_version INTEGER NOT NULL
);
