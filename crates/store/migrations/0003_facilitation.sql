-- Schema 3: the facilitation record of a study (meetings and attendance, group rules, problem
-- statements, PD process moves, practices, trial actions with their lifecycle, dissemination,
-- contacts, assessments with their evidence), and for the HTTP API its tokens and audit log.
--
-- Every facilitation table cascades from `study`, so replacing a study takes its record with
-- it. Row order (rowid) is the order things were recorded, which `load_study` keeps. Dates
-- are ISO 8601 text (`YYYY-MM-DD`), so comparing them as text compares them as dates.

CREATE TABLE meeting (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    group_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('information', 'group', 'workshop')),
    date     TEXT NOT NULL,
    note     TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

-- A meeting's attendance is replaced as a whole; rowid order is the order given.
CREATE TABLE attendance (
    study_id   TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    presence   TEXT NOT NULL CHECK (presence IN ('present', 'absent', 'excused')),
    PRIMARY KEY (study_id, meeting_id, member_id),
    FOREIGN KEY (study_id, meeting_id) REFERENCES meeting(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, member_id) REFERENCES member(study_id, id) ON DELETE CASCADE
);

-- One row per group; updating it in place keeps its rowid, so its order.
CREATE TABLE group_rules (
    study_id     TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    frequency    TEXT,
    place        TEXT,
    leader       TEXT,
    disagreement TEXT,
    PRIMARY KEY (study_id, group_id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

CREATE TABLE problem_statement (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    group_id TEXT NOT NULL,
    text     TEXT NOT NULL,
    drafted  TEXT NOT NULL,
    agreed   TEXT CHECK (agreed IS NULL OR agreed >= drafted),
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);
-- A group agrees on one problem statement at most.
CREATE UNIQUE INDEX problem_statement_agreed ON problem_statement (study_id, group_id)
    WHERE agreed IS NOT NULL;

-- Participants in the order given (rowid).
CREATE TABLE statement_participant (
    study_id     TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    FOREIGN KEY (study_id, statement_id) REFERENCES problem_statement(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, member_id) REFERENCES member(study_id, id) ON DELETE CASCADE
);
CREATE INDEX statement_participant_statement ON statement_participant (study_id, statement_id);

-- Moves in the PD process, in the order recorded (id).
CREATE TABLE process_move (
    id       INTEGER PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    date     TEXT NOT NULL,
    phase    TEXT NOT NULL CHECK (phase IN ('challenge', 'explore', 'implement')),
    step     TEXT NOT NULL CHECK (step IN ('define-problem', 'identify-deviants', 'explore-practices',
                                           'develop-interventions', 'evaluate', 'disseminate')),
    note     TEXT,
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

CREATE TABLE pd_practice (
    study_id    TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('individual', 'group', 'organisation')),
    description TEXT NOT NULL,
    observed    TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

CREATE TABLE action (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    group_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('trial-action', 'intervention')),
    title    TEXT NOT NULL,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE
);

-- An action's lifecycle, in order (id): planned first, then each state that may follow.
CREATE TABLE action_transition (
    id        INTEGER PRIMARY KEY,
    study_id  TEXT NOT NULL,
    action_id TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('planned', 'tried', 'evaluated', 'adopted', 'dropped')),
    date      TEXT NOT NULL,
    note      TEXT,
    FOREIGN KEY (study_id, action_id) REFERENCES action(study_id, id) ON DELETE CASCADE
);
CREATE INDEX action_transition_action ON action_transition (study_id, action_id);

CREATE TABLE dissemination (
    study_id  TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id        TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    date      TEXT NOT NULL,
    audience  TEXT NOT NULL,
    action_id TEXT,
    note      TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, group_id) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, action_id) REFERENCES action(study_id, id) ON DELETE CASCADE
);

CREATE TABLE contact (
    study_id TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    member_a TEXT NOT NULL,
    member_b TEXT NOT NULL CHECK (member_b <> member_a),
    date     TEXT NOT NULL,
    note     TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, member_a) REFERENCES member(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, member_b) REFERENCES member(study_id, id) ON DELETE CASCADE
);

-- The subject is a group or a service; the value a ladder step or an institutional logic.
CREATE TABLE assessment (
    study_id        TEXT NOT NULL REFERENCES study(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    subject_group   TEXT,
    subject_service TEXT,
    ladder          INTEGER CHECK (ladder BETWEEN 1 AND 5),
    logic           TEXT CHECK (logic IN ('TB', 'NPM', 'NPG')),
    assessor        TEXT NOT NULL,
    date            TEXT NOT NULL,
    note            TEXT,
    PRIMARY KEY (study_id, id),
    FOREIGN KEY (study_id, subject_group) REFERENCES resource_group(study_id, id) ON DELETE CASCADE,
    CHECK ((subject_group IS NULL) <> (subject_service IS NULL)),
    CHECK ((ladder IS NULL) <> (logic IS NULL))
);

-- Character spans of transcripts cited as evidence, in order (id). Withdrawal deletes the
-- rows of the withdrawn informant.
CREATE TABLE assessment_evidence (
    id            INTEGER PRIMARY KEY,
    study_id      TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    informant_id  TEXT NOT NULL,
    start_char    INTEGER NOT NULL CHECK (start_char >= 0),
    end_char      INTEGER NOT NULL CHECK (end_char > start_char),
    FOREIGN KEY (study_id, assessment_id) REFERENCES assessment(study_id, id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, informant_id) REFERENCES informant(study_id, id) ON DELETE CASCADE
);
CREATE INDEX assessment_evidence_assessment ON assessment_evidence (study_id, assessment_id);
CREATE INDEX assessment_evidence_informant ON assessment_evidence (study_id, informant_id);

-- HTTP API credentials. Only the hex SHA-256 of a secret is stored, never the secret. A name
-- is never reused, even after revocation, so the audit log's token names stay unambiguous.
CREATE TABLE api_token (
    id      INTEGER PRIMARY KEY,
    name    TEXT UNIQUE NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'facilitator')),
    hash    TEXT UNIQUE NOT NULL CHECK (length(hash) = 64),
    created TEXT NOT NULL,
    revoked TEXT
);

-- The groups a facilitator's token may work with. Deliberately no foreign key to the study or
-- its groups: replacing a study (delete and re-import) must not take facilitators' access.
CREATE TABLE api_token_group (
    token_id INTEGER NOT NULL REFERENCES api_token(id) ON DELETE CASCADE,
    study_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    PRIMARY KEY (token_id, study_id, group_id)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    token_name TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    object_id  TEXT,
    status     INTEGER NOT NULL
);
