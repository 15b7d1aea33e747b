-- Indexes that keep the cost of one mail flat however much history the
-- database holds: every per-mail question (caps, breaker, purge candidates)
-- reads a small index range instead of the table.

-- Per-recipient cap: mails to one address within a window.
CREATE INDEX outbox_recipient_created ON outbox (recipient COLLATE NOCASE, created_at);
-- Breaker windows: replies sent by time, to one address and to one domain
-- (agendas, reminders and notices to our technicians are no replies).
CREATE INDEX outbox_replies_sent ON outbox (sent_at) WHERE state = 'sent' AND purpose NOT IN ('agenda', 'reminder', 'technician-notice');
CREATE INDEX outbox_replies_address ON outbox (lower(recipient), sent_at) WHERE state = 'sent' AND purpose NOT IN ('agenda', 'reminder', 'technician-notice');
CREATE INDEX outbox_replies_domain ON outbox (lower(substr(recipient, instr(recipient, '@') + 1)), sent_at) WHERE state = 'sent' AND purpose NOT IN ('agenda', 'reminder', 'technician-notice');
-- Retention candidates: only rows that still hold raw bytes.
CREATE INDEX incoming_purge ON incoming (received_at) WHERE raw IS NOT NULL AND state = 'decided';
CREATE INDEX outbox_purge ON outbox (coalesce(sent_at, created_at)) WHERE purged_at IS NULL AND state IN ('sent', 'dead');
-- What a purge asks of every candidate.
CREATE INDEX appointments_incoming ON appointments (incoming_id) WHERE incoming_id IS NOT NULL;
CREATE INDEX appointment_mails_appointment ON appointment_mails (appointment_id);
-- Free slots: only booked sessions matter, and only those near the days asked about.
CREATE INDEX appointments_booked_start ON appointments (start_at) WHERE status = 'booked';
