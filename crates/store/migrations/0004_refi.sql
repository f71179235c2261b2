-- Schema 4: REFI-QDA interchange (`samskap refi import|export`).
--
-- The GUIDs that QDA tools gave samskap's objects, kept so that an export reuses them and a
-- project can go back and forth without becoming a new one. Only GUIDs that differ from the
-- one samskap derives itself are kept (see crates/refi/src/guid.rs). `kind` and `key` name
-- the object: `user`/coder id, `case`/informant id, `selection`/`I1:10-42`, ...
CREATE TABLE refi_study_guid (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    guid     TEXT NOT NULL,
    PRIMARY KEY (study_id, kind, key)
);

-- Codes belong to a framework, which several studies may share.
CREATE TABLE refi_framework_guid (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('category', 'subtheme', 'polarity')),
    key          TEXT NOT NULL,
    guid         TEXT NOT NULL,
    PRIMARY KEY (framework_id, kind, key)
);

-- Case variables the model has no field for (age, gender, ...), kept to go out again.
CREATE TABLE refi_attribute (
    study_id     TEXT NOT NULL,
    informant_id TEXT NOT NULL,
    variable     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (study_id, informant_id, variable),
    FOREIGN KEY (study_id, informant_id) REFERENCES informant(study_id, id) ON DELETE CASCADE
);

-- They are personal data: a withdrawal removes them with the rest.
CREATE TRIGGER refi_attribute_withdrawn AFTER UPDATE OF consent ON informant
WHEN NEW.consent = 'withdrawn'
BEGIN
    DELETE FROM refi_attribute WHERE study_id = NEW.study_id AND informant_id = NEW.id;
END;
