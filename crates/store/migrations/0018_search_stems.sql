-- Schema 18: a second search index, of word stems, so that a search in a Norwegian study
-- finds `kommunen`, `kommunene` and `kommunens` for `kommune`.
--
-- It holds, for each transcript (by the transcript's rowid, as transcript_fts does), the
-- Snowball stem of each of its words in order, one space between each, as the Rust function
-- samskap_stems(text, language) computes them (crates/store/src/words.rs, registered on every
-- connection the store opens). A study whose language has no stemmer (or that names no
-- language) has an empty row per transcript. Search takes candidate transcripts from here and
-- places the hits in each by stemming its words again.
--
-- Contentless: the stems are kept as index terms only, never as text. contentless_delete lets
-- a transcript's row be deleted by rowid; secure-delete removes its terms from the index at
-- once, as in transcript_fts, which withdrawal relies on (it then merges the segments).
-- The `ascii` tokenizer splits on the spaces alone (a stem holds only letters and digits), so
-- the n-th term is the n-th word's stem and a phrase of stems is a phrase of words.
--
-- A stemmer that stems differently (a new version of the crate) makes these rows stale: a
-- migration then deletes them all and inserts them again as below.

CREATE VIRTUAL TABLE transcript_stems USING fts5(
    stems,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
INSERT INTO transcript_stems (transcript_stems, rank) VALUES ('secure-delete', 1);

INSERT INTO transcript_stems (rowid, stems)
SELECT t.rowid, samskap_stems(t.text, s.language)
FROM transcript t JOIN study s ON s.id = t.study_id
ORDER BY t.rowid;

CREATE TRIGGER transcript_stems_insert AFTER INSERT ON transcript BEGIN
    INSERT INTO transcript_stems (rowid, stems)
    VALUES (new.rowid, samskap_stems(new.text, (SELECT language FROM study WHERE id = new.study_id)));
END;
CREATE TRIGGER transcript_stems_delete AFTER DELETE ON transcript BEGIN
    DELETE FROM transcript_stems WHERE rowid = old.rowid;
END;
CREATE TRIGGER transcript_stems_update AFTER UPDATE OF text, study_id ON transcript BEGIN
    DELETE FROM transcript_stems WHERE rowid = old.rowid;
    INSERT INTO transcript_stems (rowid, stems)
    VALUES (new.rowid, samskap_stems(new.text, (SELECT language FROM study WHERE id = new.study_id)));
END;
-- A study's language decides its stemmer: should it ever change in place (today it changes
-- only by importing the study again), its transcripts' stems are computed anew.
CREATE TRIGGER transcript_stems_language AFTER UPDATE OF language ON study BEGIN
    DELETE FROM transcript_stems WHERE rowid IN (SELECT rowid FROM transcript WHERE study_id = new.id);
    INSERT INTO transcript_stems (rowid, stems)
    SELECT rowid, samskap_stems(text, new.language) FROM transcript WHERE study_id = new.id
    ORDER BY rowid;
END;
