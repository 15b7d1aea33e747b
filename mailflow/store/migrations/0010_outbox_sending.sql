-- An attempt in flight. sending_at is committed before a mail goes to SMTP
-- and cleared when the attempt's result is recorded: a row left with it set
-- was interrupted (kill -9, power loss) somewhere between the two, perhaps
-- after the server accepted the mail.
ALTER TABLE outbox ADD COLUMN sending_at TIMESTAMP;
-- How often the mail was sent without learning the result (an interrupted
-- attempt, or a connection cut after the end of DATA). After one such
-- attempt it is sent once more; after a second it goes to the dead letters
-- instead of being sent blindly again.
ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
