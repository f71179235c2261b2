-- Schema 6: rebuild the search index once. The SQLite bundled before (3.46) left FTS5's
-- secure-delete index malformed whenever `import --replace` deleted a study's transcripts and
-- inserted new ones under the same rowids in one transaction; stores made then may carry
-- such an index. The rebuild reads the transcripts as they are now, so no withdrawn words
-- come back.
INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild');
