-- The server copies of mail whose database copy ended. Retention, erasure of
-- an AnyDesk ID and forget drop a mail's raw bytes (or its row); the mail
-- also sits in the support mailbox's folders, and that copy must end too.
-- A trigger queues it in the very transaction that ends the database copy,
-- so no code path can forget to, and a crash or an offline server loses
-- nothing: the eraser (mailbox.Eraser) works the queue with backoff.
--
-- Rows carry the mail's keys, never its content or sender. They stay after
-- the work is done: redacted_hash lets intake recognise the redacted copy
-- it put back (same Message-ID, other body) and never take it in as new.
CREATE TABLE server_erasures (
	id            INTEGER PRIMARY KEY,
	mailbox       TEXT NOT NULL,
	uid_validity  INTEGER NOT NULL,
	uid           INTEGER NOT NULL,
	message_id    TEXT NOT NULL,
	body_hash     TEXT NOT NULL,
	-- retention: the raw bytes were dropped (expunge, redact or keep per
	-- retention.server); forget: the customer was forgotten (expunged,
	-- redacted copies too, with retention.expunge_on_forget).
	reason        TEXT NOT NULL CHECK (reason IN ('retention', 'forget')),
	state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'kept', 'gave-up')),
	created_at    TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
	next_at       TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
	attempts      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	done_at       TIMESTAMP,
	-- what the work did: "expunged INBOX:1 Processed:1" and the like
	result        TEXT NOT NULL DEFAULT '',
	redacted_hash TEXT NOT NULL DEFAULT '',
	UNIQUE (message_id, body_hash)
);
CREATE INDEX server_erasures_due ON server_erasures (next_at) WHERE state = 'pending';
CREATE INDEX server_erasures_redacted ON server_erasures (message_id, redacted_hash) WHERE redacted_hash != '';

-- Raw bytes dropped from a stored mail (retention, ID erasure, a
-- technician's reply): its server copy is due. A mail known again under
-- another UID (a duplicate) is one erasure: the eraser finds every copy.
CREATE TRIGGER incoming_raw_dropped AFTER UPDATE OF raw ON incoming
WHEN OLD.raw IS NOT NULL AND NEW.raw IS NULL
BEGIN
	INSERT INTO server_erasures (mailbox, uid_validity, uid, message_id, body_hash, reason)
	VALUES (NEW.mailbox, NEW.uid_validity, NEW.uid, NEW.message_id, NEW.body_hash, 'retention')
	ON CONFLICT (message_id, body_hash) DO NOTHING;
END;

-- A stored mail deleted (forget): every server copy goes, an earlier
-- redacted one included, whether or not retention already handled it.
CREATE TRIGGER incoming_forgotten AFTER DELETE ON incoming
BEGIN
	INSERT INTO server_erasures (mailbox, uid_validity, uid, message_id, body_hash, reason)
	VALUES (OLD.mailbox, OLD.uid_validity, OLD.uid, OLD.message_id, OLD.body_hash, 'forget')
	ON CONFLICT (message_id, body_hash) DO UPDATE SET reason = 'forget', state = 'pending',
		next_at = excluded.next_at, attempts = 0, last_error = '';
END;
