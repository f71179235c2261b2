-- Schema 2: full-text search over transcripts (FTS5).
-- unicode61 without diacritic folding: æ, ø and å are letters of their own, so "på" does not
-- match "pa". The index holds terms, not text (the text stays in `transcript`); secure-delete
-- removes a deleted transcript's terms from the index at once, which withdrawal relies on.

CREATE VIRTUAL TABLE transcript_fts USING fts5(
    text,
    content = 'transcript',
    content_rowid = 'rowid',
    tokenize = "unicode61 remove_diacritics 0"
);
INSERT INTO transcript_fts (transcript_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild');

CREATE TRIGGER transcript_fts_insert AFTER INSERT ON transcript BEGIN
    INSERT INTO transcript_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER transcript_fts_delete AFTER DELETE ON transcript BEGIN
    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER transcript_fts_update AFTER UPDATE ON transcript BEGIN
    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO transcript_fts (rowid, text) VALUES (new.rowid, new.text);
END;
