-- The browser pages' sign-ins (crates/web). A session is made when a token is pasted into the
-- sign-in form; the browser keeps its random secret in a cookie and the store keeps only the
-- secret's SHA-256, as it does for tokens. A session lives as long as its token: a revoked
-- token's sessions are refused at once (every look-up joins api_token), and forgotten at the
-- next sign-in. Times are Unix seconds.
CREATE TABLE web_session (
    id        INTEGER PRIMARY KEY,
    hash      TEXT UNIQUE NOT NULL CHECK (length(hash) = 64),
    token_id  INTEGER NOT NULL REFERENCES api_token(id) ON DELETE CASCADE,
    created   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX web_session_token ON web_session (token_id);

-- The language a token's holder reads the pages in, once they chose one.
CREATE TABLE web_preference (
    token_id INTEGER PRIMARY KEY REFERENCES api_token(id) ON DELETE CASCADE,
    lang     TEXT NOT NULL CHECK (lang IN ('en', 'nb'))
);
