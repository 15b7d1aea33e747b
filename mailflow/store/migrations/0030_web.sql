-- The desk's web pages (mailflow/web). Only hashes of the secrets are
-- stored: a copy of the database opens no session.

-- One-time sign-in links mailed to a technician: valid until expires_at,
-- used once (used_at set in the transaction that opens the session).
CREATE TABLE web_logins (
    token_hash TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX web_logins_expires ON web_logins (expires_at);

-- Signed-in browsers. csrf is the token every form of the session carries.
CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
