-- Schema 8: codebook versions. Every change to a framework (an edit of a code, an updated
-- file imported over it) is recorded as a new version: who made it, when, what it did (one
-- line), a note, and the whole framework as its TOML file reads, so that any version can be
-- shown or compared with another. Versions count from 1 per framework.
--
-- `at` is RFC 3339 text as the caller gave it (the store decides no time); `at` and `by` are
-- NULL for a version nobody recorded a time or author for: version 1 of a framework that was
-- in the store before this schema (written by the migration's step in Rust), or that came
-- in with a study.
CREATE TABLE framework_version (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    at           TEXT,
    by           TEXT,
    what         TEXT NOT NULL,
    note         TEXT,
    toml         TEXT NOT NULL,
    PRIMARY KEY (framework_id, version)
);

-- The version of its framework a coding was made under. Codings follow later edits (their
-- code changes), but keep this: agreement can be computed on the codings of one version.
-- Every coding there is now was made under version 1, the first one recorded.
ALTER TABLE coding ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE INDEX coding_version ON coding (framework_id, version);
