-- Schema 13: interview guides. A guide has numbered versions, each of themes in order, each
-- of questions in order; a source may say which version it followed. Positions keep the
-- order, and a question's id is unique within its version.

CREATE TABLE guide (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    title    TEXT NOT NULL,
    PRIMARY KEY (study_id, id)
);

CREATE TABLE guide_version (
    study_id TEXT NOT NULL,
    guide_id TEXT NOT NULL,
    version  INTEGER NOT NULL CHECK (version >= 1),
    note     TEXT,
    PRIMARY KEY (study_id, guide_id, version),
    FOREIGN KEY (study_id, guide_id) REFERENCES guide(study_id, id) ON DELETE CASCADE
);

CREATE TABLE guide_theme (
    study_id TEXT NOT NULL,
    guide_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    title    TEXT NOT NULL,
    PRIMARY KEY (study_id, guide_id, version, position),
    FOREIGN KEY (study_id, guide_id, version)
        REFERENCES guide_version(study_id, guide_id, version) ON DELETE CASCADE
);

CREATE TABLE guide_question (
    study_id TEXT NOT NULL,
    guide_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    theme    INTEGER NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    id       TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (study_id, guide_id, version, theme, position),
    UNIQUE (study_id, guide_id, version, id),
    FOREIGN KEY (study_id, guide_id, version, theme)
        REFERENCES guide_theme(study_id, guide_id, version, position) ON DELETE CASCADE
);

-- The version a source followed: both or neither. SQLite adds a column with a foreign key
-- of one column only; the key to `guide_version` has three, and rebuilding `transcript`
-- would rebuild the search index's triggers and every table that points at it. Triggers
-- hold the same rule on every insert and update instead. A guide goes only with its study,
-- whose sources go with it.
ALTER TABLE transcript ADD COLUMN guide_id TEXT;
ALTER TABLE transcript ADD COLUMN guide_version INTEGER;

CREATE TRIGGER transcript_guide_insert BEFORE INSERT ON transcript
WHEN new.guide_id IS NOT NULL OR new.guide_version IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a source follows a guide version the study does not have')
    WHERE NOT EXISTS (SELECT 1 FROM guide_version
                      WHERE study_id = new.study_id AND guide_id = new.guide_id
                        AND version = new.guide_version);
END;

CREATE TRIGGER transcript_guide_update BEFORE UPDATE OF guide_id, guide_version ON transcript
WHEN new.guide_id IS NOT NULL OR new.guide_version IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a source follows a guide version the study does not have')
    WHERE NOT EXISTS (SELECT 1 FROM guide_version
                      WHERE study_id = new.study_id AND guide_id = new.guide_id
                        AND version = new.guide_version);
END;
