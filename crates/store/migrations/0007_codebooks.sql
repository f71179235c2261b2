-- Schema 7: codebooks any study can use. A framework is a tree of codes of any depth, each
-- named by its path (`structure/infrastructure`), with labels by language (a JSON object,
-- `{"nb": ..., "en": ...}`), a definition, a colour and a memo; it declares qualifiers (closed
-- sets of values, such as polarity: barrier or opportunity), and a coding carries the values
-- of those that apply to its code.
--
-- Every store before this one held two-level frameworks whose every code took a polarity:
-- categories become codes at the top, subthemes codes under them, in the order they were
-- shown, and every framework declares the required `polarity` qualifier exactly as core
-- reads a framework file of that first format, so that a stored framework and the same
-- framework read from its file are equal. Codings and memos keep their row ids (the order
-- they were added, which loading keeps).
--
-- Foreign keys are on: rows are checked at commit, and a dropped table's rows are deleted
-- first (cascading), so each table is rebuilt before the tables it references are dropped.
PRAGMA defer_foreign_keys = ON;

-- Frameworks: labels by language in place of label_no / label_en. Not rebuilt: studies,
-- codes and GUIDs reference it, and dropping it would cascade.
ALTER TABLE framework ADD COLUMN label TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(label) AND json_type(label) = 'object');
UPDATE framework SET label = json_object('nb', label_no, 'en', label_en);
ALTER TABLE framework DROP COLUMN label_no;
ALTER TABLE framework DROP COLUMN label_en;

