-- The journal of edits: every change made through the CLI or the API, with who made it,
-- when and what, written in the same transaction as the change (crates/store/src/journal.rs).
--
-- `study_id` is NULL for a change to the store as a whole (a framework imported, a token, a
-- restore). It has no foreign key: the journal outlives a study replaced by an import.
-- `summary` names ids, spans and counts only, never a text. `payload` is what undoing the
-- change needs (JSON; it may hold a memo's text): NULL for a change that cannot be undone,
-- and cleared in every earlier entry of a study when a withdrawal or an import makes them
-- impossible to undo. `touches` (JSON) says what the change wrote and read, so that an undo
-- can tell whether a later change depends on it. An undo is an entry of its own (`undoes`),
-- and the entry it reverted points to it (`undone_by`).
CREATE TABLE journal (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id  TEXT,
    at        TEXT NOT NULL,
    who       TEXT NOT NULL,
    via       TEXT NOT NULL CHECK (via IN ('cli', 'api')),
    kind      TEXT NOT NULL,
    summary   TEXT NOT NULL,
    payload   TEXT,
    touches   TEXT NOT NULL,
    undoes    INTEGER REFERENCES journal(id),
    undone_by INTEGER REFERENCES journal(id)
);
CREATE INDEX journal_study ON journal (study_id, id);
