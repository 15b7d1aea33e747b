package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// nextBookingNumber draws the next booking number from the counter, which
// never goes back: not when appointments are deleted (forget), and not
// when the database is restored from a backup, since the highest number
// ever drawn is also kept beside the database (path + "-booking-number")
// and the counter never starts below it. A number drawn in a transaction
// that rolls back is skipped, never reused.
func (tx *Tx) nextBookingNumber(ctx context.Context) (int64, error) {
	floor := tx.s.bookingFloor()
	var next int64
	err := tx.tx.GetContext(ctx, &next, `UPDATE booking_numbers
		SET last = `+tx.s.greatest()+`(last, ?, (SELECT coalesce(max(id), 0) FROM appointments)) + 1 WHERE id = 1 RETURNING last`, floor)
	if err != nil {
		return 0, fmt.Errorf("next booking number: %w", err)
	}
	if tx.dry {
		return next, nil // `mailflow try` shows a number it never hands out
	}
	if err := tx.s.keepBookingFloor(next); err != nil {
		return 0, err
	}
	return next, nil
}

func (s *Store) bookingFloorPath() string {
	if s.path == "" || s.path == ":memory:" {
		return ""
	}
	return s.path + "-booking-number"
}

// bookingFloor reads the highest number ever drawn (0 if unknown).
func (s *Store) bookingFloor() int64 {
	p := s.bookingFloorPath()
	if p == "" {
		return 0
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// keepBookingFloor writes n beside the database before the booking
// commits, so a crash leaves a number skipped rather than reused.
func (s *Store) keepBookingFloor(n int64) error {
	p := s.bookingFloorPath()
	if p == "" {
		return nil
	}
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("keep booking number: %w", err)
	}
	_, werr := fmt.Fprintf(f, "%d\n", n)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("keep booking number: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("keep booking number: %w", err)
	}
	return nil
}

// SentTo reports whether one of messageIDs is a mail of ours about the
// appointment that went to recipient: a reply carrying it in In-Reply-To
// or References proves the replier reads recipient's mail, since our
// Message-IDs cannot be guessed. Mail linked before recipients were kept
// proves nothing.
func (tx *Tx) SentTo(ctx context.Context, messageIDs []string, appointmentID int64, recipient string) (bool, error) {
	ids := make([]any, 0, len(messageIDs))
	for _, id := range messageIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return false, nil
	}
	var n int
	err := tx.tx.GetContext(ctx, &n, `SELECT count(*) FROM appointment_mails WHERE appointment_id = ? AND recipient = ?
		AND message_id IN (`+placeholders(len(ids))+`)`, append([]any{appointmentID, strings.ToLower(strings.TrimSpace(recipient))}, ids...)...)
	if err != nil {
		return false, fmt.Errorf("check capability: %w", err)
	}
	return n > 0, nil
}

// ChangeRequest is a change asked for without proof: the neutral mail we
// sent to the address on file, and the mail that asked.
type ChangeRequest struct {
	MessageID     string       `db:"message_id"`
	IncomingID    int64        `db:"incoming_id"`
	AppointmentID int64        `db:"appointment_id"`
	CreatedAt     time.Time    `db:"created_at"`
	AnsweredAt    sql.NullTime `db:"answered_at"`
}

// AddChangeRequest records the neutral confirmation mail messageID, sent
// about appointmentID because mail incomingID asked without proof.
func (tx *Tx) AddChangeRequest(ctx context.Context, messageID string, incomingID, appointmentID int64, now time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO change_requests (message_id, incoming_id, appointment_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, messageID, incomingID, appointmentID, utc(now))
	if err != nil {
		return fmt.Errorf("record change request: %w", err)
	}
	return nil
}

// OpenChangeRequest finds the unanswered change request whose neutral mail
// one of messageIDs names.
func (tx *Tx) OpenChangeRequest(ctx context.Context, messageIDs []string) (*ChangeRequest, error) {
	for _, id := range messageIDs {
		if id == "" {
			continue
		}
		var cr ChangeRequest
		err := tx.tx.GetContext(ctx, &cr, "SELECT * FROM change_requests WHERE message_id = ? AND answered_at IS NULL", id)
		if err == nil {
			return &cr, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("change request: %w", err)
		}
	}
	return nil, ErrNotFound
}

// AnswerChangeRequest marks a change request as answered: a second reply
// to the same neutral mail does not carry the change out again.
func (tx *Tx) AnswerChangeRequest(ctx context.Context, messageID string, now time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, "UPDATE change_requests SET answered_at = ? WHERE message_id = ?", utc(now), messageID); err != nil {
		return fmt.Errorf("answer change request: %w", err)
	}
	return nil
}

// Incoming returns one stored mail inside a transaction (the mail a
// confirmation answers is read while deciding the confirmation).
func (tx *Tx) Incoming(ctx context.Context, id int64) (*Incoming, error) {
	var in Incoming
	if err := tx.tx.GetContext(ctx, &in, "SELECT * FROM incoming WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("read incoming %d: %w", id, notFound(err))
	}
	return &in, openIncoming(ctx, tx.tx, &in)
}
