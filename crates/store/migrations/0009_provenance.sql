-- Schema 9: a study says whether its data are research data or made up to illustrate
-- (`provenance` in study.toml). Stores made before this knew no such thing: their studies
-- read as research data until they are imported again from a bundle that says otherwise.
ALTER TABLE study ADD COLUMN provenance TEXT NOT NULL DEFAULT 'research'
    CHECK (provenance IN ('research', 'illustrative'));
