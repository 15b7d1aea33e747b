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

-- A proposal asked for on a web page answers no stored mail: incoming_id
-- becomes optional. SQLite changes a column's constraint only by
-- rebuilding the table (nothing references proposals).
CREATE TABLE proposals_new (
    id             INTEGER PRIMARY KEY,
    incoming_id    INTEGER REFERENCES incoming(id),
    customer       TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    slots          TEXT NOT NULL, -- JSON array of {"start","end"}
    expires_at     TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    closed_at      TIMESTAMP,
    appointment_id INTEGER REFERENCES appointments(id) ON DELETE CASCADE
);
INSERT INTO proposals_new (id, incoming_id, customer, message_id, slots, expires_at, created_at, closed_at, appointment_id)
    SELECT id, incoming_id, customer, message_id, slots, expires_at, created_at, closed_at, appointment_id FROM proposals;
DROP TABLE proposals;
ALTER TABLE proposals_new RENAME TO proposals;
CREATE INDEX proposals_customer ON proposals (customer);
CREATE INDEX proposals_message ON proposals (message_id);
