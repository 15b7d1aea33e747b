package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Server erasures: the mail server's copies of mail whose database copy
// ended. Migration 0035's triggers queue one whenever a stored mail loses
// its raw bytes (reason retention) or is deleted by forget (reason
// forget); mailbox.Eraser works the queue. The rows hold keys only.

// Erasure reasons.
const (
	ErasureRetention = "retention"
	ErasureForget    = "forget"
)

// Erasure states: pending until the eraser is through; kept when the
// config says the server copy stays (retention.server keep, or forget
// without expunge_on_forget); gave-up after maxErasureAttempts failures.
const (
	ErasurePending = "pending"
	ErasureDone    = "done"
	ErasureKept    = "kept"
	ErasureGaveUp  = "gave-up"
)

// maxErasureAttempts failures make an erasure a give-up that status shows;
// with the backoff below that is about a week of a server refusing.
const maxErasureAttempts = 200

// Erasure is one queued server-side erasure.
type Erasure struct {
	ID           int64     `db:"id"`
	Mailbox      string    `db:"mailbox"`
	UIDValidity  uint32    `db:"uid_validity"`
	UID          uint32    `db:"uid"`
	MessageID    string    `db:"message_id"`
	BodyHash     string    `db:"body_hash"`
	Reason       string    `db:"reason"`
	State        string    `db:"state"`
	CreatedAt    time.Time `db:"created_at"`
	NextAt       time.Time `db:"next_at"`
	Attempts     int       `db:"attempts"`
	LastError    string    `db:"last_error"`
	Result       string    `db:"result"`
	RedactedHash string    `db:"redacted_hash"`
}

// DueErasures returns up to limit pending erasures due at now, oldest first.
func (s *Store) DueErasures(ctx context.Context, now time.Time, limit int) ([]Erasure, error) {
	var es []Erasure
	err := s.r.SelectContext(ctx, &es, `SELECT id, mailbox, uid_validity, uid, message_id, body_hash, reason, state, created_at, next_at,
		attempts, last_error, result, redacted_hash FROM server_erasures WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`,
		utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due server erasures: %w", err)
	}
	return es, nil
}

