-- The mailbox cursor: where intake resumes after a restart.
CREATE TABLE cursor (
    mailbox      TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Every mail that arrived, one row each, raw bytes kept until retention.
CREATE TABLE incoming (
    id            INTEGER PRIMARY KEY,
    mailbox       TEXT NOT NULL,
    uid_validity  INTEGER NOT NULL,
    uid           INTEGER NOT NULL,
    message_id    TEXT NOT NULL,
    body_hash     TEXT NOT NULL,
    size          INTEGER NOT NULL,
    raw           BLOB,
    sender        TEXT NOT NULL DEFAULT '',
    received_at   TIMESTAMP NOT NULL,
    -- new: stored, not decided; decided: outcome recorded.
    state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'decided')),
    outcome       TEXT,
    rule          TEXT,
    detail        TEXT,
    decided_at    TIMESTAMP,
    duplicate_of  INTEGER REFERENCES incoming(id),
    -- Where the mail goes on the server once decided ('' = only flag \Seen).
    dest_folder   TEXT,
    disposed_at   TIMESTAMP,
    UNIQUE (mailbox, uid_validity, uid)
);
CREATE INDEX incoming_dedupe ON incoming (message_id, body_hash);
CREATE INDEX incoming_state ON incoming (state);
CREATE INDEX incoming_undisposed ON incoming (mailbox, uid_validity) WHERE disposed_at IS NULL AND state = 'decided';

CREATE TABLE appointments (
    id           INTEGER PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    customer     TEXT NOT NULL,
    customer_name TEXT NOT NULL DEFAULT '',
    technician   TEXT NOT NULL,
    start_at     TIMESTAMP NOT NULL,
    end_at       TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'done')),
    language     TEXT NOT NULL DEFAULT 'de',
    reason       TEXT NOT NULL DEFAULT '',
    anydesk_id   TEXT,
    incoming_id  INTEGER REFERENCES incoming(id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
-- The database, not the code, guarantees no technician is booked twice.
CREATE UNIQUE INDEX appointments_no_double ON appointments (technician, start_at) WHERE status = 'booked';
CREATE INDEX appointments_customer ON appointments (customer, status);
CREATE INDEX appointments_start ON appointments (start_at);

-- Slots offered to a customer who can pick one by replying.
CREATE TABLE proposals (
    id           INTEGER PRIMARY KEY,
    incoming_id  INTEGER NOT NULL REFERENCES incoming(id),
    customer     TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    slots        TEXT NOT NULL, -- JSON array of {"start","end"}
    expires_at   TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX proposals_customer ON proposals (customer);

-- Mail to send. The Message-ID is deterministic, so a decision replayed
-- after a crash cannot queue the same mail twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    incoming_id     INTEGER REFERENCES incoming(id),
    purpose         TEXT NOT NULL,
    sender          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    raw             BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE outbox_attempts (
    id        INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    at        TIMESTAMP NOT NULL,
    ok        INTEGER NOT NULL,
    temporary INTEGER NOT NULL,
    error     TEXT NOT NULL DEFAULT ''
);

-- What happened, without the personal data: actors are hashed.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    incoming_id INTEGER,
    outcome     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

-- Small runtime facts for `mailflow status`: intake state, heartbeats, last errors.
CREATE TABLE status (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
