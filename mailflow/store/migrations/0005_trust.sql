-- Per-installation secrets (drawn by the store with crypto/rand on first
-- start, never shown): 'hmac' keys the sender hash of logs and audit and
-- the Message-IDs of our mail, so neither can be recomputed from outside.
CREATE TABLE installation (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- Booking numbers come from this counter, never from max(id): a number
-- freed by forget or a delete is never handed out again.
CREATE TABLE booking_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO booking_numbers (id, last) VALUES (1, (SELECT coalesce(max(id), 0) FROM appointments));

-- Who a mail about an appointment was sent to: a reply to it proves the
-- replier reads that mailbox (a capability). Rows from before this
-- migration have no recipient and prove nothing (their Message-IDs were
-- guessable).
ALTER TABLE appointment_mails ADD COLUMN recipient TEXT;

-- Changes asked for without proof: the neutral mail sent to the address
-- on file, and the mail that asked. A reply to that mail carries it out.
CREATE TABLE change_requests (
    message_id     TEXT PRIMARY KEY,
    incoming_id    INTEGER NOT NULL REFERENCES incoming(id) ON DELETE CASCADE,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
    created_at     TIMESTAMP NOT NULL,
    answered_at    TIMESTAMP
);