// NextErasure returns when the next pending erasure falls due; ok is false
// when none is pending.
func (s *Store) NextErasure(ctx context.Context) (at time.Time, ok bool, err error) {
	err = s.r.GetContext(ctx, &at, `SELECT next_at FROM server_erasures WHERE state = 'pending' ORDER BY next_at LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return at, false, nil
	}
	if err != nil {
		return at, false, fmt.Errorf("next server erasure: %w", err)
	}
	return at, true, nil
}

// SetRedactedHash records, before the redacted copy is appended, the body
// hash it will have, so intake recognises it whenever it sees it.
func (s *Store) SetRedactedHash(ctx context.Context, id int64, hash string) error {
	_, err := s.w.ExecContext(ctx, "UPDATE server_erasures SET redacted_hash = ? WHERE id = ?", hash, id)
	if err != nil {
		return fmt.Errorf("record redacted copy of erasure %d: %w", id, err)
	}
	return nil
}

// FinishErasure records an erasure's end: state done or kept, and what it
// did per folder.
func (s *Store) FinishErasure(ctx context.Context, id int64, state, result string, now time.Time) error {
	// A forgotten customer's erasure keeps no keys of their mail once it
	// is through: nothing needs to recognise it any more.
	_, err := s.w.ExecContext(ctx, `UPDATE server_erasures SET state = ?, result = ?, done_at = ?, last_error = '',
		message_id = CASE reason WHEN 'forget' THEN 'forgotten-' || id ELSE message_id END,
		body_hash = CASE reason WHEN 'forget' THEN '' ELSE body_hash END,
		redacted_hash = CASE reason WHEN 'forget' THEN '' ELSE redacted_hash END
		WHERE id = ?`, state, result, utc(now), id)
	if err != nil {
		return fmt.Errorf("finish server erasure %d: %w", id, err)
	}
	return nil
}

// FailErasure records a failed attempt and when to try again: backoff from
// a minute doubling to six hours, so a server that is down for a day is
// retried a few times an hour at first and never hammered.
func (s *Store) FailErasure(ctx context.Context, id int64, cause error, now time.Time) error {
	var attempts int
	if err := s.w.GetContext(ctx, &attempts, "SELECT attempts FROM server_erasures WHERE id = ?", id); err != nil {
		return fmt.Errorf("server erasure %d: %w", id, err)
	}
	attempts++
	state := ErasurePending
	if attempts >= maxErasureAttempts {
		state = ErasureGaveUp
	}
	_, err := s.w.ExecContext(ctx, `UPDATE server_erasures SET attempts = ?, state = ?, last_error = ?, next_at = ? WHERE id = ?`,
		attempts, state, cause.Error(), utc(now.Add(ErasureBackoff(attempts))), id)
	if err != nil {
		return fmt.Errorf("record failed server erasure %d: %w", id, err)
	}
	return nil
}

// ErasureBackoff is the wait after the given number of failed attempts.
func ErasureBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// ErasureBacklog is what `mailflow status` and the metrics show.
type ErasureBacklog struct {
	Pending   int
	GaveUp    int
	Oldest    time.Time // of the pending ones; zero when none
	LastError string    // of the pending one tried most often
}

// ErasureBacklog counts pending and given-up server erasures.
func (s *Store) ErasureBacklog(ctx context.Context) (ErasureBacklog, error) {
	var b ErasureBacklog
	var oldest sql.NullString
	err := s.r.scanRow(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'gave-up'),
		min(created_at) FILTER (WHERE state = 'pending') FROM server_erasures`, nil, &b.Pending, &b.GaveUp, &oldest)
	if err != nil {
		return b, fmt.Errorf("server erasure backlog: %w", err)
	}
	if oldest.Valid {
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
			if t, err := time.Parse(layout, oldest.String); err == nil {
				b.Oldest = t
				break
			}
		}
	}
	err = s.r.GetContext(ctx, &b.LastError, `SELECT last_error FROM server_erasures WHERE state = 'pending' AND last_error != '' ORDER BY attempts DESC LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("server erasure backlog: %w", err)
	}
	return b, nil
}

// redactedCopyOf reports whether a fetched mail is a redacted copy the
// eraser put back, and which stored mail it stands for (invalid when that
// row is gone): its hash is recorded, or it says it is one (marked) and
// its Message-ID is stored already. A stranger could only make their own
// mail look like one by reusing a Message-ID we stored, which hides
// nothing of anyone else's.
func (tx *Tx) redactedCopyOf(ctx context.Context, messageID, bodyHash string, marked bool) (bool, sql.NullInt64, error) {
	var original sql.NullInt64
	if messageID == "" || bodyHash == "" {
		return false, original, nil
	}
	var hash string
	err := tx.tx.GetContext(ctx, &hash, `SELECT body_hash FROM server_erasures WHERE message_id = ? AND redacted_hash = ? LIMIT 1`, messageID, bodyHash)
	if errors.Is(err, sql.ErrNoRows) {
		if !marked {
			return false, original, nil
		}
		if err := tx.tx.GetContext(ctx, &original, "SELECT min(id) FROM incoming WHERE message_id = ?", messageID); err != nil {
			return false, original, fmt.Errorf("look up the original of a redacted copy: %w", err)
		}
		return original.Valid, original, nil
	}
	if err != nil {
		return false, original, fmt.Errorf("look up redacted copy: %w", err)
	}
	if err := tx.tx.GetContext(ctx, &original, "SELECT min(id) FROM incoming WHERE message_id = ? AND body_hash = ?", messageID, hash); err != nil {
		return false, original, fmt.Errorf("look up the original of a redacted copy: %w", err)
	}
	return true, original, nil
}
