-- Schema 1: studies, frameworks, people, transcripts, meaning units, codings, memos.
-- Row order (rowid) is the order things were added, which exports and reports keep.

CREATE TABLE framework (
    id          TEXT PRIMARY KEY,
    label_no    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE category (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    label_no     TEXT NOT NULL,
    label_en     TEXT NOT NULL,
    definition   TEXT NOT NULL,
    PRIMARY KEY (framework_id, id)
);

CREATE TABLE subtheme (
    framework_id TEXT NOT NULL,
    category_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    label_no     TEXT NOT NULL,
    label_en     TEXT NOT NULL,
    definition   TEXT NOT NULL,
    PRIMARY KEY (framework_id, category_id, id),
    FOREIGN KEY (framework_id, category_id) REFERENCES category(framework_id, id) ON DELETE CASCADE
);

CREATE TABLE study (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    research_question TEXT,
    method            TEXT,
    period_start      TEXT,
    period_end        TEXT,
    framework_id      TEXT NOT NULL REFERENCES framework(id)
);

CREATE TABLE municipality (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (study_id, id)
);

CREATE TABLE resource_group (
    study_id     TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    period_start TEXT,
    period_end   TEXT,
    studied      INTEGER NOT NULL CHECK (studied IN (0, 1)),
    PRIMARY KEY (study_id, id)
);

CREATE TABLE group_municipality (
    study_id        TEXT NOT NULL,
    group_id        TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    PRIMARY KEY (study_id, group_id, municipality_id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, municipality_id) REFERENCES municipality(study_id, id) ON DELETE CASCADE
);

CREATE TABLE member (
    study_id TEXT NOT NULL,
    id       TEXT NOT NULL,
    group_id TEXT NOT NULL,
    sector   TEXT NOT NULL CHECK (sector IN ('public', 'private', 'voluntary', 'citizen')),
    service  TEXT,
    youth    INTEGER NOT NULL CHECK (youth IN (0, 1)),
    pd_youth INTEGER NOT NULL CHECK (pd_youth IN (0, 1)),
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

-- A withdrawn informant keeps only study_id, id and consent: every other column is NULL.
CREATE TABLE informant (
    study_id       TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    role           TEXT CHECK (role IN ('participant', 'facilitator')),
    group_id       TEXT,
    workplace      TEXT,
    job_position   TEXT,
    interview_date TEXT,
    consent        TEXT NOT NULL CHECK (consent IN ('pending', 'given', 'withdrawn')),
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    CHECK ((consent = 'withdrawn') = (role IS NULL))
);

CREATE TABLE transcript (
    study_id     TEXT NOT NULL,
    informant_id TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (study_id, informant_id),
    FOREIGN KEY (study_id, informant_id) REFERENCES informant(study_id, id) ON DELETE CASCADE
);

CREATE TABLE meaning_unit (
    id           INTEGER PRIMARY KEY,
    study_id     TEXT NOT NULL,
    informant_id TEXT NOT NULL,
    start_char   INTEGER NOT NULL CHECK (start_char >= 0),
    end_char     INTEGER NOT NULL CHECK (end_char > start_char),
    UNIQUE (study_id, informant_id, start_char, end_char),
    FOREIGN KEY (study_id, informant_id) REFERENCES transcript(study_id, informant_id) ON DELETE CASCADE
);

CREATE TABLE coding (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES meaning_unit(id) ON DELETE CASCADE,
    framework_id TEXT NOT NULL,
    category_id  TEXT NOT NULL,
    subtheme_id  TEXT NOT NULL,
    polarity     TEXT NOT NULL CHECK (polarity IN ('barrier', 'opportunity')),
    coder        TEXT NOT NULL,
    memo         TEXT,
    UNIQUE (unit_id, category_id, subtheme_id, polarity, coder),
    FOREIGN KEY (framework_id, category_id, subtheme_id) REFERENCES subtheme(framework_id, category_id, id)
);
CREATE INDEX coding_code ON coding (category_id, subtheme_id);

CREATE TABLE memo (
    id           INTEGER PRIMARY KEY,
    study_id     TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    framework_id TEXT,
    category_id  TEXT,
    subtheme_id  TEXT,
    author       TEXT NOT NULL,
    text         TEXT NOT NULL,
    FOREIGN KEY (framework_id, category_id, subtheme_id) REFERENCES subtheme(framework_id, category_id, id)
);
