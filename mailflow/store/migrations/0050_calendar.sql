-- Technicians' own calendars (mailflow/calendar). A booking's change and
-- its row here commit together, so a calendar write is never lost, even
-- across a restart or a calendar outage; the sync job works the queue.
-- No foreign keys: a forgotten customer's appointment row goes, and the
-- job then removes its events from the technicians' calendars.

-- One row per appointment whose calendar entries are to be brought in
-- line with it (created, moved, cancelled). A second change before the
-- job ran only moves due_at: the job always writes the current state.
CREATE TABLE calendar_sync (
    appointment_id INTEGER PRIMARY KEY,
    queued_at      TIMESTAMP NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_sync_due ON calendar_sync (due_at);

-- Where an appointment's event was written: which technician's calendar,
-- and the service's own id for it (a CalDAV href, a Graph or Google id).
CREATE TABLE calendar_events (
    appointment_id INTEGER NOT NULL,
    technician     TEXT NOT NULL,
    uid            TEXT NOT NULL,
    remote_id      TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (appointment_id, technician)
);
