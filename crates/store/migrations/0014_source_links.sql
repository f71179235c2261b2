-- Schema 14: sources hold custom attributes (a municipality, a programme phase) and minutes
-- or observation notes name the meeting of the facilitation record they are of.
--
-- `transcript.meeting_id` has no foreign key: SQLite cannot add a composite one to an
-- existing table, and meetings are never deleted but with their study (which deletes its
-- sources too). The model checks the link (`Study::link_meeting`) before anything is
-- written.

ALTER TABLE attribute ADD COLUMN for_source INTEGER NOT NULL DEFAULT 0 CHECK (for_source IN (0, 1));

CREATE TABLE source_attribute (
    study_id     TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, source_id, attribute_id),
    FOREIGN KEY (study_id, source_id) REFERENCES transcript(study_id, source_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, attribute_id) REFERENCES attribute(study_id, id) ON DELETE CASCADE
);

ALTER TABLE transcript ADD COLUMN meeting_id TEXT;
