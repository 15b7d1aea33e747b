package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// OutboxMail is one mail waiting to be sent or already sent.
type OutboxMail struct {
	ID            int64         `db:"id"`
	MessageID     string        `db:"message_id"`
	IncomingID    sql.NullInt64 `db:"incoming_id"`
	Purpose       string        `db:"purpose"`
	Sender        string        `db:"sender"`
	Recipient     string        `db:"recipient"`
	Raw           []byte        `db:"raw"`
	State         string        `db:"state"`
	Attempts      int           `db:"attempts"`
	NextAttemptAt time.Time     `db:"next_attempt_at"`
	LastError     string        `db:"last_error"`
	CreatedAt     time.Time     `db:"created_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
	// PurgedAt is when retention or erasure emptied Raw.
	PurgedAt sql.NullTime `db:"purged_at"`
	// SendingAt is set while an attempt is in flight (see ClaimForSending).
	SendingAt sql.NullTime `db:"sending_at"`
	// SendingBy is the instance that claimed it (see ClaimForSending).
	SendingBy sql.NullString `db:"sending_by"`
	// Uncertain counts attempts whose result never became known.
	Uncertain int `db:"uncertain"`
	// RawKey names the key Raw is sealed under at rest (PostgreSQL only).
	RawKey sql.NullInt64 `db:"raw_key"`
}

// Enqueue adds a mail to the outbox. A mail with the same Message-ID already
// queued is left as it is and reported with queued=false: replaying a
// decision never queues a second copy.
func (tx *Tx) Enqueue(ctx context.Context, m *OutboxMail) (queued bool, err error) {
	now := utc(time.Now())
	raw, key, err := tx.sealRaw(ctx, m.Recipient, m.Raw)
	if err != nil {
		return false, err
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO outbox (message_id, incoming_id, purpose, sender, recipient, raw, raw_key, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
		m.MessageID, m.IncomingID, m.Purpose, m.Sender, m.Recipient, raw, key, now, now)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", m.MessageID, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 && key.Valid {
		// Queued before: the key drawn for this copy seals nothing.
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM data_keys WHERE id = ?", key.Int64); err != nil {
			return false, fmt.Errorf("enqueue %s: %w", m.MessageID, err)
		}
	}
	return n == 1, nil
}

// DueMail returns up to limit pending mails whose next attempt is due.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]OutboxMail, error) {
	var ms []OutboxMail
	err := s.w.SelectContext(ctx, &ms, `SELECT * FROM outbox WHERE state = 'pending' AND sending_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due mail: %w", err)
	}
	return ms, openOutbox(ctx, s.w.runner, ms)
}

// NextDue returns when the next pending mail is due; ok is false when none is pending.
func (s *Store) NextDue(ctx context.Context) (t time.Time, ok bool, err error) {
	// Not min(): an aggregate loses the column type and comes back as text.
	err = s.w.GetContext(ctx, &t, "SELECT next_attempt_at FROM outbox WHERE state = 'pending' AND sending_at IS NULL ORDER BY next_attempt_at LIMIT 1")
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("next due mail: %w", err)
	}
	return t, true, nil
}

// Attempt records one delivery attempt. A successful one marks the mail
// sent; a failed one either schedules the next try at retryAt or, when dead
// is set, moves it to the dead letters.
type Attempt struct {
	At        time.Time // when it happened; zero means now
	OK        bool
	Temporary bool
	// Uncertain: the mail may have been accepted (the connection broke
	// after the end of DATA, before the server's reply).
	Uncertain bool
	Err       string
	RetryAt   time.Time
	Dead      bool
}

// ClaimForSending commits that an attempt to send mail id starts now.
// Only a claimed mail may be handed to SMTP: when this write fails, the
// mail is not sent. It reports false when the mail is no longer pending
// or is already being sent.
func (s *Store) ClaimForSending(ctx context.Context, id int64, now time.Time) (bool, error) {
	var claimed bool
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		claimed, err = tx.claim(ctx, id, now)
		return err
	})
	return claimed, err
}