-- The codes of each framework. `rank` is the code's position in tree order (each code
-- before the codes under it), which is the order to show and sort them in.
CREATE TABLE code (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    rank         INTEGER NOT NULL CHECK (rank >= 0),
    label        TEXT NOT NULL CHECK (json_valid(label) AND json_type(label) = 'object'),
    definition   TEXT NOT NULL,
    colour       TEXT CHECK (colour IS NULL OR (length(colour) = 7 AND colour GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]')),
    memo         TEXT,
    PRIMARY KEY (framework_id, path)
);

-- Categories (shown in rowid order), each followed by its subthemes (in rowid order).
WITH node (framework_id, path, category_order, subtheme_order, label_no, label_en, definition) AS (
    SELECT framework_id, id, rowid, 0, label_no, label_en, definition FROM category
    UNION ALL
    SELECT s.framework_id, s.category_id || '/' || s.id, c.rowid, s.rowid,
           s.label_no, s.label_en, s.definition
    FROM subtheme s
    JOIN category c ON c.framework_id = s.framework_id AND c.id = s.category_id
)
INSERT INTO code (framework_id, path, rank, label, definition)
SELECT framework_id, path,
       row_number() OVER (PARTITION BY framework_id ORDER BY category_order, subtheme_order) - 1,
       json_object('nb', label_no, 'en', label_en), definition
FROM node;

-- Qualifiers in declared order (`rank`); `codes` is a JSON array of the code paths a
-- qualifier applies to (each with the codes under it), empty for every code.
CREATE TABLE qualifier (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    rank         INTEGER NOT NULL CHECK (rank >= 0),
    label        TEXT NOT NULL CHECK (json_valid(label) AND json_type(label) = 'object'),
    required     INTEGER NOT NULL CHECK (required IN (0, 1)),
    codes        TEXT NOT NULL CHECK (json_valid(codes) AND json_type(codes) = 'array'),
    PRIMARY KEY (framework_id, id)
);

-- A qualifier's values in display order (`rank`).
CREATE TABLE qualifier_value (
    framework_id TEXT NOT NULL,
    qualifier_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    rank         INTEGER NOT NULL CHECK (rank >= 0),
    label        TEXT NOT NULL CHECK (json_valid(label) AND json_type(label) = 'object'),
    PRIMARY KEY (framework_id, qualifier_id, id),
    FOREIGN KEY (framework_id, qualifier_id) REFERENCES qualifier(framework_id, id) ON DELETE CASCADE
);

INSERT INTO qualifier (framework_id, id, rank, label, required, codes)
SELECT id, 'polarity', 0, json_object('nb', 'Polaritet', 'en', 'Polarity'), 1, '[]'
FROM framework;
INSERT INTO qualifier_value (framework_id, qualifier_id, id, rank, label)
SELECT id, 'polarity', 'barrier', 0, json_object('nb', 'Barriere', 'en', 'Barrier')
FROM framework;
INSERT INTO qualifier_value (framework_id, qualifier_id, id, rank, label)
SELECT id, 'polarity', 'opportunity', 1, json_object('nb', 'Mulighet', 'en', 'Opportunity')
FROM framework;

-- Codings name their code by path and carry their qualifier values as core writes them
-- (`polarity=barrier;level=group`, sorted by qualifier id; '' for none), so that the unique
-- key compares them as the model does. Row ids are kept: they are the order of addition.
CREATE TABLE coding_7 (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES meaning_unit(id) ON DELETE CASCADE,
    framework_id TEXT NOT NULL,
    code         TEXT NOT NULL,
    qualifiers   TEXT NOT NULL,
    coder        TEXT NOT NULL,
    memo         TEXT,
    UNIQUE (unit_id, code, qualifiers, coder),
    FOREIGN KEY (framework_id, code) REFERENCES code(framework_id, path)
);
INSERT INTO coding_7 (id, unit_id, framework_id, code, qualifiers, coder, memo)
SELECT id, unit_id, framework_id, category_id || '/' || subtheme_id, 'polarity=' || polarity,
       coder, memo
FROM coding ORDER BY id;
DROP TABLE coding;
ALTER TABLE coding_7 RENAME TO coding;
-- Whether a code is in use (a framework update, the foreign key when a code goes), and the
-- distinct sets of qualifier values each code's codings carry (quotes sort by them).
CREATE INDEX coding_code ON coding (framework_id, code, qualifiers);

CREATE TABLE memo_7 (
    id           INTEGER PRIMARY KEY,
    study_id     TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    framework_id TEXT,
    code         TEXT,
    author       TEXT NOT NULL,
    text         TEXT NOT NULL,
    FOREIGN KEY (framework_id, code) REFERENCES code(framework_id, path)
);
INSERT INTO memo_7 (id, study_id, framework_id, code, author, text)
SELECT id, study_id, framework_id, category_id || '/' || subtheme_id, author, text
FROM memo ORDER BY id;
DROP TABLE memo;
ALTER TABLE memo_7 RENAME TO memo;

DROP TABLE subtheme;
DROP TABLE category;

-- REFI-QDA GUIDs of framework objects: a code by its path (was a category by its id or a
-- subtheme by `category/subtheme`: both are the code's path now), and a code with qualifier
-- values, as interchange writes it (key `path#polarity=barrier`; was `path#barrier`).
CREATE TABLE refi_framework_guid_7 (
    framework_id TEXT NOT NULL REFERENCES framework(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('code', 'qualified')),
    key          TEXT NOT NULL,
    guid         TEXT NOT NULL,
    PRIMARY KEY (framework_id, kind, key)
);
INSERT INTO refi_framework_guid_7 (framework_id, kind, key, guid)
SELECT framework_id,
       CASE kind WHEN 'polarity' THEN 'qualified' ELSE 'code' END,
       CASE kind
           WHEN 'polarity' THEN
               substr(key, 1, instr(key, '#')) || 'polarity=' || substr(key, instr(key, '#') + 1)
           ELSE key
       END,
       guid
FROM refi_framework_guid ORDER BY rowid;
DROP TABLE refi_framework_guid;
ALTER TABLE refi_framework_guid_7 RENAME TO refi_framework_guid;

-- A coding's key (kinds `coding` and `coding-note`) was `I1:10-42:code:barrier:coder`; it
-- is `I1:10-42:code:polarity=barrier:coder` now. No field but the fourth can be `barrier` or
-- `opportunity` between two colons: the first is an informant id and the second a span (no
-- colon before either), the third a code path with a `/` in it, and the coder comes last.
UPDATE refi_study_guid
SET key = replace(replace(key, ':barrier:', ':polarity=barrier:'),
                  ':opportunity:', ':polarity=opportunity:')
WHERE kind IN ('coding', 'coding-note');
