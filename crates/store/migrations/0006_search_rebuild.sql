-- Schema 6: rebuild the search index once. Under the SQLite bundled before (3.46), FTS5's
-- integrity check called the secure-delete index malformed after `import --replace`
-- deleted a study's transcripts and inserted new ones under the same rowids in one
-- transaction (lookups still answered rightly, as far as tests could tell). Stores made then
-- may carry such an index; a rebuild from the transcripts as they are now makes it one that
-- today's SQLite wrote, and brings back no withdrawn words.
INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild');
