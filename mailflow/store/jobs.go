package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimJob records that the job named key is done, inside the transaction
// that carries out its effects. It returns false, and changes nothing,
// when the key was claimed before: the caller then has nothing to do.
// Claiming first matters: the write lock is held from the start of the
// transaction, so two claimants are serialised and exactly one wins.
func (tx *Tx) ClaimJob(ctx context.Context, key string, at time.Time) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, "INSERT INTO job_runs (key, done_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, utc(at))
	if err != nil {
		return false, fmt.Errorf("claim job %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim job %s: %w", key, err)
	}
	return n == 1, nil
}

// JobsDone returns which of keys are claimed. It reads without the write
// lock, so a pass can skip finished jobs cheaply; only ClaimJob decides.
func (s *Store) JobsDone(ctx context.Context, keys []string) (map[string]bool, error) {
	done := make(map[string]bool, len(keys))
	// Chunks stay well below SQLite's limit on bound parameters.
	const chunk = 500
	for len(keys) > 0 {
		n := min(len(keys), chunk)
		args := make([]any, n)
		for i, k := range keys[:n] {
			args[i] = k
		}
		var found []string
		if err := s.r.SelectContext(ctx, &found, "SELECT key FROM job_runs WHERE key IN ("+placeholders(n)+")", args...); err != nil {
			return nil, fmt.Errorf("look up finished jobs: %w", err)
		}
		for _, k := range found {
			done[k] = true
		}
		keys = keys[n:]
	}
	return done, nil
}

// BookedStarting lists the booked appointments (neither cancelled nor done)
// that start in [from, to), every technician's, in start order. Jobs read
// them inside the transaction that queues their mail, so a session
// cancelled a moment earlier is never reminded of or put on an agenda.
func (tx *Tx) BookedStarting(ctx context.Context, from, to time.Time) ([]Appointment, error) {
	var as []Appointment
	err := tx.tx.SelectContext(ctx, &as, `SELECT * FROM appointments WHERE status = 'booked' AND start_at >= ? AND start_at < ?
		ORDER BY start_at, technician, id`, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("list booked appointments: %w", err)
	}
	return as, nil
}

// UpcomingBooked lists the booked appointments starting in (from, to), in
// start order, from a reader: the candidates of a reminder pass, each
// checked again inside its own transaction.
func (s *Store) UpcomingBooked(ctx context.Context, from, to time.Time) ([]Appointment, error) {
	var as []Appointment
	err := s.r.SelectContext(ctx, &as, `SELECT * FROM appointments WHERE status = 'booked' AND start_at > ? AND start_at < ?
		ORDER BY start_at, id`, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("list upcoming appointments: %w", err)
	}
	return as, nil
}
