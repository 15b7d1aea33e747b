-- Technicians' own calendars (mailflow/calendar): PostgreSQL's twin of
-- migrations/0050_calendar.sql. A booking's change and its row here commit
-- together, so a calendar write is never lost; the sync job works the queue.
-- No foreign keys: a forgotten customer's appointment row goes, and the
-- job then removes its events from the technicians' calendars.

CREATE TABLE calendar_sync (
    appointment_id BIGINT PRIMARY KEY,
    queued_at      TIMESTAMPTZ NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_sync_due ON calendar_sync (due_at);

CREATE TABLE calendar_events (
    appointment_id BIGINT NOT NULL,
    technician     TEXT NOT NULL,
    uid            TEXT NOT NULL,
    remote_id      TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (appointment_id, technician)
);
