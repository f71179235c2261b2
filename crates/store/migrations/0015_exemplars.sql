-- Schema 15: the analyst marks codings whose units illustrate their code (`samskap code
-- exemplar`); the report's Table 2 shows those first. A unit is an exemplar of a code when
-- any coder's coding of that code on it is marked.
ALTER TABLE coding ADD COLUMN exemplar INTEGER NOT NULL DEFAULT 0 CHECK (exemplar IN (0, 1));
