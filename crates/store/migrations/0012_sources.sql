-- Schema 12: sources. A study codes sources (interviews, focus groups, minutes, observation
-- notes, documents), each with one text, rather than one transcript per informant. The
-- `transcript` table is keyed by source and describes it; who speaks in a source, the labels
-- of its speaker turns and where each turn starts are tables of their own. A meaning unit
-- and a piece of evidence name their source.
--
-- The three tables whose key changes are built anew with their row ids kept (codings point
-- at units by id; the search index points at transcripts by row id). Dropping a table that
-- others reference would cascade into them, so this step runs with foreign keys off and
-- `migrate` checks every key before it commits.
--
-- Every transcript stored before was an interview named for its informant: it becomes a
-- source of kind `interview` whose one informant is the one it was named for.

CREATE TABLE transcript_12 (
    study_id  TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('interview', 'focus-group', 'minutes', 'observation', 'document')),
    title     TEXT,
    made_on   TEXT,
    group_id  TEXT,
    text      TEXT NOT NULL,
    char_len  INTEGER NOT NULL DEFAULT 0 CHECK (char_len >= 0),
    PRIMARY KEY (study_id, source_id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);
INSERT INTO transcript_12 (rowid, study_id, source_id, kind, text, char_len)
SELECT rowid, study_id, informant_id, 'interview', text, char_len FROM transcript ORDER BY rowid;

CREATE TABLE meaning_unit_12 (
    id         INTEGER PRIMARY KEY,
    study_id   TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    start_char INTEGER NOT NULL CHECK (start_char >= 0),
    end_char   INTEGER NOT NULL CHECK (end_char > start_char),
    UNIQUE (study_id, source_id, start_char, end_char),
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE
);
INSERT INTO meaning_unit_12 (id, study_id, source_id, start_char, end_char)
SELECT id, study_id, informant_id, start_char, end_char FROM meaning_unit ORDER BY id;

CREATE TABLE assessment_evidence_12 (
    id            INTEGER PRIMARY KEY,
    study_id      TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    start_char    INTEGER NOT NULL CHECK (start_char >= 0),
    end_char      INTEGER NOT NULL CHECK (end_char > start_char),
    FOREIGN KEY (study_id, assessment_id) REFERENCES assessment(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE
);
INSERT INTO assessment_evidence_12 (id, study_id, assessment_id, source_id, start_char, end_char)
SELECT id, study_id, assessment_id, informant_id, start_char, end_char FROM assessment_evidence ORDER BY id;

DROP TABLE assessment_evidence;
DROP TABLE meaning_unit;
DROP TABLE transcript;
ALTER TABLE transcript_12 RENAME TO transcript;
ALTER TABLE meaning_unit_12 RENAME TO meaning_unit;
ALTER TABLE assessment_evidence_12 RENAME TO assessment_evidence;
CREATE INDEX assessment_evidence_assessment ON assessment_evidence (study_id, assessment_id);
CREATE INDEX assessment_evidence_source ON assessment_evidence (study_id, source_id);

-- The search index follows the text as before (the old table's triggers went with it).
CREATE TRIGGER transcript_fts_insert AFTER INSERT ON transcript BEGIN
    INSERT INTO transcript_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER transcript_fts_delete AFTER DELETE ON transcript BEGIN
    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER transcript_fts_update AFTER UPDATE OF text ON transcript BEGIN
    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO transcript_fts (rowid, text) VALUES (new.rowid, new.text);
END;

-- The informants who speak in a source, in the order given. A withdrawal deletes the
-- withdrawn informant's rows (their row in `informant` stays, so nothing cascades).
CREATE TABLE source_informant (
    study_id     TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    position     INTEGER NOT NULL CHECK (position >= 0),
    informant_id TEXT NOT NULL,
    PRIMARY KEY (study_id, source_id, informant_id),
    UNIQUE (study_id, source_id, position),
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, informant_id) REFERENCES informant(study_id, id) ON DELETE CASCADE
);
CREATE INDEX source_informant_informant ON source_informant (study_id, informant_id);
INSERT INTO source_informant (study_id, source_id, position, informant_id)
SELECT study_id, source_id, 0, source_id FROM transcript ORDER BY rowid;

-- The labels that mark speaker turns in a source's text, and who speaks them: an informant,
-- the interviewer, or an informant who withdrew (whose turns hold no words of theirs).
CREATE TABLE source_speaker (
    study_id     TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    label        TEXT NOT NULL,
    voice        TEXT NOT NULL CHECK (voice IN ('informant', 'interviewer', 'withdrawn')),
    informant_id TEXT,
    PRIMARY KEY (study_id, source_id, label),
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, source_id, informant_id)
        REFERENCES source_informant(study_id, source_id, informant_id),
    CHECK ((voice = 'informant') = (informant_id IS NOT NULL))
);

-- Where each turn of a source's text starts and ends (characters) and whose label it bears:
-- what the counting commands read in place of the text. Written with the text.
CREATE TABLE source_turn (
    study_id   TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    start_char INTEGER NOT NULL CHECK (start_char >= 0),
    end_char   INTEGER NOT NULL CHECK (end_char >= start_char),
    label      TEXT NOT NULL,
    PRIMARY KEY (study_id, source_id, start_char),
    FOREIGN KEY (study_id, source_id, label)
        REFERENCES source_speaker(study_id, source_id, label) ON DELETE CASCADE
);
