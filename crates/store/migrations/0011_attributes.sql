-- Schema 11: custom attributes. A study declares each attribute (its type, and what may hold
-- it); informants, members and groups hold values of them. A value is kept as text in the
-- form its type writes (`12`, `2023-05-15`, `true`), and read back through the declaration.
CREATE TABLE attribute (
    study_id      TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    label         TEXT,
    type          TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'one-of')),
    for_informant INTEGER NOT NULL CHECK (for_informant IN (0, 1)),
    for_member    INTEGER NOT NULL CHECK (for_member IN (0, 1)),
    for_group     INTEGER NOT NULL CHECK (for_group IN (0, 1)),
    PRIMARY KEY (study_id, id)
);

-- A one-of's texts, in their order (rowid).
CREATE TABLE attribute_choice (
    study_id     TEXT NOT NULL,
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, attribute_id, value),
    FOREIGN KEY (study_id, attribute_id) REFERENCES attribute(study_id, id) ON DELETE CASCADE
);

CREATE TABLE informant_attribute (
    study_id     TEXT NOT NULL,
    informant_id TEXT NOT NULL,
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, informant_id, attribute_id),
    FOREIGN KEY (study_id, informant_id) REFERENCES informant(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, attribute_id) REFERENCES attribute(study_id, id) ON DELETE CASCADE
);

-- An informant's values are their personal data: a withdrawal removes them with the rest.
CREATE TRIGGER informant_attribute_withdrawn AFTER UPDATE OF consent ON informant
WHEN NEW.consent = 'withdrawn'
BEGIN
    DELETE FROM informant_attribute WHERE study_id = NEW.study_id AND informant_id = NEW.id;
END;

CREATE TABLE member_attribute (
    study_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, member_id, attribute_id),
    FOREIGN KEY (study_id, member_id) REFERENCES member(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, attribute_id) REFERENCES attribute(study_id, id) ON DELETE CASCADE
);

CREATE TABLE group_attribute (
    study_id     TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, group_id, attribute_id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, attribute_id) REFERENCES attribute(study_id, id) ON DELETE CASCADE
);
