-- Schema 17: assessments say more. A ladder placement is a step or a range (`ladder_low` to
-- `ladder_high`; a step has both equal) and may place one actor of the group, its youth or a
-- service (`actor`, `actor_service`); a service may follow several institutional logics at
-- once (`logic` holds the set as one text in the order TB, NPM, NPG, so the CHECK lists every
-- set); and evidence is a quoted span of a source or one fact of the facilitation record (a
-- meeting, problem statement, practice, action, dissemination event or contact), each in
-- its own column with its own foreign key.
--
-- Both tables are built anew, as schema 12 did, because SQLite cannot change a CHECK or
-- make a column nullable in place. Every row is carried over with its rowid (the record's
-- order): an old step `s` becomes the range s–s, an old logic a set of one, an old piece of
-- evidence a quote. Keys are off while this runs, and `migrate` checks them all before it
-- commits.

CREATE TABLE assessment_16 (
    study_id        TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    subject_group   TEXT,
    subject_service TEXT,
    ladder_low      INTEGER CHECK (ladder_low BETWEEN 1 AND 5),
    ladder_high     INTEGER CHECK (ladder_high BETWEEN 1 AND 5),
    actor           TEXT CHECK (actor IN ('youth', 'service')),
    actor_service   TEXT,
    logic           TEXT CHECK (logic IN ('TB', 'NPM', 'NPG', 'TB,NPM', 'TB,NPG', 'NPM,NPG',
                                          'TB,NPM,NPG')),
    assessor        TEXT NOT NULL,
    date            TEXT NOT NULL,
    note            TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, subject_group) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    CHECK ((subject_group IS NULL) <> (subject_service IS NULL)),
    CHECK ((ladder_low IS NULL) <> (logic IS NULL)),
    CHECK ((ladder_low IS NULL) = (ladder_high IS NULL)),
    CHECK (ladder_low <= ladder_high),
    CHECK ((actor IS 'service') = (actor_service IS NOT NULL)),
    -- Only a group's ladder places an actor.
    CHECK (actor IS NULL OR (ladder_low IS NOT NULL AND subject_group IS NOT NULL))
);
INSERT INTO assessment_16 (rowid, study_id, id, subject_group, subject_service, ladder_low,
                           ladder_high, logic, assessor, date, note)
SELECT rowid, study_id, id, subject_group, subject_service, ladder, ladder, logic, assessor, date,
       note
FROM assessment ORDER BY rowid;

-- Evidence in order (id): a quote (`source_id` with its span) or exactly one fact.
CREATE TABLE assessment_evidence_16 (
    id            INTEGER PRIMARY KEY,
    study_id      TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    source_id     TEXT,
    start_char    INTEGER CHECK (start_char >= 0),
    end_char      INTEGER CHECK (end_char > start_char),
    meeting_id    TEXT,
    statement_id  TEXT,
    practice_id   TEXT,
    action_id     TEXT,
    event_id      TEXT,
    contact_id    TEXT,
    FOREIGN KEY (study_id, assessment_id) REFERENCES assessment(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, meeting_id) REFERENCES meeting(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, statement_id) REFERENCES problem_statement(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, practice_id) REFERENCES pd_practice(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, action_id) REFERENCES action(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, event_id) REFERENCES dissemination(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, contact_id) REFERENCES contact(study_id, id) ON DELETE CASCADE,
    CHECK ((source_id IS NULL) = (start_char IS NULL) AND (source_id IS NULL) = (end_char IS NULL)),
    CHECK ((source_id IS NOT NULL) + (meeting_id IS NOT NULL) + (statement_id IS NOT NULL)
           + (practice_id IS NOT NULL) + (action_id IS NOT NULL) + (event_id IS NOT NULL)
           + (contact_id IS NOT NULL) = 1)
);
INSERT INTO assessment_evidence_16 (id, study_id, assessment_id, source_id, start_char, end_char)
SELECT id, study_id, assessment_id, source_id, start_char, end_char FROM assessment_evidence
ORDER BY id;

DROP TABLE assessment_evidence;
DROP TABLE assessment;
ALTER TABLE assessment_16 RENAME TO assessment;
ALTER TABLE assessment_evidence_16 RENAME TO assessment_evidence;
CREATE INDEX assessment_evidence_assessment ON assessment_evidence (study_id, assessment_id);
CREATE INDEX assessment_evidence_source ON assessment_evidence (study_id, source_id);
