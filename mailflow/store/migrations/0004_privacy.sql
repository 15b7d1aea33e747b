-- Retention counts from the moment a session ended, so that moment is kept:
-- done_at when a technician marked it done, cancelled_at when it was called off.
ALTER TABLE appointments ADD COLUMN done_at TIMESTAMP;
ALTER TABLE appointments ADD COLUMN cancelled_at TIMESTAMP;
-- The session protocol: what the technician wrote when marking it done,
-- plus notes. Every remote session is documented (PRODUCT.md).
ALTER TABLE appointments ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
-- Sessions that ended before this migration count from their last change.
UPDATE appointments SET done_at = updated_at WHERE status = 'done';
UPDATE appointments SET cancelled_at = updated_at WHERE status = 'cancelled';
CREATE INDEX appointments_ended ON appointments (status, done_at, cancelled_at) WHERE anydesk_id IS NOT NULL;

-- When the raw bytes were dropped by retention or erasure: the row (keys,
-- outcome) stays so the mail is still recognised and never answered twice.
ALTER TABLE incoming ADD COLUMN purged_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN purged_at TIMESTAMP;

-- Retention asks which appointment a mail belonged to (through the audit
-- row of its decision), erasing an ID which mail brought it (audit by
-- reference), and erasure looks mail up by address.
CREATE INDEX audit_incoming ON audit (incoming_id) WHERE incoming_id IS NOT NULL;
CREATE INDEX audit_ref ON audit (ref, action);
CREATE INDEX incoming_sender ON incoming (sender COLLATE NOCASE);
CREATE INDEX outbox_recipient ON outbox (recipient COLLATE NOCASE);
CREATE INDEX outbox_incoming ON outbox (incoming_id) WHERE incoming_id IS NOT NULL;
