-- Calendar invitations: SEQUENCE grows with every change of an appointment.
ALTER TABLE appointments ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;

-- Every mail we sent about an appointment, so a reply in its thread
-- (In-Reply-To / References) finds the appointment.
CREATE TABLE appointment_mails (
    message_id     TEXT PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE
);

-- A proposal is open until accepted, replaced or expired. One made for a
-- reschedule names the appointment it would move.
ALTER TABLE proposals ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE proposals ADD COLUMN appointment_id INTEGER REFERENCES appointments(id) ON DELETE CASCADE;
CREATE INDEX proposals_message ON proposals (message_id);