func (tx *Tx) claim(ctx context.Context, id int64, now time.Time) (bool, error) {
	// On PostgreSQL a second instance's UPDATE waits for the first's
	// commit and then finds sending_at set: one claim wins.
	res, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET sending_at = ?, sending_by = ? WHERE id = ? AND state = 'pending' AND sending_at IS NULL",
		utc(now), sql.NullString{String: tx.s.instance, Valid: tx.s.instance != ""}, id)
	if err != nil {
		return false, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Interrupted is what RecoverSending did with attempts a crash left in flight.
type Interrupted struct {
	Resend   []int64 // sent once more, as the one blind resend allowed
	GaveUp   []int64 // already uncertain once: dead letters, not sent again
	Examined int
}

// RecoverSending resolves attempts left in flight by a process that ended
// without recording their result. Each such mail may or may not have
// reached the server. It is sent again once; a mail whose result was
// already uncertain before goes to the dead letters instead, so a customer
// gets at most one extra copy. Run it once before sending, while holding
// the database's daemon lock.
func (s *Store) RecoverSending(ctx context.Context, now time.Time) (Interrupted, error) {
	var out Interrupted
	err := s.InTx(ctx, func(tx *Tx) error {
		out = Interrupted{}
		var rows []struct {
			ID        int64 `db:"id"`
			Uncertain int   `db:"uncertain"`
		}
		// On PostgreSQL other instances may be sending right now: only
		// claims of this instance (an earlier life of it), of none, or of
		// an instance that stopped beating were interrupted. SQLite has one
		// daemon (the lock file), so every claim left is.
		q := "SELECT id, uncertain FROM outbox WHERE state = 'pending' AND sending_at IS NOT NULL"
		var args []any
		if tx.s.engine == Postgres {
			q += ` AND (sending_by IS NULL OR sending_by = ? OR NOT EXISTS (SELECT 1 FROM instances i
				WHERE i.id = outbox.sending_by AND i.stopped_at IS NULL AND i.heartbeat_at >= ?))`
			args = append(args, tx.s.instance, utc(now.Add(-InstanceDeadAfter)))
		}
		if err := tx.tx.SelectContext(ctx, &rows, q, args...); err != nil {
			return fmt.Errorf("list interrupted sends: %w", err)
		}
		out.Examined = len(rows)
		for _, r := range rows {
			const note = "interrupted while sending: the server may have accepted it"
			if _, err := tx.tx.ExecContext(ctx, "INSERT INTO outbox_attempts (outbox_id, at, ok, temporary, error) VALUES (?, ?, 0, 1, ?)", r.ID, utc(now), note); err != nil {
				return fmt.Errorf("record interrupted send %d: %w", r.ID, err)
			}
			var err error
			if r.Uncertain >= 1 {
				out.GaveUp = append(out.GaveUp, r.ID)
				_, err = tx.tx.ExecContext(ctx, "UPDATE outbox SET state = 'dead', sending_at = NULL, sending_by = NULL, attempts = attempts + 1, uncertain = uncertain + 1, last_error = ? WHERE id = ?",
					"result unknown twice (interrupted while sending); not sent blindly again: check the Sent folder or the recipient", r.ID)
			} else {
				out.Resend = append(out.Resend, r.ID)
				_, err = tx.tx.ExecContext(ctx, "UPDATE outbox SET sending_at = NULL, sending_by = NULL, attempts = attempts + 1, uncertain = uncertain + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
					note, utc(now), r.ID)
			}
			if err != nil {
				return fmt.Errorf("resolve interrupted send %d: %w", r.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// RecordAttempt stores an attempt and the mail's new state.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a Attempt) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.recordAttempt(ctx, id, a) })
}

// RecordAndClaim records the previous mail's attempt (when prev is not
// nil) and claims the next mail for sending, in one transaction: the
// sender's one write per mail. Nothing of either is written when it fails.
func (s *Store) RecordAndClaim(ctx context.Context, prevID int64, prev *Attempt, nextID int64, now time.Time) (claimed bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		if prev != nil {
			if err := tx.recordAttempt(ctx, prevID, *prev); err != nil {
				return err
			}
		}
		var err error
		claimed, err = tx.claim(ctx, nextID, now)
		return err
	})
	return claimed, err
}

func (tx *Tx) recordAttempt(ctx context.Context, id int64, a Attempt) error {
	now := utc(time.Now())
	if !a.At.IsZero() {
		now = utc(a.At)
	}
	_, err := tx.tx.ExecContext(ctx, "INSERT INTO outbox_attempts (outbox_id, at, ok, temporary, error) VALUES (?, ?, ?, ?, ?)",
		id, now, b2i(a.OK), b2i(a.Temporary), a.Err)
	if err != nil {
		return fmt.Errorf("record attempt for outbox %d: %w", id, err)
	}
	uncertain := 0
	if a.Uncertain {
		uncertain = 1
	}
	switch {
	case a.OK:
		_, err = tx.tx.ExecContext(ctx, "UPDATE outbox SET state = 'sent', sending_at = NULL, attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ?", now, id)
	case a.Dead:
		_, err = tx.tx.ExecContext(ctx, "UPDATE outbox SET state = 'dead', sending_at = NULL, attempts = attempts + 1, uncertain = uncertain + ?, last_error = ? WHERE id = ?", uncertain, a.Err, id)
	default:
		_, err = tx.tx.ExecContext(ctx, "UPDATE outbox SET sending_at = NULL, attempts = attempts + 1, uncertain = uncertain + ?, last_error = ?, next_attempt_at = ? WHERE id = ?", uncertain, a.Err, utc(a.RetryAt), id)
	}
	if err != nil {
		return fmt.Errorf("update outbox %d: %w", id, err)
	}
	return nil
}

// OutboxStats summarises the queue for `mailflow status`.
type OutboxStats struct {
	Pending       int
	Sent          int
	Dead          int
	OldestPending time.Time // zero when none is pending
}

// OutboxStats counts the outbox by state.
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &rows, "SELECT state, count(*) AS n FROM outbox GROUP BY state"); err != nil {
		return st, fmt.Errorf("count outbox: %w", err)
	}
	for _, r := range rows {
		switch r.State {
		case OutboxPending:
			st.Pending = r.N
		case OutboxSent:
			st.Sent = r.N
		case OutboxDead:
			st.Dead = r.N
		}
	}
	// The lowest pending id is the oldest pending mail (ids grow with
	// created_at): found in the outbox_due index, then one row read. Asking
	// ORDER BY created_at instead read every pending row (created_at sits
	// after the raw mail), which under a backlog cost more than sending.
	err := s.r.GetContext(ctx, &st.OldestPending, oldestPending)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("oldest pending mail: %w", err)
	}
	return st, nil
}

// oldestPending is OutboxStats' question for the oldest pending mail.
const oldestPending = "SELECT created_at FROM outbox WHERE id = (SELECT min(id) FROM outbox WHERE state = 'pending')"

// Outbox lists outbox mails in the given state, oldest first.
func (s *Store) Outbox(ctx context.Context, state string) ([]OutboxMail, error) {
	var ms []OutboxMail
	if err := s.r.SelectContext(ctx, &ms, "SELECT * FROM outbox WHERE state = ? ORDER BY id", state); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return ms, openOutbox(ctx, s.r.runner, ms)
}

// notReplies are the outbox purposes that answer no incoming mail: the
// clock's agendas and reminders and the notices to our own technicians.
// They cannot start a mail loop, so the per-sender cap and the breaker,
// which exist to stop loops and floods of replies, do not count them.
const notReplies = "('agenda', 'reminder', 'technician-notice')"

// IsReply reports whether an outbox purpose answers a mail (the loop guards
// count those), as opposed to the clock's mails and technician notices.
func IsReply(purpose string) bool {
	switch purpose {
	case "agenda", "reminder", "technician-notice":
		return false
	}
	return true
}

// MailsTo counts automatic mails queued or sent to recipient since then,
// and those among them of purpose about appointmentID (0: any).
//
// On PostgreSQL the count is taken under a lock on the recipient held to
// the end of the transaction, so deciders of several instances ask in
// turn and a cap holds across them (SQLite's one writer does that anyway).
func (tx *Tx) MailsTo(ctx context.Context, recipient string, since time.Time, purpose string, appointmentID int64) (total, same int, err error) {
	if tx.s.engine == Postgres {
		// A desk in a schema of its own locks its recipients apart from
		// the other desks of the database (the same customer may write to
		// two desks at once).
		q, args := "SELECT pg_advisory_xact_lock("+recipientLockSpace+", hashtext(lower(?)))", []any{recipient}
		if tx.s.schema != "" {
			q, args = "SELECT pg_advisory_xact_lock("+recipientLockSpace+", hashtext(? || lower(?)))", []any{tx.s.schema + " ", recipient}
		}
		if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
			return 0, 0, fmt.Errorf("lock recipient: %w", err)
		}
	}
	if err := tx.tx.GetContext(ctx, &total, "SELECT count(*) FROM outbox WHERE recipient = ? COLLATE NOCASE AND created_at >= ? AND purpose NOT IN "+notReplies, recipient, utc(since)); err != nil {
		return 0, 0, fmt.Errorf("count mails to recipient: %w", err)
	}
	if purpose == "" || appointmentID == 0 {
		return total, 0, nil
	}
	err = tx.tx.GetContext(ctx, &same, `SELECT count(*) FROM outbox o JOIN appointment_mails m ON m.message_id = o.message_id
		WHERE o.recipient = ? COLLATE NOCASE AND o.created_at >= ? AND o.purpose = ? AND m.appointment_id = ?`, recipient, utc(since), purpose, appointmentID)
	if err != nil {
		return 0, 0, fmt.Errorf("count mails of one kind: %w", err)
	}
	return total, same, nil
}

