-- Several daemons on one database (PostgreSQL; on SQLite the lock file
-- keeps it to one, and these tables list that one). Each running daemon is
-- an instance with a heartbeat; singleton work (the mailbox intake, the
-- clock's jobs, the server eraser) runs under a lease: one holder, until
-- expires_at, renewed while it lives, taken over once it lapses.
CREATE TABLE instances (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    stopped_at   TIMESTAMP
);
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TIMESTAMP NOT NULL,
    renewed_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
-- Which instance claimed a mail for sending: a mail in flight on a live
-- instance is not "interrupted", only one whose instance stopped beating.
ALTER TABLE outbox ADD COLUMN sending_by TEXT;
