-- Clock-driven work that must happen exactly once: one row per agenda
-- (day and recipient) and per customer reminder (appointment and offset).
-- The row commits in the transaction that queues the job's mail, so a
-- second pass at the same minute, another process or a restart finds the
-- key taken and queues nothing.
CREATE TABLE job_runs (
    key     TEXT PRIMARY KEY,
    done_at TIMESTAMP NOT NULL
);
