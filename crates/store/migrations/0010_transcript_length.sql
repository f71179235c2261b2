-- Schema 10: each transcript's length in characters beside its text, so that the counting
-- commands check their meaning units against it without reading every transcript's words.
-- The Rust step after this fills it for the transcripts already stored; every write sets it.
-- The search index follows changes of the text alone, not of this column.
DROP TRIGGER transcript_fts_update;
CREATE TRIGGER transcript_fts_update AFTER UPDATE OF text ON transcript BEGIN
    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO transcript_fts (rowid, text) VALUES (new.rowid, new.text);
END;
ALTER TABLE transcript ADD COLUMN char_len INTEGER NOT NULL DEFAULT 0 CHECK (char_len >= 0);