// recipientLockSpace is the first half of the advisory lock keys MailsTo
// takes per recipient ("mf"), apart from other users of advisory locks.
const recipientLockSpace = "28006"

// sentReplies is the condition of the outbox_replies_* indexes: the
// planner uses them only when a query repeats it word for word.
const sentReplies = "state = 'sent' AND purpose NOT IN " + notReplies

// Window is what the breaker asks of one recipient key (an address, a
// domain, or everything) over a time window.
type Window struct {
	Sent int
	// FreesAt is when the count drops below the limit asked about, as the
	// oldest sends leave the window (zero when it is already below).
	FreesAt time.Time
}

// RepliesSent counts replies sent since then to address (lowercase), to
// domain (lowercase), or to anyone when both are "". It reads an index
// range of the window only, whatever the outbox's size. With limit > 0
// FreesAt says when fewer than limit remain in a window of length window.
func (s *Store) RepliesSent(ctx context.Context, address, domain string, since time.Time, limit int, window time.Duration) (Window, error) {
	var w Window
	q, args := repliesSentQuery(address, domain, since)
	if err := s.w.GetContext(ctx, &w.Sent, "SELECT count(*) "+q, args...); err != nil {
		return w, fmt.Errorf("count replies sent: %w", err)
	}
	if limit > 0 && w.Sent >= limit {
		var at time.Time
		if err := s.w.GetContext(ctx, &at, "SELECT sent_at "+q+" ORDER BY sent_at LIMIT 1 OFFSET ?", append(args, w.Sent-limit)...); err != nil {
			return w, fmt.Errorf("replies window: %w", err)
		}
		w.FreesAt = at.Add(window)
	}
	return w, nil
}

// repliesSentQuery is RepliesSent's FROM and WHERE: each form reads one
// index range (see TestPerMailQueriesReadIndexRanges).
func repliesSentQuery(address, domain string, since time.Time) (string, []any) {
	from, where, args := "outbox INDEXED BY outbox_replies_sent", "sent_at >= ?", []any{utc(since)}
	switch {
	case address != "":
		from, where, args = "outbox INDEXED BY outbox_replies_address", "lower(recipient) = ? AND sent_at >= ?", []any{address, utc(since)}
	case domain != "":
		from, where, args = "outbox INDEXED BY outbox_replies_domain", "lower(substr(recipient, instr(recipient, '@') + 1)) = ? AND sent_at >= ?", []any{domain, utc(since)}
	}
	return "FROM " + from + " WHERE " + where + " AND " + sentReplies, args
}

// Hold postpones mail id until then without counting an attempt: the
// breaker keeps it back, the outbox keeps it.
func (s *Store) Hold(ctx context.Context, id int64, until time.Time, why string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'", utc(until), why, id); err != nil {
			return fmt.Errorf("hold outbox %d: %w", id, err)
		}
		return nil
	})
}
