-- Schema 16: a study may name the language it is written up in (`language` in study.toml),
-- which the report is written in unless another is asked for. Stores made before this
-- knew none: their studies have none until imported again from a bundle that names one.
ALTER TABLE study ADD COLUMN language TEXT;
